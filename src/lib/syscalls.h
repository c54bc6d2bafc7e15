/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Raw wrappers for what Debian 12's glibc (2.36) does not wrap: clone3, pivot_root, openat2,
 * pidfd_send_signal is wrapped (sys/pidfd.h), so are close_range, open_tree, move_mount,
 * mount_setattr and fsopen. Everything else comes from glibc.
 */
#pragma once

#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline long
sys_clone3(struct clone_args *args)
{
    return syscall(SYS_clone3, args, sizeof(*args));
}

static inline int
sys_pivot_root(const char *new_root, const char *put_old)
{
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static inline int
sys_openat2(int dirfd, const char *path, int flags, unsigned long long resolve)
{
    struct open_how how = {.flags = (unsigned long long)flags, .resolve = resolve};
    if (flags & O_CREAT)
        how.mode = 0644;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}
