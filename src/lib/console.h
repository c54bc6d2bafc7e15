/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --console-socket (the protocol conmon and containerd-shim speak, runc's utils.SendFile): one
 * message on an AF_UNIX stream socket, the pty master in SCM_RIGHTS, the pty's name as the data.
 * Also the atomic --pid-file writer the OCI verbs share.
 */
#pragma once

#include <sys/types.h>

struct vsl_error;

int vsl_console_send(const char *socket_path, int master, struct vsl_error *err);
/* Write "PID" (no newline, as runc) to path through a temp file and rename. */
int vsl_write_pid_file(const char *path, pid_t pid, struct vsl_error *err);
