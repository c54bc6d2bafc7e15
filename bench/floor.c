// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * floor: the least a container start costs on this kernel, row 0 of the benchmark. Only what
 * every runtime must do for the bench's bundle: clone with the same namespaces (pid, mount, uts,
 * ipc, net, cgroup), make / rslave, bind the root onto itself, pivot_root, mount /proc, exec the
 * command; the parent waits. No config parsing, no /dev, no masks, no capabilities: the
 * distance from here is what a runtime adds on top of the kernel.
 * Usage: floor ROOTFS [CMD ARGS...]   (CMD defaults to /bin/true)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int
fail(const char *what)
{
    fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
    return 125;
}

static int
child(const char *root, char **cmd)
{
    if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return fail("make '/' rslave");
    if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
        return fail("bind the root onto itself");
    if (chdir(root) < 0)
        return fail("chdir to the root");
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return fail("pivot_root");
    if (umount2(".", MNT_DETACH) < 0)
        return fail("detach the old root");
    if (chdir("/") < 0)
        return fail("chdir '/'");
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return fail("mount /proc");
    execv(cmd[0], cmd);
    return fail("exec");
}

int
main(int argc, char **argv)
{
    static char *deflt[] = {"/bin/true", NULL};
    int status;

    if (argc < 2) {
        fputs("usage: floor ROOTFS [CMD ARGS...]\n", stderr);
        return 2;
    }
    /* fork-like raw clone: no stack to manage, the child only execs. */
    long pid = syscall(SYS_clone,
                       CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
                           CLONE_NEWCGROUP | SIGCHLD,
                       NULL, NULL, NULL, 0);
    if (pid < 0)
        return fail("clone");
    if (pid == 0)
        _exit(child(argv[1], argc > 2 ? argv + 2 : deflt));
    if (waitpid((pid_t)pid, &status, 0) < 0)
        return fail("waitpid");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
