// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state's "created" timestamp (src/lib/container.c vsl_rfc3339): UTC dates computed without
 * the time zone, checked against known instants and against glibc's gmtime_r over two centuries.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/container.h"
#include "tap.h"

static void
check(long long sec, long nsec, const char *want)
{
    struct timespec ts = {.tv_sec = (time_t)sec, .tv_nsec = nsec};
    char got[64];

    vsl_rfc3339(&ts, got, sizeof(got));
    ok(strcmp(got, want) == 0, "%lld.%09ld is %s (got %s)", sec, nsec, want, got);
}

int
main(void)
{
    check(0, 0, "1970-01-01T00:00:00.000000000Z");
    check(951782400, 1, "2000-02-29T00:00:00.000000001Z");
    check(951868799, 999999999, "2000-02-29T23:59:59.999999999Z");
    check(1795392000, 123456789, "2026-11-23T00:00:00.123456789Z");
    check(4107542400LL, 0, "2100-03-01T00:00:00.000000000Z");
    check(4107456000LL, 0, "2100-02-28T00:00:00.000000000Z");

    /* every 6 hours and 17 seconds from 1970 to 2170 agrees with gmtime_r */
    int bad = 0;
    for (long long t = 0; t < 6311433600LL; t += 6 * 3600 + 17) {
        struct timespec ts = {.tv_sec = (time_t)t};
        struct tm tm;
        char got[64], want[64];
        vsl_rfc3339(&ts, got, sizeof(got));
        (void)gmtime_r(&ts.tv_sec, &tm);
        (void)strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
        if (strcmp(got, want) != 0 && bad++ < 3)
            printf("# %lld: %s, gmtime_r says %s\n", t, got, want);
    }
    ok(bad == 0, "agrees with gmtime_r from 1970 to 2170 (%d differ)", bad);
    return done_testing();
}
