// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cgroup interface (cgroup.h) over its two backends: probing which one the host uses, the
 * container's path (linux.cgroupsPath, the default "/vessel/<id>", systemd's slice:prefix:name),
 * what both share (reading and writing control files, listing and killing processes, removing
 * the leaf), and dispatch to v1.c or v2.c for the rest.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cg_internal.h"
#include "lib/cleanup.h"
#include "lib/error.h"

bool cg_fake_fs;

enum vsl_cgroup_mode
vsl_cgroup_mode(void)
{
    static int mode = -1;
    struct statfs sf;

    if (mode < 0)
        mode = statfs(CG_ROOT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC ? VSL_CGROUP_V2
                                                                             : VSL_CGROUP_V1;
    return (enum vsl_cgroup_mode)mode;
}

/* ---- paths ---- */

/* The caller's own cgroup: the v2 line ("0::/x") on v2, else name=systemd's or cpu's. */
static int
own_cgroup(char *buf, size_t len)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
    _cleanup_free_ char *line = NULL;
    size_t cap = 0;
    bool v2 = vsl_cgroup_mode() == VSL_CGROUP_V2;

    if (!f)
        return -errno;
    buf[0] = '\0';
    while (getline(&line, &cap, f) > 0) {
        char *ctrl = strchr(line, ':'), *path = ctrl ? strchr(ctrl + 1, ':') : NULL;
        if (!path)
            continue;
        *path++ = '\0';
        path[strcspn(path, "\n")] = '\0';
        ctrl++;
        if (v2 ? *ctrl == '\0' : strcmp(ctrl, "name=systemd") == 0 || cg_hier_has(ctrl, "cpu"))
            (void)snprintf(buf, len, "%s", strcmp(path, "/") == 0 ? "" : path);
    }
    return 0;
}

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice", as systemd nests slices; "-.slice" is the
 * root. */
static int
expand_slice(const char *slice, char *buf, size_t len)
{
    size_t n = strlen(slice), off = 0;

    buf[0] = '\0';
    if (n < 7 || strcmp(slice + n - 6, ".slice") != 0 || strchr(slice, '/'))
        return -EINVAL;
    if (strcmp(slice, "-.slice") == 0)
        return 0;
    n -= 6;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && slice[i] != '-')
            continue;
        if (i == 0 || slice[i - 1] == '-')
            return -EINVAL;
        int w = snprintf(buf + off, len - off, "/%.*s.slice", (int)i, slice);
        if (w < 0 || (size_t)w >= len - off)
            return -ENAMETOOLONG;
        off += (size_t)w;
    }
    return 0;
}

static int
systemd_path(const char *spec, const char *id, const char *default_slice, char **ret,
             struct vsl_error *err)
{
    _cleanup_free_ char *copy = strdup(spec ? spec : "");
    char slice_dir[512], *parts[3] = {NULL};
    char *p;
    size_t n = 0;

    if (!copy)
        return vsl_err(err, ENOMEM, "out of memory");
    p = copy;
    while (n < 3 && (parts[n] = strsep(&p, ":")) != NULL)
        n++;
    if (spec && *spec && (n != 3 || p))
        return vsl_err(err, EINVAL,
                       "linux.cgroupsPath '%s': with --systemd-cgroup expected slice:prefix:name",
                       spec);
    const char *slice = n == 3 && *parts[0] ? parts[0] : default_slice;
    const char *prefix = n == 3 && *parts[1] ? parts[1] : "vessel";
    const char *name = n == 3 && *parts[2] ? parts[2] : id;
    if (expand_slice(slice, slice_dir, sizeof(slice_dir)) < 0)
        return vsl_err(err, EINVAL, "linux.cgroupsPath: invalid systemd slice '%s'", slice);
    /* prefix:name names a scope, "name.slice" a slice of its own (runc's rule) */
    size_t nl = strlen(name);
    int r = nl > 6 && strcmp(name + nl - 6, ".slice") == 0
                ? asprintf(ret, "%s/%s", slice_dir, name)
                : asprintf(ret, "%s/%s-%s.scope", slice_dir, prefix, name);
    return r < 0 ? vsl_err(err, ENOMEM, "out of memory") : 0;
}

int
cg_systemd_unit(const char *cgroups_path, const char *id, bool user, char **ret,
                struct vsl_error *err)
{
    /* runc's defaults: the system manager's system.slice, the user manager's user.slice */
    return systemd_path(cgroups_path, id, user ? "user.slice" : "system.slice", ret, err);
}

