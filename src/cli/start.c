// SPDX-License-Identifier: GPL-2.0-or-later
/* `vessel start ID` (runc's start): the created container's init executes the user's process. */
#include "cli.h"

int
cmd_start(int argc, char **argv, const struct cli_globals *g)
{
    struct vsl_error err = {0};
    const char *id = NULL;
    int r = cli_parse_id_only("start", "Run the process of a created container.", argc, argv, &id);

    if (r != CLI_PARSED)
        return r;
    r = vsl_start(g->root, id, &err);
    if (r < 0)
        return cli_error("%s", err.msg);
    if (r > 0)
        cli_warn("%s", err.msg);
    return 0;
}
