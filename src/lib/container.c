// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Container state on disk: <root>/<id>/state.json, written atomically (temp file + rename), with
 * the init's pid and its start time, so a recycled pid is never taken for the container's init.
 * The status is derived each time from what is alive (runc's rule): the init gone or a zombie is
 * "stopped", exec.fifo still there is "created", a frozen cgroup is "paused", else "running".
 */
#include "lib/container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vessel/vessel.h>

#include "cgroup/cgroup.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/launch.h"

bool
vsl_container_id_is_valid(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n > 128 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-' && c != '+')))
            return false;
    }
    return true;
}

void
vsl_container_new_id(char ret[13])
{
    unsigned char b[6] = {0};

    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
        struct timespec ts;
        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        unsigned long long x =
            (unsigned long long)ts.tv_nsec ^ ((unsigned long long)getpid() << 20);
        memcpy(b, &x, sizeof(b));
    }
    for (int i = 0; i < 6; i++)
        (void)snprintf(ret + 2 * i, 3, "%02x", b[i]);
}

static int
mkdir_p(const char *path, mode_t mode)
{
    char buf[4096];

    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
        return -ENAMETOOLONG;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    if (mkdir(buf, mode) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

void
vsl_container_free(struct vsl_container *c)
{
    if (!c)
        return;
    closep(&c->dirfd);
    closep(&c->lockfd);
    free(c->id);
    free(c->root);
    free(c->dir);
    free(c->bundle);
    free(c->cgroup_path);
    if (c->annotations)
        json_decref(c->annotations);
    free(c);
}

/* UTC "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ". By hand: glibc's gmtime_r reads the time zone file
 * (/etc/localtime) first, at every start, for nothing; the date is the civil-from-days
 * conversion of the proleptic Gregorian calendar (eras of 400 years from 0000-03-01). */
void
vsl_rfc3339(const struct timespec *ts, char *buf, size_t len)
{
    long long days = ts->tv_sec / 86400, secs = ts->tv_sec % 86400;
    long long z = days + 719468, era = z / 146097;
    long long doe = z - era * 146097;                                      /* [0, 146096] */
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    long long mp = (5 * doy + 2) / 153;                                    /* March = 0 */
    long long day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    long long year = yoe + era * 400 + (month <= 2);

    (void)snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", (int)year, (int)month, (int)day,
                   (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
                   (int)(ts->tv_nsec % 1000000000));
}

static int
container_alloc(const char *root, const char *id, struct vsl_container **ret, struct vsl_error *err)
{
    struct vsl_container *c;

    if (!vsl_container_id_is_valid(id))
        return vsl_err(err, EINVAL,
                       "container id '%s' is not valid: use letters, digits, '_', '+', '.' and "
                       "'-' (at most 128, starting with a letter or digit)",
                       id);
    c = calloc(1, sizeof(*c));
    if (!c)
        return vsl_err(err, ENOMEM, "out of memory");
    c->dirfd = c->lockfd = -EBADF;
    c->id = strdup(id);
    c->root = strdup(root);
    if (!c->id || !c->root || asprintf(&c->dir, "%s/%s", root, id) < 0) {
        c->dir = NULL;
        vsl_container_free(c);
        return vsl_err(err, ENOMEM, "out of memory");
    }
    *ret = c;
    return 0;
}

int
vsl_container_create(const char *root, const char *id, struct vsl_container **ret,
                     struct vsl_error *err)
{
    struct vsl_container *c;
    int r;

    if ((r = container_alloc(root, id, &c, err)) < 0)
        return r;
    /* the root is there but for the first container: made only when the mkdir says so */
    int made = mkdir(c->dir, 0711);
    if (made < 0 && errno == ENOENT) {
        if ((r = mkdir_p(root, 0711)) < 0) {
            vsl_container_free(c);
            return vsl_err_code(err, r, "create state root '%s'", root);
        }
        made = mkdir(c->dir, 0711);
    }
    if (made < 0) {
        r = errno == EEXIST ? vsl_err(err, EEXIST, "container '%s' already exists", id)
                            : vsl_err_errno(err, "create '%s'", c->dir);
        vsl_container_free(c);
        return r;
    }
    c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c->dirfd < 0 || flock(c->dirfd, LOCK_EX) < 0) {
        r = vsl_err_errno(err, "lock '%s'", c->dir);
        vsl_container_destroy(c);
        return r;
    }
    strcpy(c->status, "creating");
    struct timespec now;
    (void)clock_gettime(CLOCK_REALTIME, &now);
    vsl_rfc3339(&now, c->created, sizeof(c->created));
    *ret = c;
    return 0;
}

static int
parse_state(struct vsl_container *c, json_t *j, struct vsl_error *err)
{
    const char *status = NULL, *bundle = NULL, *created = NULL, *cg = NULL;
    json_int_t pid = 0, start = 0;
    json_error_t je;

    if (json_unpack_ex(j, &je, 0, "{s?s, s?I, s?s, s?s, s?I, s?s, s?o}", "status", &status, "pid",
                       &pid, "bundle", &bundle, "created", &created, "initStartTime", &start,
                       "cgroupPath", &cg, "annotations", &c->annotations) < 0)
        return vsl_err(err, EINVAL, "'%s/state.json': %s", c->dir, je.text);
    if (c->annotations)
        json_incref(c->annotations);
    (void)snprintf(c->status, sizeof(c->status), "%s", status ? status : "stopped");
    (void)snprintf(c->created, sizeof(c->created), "%s", created ? created : "");
    c->pid = (pid_t)pid;
    c->start_time = (unsigned long long)start;
    if (bundle && !(c->bundle = strdup(bundle)))
        return vsl_err(err, ENOMEM, "out of memory");
    if (cg && cg[0] && !(c->cgroup_path = strdup(cg)))
        return vsl_err(err, ENOMEM, "out of memory");
    return 0;
}

int
vsl_container_open(const char *root, const char *id, bool lock, struct vsl_container **ret,
                   struct vsl_error *err)
{
    struct vsl_container *c;
    json_error_t je;
    int r;

    if ((r = container_alloc(root, id, &c, err)) < 0)
        return r;
    c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c->dirfd < 0) {
        r = errno == ENOENT ? vsl_err(err, ENOENT, "container '%s' does not exist", id)
                            : vsl_err_errno(err, "open '%s'", c->dir);
        vsl_container_free(c);
        return r;
    }
    if (lock && flock(c->dirfd, LOCK_EX) < 0) {
        r = vsl_err_errno(err, "lock '%s'", c->dir);
        vsl_container_free(c);
        return r;
    }
    _cleanup_close_ int fd = openat(c->dirfd, "state.json", O_RDONLY | O_CLOEXEC);
    json_t *j = fd >= 0 ? json_loadfd(fd, 0, &je) : NULL;
    if (!j) {
        /* Created half-way (the creating command was killed): no state yet. A container in
         * this state can only be deleted. */
        strcpy(c->status, "stopped");
        *ret = c;
        return 0;
    }
    r = parse_state(c, j, err);
    json_decref(j);
    if (r < 0) {
        vsl_container_free(c);
        return r;
    }
    *ret = c;
    return 0;
}

