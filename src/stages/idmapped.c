// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stage "idmapped": idmapped mounts (mount_setattr MOUNT_ATTR_IDMAP), so no root filesystem or
 * volume is ever chowned for a user namespace. Runs in the parent, in prepare, before rootfs: the
 * kernel lets only a caller privileged over the filesystem (host root) idmap a mount, and only a
 * detached one. So the parent clones the trees (open_tree), idmaps them with a user namespace that
 * has the wanted mapping (a short-lived helper's: an idmapping is the mapping, not the
 * namespace), and the child inherits the fds and attaches them in the rootfs stage:
 *   - the root directory, when the container gets a new user namespace (not for disk images, the
 *     ephemeral overlay or an unprivileged caller, whose own files map to root anyway);
 * The child still reaches the root and volume sources by path, as runc's does: their parent
 * directories must be searchable by the namespace's root.
 *   - bind mounts with the "idmap"/"ridmap" options or their own uidMappings/gidMappings
 *     (runtime-spec 1.1: the mount's mapping; without one, the container's). `vessel run` adds
 *     "idmap" to its -v volumes when it gives the container a user namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "stages/rootfs.h"
#include "stages/stage.h"

static bool
has_opt(const struct vsl_mount *m, const char *name)
{
    for (size_t i = 0; i < m->options.n; i++)
        if (strcmp(m->options.v[i], name) == 0)
            return true;
    return false;
}

bool
vsl_mount_is_idmapped(const struct vsl_mount *m)
{
    return m->n_uid_mappings || m->n_gid_mappings || has_opt(m, "idmap") || has_opt(m, "ridmap");
}

static bool
new_userns(const struct vsl_spec *spec)
{
    const struct vsl_namespace *ns = &spec->linux_.namespaces[VSL_NS_USER];
    return ns->present && !ns->path;
}

static int
write_map(pid_t pid, const char *file, const struct vsl_idmap *map, size_t n, struct vsl_error *err)
{
    char path[64], buf[4096];
    size_t len = 0;

    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", map[i].container_id,
                         map[i].host_id, map[i].size);
        if (w < 0 || (size_t)w >= sizeof(buf) - len)
            return vsl_err(err, E2BIG, "idmapped mount: too many %s entries", file);
        len += (size_t)w;
    }
    (void)snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
        return vsl_err_errno(err, "write '%s'", path);
    return 0;
}

/* A user namespace with these maps, as an fd: a helper child unshares one and waits. */
static int
userns_fd(const struct vsl_idmap *u, size_t nu, const struct vsl_idmap *g, size_t ng, int *ret,
          struct vsl_error *err)
{
    int pipefd[2], status, r;
    char path[64];

    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return vsl_err_errno(err, "pipe2");
    pid_t pid = fork();
    if (pid < 0) {
        r = vsl_err_errno(err, "fork");
        (void)close(pipefd[0]);
        (void)close(pipefd[1]);
        return r;
    }
    if (pid == 0) {
        char c;
        (void)close(pipefd[1]);
        if (unshare(CLONE_NEWUSER) < 0)
            _exit(1);
        _exit(read(pipefd[0], &c, 1) < 0 ? 1 : 0); /* EOF: the parent is done */
    }
    (void)close(pipefd[0]);
    /* the helper must have unshared before its maps are written: wait for it to differ */
    (void)snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
    for (int i = 0; i < 1000; i++) {
        struct stat mine, its;
        if (stat("/proc/self/ns/user", &mine) == 0 && stat(path, &its) == 0 &&
            mine.st_ino != its.st_ino)
            break;
        usleep(1000);
    }
    r = write_map(pid, "uid_map", u, nu, err);
    if (r >= 0)
        r = write_map(pid, "gid_map", g, ng, err);
    int fd = r >= 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (r >= 0 && fd < 0)
        r = vsl_err_errno(err, "open '%s'", path);
    (void)close(pipefd[1]);
    (void)waitpid(pid, &status, 0);
    if (r < 0)
        return r;
    *ret = fd;
    return 0;
}

/* Clone path (recursively or not) and idmap the clone with usernsfd. dst: the mount's destination,
 * NULL for the root. */
