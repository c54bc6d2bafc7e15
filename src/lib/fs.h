/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Paths inside a container's root, resolved by the kernel (openat2 RESOLVE_IN_ROOT) so that a
 * symlink in an image never leads out of it; creating what is missing the same way; a recursive
 * removal that neither follows symlinks nor enters other mounts; and the new mount API (fsopen,
 * open_tree, mount_setattr, move_mount), whose targets are always fds, never paths.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct vsl_error;

/* ---- paths in a root ---- */

/*
 * openat2(rootfd, path, flags | O_CLOEXEC) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS and
 * extra_resolve (RESOLVE_NO_SYMLINKS...): symlinks and ".." stay inside rootfd, an absolute path is
 * taken relative to it, "" and "/" name rootfd itself. Retries EAGAIN. Returns an fd or -errno.
 */
int vsl_fs_open_in_root(int rootfd, const char *path, int flags, uint64_t extra_resolve);

enum vsl_fs_kind {
    VSL_FS_DIR,
    VSL_FS_FILE, /* an empty regular file, e.g. the target of a file bind mount */
};

/*
 * Resolve path in the root, creating what is missing: directories (0755) for the parents and the
 * last component as kind with mode. A dangling symlink on the way is followed inside the root and
 * its target created, as the kernel would reach it. *ret_fd is an O_PATH fd of the result (an
 * existing object of any type is returned as is). -errno on failure.
 */
int vsl_fs_mkpath_in_root(int rootfd, const char *path, enum vsl_fs_kind kind, mode_t mode,
                          int *ret_fd);

/* Split off the last component: *ret_dir is a new string ("/" for "/x"), *ret_base points into
 * path. -EINVAL when the last component is empty, "." or "..". */
int vsl_fs_split(const char *path, char **ret_dir, const char **ret_base);
/* The strings up to NULL, one after another, into buf; false (buf cut) when they do not fit.
 * Without printf: the container's init builds its paths with this, so that on its way to the
 * user's process it never faults vfprintf's pages in (each first touch costs, on a VM). */
__attribute__((sentinel)) bool vsl_concat(char *buf, size_t cap, ...);
/* v in decimal into buf (at least 21 bytes); returns buf. */
char *vsl_utoa(unsigned long long v, char *buf);

/*
 * Remove dirfd/name and everything below it. Never follows a symlink; never enters another mount
 * (a mount point inside, or name itself being one, fails with -EBUSY after removing what it can).
 * A missing name is success.
 */
int vsl_fs_rm_rf_at(int dirfd, const char *name);

/* ---- mounts by fd ---- */

/* The mount attributes (MOUNT_ATTR_*) for the per-mount MS_* flags in ms_flags. *ret_clr gets what
 * must be cleared for them to apply (the atime field when an atime mode is given). */
uint64_t vsl_mnt_attr_from_flags(unsigned long ms_flags, uint64_t *ret_clr);

/*
 * A new, detached mount of a filesystem: fsopen(type), "source", each option of data ("k=v,flag",
 * as mount(8) writes it), the superblock MS_* flags of ms_flags (ro, sync, dirsync, lazytime),
 * create, fsmount with the per-mount flags. label names the destination in messages, which read
 * "mount tmpfs on '/dev': Invalid argument (tmpfs: Bad value for 'size')".
 */
int vsl_mnt_new(const char *type, const char *source, const char *data, unsigned long ms_flags,
                const char *label, int *ret_mntfd, struct vsl_error *err);

/* The same with options given one by one ("k=v" or "flag", never split on commas): for values
 * that may hold commas, such as overlayfs layer paths. opts is NULL-terminated. */
int vsl_mnt_newv(const char *type, const char *source, const char *const *opts,
                 unsigned long ms_flags, const char *label, int *ret_mntfd, struct vsl_error *err);

/* A detached copy of the mount at dirfd/path (open_tree OPEN_TREE_CLONE), with its submounts when
 * recursive. path "" means dirfd itself. Returns an fd or -errno. */
int vsl_mnt_clone(int dirfd, const char *path, bool recursive);

/* mount_setattr on the mount fd refers to (its whole tree when recursive). -errno. */
int vsl_mnt_setattr(int fd, bool recursive, uint64_t attr_set, uint64_t attr_clr,
                    uint64_t propagation);

/* Attach the mount mntfd (from vsl_mnt_new or vsl_mnt_clone) on targetfd (an O_PATH fd). -errno. */
int vsl_mnt_attach(int mntfd, int targetfd);
