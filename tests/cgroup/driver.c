// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup-driver: the cgroup API (src/cgroup/cgroup.h) from the command line, so cgroup.bats can
 * test freeze, live update, stats, kill and OOM counting on a running container before (and
 * besides) the OCI verbs that use them. Built for tests only.
 *   cgroup-driver mode | freeze PATH | thaw PATH | frozen PATH | pids PATH | kill PATH SIG
 *                 | oom PATH | stats PATH | set PATH pids=N memory=BYTES cpu-quota=N cpu-period=N
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vessel/error.h>
#include <vessel/vessel.h>

#include "cgroup/cgroup.h"

static int
set(struct vsl_cgroup *cg, int argc, char **argv, struct vsl_error *err)
{
    struct vsl_resources res = {0};

    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            return vsl_err(err, EINVAL, "expected KEY=VALUE, got '%s'", argv[i]);
        long long v = strtoll(eq + 1, NULL, 10);
        *eq = '\0';
        if (strcmp(argv[i], "pids") == 0)
            res.pids.limit = (struct vsl_opt_i64){true, v};
        else if (strcmp(argv[i], "memory") == 0)
            res.memory.limit = (struct vsl_opt_i64){true, v};
        else if (strcmp(argv[i], "cpu-quota") == 0)
            res.cpu.quota = (struct vsl_opt_i64){true, v};
        else if (strcmp(argv[i], "cpu-period") == 0)
            res.cpu.period = (struct vsl_opt_u64){true, (uint64_t)v};
        else
            return vsl_err(err, EINVAL, "unknown key '%s'", argv[i]);
    }
    return vsl_cgroup_set(cg, &res, err);
}

static int
act(struct vsl_cgroup *cg, const char *cmd, int argc, char **argv, struct vsl_error *err)
{
    bool frozen;
    uint64_t n;
    int r;

    if (strcmp(cmd, "freeze") == 0 || strcmp(cmd, "thaw") == 0)
        return vsl_cgroup_freeze(cg, strcmp(cmd, "freeze") == 0, err);
    if (strcmp(cmd, "frozen") == 0) {
        if ((r = vsl_cgroup_is_frozen(cg, &frozen, err)) == 0)
            printf("frozen=%d\n", frozen);
        return r;
    }
    if (strcmp(cmd, "oom") == 0) {
        if ((r = vsl_cgroup_oom_kills(cg, &n, err)) == 0)
            printf("oom_kills=%llu\n", (unsigned long long)n);
        return r;
    }
    if (strcmp(cmd, "pids") == 0) {
        pid_t *pids = NULL;
        size_t np = 0;
        if ((r = vsl_cgroup_pids(cg, &pids, &np, err)) == 0)
            printf("count=%zu\n", np);
        free(pids);
        return r;
    }
    if (strcmp(cmd, "kill") == 0)
        return vsl_cgroup_kill(cg, argc > 0 ? atoi(argv[0]) : SIGKILL, err);
    if (strcmp(cmd, "stats") == 0) {
        json_t *j = NULL;
        if ((r = vsl_cgroup_stats(cg, &j, err)) == 0) {
            char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
            printf("%s\n", s ? s : "null");
            free(s);
            json_decref(j);
        }
        return r;
    }
    if (strcmp(cmd, "set") == 0)
        return set(cg, argc, argv, err);
    return vsl_err(err, EINVAL, "unknown command '%s'", cmd);
}

int
main(int argc, char **argv)
{
    struct vsl_error err = {0};
    struct vsl_cgroup *cg = NULL;

    if (argc == 2 && strcmp(argv[1], "mode") == 0) {
        puts(vsl_cgroup_mode() == VSL_CGROUP_V2 ? "v2" : "v1");
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: cgroup-driver mode | CMD PATH [ARGS...]\n");
        return 2;
    }
    int r = vsl_cgroup_open(argv[2], &cg, &err);
    if (r >= 0)
        r = act(cg, argv[1], argc - 3, argv + 3, &err);
    vsl_cgroup_free(cg);
    if (r < 0) {
        fprintf(stderr, "cgroup-driver: %s\n", err.msg);
        return 1;
    }
    return 0;
}