/* "/a//b/./c/" -> "/a/b/c"; ".." is refused. */
static int
clean_path(const char *in, char **ret)
{
    _cleanup_free_ char *copy = strdup(in), *out = malloc(strlen(in) + 2);
    char *save = NULL, *tok;
    size_t off = 0;

    if (!copy || !out)
        return -ENOMEM;
    for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") == 0)
            return -EINVAL;
        off += (size_t)sprintf(out + off, "/%s", tok);
    }
    if (off == 0)
        return -EINVAL;
    *ret = TAKE_PTR(out);
    return 0;
}

int
vsl_cgroup_resolve_path(const char *cgroups_path, const char *id, const char *parent, bool systemd,
                        char **ret, struct vsl_error *err)
{
    _cleanup_free_ char *joined = NULL;
    char own[512] = "";
    int r;

    if (systemd)
        return systemd_path(cgroups_path, id, "system.slice", ret, err);
    if (!cgroups_path || !*cgroups_path)
        r = asprintf(&joined, "%s/%s", parent ? parent : "", id);
    else if (cgroups_path[0] == '/')
        r = (joined = strdup(cgroups_path)) ? 0 : -1;
    else if (own_cgroup(own, sizeof(own)) < 0)
        return vsl_err_errno(err, "read '/proc/self/cgroup'");
    else
        r = asprintf(&joined, "%s/%s", own, cgroups_path);
    if (r < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    r = clean_path(joined, ret);
    if (r == -ENOMEM)
        return vsl_err(err, ENOMEM, "out of memory");
    if (r < 0)
        return vsl_err(err, EINVAL, "linux.cgroupsPath '%s': not a usable cgroup path",
                       cgroups_path ? cgroups_path : "");
    return 0;
}

/* ---- files ---- */

int
cg_write_raw(int dirfd, const char *file, const char *value)
{
    int flags = O_WRONLY | O_CLOEXEC | (cg_fake_fs ? O_CREAT | O_APPEND : 0);
    _cleanup_close_ int fd = openat(dirfd, file, flags, 0644);
    size_t n = strlen(value);

    if (fd < 0)
        return -errno;
    ssize_t w = write(fd, value, n);
    if (w < 0)
        return -errno;
    if (cg_fake_fs && write(fd, "\n", 1) < 0)
        return -errno;
    return (size_t)w == n ? 0 : -EIO;
}

int
cg_write(int dirfd, const char *dir, const char *file, struct vsl_error *err, const char *fmt, ...)
{
    char value[512];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(value, sizeof(value), fmt, ap);
    va_end(ap);
    int r = cg_write_raw(dirfd, file, value);
    if (r == -ENOENT)
        return vsl_err(err, ENOENT, "cgroup file '%s/%s' does not exist on this host", dir, file);
    if (r < 0)
        return vsl_err_code(err, r, "write '%s' to '%s/%s'", value, dir, file);
    return 0;
}

int
cg_write_keep(int *fd, int dirfd, const char *dir, const char *file, const char *value,
              struct vsl_error *err)
{
    int flags = O_WRONLY | O_CLOEXEC | (cg_fake_fs ? O_CREAT | O_APPEND : 0);
    size_t n = strlen(value);

    if (*fd < 0 && (*fd = openat(dirfd, file, flags, 0644)) < 0) {
        if (errno == ENOENT)
            return vsl_err(err, ENOENT, "cgroup file '%s/%s' does not exist on this host", dir,
                           file);
        return vsl_err_errno(err, "write '%s' to '%s/%s'", value, dir, file);
    }
    ssize_t w = write(*fd, value, n);
    if (w >= 0 && (size_t)w != n)
        return vsl_err(err, EIO, "write '%s' to '%s/%s': short write", value, dir, file);
    if (w < 0 || (cg_fake_fs && write(*fd, "\n", 1) < 0))
        return vsl_err_errno(err, "write '%s' to '%s/%s'", value, dir, file);
    return 0;
}

int
cg_read(int dirfd, const char *file, char *buf, size_t len)
{
    _cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
    size_t off = 0;
    ssize_t n;

    if (fd < 0)
        return -errno;
    while (off + 1 < len && (n = read(fd, buf + off, len - 1 - off)) > 0)
        off += (size_t)n;
    buf[off] = '\0';
    return 0;
}

int
cg_read_alloc(int dirfd, const char *file, char **ret)
{
    _cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
    _cleanup_free_ char *buf = NULL;
    size_t off = 0, cap = 0;
    ssize_t n;

    if (fd < 0)
        return -errno;
    do {
        if (off + 4096 > cap) {
            char *b = realloc(buf, cap += 16384);
            if (!b)
                return -ENOMEM;
            buf = b;
        }
        n = read(fd, buf + off, cap - off - 1);
        if (n < 0)
            return -errno;
        off += (size_t)n;
    } while (n > 0);
    buf[off] = '\0';
    *ret = TAKE_PTR(buf);
    return 0;
}

int
cg_read_u64(int dirfd, const char *file, uint64_t *ret)
{
    char buf[64];
    int r = cg_read(dirfd, file, buf, sizeof(buf));

    if (r < 0)
        return r;
    if (strncmp(buf, "max", 3) == 0) {
        *ret = UINT64_MAX;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (end == buf || errno)
        return -EINVAL;
    *ret = v;
    return 0;
}

int
cg_read_key(int dirfd, const char *file, const char *key, uint64_t *ret)
{
    char buf[4096];
    size_t kl = strlen(key);
    int r = cg_read(dirfd, file, buf, sizeof(buf));

    if (r < 0)
        return r;
    for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
            *ret = strtoull(line + kl + 1, NULL, 10);
            return 0;
        }
    return -ENOENT;
}

bool
cg_has_file(int dirfd, const char *file)
{
    return faccessat(dirfd, file, F_OK, 0) == 0;
}

bool
cg_hier_has(const char *hier_name, const char *controller)
{
    size_t n = strlen(controller);

    for (const char *p = hier_name; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, controller, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

struct cg_hier *
cg_v1_hier(struct vsl_cgroup *cg, const char *controller)
{
    for (size_t i = 0; i < cg->n_h; i++)
        if (!cg->h[i].v2 && cg->h[i].dirfd >= 0 && cg_hier_has(cg->h[i].name, controller))
            return &cg->h[i];
    return NULL;
}

static const struct {
    const char *controller;
    const char *section;
} sections[] = {
    {"memory", "memory"},
    {"cpu", "cpu"},
    {"cpuset", "cpu.cpus/cpu.mems"},
    {"pids", "pids"},
    {"blkio", "blockIO"},
    {"io", "blockIO"},
    {"hugetlb", "hugepageLimits"},
    {"net_cls", "network.classID"},
    {"net_prio", "network.priorities"},
    {"rdma", "rdma"},
    {"devices", "devices"},
};

const char *
cg_controller_section(const char *controller)
{
    for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
        if (strcmp(sections[i].controller, controller) == 0)
            return sections[i].section;
    return controller;
}

static bool
wants_cpu(const struct vsl_resources *r)
{
    return r->cpu.shares.set || r->cpu.quota.set || r->cpu.period.set || r->cpu.burst.set ||
           r->cpu.realtime_runtime.set || r->cpu.realtime_period.set || r->cpu.idle.set;
}

static bool
wants_memory(const struct vsl_resources *r)
{
    return r->memory.limit.set || r->memory.reservation.set || r->memory.swap.set ||
           r->memory.kernel.set || r->memory.kernel_tcp.set || r->memory.swappiness.set ||
           r->memory.disable_oom_killer;
}

static bool
wants_io(const struct vsl_resources *r)
{
    return r->block_io.weight.set || r->block_io.leaf_weight.set || r->block_io.n_weight_device ||
           r->block_io.n_throttle_read_bps || r->block_io.n_throttle_write_bps ||
           r->block_io.n_throttle_read_iops || r->block_io.n_throttle_write_iops;
}

size_t
cg_needed_controllers(const struct vsl_resources *res, bool v2, const char **ret, size_t max)
{
    size_t n = 0;
#define NEED(cond, name)                                                                           \
    do {                                                                                           \
        if ((cond) && n + 1 < max)                                                                 \
            ret[n++] = (name);                                                                     \
    } while (0)
    if (res) {
        NEED(wants_memory(res), "memory");
        NEED(wants_cpu(res), "cpu");
        NEED(res->cpu.cpus || res->cpu.mems, "cpuset");
        NEED(res->pids.limit.set, "pids");
        NEED(wants_io(res), v2 ? "io" : "blkio");
        NEED(res->n_hugepage_limits, "hugetlb");
        NEED(!v2 && res->network.class_id.set, "net_cls");
        NEED(!v2 && res->network.n_priorities, "net_prio");
        NEED(res->n_rdma, "rdma");
        NEED(!v2 && res->n_devices, "devices");
    }
#undef NEED
    ret[n] = NULL;
    return n;
}

bool
vsl_cgroup_wants_resources(const struct vsl_resources *res)
{
    const char *needed[16];

    cg_needed_controllers(res, true, needed, ARRAY_SIZE(needed));
    return needed[0] != NULL || res->n_unified || res->network.class_id.set ||
           res->network.n_priorities;
}

/* ---- objects ---- */

static void
cg_close_all(struct vsl_cgroup *cg)
{
    for (size_t i = 0; i < cg->n_h; i++) {
        closep(&cg->h[i].dirfd);
        cg->h[i].dirfd = -EBADF;
        free(cg->h[i].dir);
        cg->h[i].dir = NULL;
    }
    cg->n_h = 0;
}

void
vsl_cgroup_free(struct vsl_cgroup *cg)
{
    if (!cg)
        return;
    cg_close_all(cg);
    closep(&cg->clone_fd);
    closep(&cg->bpf_prog_fd);
    free(cg->root);
    free(cg->path);
    free(cg->unit);
    free(cg->slice);
    free(cg);
}

int
cg_alloc(const char *root, enum vsl_cgroup_mode mode, const char *path, struct vsl_cgroup **ret)
{
    struct vsl_cgroup *cg = calloc(1, sizeof(*cg));

    if (!cg)
        return -ENOMEM;
    cg->mode = mode;
    cg->ops = mode == VSL_CGROUP_V2 ? &cg_v2_ops : &cg_v1_ops;
    cg->clone_fd = -EBADF;
    cg->bpf_prog_fd = -EBADF;
    cg->root = strdup(root);
    cg->path = strdup(path);
    if (!cg->root || !cg->path) {
        vsl_cgroup_free(cg);
        return -ENOMEM;
    }
    *ret = cg;
    return 0;
}

int
cg_new_at(const char *root, enum vsl_cgroup_mode mode, const char *path,
          const struct vsl_resources *res, bool create, struct vsl_cgroup **ret,
          struct vsl_error *err)
{
    struct vsl_cgroup *cg = NULL;
    int r;

    if (cg_alloc(root, mode, path, &cg) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    r = cg->ops->setup(cg, res, create, err);
    if (r >= 0 && create && res)
        r = cg->ops->set(cg, res, err);
    if (r < 0) {
        if (create) {
            struct vsl_error ignored = {0};
            (void)vsl_cgroup_destroy(cg, &ignored);
        }
        vsl_cgroup_free(cg);
        return r;
    }
    *ret = cg;
    return 0;
}

int
vsl_cgroup_create(const char *path, const struct vsl_resources *res, struct vsl_cgroup **ret,
                  struct vsl_error *err)
{
    return cg_new_at(CG_ROOT, vsl_cgroup_mode(), path, res, true, ret, err);
}

int
vsl_cgroup_open(const char *path, struct vsl_cgroup **ret, struct vsl_error *err)
{
    return cg_new_at(CG_ROOT, vsl_cgroup_mode(), path, NULL, false, ret, err);
}

const char *
vsl_cgroup_path(const struct vsl_cgroup *cg)
{
    return cg->path;
}

int
vsl_cgroup_clone_fd(struct vsl_cgroup *cg, struct vsl_error *err)
{
    if (cg->mode != VSL_CGROUP_V2 || cg->n_h == 0)
        return -EOPNOTSUPP;
    if (cg->clone_fd < 0) {
        cg->clone_fd = openat(cg->h[0].dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cg->clone_fd < 0)
            return vsl_err_errno(err, "open '%s'", cg->h[0].dir);
    }
    return cg->clone_fd;
}

int
vsl_cgroup_attach(struct vsl_cgroup *cg, pid_t pid, struct vsl_error *err)
{
    char buf[32];

    (void)snprintf(buf, sizeof(buf), "%d", (int)pid);
    for (size_t i = 0; i < cg->n_h; i++) {
        int r = cg_write(cg->h[i].dirfd, cg->h[i].dir, "cgroup.procs", err, "%s", buf);
        if (r < 0)
            return r;
    }
    return 0;
}

int
vsl_cgroup_set(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err)
{
    int r;

    cg_systemd_detect(cg);
    if (cg->unit && (r = cg_systemd_set(cg, res, err)) < 0)
        return r;
    return cg->ops->set(cg, res, err);
}

int
vsl_cgroup_freeze(struct vsl_cgroup *cg, bool frozen, struct vsl_error *err)
{
    return cg->ops->freeze(cg, frozen, err);
}

int
vsl_cgroup_is_frozen(struct vsl_cgroup *cg, bool *ret, struct vsl_error *err)
{
    return cg->ops->is_frozen(cg, ret, err);
}

int
vsl_cgroup_oom_kills(struct vsl_cgroup *cg, uint64_t *ret, struct vsl_error *err)
{
    return cg->ops->oom_kills(cg, ret, err);
}

/* ---- processes ---- */

static int
push_pids(int dirfd, pid_t **pids, size_t *n)
{
    _cleanup_free_ char *buf = NULL;
    int r = cg_read_alloc(dirfd, "cgroup.procs", &buf);

    if (r < 0)
        return r == -ENOENT ? 0 : r;
    for (char *p = buf, *end; *p; p = end) {
        long v = strtol(p, &end, 10);
        if (end == p)
            break;
        pid_t *np = reallocarray(*pids, *n + 1, sizeof(pid_t));
        if (!np)
            return -ENOMEM;
        *pids = np;
        (*pids)[(*n)++] = (pid_t)v;
    }
    return 0;
}

/* Every pid in dirfd's cgroup and below it. */
int
cg_pids_at(int dirfd, pid_t **pids, size_t *n)
{
    int r = push_pids(dirfd, pids, n);
    if (r < 0)
        return r;
    int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    DIR *d = fdopendir(dfd);
    if (!d) {
        (void)close(dfd);
        return -errno;
    }
    struct dirent *e;
    while (r >= 0 && (e = readdir(d))) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.')
            continue;
        _cleanup_close_ int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub >= 0)
            r = cg_pids_at(sub, pids, n);
    }
    (void)closedir(d);
    return r;
}

/* The hierarchy listing processes: pids (v1) if joined, else the first. */
static struct cg_hier *
procs_hier(struct vsl_cgroup *cg)
{
    struct cg_hier *h = cg->mode == VSL_CGROUP_V1 ? cg_v1_hier(cg, "pids") : NULL;

    return h ? h : cg->n_h ? &cg->h[0] : NULL;
}

int
vsl_cgroup_pids(struct vsl_cgroup *cg, pid_t **ret, size_t *ret_n, struct vsl_error *err)
{
    struct cg_hier *h = procs_hier(cg);
    pid_t *pids = NULL;
    size_t n = 0;

    if (h) {
        int r = cg_pids_at(h->dirfd, &pids, &n);
        if (r < 0) {
            free(pids);
            return vsl_err_code(err, r, "read '%s/cgroup.procs'", h->dir);
        }
    }
    *ret = pids;
    *ret_n = n;
    return 0;
}

int
vsl_cgroup_kill(struct vsl_cgroup *cg, int sig, struct vsl_error *err)
{
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    bool thaw = false;
    int r;

    if (cg->mode == VSL_CGROUP_V2 && sig == SIGKILL && cg->n_h &&
        cg_write_raw(cg->h[0].dirfd, "cgroup.kill", "1") == 0)
        return 0;
    /* v1: freeze first so nothing forks past the list (runc does the same) */
    if (sig == SIGKILL && cg->ops->freeze(cg, true, err) == 0)
        thaw = true;
    r = vsl_cgroup_pids(cg, &pids, &n, err);
    for (size_t i = 0; r >= 0 && i < n; i++)
        if (kill(pids[i], sig) < 0 && errno != ESRCH)
            r = vsl_err_errno(err, "kill %d", (int)pids[i]);
    if (thaw)
        (void)cg->ops->freeze(cg, false, err);
    return r;
}

void
cg_sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

    (void)nanosleep(&ts, NULL);
}

/* Remove the leaf; an empty cgroup may stay busy for a moment after its last process died. */
static int
remove_leaf(struct cg_hier *h, struct vsl_error *err)
{
    for (int i = 0; i < 100; i++) {
        if (rmdir(h->dir) == 0 || errno == ENOENT)
            return 0;
        if (errno != EBUSY)
            break;
        cg_sleep_ms(20);
    }
    return vsl_err_errno(err, "remove cgroup '%s'", h->dir);
}

/* The default parent "/vessel" goes with its last container (rmdir fails while others use it);
 * a parent from linux.cgroupsPath is someone else's and stays. */
static void
remove_default_parent(struct vsl_cgroup *cg, struct cg_hier *h)
{
    const char *base = strrchr(cg->path, '/');
    size_t n = (size_t)(base - cg->path);

    if (n == strlen("/vessel") && strncmp(cg->path, "/vessel", n) == 0 && h->dir &&
        strlen(h->dir) > strlen(cg->path)) {
        _cleanup_free_ char *parent = strndup(h->dir, strlen(h->dir) - strlen(base));
        if (parent)
            (void)rmdir(parent);
    }
}

/* Without a hook: mkdir each level by its path from the root (cgroupfs has no symlinks), then
 * open the leaf; three calls for "vessel/ID" where a walk with an fd per level takes eight. */
static int
mkdirs_by_path(int rootfd, const char *path, bool create, int *ret_fd)
{
    char sub[PATH_MAX];
    size_t n = 0;

    while (*path == '/')
        path++;
    if (!*path)
        path = ".";
    for (const char *c = path; create && *c; c++) {
        if (n + 1 >= sizeof(sub))
            return -ENAMETOOLONG;
        sub[n++] = *c;
        if (c[1] != '/' && c[1] != '\0')
            continue;
        sub[n] = '\0';
        if (mkdirat(rootfd, sub, 0755) < 0 && errno != EEXIST)
            return -errno;
    }
    int fd = openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    *ret_fd = fd;
    return 0;
}

static int
mkdirs_once(int rootfd, const char *path, bool create, cg_level_hook hook, void *data, int *ret_fd)
{
    _cleanup_free_ char *copy = strdup(path);
    _cleanup_close_ int cur = -EBADF;
    char *save = NULL, *tok;
    int r;

    if (!copy)
        return -ENOMEM;
    cur = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cur < 0)
        return -errno; // cppcheck-suppress memleak ; _cleanup_free_ frees copy
    for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        bool created = false;
        if (create) {
            if (mkdirat(cur, tok, 0755) == 0)
                created = true;
            else if (errno != EEXIST)
                return -errno;
        }
        int next = openat(cur, tok, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (next < 0)
            return -errno;
        if (hook && (r = hook(cur, next, created, data)) < 0) {
            (void)close(next);
            return r;
        }
        closep(&cur);
        cur = next;
    }
    *ret_fd = TAKE_FD(cur);
    return 0;
}

