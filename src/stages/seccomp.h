/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seccomp stage's compiler, exposed for unit tests: an OCI profile to a BPF program with
 * libseccomp, as prepare does it.
 */
#pragma once

struct sock_filter;
struct vsl_error;
struct vsl_seccomp;

/* Check actions, architectures, flags and arguments: no syscalls. */
int vsl_seccomp_validate(const struct vsl_seccomp *sc, struct vsl_error *err);
/* Compile; *ret_prog is malloc'ed, *ret_len in instructions. Unknown syscalls are skipped. */
int vsl_seccomp_compile(const struct vsl_seccomp *sc, struct sock_filter **ret_prog,
                        unsigned short *ret_len, struct vsl_error *err);
