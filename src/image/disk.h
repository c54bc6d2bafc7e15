/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Disk images as root filesystems: find the filesystem in a raw image or a GPT/MBR partitioned disk
 * by its magic (pure reads, unit-testable), and attach it to a loop device with LOOP_CONFIGURE
 * (autoclear: the device goes away once the last mount of it is gone and the fd is closed).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vsl_error;

struct img_info {
    /* The mount(2) type. ext2/ext3/ext4 are all reported as "ext4": the ext4 driver mounts all
     * three, and the kernel may be built without separate ext2/ext3 drivers. */
    char fstype[16];
    uint64_t offset; /* bytes from the start of the file */
    uint64_t size;   /* bytes: the partition, or the whole file */
    int partition;   /* 1-based partition number; 0 when the filesystem is the whole file */
};

/*
 * Find the filesystem to mount in an open image (regular file or block device). partition == 0:
 * the whole file if it holds a known filesystem, else the first Linux partition (table order)
 * holding one; partition == N: exactly partition N. label names the image in messages.
 * Fails with -EINVAL (and a one-line message) for an empty, truncated or unrecognised image.
 */
int img_detect_fd(int fd, const char *label, int partition, struct img_info *ret,
                  struct vsl_error *err);

/* Open path read-only (O_CLOEXEC) and detect; *ret_fd is the open image on success. */
int img_open_and_detect(const char *path, int partition, int *ret_fd, struct img_info *ret,
                        struct vsl_error *err);

/* squashfs and erofs can only be mounted read-only. */
bool img_fstype_is_readonly(const char *fstype);

/*
 * Attach the region of path described by info to a free loop device (autoclear). Read-only when
 * readonly is set or the filesystem type is always read-only; a writable request falls back to
 * read-only when the file cannot be opened for writing (EROFS, EACCES, EPERM), and
 * *ret_readonly says which it became. *ret_loop_fd is an O_CLOEXEC fd of the device: keep it open
 * until the device is mounted, then close it. ret_dev receives "/dev/loopN" (dev_len >= 32 is
 * plenty). Leaves no device behind on failure.
 */
int img_loop_attach(const char *path, const struct img_info *info, bool readonly, int *ret_loop_fd,
                    char *ret_dev, size_t dev_len, bool *ret_readonly, struct vsl_error *err);
