// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The container's /dev (config-linux.md "Default Devices" and linux.devices) and its terminal.
 * Called by the rootfs stage in the child, after the spec's mounts (so into the /dev tmpfs and the
 * new devpts instance) and before pivot_root: where mknod is refused (a user namespace) a device
 * is the host's node bind-mounted, which must still be reachable. vsl_dev_open_pty also serves a
 * process that is already inside the container (exec -t).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "stages/rootfs.h"

/* The devices every container gets, with the numbers the kernel gives them everywhere. */
static const struct {
    const char *path;
    unsigned int major, minor;
} default_devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static const struct {
    const char *name, *target;
} default_links[] = {
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};

/* No mknod (user namespace): an empty file with the host's node of the same path bound on it. */
static int
bind_host_node(int dirfd, const char *base, const char *path, struct vsl_error *err)
{
    _cleanup_close_ int fd = -EBADF, target = -EBADF, mnt = -EBADF;

    fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return vsl_err_errno(err, "create '%s'", path);
    target = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (target < 0)
        return vsl_err_errno(err, "open '%s'", path);
    /* The host's /dev is trusted: it is the caller's, not the image's. */
    mnt = vsl_mnt_clone(AT_FDCWD, path, false);
    if (mnt < 0)
        return vsl_err_code(err, mnt, "mknod '%s' is not permitted; bind host's '%s'", path, path);
    int r = vsl_mnt_attach(mnt, target);
    if (r < 0)
        return vsl_err_code(err, r, "bind host's '%s' onto '%s'", path, path);
    return 0;
}

/* mknod base in dirfd (path, for messages) with mode and owner (uid/gid -1: keep); an existing
 * entry is kept. */
