// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel state ID` (runc's state): the OCI state object — ociVersion, id, status, pid, bundle,
 * annotations, and runc's created and owner — as pretty JSON.
 */
#include "cli.h"

int
cmd_state(int argc, char **argv, const struct cli_globals *g)
{
    struct vsl_state st;
    struct vsl_error err = {0};
    const char *id = NULL;
    int r = cli_parse_id_only("state", "Print the state of a container as JSON.", argc, argv, &id);

    if (r != CLI_PARSED)
        return r;
    if (vsl_state_get(g->root, id, &st, &err) < 0)
        return cli_error("%s", err.msg);
    printf("%s\n", st.json);
    vsl_state_clear(&st);
    return 0;
}