unsigned long long
vsl_proc_start_time(pid_t pid)
{
    char path[64], buf[1024];
    unsigned long long t = 0;

    (void)snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* comm may hold spaces and parentheses: fields restart after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p || !p[1] || !p[2] || p[2] == 'Z' || p[2] == 'X')
        return 0;
    p++;
    for (int field = 3; field < 22 && p; field++)
        p = strchr(p + 1, ' ');
    if (p)
        t = strtoull(p + 1, NULL, 10);
    return t;
}

static bool
init_alive(const struct vsl_container *c)
{
    return c->pid > 0 && c->start_time && vsl_proc_start_time(c->pid) == c->start_time;
}

static bool
is_frozen(const struct vsl_container *c)
{
    struct vsl_cgroup *cg = NULL;
    struct vsl_error err = {0};
    bool frozen = false;

    if (!c->cgroup_path)
        return false;
    if (vsl_cgroup_open(c->cgroup_path, &cg, &err) < 0)
        return false;
    if (vsl_cgroup_is_frozen(cg, &frozen, &err) < 0)
        frozen = false;
    vsl_cgroup_free(cg);
    return frozen;
}

const char *
vsl_container_refresh(struct vsl_container *c)
{
    struct stat st;

    if (!init_alive(c))
        strcpy(c->status, "stopped");
    else if (strcmp(c->status, "creating") == 0)
        ; /* the creating command still works on it */
    else if (is_frozen(c))
        strcpy(c->status, "paused");
    else if (fstatat(c->dirfd, "exec.fifo", &st, AT_SYMLINK_NOFOLLOW) == 0)
        strcpy(c->status, "created");
    else
        strcpy(c->status, "running");
    return c->status;
}

