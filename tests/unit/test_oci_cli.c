// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The OCI verbs' small parsers, without root: signal names and numbers (kill), --preserve-fds
 * numbers, and container ids.
 */
#include <signal.h>

#include "cli/cli.h"
#include "lib/container.h"
#include "tap.h"

static void
test_signals(void)
{
    is_int(cli_parse_signal("KILL"), SIGKILL, "KILL");
    is_int(cli_parse_signal("SIGKILL"), SIGKILL, "SIGKILL");
    is_int(cli_parse_signal("sigterm"), SIGTERM, "sigterm (any case)");
    is_int(cli_parse_signal("9"), 9, "a number");
    is_int(cli_parse_signal("WINCH"), SIGWINCH, "WINCH");
    is_int(cli_parse_signal("RTMIN+2"), SIGRTMIN + 2, "RTMIN+2");
    is_int(cli_parse_signal("SIGRTMAX"), SIGRTMAX, "SIGRTMAX");
    is_int(cli_parse_signal("NOSUCH"), -EINVAL, "unknown name");
    is_int(cli_parse_signal("0"), -EINVAL, "signal 0 is not a signal to send");
    is_int(cli_parse_signal("99"), -EINVAL, "beyond SIGRTMAX");
    is_int(cli_parse_signal("9x"), -EINVAL, "trailing garbage");
    is_int(cli_parse_signal(""), -EINVAL, "empty");
}

static void
test_uint(void)
{
    unsigned v = 7;

    is_int(cli_parse_uint("3", &v), 0, "3 parses");
    is_int(v, 3, "3");
    is_int(cli_parse_uint("-1", &v), -EINVAL, "negative");
    is_int(cli_parse_uint("", &v), -EINVAL, "empty");
    is_int(cli_parse_uint("1k", &v), -EINVAL, "a suffix");
}

static void
test_ids(void)
{
    ok(vsl_container_id_is_valid("c1"), "c1");
    ok(vsl_container_id_is_valid("a_b.c-d+e"), "runc's character set");
    ok(!vsl_container_id_is_valid("../x"), "a path");
    ok(!vsl_container_id_is_valid(".hidden"), "a leading dot");
    ok(!vsl_container_id_is_valid(""), "empty");
    ok(!vsl_container_id_is_valid("a/b"), "a slash");
}

int
main(void)
{
    test_signals();
    test_uint();
    test_ids();
    return done_testing();
}
