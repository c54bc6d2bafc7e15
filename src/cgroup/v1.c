// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup v1: one hierarchy per controller set under the root (memory, cpu, pids, name=systemd...),
 * the container's leaf made in every one of them. A hybrid host's cgroup2 mount ("unified") is
 * joined too, and carries hugetlb when no v1 hierarchy has it (this host's layout). A hierarchy
 * the resources do not need is joined when possible and left out quietly when not.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cg_internal.h"
#include "lib/cleanup.h"
#include "lib/error.h"

#define W(h, file, ...) cg_write((h)->dirfd, (h)->dir, file, err, __VA_ARGS__)

/* A new cpuset cgroup starts with no cpus and no mems, and no task can join it: copy the
 * parent's (runc and the kernel's clone_children do the same). A level made just now is empty
 * (or holds its parent's already); one that was there is filled only if empty. The values
 * written to a level are the next one's parent's: kept in data, not read again. */
struct cpuset_values {
    char v[2][4096];
    bool known[2];
};

static int
cpuset_inherit(int parentfd, int fd, bool created, void *data)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    struct cpuset_values *cv = data;
    char mine[8];

    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        if (!created && cg_read(fd, files[i], mine, sizeof(mine)) == 0 && mine[0] != '\n' &&
            mine[0]) {
            cv->known[i] = false;
            continue;
        }
        if (!cv->known[i] && cg_read(parentfd, files[i], cv->v[i], sizeof(cv->v[i])) < 0)
            continue;
        cv->v[i][strcspn(cv->v[i], "\n")] = '\0';
        cv->known[i] = true;
        int r = cg_write_raw(fd, files[i], cv->v[i]);
        if (r < 0 && !cg_fake_fs)
            return r;
    }
    return 0;
}

struct v2_enable {
    const char *const *controllers;
};

/* The hybrid cgroup2 mount: enable what the leaf needs (hugetlb) on the way down. */
static int
enable_in_parent(int parentfd, int fd, bool created, void *data)
{
    const struct v2_enable *e = data;
    char buf[64];

    for (size_t i = 0; e->controllers[i]; i++) {
        (void)snprintf(buf, sizeof(buf), "+%s", e->controllers[i]);
        int r = cg_write_raw(parentfd, "cgroup.subtree_control", buf);
        if (r < 0 && !cg_fake_fs)
            return r;
    }
    return 0;
}

static bool
needs(const char *const *needed, const char *hier_name, bool v2, bool v1_has_hugetlb)
{
    for (size_t i = 0; needed[i]; i++) {
        if (v2 ? (!v1_has_hugetlb && strcmp(needed[i], "hugetlb") == 0)
               : cg_hier_has(hier_name, needed[i]))
            return true;
    }
    return false;
}

/* The hierarchies under the root: every directory (not a symlink such as cpu -> cpu,cpuacct);
 * one holding cgroup.controllers at its top is a cgroup2 mount. */
static int
list_hierarchies(struct vsl_cgroup *cg, struct vsl_error *err)
{
    DIR *d = opendir(cg->root);
    struct dirent *e;

    if (!d)
        return vsl_err_errno(err, "open cgroup root '%s'", cg->root);
    while ((e = readdir(d)) && cg->n_h < CG_MAX_HIER) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.' || strlen(e->d_name) >= 64)
            continue;
        struct cg_hier *h = &cg->h[cg->n_h++];
        *h = (struct cg_hier){.dirfd = -EBADF, .topfd = -EBADF};
        strcpy(h->name, e->d_name);
        h->topfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct statfs sfs;
        /* Only mounted hierarchies: a bare directory (say, "unified" unmounted in a private
         * mount namespace) is no cgroup to join. */
        if (h->topfd < 0 || fstatfs(h->topfd, &sfs) < 0 ||
            (sfs.f_type != CGROUP_SUPER_MAGIC && sfs.f_type != CGROUP2_SUPER_MAGIC)) {
            if (!cg_fake_fs) {
                closep(&h->topfd);
                cg->n_h--;
                continue;
            }
        }
        /* the test directories are no cgroupfs: their cgroup2 tops hold cgroup.controllers */
        h->v2 = cg_fake_fs ? h->topfd >= 0 && cg_has_file(h->topfd, "cgroup.controllers")
                           : sfs.f_type == CGROUP2_SUPER_MAGIC;
    }
    (void)closedir(d);
    return 0;
}

