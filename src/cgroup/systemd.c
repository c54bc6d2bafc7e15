// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --systemd-cgroup: the container's cgroup is a transient scope unit that systemd makes over its
 * D-Bus API (StartTransientUnit, SetUnitProperties, StopUnit). vessel is static and carries no
 * D-Bus library, so it runs busctl, systemd's own client (argv, no shell, bounded by --timeout):
 * the system manager as root, the user manager (--user) otherwise. Once systemd has moved the init
 * into the scope, the scope's directory is an ordinary cgroup for the v1/v2 backends
 * (Delegate=yes).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vessel/spec.h>

#include "cgroup/cg_internal.h"
#include "lib/cleanup.h"
#include "lib/error.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define BUS_TIMEOUT_S 10
#define BUS_TIMEOUT_ARG "--timeout=10"
#define WAIT_MOVE_MS 10000
#define WAIT_GONE_MS 5000

/* busctl's argv: the bus, the timeout, then what the call adds; numbers live in num[]. */
struct bus_args {
    const char *v[96];
    size_t n;
    char num[24][24];
    size_t n_num;
    bool overflow;
};

static void
arg(struct bus_args *a, const char *s)
{
    if (a->n + 1 < ARRAY_SIZE(a->v))
        a->v[a->n++] = s;
    else
        a->overflow = true;
}

static void
arg_u64(struct bus_args *a, uint64_t v)
{
    if (a->n_num >= ARRAY_SIZE(a->num)) {
        a->overflow = true;
        return;
    }
    (void)snprintf(a->num[a->n_num], sizeof(a->num[0]), "%" PRIu64, v);
    arg(a, a->num[a->n_num++]);
}

static void
bus_args_init(struct bus_args *a, bool user)
{
    a->n = a->n_num = 0;
    a->overflow = false;
    arg(a, "busctl");
    arg(a, user ? "--user" : "--system");
    arg(a, BUS_TIMEOUT_ARG);
}

