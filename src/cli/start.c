// SPDX-License-Identifier: GPL-2.0-or-later
/* `vessel start ID` (runc's start): the created container's init executes the user's process. */
#include <getopt.h>

#include "cli.h"

int
cmd_start(int argc, char **argv, const struct cli_globals *g)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    struct vsl_error err = {0};
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs("Usage: vessel start ID\n\nRun the process of a created container.\n", stdout);
            return 0;
        }
        return cli_bad_flag("start", c, argv);
    }
    if (cli_need_args("start", argc, optind, 1, "a container id") < 0)
        return CLI_EXIT_FAILURE;
    int r = vsl_start(g->root, argv[optind], &err);
    if (r < 0)
        return cli_error("%s", err.msg);
    if (r > 0)
        cli_warn("%s", err.msg);
    return 0;
}
