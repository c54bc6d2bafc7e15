/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container's filesystem view: two stages (rootfs, rootfs-readonly) and the /dev helpers they
 * share with exec. rootfs.c holds the stages and the spec's mounts, rootfs_image.c the parent's
 * side (disk image attach, state directories) and the image/overlay mounts, dev.c /dev and the pty.
 */
#pragma once

#include <stdbool.h>

struct vsl_ctx;
struct vsl_error;
struct vsl_mount;
struct vsl_spec;
struct vsl_stage;

/* Mounts, /dev, console, masked paths and pivot_root: right after the namespaces stage. */
extern const struct vsl_stage vsl_stage_rootfs;
/* readonlyPaths and root.readonly: after sysctl (a read-only /proc/sys refuses it) and before
 * process drops CAP_SYS_ADMIN. */
extern const struct vsl_stage vsl_stage_rootfs_readonly;

/* ---- idmapped.c ---- */

/* Does this mount ask to be idmapped ("idmap", "ridmap", or mappings of its own)? */
bool vsl_mount_is_idmapped(const struct vsl_mount *m);

/* ---- dev.c ---- */

/*
 * Populate <root>/dev: the nodes of linux.devices, then (default_devices) the OCI default devices
 * (null zero full random urandom tty, mode 0666), /dev/fd and /dev/std{in,out,err} symlinks,
 * /dev/ptmx -> pts/ptmx and /dev/shm. An existing entry is kept. Where mknod is refused (a user
 * namespace) the host's node of the same path is bind-mounted over an empty file, so this runs
 * before pivot_root. Modes are applied as given: the caller runs it under umask 0.
 */
int vsl_dev_setup(int rootfd, const struct vsl_spec *spec, bool default_devices,
                  struct vsl_error *err);

/*
 * Open a new pty on the devpts instance at <root>/dev/pts (rootfd -1: "/dev/pts", for a process
 * already inside the container's mount namespace and root). Both fds are O_CLOEXEC and O_NOCTTY;
 * the slave comes from TIOCGPTPEER, so it is the peer of this very master.
 */
int vsl_dev_open_pty(int rootfd, int *ret_master, int *ret_slave, struct vsl_error *err);

/* Bind-mount the pty slave slave_fd onto <root>/dev/console (created as an empty file). */
int vsl_dev_bind_console(int rootfd, int slave_fd, struct vsl_error *err);

/* ---- rootfs_image.c: internal to the rootfs stage ---- */

/* Parent, before clone: decide the root (directory or disk image), attach an image to a loop
 * device, create the state directories the child mounts on. */
int rootfs_prepare(struct vsl_ctx *ctx, struct vsl_error *err);
/* Parent, after clone: the child holds its own copy of the loop fd; drop ours. */
int rootfs_parent_setup(struct vsl_ctx *ctx, struct vsl_error *err);
/* Parent: close the loop fd, remove the state directories, free what prepare allocated. */
void rootfs_undo(struct vsl_ctx *ctx);
/* Child: mount the image on ctx->staging, then the ephemeral overlay on ctx->rootfs when asked.
 * Leaves ctx->rootfs a directory holding the root. */
int rootfs_mount_root(struct vsl_ctx *ctx, struct vsl_error *err);
