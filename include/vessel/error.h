/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one error rule: functions return >= 0 on success and -errno on failure; entry points and
 * stages also fill a caller-owned, fixed-size struct vsl_error (no heap), which a forked child can
 * send as-is over the sync socket.
 */
#pragma once

struct vsl_error;

/* Format into err, code = -abs(errnum); returns the negative code so callers set and return at
 * once. */
__attribute__((format(printf, 3, 4))) int vsl_err(struct vsl_error *err, int errnum,
                                                  const char *fmt, ...);
/* Like vsl_err with errno, appending ": strerror(errno)". */
__attribute__((format(printf, 2, 3))) int vsl_err_errno(struct vsl_error *err, const char *fmt,
                                                        ...);
/* Like vsl_err_errno with an explicit errno value (positive or negative). */
__attribute__((format(printf, 3, 4))) int vsl_err_code(struct vsl_error *err, int errnum,
                                                       const char *fmt, ...);
/* Prefix context once when crossing a layer: "stage rootfs: " + message. */
__attribute__((format(printf, 2, 3))) void vsl_err_prefix(struct vsl_error *err, const char *fmt,
                                                          ...);
