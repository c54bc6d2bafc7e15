// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stages "rootfs" and "rootfs-readonly": the container's filesystem view.
 * rootfs runs in the child right after namespaces: it needs the container's own mount namespace
 * (the only one it ever changes), its pid namespace for /proc, its network namespace for /sys and
 * its cgroup namespace for /sys/fs/cgroup. Order inside, each step needing the one before:
 *   propagation rslave (nothing below reaches the host) → disk image / ephemeral overlay →
 *   root bound onto itself (a mount point, for pivot_root) → the spec's mounts in order, each
 *   destination resolved inside the root → /dev → console → cwd → masked paths (while the host's
 *   /dev/null is still reachable) → pivot_root and detach the old root (--no-pivot: detach what
 *   can be of the old root's other mounts, move the root onto "/" and chroot).
 * rootfs-readonly (readonlyPaths, root.readonly) runs later, after sysctl, which writes through
 * /proc/sys that readonlyPaths usually covers, and before process drops CAP_SYS_ADMIN.
 */
#include "stages/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/syscalls.h"
#include "stages/stage.h"

static bool
is_bind(const struct vsl_mount *m)
{
    return m->bind || (m->type && strcmp(m->type, "bind") == 0);
}

static bool
is_type(const struct vsl_mount *m, const char *type)
{
    return m->type && strcmp(m->type, type) == 0;
}

/* ---- validate ---- */

static int
validate_mount(const struct vsl_mount *m, size_t i, struct vsl_error *err)
{
    if (!m->destination || !*m->destination)
        return vsl_err(err, EINVAL, "mounts[%zu]: destination is empty", i);
    if (is_bind(m) && (!m->source || !*m->source))
        return vsl_err(err, EINVAL, "mounts[%zu]: bind mount of '%s' has no source", i,
                       m->destination);
    if (!is_bind(m) && (!m->type || !*m->type || strcmp(m->type, "none") == 0))
        return vsl_err(err, EINVAL, "mounts[%zu]: mount of '%s' has no type (and is no bind)", i,
                       m->destination);
    /* idmapped mounts ("idmap", "ridmap", uidMappings): checked by the idmapped stage */
    return 0;
}

static int
validate_abs(const struct vsl_strv *v, const char *what, struct vsl_error *err)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i][0] != '/')
            return vsl_err(err, EINVAL, "%s[%zu]: '%s' is not an absolute path", what, i, v->v[i]);
    return 0;
}

static int
validate_devices(const struct vsl_linux *l, struct vsl_error *err)
{
    for (size_t i = 0; i < l->n_devices; i++) {
        const struct vsl_device *d = &l->devices[i];
        const char *base = d->path ? strrchr(d->path, '/') : NULL;
        if (!d->path || d->path[0] != '/' || !base || !base[1] || strcmp(base, "/..") == 0 ||
            strcmp(base, "/.") == 0)
            return vsl_err(err, EINVAL, "linux.devices[%zu]: '%s' is not an absolute file path", i,
                           d->path ? d->path : "");
        if (!d->type || !strchr("cbup", d->type))
            return vsl_err(err, EINVAL, "linux.devices[%zu]: unknown type '%c' of '%s'", i,
                           d->type ? d->type : '?', d->path);
        if (d->type != 'p' &&
            (d->major < 0 || d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff))
            return vsl_err(err, EINVAL, "linux.devices[%zu]: '%s': bad device number %lld:%lld", i,
                           d->path, (long long)d->major, (long long)d->minor);
    }
    return 0;
}

static int
rootfs_validate(const struct vsl_spec *spec, struct vsl_error *err)
{
    const char *part = vsl_spec_get_annotation(spec, VSL_ANN_PARTITION);
    int r;

    if (!spec->root_path || !*spec->root_path)
        return vsl_err(err, EINVAL, "root.path: missing");
    if (!spec->linux_.namespaces[VSL_NS_MOUNT].present)
        return vsl_err(err, EINVAL, "linux.namespaces: a mount namespace is required");
    if (part) {
        char *end;
        errno = 0;
        long n = strtol(part, &end, 10);
        if (errno || end == part || *end || n < 0 || n > 128)
            return vsl_err(err, EINVAL, "annotations: %s: '%s' is not a partition number",
                           VSL_ANN_PARTITION, part);
    }
    for (size_t i = 0; i < spec->n_mounts; i++)
        if ((r = validate_mount(&spec->mounts[i], i, err)) < 0)
            return r;
    if ((r = validate_abs(&spec->linux_.masked_paths, "linux.maskedPaths", err)) < 0)
        return r;
    if ((r = validate_abs(&spec->linux_.readonly_paths, "linux.readonlyPaths", err)) < 0)
        return r;
    return validate_devices(&spec->linux_, err);
}

