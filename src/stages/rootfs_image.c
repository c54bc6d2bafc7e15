// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rootfs stage's two ends of a root that is not a plain directory. Parent (prepare, before
 * clone): a disk image is detected, attached to a loop device (autoclear) and mounted as a
 * detached mount (fsmount: it is in no mount table), here rather than in the child because
 * opening the block device must not depend on the container's device cgroup or user namespace;
 * the state directories the child will mount on are created. Child (first thing after
 * propagation is made rslave, so nothing below shows on the host): the image's mount is attached
 * on <state>/rootfs and, for an
 * ephemeral root, an overlay with its upper layer on a tmpfs is mounted on <state>/ephemeral/root.
 * Both exist only in the child's mount namespace and die with it; the host keeps empty
 * directories, which undo removes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/disk.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "stages/rootfs.h"
#include "stages/stage.h"

#define STAGING_DIR "rootfs"
#define EPHEMERAL_DIR "ephemeral"

static bool
annotation_is(const struct vsl_spec *spec, const char *key, const char *value)
{
    const char *v = vsl_spec_get_annotation(spec, key);
    return v && strcmp(v, value) == 0;
}

/* A directory of the state dir that the child mounts on: 0700, and only ever a mount point. */
static int
make_state_dir(const struct vsl_ctx *ctx, const char *name, char **ret_path, struct vsl_error *err)
{
    _cleanup_free_ char *path = NULL;

    if (asprintf(&path, "%s/%s", ctx->state_dir, name) < 0)
        return vsl_err(err, ENOMEM, "rootfs: out of memory");
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        return vsl_err_errno(err, "mkdir '%s'", path);
    *ret_path = TAKE_PTR(path);
    return 0;
}

static int
attach_image(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_spec *spec = ctx->spec;
    const char *part = vsl_spec_get_annotation(spec, VSL_ANN_PARTITION);
    _cleanup_close_ int img = -EBADF;
    _cleanup_close_ int loop = -EBADF;
    _cleanup_free_ char *staging = NULL;
    char dev[sizeof(ctx->loop_path)];
    struct img_info info;
    bool ro;

    /* validate checked the annotation is a number. */
    int r = img_open_and_detect(spec->root_path, part ? atoi(part) : 0, &img, &info, err);
    if (r < 0)
        return r;
    /* An ephemeral root writes to its overlay, never to the image. */
    bool want_ro = spec->root_readonly || annotation_is(spec, VSL_ANN_IMAGE_RW, "false") ||
                   ctx->ephemeral || img_fstype_is_readonly(info.fstype);
    r = make_state_dir(ctx, STAGING_DIR, &staging, err);
    if (r < 0)
        return r;
    /* On any failure below, closing the loop fd detaches the device (autoclear). */
    r = img_loop_attach(spec->root_path, &info, want_ro, &loop, dev, sizeof(dev), &ro, err);
    if (r < 0)
        return r;
    _cleanup_close_ int mnt = -EBADF;
    r = vsl_mnt_new(info.fstype, dev, NULL, ro ? MS_RDONLY : 0, staging, &mnt, err);
    if (r < 0) {
        vsl_err_prefix(err, "disk image '%s' (%s): ", spec->root_path, dev);
        return r;
    }
    char *fstype = strdup(info.fstype);
    char *rootfs = strdup(staging);
    if (!fstype || !rootfs) {
        free(fstype);
        free(rootfs);
        return vsl_err(err, ENOMEM, "rootfs: out of memory");
    }

    ctx->root_is_image = true;
    ctx->image_readonly = ro;
    /* The mount holds the device now: closing the loop fd leaves it to autoclear. */
    ctx->image_mnt_fd = TAKE_FD(mnt);
    memcpy(ctx->loop_path, dev, sizeof(dev));
    free(ctx->image_fstype);
    ctx->image_fstype = fstype;
    free(ctx->staging);
    ctx->staging = TAKE_PTR(staging);
    free(ctx->rootfs);
    ctx->rootfs = rootfs;
    return 0;
}

