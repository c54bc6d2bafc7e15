// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup v2: one hierarchy at the root. Controllers reach the leaf only when every ancestor
 * enables them in cgroup.subtree_control, so creating the path enables them on the way down
 * (never in the leaf itself: a cgroup with processes cannot delegate). OCI values made for v1 are
 * converted as runc does (cpu shares -> cpu.weight, blkio weight -> io.weight, memory+swap ->
 * memory.swap.max); devices are a BPF program (devices.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cg_internal.h"
#include "lib/cleanup.h"
#include "lib/error.h"

#define W(file, ...) cg_write(h->dirfd, h->dir, file, err, __VA_ARGS__)

static const char *const all_controllers[] = {"cpuset",  "cpu",  "io",   "memory",
                                              "hugetlb", "pids", "rdma", "misc"};

void
cg_rdma_line(const struct vsl_rdma_limit *l, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "%s", l->device);

    if (l->hca_handles.set && n < len)
        n += (size_t)snprintf(buf + n, len - n, " hca_handle=%" PRIu64, l->hca_handles.v);
    if (l->hca_objects.set && n < len)
        (void)snprintf(buf + n, len - n, " hca_object=%" PRIu64, l->hca_objects.v);
}

uint64_t
cg_shares_to_weight(uint64_t shares)
{
    if (shares == 0)
        return 0;
    if (shares < 2)
        shares = 2;
    if (shares > 262144)
        shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t
cg_blkio_to_io_weight(uint64_t weight)
{
    if (weight == 0)
        return 0;
    if (weight < 10)
        weight = 10;
    if (weight > 1000)
        weight = 1000;
    return 1 + (weight - 10) * 9999 / 990;
}

int
cg_swap_to_v2(int64_t swap, int64_t limit, int64_t *ret)
{
    if (limit == -1 && swap == 0) {
        *ret = -1;
        return 0;
    }
    if (swap == -1 || swap == 0) {
        *ret = swap;
        return 0;
    }
    if (limit <= 0 || swap < limit)
        return -EINVAL;
    *ret = swap - limit;
    return 0;
}

static bool
listed(const char *list, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
            return true;
    return false;
}

/* Enable in the parent every controller it has, so the leaf can use any of them. */
static int
enable_all(int parentfd, int fd, bool created, void *data)
{
    char avail[512], buf[32];

    if (cg_read(parentfd, "cgroup.controllers", avail, sizeof(avail)) < 0)
        return cg_fake_fs ? 0 : -errno;
    for (size_t i = 0; i < ARRAY_SIZE(all_controllers); i++) {
        if (!listed(avail, all_controllers[i]))
            continue;
        (void)snprintf(buf, sizeof(buf), "+%s", all_controllers[i]);
        (void)cg_write_raw(parentfd, "cgroup.subtree_control", buf);
    }
    return 0;
}

static int
v2_setup(struct vsl_cgroup *cg, const struct vsl_resources *res, bool create, struct vsl_error *err)
{
    struct cg_hier *h = &cg->h[0];
    const char *needed[16];
    char avail[512] = "";
    int r;

    *h = (struct cg_hier){.v2 = true, .dirfd = -EBADF, .topfd = -EBADF};
    cg->n_h = 1;
    if (asprintf(&h->dir, "%s%s", cg->root, cg->path) < 0) {
        h->dir = NULL;
        return vsl_err(err, ENOMEM, "out of memory");
    }
    _cleanup_close_ int top = open(cg->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top < 0)
        return vsl_err_errno(err, "open cgroup root '%s'", cg->root);
    r = cg_mkdirs(top, cg->path, create, create ? enable_all : NULL, NULL, &h->dirfd);
    if (r < 0)
        return vsl_err_code(err, r, "%s cgroup '%s'", create ? "create" : "open", h->dir);
    cg_needed_controllers(res, true, needed, ARRAY_SIZE(needed));
    if (needed[0] && cg_read(h->dirfd, "cgroup.controllers", avail, sizeof(avail)) < 0 &&
        !cg_fake_fs)
        return vsl_err_errno(err, "read '%s/cgroup.controllers'", h->dir);
    for (size_t i = 0; needed[i] && !cg_fake_fs; i++)
        if (!listed(avail, needed[i]))
            return vsl_err(err, EOPNOTSUPP,
                           "linux.resources.%s: the cgroup v2 controller '%s' is not available in "
                           "'%s' (cgroup.controllers: %.*s)",
                           cg_controller_section(needed[i]), needed[i], h->dir,
                           (int)strcspn(avail, "\n"), avail);
    return 0;
}

/* ---- resources ---- */

static int
write_max(struct cg_hier *h, const char *file, int64_t v, struct vsl_error *err)
{
    return v < 0 ? W(file, "max") : W(file, "%" PRId64, v);
}

static int
v2_memory(struct cg_hier *h, const struct vsl_resources *res, struct vsl_error *err)
{
    const typeof(res->memory) *m = &res->memory;
    uint64_t usage;
    int64_t swap;
    int r;

    if (m->swappiness.set)
        return vsl_err(err, EOPNOTSUPP,
                       "linux.resources.memory.swappiness: cgroup v2 has no per-cgroup swappiness");
    if (m->disable_oom_killer)
        return vsl_err(err, EOPNOTSUPP,
                       "linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable the OOM "
                       "killer");
    if (m->check_before_update && m->limit.set && m->limit.v > 0 &&
        cg_read_u64(h->dirfd, "memory.current", &usage) == 0 && usage > (uint64_t)m->limit.v)
        return vsl_err(err, EBUSY,
                       "linux.resources.memory.limit %" PRId64
                       " is below the current usage %" PRIu64,
                       m->limit.v, usage);
    if (m->swap.set || (m->limit.set && m->limit.v == -1)) {
        if (cg_swap_to_v2(m->swap.set ? m->swap.v : 0, m->limit.set ? m->limit.v : 0, &swap) < 0)
            return vsl_err(err, EINVAL,
                           "linux.resources.memory.swap %" PRId64
                           ": needs a memory limit and must not be below it",
                           m->swap.v);
        if (swap != 0 && (cg_fake_fs || cg_has_file(h->dirfd, "memory.swap.max")) &&
            (r = write_max(h, "memory.swap.max", swap, err)) < 0)
            return r;
        if (swap > 0 && !cg_fake_fs && !cg_has_file(h->dirfd, "memory.swap.max"))
            return vsl_err(err, EOPNOTSUPP,
                           "linux.resources.memory.swap: this kernel has no swap accounting "
                           "(no '%s/memory.swap.max')",
                           h->dir);
    }
    if (m->limit.set && (r = write_max(h, "memory.max", m->limit.v, err)) < 0)
        return r;
    if (m->reservation.set && (r = write_max(h, "memory.low", m->reservation.v, err)) < 0)
        return r;
    return 0;
}

static int
v2_cpu_max(struct cg_hier *h, const struct vsl_resources *res, struct vsl_error *err)
{
    char cur[64] = "max 100000", quota[32];
    uint64_t period = 100000;

    if (!res->cpu.quota.set && !res->cpu.period.set)
        return 0;
    (void)cg_read(h->dirfd, "cpu.max", cur, sizeof(cur));
    if (sscanf(cur, "%31s %" SCNu64, quota, &period) < 1)
        strcpy(quota, "max");
    if (res->cpu.quota.set) {
        if (res->cpu.quota.v > 0)
            (void)snprintf(quota, sizeof(quota), "%" PRId64, res->cpu.quota.v);
        else
            strcpy(quota, "max");
    }
    if (res->cpu.period.set)
        period = res->cpu.period.v;
    return W("cpu.max", "%s %" PRIu64, quota, period);
}

static int
v2_cpu(struct cg_hier *h, const struct vsl_resources *res, struct vsl_error *err)
{
    int r = 0;

    if (res->cpu.realtime_runtime.set || res->cpu.realtime_period.set)
        return vsl_err(err, EOPNOTSUPP,
                       "linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup v2 has no "
                       "realtime limits");
    if (res->cpu.shares.set && res->cpu.shares.v)
        r = W("cpu.weight", "%" PRIu64, cg_shares_to_weight(res->cpu.shares.v));
    if (r >= 0)
        r = v2_cpu_max(h, res, err);
    if (r >= 0 && res->cpu.burst.set)
        r = W("cpu.max.burst", "%" PRIu64, res->cpu.burst.v);
    if (r >= 0 && res->cpu.idle.set)
        r = W("cpu.idle", "%" PRId64, res->cpu.idle.v);
    if (r >= 0 && res->cpu.cpus)
        r = W("cpuset.cpus", "%s", res->cpu.cpus);
    if (r >= 0 && res->cpu.mems)
        r = W("cpuset.mems", "%s", res->cpu.mems);
    return r;
}

static int
io_max(struct cg_hier *h, const char *key, const struct vsl_throttle_device *d, size_t n,
       struct vsl_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int r = W("io.max", "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i].major, d[i].minor, key,
                  d[i].rate);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
v2_io(struct cg_hier *h, const struct vsl_resources *res, struct vsl_error *err)
{
    const typeof(res->block_io) *b = &res->block_io;
    /* BFQ takes blkio's own range (1-1000); io.weight is 1-10000 */
    bool bfq = !cg_fake_fs && cg_has_file(h->dirfd, "io.bfq.weight");
    const char *wf = bfq ? "io.bfq.weight" : "io.weight";
    int r;

    if (b->leaf_weight.set)
        return vsl_err(err, EOPNOTSUPP,
                       "linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weight");
    if (b->weight.set &&
        (r = W(wf, "default %" PRIu64, bfq ? b->weight.v : cg_blkio_to_io_weight(b->weight.v))) < 0)
        return r;
    for (size_t i = 0; i < b->n_weight_device; i++) {
        const struct vsl_weight_device *d = &b->weight_device[i];
        if (d->weight.set && (r = W(wf, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                                    bfq ? d->weight.v : cg_blkio_to_io_weight(d->weight.v))) < 0)
            return r;
    }
    if ((r = io_max(h, "rbps", b->throttle_read_bps, b->n_throttle_read_bps, err)) < 0 ||
        (r = io_max(h, "wbps", b->throttle_write_bps, b->n_throttle_write_bps, err)) < 0 ||
        (r = io_max(h, "riops", b->throttle_read_iops, b->n_throttle_read_iops, err)) < 0)
        return r;
    return io_max(h, "wiops", b->throttle_write_iops, b->n_throttle_write_iops, err);
}

static int
v2_misc(struct cg_hier *h, const struct vsl_resources *res, struct vsl_error *err)
{
    char file[128];
    int r;

    if (res->network.class_id.set || res->network.n_priorities)
        return vsl_err(err, EOPNOTSUPP,
                       "linux.resources.network: cgroup v2 has no net_cls or net_prio controller");
    if (res->pids.limit.set &&
        (r = write_max(h, "pids.max", res->pids.limit.v > 0 ? res->pids.limit.v : -1, err)) < 0)
        return r;
    for (size_t i = 0; i < res->n_hugepage_limits; i++) {
        (void)snprintf(file, sizeof(file), "hugetlb.%s.max", res->hugepage_limits[i].page_size);
        if ((r = W(file, "%" PRIu64, res->hugepage_limits[i].limit)) < 0)
            return r;
    }
    for (size_t i = 0; i < res->n_rdma; i++) {
        char line[256];
        cg_rdma_line(&res->rdma[i], line, sizeof(line));
        if ((r = W("rdma.max", "%s", line)) < 0)
            return r;
    }
    return 0;
}

/* linux.resources.unified: file names of the leaf, written as given. */
static int
v2_unified(struct cg_hier *h, const struct vsl_resources *res, struct vsl_error *err)
{
    for (size_t i = 0; i < res->n_unified; i++) {
        const char *k = res->unified[i].key;
        if (!*k || strchr(k, '/') || k[0] == '.' || strncmp(k, "cgroup.", 7) == 0)
            return vsl_err(err, EINVAL, "linux.resources.unified: invalid key '%s'", k);
        if (!cg_fake_fs && !cg_has_file(h->dirfd, k))
            return vsl_err(err, ENOENT,
                           "linux.resources.unified: '%s' is not a file of cgroup '%s' (is its "
                           "controller available?)",
                           k, h->dir);
        int r = W(k, "%s", res->unified[i].value);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
v2_set(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err)
{
    struct cg_hier *h = &cg->h[0];
    int r;

    if ((r = v2_memory(h, res, err)) < 0 || (r = v2_cpu(h, res, err)) < 0 ||
        (r = v2_io(h, res, err)) < 0 || (r = v2_misc(h, res, err)) < 0 ||
        (r = v2_unified(h, res, err)) < 0)
        return r;
    if (res->n_devices)
        return cg_devices_attach(cg, h->dirfd, res->devices, res->n_devices, err);
    return 0;
}

/* ---- freezer, OOM ---- */

static int
v2_is_frozen(struct vsl_cgroup *cg, bool *ret, struct vsl_error *err)
{
    uint64_t v = 0;
    int r = cg_read_key(cg->h[0].dirfd, "cgroup.events", "frozen", &v);

    if (r < 0)
        return vsl_err_code(err, r, "read '%s/cgroup.events'", cg->h[0].dir);
    *ret = v == 1;
    return 0;
}

static int
v2_freeze(struct vsl_cgroup *cg, bool frozen, struct vsl_error *err)
{
    struct cg_hier *h = &cg->h[0];
    bool now = !frozen;
    int r;

    if (!cg_fake_fs && !cg_has_file(h->dirfd, "cgroup.freeze"))
        return vsl_err(err, EOPNOTSUPP, "cannot %s: this kernel has no '%s/cgroup.freeze' (5.2+)",
                       frozen ? "freeze" : "thaw", h->dir);
    if ((r = W("cgroup.freeze", frozen ? "1" : "0")) < 0 || cg_fake_fs)
        return r;
    for (int i = 0; i < 5000; i++) {
        if ((r = v2_is_frozen(cg, &now, err)) < 0)
            return r;
        if (now == frozen)
            return 0;
        cg_sleep_ms(1);
    }
    return vsl_err(err, ETIMEDOUT, "'%s' did not become %s", h->dir, frozen ? "frozen" : "thawed");
}

static int
v2_oom_kills(struct vsl_cgroup *cg, uint64_t *ret, struct vsl_error *err)
{
    int r = cg_read_key(cg->h[0].dirfd, "memory.events", "oom_kill", ret);

    if (r == -ENOENT) { /* no memory controller: nothing was killed for memory */
        *ret = 0;
        return 0;
    }
    return r < 0 ? vsl_err_code(err, r, "read '%s/memory.events'", cg->h[0].dir) : 0;
}

const struct cg_ops cg_v2_ops = {
    .setup = v2_setup,
    .set = v2_set,
    .freeze = v2_freeze,
    .is_frozen = v2_is_frozen,
    .oom_kills = v2_oom_kills,
};
