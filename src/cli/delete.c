// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel delete [--force|-f] ID` (runc's delete): remove a stopped or created container — its
 * cgroup and state — and run poststop hooks; --force kills a running one first and also cleans
 * up a container whose create was killed half-way.
 */
#include <getopt.h>

#include "cli.h"

int
cmd_delete(int argc, char **argv, const struct cli_globals *g)
{
    static const struct option longopts[] = {
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct vsl_error err = {0};
    bool force = false;
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:fh", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs("Usage: vessel delete [--force] ID...\n\n"
                  "Delete stopped containers; --force kills running ones first.\n",
                  stdout);
            return 0;
        }
        if (c != 'f')
            return cli_bad_flag("delete", c, argv);
        force = true;
    }
    if (optind >= argc) {
        cli_need_args("delete", argc, optind, 1, "a container id");
        return CLI_EXIT_FAILURE;
    }
    int rc = 0;
    for (int i = optind; i < argc; i++) {
        int r = vsl_delete(g->root, argv[i], force, &err);
        /* runc: --force on a container that is gone already is not an error. */
        if (r == -ENOENT && force)
            continue;
        if (r < 0)
            rc = cli_error("%s", err.msg);
        else if (r > 0)
            cli_warn("%s", err.msg);
    }
    return rc;
}
