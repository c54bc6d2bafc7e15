// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel state ID` (runc's state): the OCI state object — ociVersion, id, status, pid, bundle,
 * annotations, and runc's created and owner — as pretty JSON.
 */
#include <getopt.h>

#include "cli.h"

int
cmd_state(int argc, char **argv, const struct cli_globals *g)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    struct vsl_state st;
    struct vsl_error err = {0};
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs("Usage: vessel state ID\n\nPrint the state of a container as JSON.\n", stdout);
            return 0;
        }
        return cli_bad_flag("state", c, argv);
    }
    if (cli_need_args("state", argc, optind, 1, "a container id") < 0)
        return CLI_EXIT_FAILURE;
    if (vsl_state_get(g->root, argv[optind], &st, &err) < 0)
        return cli_error("%s", err.msg);
    printf("%s\n", st.json);
    vsl_state_clear(&st);
    return 0;
}
