// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel update [FLAGS] ID` or `vessel update -r FILE ID` (runc's update): change the resources
 * of a running container. The flags become a linux.resources object, so both forms go through
 * the one spec parser and the cgroup backend's set.
 */
#include <getopt.h>

#include "cli.h"

/* runc's flag name, the JSON path under resources, and whether it takes a size (64m). */
static const struct upd_flag {
    const char *name;
    const char *section;
    const char *key;
    bool size;
    bool string;
} upd_flags[] = {
    {"blkio-weight", "blockIO", "weight", false, false},
    {"cpu-period", "cpu", "period", false, false},
    {"cpu-quota", "cpu", "quota", false, false},
    {"cpu-rt-period", "cpu", "realtimePeriod", false, false},
    {"cpu-rt-runtime", "cpu", "realtimeRuntime", false, false},
    {"cpu-share", "cpu", "shares", false, false},
    {"cpuset-cpus", "cpu", "cpus", false, true},
    {"cpuset-mems", "cpu", "mems", false, true},
    {"memory", "memory", "limit", true, false},
    {"memory-reservation", "memory", "reservation", true, false},
    {"memory-swap", "memory", "swap", true, false},
    {"kernel-memory", "memory", "kernel", true, false},
    {"kernel-memory-tcp", "memory", "kernelTCP", true, false},
    {"pids-limit", "pids", "limit", false, false},
};

/* "64m", "1g", "-1", "1024" -> bytes as decimal text. */
static int
parse_value(const struct upd_flag *f, const char *arg, char *out, size_t len)
{
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);

    if (f->string) {
        for (const char *p = arg; *p; p++)
            if (!strchr("0123456789,-", *p))
                return -EINVAL;
        (void)snprintf(out, len, "\"%s\"", arg);
        return 0;
    }
    if (end == arg || errno)
        return -EINVAL;
    if (*end && f->size) {
        static const char units[] = "bkmgt";
        const char *u = strchr(units, *end | 0x20);
        if (!u || (end[1] && !((end[1] | 0x20) == 'b' && !end[2])))
            return -EINVAL;
        for (long i = 0; i < u - units; i++)
            v *= 1024;
    } else if (*end) {
        return -EINVAL;
    }
    (void)snprintf(out, len, "%lld", v);
    return 0;
}

static char *
read_file(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
    char *buf = NULL;
    size_t cap = 0;

    if (!f)
        return NULL;
    ssize_t n = getdelim(&buf, &cap, '\0', f);
    if (f != stdin)
        (void)fclose(f);
    if (n < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* {"memory":{"limit":N,...},"cpu":{...}} from the flags given. */
static int
flags_json(char *const vals[], char *out, size_t len)
{
    const char *sections[] = {"blockIO", "cpu", "memory", "pids"};
    size_t n = 0;

    n += (size_t)snprintf(out + n, len - n, "{");
    for (size_t s = 0; s < ARRAY_SIZE(sections) && n < len; s++) {
        bool open = false;
        for (size_t i = 0; i < ARRAY_SIZE(upd_flags) && n < len; i++) {
            if (!vals[i] || strcmp(upd_flags[i].section, sections[s]) != 0)
                continue;
            if (!open)
                n +=
                    (size_t)snprintf(out + n, len - n, "%s\"%s\":{", n > 1 ? "," : "", sections[s]);
            else
                n += (size_t)snprintf(out + n, len - n, ",");
            n += (size_t)snprintf(out + n, len - n, "\"%s\":%s", upd_flags[i].key, vals[i]);
            open = true;
        }
        if (open && n < len)
            n += (size_t)snprintf(out + n, len - n, "}");
    }
    if (n < len)
        n += (size_t)snprintf(out + n, len - n, "}");
    return n < len ? 0 : -E2BIG;
}

static void
update_usage(FILE *f)
{
    fputs("Usage: vessel update [OPTIONS] ID\n"
          "\n"
          "Change the resources of a running container.\n"
          "\n"
          "Options:\n"
          "  -r, --resources FILE   linux.resources as JSON ('-': stdin); no other flags then\n",
          f);
    for (size_t i = 0; i < ARRAY_SIZE(upd_flags); i++)
        fprintf(f, "      --%-20s %s.%s\n", upd_flags[i].name, upd_flags[i].section,
                upd_flags[i].key);
}

int
cmd_update(int argc, char **argv, const struct cli_globals *g)
{
    struct option longopts[ARRAY_SIZE(upd_flags) + 3];
    char vals_buf[ARRAY_SIZE(upd_flags)][64];
    char *vals[ARRAY_SIZE(upd_flags)] = {0};
    const char *res_file = NULL;
    struct vsl_error err = {0};
    bool any = false;
    int c;

    for (size_t i = 0; i < ARRAY_SIZE(upd_flags); i++)
        longopts[i] = (struct option){upd_flags[i].name, required_argument, NULL, 0x100 + (int)i};
    longopts[ARRAY_SIZE(upd_flags)] = (struct option){"resources", required_argument, NULL, 'r'};
    longopts[ARRAY_SIZE(upd_flags) + 1] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[ARRAY_SIZE(upd_flags) + 2] = (struct option){NULL, 0, NULL, 0};
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:r:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            update_usage(stdout);
            return 0;
        }
        if (c == 'r') {
            res_file = optarg;
            continue;
        }
        if (c < 0x100 || c >= 0x100 + (int)ARRAY_SIZE(upd_flags))
            return cli_bad_flag("update", c, argv);
        size_t i = (size_t)(c - 0x100);
        if (parse_value(&upd_flags[i], optarg, vals_buf[i], sizeof(vals_buf[i])) < 0)
            return cli_error("update: --%s: invalid value '%s'", upd_flags[i].name, optarg);
        vals[i] = vals_buf[i];
        any = true;
    }
    if (cli_need_args("update", argc, optind, 1, "a container id") < 0)
        return CLI_EXIT_FAILURE;
    if (res_file && any)
        return cli_error("update: --resources cannot be combined with other flags");
    _cleanup_free_ char *json = NULL;
    if (res_file) {
        json = read_file(res_file);
        if (!json)
            return cli_error("update: read '%s': %s", res_file, strerror(errno));
    } else {
        char buf[4096];
        if (!any)
            return cli_error("update: nothing to change: give --resources or a flag");
        if (flags_json(vals, buf, sizeof(buf)) < 0 || !(json = strdup(buf)))
            return cli_error("out of memory");
    }
    if (vsl_update(g->root, argv[optind], json, &err) < 0)
        return cli_error("%s", err.msg);
    return 0;
}