static int
make_node_at(int dirfd, const char *base, const char *path, mode_t mode, dev_t dev, uid_t uid,
             gid_t gid, struct vsl_error *err)
{
    if (mknodat(dirfd, base, mode, dev) < 0) {
        if (errno == EEXIST)
            return 0;
        if (errno != EPERM || S_ISFIFO(mode))
            return vsl_err_errno(err, "mknod '%s'", path);
        return bind_host_node(dirfd, base, path, err);
    }
    if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
        fchownat(dirfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        return vsl_err_errno(err, "chown '%s' to %u:%u", path, uid, gid);
    return 0;
}

/* make_node_at with path's directory made (resolved in the root) first. */
static int
make_node(int rootfd, const char *path, mode_t mode, dev_t dev, uid_t uid, gid_t gid,
          struct vsl_error *err)
{
    _cleanup_free_ char *dir = NULL;
    _cleanup_close_ int dirfd = -EBADF;
    const char *base;

    int r = vsl_fs_split(path, &dir, &base);
    if (r < 0)
        return vsl_err_code(err, r, "device '%s'", path);
    r = vsl_fs_mkpath_in_root(rootfd, dir, VSL_FS_DIR, 0755, &dirfd);
    if (r < 0)
        return vsl_err_code(err, r, "device '%s': mkdir '%s' in rootfs", path, dir);
    return make_node_at(dirfd, base, path, mode, dev, uid, gid, err);
}

static mode_t
device_type(char type)
{
    switch (type) {
    case 'b':
        return S_IFBLK;
    case 'p':
        return S_IFIFO;
    default: /* 'c' and 'u' (unbuffered): validate let nothing else through */
        return S_IFCHR;
    }
}

static int
spec_devices(int rootfd, const struct vsl_spec *spec, struct vsl_error *err)
{
    for (size_t i = 0; i < spec->linux_.n_devices; i++) {
        const struct vsl_device *d = &spec->linux_.devices[i];
        mode_t perm = d->file_mode.set ? (mode_t)(d->file_mode.v & 07777) : 0666;
        dev_t dev = d->type == 'p' ? 0 : makedev((unsigned)d->major, (unsigned)d->minor);
        int r = make_node(rootfd, d->path, device_type(d->type) | perm, dev,
                          d->uid.set ? (uid_t)d->uid.v : (uid_t)-1,
                          d->gid.set ? (gid_t)d->gid.v : (gid_t)-1, err);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
default_entries(int rootfd, struct vsl_error *err)
{
    _cleanup_close_ int devfd = -EBADF;

    /* all in /dev: resolved once */
    int r = vsl_fs_mkpath_in_root(rootfd, "/dev", VSL_FS_DIR, 0755, &devfd);
    if (r < 0)
        return vsl_err_code(err, r, "open '/dev' in rootfs");
    for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
        const char *path = default_devices[i].path;
        dev_t dev = makedev(default_devices[i].major, default_devices[i].minor);
        r = make_node_at(devfd, path + strlen("/dev/"), path, S_IFCHR | 0666, dev, (uid_t)-1,
                         (gid_t)-1, err);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < ARRAY_SIZE(default_links); i++)
        if (symlinkat(default_links[i].target, devfd, default_links[i].name) < 0 && errno != EEXIST)
            return vsl_err_errno(err, "symlink '/dev/%s'", default_links[i].name);
    /* /dev/ptmx must lead to the container's own devpts instance, whatever the image put there. */
    char link[16];
    ssize_t n = readlinkat(devfd, "ptmx", link, sizeof(link));
    if (n != 8 || memcmp(link, "pts/ptmx", 8) != 0) {
        if (unlinkat(devfd, "ptmx", 0) < 0 && errno != ENOENT)
            return vsl_err_errno(err, "remove '/dev/ptmx'");
        if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
            return vsl_err_errno(err, "symlink '/dev/ptmx'");
    }
    if (mkdirat(devfd, "shm", 01777) < 0 && errno != EEXIST)
        return vsl_err_errno(err, "mkdir '/dev/shm'");
    return 0;
}

int
vsl_dev_setup(int rootfd, const struct vsl_spec *spec, bool default_devices_too,
              struct vsl_error *err)
{
    int r = spec_devices(rootfd, spec, err);
    if (r < 0 || !default_devices_too)
        return r;
    return default_entries(rootfd, err);
}

int
vsl_dev_open_pty(int rootfd, int *ret_master, int *ret_slave, struct vsl_error *err)
{
    _cleanup_close_ int master = -EBADF;
    struct statfs sfs;
    int unlock = 0;

    if (rootfd >= 0)
        master =
            vsl_fs_open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, RESOLVE_NO_SYMLINKS);
    else
        master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
    if (master < 0)
        return vsl_err_code(err, rootfd >= 0 ? master : errno,
                            "process.terminal: open '/dev/pts/ptmx' (a devpts mount at "
                            "'/dev/pts' is needed)");
    /* Only a devpts we mounted: a ptmx from anywhere else could hand out the host's ptys. */
    if (fstatfs(master, &sfs) < 0)
        return vsl_err_errno(err, "fstatfs '/dev/pts/ptmx'");
    if (sfs.f_type != DEVPTS_SUPER_MAGIC)
        return vsl_err(err, EINVAL, "process.terminal: '/dev/pts/ptmx' is not on a devpts mount");
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
        return vsl_err_errno(err, "unlock pty (TIOCSPTLCK)");
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        return vsl_err_errno(err, "open pty peer (TIOCGPTPEER)");
    *ret_master = TAKE_FD(master);
    *ret_slave = slave;
    return 0;
}

int
vsl_dev_bind_console(int rootfd, int slave_fd, struct vsl_error *err)
{
    _cleanup_close_ int target = -EBADF, mnt = -EBADF;

    int r = vsl_fs_mkpath_in_root(rootfd, "/dev/console", VSL_FS_FILE, 0600, &target);
    if (r < 0)
        return vsl_err_code(err, r, "create '/dev/console' in rootfs");
    mnt = vsl_mnt_clone(slave_fd, "", false);
    if (mnt < 0)
        return vsl_err_code(err, mnt, "open_tree pty for '/dev/console'");
    r = vsl_mnt_attach(mnt, target);
    if (r < 0)
        return vsl_err_code(err, r, "bind pty onto '/dev/console'");
    return 0;
}
