/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Launching a container's init: prepare every stage, clone3, parent_setup, and drive the child
 * through its setup with the sync protocol (sync.h) until it waits for START.
 */
#pragma once

struct vsl_ctx;
struct vsl_error;

#include <stddef.h>

/* Up to CHILD_READY: on success the child waits for START. On failure the caller runs
 * vsl_launch_abort(), which kills the half-started child and undoes every stage. */
int vsl_launch(struct vsl_ctx *ctx, struct vsl_error *err);
/* The two halves of vsl_launch_start: send START; wait for EOF (exec) or the child's error. */
int vsl_launch_send_start(struct vsl_ctx *ctx, struct vsl_error *err);
int vsl_launch_wait_exec(struct vsl_ctx *ctx, struct vsl_error *err);
/* Close the parent's fds of a launch that succeeded and outlives this process (create). */
void vsl_launch_release(struct vsl_ctx *ctx);
/* Send START; returns once the user's process was executed (EOF on the sync socket) or with the
 * child's exec error (err->exec_failed set). */
int vsl_launch_start(struct vsl_ctx *ctx, struct vsl_error *err);
/* Kill and reap the child if any, undo the stages in reverse. Idempotent. */
void vsl_launch_abort(struct vsl_ctx *ctx);
/* Undo the stages in reverse after the container is gone. Idempotent. */
void vsl_launch_undo(struct vsl_ctx *ctx);
/* "exited with status 3", "killed by signal 9 (Killed)". */
void vsl_describe_status(int status, char *buf, size_t len);
