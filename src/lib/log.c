// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Warnings and `--debug` lines from the library: the caller's hook receives them. The init cannot
 * call it (its stderr may be the container's, its --log path is outside the new root), so it
 * sends them over the sync socket as LOG messages, "W:" or "D:" first, which the parent hands to
 * the same hook while it waits.
 */
#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/sync.h"

static void (*hook)(enum vsl_log_level level, const char *line);
static bool debug_on;

static void
from_init(const char *line)
{
    if (!hook)
        return;
    if (strncmp(line, "D:", 2) == 0) {
        if (debug_on)
            hook(VSL_LOG_DEBUG, line + 2);
    } else
        hook(VSL_LOG_WARN, strncmp(line, "W:", 2) == 0 ? line + 2 : line);
}

void
vsl_set_log(void (*h)(enum vsl_log_level level, const char *line), bool debug)
{
    hook = h;
    debug_on = h && debug;
    sync_set_log_hook(h ? from_init : NULL);
}

bool
vsl_debugging(void)
{
    return debug_on;
}

void
vsl_debug(const char *fmt, ...)
{
    char line[512];
    va_list ap;

    if (!debug_on)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    hook(VSL_LOG_DEBUG, line);
}

void
vsl_init_log(int sync_fd, enum vsl_log_level level, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    if (level == VSL_LOG_DEBUG && !debug_on)
        return;
    (void)snprintf(line, sizeof(line), "%s", level == VSL_LOG_DEBUG ? "D:" : "W:");
    va_start(ap, fmt);
    (void)vsnprintf(line + 2, sizeof(line) - 2, fmt, ap);
    va_end(ap);
    (void)sync_send(sync_fd, SYNC_LOG, line, strlen(line) + 1, -1, NULL);
}