int
vsl_container_pidfd(struct vsl_container *c, struct vsl_error *err)
{
    if (!init_alive(c))
        return vsl_err(err, ESRCH, "container '%s' is not running", c->id);
    int fd = pidfd_open(c->pid, 0);
    if (fd < 0)
        return vsl_err_errno(err, "pidfd_open %d", c->pid);
    /* Checked again with the pidfd held: the pid cannot be recycled any more. */
    if (!init_alive(c)) {
        (void)close(fd);
        return vsl_err(err, ESRCH, "container '%s' is not running", c->id);
    }
    return fd;
}

int
vsl_container_wait_gone(struct vsl_container *c, int timeout_ms)
{
    struct vsl_error err = {0};
    _cleanup_close_ int fd = vsl_container_pidfd(c, &err);
    if (fd < 0)
        return 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    if (n > 0)
        return 0;
    /* A zombie waiting for its reaper counts as gone. */
    return init_alive(c) ? -ETIMEDOUT : 0;
}

static json_t *
state_json(const struct vsl_container *c, const struct vsl_spec *spec)
{
    json_t *ann = json_object();

    if (spec) {
        for (size_t i = 0; i < spec->n_annotations; i++)
            (void)json_object_set_new(ann, spec->annotations[i].key,
                                      json_string(spec->annotations[i].value));
    } else if (c->annotations) {
        (void)json_object_update(ann, c->annotations);
    }
    return json_pack("{s:s, s:s, s:s, s:i, s:s, s:o, s:s, s:s, s:I, s:s?}", "ociVersion",
                     VSL_OCI_VERSION, "id", c->id, "status", c->status, "pid", (int)c->pid,
                     "bundle", c->bundle ? c->bundle : "", "annotations", ann, "created",
                     c->created, "owner", "", "initStartTime", (json_int_t)c->start_time,
                     "cgroupPath", c->cgroup_path);
}

int
vsl_container_save(struct vsl_container *c, const struct vsl_spec *spec, struct vsl_error *err)
{
    int r = 0;

    if (c->pid > 0 && !c->start_time)
        c->start_time = vsl_proc_start_time(c->pid);
    json_t *j = state_json(c, spec);
    if (!j)
        return vsl_err(err, ENOMEM, "state: out of memory");
    _cleanup_free_ char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text)
        return vsl_err(err, ENOMEM, "state: out of memory");
    _cleanup_close_ int fd =
        openat(c->dirfd, "state.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return vsl_err_errno(err, "write '%s/state.json.tmp'", c->dir);
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len)
        r = vsl_err_errno(err, "write '%s/state.json.tmp'", c->dir);
    else if (renameat(c->dirfd, "state.json.tmp", c->dirfd, "state.json") < 0)
        r = vsl_err_errno(err, "rename '%s/state.json'", c->dir);
    return r;
}