static int
setup_one(struct vsl_cgroup *cg, struct cg_hier *h, const char *const *v2_needed, bool create)
{
    _cleanup_close_ int top = TAKE_FD(h->topfd);
    _cleanup_free_ struct cpuset_values *cv = NULL;
    struct v2_enable en = {.controllers = v2_needed};
    cg_level_hook hook = NULL;
    void *data = NULL;

    if (asprintf(&h->dir, "%s/%s%s", cg->root, h->name, cg->path) < 0) {
        h->dir = NULL;
        return -ENOMEM;
    }
    if (top < 0)
        return -ENOENT;
    /* the hybrid cgroup2 mount needs its controllers enabled on the way down only when the leaf
     * uses one (hugetlb): otherwise nothing to do at each level */
    if (create && h->v2 && v2_needed[0]) {
        hook = enable_in_parent;
        data = &en;
    } else if (create && cg_hier_has(h->name, "cpuset")) {
        if (!(cv = calloc(1, sizeof(*cv))))
            return -ENOMEM;
        hook = cpuset_inherit;
        data = cv;
    }
    return cg_mkdirs(top, cg->path, create, hook, data, &h->dirfd);
}

static int
v1_setup(struct vsl_cgroup *cg, const struct vsl_resources *res, bool create, struct vsl_error *err)
{
    const char *needed[16];
    const char *v2_needed[] = {"hugetlb", NULL};
    bool v1_hugetlb = false;
    size_t keep = 0;
    int r;

    cg_needed_controllers(res, false, needed, ARRAY_SIZE(needed));
    if ((r = list_hierarchies(cg, err)) < 0)
        return r;
    for (size_t i = 0; i < cg->n_h; i++)
        v1_hugetlb |= !cg->h[i].v2 && cg_hier_has(cg->h[i].name, "hugetlb");
    for (size_t i = 0; i < cg->n_h; i++) {
        struct cg_hier h = cg->h[i];
        bool needed_here = needs(needed, h.name, h.v2, v1_hugetlb);
        cg->h[i] = (struct cg_hier){.dirfd = -EBADF, .topfd = -EBADF};
        r = setup_one(cg, &h, needed_here ? v2_needed : v2_needed + 1, create);
        if (r >= 0) {
            cg->h[keep++] = h; /* keep <= i: a slot already handled */
            continue;
        }
        if (needed_here)
            (void)vsl_err_code(err, r, "%s cgroup '%s'", create ? "create" : "open",
                               h.dir ? h.dir : h.name);
        closep(&h.dirfd);
        free(h.dir);
        if (needed_here) {
            for (size_t j = i + 1; j < cg->n_h; j++)
                closep(&cg->h[j].topfd);
            cg->n_h = keep;
            return r;
        }
    }
    cg->n_h = keep;
    /* not one hierarchy could be joined (rootless): say why, the caller may go on without */
    if (keep == 0)
        return vsl_err_code(err, r < 0 ? r : -ENOENT, "%s cgroup '%s' in any hierarchy under '%s'",
                            create ? "create" : "open", cg->path, cg->root);
    for (size_t i = 0; needed[i]; i++) {
        if (cg_v1_hier(cg, needed[i]))
            continue;
        if (strcmp(needed[i], "hugetlb") == 0 && cg->n_h && !v1_hugetlb)
            continue; /* checked when writing: the unified mount must list it */
        return vsl_err(err, EOPNOTSUPP,
                       "linux.resources.%s: the cgroup v1 controller '%s' is not mounted under "
                       "'%s' on this host",
                       cg_controller_section(needed[i]), needed[i], cg->root);
    }
    return 0;
}

/* ---- resources ---- */

static int
write_i64(struct cg_hier *h, const char *file, int64_t v, struct vsl_error *err)
{
    return W(h, file, "%" PRId64, v);
}

