// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel list [-f|--format table|json] [-q|--quiet]` (runc's list): every container under the
 * state root with its pid, status, bundle, creation time and owner.
 */
#include <getopt.h>

#include "cli.h"

static int
parse_format(const char *arg, bool *json)
{
    if (strcmp(arg, "json") == 0)
        *json = true;
    else if (strcmp(arg, "table") == 0)
        *json = false;
    else
        return cli_error("invalid format option '%s' (expected table or json)", arg), -EINVAL;
    return 0;
}

static void
print_list(char **ids, bool json, bool quiet, const char *root)
{
    bool first = true;

    if (json)
        fputs("[", stdout);
    else if (!quiet)
        printf("%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
               "OWNER");
    for (char **id = ids; *id; id++) {
        struct vsl_state st;
        struct vsl_error err = {0};
        if (vsl_state_get(root, *id, &st, &err) < 0)
            continue;
        if (json)
            printf("%s%s", first ? "" : ",", st.json);
        else if (quiet)
            printf("%s\n", st.id);
        else
            printf("%-20s %-8d %-10s %-40s %-31s %s\n", st.id, st.pid, st.status, st.bundle,
                   st.created, "root");
        first = false;
        vsl_state_clear(&st);
    }
    if (json)
        fputs("]\n", stdout);
}

int
cmd_list(int argc, char **argv, const struct cli_globals *g)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    _cleanup_strv_ char **ids = NULL;
    struct vsl_error err = {0};
    bool json = false, quiet = false;
    size_t n;
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:f:qh", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs("Usage: vessel list [--format table|json] [--quiet]\n\n"
                  "List the containers under the state root.\n",
                  stdout);
            return 0;
        }
        if (c == 'f' && parse_format(optarg, &json) < 0)
            return CLI_EXIT_FAILURE;
        else if (c == 'q')
            quiet = true;
        else if (c != 'f')
            return cli_bad_flag("list", c, argv);
    }
    if (cli_need_args("list", argc, optind, 0, "no arguments") < 0)
        return CLI_EXIT_FAILURE;
    if (vsl_list_ids(g->root, &ids, &n, &err) < 0)
        return cli_error("%s", err.msg);
    print_list(ids, json, quiet, g->root);
    return 0;
}
