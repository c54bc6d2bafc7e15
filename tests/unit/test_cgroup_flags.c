// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel run`'s resource flags (src/cli/run_resources.c): docker's units and syntax, and the
 * spec each flag becomes (linux.resources, linux.devices, docker's default device rules).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tap.h"

static void
test_bytes(void)
{
    static const struct {
        const char *in;
        int64_t want;
    } good[] = {
        {"100", 100},        {"100b", 100},     {"512k", 512 << 10},
        {"64m", 64 << 20},   {"64M", 64 << 20}, {"64mb", 64 << 20},
        {"64MiB", 64 << 20}, {"1g", 1LL << 30}, {"1.5g", 3LL << 29},
    };
    static const char *const bad[] = {"", "x", "-5", "64q", "1gg", "m"};
    struct vsl_error err = {0};
    int64_t v;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        v = -1;
        int r = run_parse_bytes("memory", good[i].in, &v, &err);
        ok(r == 0 && v == good[i].want, "bytes '%s' = %lld (got %lld)", good[i].in,
           (long long)good[i].want, (long long)v);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ok(run_parse_bytes("memory", bad[i], &v, &err) < 0 && strstr(err.msg, "--memory"),
           "bytes '%s' refused: %s", bad[i], err.msg);
}

static void
test_rules(void)
{
    struct vsl_device_rule r;
    struct vsl_error err = {0};
    struct run_device d;

    ok(run_parse_device_rule("c 1:3 rwm", &r, &err) == 0 && r.allow && r.type == 'c' &&
           r.major.set && r.major.v == 1 && r.minor.v == 3 && strcmp(r.access, "rwm") == 0,
       "rule 'c 1:3 rwm'");
    free(r.access);
    ok(run_parse_device_rule("b *:* m", &r, &err) == 0 && r.type == 'b' && !r.major.set &&
           !r.minor.set && strcmp(r.access, "m") == 0,
       "rule 'b *:* m': wildcards");
    free(r.access);
    ok(run_parse_device_rule("a", &r, &err) == 0 && r.type == 'a', "rule 'a'");
    free(r.access);
    ok(run_parse_device_rule("x 1:3 rwm", &r, &err) < 0, "rule with type x refused");
    ok(run_parse_device_rule("c 1:3 rwz", &r, &err) < 0, "rule with access z refused");
    ok(run_parse_device_rule("c 1", &r, &err) < 0, "rule without minor refused");

    ok(run_parse_device("/dev/fuse", &d, &err) == 0 && strcmp(d.ctr, "/dev/fuse") == 0 &&
           strcmp(d.perms, "rwm") == 0,
       "--device HOST");
    run_device_clear(&d);
    ok(run_parse_device("/dev/sda:r", &d, &err) == 0 && strcmp(d.ctr, "/dev/sda") == 0 &&
           strcmp(d.perms, "r") == 0,
       "--device HOST:PERMS");
    run_device_clear(&d);
    ok(run_parse_device("/dev/sda:/dev/xvda:rw", &d, &err) == 0 &&
           strcmp(d.ctr, "/dev/xvda") == 0 && strcmp(d.perms, "rw") == 0,
       "--device HOST:CTR:PERMS");
    run_device_clear(&d);
    ok(run_parse_device("/dev/sda:xvda", &d, &err) < 0, "--device relative CTR refused");
    run_device_clear(&d);
}

/* Parse argv as `vessel run ... ROOT true` and build the spec. */
static int
build(const char *rootdir, char **flags, struct vsl_spec **ret, struct vsl_error *err)
{
    char *argv[40] = {"run"};
    int argc = 1;
    struct run_opts o = {0};

    for (char **f = flags; *f; f++)
        argv[argc++] = *f;
    argv[argc++] = (char *)rootdir;
    argv[argc++] = "true";
    int r = run_opts_parse(argc, argv, &o, err);
    if (r >= 0)
        r = run_opts_build_spec(&o, ret, err);
    run_opts_free(&o);
    return r;
}

static void
test_spec(void)
{
    char dir[] = "/tmp/vessel-test-flags.XXXXXX";
    struct vsl_error err = {0};
    struct vsl_spec *spec = NULL;

    if (!mkdtemp(dir))
        abort();
    char *flags[] = {"-m",
                     "64m",
                     "--memory-reservation",
                     "32m",
                     "--memory-swap",
                     "-1",
                     "--cpus",
                     "0.5",
                     "--cpu-shares",
                     "512",
                     "--cpuset-cpus",
                     "0-1",
                     "--cpuset-mems",
                     "0",
                     "--pids-limit",
                     "20",
                     "--blkio-weight",
                     "300",
                     "--oom-kill-disable",
                     "--device-cgroup-rule",
                     "c 42:* rw",
                     "--device",
                     "/dev/null:/dev/mynull:r",
                     NULL};
    int r = build(dir, flags, &spec, &err);
    is_int(r, 0, "spec built from every resource flag");
    if (r < 0) {
        printf("# %s\n", err.msg);
        rmdir(dir);
        return;
    }
    const struct vsl_resources *res = &spec->linux_.resources;
    ok(spec->linux_.has_resources, "linux.resources present");
    is_int(res->memory.limit.v, 64 << 20, "--memory -> memory.limit");
    is_int(res->memory.reservation.v, 32 << 20, "--memory-reservation -> reservation");
    is_int(res->memory.swap.v, -1, "--memory-swap -1 -> swap -1");
    ok(res->memory.disable_oom_killer, "--oom-kill-disable -> disableOOMKiller");
    is_int(res->cpu.quota.v, 50000, "--cpus 0.5 -> quota 50000");
    is_int(res->cpu.period.v, 100000, "--cpus -> period 100000");
    is_int(res->cpu.shares.v, 512, "--cpu-shares");
    is_str(res->cpu.cpus, "0-1", "--cpuset-cpus");
    is_str(res->cpu.mems, "0", "--cpuset-mems");
    is_int(res->pids.limit.v, 20, "--pids-limit");
    is_int(res->block_io.weight.v, 300, "--blkio-weight");
    ok(res->n_devices >= 13, "device rules: %zu", res->n_devices);
    ok(!res->devices[0].allow && res->devices[0].type != 'c' && res->devices[0].type != 'b',
       "first rule: the default spec's deny all");
    ok(res->devices[1].allow && res->devices[1].type == 'c' && !res->devices[1].major.set &&
           strcmp(res->devices[1].access, "m") == 0,
       "then docker's defaults: c *:* m");
    const struct vsl_device_rule *last = &res->devices[res->n_devices - 1];
    ok(last->allow && last->type == 'c' && last->major.v == 42 && !last->minor.set &&
           strcmp(last->access, "rw") == 0,
       "--device-cgroup-rule last");
    const struct vsl_device_rule *dev = &res->devices[res->n_devices - 2];
    ok(dev->allow && dev->major.v == 1 && dev->minor.v == 3 && strcmp(dev->access, "r") == 0,
       "--device adds an allow rule with its permissions");
    const struct vsl_device *node = &spec->linux_.devices[spec->linux_.n_devices - 1];
    ok(strcmp(node->path, "/dev/mynull") == 0 && node->type == 'c' && node->major == 1 &&
           node->minor == 3,
       "--device adds a linux.devices node");
    vsl_spec_free(spec);
    spec = NULL;

    char *conflict[] = {"--cpus", "1", "--cpu-quota", "20000", NULL};
    ok(build(dir, conflict, &spec, &err) < 0 && strstr(err.msg, "--cpus"),
       "--cpus with --cpu-quota refused: %s", err.msg);
    char *swap_only[] = {"--memory-swap", "1g", NULL};
    ok(build(dir, swap_only, &spec, &err) < 0 && strstr(err.msg, "--memory"),
       "--memory-swap without --memory refused: %s", err.msg);
    char *small[] = {"-m", "1k", NULL};
    ok(build(dir, small, &spec, &err) < 0 && strstr(err.msg, "minimum"),
       "--memory below 6m refused: %s", err.msg);
    char *badcpus[] = {"--cpuset-cpus", "0-", NULL};
    ok(build(dir, badcpus, &spec, &err) < 0 && strstr(err.msg, "--cpuset-cpus"),
       "--cpuset-cpus syntax checked: %s", err.msg);
    char *nodev[] = {"--device", "/nonexistent/dev", NULL};
    ok(build(dir, nodev, &spec, &err) < 0 && strstr(err.msg, "/nonexistent/dev"),
       "--device of a missing node: %s", err.msg);
    rmdir(dir);
}

int
main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_bytes();
    test_rules();
    test_spec();
    return done_testing();
}