/* ---- child: propagation and the root mount ---- */

/*
 * First cut every tie to the host's peer groups: what is mounted from here on never propagates
 * back (the host's mounts still arrive, as to slaves). linux.rootfsPropagation applies on top of
 * that, as given: "rshared" makes peer groups of the container's own, "rprivate" also stops the
 * host's mounts from arriving. runc lets "rshared" reach the host; we do not.
 */
static int
set_propagation(const struct vsl_spec *spec, struct vsl_error *err)
{
    unsigned long p = spec->linux_.rootfs_propagation;

    if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return vsl_err_errno(err, "make '/' rslave");
    if (p && mount(NULL, "/", NULL, p, NULL) < 0)
        return vsl_err_errno(err, "linux.rootfsPropagation: set propagation of '/'");
    return 0;
}

/* pivot_root refuses a root whose mount's parent is shared: make the mount holding root private
 * (only ever needed when rootfsPropagation made mounts shared). */
static int
make_root_parent_private(const char *root, struct vsl_error *err)
{
    _cleanup_close_ int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

    for (int depth = 0; fd >= 0 && depth < 4096; depth++) {
        struct statx stx;
        if (statx(fd, "", AT_EMPTY_PATH, STATX_TYPE, &stx) < 0)
            break;
        if (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) {
            int r = vsl_mnt_setattr(fd, false, 0, 0, MS_PRIVATE);
            if (r < 0)
                return vsl_err_code(err, r, "make the mount holding '%s' private", root);
            return 0;
        }
        int parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        closep(&fd);
        fd = parent;
    }
    return vsl_err_errno(err, "find the mount holding '%s'", root);
}

/* A recursive bind of root onto itself: a mount point of its own (pivot_root needs one), and the
 * fd of that mount, which every later step resolves paths from. */
static int
bind_root(const char *root, int *idmapped, int *ret_rootfd, struct vsl_error *err)
{
    _cleanup_close_ int dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int mnt = -EBADF;

    if (dir < 0)
        return vsl_err_errno(err, "rootfs '%s'", root);
    /* the idmapped stage's clone, when the root is idmapped for a user namespace */
    mnt = *idmapped >= 0 ? TAKE_FD(*idmapped) : vsl_mnt_clone(dir, "", true);
    if (mnt < 0)
        return vsl_err_code(err, mnt, "bind rootfs '%s' onto itself", root);
    int r = vsl_mnt_attach(mnt, dir);
    if (r < 0)
        return vsl_err_code(err, r, "bind rootfs '%s' onto itself", root);
    *ret_rootfd = TAKE_FD(mnt);
    return 0;
}

/* ---- child: the spec's mounts ---- */

static int
mount_bind(const struct vsl_mount *m, int *idmapped, int *ret_mnt, struct vsl_error *err)
{
    uint64_t clr, set = vsl_mnt_attr_from_flags(m->flags, &clr);
    /* an idmapped mount was cloned by the parent (idmapped stage) */
    _cleanup_close_ int mnt =
        *idmapped >= 0 ? TAKE_FD(*idmapped) : vsl_mnt_clone(AT_FDCWD, m->source, m->recursive);

    if (mnt < 0)
        return vsl_err_code(err, mnt, "bind mount '%s' on '%s'", m->source, m->destination);
    /* The flags given are set on the top mount and nothing else changes: mount_setattr keeps
     * what it is not told about, including what the host locked in a user namespace. */
    int r = vsl_mnt_setattr(mnt, false, set, clr, 0);
    if (r < 0)
        return vsl_err_code(err, r, "bind mount '%s' on '%s': set mount flags", m->source,
                            m->destination);
    *ret_mnt = TAKE_FD(mnt);
    return 0;
}

/* crun's recursive attributes ("rro", "rnosuid"...), applied to the whole tree of a mount. The
 * parser leaves them in the options (its ro_recursive would lose the order against "rrw"). */
