// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel ps [-f|--format table|json] ID [PS_ARGS...]` (runc's ps): json is the array of pids;
 * table is ps(1)'s output (default `ps -ef`) kept to the header and the container's processes.
 */
#include <getopt.h>
#include <sys/wait.h>

#include "cli.h"

static bool
has_pid(const pid_t *pids, size_t n, pid_t p)
{
    for (size_t i = 0; i < n; i++)
        if (pids[i] == p)
            return true;
    return false;
}

/* Which column of ps's header is PID. */
static int
pid_column(const char *header)
{
    char buf[4096];
    int col = 0;

    (void)snprintf(buf, sizeof(buf), "%s", header);
    for (char *save = NULL, *w = strtok_r(buf, " \t\n", &save); w;
         w = strtok_r(NULL, " \t\n", &save), col++)
        if (strcmp(w, "PID") == 0)
            return col;
    return -1;
}

static pid_t
field_pid(const char *line, int col)
{
    char buf[4096];

    (void)snprintf(buf, sizeof(buf), "%s", line);
    char *save = NULL, *w = strtok_r(buf, " \t\n", &save);
    for (int i = 0; w && i < col; i++)
        w = strtok_r(NULL, " \t\n", &save);
    return w ? (pid_t)atoi(w) : -1;
}

static int
ps_table(const pid_t *pids, size_t n, char **ps_args, int n_args)
{
    static char *default_args[] = {(char *)"-ef"};
    _cleanup_free_ char *cmd = strdup("ps");
    char line[4096];

    if (n_args == 0) {
        ps_args = default_args;
        n_args = 1;
    }
    for (int i = 0; cmd && i < n_args; i++) {
        char *next = NULL;
        if (asprintf(&next, "%s '%s'", cmd, ps_args[i]) < 0)
            next = NULL;
        free(cmd);
        cmd = next;
    }
    if (!cmd)
        return cli_error("out of memory");
    FILE *p = popen(cmd, "re");
    if (!p)
        return cli_error("run '%s': %s", cmd, strerror(errno));
    int col = -1;
    if (fgets(line, sizeof(line), p)) {
        fputs(line, stdout);
        col = pid_column(line);
    }
    while (col >= 0 && fgets(line, sizeof(line), p))
        if (has_pid(pids, n, field_pid(line, col)))
            fputs(line, stdout);
    int st = pclose(p);
    if (col < 0)
        return cli_error("ps: could not find the PID column in the output of '%s'", cmd);
    return st == 0 ? 0 : CLI_EXIT_FAILURE;
}

int
cmd_ps(int argc, char **argv, const struct cli_globals *g)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    _cleanup_free_ pid_t *pids = NULL;
    struct vsl_error err = {0};
    bool json = false;
    size_t n = 0;
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:f:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs("Usage: vessel ps [--format table|json] ID [PS_ARGS...]\n\n"
                  "List the processes of a container (ps -ef by default).\n",
                  stdout);
            return 0;
        }
        if (c != 'f')
            return cli_bad_flag("ps", c, argv);
        if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0)
            return cli_error("invalid format option '%s' (expected table or json)", optarg);
        json = strcmp(optarg, "json") == 0;
    }
    if (optind >= argc)
        return cli_need_args("ps", argc, optind, 1, "a container id"), CLI_EXIT_FAILURE;
    if (vsl_pids(g->root, argv[optind], &pids, &n, &err) < 0)
        return cli_error("%s", err.msg);
    if (!json)
        return ps_table(pids, n, argv + optind + 1, argc - optind - 1);
    fputs("[", stdout);
    for (size_t i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", pids[i]);
    fputs("]\n", stdout);
    return 0;
}
