// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel events [--stats] [--interval DURATION] ID` (runc's events): one stats event with
 * --stats; otherwise a stats event every interval (default 5s) and an "oom" event whenever the
 * OOM kill count grows, until the container stops. One JSON object per line.
 */
#include <getopt.h>
#include <time.h>

#include "cli.h"

/* "5s", "500ms", "1m", "2" (seconds) -> milliseconds. */
static int
parse_interval(const char *s, long *ret_ms)
{
    char *end;
    double v = strtod(s, &end);
    double mul = 1000;

    if (end == s || v <= 0)
        return -EINVAL;
    if (strcmp(end, "ms") == 0)
        mul = 1;
    else if (strcmp(end, "m") == 0)
        mul = 60000;
    else if (*end && strcmp(end, "s") != 0)
        return -EINVAL;
    *ret_ms = (long)(v * mul);
    return *ret_ms > 0 ? 0 : -EINVAL;
}

static int
events_loop(const char *root, const char *id, long interval_ms)
{
    struct vsl_error err = {0};
    unsigned long long ooms = 0, now = 0;
    bool have_oom = vsl_oom_count(root, id, &ooms, &err) >= 0;

    for (;;) {
        struct timespec ts = {interval_ms / 1000, (interval_ms % 1000) * 1000000};
        _cleanup_free_ char *json = NULL;
        if (vsl_stats_json(root, id, &json, &err) < 0) {
            /* The container is gone: runc ends its stream then too. */
            return err.code == -ESRCH || err.code == -ENOENT ? 0 : cli_error("%s", err.msg);
        }
        if (have_oom && vsl_oom_count(root, id, &now, &err) >= 0 && now > ooms) {
            printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
            ooms = now;
        }
        printf("%s\n", json);
        (void)fflush(stdout);
        (void)nanosleep(&ts, NULL);
    }
}

int
cmd_events(int argc, char **argv, const struct cli_globals *g)
{
    static const struct option longopts[] = {
        {"stats", no_argument, NULL, 's'},
        {"interval", required_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct vsl_error err = {0};
    bool stats = false;
    long interval_ms = 5000;
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs("Usage: vessel events [--stats] [--interval DURATION] ID\n\n"
                  "Print the container's resource usage and OOM events as JSON lines.\n",
                  stdout);
            return 0;
        }
        if (c == 's')
            stats = true;
        else if (c == 'i' && parse_interval(optarg, &interval_ms) < 0)
            return cli_error("events: --interval: invalid duration '%s'", optarg);
        else if (c != 'i')
            return cli_bad_flag("events", c, argv);
    }
    if (cli_need_args("events", argc, optind, 1, "a container id") < 0)
        return CLI_EXIT_FAILURE;
    if (!stats)
        return events_loop(g->root, argv[optind], interval_ms);
    _cleanup_free_ char *json = NULL;
    if (vsl_stats_json(g->root, argv[optind], &json, &err) < 0)
        return cli_error("%s", err.msg);
    printf("%s\n", json);
    return 0;
}
