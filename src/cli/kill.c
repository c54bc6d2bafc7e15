// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel kill [--all|-a] ID [SIGNAL]` (runc's kill): SIGNAL by name (KILL, SIGKILL) or number,
 * default SIGTERM; --all signals every process of the container's cgroup.
 */
#include <getopt.h>
#include <signal.h>

#include "cli.h"

int
cmd_kill(int argc, char **argv, const struct cli_globals *g)
{
    static const struct option longopts[] = {
        {"all", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct vsl_error err = {0};
    bool all = false;
    int c, sig = SIGTERM;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:ah", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs("Usage: vessel kill [--all] ID [SIGNAL]\n\n"
                  "Send SIGNAL (default TERM; a name or a number) to the container's init, or\n"
                  "with --all to every process of the container.\n",
                  stdout);
            return 0;
        }
        if (c != 'a')
            return cli_bad_flag("kill", c, argv);
        all = true;
    }
    if (argc - optind < 1 || argc - optind > 2) {
        cli_need_args("kill", argc, optind, 1, "ID [SIGNAL]");
        return CLI_EXIT_FAILURE;
    }
    if (argc - optind == 2 && (sig = cli_parse_signal(argv[optind + 1])) < 0)
        return cli_error("kill: unknown signal '%s'", argv[optind + 1]);
    if (vsl_kill(g->root, argv[optind], sig, all, &err) < 0)
        return cli_error("%s", err.msg);
    return 0;
}
