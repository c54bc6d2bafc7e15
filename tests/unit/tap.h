/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tiny TAP producer for unit tests: ok(cond, fmt...), is_int, is_str, done_testing(). */
#pragma once

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int
ok(int cond, const char *fmt, ...)
{
    va_list ap;
    tap_n++;
    if (!cond)
        tap_failed++;
    printf("%sok %d - ", cond ? "" : "not ", tap_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    return cond;
}

#define is_int(got, want, name)                                                                    \
    do {                                                                                           \
        long long _g = (long long)(got), _w = (long long)(want);                                   \
        if (!ok(_g == _w, "%s", name))                                                             \
            printf("#   got %lld, want %lld\n", _g, _w);                                           \
    } while (0)

#define is_str(got, want, name)                                                                    \
    do {                                                                                           \
        const char *_g = (got), *_w = (want);                                                      \
        if (!ok(_g && _w ? strcmp(_g, _w) == 0 : _g == _w, "%s", name))                            \
            printf("#   got '%s', want '%s'\n", _g ? _g : "(null)", _w ? _w : "(null)");           \
    } while (0)

/* Substring check, for error messages. */
#define like(got, sub, name)                                                                       \
    do {                                                                                           \
        const char *_g = (got), *_s = (sub);                                                       \
        if (!ok(_g && strstr(_g, _s) != NULL, "%s", name))                                         \
            printf("#   '%s' does not contain '%s'\n", _g ? _g : "(null)", _s);                    \
    } while (0)

static inline int
done_testing(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}
