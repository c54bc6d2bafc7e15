// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-root path resolution (openat2 RESOLVE_IN_ROOT), mkdir -p inside a root, recursive removal for
 * cleanup, and the fd-based mount primitives the rootfs stage builds on. Nothing here resolves a
 * path of a container's root on the host side: symlinks are followed by the kernel, clamped to the
 * root.
 */
#include "lib/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/syscalls.h"

/* How many dangling symlinks mkpath follows before giving up, as the kernel's MAXSYMLINKS. */
#define MKPATH_MAX_LINKS 40

int
vsl_fs_open_in_root(int rootfd, const char *path, int flags, uint64_t extra_resolve)
{
    uint64_t resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve;

    if (!path || path[strspn(path, "/")] == '\0')
        path = ".";
    /* EAGAIN: a rename or mount raced with a ".." lookup; the kernel asks us to retry. */
    for (int i = 0; i < 32; i++) {
        int fd = sys_openat2(rootfd, path, flags | O_CLOEXEC, resolve);
        if (fd >= 0)
            return fd;
        if (errno != EAGAIN)
            return -errno;
    }
    return -EAGAIN;
}

int
vsl_fs_split(const char *path, char **ret_dir, const char **ret_base)
{
    size_t len = strlen(path);

    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t b = len;
    while (b > 0 && path[b - 1] != '/')
        b--;
    size_t blen = len - b;
    if (blen == 0 || (blen == 1 && path[b] == '.') ||
        (blen == 2 && path[b] == '.' && path[b + 1] == '.'))
        return -EINVAL;
    if (path[len] != '\0') /* trailing slashes: the base must stand alone */
        return -EINVAL;
    char *dir = b == 0 ? strdup(".") : strndup(path, b);
    if (!dir)
        return -ENOMEM;
    *ret_dir = dir;
    *ret_base = path + b;
    return 0;
}

static int
create_one(int dirfd, const char *name, enum vsl_fs_kind kind, mode_t mode)
{
    if (kind == VSL_FS_DIR)
        return mkdirat(dirfd, name, mode) < 0 ? -errno : 0;
    /* O_EXCL never follows a symlink: a dangling one fails with EEXIST like mkdirat does. */
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return -errno;
    (void)close(fd);
    return 0;
}

static int mkpath(int rootfd, const char *path, enum vsl_fs_kind kind, mode_t mode, int links,
                  int *ret_fd);

/*
 * name exists in dirfd (prefix) but does not resolve: a dangling symlink. Continue at its target,
 * as the kernel would: an absolute target from the root, a relative one from prefix.
 */
static int
follow_dangling(int rootfd, int dirfd, const char *prefix, const char *name, const char *rest,
                enum vsl_fs_kind kind, mode_t mode, int links, int *ret_fd)
{
    char target[PATH_MAX];
    _cleanup_free_ char *next = NULL;

    ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
    if (n < 0)
        return errno == EINVAL ? -EEXIST : -errno; /* not a symlink: a real conflict */
    target[n] = '\0';
    if (links >= MKPATH_MAX_LINKS)
        return -ELOOP;
    if (asprintf(&next, "%s/%s/%s", target[0] == '/' ? "" : prefix, target, rest) < 0)
        return -ENOMEM;
    return mkpath(rootfd, next, kind, mode, links + 1, ret_fd);
}

static int
mkpath(int rootfd, const char *path, enum vsl_fs_kind kind, mode_t mode, int links, int *ret_fd)
{
    _cleanup_free_ char *buf = NULL;
    _cleanup_close_ int cur = -EBADF;

    int fd = vsl_fs_open_in_root(rootfd, path, O_PATH, 0);
    if (fd >= 0) {
        *ret_fd = fd;
        return 0;
    }
    if (fd != -ENOENT)
        return fd;
    /* Most often only the last component is missing (a mount point in a directory the image
     * has): make it in its resolved parent. Anything else takes the walk below. */
    const char *slash = strrchr(path, '/');
    if (slash && slash > path && slash[1] && slash[1] != '.') {
        _cleanup_free_ char *parent = strndup(path, (size_t)(slash - path));
        _cleanup_close_ int pfd = -EBADF;
        if (!parent)
            return -ENOMEM;
        pfd = vsl_fs_open_in_root(rootfd, parent, O_PATH | O_DIRECTORY, 0);
        if (pfd >= 0 && create_one(pfd, slash + 1, kind, mode) == 0) {
            fd = vsl_fs_open_in_root(rootfd, path, O_PATH, 0);
            if (fd >= 0) {
                *ret_fd = fd;
                return 0;
            }
        }
    }
    cur = vsl_fs_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
    if (cur < 0)
        return cur;
    buf = strdup(path);
    if (!buf)
        return -ENOMEM;

    /* Walk the prefixes of path, each resolved from the root again, so symlinks met on the way
     * keep their meaning; create each missing component in its resolved parent. */
    char *p = buf;
    for (;;) {
        p += strspn(p, "/");
        if (*p == '\0')
            break;
        char *end = p + strcspn(p, "/");
        char saved = *end;
        const char *rest = saved ? end + 1 : "";
        bool last = rest[strspn(rest, "/")] == '\0';

        *end = '\0';
        fd = vsl_fs_open_in_root(rootfd, buf, O_PATH, 0);
        if (fd == -ENOENT) {
            int r = create_one(cur, p, last ? kind : VSL_FS_DIR, last ? mode : 0755);
            if (r == -EEXIST) {
                const char *prefix = "";
                if (p > buf) {
                    p[-1] = '\0'; /* buf is now the parent's prefix */
                    prefix = buf;
                }
                return follow_dangling(rootfd, cur, prefix, p, rest, kind, mode, links, ret_fd);
            }
            if (r < 0)
                return r;
            fd = vsl_fs_open_in_root(rootfd, buf, O_PATH, 0);
        }
        if (fd < 0)
            return fd;
        closep(&cur);
        cur = fd;
        *end = saved;
        p = end;
    }
    *ret_fd = TAKE_FD(cur);
    return 0;
}