static int
memory_limits(struct cg_hier *h, const struct vsl_resources *res, struct vsl_error *err)
{
    const struct vsl_opt_i64 *lim = &res->memory.limit, *swap = &res->memory.swap;
    int r;

    if (swap->set && !cg_has_file(h->dirfd, "memory.memsw.limit_in_bytes") && !cg_fake_fs)
        return vsl_err(err, EOPNOTSUPP,
                       "linux.resources.memory.swap: swap accounting is not enabled on this host "
                       "(no '%s/memory.memsw.limit_in_bytes')",
                       h->dir);
    if (!swap->set)
        return lim->set ? write_i64(h, "memory.limit_in_bytes", lim->v, err) : 0;
    /* memory+swap can never be below memory: raise in the order that keeps it so */
    if (lim->set) {
        struct vsl_error first = {0};
        if (write_i64(h, "memory.limit_in_bytes", lim->v, &first) == 0)
            return write_i64(h, "memory.memsw.limit_in_bytes", swap->v, err);
        if ((r = write_i64(h, "memory.memsw.limit_in_bytes", swap->v, err)) < 0)
            return r;
        return write_i64(h, "memory.limit_in_bytes", lim->v, err);
    }
    return write_i64(h, "memory.memsw.limit_in_bytes", swap->v, err);
}

static int
v1_memory(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err)
{
    struct cg_hier *h = cg_v1_hier(cg, "memory");
    uint64_t usage;
    int r;

    if (!h)
        return 0;
    if (res->memory.check_before_update && res->memory.limit.set && res->memory.limit.v > 0 &&
        cg_read_u64(h->dirfd, "memory.usage_in_bytes", &usage) == 0 &&
        usage > (uint64_t)res->memory.limit.v)
        return vsl_err(err, EBUSY,
                       "linux.resources.memory.limit %" PRId64
                       " is below the current usage %" PRIu64,
                       res->memory.limit.v, usage);
    if ((r = memory_limits(h, res, err)) < 0)
        return r;
    if (res->memory.reservation.set &&
        (r = write_i64(h, "memory.soft_limit_in_bytes", res->memory.reservation.v, err)) < 0)
        return r;
    /* kernel memory limits are gone from the kernel (5.16+); runc ignores them too */
    if (res->memory.kernel_tcp.set &&
        (r = write_i64(h, "memory.kmem.tcp.limit_in_bytes", res->memory.kernel_tcp.v, err)) < 0)
        return r;
    if (res->memory.swappiness.set) {
        if (res->memory.swappiness.v > 100)
            return vsl_err(err, EINVAL,
                           "linux.resources.memory.swappiness %" PRIu64
                           ": must be between 0 and 100",
                           res->memory.swappiness.v);
        if ((r = W(h, "memory.swappiness", "%" PRIu64, res->memory.swappiness.v)) < 0)
            return r;
    }
    if (res->memory.disable_oom_killer && (r = W(h, "memory.oom_control", "1")) < 0)
        return r;
    return 0;
}

static int
v1_cpu(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err)
{
    struct cg_hier *h = cg_v1_hier(cg, "cpu");
    int r = 0;

    if (!h)
        return 0;
    if (res->cpu.shares.set)
        r = W(h, "cpu.shares", "%" PRIu64, res->cpu.shares.v);
    /* the period first: a quota is checked against it */
    if (r >= 0 && res->cpu.period.set)
        r = W(h, "cpu.cfs_period_us", "%" PRIu64, res->cpu.period.v);
    if (r >= 0 && res->cpu.quota.set)
        r = write_i64(h, "cpu.cfs_quota_us", res->cpu.quota.v > 0 ? res->cpu.quota.v : -1, err);
    if (r >= 0 && res->cpu.burst.set)
        r = W(h, "cpu.cfs_burst_us", "%" PRIu64, res->cpu.burst.v);
    if (r >= 0 && res->cpu.realtime_period.set)
        r = W(h, "cpu.rt_period_us", "%" PRIu64, res->cpu.realtime_period.v);
    if (r >= 0 && res->cpu.realtime_runtime.set)
        r = write_i64(h, "cpu.rt_runtime_us", res->cpu.realtime_runtime.v, err);
    if (r >= 0 && res->cpu.idle.set)
        r = write_i64(h, "cpu.idle", res->cpu.idle.v, err);
    if (r < 0)
        return r;
    h = cg_v1_hier(cg, "cpuset");
    if (h && res->cpu.cpus && (r = W(h, "cpuset.cpus", "%s", res->cpu.cpus)) < 0)
        return r;
    if (h && res->cpu.mems && (r = W(h, "cpuset.mems", "%s", res->cpu.mems)) < 0)
        return r;
    return 0;
}

static int
throttle(struct cg_hier *h, const char *file, const struct vsl_throttle_device *d, size_t n,
         struct vsl_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int r = W(h, file, "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major, d[i].minor, d[i].rate);
        if (r < 0)
            return r;
    }
    return 0;
}

