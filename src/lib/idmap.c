// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --userns=auto: a free block of subordinate ids for each container. The records are files under
 * <data>/userns named by the block ("<uid start>:<gid start>") and holding the owner: the pid and
 * start time of the `vessel run` that stays the container's parent for its whole life. The
 * directory's lock serialises allocations. A record whose owner is gone is reused, so nothing
 * needs removing when a container ends (or crashes), and a recycled pid is never mistaken.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <vessel/security.h>

#include "lib/cleanup.h"
#include "lib/error.h"

int
vsl_subid_read(const char *file, const char *name, uint32_t uid, struct vsl_subid *ret, size_t max,
               struct vsl_error *err)
{
    _cleanup_fclose_ FILE *f = fopen(file, "re");
    _cleanup_free_ char *line = NULL;
    char uidstr[16];
    size_t cap = 0, n = 0;

    if (!f)
        return errno == ENOENT ? 0 : vsl_err_errno(err, "open '%s'", file);
    (void)snprintf(uidstr, sizeof(uidstr), "%u", uid);
    while (n < max && getline(&line, &cap, f) >= 0) {
        char *p = line, *who = strsep(&p, ":"), *start = strsep(&p, ":"), *end;
        if (!who || !start || !p ||
            (strcmp(who, name ? name : "") != 0 && strcmp(who, uidstr) != 0))
            continue;
        errno = 0;
        unsigned long s = strtoul(start, &end, 10), c = strtoul(p, NULL, 10);
        if (errno || *end || c == 0 || s > UINT32_MAX || c > UINT32_MAX - s)
            continue;
        ret[n++] = (struct vsl_subid){(uint32_t)s, (uint32_t)c};
    }
    return (int)n;
}

/* The i-th block of `size` ids across the ranges; false when there are fewer blocks. */
static bool
nth_block(const struct vsl_subid *r, size_t n, uint32_t size, size_t i, uint32_t *ret)
{
    for (size_t k = 0; k < n; k++) {
        size_t blocks = r[k].count / size;
        if (i < blocks) {
            *ret = r[k].start + (uint32_t)i * size;
            return true;
        }
        i -= blocks;
    }
    return false;
}

/* "PID START": field 22 of /proc/PID/stat, the start time in clock ticks; 0 when gone. */
unsigned long long
vsl_proc_starttime(pid_t pid)
{
    char path[64], buf[1024];
    unsigned long long start = 0;

    (void)snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* the command may hold spaces and parentheses */
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p)
        start = strtoull(p + 1, NULL, 10);
    return start;
}

/* Is the record `name` in dirfd held by a live owner? */
static bool
is_taken(int dirfd, const char *name)
{
    char owner[128];
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    int pid = 0;
    unsigned long long start = 0;

    if (fd < 0)
        return false;
    ssize_t len = read(fd, owner, sizeof(owner) - 1);
    (void)close(fd);
    if (len <= 0)
        return false;
    owner[len] = '\0';
    if (sscanf(owner, "%d %llu", &pid, &start) != 2 || pid <= 0)
        return false;
    return vsl_proc_starttime(pid) == start;
}

static int
write_record(int dirfd, const char *name, pid_t pid, struct vsl_error *err)
{
    _cleanup_close_ int fd =
        openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    char owner[64];
    size_t len = (size_t)snprintf(owner, sizeof(owner), "%d %llu", pid, vsl_proc_starttime(pid));

    if (fd < 0)
        return vsl_err_errno(err, "--userns=auto: record '%s'", name);
    if (write(fd, owner, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
        return vsl_err_errno(err, "--userns=auto: write record '%s'", name);
    return 0;
}

int
vsl_idmap_allocate(const char *dir, const struct vsl_subid *uids, size_t n_uids,
                   const struct vsl_subid *gids, size_t n_gids, uint32_t size, pid_t owner,
                   uint32_t *ret_uid, uint32_t *ret_gid, struct vsl_error *err)
{
    _cleanup_close_ int dirfd = -EBADF, lock = -EBADF;
    uint32_t u, g;
    char name[32];

    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return vsl_err_errno(err, "--userns=auto: mkdir '%s'", dir);
    dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return vsl_err_errno(err, "--userns=auto: open '%s'", dir);
    lock = openat(dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lock < 0 || flock(lock, LOCK_EX) < 0)
        return vsl_err_errno(err, "--userns=auto: lock '%s/lock'", dir);
    for (size_t i = 0; nth_block(uids, n_uids, size, i, &u) && nth_block(gids, n_gids, size, i, &g);
         i++) {
        (void)snprintf(name, sizeof(name), "%u:%u", u, g);
        if (is_taken(dirfd, name))
            continue;
        int r = write_record(dirfd, name, owner, err);
        if (r < 0)
            return r;
        *ret_uid = u;
        *ret_gid = g;
        return 0;
    }
    return vsl_err(err, ENOSPC, "--userns=auto: no free block of %u ids in the subordinate ranges",
                   size);
}