bool
vsl_concat(char *buf, size_t cap, ...)
{
    va_list ap;
    size_t n = 0;
    bool fits = true;

    va_start(ap, cap);
    for (const char *s; (s = va_arg(ap, const char *));)
        for (; *s; s++) {
            if (n + 1 >= cap) {
                fits = false;
                break;
            }
            buf[n++] = *s;
        }
    va_end(ap);
    if (cap)
        buf[n] = '\0';
    return fits;
}

char *
vsl_utoa(unsigned long long v, char *buf)
{
    char tmp[21];
    size_t n = 0;

    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

int
vsl_fs_mkpath_in_root(int rootfd, const char *path, enum vsl_fs_kind kind, mode_t mode, int *ret_fd)
{
    return mkpath(rootfd, path, kind, mode, 0, ret_fd);
}

static int
rm_children(int fd_take)
{
    DIR *d = fdopendir(fd_take);
    int r = 0;

    if (!d) {
        r = -errno;
        (void)close(fd_take);
        return r;
    }
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            if (errno != 0 && r == 0)
                r = -errno;
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        int q = vsl_fs_rm_rf_at(dirfd(d), de->d_name);
        if (q < 0 && r == 0)
            r = q;
    }
    (void)closedir(d);
    return r;
}

int
vsl_fs_rm_rf_at(int dirfd, const char *name)
{
    struct statx stx;

    if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE, &stx) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISDIR(stx.stx_mode))
        return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
    if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
        (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
        return -EBUSY;

    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    int r = rm_children(fd);
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
        r = -errno;
    return r;
}

uint64_t
vsl_mnt_attr_from_flags(unsigned long ms_flags, uint64_t *ret_clr)
{
    uint64_t set = 0, clr = 0;

    if (ms_flags & MS_RDONLY)
        set |= MOUNT_ATTR_RDONLY;
    if (ms_flags & MS_NOSUID)
        set |= MOUNT_ATTR_NOSUID;
    if (ms_flags & MS_NODEV)
        set |= MOUNT_ATTR_NODEV;
    if (ms_flags & MS_NOEXEC)
        set |= MOUNT_ATTR_NOEXEC;
    if (ms_flags & MS_NODIRATIME)
        set |= MOUNT_ATTR_NODIRATIME;
    if (ms_flags & MS_NOSYMFOLLOW)
        set |= MOUNT_ATTR_NOSYMFOLLOW;
    /* One atime mode; setting one means clearing the field first. */
    if (ms_flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
        clr |= MOUNT_ATTR__ATIME;
        if (ms_flags & MS_NOATIME)
            set |= MOUNT_ATTR_NOATIME;
        else if (ms_flags & MS_STRICTATIME)
            set |= MOUNT_ATTR_STRICTATIME;
        else
            set |= MOUNT_ATTR_RELATIME;
    }
    if (ret_clr)
        *ret_clr = clr;
    return set;
}

/* Fail a mount: errno, with the filesystem's own explanation from the fs context log if any. */
static int
fs_fail(struct vsl_error *err, int fsfd, const char *type, const char *label)
{
    int e = errno ? errno : EIO;
    char buf[256], log[256] = "";
    ssize_t n;

    /* One message per read: "e msg", "w msg" or "i msg"; keep the last error. */
    while (fsfd >= 0 && (n = read(fsfd, buf, sizeof(buf) - 1)) > 2) {
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        if (buf[0] == 'e')
            (void)snprintf(log, sizeof(log), "%s", buf + 2);
    }
    if (log[0])
        return vsl_err(err, e, "mount %s on '%s': %s (%s)", type, label, strerror(e), log);
    return vsl_err_code(err, e, "mount %s on '%s'", type, label);
}