/* blkio.weight (CFQ) or blkio.bfq.weight (BFQ): whichever the kernel offers. */
static const char *
weight_file(struct cg_hier *h, bool device)
{
    if (cg_fake_fs || cg_has_file(h->dirfd, device ? "blkio.weight_device" : "blkio.weight"))
        return device ? "blkio.weight_device" : "blkio.weight";
    if (cg_has_file(h->dirfd, device ? "blkio.bfq.weight_device" : "blkio.bfq.weight"))
        return device ? "blkio.bfq.weight_device" : "blkio.bfq.weight";
    return NULL;
}

static int
v1_blkio(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err)
{
    struct cg_hier *h = cg_v1_hier(cg, "blkio");
    const typeof(res->block_io) *b = &res->block_io;
    const char *wf;
    int r;

    if (!h)
        return 0;
    if ((b->weight.set || b->n_weight_device) && !(wf = weight_file(h, false)))
        return vsl_err(err, EOPNOTSUPP,
                       "linux.resources.blockIO.weight: this kernel's blkio controller has no "
                       "weight (no CFQ or BFQ scheduler): '%s' has neither blkio.weight nor "
                       "blkio.bfq.weight",
                       h->dir);
    if (b->weight.set && (r = W(h, wf, "%" PRIu64, b->weight.v)) < 0)
        return r;
    if (b->leaf_weight.set && (r = W(h, "blkio.leaf_weight", "%" PRIu64, b->leaf_weight.v)) < 0)
        return r;
    for (size_t i = 0; i < b->n_weight_device; i++) {
        const struct vsl_weight_device *d = &b->weight_device[i];
        if (d->weight.set && (r = W(h, weight_file(h, true), "%" PRId64 ":%" PRId64 " %" PRIu64,
                                    d->major, d->minor, d->weight.v)) < 0)
            return r;
        if (d->leaf_weight.set &&
            (r = W(h, "blkio.leaf_weight_device", "%" PRId64 ":%" PRId64 " %" PRIu64, d->major,
                   d->minor, d->leaf_weight.v)) < 0)
            return r;
    }
    if ((r = throttle(h, "blkio.throttle.read_bps_device", b->throttle_read_bps,
                      b->n_throttle_read_bps, err)) < 0 ||
        (r = throttle(h, "blkio.throttle.write_bps_device", b->throttle_write_bps,
                      b->n_throttle_write_bps, err)) < 0 ||
        (r = throttle(h, "blkio.throttle.read_iops_device", b->throttle_read_iops,
                      b->n_throttle_read_iops, err)) < 0)
        return r;
    return throttle(h, "blkio.throttle.write_iops_device", b->throttle_write_iops,
                    b->n_throttle_write_iops, err);
}

