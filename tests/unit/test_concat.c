// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The init's printf-free string helpers (src/lib/fs.c): vsl_concat joins strings into a bounded
 * buffer and says when they did not fit; vsl_utoa writes decimals.
 */
#include <stdio.h>
#include <string.h>

#include "lib/fs.h"
#include "tap.h"

int
main(void)
{
    char buf[16], num[21];

    ok(vsl_concat(buf, sizeof(buf), "_ses.", "abc", (char *)NULL), "fits");
    is_str(buf, "_ses.abc", "joined in order");
    ok(vsl_concat(buf, sizeof(buf), (char *)NULL), "nothing to join fits");
    is_str(buf, "", "and leaves an empty string");
    ok(vsl_concat(buf, sizeof(buf), "/sys/fs/cgroup", "/", "", (char *)NULL),
       "empty parts are skipped");
    is_str(buf, "/sys/fs/cgroup/", "15 characters in 16 bytes");
    ok(!vsl_concat(buf, sizeof(buf), "/sys/fs/cgroup", "/x", (char *)NULL),
       "one more does not fit");
    is_int(strlen(buf), 15, "cut at the buffer, terminated");
    ok(!vsl_concat(buf, 1, "a", (char *)NULL), "a one-byte buffer holds only the terminator");
    is_str(buf, "", "which is there");

    is_str(vsl_utoa(0, num), "0", "0");
    is_str(vsl_utoa(7, num), "7", "one digit");
    is_str(vsl_utoa(1234567890, num), "1234567890", "ten digits");
    char want[32];
    (void)snprintf(want, sizeof(want), "%llu", 18446744073709551615ULL);
    is_str(vsl_utoa(18446744073709551615ULL, num), want, "the largest value, as printf writes it");
    return done_testing();
}