/* One "k=v" or "flag" of mount data. */
static int
fs_option(int fsfd, const char *type, const char *opt)
{
    const char *eq = strchr(opt, '=');

    if (!eq)
        return fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
    _cleanup_free_ char *key = strndup(opt, (size_t)(eq - opt));
    if (!key) {
        errno = ENOMEM;
        return -1;
    }
    int r = fsconfig(fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
    /* devpts gid=5: the group may not be mapped in a user namespace; crun drops it too. */
    if (r < 0 && errno == EINVAL && strcmp(type, "devpts") == 0 && strcmp(key, "gid") == 0)
        r = 0;
    return r;
}

/* Split data on commas outside double quotes (SELinux contexts hold commas), as mount(8) does. */
static int
fs_options(int fsfd, const char *type, const char *data)
{
    _cleanup_free_ char *buf = strdup(data);
    bool quoted = false;

    if (!buf) {
        errno = ENOMEM;
        return -1;
    }
    char *start = buf;
    for (char *p = buf;; p++) {
        if (*p == '"')
            quoted = !quoted;
        if (*p != '\0' && (*p != ',' || quoted))
            continue;
        bool end = *p == '\0';
        *p = '\0';
        if (*start && fs_option(fsfd, type, start) < 0)
            return -1;
        if (end)
            return 0;
        start = p + 1;
    }
}

static int
mnt_create(const char *type, const char *source, const char *data, const char *const *opts,
           unsigned long ms_flags, const char *label, int *ret_mntfd, struct vsl_error *err)
{
    static const struct {
        unsigned long flag;
        const char *name;
    } sb_flags[] = {
        {MS_RDONLY, "ro"},         {MS_SYNCHRONOUS, "sync"}, {MS_DIRSYNC, "dirsync"},
        {MS_LAZYTIME, "lazytime"}, {MS_MANDLOCK, "mand"},    {MS_I_VERSION, "iversion"},
    };
    _cleanup_close_ int fsfd = fsopen(type, FSOPEN_CLOEXEC);

    if (fsfd < 0)
        return fs_fail(err, -EBADF, type, label);
    if (source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
        return fs_fail(err, fsfd, type, label);
    if (data && fs_options(fsfd, type, data) < 0)
        return fs_fail(err, fsfd, type, label);
    for (size_t i = 0; opts && opts[i]; i++)
        if (fs_option(fsfd, type, opts[i]) < 0)
            return fs_fail(err, fsfd, type, label);
    for (size_t i = 0; i < ARRAY_SIZE(sb_flags); i++)
        if ((ms_flags & sb_flags[i].flag) &&
            fsconfig(fsfd, FSCONFIG_SET_FLAG, sb_flags[i].name, NULL, 0) < 0)
            return fs_fail(err, fsfd, type, label);
    if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return fs_fail(err, fsfd, type, label);
    int mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)vsl_mnt_attr_from_flags(ms_flags, NULL));
    if (mfd < 0)
        return fs_fail(err, fsfd, type, label);
    *ret_mntfd = mfd;
    return 0;
}

int
vsl_mnt_new(const char *type, const char *source, const char *data, unsigned long ms_flags,
            const char *label, int *ret_mntfd, struct vsl_error *err)
{
    return mnt_create(type, source, data, NULL, ms_flags, label, ret_mntfd, err);
}

int
vsl_mnt_newv(const char *type, const char *source, const char *const *opts, unsigned long ms_flags,
             const char *label, int *ret_mntfd, struct vsl_error *err)
{
    return mnt_create(type, source, NULL, opts, ms_flags, label, ret_mntfd, err);
}

int
vsl_mnt_clone(int dirfd, const char *path, bool recursive)
{
    unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);

    if (!path || !*path)
        flags |= AT_EMPTY_PATH;
    int fd = open_tree(dirfd, path ? path : "", flags);
    return fd < 0 ? -errno : fd;
}

int
vsl_mnt_setattr(int fd, bool recursive, uint64_t attr_set, uint64_t attr_clr, uint64_t propagation)
{
    struct mount_attr attr = {
        .attr_set = attr_set,
        .attr_clr = attr_clr,
        .propagation = propagation,
    };

    if (!attr_set && !attr_clr && !propagation)
        return 0;
    if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) <
        0)
        return -errno;
    return 0;
}

int
vsl_mnt_attach(int mntfd, int targetfd)
{
    if (move_mount(mntfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return -errno;
    return 0;
}
