// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The built-in "busybox" image: a root filesystem assembled from Debian's busybox-static under
 * <data>/images/busybox/rootfs and rebuilt when /bin/busybox changes ("source" records its size
 * and mtime). It is built in a temporary directory next to it and renamed into place while holding
 * a lock on <data>/images/busybox/.lock, so concurrent first runs build it once and a crash never
 * leaves a half-built root in place.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vessel/vessel.h>

#include "lib/cleanup.h"
#include "lib/error.h"

#define BUSYBOX "/bin/busybox"
#define APPLET_LIST_MAX (1024 * 1024)
/* Bump when the layout below changes, so existing roots are rebuilt. */
#define LAYOUT_VERSION 1

static const struct {
    const char *path;
    mode_t mode;
} layout_dirs[] = {
    {"bin", 0755},  {"sbin", 0755}, {"usr", 0755},      {"usr/bin", 0755}, {"usr/sbin", 0755},
    {"etc", 0755},  {"dev", 0755},  {"proc", 0555},     {"sys", 0555},     {"tmp", 01777},
    {"root", 0700}, {"var", 0755},  {"var/tmp", 01777}, {"run", 0755},
};

static const struct {
    const char *path;
    const char *text;
} layout_files[] = {
    {"etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                   "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"},
    {"etc/group", "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n"},
    {"etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
    {"etc/resolv.conf", ""},
};

bool
vsl_image_is_builtin(const char *name)
{
    return name && strcmp(name, "busybox") == 0;
}

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* Depth first, never following symlinks nor crossing into other mounts (whose mount point then
 * fails to go, rather than their contents being removed). */
static int
remove_tree(const char *path)
{
    if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
        return errno ? -errno : -EIO;
    return 0;
}

static int
mkdir_p(const char *path, mode_t mode, struct vsl_error *err)
{
    _cleanup_free_ char *p = strdup(path);

    if (!p)
        return vsl_err(err, ENOMEM, "image 'busybox': out of memory");
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            return vsl_err_errno(err, "image 'busybox': mkdir '%s'", p);
        if (c == '\0')
            return 0;
        *s = c;
    }
}

static int
write_file_at(int dirfd, const char *name, const char *text, mode_t mode)
{
    _cleanup_close_ int fd = -EBADF;
    size_t len = strlen(text);

    fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return -errno;
    if (len > 0 && write(fd, text, len) != (ssize_t)len)
        return errno ? -errno : -EIO;
    if (fchmod(fd, mode) < 0)
        return -errno;
    return 0;
}

/* A copy, not a link: the container can neither change the host's binary nor see it change. */
static int
copy_busybox(int rootfd, struct vsl_error *err)
{
    _cleanup_close_ int src = -EBADF, dst = -EBADF;

    src = open(BUSYBOX, O_RDONLY | O_CLOEXEC);
    if (src < 0)
        return vsl_err_errno(err, "image 'busybox': open '%s'", BUSYBOX);
    dst = openat(rootfd, "bin/busybox", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
    if (dst < 0)
        return vsl_err_errno(err, "image 'busybox': create 'bin/busybox'");
    for (;;) {
        ssize_t n = sendfile(dst, src, NULL, 1 << 20);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return vsl_err_errno(err, "image 'busybox': copy '%s'", BUSYBOX);
        if (n == 0)
            break;
    }
    if (fchmod(dst, 0755) < 0)
        return vsl_err_errno(err, "image 'busybox': chmod 'bin/busybox'");
    return 0;
}

/* Runs `/bin/busybox --list-full` (no shell) and returns its output, NUL-terminated. */
static int
list_applets(char **ret_list, struct vsl_error *err)
{
    _cleanup_close_ int rd = -EBADF, wr = -EBADF;
    _cleanup_pid_ pid_t pid = 0;
    _cleanup_free_ char *buf = NULL;
    size_t len = 0, cap = 0;
    int fds[2], status;

    if (pipe2(fds, O_CLOEXEC) < 0)
        return vsl_err_errno(err, "image 'busybox': pipe2");
    rd = fds[0];
    wr = fds[1];
    pid = fork();
    if (pid < 0)
        return vsl_err_errno(err, "image 'busybox': fork");
    if (pid == 0) {
        char *const argv[] = {"busybox", "--list-full", NULL};
        char *const envp[] = {NULL};
        /* dup2 clears CLOEXEC on the copy; when wr already is fd 1 it must be cleared here */
        if (wr == STDOUT_FILENO ? fcntl(wr, F_SETFD, 0) >= 0 : dup2(wr, STDOUT_FILENO) >= 0)
            execve(BUSYBOX, argv, envp);
        _exit(127);
    }
    closep(&wr);
    wr = -EBADF; /* EOF on rd needs the parent's write end closed */
    for (;;) {
        if (cap - len < 4096) {
            if (cap >= APPLET_LIST_MAX)
                return vsl_err(err, EFBIG, "image 'busybox': applet list too long");
            char *p = realloc(buf, cap + 65536);
            if (!p)
                return vsl_err(err, ENOMEM, "image 'busybox': out of memory");
            buf = p;
            cap += 65536;
        }
        ssize_t n = read(rd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return vsl_err_errno(err, "image 'busybox': read applet list");
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return vsl_err_errno(err, "image 'busybox': waitpid");
    pid = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return vsl_err(err, EIO, "image 'busybox': '%s --list-full' failed (wait status %d)",
                       BUSYBOX, status);
    *ret_list = TAKE_PTR(buf);
    return 0;
}

/* A relative path of plain components ("usr/bin/["), nothing that could climb out. */
static bool
applet_path_is_safe(const char *p)
{
    if (*p == '\0' || *p == '/')
        return false;
    for (const char *c = p; *c;) {
        size_t n = strcspn(c, "/");
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        c += n;
        if (*c == '/')
            c++;
        if (*c == '\0' && c[-1] == '/')
            return false;
    }
    return true;
}

/* "usr/bin/env" -> "../../bin/busybox": relative, so the link also resolves from the host. */
static int
link_applet(int rootfd, const char *path)
{
    char target[256] = "";
    size_t depth = 0;

    if (!applet_path_is_safe(path) || strcmp(path, "bin/busybox") == 0)
        return 0;
    for (const char *c = path; *c; c++)
        if (*c == '/')
            depth++;
    if (depth > 16)
        return 0;
    for (size_t i = 0; i < depth; i++)
        strcat(target, "../");
    strcat(target, "bin/busybox");

    /* Parents beyond the layout's directories, should busybox ever list one. */
    _cleanup_free_ char *dir = strdup(path);
    if (!dir)
        return -ENOMEM;
    for (char *s = strchr(dir, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdirat(rootfd, dir, 0755) < 0 && errno != EEXIST)
            return -errno;
        *s = '/';
    }
    if (symlinkat(target, rootfd, path) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

static int
link_applets(int rootfd, struct vsl_error *err)
{
    _cleanup_free_ char *list = NULL;
    char *save = NULL;
    int r, count = 0;

    r = list_applets(&list, err);
    if (r < 0)
        return r;
    for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        r = link_applet(rootfd, line);
        if (r < 0)
            return vsl_err_code(err, r, "image 'busybox': link applet '%s'", line);
        count++;
    }
    if (count == 0)
        return vsl_err(err, EIO, "image 'busybox': '%s --list-full' listed no applets", BUSYBOX);
    return 0;
}

/* Fill an empty directory with the image's layout. */
static int
populate(const char *root, struct vsl_error *err)
{
    _cleanup_close_ int rootfd = -EBADF;
    int r;

    rootfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (rootfd < 0)
        return vsl_err_errno(err, "image 'busybox': open '%s'", root);
    if (fchmod(rootfd, 0755) < 0)
        return vsl_err_errno(err, "image 'busybox': chmod '%s'", root);
    for (size_t i = 0; i < ARRAY_SIZE(layout_dirs); i++) {
        const char *p = layout_dirs[i].path;
        /* chmod after mkdir: the umask must not change 1777 or 0555 */
        if (mkdirat(rootfd, p, 0700) < 0 || fchmodat(rootfd, p, layout_dirs[i].mode, 0) < 0)
            return vsl_err_errno(err, "image 'busybox': mkdir '%s/%s'", root, p);
    }
    for (size_t i = 0; i < ARRAY_SIZE(layout_files); i++) {
        r = write_file_at(rootfd, layout_files[i].path, layout_files[i].text, 0644);
        if (r < 0)
            return vsl_err_code(err, r, "image 'busybox': write '%s/%s'", root,
                                layout_files[i].path);
    }
    r = copy_busybox(rootfd, err);
    if (r < 0)
        return r;
    return link_applets(rootfd, err);
}

static char *
path_join(const char *a, const char *b)
{
    char *p;
    return asprintf(&p, "%s/%s", a, b) < 0 ? NULL : p;
}

/* Leftovers of a crashed build; only called with the lock held, so none is in progress. */
static void
remove_leftovers(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d)
        return;
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, "rootfs.tmp.", 11) != 0 &&
            strncmp(de->d_name, "rootfs.old.", 11) != 0)
            continue;
        _cleanup_free_ char *p = path_join(dir, de->d_name);
        if (p)
            (void)remove_tree(p);
    }
    (void)closedir(d);
}

static bool
is_current(const char *rootfs, const char *source, const char *stamp)
{
    _cleanup_close_ int fd = -EBADF;
    char buf[128];
    struct stat st;
    ssize_t n;

    if (lstat(rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
        return false;
    fd = open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    n = read(fd, buf, sizeof(buf) - 1);
    if (n < 0)
        return false;
    buf[n] = '\0';
    return strcmp(buf, stamp) == 0;
}

/*
 * Put the new root in place. A stale one is first renamed onto an empty mkdtemp directory (rename
 * may replace an empty directory) and removed afterwards. If the final rename still finds a root
 * there, another builder won the race: theirs stays and ours goes.
 */
static int
swap_in(const char *dir, const char *rootfs, const char *tmp, struct vsl_error *err)
{
    _cleanup_free_ char *old = NULL;
    struct stat st;

    if (lstat(rootfs, &st) == 0) {
        old = path_join(dir, "rootfs.old.XXXXXX");
        if (!old)
            return vsl_err(err, ENOMEM, "image 'busybox': out of memory");
        if (!mkdtemp(old))
            return vsl_err_errno(err, "image 'busybox': mkdtemp '%s'", old);
        if (rename(rootfs, old) < 0) {
            int r = vsl_err_errno(err, "image 'busybox': rename '%s' to '%s'", rootfs, old);
            (void)rmdir(old);
            return r;
        }
    }
    if (rename(tmp, rootfs) < 0) {
        if (errno != EEXIST && errno != ENOTEMPTY) {
            int r = vsl_err_errno(err, "image 'busybox': rename '%s' to '%s'", tmp, rootfs);
            if (old)
                (void)rename(old, rootfs);
            return r;
        }
        (void)remove_tree(tmp);
    }
    if (old)
        (void)remove_tree(old);
    return 0;
}

static int
rebuild(const char *dir, const char *rootfs, const char *source, const char *stamp,
        struct vsl_error *err)
{
    _cleanup_free_ char *tmp = NULL, *stamp_tmp = NULL;
    int r;

    remove_leftovers(dir);
    tmp = path_join(dir, "rootfs.tmp.XXXXXX");
    stamp_tmp = path_join(dir, "source.tmp");
    if (!tmp || !stamp_tmp)
        return vsl_err(err, ENOMEM, "image 'busybox': out of memory");
    if (!mkdtemp(tmp))
        return vsl_err_errno(err, "image 'busybox': mkdtemp '%s'", tmp);
    r = populate(tmp, err);
    if (r >= 0)
        r = swap_in(dir, rootfs, tmp, err);
    if (r < 0) {
        (void)remove_tree(tmp);
        return r;
    }
    /* Written last: a crash before this leaves a stale stamp, and the next run rebuilds. */
    r = write_file_at(AT_FDCWD, stamp_tmp, stamp, 0644);
    if (r < 0)
        return vsl_err_code(err, r, "image 'busybox': write '%s'", stamp_tmp);
    if (rename(stamp_tmp, source) < 0)
        return vsl_err_errno(err, "image 'busybox': rename '%s' to '%s'", stamp_tmp, source);
    return 0;
}

static int
lock_dir(const char *dir, int *ret_fd, struct vsl_error *err)
{
    _cleanup_free_ char *path = path_join(dir, ".lock");
    _cleanup_close_ int fd = -EBADF;

    if (!path)
        return vsl_err(err, ENOMEM, "image 'busybox': out of memory");
    fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return vsl_err_errno(err, "image 'busybox': open '%s'", path);
    while (flock(fd, LOCK_EX) < 0)
        if (errno != EINTR)
            return vsl_err_errno(err, "image 'busybox': flock '%s'", path);
    *ret_fd = TAKE_FD(fd);
    return 0;
}

int
vsl_image_builtin(const char *name, const char *data_root, char **ret_rootfs, struct vsl_error *err)
{
    _cleanup_free_ char *dir = NULL, *rootfs = NULL, *source = NULL;
    _cleanup_close_ int lock_fd = -EBADF;
    char stamp[96];
    struct stat st;
    int r;

    if (!vsl_image_is_builtin(name))
        return vsl_err(err, ENOENT, "image '%s': not a built-in image", name ? name : "");
    if (stat(BUSYBOX, &st) < 0) {
        if (errno == ENOENT)
            return vsl_err(err, ENOENT,
                           "image 'busybox': " BUSYBOX
                           " not found (install Debian's busybox-static)");
        return vsl_err_errno(err, "image 'busybox': stat '%s'", BUSYBOX);
    }
    /* "size mtime layout": a package upgrade changes the first two. */
    (void)snprintf(stamp, sizeof(stamp), "%jd %jd %d\n", (intmax_t)st.st_size,
                   (intmax_t)st.st_mtim.tv_sec, LAYOUT_VERSION);
    dir = path_join(data_root ? data_root : VSL_DEFAULT_DATA, "images/busybox");
    rootfs = dir ? path_join(dir, "rootfs") : NULL;
    source = dir ? path_join(dir, "source") : NULL;
    if (!rootfs || !source)
        return vsl_err(err, ENOMEM, "image 'busybox': out of memory");
    r = mkdir_p(dir, 0755, err);
    if (r < 0)
        return r;
    r = lock_dir(dir, &lock_fd, err);
    if (r < 0)
        return r;
    if (!is_current(rootfs, source, stamp)) {
        r = rebuild(dir, rootfs, source, stamp, err);
        if (r < 0)
            return r;
    }
    *ret_rootfs = TAKE_PTR(rootfs);
    return 0;
}