int
rootfs_prepare(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const char *path = ctx->spec->root_path;
    _cleanup_free_ char *eph = NULL;
    struct stat st;
    int r;

    ctx->ephemeral = annotation_is(ctx->spec, VSL_ANN_EPHEMERAL, "true");
    /* root.path is the caller's host path: following a symlink here is what they asked for. */
    if (stat(path, &st) < 0)
        return vsl_err_errno(err, "rootfs '%s'", path);
    if (S_ISDIR(st.st_mode)) {
        free(ctx->rootfs);
        ctx->rootfs = strdup(path);
        if (!ctx->rootfs)
            return vsl_err(err, ENOMEM, "rootfs: out of memory");
    } else if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
        r = attach_image(ctx, err);
        if (r < 0)
            return r;
    } else {
        return vsl_err(err, EINVAL, "rootfs '%s': not a directory or disk image file", path);
    }
    if (!ctx->ephemeral)
        return 0;

    r = make_state_dir(ctx, EPHEMERAL_DIR, &eph, err);
    if (r < 0)
        return r;
    free(ctx->rootfs);
    if (asprintf(&ctx->rootfs, "%s/root", eph) < 0) {
        ctx->rootfs = NULL;
        return vsl_err(err, ENOMEM, "rootfs: out of memory");
    }
    return 0;
}

int
rootfs_parent_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    /* The child has its own copy of the image's mount fd; with ours closed, the mount (and so the
     * loop device) lives exactly as long as the child's mount namespace. */
    closep(&ctx->image_mnt_fd);
    ctx->image_mnt_fd = -EBADF;
    return 0;
}

void
rootfs_undo(struct vsl_ctx *ctx)
{
    closep(&ctx->image_mnt_fd);
    ctx->image_mnt_fd = -EBADF;
    /* By name, not from ctx: undo also runs for a container whose ctx was rebuilt from state.
     * rmdir, not rm -rf: on the host these are only ever empty mount points. */
    if (ctx->state_dir) {
        _cleanup_close_ int dfd = open(ctx->state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)unlinkat(dfd, STAGING_DIR, AT_REMOVEDIR);
            (void)unlinkat(dfd, EPHEMERAL_DIR, AT_REMOVEDIR);
        }
    }
    free(ctx->rootfs);
    ctx->rootfs = NULL;
    free(ctx->staging);
    ctx->staging = NULL;
    free(ctx->image_fstype);
    ctx->image_fstype = NULL;
}