static int
idmapped_clone(const char *path, const char *dst, bool recursive, bool idmap_all, int usernsfd,
               int *ret, struct vsl_error *err)
{
    _cleanup_close_ int mnt = vsl_mnt_clone(AT_FDCWD, path, recursive);
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)usernsfd};

    if (mnt < 0)
        return vsl_err_code(err, mnt, "idmapped mount: open_tree '%s'", path);
    if (mount_setattr(mnt, "", AT_EMPTY_PATH | (idmap_all ? AT_RECURSIVE : 0), &attr,
                      sizeof(attr)) == 0) {
        *ret = TAKE_FD(mnt);
        return 0;
    }
    /* EINVAL, EPERM, EOPNOTSUPP: the source's filesystem cannot be idmapped (no FS_ALLOW_IDMAP,
     * as tmpfs before 6.3 or NFS), or belongs to a user namespace vessel has no privilege over.
     * Say which mount, and how `vessel run` (which adds "idmap" to its volumes) does without. */
    if (dst && (errno == EINVAL || errno == EPERM || errno == EOPNOTSUPP))
        return vsl_err_errno(err,
                             "mount of '%s' on '%s': its filesystem or this kernel cannot idmap it "
                             "(vessel run: add ':noidmap' to the volume): mount_setattr "
                             "MOUNT_ATTR_IDMAP",
                             path, dst);
    return vsl_err_errno(err, "idmapped mount: mount_setattr MOUNT_ATTR_IDMAP on '%s'", path);
}

static int
prepare_mounts(struct vsl_ctx *ctx, int container_ns, struct vsl_error *err)
{
    const struct vsl_spec *spec = ctx->spec;
    int r;

    ctx->idmap_mnt_fds = malloc(spec->n_mounts * sizeof(int) + 1);
    if (!ctx->idmap_mnt_fds)
        return vsl_err(err, ENOMEM, "out of memory");
    ctx->n_idmap_mnt_fds = spec->n_mounts;
    for (size_t i = 0; i < spec->n_mounts; i++)
        ctx->idmap_mnt_fds[i] = -EBADF;
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct vsl_mount *m = &spec->mounts[i];
        _cleanup_close_ int own = -EBADF;
        if (!vsl_mount_is_idmapped(m))
            continue;
        if (m->n_uid_mappings && (r = userns_fd(m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
                                                m->n_gid_mappings, &own, err)) < 0)
            return r;
        r = idmapped_clone(m->source, m->destination, m->recursive,
                           has_opt(m, "ridmap") || !has_opt(m, "idmap"),
                           own >= 0 ? own : container_ns, &ctx->idmap_mnt_fds[i], err);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
idmapped_prepare(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_spec *spec = ctx->spec;
    const struct vsl_linux *l = &spec->linux_;
    _cleanup_close_ int ns = -EBADF;
    bool mounts = false;
    struct stat st;
    int r;

    for (size_t i = 0; i < spec->n_mounts; i++)
        mounts = mounts || vsl_mount_is_idmapped(&spec->mounts[i]);
    if (geteuid() != 0) {
        if (mounts)
            return vsl_err(err, EPERM, "idmapped mounts need root");
        return 0;
    }
    bool root = new_userns(spec) && stat(spec->root_path, &st) == 0 && S_ISDIR(st.st_mode) &&
                !vsl_spec_get_annotation(spec, VSL_ANN_EPHEMERAL);
    if (!root && !mounts)
        return 0;
    if (new_userns(spec) && (r = userns_fd(l->uid_mappings, l->n_uid_mappings, l->gid_mappings,
                                           l->n_gid_mappings, &ns, err)) < 0)
        return r;
    if (root &&
        (r = idmapped_clone(spec->root_path, NULL, true, true, ns, &ctx->idmap_root_fd, err)) < 0)
        return r;
    return mounts ? prepare_mounts(ctx, ns, err) : 0;
}

static int
idmapped_validate(const struct vsl_spec *spec, struct vsl_error *err)
{
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct vsl_mount *m = &spec->mounts[i];
        if (!vsl_mount_is_idmapped(m))
            continue;
        if (!m->bind && !(m->type && strcmp(m->type, "bind") == 0))
            return vsl_err(err, EINVAL, "mounts[%zu]: idmapped mount of '%s' must be a bind mount",
                           i, m->destination);
        if (!m->n_uid_mappings != !m->n_gid_mappings)
            return vsl_err(err, EINVAL, "mounts[%zu]: '%s' needs both uidMappings and gidMappings",
                           i, m->destination);
        if (!m->n_uid_mappings && !new_userns(spec))
            return vsl_err(err, EINVAL,
                           "mounts[%zu]: idmap of '%s' without mappings needs a new user namespace",
                           i, m->destination);
    }
    return 0;
}

static void
idmapped_undo(struct vsl_ctx *ctx)
{
    closep(&ctx->idmap_root_fd);
    ctx->idmap_root_fd = -EBADF;
    for (size_t i = 0; i < ctx->n_idmap_mnt_fds; i++)
        closep(&ctx->idmap_mnt_fds[i]);
    free(ctx->idmap_mnt_fds);
    ctx->idmap_mnt_fds = NULL;
    ctx->n_idmap_mnt_fds = 0;
}

static bool
idmapped_enabled(const struct vsl_ctx *ctx)
{
    return !ctx->exec;
}

const struct vsl_stage vsl_stage_idmapped = {
    .name = "idmapped",
    .enabled = idmapped_enabled,
    .validate = idmapped_validate,
    .prepare = idmapped_prepare,
    .undo = idmapped_undo,
};
