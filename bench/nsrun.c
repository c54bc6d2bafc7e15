// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nsrun: run a command in a private mount namespace where /sys/fs/cgroup/unified is unmounted.
 * crun refuses this host's hybrid cgroup layout ("cgroups in hybrid mode not supported"); every
 * runtime in the benchmark goes through this same wrapper, so none is measured with a shell in
 * front of it and all pay the same unshare. Usage: nsrun [-r] COMMAND [ARGS...] (an absolute
 * path); -r makes the tmpfs put in place of the cgroup2 mount read-only (same cost).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define UNIFIED "/sys/fs/cgroup/unified"

int
main(int argc, char **argv)
{
    unsigned long ro = 0;

    if (argc > 1 && strcmp(argv[1], "-r") == 0) {
        ro = MS_RDONLY;
        argv++;
        argc--;
    }
    if (argc < 2) {
        fputs("usage: nsrun [-r] COMMAND [ARGS...]\n", stderr);
        return 2;
    }
    if (unshare(CLONE_NEWNS) < 0) {
        perror("nsrun: unshare(CLONE_NEWNS)");
        return 125;
    }
    /* Private first, as unshare(1) does: the unmount below must not reach the host. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        perror("nsrun: make '/' rprivate");
        return 125;
    }
    if (umount2(UNIFIED, MNT_DETACH) < 0) {
        if (errno == EINVAL || errno == ENOENT) /* not hybrid: nothing to hide */
            goto exec;
        perror("nsrun: umount '" UNIFIED "'");
        return 125;
    }
    /* crun then takes the directory for a v2 mount and writes <id>/cgroup.procs into it (and
     * fails when it cannot): give it a tmpfs of this namespace, gone with it, not the host's
     * /sys/fs/cgroup tmpfs. */
    if (mount("tmpfs", UNIFIED, "tmpfs", ro | MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "mode=0755,size=1m") < 0) {
        perror("nsrun: mount tmpfs on '" UNIFIED "'");
        return 125;
    }
exec:
    execv(argv[1], argv + 1);
    fprintf(stderr, "nsrun: exec '%s': %s\n", argv[1], strerror(errno));
    return 127;
}