static int
mount_image(struct vsl_ctx *ctx, struct vsl_error *err)
{
    _cleanup_close_ int target = -EBADF;

    target = open(ctx->staging, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (target < 0)
        return vsl_err_errno(err, "open '%s'", ctx->staging);
    int r = vsl_mnt_attach(ctx->image_mnt_fd, target);
    if (r < 0)
        return vsl_err_code(err, r, "move_mount disk image onto '%s'", ctx->staging);
    closep(&ctx->image_mnt_fd);
    ctx->image_mnt_fd = -EBADF;
    return 0;
}

/* overlayfs splits lowerdir on ':' and its mount data on ',', with '\' as the escape. */
static char *
overlay_escape(const char *path)
{
    char *out = malloc(2 * strlen(path) + 1);
    char *q = out;

    if (!out)
        return NULL;
    for (const char *p = path; *p; p++) {
        if (*p == '\\' || *p == ':' || *p == ',')
            *q++ = '\\';
        *q++ = *p;
    }
    *q = '\0';
    return out;
}

/* In a user namespace overlayfs keeps its metadata in user.* xattrs (trusted.* needs init ns). */
static bool
in_initial_userns(void)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
    unsigned long a, b, c;

    return f && fscanf(f, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295UL;
}

/* The overlay's root directory shows the upper directory's owner and mode: give it the lower's. */
static int
copy_root_attrs(int upperfd, const char *lower, struct vsl_error *err)
{
    struct stat st;

    if (stat(lower, &st) < 0)
        return vsl_err_errno(err, "stat '%s'", lower);
    if (fchown(upperfd, st.st_uid, st.st_gid) < 0 || fchmod(upperfd, st.st_mode & 07777) < 0)
        return vsl_err_errno(err, "ephemeral root: set owner and mode of the upper directory");
    return 0;
}

static int
mount_overlay(const char *eph, const char *lower, int targetfd, struct vsl_error *err)
{
    _cleanup_free_ char *lo = overlay_escape(lower);
    _cleanup_free_ char *lowerdir = NULL, *upperdir = NULL, *workdir = NULL;
    _cleanup_free_ char *target = NULL;
    _cleanup_close_ int mnt = -EBADF;

    if (!lo || asprintf(&lowerdir, "lowerdir=%s", lo) < 0 ||
        asprintf(&upperdir, "upperdir=%s/upper", eph) < 0 ||
        asprintf(&workdir, "workdir=%s/work", eph) < 0 || asprintf(&target, "%s/root", eph) < 0)
        return vsl_err(err, ENOMEM, "rootfs: out of memory");
    const char *opts[] = {lowerdir, upperdir, workdir, in_initial_userns() ? NULL : "userxattr",
                          NULL};
    int r = vsl_mnt_newv("overlay", "vessel-ephemeral", opts, 0, target, &mnt, err);
    if (r < 0) {
        vsl_err_prefix(err, "ephemeral root over '%s': ", lower);
        return r;
    }
    r = vsl_mnt_attach(mnt, targetfd);
    if (r < 0)
        return vsl_err_code(err, r, "move_mount overlay onto '%s'", target);
    return 0;
}

/*
 * tmpfs on <state>/ephemeral holding upper/, work/ and root/; the overlay (lower: the original
 * root, read-only when it is an image) goes on root/. The writes live in the tmpfs and vanish with
 * the mount namespace.
 */
static int
mount_ephemeral(const char *eph, const char *lower, struct vsl_error *err)
{
    _cleanup_close_ int dirfd = -EBADF, tmp = -EBADF, upper = -EBADF, root = -EBADF;
    static const char *const subdirs[] = {"upper", "work", "root"};

    dirfd = open(eph, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0)
        return vsl_err_errno(err, "open '%s'", eph);
    int r =
        vsl_mnt_new("tmpfs", "vessel-ephemeral", "mode=0700", MS_NOSUID | MS_NODEV, eph, &tmp, err);
    if (r < 0)
        return r;
    r = vsl_mnt_attach(tmp, dirfd);
    if (r < 0)
        return vsl_err_code(err, r, "move_mount tmpfs onto '%s'", eph);
    for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++)
        if (mkdirat(tmp, subdirs[i], 0755) < 0)
            return vsl_err_errno(err, "mkdir '%s/%s'", eph, subdirs[i]);
    upper = openat(tmp, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    root = openat(tmp, "root", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (upper < 0 || root < 0)
        return vsl_err_errno(err, "open '%s/upper'", eph);
    r = copy_root_attrs(upper, lower, err);
    if (r < 0)
        return r;
    return mount_overlay(eph, lower, root, err);
}

int
rootfs_mount_root(struct vsl_ctx *ctx, struct vsl_error *err)
{
    _cleanup_free_ char *eph = NULL;
    int r;

    if (ctx->root_is_image) {
        r = mount_image(ctx, err);
        if (r < 0)
            return r;
    }
    if (!ctx->ephemeral)
        return 0;
    if (asprintf(&eph, "%s/%s", ctx->state_dir, EPHEMERAL_DIR) < 0)
        return vsl_err(err, ENOMEM, "rootfs: out of memory");
    return mount_ephemeral(eph, ctx->root_is_image ? ctx->staging : ctx->spec->root_path, err);
}