/* mkdir -p of path under rootfd (create) or open it; hook runs for each level with its parent.
 * Another container's teardown may remove a shared parent ("/vessel") between our mkdir and
 * open: start again from the root when a level vanishes under us. */
int
cg_mkdirs(int rootfd, const char *path, bool create, cg_level_hook hook, void *data, int *ret_fd)
{
    int r = -ENOENT;

    for (int tries = 0; tries < 5 && r == -ENOENT; tries++)
        r = hook ? mkdirs_once(rootfd, path, create, hook, data, ret_fd)
                 : mkdirs_by_path(rootfd, path, create, ret_fd);
    return r;
}

int
vsl_cgroup_destroy(struct vsl_cgroup *cg, struct vsl_error *err)
{
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    int r = 0;

    if (!cg || cg_fake_fs)
        return 0;
    /* Most often nothing is left: the leaf the processes are listed from goes at once, and
     * nothing need be listed or killed (a systemd scope is stopped, never removed by hand). */
    struct cg_hier *ph = procs_hier(cg);
    cg_systemd_detect(cg);
    bool empty = !cg->unit && ph && ph->dirfd >= 0 && (rmdir(ph->dir) == 0 || errno == ENOENT);
    /* else kill what is left and wait (up to 2 s) for the kernel to take it out of the cgroup */
    for (int i = 0; !empty && i < 100; i++) {
        free(TAKE_PTR(pids));
        n = 0;
        if (vsl_cgroup_pids(cg, &pids, &n, err) < 0 || n == 0)
            break;
        if (i % 10 == 0)
            (void)vsl_cgroup_kill(cg, SIGKILL, err);
        cg_sleep_ms(20);
    }
    closep(&cg->clone_fd);
    cg->clone_fd = -EBADF;
    /* a scope is systemd's to remove; on v1 what is left is in hierarchies systemd does not
     * manage, and when systemd cannot be asked (-EIO) nobody else will remove it */
    if (cg->unit && (r = cg_systemd_stop(cg, err)) != -EIO && (r < 0 || cg->mode == VSL_CGROUP_V2))
        return r;
    r = 0;
    for (size_t i = 0; i < cg->n_h; i++) {
        if (cg->h[i].dirfd < 0)
            continue;
        int q = remove_leaf(&cg->h[i], err);
        if (q < 0 && r == 0)
            r = q;
        remove_default_parent(cg, &cg->h[i]);
    }
    return r;
}