static _Noreturn void
busctl_child(const struct bus_args *a, int out, int errfd)
{
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
    sigset_t none;

    if (nul < 0 || dup2(nul, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
        _exit(127);
    (void)close_range(3, ~0U, 0);
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
    (void)signal(SIGPIPE, SIG_DFL);
    execv("/usr/bin/busctl", (char *const *)a->v);
    execvp("busctl", (char *const *)a->v);
    (void)dprintf(2, "not found in /usr/bin or $PATH\n");
    _exit(127);
}

static void
read_memfd(int fd, char *buf, size_t len)
{
    ssize_t n = len ? pread(fd, buf, len - 1, 0) : -1;

    if (len)
        buf[n > 0 ? (size_t)n : 0] = '\0';
}

/* The first non-empty line of busctl's stderr, without busctl's "Call failed: ". */
static void
first_line(char *buf)
{
    char *p = buf + strspn(buf, " \n");

    if (strncmp(p, "Call failed: ", 13) == 0)
        p += 13;
    memmove(buf, p, strlen(p) + 1);
    buf[strcspn(buf, "\n")] = '\0';
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '.' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    if (!*buf)
        (void)snprintf(buf, 8, "failed");
}

/*
 * Run busctl; its stdout lands in out (out_len may be 0), the first line of its stderr in why.
 * 0 when it exited with 0; -ENOENT when busctl cannot be run; -EIO when the call failed.
 */
static int
busctl(const struct bus_args *a, char *out, size_t out_len, char *why, size_t why_len)
{
    _cleanup_close_ int ofd = memfd_create("vessel-busctl-out", MFD_CLOEXEC);
    _cleanup_close_ int efd = memfd_create("vessel-busctl-err", MFD_CLOEXEC);
    _cleanup_close_ int pidfd = -EBADF;
    int status = 0, n = 1;

    if (a->overflow)
        return (void)snprintf(why, why_len, "too many arguments"), -E2BIG;
    if (ofd < 0 || efd < 0)
        return (void)snprintf(why, why_len, "memfd_create: %s", strerror(errno)), -errno;
    pid_t pid = fork();
    if (pid < 0)
        return (void)snprintf(why, why_len, "fork: %s", strerror(errno)), -errno;
    if (pid == 0)
        busctl_child(a, ofd, efd);
    /* busctl bounds the call itself; this bounds anything else that might hang it */
    if ((pidfd = pidfd_open(pid, 0)) >= 0) {
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        do
            n = poll(&p, 1, (BUS_TIMEOUT_S + 5) * 1000);
        while (n < 0 && errno == EINTR);
        if (n == 0)
            (void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return (void)snprintf(why, why_len, "waitpid: %s", strerror(errno)), -errno;
    read_memfd(ofd, out, out_len);
    read_memfd(efd, why, why_len);
    first_line(why);
    if (n == 0)
        return (void)snprintf(why, why_len, "timed out"), -ETIMEDOUT;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EIO;
}

static bool
is_user_bus(void)
{
    return geteuid() != 0;
}

static bool
is_scope_name(const char *name)
{
    size_t n = strlen(name);

    return n > 6 && strcmp(name + n - 6, ".scope") == 0;
}

/* ---- properties ---- */

uint64_t
cg_systemd_quota_per_sec(int64_t quota, uint64_t period)
{
    uint64_t q;

    if (quota <= 0)
        return UINT64_MAX;
    q = (uint64_t)quota * 1000000 / (period ? period : 100000);
    return (q + 9999) / 10000 * 10000;
}

/*
 * The resources systemd would otherwise reset to its own idea on a daemon-reload: every one is
 * also written by the backend. Appends (name, signature, value) triples and counts them.
 */
static void
resource_props(struct bus_args *a, const struct vsl_resources *res, bool v2, size_t *n)
{
    uint64_t period = res->cpu.period.set ? res->cpu.period.v : 0;

    if (res->memory.limit.set) {
        arg(a, "MemoryMax"), arg(a, "t");
        arg_u64(a, res->memory.limit.v > 0 ? (uint64_t)res->memory.limit.v : UINT64_MAX);
        (*n)++;
    }
    if (res->pids.limit.set) {
        arg(a, "TasksMax"), arg(a, "t");
        arg_u64(a, res->pids.limit.v > 0 ? (uint64_t)res->pids.limit.v : UINT64_MAX);
        (*n)++;
    }
    if (res->cpu.shares.set && res->cpu.shares.v) {
        arg(a, v2 ? "CPUWeight" : "CPUShares"), arg(a, "t");
        arg_u64(a, v2 ? cg_shares_to_weight(res->cpu.shares.v) : res->cpu.shares.v);
        (*n)++;
    }
    if (period) {
        arg(a, "CPUQuotaPeriodUSec"), arg(a, "t"), arg_u64(a, period);
        (*n)++;
    }
    if (res->cpu.quota.set) {
        arg(a, "CPUQuotaPerSecUSec"), arg(a, "t");
        arg_u64(a, cg_systemd_quota_per_sec(res->cpu.quota.v, period));
        (*n)++;
    }
}

/* ---- the scope ---- */

int
vsl_cgroup_systemd_new(const char *cgroups_path, const char *id, struct vsl_cgroup **ret,
                       struct vsl_error *err)
{
    _cleanup_free_ char *path = NULL;
    struct vsl_cgroup *cg = NULL;
    struct bus_args a = {0};
    char why[256] = "";
    bool user = is_user_bus();
    int r;

    r = cg_systemd_unit(cgroups_path, id, user, &path, err);
    if (r < 0)
        return r;
    const char *unit = strrchr(path, '/') + 1;
    if (!is_scope_name(unit))
        return vsl_err(err, EOPNOTSUPP,
                       "linux.cgroupsPath '%s': --systemd-cgroup makes scope units only, not the "
                       "slice '%s'",
                       cgroups_path, unit);
    bus_args_init(&a, user);
    arg(&a, "get-property"), arg(&a, SD_DEST), arg(&a, SD_PATH), arg(&a, SD_MANAGER);
    arg(&a, "Version");
    if (busctl(&a, NULL, 0, why, sizeof(why)) < 0)
        return vsl_err(err, EHOSTUNREACH,
                       "--systemd-cgroup: systemd is not reachable over D-Bus (busctl%s: %s)",
                       user ? " --user" : "", why);
    if ((r = cg_alloc(CG_ROOT, vsl_cgroup_mode(), path, &cg)) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    cg->unit = strdup(unit);
    /* the slice is the path's parent; systemd_path checked it */
    const char *slash = strrchr(path, '/');
    const char *slice = slash == path ? "-.slice" : NULL;
    if (!slice) {
        const char *s = slash;
        while (s > path && s[-1] != '/')
            s--;
        cg->slice = strndup(s, (size_t)(slash - s));
    } else {
        cg->slice = strdup(slice);
    }
    cg->user_bus = user;
    if (!cg->unit || !cg->slice) {
        vsl_cgroup_free(cg);
        return vsl_err(err, ENOMEM, "out of memory");
    }
    *ret = cg;
    return 0;
}

static long
now_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps growing from 1 ms to 100 ms; false once deadline (now_ms()) has passed. */
static bool
sleep_until(long deadline, long *step)
{
    if (now_ms() >= deadline)
        return false;
    cg_sleep_ms(*step);
    *step = *step < 64 ? *step * 2 : 100;
    return true;
}

/* The pid's cgroup as /proc shows it: the v2 line, or on v1 name=systemd's (else the v2 line). */
static int
pid_cgroup(pid_t pid, bool v2, char *buf, size_t len)
{
    char file[64], data[4096];
    char *v2_path = NULL, *sd_path = NULL;

    (void)snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
    _cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, data, sizeof(data) - 1);
    if (n < 0)
        return -errno;
    data[n] = '\0';
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "0::", 3) == 0)
            v2_path = line + 3;
        else if (strstr(line, ":name=systemd:"))
            sd_path = strstr(line, ":name=systemd:") + 14;
    }
    const char *p = v2 || !sd_path ? v2_path : sd_path;
    if (!p || snprintf(buf, len, "%s", p) >= (int)len)
        return -ENOENT;
    return 0;
}

static bool
ends_with_unit(const char *path, const char *unit)
{
    const char *base = strrchr(path, '/');

    return base && strcmp(base + 1, unit) == 0;
}

/* systemd moves the pid when it runs the start job, just after the call returns. */
static int
wait_moved(struct vsl_cgroup *cg, pid_t pid, char *path, size_t len, struct vsl_error *err)
{
    bool v2 = cg->mode == VSL_CGROUP_V2;
    long deadline = now_ms() + WAIT_MOVE_MS, step = 1;
    int r;

    do {
        if ((r = pid_cgroup(pid, v2, path, len)) < 0)
            return vsl_err_code(err, r, "--systemd-cgroup: read '/proc/%d/cgroup'", (int)pid);
        if (ends_with_unit(path, cg->unit))
            return 0;
    } while (sleep_until(deadline, &step));
    return vsl_err(err, ETIMEDOUT,
                   "--systemd-cgroup: systemd did not move the init (pid %d) into '%s' within %d s "
                   "(it is in '%s')",
                   (int)pid, cg->unit, WAIT_MOVE_MS / 1000, path);
}

static int
start_unit(struct vsl_cgroup *cg, pid_t pid, const struct vsl_resources *res, const char *desc,
           struct vsl_error *err)
{
    struct bus_args a = {0};
    char why[256] = "";
    size_t n_props = 6, count_at;

    bus_args_init(&a, cg->user_bus);
    arg(&a, "call"), arg(&a, SD_DEST), arg(&a, SD_PATH), arg(&a, SD_MANAGER);
    arg(&a, "StartTransientUnit"), arg(&a, "ssa(sv)a(sa(sv))");
    arg(&a, cg->unit), arg(&a, "fail");
    count_at = a.n;
    arg(&a, "0"); /* the property count, filled in below */
    arg(&a, "Description"), arg(&a, "s"), arg(&a, desc);
    arg(&a, "Slice"), arg(&a, "s"), arg(&a, cg->slice);
    arg(&a, "Delegate"), arg(&a, "b"), arg(&a, "true");
    arg(&a, "PIDs"), arg(&a, "au"), arg(&a, "1"), arg_u64(&a, (uint64_t)pid);
    arg(&a, "DefaultDependencies"), arg(&a, "b"), arg(&a, "false");
    arg(&a, "CollectMode"), arg(&a, "s"), arg(&a, "inactive-or-failed");
    resource_props(&a, res, cg->mode == VSL_CGROUP_V2, &n_props);
    arg(&a, "0"); /* no auxiliary units */
    if (a.n_num >= ARRAY_SIZE(a.num))
        return vsl_err(err, E2BIG, "--systemd-cgroup: too many unit properties");
    (void)snprintf(a.num[a.n_num], sizeof(a.num[0]), "%zu", n_props);
    a.v[count_at] = a.num[a.n_num++];
    int r = busctl(&a, NULL, 0, why, sizeof(why));
    if (r < 0)
        return vsl_err(err, r == -ENOENT ? ENOENT : EIO,
                       "--systemd-cgroup: start unit '%s' in '%s': %s", cg->unit, cg->slice, why);
    cg->unit_started = true;
    return 0;
}

/* Open the scope's directory with the backend and apply the resources. v1: systemd made the scope
 * in the hierarchies it manages; the others get the same path, and the init joins them too. */
static int
open_scope(struct vsl_cgroup *cg, pid_t pid, const char *path, const struct vsl_resources *res,
           struct vsl_error *err)
{
    bool v1 = cg->mode == VSL_CGROUP_V1;
    char *p = strdup(path);
    int r;

    if (!p)
        return vsl_err(err, ENOMEM, "out of memory");
    free(cg->path);
    cg->path = p;
    if ((r = cg->ops->setup(cg, res, v1, err)) < 0)
        return r;
    if (v1 && (r = vsl_cgroup_attach(cg, pid, err)) < 0)
        return r;
    return cg->ops->set(cg, res, err);
}

int
vsl_cgroup_systemd_start(struct vsl_cgroup *cg, pid_t pid, const char *id,
                         const struct vsl_resources *res, struct vsl_error *err)
{
    char desc[160], path[1024];
    int r;

    (void)snprintf(desc, sizeof(desc), "vessel container %s", id);
    if ((r = start_unit(cg, pid, res, desc, err)) < 0)
        return r;
    if ((r = wait_moved(cg, pid, path, sizeof(path), err)) >= 0)
        r = open_scope(cg, pid, path, res, err);
    return r;
}

/* ---- later commands: update, delete ---- */

/* "vessel-a.scope" -> "vessel_2da_2escope", as systemd names unit objects (bus_label_escape). */
static void
unit_object_path(const char *unit, char *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t off = (size_t)snprintf(buf, len, "%s/unit/", SD_PATH);

    for (const char *c = unit; *c && off + 4 < len; c++) {
        bool alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z');
        if (alpha || (c > unit && *c >= '0' && *c <= '9')) {
            buf[off++] = *c;
        } else {
            buf[off++] = '_';
            buf[off++] = hex[(unsigned char)*c >> 4];
            buf[off++] = hex[(unsigned char)*c & 15];
        }
    }
    buf[off] = '\0';
}

/*
 * A cgroup opened by its recorded path (update, delete): is its ".scope" leaf a systemd unit's?
 * GetUnitByControlGroup answers with the unit owning the cgroup or its closest ancestor, so only
 * an answer naming the leaf itself counts. Not a unit (or no systemd) leaves cg->unit NULL.
 */
void
cg_systemd_detect(struct vsl_cgroup *cg)
{
    const char *base = strrchr(cg->path, '/');
    struct bus_args a = {0};
    char out[512] = "", why[256], want[512];
    bool user = is_user_bus();

    if (!base || !is_scope_name(base + 1) || cg->unit || cg_fake_fs)
        return;
    bus_args_init(&a, user);
    arg(&a, "call"), arg(&a, SD_DEST), arg(&a, SD_PATH), arg(&a, SD_MANAGER);
    arg(&a, "GetUnitByControlGroup"), arg(&a, "s"), arg(&a, cg->path);
    if (busctl(&a, out, sizeof(out), why, sizeof(why)) < 0)
        return;
    /* busctl prints: o "/org/freedesktop/systemd1/unit/..." */
    char *q = strchr(out, '"'), *end = q ? strchr(q + 1, '"') : NULL;
    if (!end)
        return;
    *end = '\0';
    unit_object_path(base + 1, want, sizeof(want));
    if (strcmp(q + 1, want) != 0)
        return;
    cg->unit = strdup(base + 1);
    cg->user_bus = user;
    cg->unit_started = cg->unit != NULL;
}

/* vessel update: the unit's properties first, so a reload of systemd keeps the new values. */
int
cg_systemd_set(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err)
{
    struct bus_args a = {0};
    char why[256] = "";
    size_t n_props = 0, count_at;

    bus_args_init(&a, cg->user_bus);
    arg(&a, "call"), arg(&a, SD_DEST), arg(&a, SD_PATH), arg(&a, SD_MANAGER);
    arg(&a, "SetUnitProperties"), arg(&a, "sba(sv)"), arg(&a, cg->unit), arg(&a, "true");
    count_at = a.n;
    arg(&a, "0");
    resource_props(&a, res, cg->mode == VSL_CGROUP_V2, &n_props);
    if (n_props == 0)
        return 0;
    (void)snprintf(a.num[a.n_num], sizeof(a.num[0]), "%zu", n_props);
    a.v[count_at] = a.num[a.n_num++];
    if (busctl(&a, NULL, 0, why, sizeof(why)) < 0)
        return vsl_err(err, EIO, "--systemd-cgroup: set properties of unit '%s': %s", cg->unit,
                       why);
    return 0;
}

static bool
unit_loaded(struct vsl_cgroup *cg, bool *ret)
{
    struct bus_args a = {0};
    char why[256] = "";

    bus_args_init(&a, cg->user_bus);
    arg(&a, "call"), arg(&a, SD_DEST), arg(&a, SD_PATH), arg(&a, SD_MANAGER);
    arg(&a, "GetUnit"), arg(&a, "s"), arg(&a, cg->unit);
    int r = busctl(&a, NULL, 0, why, sizeof(why));
    if (r == 0 || strstr(why, "not loaded")) {
        *ret = r == 0;
        return true;
    }
    return false;
}

static bool
any_dir_left(struct vsl_cgroup *cg)
{
    for (size_t i = 0; i < cg->n_h; i++)
        if (cg->h[i].dir && access(cg->h[i].dir, F_OK) == 0)
            return true;
    return false;
}

/*
 * Stop the unit (its processes are gone: the caller killed them, or the pid never ran) and wait
 * until systemd collected it. 0 when the unit is gone; the caller then removes what systemd
 * does not own (v1 hierarchies systemd does not manage). On v2 a unit that will not go is an error:
 * its directory is systemd's to remove.
 */
int
cg_systemd_stop(struct vsl_cgroup *cg, struct vsl_error *err)
{
    struct bus_args a = {0};
    char why[256] = "";
    bool loaded = true;
    long deadline, step = 1;
    bool gone = false;

    if (!cg->unit || !cg->unit_started)
        return 0;
    bus_args_init(&a, cg->user_bus);
    arg(&a, "call"), arg(&a, SD_DEST), arg(&a, SD_PATH), arg(&a, SD_MANAGER);
    arg(&a, "StopUnit"), arg(&a, "ss"), arg(&a, cg->unit), arg(&a, "fail");
    if (busctl(&a, NULL, 0, why, sizeof(why)) < 0 && !strstr(why, "not loaded"))
        return vsl_err(err, EIO, "--systemd-cgroup: stop unit '%s': %s", cg->unit, why);
    /* v2, the directory known: watching it is cheaper than asking systemd; else ask */
    bool watch_dir = cg->mode == VSL_CGROUP_V2 && cg->n_h;
    deadline = now_ms() + WAIT_GONE_MS;
    do
        gone = watch_dir ? !any_dir_left(cg) : unit_loaded(cg, &loaded) && !loaded;
    while (!gone && sleep_until(deadline, &step));
    if (!gone)
        return vsl_err(err, ETIMEDOUT,
                       "--systemd-cgroup: systemd did not remove unit '%s' within %d s", cg->unit,
                       WAIT_GONE_MS / 1000);
    cg->unit_started = false;
    return 0;
}