static uint64_t
recursive_attrs(const struct vsl_mount *m, uint64_t *ret_clr)
{
    static const struct {
        const char *name;
        uint64_t set, clr;
    } ropts[] = {
        {"rro", MOUNT_ATTR_RDONLY, 0},
        {"rrw", 0, MOUNT_ATTR_RDONLY},
        {"rnosuid", MOUNT_ATTR_NOSUID, 0},
        {"rsuid", 0, MOUNT_ATTR_NOSUID},
        {"rnodev", MOUNT_ATTR_NODEV, 0},
        {"rdev", 0, MOUNT_ATTR_NODEV},
        {"rnoexec", MOUNT_ATTR_NOEXEC, 0},
        {"rexec", 0, MOUNT_ATTR_NOEXEC},
        {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
        {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
        {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
        {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
        {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
        {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
        {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
        {"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
        {"rnorelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
        {"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    };
    uint64_t set = 0, clr = 0;

    /* In order: a later option wins over an earlier one. An atime mode is set by clearing the
     * whole atime field (which the kernel requires) and setting the mode in it. */
    for (size_t i = 0; i < m->options.n; i++)
        for (size_t j = 0; j < ARRAY_SIZE(ropts); j++)
            if (strcmp(m->options.v[i], ropts[j].name) == 0) {
                set = (set & ~ropts[j].clr) | ropts[j].set;
                clr = (clr & ~ropts[j].set) | ropts[j].clr;
            }
    *ret_clr = clr;
    return set;
}

static int
mount_sysfs(const struct vsl_mount *m, int *ret_mnt, struct vsl_error *err)
{
    uint64_t clr, set = vsl_mnt_attr_from_flags(m->flags, &clr);

    int r = vsl_mnt_new("sysfs", m->source, m->data, m->flags, m->destination, ret_mnt, err);
    if (r != -EPERM)
        return r;
    /* A user namespace without a network namespace of its own may not mount sysfs: bind the
     * host's, as runc does. */
    _cleanup_close_ int mnt = vsl_mnt_clone(AT_FDCWD, "/sys", true);
    if (mnt < 0)
        return vsl_err_code(err, mnt, "bind '/sys' on '%s' (sysfs: Permission denied)",
                            m->destination);
    r = vsl_mnt_setattr(mnt, true, set, clr, 0);
    if (r < 0)
        return vsl_err_code(err, r, "bind '/sys' on '%s': set mount flags", m->destination);
    *ret_mnt = TAKE_FD(mnt);
    return 0;
}

/* One line of /proc/self/cgroup: "3:cpu,cpuacct:/path" (v1) or "0::/path" (v2), as pointers into
 * the buffer read_cgroups filled. */
struct cg_line {
    const char *ctrl;
    const char *path;
};

#define CG_BUF (16 * 1024)
#define CG_MAX 32

/* /proc/self/cgroup into buf (CG_BUF bytes, cut into strings) and v (CG_MAX lines): one read and
 * no copies, as the init runs this, where every page it touches first costs a fault. */
static int
read_cgroups(char *buf, struct cg_line *v, size_t *ret_n, struct vsl_error *err)
{
    _cleanup_close_ int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
    size_t len = 0, n = 0;
    ssize_t k = 0;

    if (fd < 0)
        return vsl_err_errno(err, "open '/proc/self/cgroup'");
    while (len < CG_BUF - 1 && (k = read(fd, buf + len, CG_BUF - 1 - len)) > 0)
        len += (size_t)k;
    if (k < 0)
        return vsl_err_errno(err, "read '/proc/self/cgroup'");
    if (len >= CG_BUF - 1)
        return vsl_err(err, E2BIG, "'/proc/self/cgroup' is longer than %d bytes", CG_BUF - 1);
    buf[len] = '\0';
    for (char *line = buf, *next; *line && n < CG_MAX; line = next) {
        next = line + strcspn(line, "\n");
        if (*next)
            *next++ = '\0';
        char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
        if (!b)
            continue;
        *b = '\0';
        v[n].ctrl = a + 1;
        v[n++].path = b + 1;
    }
    *ret_n = n;
    return 0;
}

/*
 * One hierarchy of a cgroup mount: with the container's own cgroup namespace a fresh mount, whose
 * root is the container's cgroup; without, a bind of the container's cgroup directory of the
 * host's mount (/sys/fs/cgroup/<name><path>). dirfd is the cgroup mount; name the directory in it
 * ("" for the whole mount, v2 only).
 */
static int
cg_mount_one(int dirfd, const char *name, const struct cg_line *cg, bool own_ns,
             const struct vsl_mount *m, int *ret_mnt, struct vsl_error *err)
{
    _cleanup_close_ int mnt = -EBADF;
    char label[PATH_MAX], host[PATH_MAX * 2];
    uint64_t clr, set = vsl_mnt_attr_from_flags(m->flags, &clr);
    bool v2 = cg->ctrl[0] == '\0';
    int r;

    (void)vsl_concat(label, sizeof(label), m->destination, *name ? "/" : "", name, (char *)NULL);
    (void)vsl_concat(host, sizeof(host), "/sys/fs/cgroup", *name ? "/" : "", name, cg->path,
                     (char *)NULL);
    if (own_ns) {
        r = vsl_mnt_new(v2 ? "cgroup2" : "cgroup", "cgroup", v2 ? m->data : cg->ctrl, m->flags,
                        label, &mnt, err);
        if (r < 0)
            return r;
    } else {
        mnt = vsl_mnt_clone(AT_FDCWD, host, false);
        if (mnt == -ENOENT)
            return 0; /* a hierarchy the host does not mount: nothing to show */
        if (mnt < 0)
            return vsl_err_code(err, mnt, "bind '%s' on '%s'", host, label);
        /* in the v1 tmpfs (a name), mount_cgroup sets the attributes of all at once */
        if (!*name && (r = vsl_mnt_setattr(mnt, false, set, clr, 0)) < 0)
            return vsl_err_code(err, r, "bind '%s' on '%s'", host, label);
    }
    if (*name && mkdirat(dirfd, name, 0755) < 0)
        return vsl_err_errno(err, "mkdir '%s'", label);
    /* the directory is in vessel's own fresh tmpfs: a path is safe, and saves opening it */
    if (move_mount(mnt, "", dirfd, name,
                   MOVE_MOUNT_F_EMPTY_PATH | (*name ? 0 : MOVE_MOUNT_T_EMPTY_PATH)) < 0)
        return vsl_err_errno(err, "move_mount cgroup onto '%s'", label);
    if (ret_mnt)
        *ret_mnt = TAKE_FD(mnt);
    /* Co-mounted controllers ("cpu,cpuacct") are also reached by each name, as on the host. */
    if (strchr(name, ',')) {
        _cleanup_free_ char *names = strdup(name);
        char *save = NULL;
        for (char *c = names ? strtok_r(names, ",", &save) : NULL; c;
             c = strtok_r(NULL, ",", &save))
            if (symlinkat(name, dirfd, c) < 0 && errno != EEXIST)
                return vsl_err_errno(err, "symlink '%s/%s'", m->destination, c);
    }
    return 0;
}

/*
 * A "cgroup" mount. Pure v2: cgroup2 itself. v1 or hybrid (this host): a tmpfs holding one
 * mount per hierarchy of /proc/self/cgroup (named as on the host: cpu, memory, systemd, unified
 * for the v2 one); read-only last, once everything is in place. Returns the attached mount.
 */
static int
mount_cgroup(const struct vsl_spec *spec, const char *cg_path, const struct vsl_mount *m,
             int target, int *ret_mnt, struct vsl_error *err)
{
    bool own_ns = spec->linux_.namespaces[VSL_NS_CGROUP].present;
    _cleanup_free_ char *buf = malloc(CG_BUF);
    struct cg_line cg[CG_MAX];
    _cleanup_close_ int tmp = -EBADF;
    size_t n = 0;
    bool v1 = false;

    if (!buf)
        return vsl_err(err, ENOMEM, "out of memory");
    int r = read_cgroups(buf, cg, &n, err);
    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        v1 |= cg[i].ctrl[0] != '\0';
        /* joining alongside (cgroup_late): not there yet, but in this one in every hierarchy */
        if (cg_path && !own_ns)
            cg[i].path = cg_path;
    }
    if (!v1)
        return n ? cg_mount_one(target, "", &cg[0], own_ns, m, ret_mnt, err) : 0;
    r = vsl_mnt_new("tmpfs", "cgroup", "mode=755", m->flags & ~MS_RDONLY, m->destination, &tmp,
                    err);
    if (r < 0)
        return r;
    if ((r = vsl_mnt_attach(tmp, target)) < 0)
        return vsl_err_code(err, r, "move_mount tmpfs onto '%s'", m->destination);
    for (size_t i = 0; i < n; i++) {
        const char *name = cg[i].ctrl[0] == '\0' ? "unified" : cg[i].ctrl;
        if (strncmp(name, "name=", 5) == 0)
            name += 5;
        if ((r = cg_mount_one(tmp, name, &cg[i], own_ns, m, NULL, err)) < 0)
            return r;
    }
    /* read-only (as asked), nosuid, nodev, noexec: the tmpfs and every hierarchy in one call */
    uint64_t clr, set = vsl_mnt_attr_from_flags(m->flags, &clr);
    if ((r = vsl_mnt_setattr(tmp, true, set, clr, 0)) < 0)
        return vsl_err_code(err, r, "set the attributes of '%s'", m->destination);
    *ret_mnt = TAKE_FD(tmp);
    return 0;
}

/*
 * A new filesystem onto target in one mount(2), through the target's /proc/self/fd link (the
 * target was resolved in the root: runc mounts the same way), where the mount API takes six calls
 * and an anonymous mount namespace for each. false on any failure: the API's way then says more.
 */
static bool
mount_by_procfd(const char *type, const char *source, const char *data, unsigned long flags,
                int target)
{
    char path[40], fd[24];

    (void)vsl_concat(path, sizeof(path), "/proc/self/fd/", vsl_utoa((unsigned)target, fd),
                     (char *)NULL);
    flags &= ~(unsigned long)(MS_REC | MS_BIND | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE);
    return mount(source && *source ? source : type, path, type, flags, data) == 0;
}

/* Create the mount m describes, detached (cgroup: attached on target, it is built in place; a
 * plain new filesystem: mounted on target at once, *ret_mnt left < 0). */
static int
make_mount(const struct vsl_spec *spec, const char *cg_path, const struct vsl_mount *m, int target,
           bool plain, int *idmapped, int *ret_mnt, struct vsl_error *err)
{
    _cleanup_close_ int mnt = -EBADF;
    int r;

    if (is_type(m, "cgroup") && !is_bind(m))
        return mount_cgroup(spec, cg_path, m, target, ret_mnt, err);
    if (plain && !is_bind(m) && m->type &&
        mount_by_procfd(m->type, m->source, m->data, m->flags, target))
        return 0;
    if (is_bind(m))
        r = mount_bind(m, idmapped, &mnt, err);
    else if (is_type(m, "sysfs"))
        r = mount_sysfs(m, &mnt, err);
    else
        r = vsl_mnt_new(m->type, m->source, m->data, m->flags, m->destination, &mnt, err);
    if (r < 0)
        return r;
    if ((r = vsl_mnt_attach(mnt, target)) < 0)
        return vsl_err_code(err, r, "move_mount %s onto '%s'", is_bind(m) ? "bind" : m->type,
                            m->destination);
    *ret_mnt = TAKE_FD(mnt);
    return 0;
}

static int
mount_one(int rootfd, const struct vsl_spec *spec, const char *cg_path, const struct vsl_mount *m,
          int *idmapped, struct vsl_error *err)
{
    _cleanup_close_ int target = -EBADF, mnt = -EBADF;
    enum vsl_fs_kind kind = VSL_FS_DIR;
    uint64_t rclr, rset = recursive_attrs(m, &rclr);
    int r;

    if (is_bind(m)) {
        struct stat st;
        /* The source is the caller's host path: following its symlinks is what was asked. */
        if (stat(m->source, &st) < 0)
            return vsl_err_errno(err, "bind mount '%s' on '%s'", m->source, m->destination);
        if (!S_ISDIR(st.st_mode))
            kind = VSL_FS_FILE;
    }
    r = vsl_fs_mkpath_in_root(rootfd, m->destination, kind, kind == VSL_FS_DIR ? 0755 : 0644,
                              &target);
    if (r < 0)
        return vsl_err_code(err, r, "mount destination '%s' in rootfs", m->destination);
    bool plain = !rset && !rclr && !m->propagation;
    if ((r = make_mount(spec, cg_path, m, target, plain, idmapped, &mnt, err)) < 0)
        return r;
    if (mnt < 0)
        return 0;
    if ((r = vsl_mnt_setattr(mnt, true, rset, rclr, 0)) < 0)
        return vsl_err_code(err, r, "set recursive mount flags of '%s'", m->destination);
    if (m->propagation &&
        (r = vsl_mnt_setattr(mnt, m->propagation & MS_REC, 0, 0, m->propagation & ~MS_REC)) < 0)
        return vsl_err_code(err, r, "set propagation of '%s'", m->destination);
    return 0;
}

/* runc's rule: a bind mount at /dev means the caller brings its own devices. */
static bool
dev_is_bound(const struct vsl_spec *spec)
{
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct vsl_mount *m = &spec->mounts[i];
        if (is_bind(m) &&
            (strcmp(m->destination, "/dev") == 0 || strcmp(m->destination, "/dev/") == 0))
            return true;
    }
    return false;
}

static int
setup_console(struct vsl_ctx *ctx, int rootfd, struct vsl_error *err)
{
    const struct vsl_process *p = &ctx->spec->process;
    _cleanup_close_ int master = -EBADF, slave = -EBADF;

    int r = vsl_dev_open_pty(rootfd, &master, &slave, err);
    if (r < 0)
        return r;
    if (p->console_height || p->console_width) {
        struct winsize ws = {.ws_row = (unsigned short)p->console_height,
                             .ws_col = (unsigned short)p->console_width};
        if (ioctl(master, TIOCSWINSZ, &ws) < 0)
            return vsl_err_errno(err, "process.consoleSize: set window size");
    }
    r = vsl_dev_bind_console(rootfd, slave, err);
    if (r < 0)
        return r;
    closep(&ctx->pty_master);
    closep(&ctx->pty_slave);
    ctx->pty_master = TAKE_FD(master);
    ctx->pty_slave = TAKE_FD(slave);
    return 0;
}

/* ---- child: masked paths and pivot_root ---- */

/*
 * A masked path must hide exactly the object it names: it is resolved in the root with no symlink
 * at all (RESOLVE_NO_SYMLINKS), so an image cannot redirect a mask to another file (which would
 * stay visible) and a symlinked masked path is an error, not a silent no-op. A missing path is
 * skipped. Files get the host's /dev/null (checked to be 1:3: never a node from the image), dirs
 * an empty read-only tmpfs.
 */
static int
mask_one(int rootfd, const char *path, struct vsl_error *err)
{
    _cleanup_close_ int fd = vsl_fs_open_in_root(rootfd, path, O_PATH, RESOLVE_NO_SYMLINKS);
    _cleanup_close_ int mnt = -EBADF;
    struct stat st;
    int r;

    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return vsl_err_code(err, fd, "linux.maskedPaths: '%s'%s", path,
                            fd == -ELOOP ? " goes through a symlink" : "");
    if (fstat(fd, &st) < 0)
        return vsl_err_errno(err, "linux.maskedPaths: stat '%s'", path);
    if (S_ISDIR(st.st_mode)) {
        if (mount_by_procfd("tmpfs", "tmpfs", NULL, MS_RDONLY, fd))
            return 0;
        r = vsl_mnt_new("tmpfs", "tmpfs", NULL, MS_RDONLY, path, &mnt, err);
        if (r < 0)
            return r;
    } else {
        mnt = vsl_mnt_clone(AT_FDCWD, "/dev/null", false);
        if (mnt < 0)
            return vsl_err_code(err, mnt, "open_tree '/dev/null'");
        if (fstat(mnt, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
            return vsl_err(err, EINVAL, "mask '%s': the host's /dev/null is not 1:3", path);
    }
    if ((r = vsl_mnt_attach(mnt, fd)) < 0)
        return vsl_err_code(err, r, "mask '%s'", path);
    return 0;
}

/*
 * fd-based pivot_root(".", "."): the old root ends up stacked on the new one and is detached
 * whole; nothing of the host stays reachable. Before the detach the old root's tree is made rslave
 * (by fd: "." would name the new root), so that whatever rootfsPropagation made shared, the
 * unmounts cannot travel to a peer, while the container's own mounts keep their propagation.
 */
static int
pivot(int rootfd, const char *root, struct vsl_error *err)
{
    _cleanup_close_ int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

    if (oldroot < 0)
        return vsl_err_errno(err, "open '/'");
    if (fchdir(rootfd) < 0)
        return vsl_err_errno(err, "chdir '%s'", root);
    if (sys_pivot_root(".", ".") < 0)
        return vsl_err_errno(err, "pivot_root into '%s'", root);
    int r = vsl_mnt_setattr(oldroot, true, 0, 0, MS_SLAVE);
    if (r < 0)
        return vsl_err_code(err, r, "make the old root rslave");
    if (umount2(".", MNT_DETACH) < 0)
        return vsl_err_errno(err, "detach the old root");
    if (chdir("/") < 0)
        return vsl_err_errno(err, "chdir '/'");
    return 0;
}

/* mountinfo writes ' ', '\t', '\n' and '\\' as \ooo. */
static void
unescape_mountinfo(char *s)
{
    char *out = s;

    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
            s += 3;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
}

/* Is path dir itself or below it (both canonical)? */
static bool
is_at_or_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    if (strcmp(dir, "/") == 0)
        return true;
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void
free_points(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The mount points of /proc/self/mountinfo, in its order (parents before their children). */
static int
read_mount_points(char ***ret, size_t *ret_n, struct vsl_error *err)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
    _cleanup_free_ char *line = NULL;
    char **v = NULL;
    size_t len = 0, n = 0;

    if (!f)
        return vsl_err_errno(err, "open '/proc/self/mountinfo'");
    while (getline(&line, &len, f) > 0) {
        char *save = NULL, *field = strtok_r(line, " ", &save);
        for (int i = 0; field && i < 4; i++)
            field = strtok_r(NULL, " ", &save);
        if (!field)
            continue;
        char **nv = realloc(v, (n + 1) * sizeof(*v));
        if (nv)
            v = nv;
        if (!nv || !(v[n] = strdup(field))) {
            free_points(v, n);
            return vsl_err(err, ENOMEM, "out of memory");
        }
        unescape_mountinfo(v[n++]);
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

/*
 * --no-pivot, before the move: the old root stays mounted under the new one, so detach every
 * mount of it that is neither the new root, inside it, nor on its way (an ancestor holding it),
 * children first. Above all the host's /proc and /sys must go: while a full procfs or sysfs stays
 * in the namespace the kernel lets the container mount new, unmasked ones (runc's msMoveRoot
 * handles only those two). Each is made rslave first (as set_propagation did, in case
 * rootfsPropagation made it shared since): nothing propagates to the host.
 * What cannot be detached (locked in a user namespace: EINVAL) is left, except a procfs or sysfs,
 * which a tmpfs covers, as runc does.
 */
static int
detach_old_mounts(const char *root, struct vsl_error *err)
{
    _cleanup_free_ char *canon = realpath(root, NULL);
    const char *new_root = canon ? canon : root;
    char **points = NULL;
    size_t n = 0;
    int r = read_mount_points(&points, &n, err);

    for (size_t i = n; r >= 0 && i-- > 0;) {
        const char *p = points[i];
        struct statfs sfs;
        if (is_at_or_under(p, new_root) || is_at_or_under(new_root, p))
            continue;
        /* rootfsPropagation may have made it shared again: the detach must not reach a peer */
        (void)mount(NULL, p, NULL, MS_SLAVE | MS_REC, NULL);
        if (umount2(p, MNT_DETACH | UMOUNT_NOFOLLOW) == 0 || statfs(p, &sfs) < 0)
            continue; /* detached, or gone with a parent detached before */
        if (sfs.f_type != PROC_SUPER_MAGIC && sfs.f_type != SYSFS_MAGIC)
            continue;
        if (mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
            r = vsl_err_errno(err, "--no-pivot: cover the host's '%s'", p);
    }
    free_points(points, n);
    return r;
}

/*
 * --no-pivot (runc's msMoveRoot), for a root pivot_root refuses (ramfs, initramfs: EINVAL): move
 * the root's mount onto "/" and chroot into it. The old root stays in the namespace, covered by
 * the new one ("..", and setns into the namespace, land on the top mount), where pivot_root
 * leaves nothing of it: hence opt-in only.
 */
static int
move_root(int rootfd, const char *root, struct vsl_error *err)
{
    int r = detach_old_mounts(root, err);

    if (r < 0)
        return r;
    if (fchdir(rootfd) < 0)
        return vsl_err_errno(err, "chdir '%s'", root);
    if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
        return vsl_err_errno(err, "--no-pivot: move '%s' onto '/'", root);
    if (chroot(".") < 0)
        return vsl_err_errno(err, "--no-pivot: chroot into '%s'", root);
    if (chdir("/") < 0)
        return vsl_err_errno(err, "chdir '/'");
    return 0;
}

static int
setup_tree(struct vsl_ctx *ctx, int rootfd, struct vsl_error *err)
{
    const struct vsl_spec *spec = ctx->spec;
    const char *cg_path = ctx->cgroup_late ? vsl_cgroup_path(ctx->cgroup) : NULL;
    int r;

    for (size_t i = 0; i < spec->n_mounts; i++) {
        int none = -EBADF, *idmapped = i < ctx->n_idmap_mnt_fds ? &ctx->idmap_mnt_fds[i] : &none;
        if ((r = mount_one(rootfd, spec, cg_path, &spec->mounts[i], idmapped, err)) < 0)
            return r;
    }
    if ((r = vsl_dev_setup(rootfd, spec, !dev_is_bound(spec), err)) < 0)
        return r;
    if (spec->has_process && spec->process.terminal && (r = setup_console(ctx, rootfd, err)) < 0)
        return r;
    /* Made here, as runc does: the root may be read-only by the time process changes into it. */
    if (spec->has_process && spec->process.cwd) {
        _cleanup_close_ int cwd = -EBADF;
        r = vsl_fs_mkpath_in_root(rootfd, spec->process.cwd, VSL_FS_DIR, 0755, &cwd);
        if (r < 0)
            return vsl_err_code(err, r, "process.cwd: mkdir '%s' in rootfs", spec->process.cwd);
    }
    for (size_t i = 0; i < spec->linux_.masked_paths.n; i++)
        if ((r = mask_one(rootfd, spec->linux_.masked_paths.v[i], err)) < 0)
            return r;
    return 0;
}

static int
rootfs_child_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    _cleanup_close_ int rootfd = -EBADF;
    /* Modes are exactly the ones asked for (0755 dirs, 0666 devices, 1777 /dev/shm). */
    mode_t old_umask = umask(0);
    int r;

    if ((r = set_propagation(ctx->spec, err)) < 0)
        goto out;
    if ((r = rootfs_mount_root(ctx, err)) < 0)
        goto out;
    if ((ctx->spec->linux_.rootfs_propagation & MS_SHARED) &&
        (r = make_root_parent_private(ctx->rootfs, err)) < 0)
        goto out;
    if ((r = bind_root(ctx->rootfs, &ctx->idmap_root_fd, &rootfd, err)) < 0)
        goto out;
    if ((r = setup_tree(ctx, rootfd, err)) < 0)
        goto out;
    /* OCI hooks: prestart and createRuntime run now in the runtime's namespaces, createContainer
     * in the container's, both with the mounts done and before pivot_root (config.md). */
    if (ctx->hooks && (r = vsl_launch_before_pivot(ctx, err)) < 0)
        goto out;
    r = ctx->no_pivot ? move_root(rootfd, ctx->rootfs, err) : pivot(rootfd, ctx->rootfs, err);
out:
    (void)umask(old_umask);
    return r;
}

/* exec joins the container's mount namespace: its root is built already. */
static bool
rootfs_enabled(const struct vsl_ctx *ctx)
{
    return !ctx->exec;
}

const struct vsl_stage vsl_stage_rootfs = {
    .name = "rootfs",
    .enabled = rootfs_enabled,
    .validate = rootfs_validate,
    .prepare = rootfs_prepare,
    .parent_setup = rootfs_parent_setup,
    .child_setup = rootfs_child_setup,
    .undo = rootfs_undo,
};

/* ---- stage rootfs-readonly: after pivot_root, in the container's root ---- */

static bool
readonly_enabled(const struct vsl_ctx *ctx)
{
    return !ctx->exec && (ctx->spec->root_readonly || ctx->spec->linux_.readonly_paths.n > 0);
}

/* Resolved as masked paths are (no symlinks); the bind keeps everything mounted below it. */
static int
readonly_one(int rootfd, const char *path, struct vsl_error *err)
{
    _cleanup_close_ int fd = vsl_fs_open_in_root(rootfd, path, O_PATH, RESOLVE_NO_SYMLINKS);
    _cleanup_close_ int mnt = -EBADF;
    int r;

    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return vsl_err_code(err, fd, "linux.readonlyPaths: '%s'%s", path,
                            fd == -ELOOP ? " goes through a symlink" : "");
    mnt = vsl_mnt_clone(fd, "", true);
    if (mnt < 0)
        return vsl_err_code(err, mnt, "bind '%s' onto itself", path);
    if ((r = vsl_mnt_setattr(mnt, true, MOUNT_ATTR_RDONLY, 0, 0)) < 0)
        return vsl_err_code(err, r, "make '%s' read-only", path);
    if ((r = vsl_mnt_attach(mnt, fd)) < 0)
        return vsl_err_code(err, r, "make '%s' read-only: move_mount", path);
    return 0;
}

static int
readonly_child_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_spec *spec = ctx->spec;
    _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int r;

    if (rootfd < 0)
        return vsl_err_errno(err, "open '/'");
    for (size_t i = 0; i < spec->linux_.readonly_paths.n; i++)
        if ((r = readonly_one(rootfd, spec->linux_.readonly_paths.v[i], err)) < 0)
            return r;
    /* Only "/" itself: the spec's mounts keep their own flags, as with runc. */
    if (spec->root_readonly && (r = vsl_mnt_setattr(rootfd, false, MOUNT_ATTR_RDONLY, 0, 0)) < 0)
        return vsl_err_code(err, r, "root.readonly: make '/' read-only");
    return 0;
}

const struct vsl_stage vsl_stage_rootfs_readonly = {
    .name = "rootfs-readonly",
    .enabled = readonly_enabled,
    .child_setup = readonly_child_setup,
};