int
vsl_container_state_text(struct vsl_container *c, const struct vsl_spec *spec, bool full,
                         char **ret)
{
    json_t *j = state_json(c, spec);

    if (!j)
        return -ENOMEM;
    if (!full) {
        /* What callers of `state` and hooks see: the OCI fields and runc's two extra ones. */
        (void)json_object_del(j, "initStartTime");
        (void)json_object_del(j, "cgroupPath");
        if (c->pid <= 0 || strcmp(c->status, "stopped") == 0)
            (void)json_object_del(j, "pid");
    }
    *ret = json_dumps(j, full ? JSON_COMPACT : JSON_INDENT(2));
    json_decref(j);
    return *ret ? 0 : -ENOMEM;
}

int
vsl_fifo_make(struct vsl_container *c, int *ret_fd, struct vsl_error *err)
{
    /* 0622 as runc: the init may run as any user of a user namespace, and opens it through
     * /proc/self/fd after pivot_root, where the state directory is out of reach. */
    if (mkfifoat(c->dirfd, "exec.fifo", 0622) < 0)
        return vsl_err_errno(err, "mkfifo '%s/exec.fifo'", c->dir);
    if (fchmodat(c->dirfd, "exec.fifo", 0622, 0) < 0)
        return vsl_err_errno(err, "chmod '%s/exec.fifo'", c->dir);
    int fd = openat(c->dirfd, "exec.fifo", O_PATH | O_CLOEXEC);
    if (fd < 0)
        return vsl_err_errno(err, "open '%s/exec.fifo'", c->dir);
    *ret_fd = fd;
    return 0;
}

/* The init died while start waited: say how, leaving it for whoever reaps it (WNOWAIT). */
static int
init_gone(const struct vsl_container *c, int pidfd, struct vsl_error *err)
{
    siginfo_t si = {0};
    char how[96] = "exited";

    if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid > 0)
        /* a wait status from the siginfo: exit code in the second byte, a signal in the first */
        vsl_describe_status(si.si_code == CLD_EXITED ? W_EXITCODE(si.si_status, 0) : si.si_status,
                            how, sizeof(how));
    return vsl_err(err, ECHILD, "container '%s': the init %s before start", c->id, how);
}

int
vsl_fifo_start(struct vsl_container *c, int pidfd, struct vsl_error *err)
{
    char buf[sizeof(err->msg) + 2];

    /* Non-blocking: an init that dies before it opens the other end must not hang start. */
    _cleanup_close_ int fd = openat(c->dirfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? vsl_err(err, EINVAL, "container '%s' was started already", c->id)
                               : vsl_err_errno(err, "open '%s/exec.fifo'", c->dir);
    for (;;) {
        struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return vsl_err_errno(err, "poll");
        }
        if (p[0].revents & POLLIN) {
            /* "0", or "1" and the init's error (one write, shorter than PIPE_BUF) */
            ssize_t n = read(fd, buf, sizeof(buf) - 1);
            if (n > 1 && buf[0] == '1') {
                buf[n] = '\0';
                return vsl_err(err, EIO, "container '%s': %s", c->id, buf + 1);
            }
            if (n >= 1)
                break;
            if (n < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
        }
        if (p[1].revents || (p[0].revents & (POLLHUP | POLLERR)))
            return init_gone(c, pidfd, err);
    }
    (void)unlinkat(c->dirfd, "exec.fifo", 0);
    return 0;
}

/* Remove the entries of a state directory: files only, plus empty directories stages left. */
static void
clear_dir(int dirfd)
{
    int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;

    if (!d) {
        closep(&fd);
        return;
    }
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            unlinkat(dirfd, e->d_name, 0) < 0 && errno == EISDIR)
            (void)unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
    (void)closedir(d);
}

void
vsl_container_destroy(struct vsl_container *c)
{
    if (!c)
        return;
    /* what vessel itself writes goes by name; whatever else is there (a stage's directory, a
     * socket) takes the listing */
    if (c->dirfd >= 0) {
        (void)unlinkat(c->dirfd, "state.json", 0);
        (void)unlinkat(c->dirfd, "config.json", 0);
    }
    if (c->dir && rmdir(c->dir) < 0 && errno == ENOTEMPTY && c->dirfd >= 0) {
        clear_dir(c->dirfd);
        (void)rmdir(c->dir);
    }
    vsl_container_free(c);
}
