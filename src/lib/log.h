/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Warnings and debug lines (src/lib/log.c); vsl_set_log is public (vessel.h). */
#pragma once

#include <stdbool.h>

#include <vessel/vessel.h>

/* Is `--debug` on (cheap: for skipping work that only feeds debug lines)? */
bool vsl_debugging(void);
/* A debug line from the runtime side, when debugging. */
__attribute__((format(printf, 1, 2))) void vsl_debug(const char *fmt, ...);
/* From the init (the forked child): a warning, or a debug line when debugging, to the parent. */
__attribute__((format(printf, 3, 4))) void vsl_init_log(int sync_fd, enum vsl_log_level level,
                                                        const char *fmt, ...);
