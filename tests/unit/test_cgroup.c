// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cgroup backends against temporary directories (no root): which file each resource is
 * written to and with which value, on v1 (this host's layout, with a hybrid cgroup2 mount that
 * holds hugetlb) and on v2; the v1 -> v2 conversions; path resolution; the device program, run
 * by a small interpreter.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vessel/vessel.h>

#include "cgroup/cg_internal.h"
#include "tap.h"

static char root[256];

static void
put(const char *rel, const char *text)
{
    char p[512];

    (void)snprintf(p, sizeof(p), "%s/%s", root, rel);
    FILE *f = fopen(p, "we");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void
mk(const char *rel)
{
    char p[512];

    (void)snprintf(p, sizeof(p), "%s/%s", root, rel);
    (void)mkdir(p, 0755);
}

/* A file's contents, or "(missing)". */
static const char *
slurp(const char *rel)
{
    static char buf[4096];
    char p[512];

    (void)snprintf(p, sizeof(p), "%s/%s", root, rel);
    FILE *f = fopen(p, "re");
    if (!f)
        return "(missing)";
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void
new_root(void)
{
    strcpy(root, "/tmp/vessel-test-cgroup.XXXXXX");
    if (!mkdtemp(root))
        abort();
}

static void
rm_root(void)
{
    char cmd[300];

    (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    (void)system(cmd);
}

static struct vsl_device_rule rules[] = {
    {.allow = false, .access = "rwm"},
    {.allow = true, .type = 'c', .major = {true, 1}, .minor = {true, 3}, .access = "rwm"},
    {.allow = true, .type = 'c', .access = "m"},
    {.allow = true, .type = 'c', .major = {true, 136}, .access = "rw"},
};

static struct vsl_throttle_device rbps = {.major = 8, .minor = 0, .rate = 1048576};
static struct vsl_hugepage_limit huge = {.page_size = "2MB", .limit = 0};
static struct vsl_rdma_limit rdma = {
    .device = "mlx4_0", .hca_handles = {true, 2}, .hca_objects = {true, 2000}};

static struct vsl_resources
full_resources(void)
{
    struct vsl_resources r = {0};

    r.memory.limit = (struct vsl_opt_i64){true, 64 << 20};
    r.memory.reservation = (struct vsl_opt_i64){true, 32 << 20};
    r.memory.swap = (struct vsl_opt_i64){true, 128 << 20};
    r.cpu.shares = (struct vsl_opt_u64){true, 512};
    r.cpu.quota = (struct vsl_opt_i64){true, 50000};
    r.cpu.period = (struct vsl_opt_u64){true, 100000};
    r.cpu.cpus = "0";
    r.cpu.mems = "0";
    r.pids.limit = (struct vsl_opt_i64){true, 20};
    r.block_io.weight = (struct vsl_opt_u64){true, 500};
    r.block_io.throttle_read_bps = &rbps;
    r.block_io.n_throttle_read_bps = 1;
    r.hugepage_limits = &huge;
    r.n_hugepage_limits = 1;
    r.devices = rules;
    r.n_devices = 4;
    r.rdma = &rdma;
    r.n_rdma = 1;
    return r;
}

static void
v1_layout(void)
{
    static const char *const dirs[] = {"memory",  "cpu",     "cpuacct", "cpuset", "pids",   "blkio",
                                       "devices", "freezer", "systemd", "rdma",   "unified"};

    new_root();
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        mk(dirs[i]);
    put("cpuset/cpuset.cpus", "0-1\n");
    put("cpuset/cpuset.mems", "0\n");
    put("unified/cgroup.controllers", "hugetlb\n");
}

static void
test_v1(void)
{
    struct vsl_resources res = full_resources();
    struct vsl_cgroup *cg = NULL;
    struct vsl_error err = {0};

    v1_layout();
    res.memory.swappiness = (struct vsl_opt_u64){true, 10};
    res.memory.disable_oom_killer = true;
    int r = cg_new_at(root, VSL_CGROUP_V1, "/vessel/t1", &res, true, &cg, &err);
    is_int(r, 0, "v1: create and apply");
    if (r < 0) {
        printf("# %s\n", err.msg);
        return;
    }
    is_str(slurp("memory/vessel/t1/memory.limit_in_bytes"), "67108864\n", "v1: memory.limit");
    is_str(slurp("memory/vessel/t1/memory.memsw.limit_in_bytes"), "134217728\n",
           "v1: memory.swap -> memsw");
    is_str(slurp("memory/vessel/t1/memory.soft_limit_in_bytes"), "33554432\n",
           "v1: reservation -> soft limit");
    is_str(slurp("memory/vessel/t1/memory.swappiness"), "10\n", "v1: swappiness");
    is_str(slurp("memory/vessel/t1/memory.oom_control"), "1\n", "v1: disableOOMKiller");
    is_str(slurp("cpu/vessel/t1/cpu.shares"), "512\n", "v1: cpu.shares");
    is_str(slurp("cpu/vessel/t1/cpu.cfs_quota_us"), "50000\n", "v1: quota");
    is_str(slurp("cpu/vessel/t1/cpu.cfs_period_us"), "100000\n", "v1: period");
    is_str(slurp("cpuset/vessel/cpuset.cpus"), "0-1\n", "v1: a new cpuset parent inherits cpus");
    is_str(slurp("cpuset/vessel/t1/cpuset.cpus"), "0-1\n0\n", "v1: cpuset.cpus inherited, set");
    is_str(slurp("cpuset/vessel/t1/cpuset.mems"), "0\n0\n", "v1: cpuset.mems");
    is_str(slurp("pids/vessel/t1/pids.max"), "20\n", "v1: pids.max");
    is_str(slurp("blkio/vessel/t1/blkio.weight"), "500\n", "v1: blkio.weight");
    is_str(slurp("blkio/vessel/t1/blkio.throttle.read_bps_device"), "8:0 1048576\n",
           "v1: throttle read bps");
    is_str(slurp("devices/vessel/t1/devices.deny"), "a *:* rwm\n", "v1: devices.deny");
    is_str(slurp("devices/vessel/t1/devices.allow"), "c 1:3 rwm\nc *:* m\nc 136:* rw\n",
           "v1: devices.allow in order");
    is_str(slurp("unified/cgroup.subtree_control"), "+hugetlb\n",
           "v1 hybrid: hugetlb enabled in the cgroup2 mount");
    is_str(slurp("unified/vessel/t1/hugetlb.2MB.max"), "0\n", "v1 hybrid: hugetlb through cgroup2");
    is_str(slurp("rdma/vessel/t1/rdma.max"), "mlx4_0 hca_handle=2 hca_object=2000\n",
           "v1: rdma.max");
    is_int(cg ? cg->n_h : 0, 11, "v1: the leaf is in every hierarchy (the 11 of the layout)");
    ok(vsl_cgroup_freeze(cg, true, &err) == 0, "v1: freeze");
    is_str(slurp("freezer/vessel/t1/freezer.state"), "FROZEN\n", "v1: freezer.state");
    put("memory/vessel/t1/memory.oom_control", "oom_kill_disable 1\nunder_oom 0\noom_kill 3\n");
    uint64_t kills = 0;
    ok(vsl_cgroup_oom_kills(cg, &kills, &err) == 0 && kills == 3, "v1: oom_kill counter");
    vsl_cgroup_free(cg);
    cg = NULL;

    struct vsl_kv kv = {"memory.high", "1000"};
    struct vsl_resources uni = {.unified = &kv, .n_unified = 1};
    r = cg_new_at(root, VSL_CGROUP_V1, "/vessel/t2", &uni, true, &cg, &err);
    ok(r < 0 && strstr(err.msg, "cgroup v1"), "v1: unified keys refused: %s", err.msg);
    rm_root();

    v1_layout();
    rmdir(strcat(strcpy((char[300]){0}, root), "/pids"));
    struct vsl_resources pids = {.pids.limit = {true, 5}};
    err = (struct vsl_error){0};
    r = cg_new_at(root, VSL_CGROUP_V1, "/vessel/t3", &pids, true, &cg, &err);
    ok(r < 0 && strstr(err.msg, "controller 'pids' is not mounted"),
       "v1: a missing controller is named: %s", err.msg);
    rm_root();
}

static void
test_v2(void)
{
    struct vsl_resources res = full_resources();
    struct vsl_cgroup *cg = NULL;
    struct vsl_error err = {0};
    struct vsl_kv kv = {"memory.high", "1000000"};

    new_root();
    put("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
    res.unified = &kv;
    res.n_unified = 1;
    int r = cg_new_at(root, VSL_CGROUP_V2, "/vessel/t1", &res, true, &cg, &err);
    is_int(r, 0, "v2: create and apply");
    if (r < 0) {
        printf("# %s\n", err.msg);
        return;
    }
    like(slurp("cgroup.subtree_control"), "+memory\n", "v2: root enables memory");
    like(slurp("cgroup.subtree_control"), "+pids\n", "v2: root enables pids");
    is_str(slurp("vessel/t1/memory.max"), "67108864\n", "v2: memory.max");
    is_str(slurp("vessel/t1/memory.low"), "33554432\n", "v2: reservation -> memory.low");
    is_str(slurp("vessel/t1/memory.swap.max"), "67108864\n", "v2: swap.max = swap - limit");
    is_str(slurp("vessel/t1/memory.high"), "1000000\n", "v2: unified key");
    is_str(slurp("vessel/t1/cpu.weight"), "20\n", "v2: shares 512 -> weight 20");
    is_str(slurp("vessel/t1/cpu.max"), "50000 100000\n", "v2: cpu.max");
    is_str(slurp("vessel/t1/cpuset.cpus"), "0\n", "v2: cpuset.cpus");
    is_str(slurp("vessel/t1/pids.max"), "20\n", "v2: pids.max");
    is_str(slurp("vessel/t1/io.weight"), "default 4950\n", "v2: blkio weight 500 -> io 4950");
    is_str(slurp("vessel/t1/io.max"), "8:0 rbps=1048576\n", "v2: io.max");
    is_str(slurp("vessel/t1/hugetlb.2MB.max"), "0\n", "v2: hugetlb");
    is_str(slurp("vessel/t1/rdma.max"), "mlx4_0 hca_handle=2 hca_object=2000\n", "v2: rdma.max");
    is_str(slurp("vessel/t1/devices.allow"), "(missing)", "v2: no devices files");
    ok(vsl_cgroup_freeze(cg, true, &err) == 0, "v2: freeze");
    is_str(slurp("vessel/t1/cgroup.freeze"), "1\n", "v2: cgroup.freeze");
    put("vessel/t1/memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n");
    uint64_t kills = 0;
    ok(vsl_cgroup_oom_kills(cg, &kills, &err) == 0 && kills == 2, "v2: memory.events oom_kill");
    vsl_cgroup_free(cg);

    struct vsl_resources bad = {.memory.swappiness = {true, 60}};
    r = cg_new_at(root, VSL_CGROUP_V2, "/vessel/t2", &bad, true, &cg, &err);
    ok(r < 0 && strstr(err.msg, "swappiness"), "v2: swappiness refused: %s", err.msg);
    struct vsl_resources net = {.network.class_id = {true, 1}};
    r = cg_new_at(root, VSL_CGROUP_V2, "/vessel/t3", &net, true, &cg, &err);
    ok(r < 0 && strstr(err.msg, "net_cls"), "v2: network refused: %s", err.msg);
    rm_root();
}

static void
test_conversions(void)
{
    int64_t v = 0;

    is_int(cg_shares_to_weight(2), 1, "shares 2 -> weight 1");
    is_int(cg_shares_to_weight(1024), 39, "shares 1024 -> weight 39");
    is_int(cg_shares_to_weight(262144), 10000, "shares 262144 -> weight 10000");
    is_int(cg_blkio_to_io_weight(10), 1, "blkio 10 -> io 1");
    is_int(cg_blkio_to_io_weight(1000), 10000, "blkio 1000 -> io 10000");
    ok(cg_swap_to_v2(-1, 64, &v) == 0 && v == -1, "swap -1 -> max");
    ok(cg_swap_to_v2(0, -1, &v) == 0 && v == -1, "memory unlimited, swap unset -> max");
    ok(cg_swap_to_v2(128, 64, &v) == 0 && v == 64, "swap 128 memory 64 -> 64");
    ok(cg_swap_to_v2(32, 64, &v) < 0, "swap below memory refused");
    ok(cg_swap_to_v2(32, 0, &v) < 0, "swap without memory refused");
}

static void
test_paths(void)
{
    struct vsl_error err = {0};
    char *p = NULL;

    ok(vsl_cgroup_resolve_path(NULL, "abc", NULL, false, &p, &err) == 0, "default path");
    is_str(p, "/abc", "default is /<id>, as runc and crun");
    free(p);
    ok(vsl_cgroup_resolve_path("", "abc", "/vessel", false, &p, &err) == 0, "a parent");
    is_str(p, "/vessel/abc", "with a parent: <parent>/<id> (vessel run's /vessel)");
    free(p);
    ok(vsl_cgroup_resolve_path("/x/y", "abc", "/vessel", false, &p, &err) == 0, "parent unused");
    is_str(p, "/x/y", "linux.cgroupsPath wins over the parent");
    free(p);
    ok(vsl_cgroup_resolve_path("/a//b/./c/", "abc", NULL, false, &p, &err) == 0, "absolute path");
    is_str(p, "/a/b/c", "absolute path cleaned");
    free(p);
    ok(vsl_cgroup_resolve_path("/a/../b", "abc", NULL, false, &p, &err) < 0, "'..' refused");
    ok(vsl_cgroup_resolve_path("system.slice:docker:abc", "x", NULL, true, &p, &err) == 0,
       "systemd path");
    is_str(p, "/system.slice/docker-abc.scope", "slice:prefix:name -> scope");
    free(p);
    ok(vsl_cgroup_resolve_path("a-b.slice:p:n", "x", NULL, true, &p, &err) == 0, "nested slice");
    is_str(p, "/a.slice/a-b.slice/p-n.scope", "slices nest at each dash");
    free(p);
    ok(vsl_cgroup_resolve_path("bad", "x", NULL, true, &p, &err) < 0,
       "systemd needs slice:prefix:name");
    /* --systemd-cgroup's defaults: runc's slices for the system and the user manager */
    ok(cg_systemd_unit("", "abc", false, &p, &err) == 0, "empty cgroupsPath, root");
    is_str(p, "/system.slice/vessel-abc.scope", "root: system.slice, prefix vessel, the id");
    free(p);
    ok(cg_systemd_unit("::", "abc", true, &p, &err) == 0, "empty parts, rootless");
    is_str(p, "/user.slice/vessel-abc.scope", "rootless: user.slice");
    free(p);
    ok(cg_systemd_unit("machine.slice:libpod:123", "abc", true, &p, &err) == 0, "podman's form");
    is_str(p, "/machine.slice/libpod-123.scope", "a given slice wins over the default");
    free(p);
    ok(cg_systemd_unit("a-b.slice::x.slice", "abc", false, &p, &err) == 0, "a slice name");
    is_str(p, "/a.slice/a-b.slice/x.slice", "a name ending in .slice is a slice (refused later)");
    free(p);
    ok(cg_systemd_unit("bad-.slice:p:n", "abc", false, &p, &err) < 0, "an invalid slice refused");
    ok(cg_systemd_quota_per_sec(50000, 100000) == 500000, "half a cpu: 500 ms a second");
    ok(cg_systemd_quota_per_sec(12345, 100000) == 130000, "rounded up to 10 ms");
    ok(cg_systemd_quota_per_sec(20000, 0) == 200000, "period defaults to 100 ms");
    ok(cg_systemd_quota_per_sec(-1, 100000) == UINT64_MAX, "no quota: no limit");
    ok(vsl_cgroup_resolve_path("rel/x", "abc", NULL, false, &p, &err) == 0, "relative path");
    ok(p && p[0] == '/' && strstr(p, "/rel/x"), "relative path under the caller's cgroup (%s)",
       p ? p : "");
    free(p);
}

/* ---- the device program, interpreted ---- */

static int
run_prog(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access, uint32_t maj,
         uint32_t min)
{
    uint32_t ctx[3] = {(access << 16) | type, maj, min};
    uint64_t r[11] = {0};

    for (size_t pc = 0; pc < n; pc++) {
        const struct bpf_insn *i = &p[pc];
        uint64_t src = BPF_SRC(i->code) == BPF_X ? r[i->src_reg] : (uint64_t)(int64_t)i->imm;
        switch (i->code) {
        case BPF_LDX | BPF_MEM | BPF_W:
            r[i->dst_reg] = ctx[i->off / 4];
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & src);
            break;
        case BPF_ALU | BPF_RSH | BPF_K:
            r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> src;
            break;
        case BPF_ALU | BPF_MOV | BPF_X:
            r[i->dst_reg] = (uint32_t)src;
            break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
            r[i->dst_reg] = src;
            break;
        case BPF_JMP | BPF_JNE | BPF_K:
        case BPF_JMP | BPF_JNE | BPF_X:
            if (r[i->dst_reg] != src)
                pc += (size_t)i->off;
            break;
        case BPF_JMP | BPF_EXIT:
            return (int)r[0];
        default:
            return -1;
        }
    }
    return -2;
}

static void
test_device_program(void)
{
    struct bpf_insn *p = NULL;
    size_t n = 0;
    const uint32_t C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK, R = BPF_DEVCG_ACC_READ,
                   WR = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD;

    ok(cg_devices_program(rules, 4, &p, &n) == 0, "device program built (%zu instructions)", n);
    is_int(run_prog(p, n, C, R, 1, 3), 1, "bpf: read /dev/null allowed");
    is_int(run_prog(p, n, C, R | WR, 1, 7), 0, "bpf: c 1:7 denied (no rule)");
    is_int(run_prog(p, n, C, M, 42, 0), 1, "bpf: mknod of any char device allowed");
    is_int(run_prog(p, n, B, R, 8, 0), 0, "bpf: block device denied");
    is_int(run_prog(p, n, C, WR, 136, 5), 1, "bpf: pts write allowed");
    is_int(run_prog(p, n, C, M, 136, 5), 1, "bpf: pts mknod by the 'c *:* m' rule");
    is_int(run_prog(p, n, C, R | M, 136, 5), 0, "bpf: one rule must allow all access asked");
    is_int(run_prog(p, n, B, M, 8, 0), 0, "bpf: block mknod denied");
    free(p);
    struct vsl_device_rule later_deny[] = {
        {.allow = true, .type = 'a', .access = "rwm"},
        {.allow = false, .type = 'c', .major = {true, 1}, .minor = {true, 9}, .access = "w"},
    };
    ok(cg_devices_program(later_deny, 2, &p, &n) == 0, "program with a later deny");
    is_int(run_prog(p, n, C, WR, 1, 9), 0, "bpf: the last matching rule (deny) wins");
    is_int(run_prog(p, n, C, R, 1, 9), 1, "bpf: a deny of w leaves r allowed");
    free(p);
    ok(cg_devices_program(NULL, 0, &p, &n) == 0 && run_prog(p, n, B, R, 8, 0) == 1,
       "bpf: no rules allow everything, as a new v1 cgroup");
    free(p);
    char line[64];
    cg_device_rule_line(&rules[0], line, sizeof(line));
    is_str(line, "a *:* rwm", "v1 line of deny-all");
    cg_device_rule_line(&rules[3], line, sizeof(line));
    is_str(line, "c 136:* rw", "v1 line with a wildcard minor");
}

int
main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    cg_fake_fs = true;
    test_v1();
    test_v2();
    test_conversions();
    test_paths();
    test_device_program();
    return done_testing();
}
