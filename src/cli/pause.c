// SPDX-License-Identifier: GPL-2.0-or-later
/* `vessel pause ID` and `vessel resume ID` (runc's): freeze and thaw the container's cgroup. */
#include "cli.h"

static int
pause_or_resume(int argc, char **argv, const struct cli_globals *g, bool pause)
{
    const char *verb = pause ? "pause" : "resume";
    const char *usage =
        pause ? "Freeze every process of the container." : "Thaw every process of the container.";
    struct vsl_error err = {0};
    const char *id = NULL;
    int r = cli_parse_id_only(verb, usage, argc, argv, &id);

    if (r != CLI_PARSED)
        return r;
    if (vsl_pause(g->root, id, pause, &err) < 0)
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