static int
v1_hugetlb(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err)
{
    struct cg_hier *h = cg_v1_hier(cg, "hugetlb");
    char file[128], ctrls[256] = "";
    bool v2 = false;

    if (!res->n_hugepage_limits)
        return 0;
    for (size_t i = 0; !h && i < cg->n_h; i++)
        if (cg->h[i].v2 && (cg_fake_fs || (cg_read(cg->h[i].dirfd, "cgroup.controllers", ctrls,
                                                   sizeof(ctrls)) == 0 &&
                                           strstr(ctrls, "hugetlb"))))
            h = &cg->h[i], v2 = true;
    if (!h)
        return vsl_err(err, EOPNOTSUPP,
                       "linux.resources.hugepageLimits: no cgroup hierarchy on this host has the "
                       "'hugetlb' controller");
    for (size_t i = 0; i < res->n_hugepage_limits; i++) {
        const struct vsl_hugepage_limit *l = &res->hugepage_limits[i];
        (void)snprintf(file, sizeof(file), "hugetlb.%s.%s", l->page_size,
                       v2 ? "max" : "limit_in_bytes");
        int r = W(h, file, "%" PRIu64, l->limit);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
v1_misc(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err)
{
    struct cg_hier *h;
    int r;

    if ((h = cg_v1_hier(cg, "pids")) && res->pids.limit.set) {
        r = res->pids.limit.v > 0 ? write_i64(h, "pids.max", res->pids.limit.v, err)
                                  : W(h, "pids.max", "max");
        if (r < 0)
            return r;
    }
    if ((h = cg_v1_hier(cg, "net_cls")) && res->network.class_id.set &&
        (r = W(h, "net_cls.classid", "%" PRIu64, res->network.class_id.v)) < 0)
        return r;
    for (size_t i = 0; (h = cg_v1_hier(cg, "net_prio")) && i < res->network.n_priorities; i++)
        if ((r = W(h, "net_prio.ifpriomap", "%s %u", res->network.priorities[i].name,
                   res->network.priorities[i].priority)) < 0)
            return r;
    for (size_t i = 0; (h = cg_v1_hier(cg, "rdma")) && i < res->n_rdma; i++) {
        char line[256];
        cg_rdma_line(&res->rdma[i], line, sizeof(line));
        if ((r = W(h, "rdma.max", "%s", line)) < 0)
            return r;
    }
    return 0;
}

static int
v1_devices(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err)
{
    struct cg_hier *h = cg_v1_hier(cg, "devices");
    _cleanup_close_ int allow = -EBADF, deny = -EBADF;
    char line[64];
    int r;

    if (!h || !res->n_devices)
        return 0;
    /* the rules in order (a spec starts with "deny all"): the last one to match a device wins */
    for (size_t i = 0; i < res->n_devices; i++) {
        bool a = res->devices[i].allow;
        cg_device_rule_line(&res->devices[i], line, sizeof(line));
        r = cg_write_keep(a ? &allow : &deny, h->dirfd, h->dir,
                          a ? "devices.allow" : "devices.deny", line, err);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
v1_set(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err)
{
    int r;

    if (res->n_unified)
        return vsl_err(err, EOPNOTSUPP,
                       "linux.resources.unified: cgroup v2 keys ('%s'...) cannot be applied on "
                       "this cgroup v1 host",
                       res->unified[0].key);
    if ((r = v1_memory(cg, res, err)) < 0 || (r = v1_cpu(cg, res, err)) < 0 ||
        (r = v1_blkio(cg, res, err)) < 0 || (r = v1_hugetlb(cg, res, err)) < 0 ||
        (r = v1_misc(cg, res, err)) < 0)
        return r;
    return v1_devices(cg, res, err);
}

/* ---- freezer, OOM ---- */

static int
v1_freeze(struct vsl_cgroup *cg, bool frozen, struct vsl_error *err)
{
    struct cg_hier *h = cg_v1_hier(cg, "freezer");
    const char *want = frozen ? "FROZEN" : "THAWED";
    char buf[32];
    int r;

    if (!h)
        return vsl_err(err, EOPNOTSUPP,
                       "cannot %s: the cgroup v1 'freezer' controller is not mounted on this host",
                       frozen ? "freeze" : "thaw");
    for (int i = 0; i < 1000; i++) {
        if ((r = W(h, "freezer.state", "%s", want)) < 0)
            return r;
        if (cg_fake_fs || (cg_read(h->dirfd, "freezer.state", buf, sizeof(buf)) == 0 &&
                           strncmp(buf, want, strlen(want)) == 0))
            return 0;
        cg_sleep_ms(1);
    }
    return vsl_err(err, ETIMEDOUT, "'%s/freezer.state' did not become %s", h->dir, want);
}

static int
v1_is_frozen(struct vsl_cgroup *cg, bool *ret, struct vsl_error *err)
{
    struct cg_hier *h = cg_v1_hier(cg, "freezer");
    char buf[32];

    if (!h) {
        *ret = false;
        return 0;
    }
    if (cg_read(h->dirfd, "freezer.state", buf, sizeof(buf)) < 0)
        return vsl_err_errno(err, "read '%s/freezer.state'", h->dir);
    *ret = strncmp(buf, "FROZEN", 6) == 0;
    return 0;
}

static int
v1_oom_kills(struct vsl_cgroup *cg, uint64_t *ret, struct vsl_error *err)
{
    struct cg_hier *h = cg_v1_hier(cg, "memory");
    int r;

    *ret = 0;
    if (!h)
        return 0;
    r = cg_read_key(h->dirfd, "memory.oom_control", "oom_kill", ret);
    if (r < 0 && r != -ENOENT)
        return vsl_err_code(err, r, "read '%s/memory.oom_control'", h->dir);
    return 0;
}

const struct cg_ops cg_v1_ops = {
    .setup = v1_setup,
    .set = v1_set,
    .freeze = v1_freeze,
    .is_frozen = v1_is_frozen,
    .oom_kills = v1_oom_kills,
};
