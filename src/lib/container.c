// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Container state on disk: <root>/<id>/state.json, written atomically (temp file + rename), with
 * the init's pid and its start time, so a recycled pid is never taken for the container's init.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <vessel/vessel.h>

#include "lib/cleanup.h"
#include "lib/container.h"
#include "lib/error.h"

bool
vsl_container_id_is_valid(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n > 128 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
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
        unsigned long long x = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)getpid() << 20);
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
    free(c);
}

int
vsl_container_create(const char *root, const char *id, struct vsl_container **ret,
                     struct vsl_error *err)
{
    struct vsl_container *c;
    int r;

    if (!vsl_container_id_is_valid(id))
        return vsl_err(err, EINVAL, "container id '%s' is not valid: use letters, digits, '_', "
                       "'.' and '-' (at most 128, starting with a letter or digit)", id);
    if ((r = mkdir_p(root, 0711)) < 0)
        return vsl_err_code(err, r, "create state root '%s'", root);
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
    if (mkdir(c->dir, 0700) < 0) {
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
    if (!p)
        return 0;
    p++;
    for (int field = 3; field < 22 && p; field++)
        p = strchr(p + 1, ' ');
    if (p)
        t = strtoull(p + 1, NULL, 10);
    return t;
}

static void
rfc3339_now(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    (void)gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    (void)snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

static json_t *
state_json(const struct vsl_container *c, const struct vsl_spec *spec)
{
    char created[64];
    json_t *ann = json_object();

    rfc3339_now(created, sizeof(created));
    for (size_t i = 0; spec && i < spec->n_annotations; i++)
        (void)json_object_set_new(ann, spec->annotations[i].key,
                                  json_string(spec->annotations[i].value));
    return json_pack("{s:s, s:s, s:s, s:i, s:s, s:o, s:s, s:s, s:I}", "ociVersion",
                     VSL_OCI_VERSION, "id", c->id, "status", c->status, "pid", (int)c->pid,
                     "bundle", c->bundle ? c->bundle : "", "annotations", ann, "created", created,
                     "owner", "", "initStartTime", (json_int_t)c->start_time);
}

int
vsl_container_save(struct vsl_container *c, const struct vsl_spec *spec, struct vsl_error *err)
{
    json_t *j = state_json(c, spec);
    int r = 0;

    if (!j)
        return vsl_err(err, ENOMEM, "state: out of memory");
    if (c->pid > 0 && !c->start_time)
        c->start_time = vsl_proc_start_time(c->pid);
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
    if (c->dirfd >= 0)
        clear_dir(c->dirfd);
    if (c->dir)
        (void)rmdir(c->dir);
    vsl_container_free(c);
}
