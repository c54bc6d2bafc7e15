// SPDX-License-Identifier: GPL-2.0-or-later
/* `vessel pause ID` and `vessel resume ID` (runc's): freeze and thaw the container's cgroup. */
#include <getopt.h>

#include "cli.h"

static int
pause_or_resume(int argc, char **argv, const struct cli_globals *g, bool pause)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *verb = pause ? "pause" : "resume";
    struct vsl_error err = {0};
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            printf("Usage: vessel %s ID\n\n%s every process of the container.\n", verb,
                   pause ? "Freeze" : "Thaw");
            return 0;
        }
        return cli_bad_flag(verb, c, argv);
    }
    if (cli_need_args(verb, argc, optind, 1, "a container id") < 0)
        return CLI_EXIT_FAILURE;
    if (vsl_pause(g->root, argv[optind], pause, &err) < 0)
        return cli_error("%s", err.msg);
    return 0;
}

int
cmd_pause(int argc, char **argv, const struct cli_globals *g)
{
    return pause_or_resume(argc, argv, g, true);
}

int
cmd_resume(int argc, char **argv, const struct cli_globals *g)
{
    return pause_or_resume(argc, argv, g, false);
}
