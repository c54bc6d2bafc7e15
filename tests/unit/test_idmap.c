// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Subordinate ids and --userns=auto allocation: /etc/subuid parsing (names, numeric uids, bad
 * lines), distinct blocks for live owners, reuse of a block whose owner is gone, and exhaustion.
 * Runs without root in a temporary directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vessel/security.h>
#include <vessel/vessel.h>

#include "tap.h"

static char dir[] = "/tmp/vessel-test-idmap.XXXXXX";

static void
write_file(const char *name, const char *text)
{
    char path[256];
    FILE *f;

    (void)snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void
test_read(void)
{
    struct vsl_subid r[4];
    struct vsl_error err = {0};
    char path[256];

    write_file("subuid", "# comment\nalice:100000:65536\nbob:200000:65536\nalice:300000:1000\n"
                         "1005:400000:65536\nbroken:line\nalice:x:5\nalice:1:0\n");
    (void)snprintf(path, sizeof(path), "%s/subuid", dir);
    is_int(vsl_subid_read(path, "alice", 1001, r, 4, &err), 2, "alice has two ranges");
    is_int(r[0].start, 100000, "first range start");
    is_int(r[0].count, 65536, "first range count");
    is_int(r[1].start, 300000, "second range start");
    is_int(vsl_subid_read(path, "carol", 1005, r, 4, &err), 1, "a numeric uid line matches");
    is_int(r[0].start, 400000, "by uid");
    is_int(vsl_subid_read(path, "nobody", 9, r, 4, &err), 0, "no ranges");
    is_int(vsl_subid_read("/nonexistent/subuid", "alice", 1, r, 4, &err), 0, "no file: 0 ranges");
    is_int(vsl_subid_read(path, "alice", 1001, r, 1, &err), 1, "at most max ranges");
}

static pid_t
dead_pid(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    (void)waitpid(pid, NULL, 0);
    return pid;
}

static void
test_allocate(void)
{
    struct vsl_subid u[] = {{100000, 131072}, {500000, 65536}}, g[] = {{700000, 196608}};
    struct vsl_error err = {0};
    char udir[256];
    uint32_t a, ag, b, bg, c, cg, d, dg;

    (void)snprintf(udir, sizeof(udir), "%s/userns", dir);
    is_int(vsl_idmap_allocate(udir, u, 2, g, 1, 65536, getpid(), &a, &ag, &err), 0, "first block");
    is_int(a, 100000, "first uid block");
    is_int(ag, 700000, "first gid block");
    is_int(vsl_idmap_allocate(udir, u, 2, g, 1, 65536, getppid(), &b, &bg, &err), 0,
           "second block");
    is_int(b, 165536, "a live owner's block is skipped");
    is_int(bg, 765536, "gid block follows");
    is_int(vsl_idmap_allocate(udir, u, 2, g, 1, 65536, getpid(), &c, &cg, &err), 0,
           "third block, in the second uid range");
    is_int(c, 500000, "the second range is used");
    ok(vsl_idmap_allocate(udir, u, 2, g, 1, 65536, getpid(), &d, &dg, &err) == -ENOSPC,
       "no fourth block");
    like(err.msg, "no free block", "says so");

    /* a record whose owner is gone is free again */
    pid_t gone = dead_pid();
    char rec[300];
    (void)snprintf(rec, sizeof(rec), "userns/165536:765536");
    char text[64];
    (void)snprintf(text, sizeof(text), "%d 12345\n", gone);
    write_file(rec, text);
    is_int(vsl_idmap_allocate(udir, u, 2, g, 1, 65536, getpid(), &d, &dg, &err), 0,
           "a dead owner's block is reused");
    is_int(d, 165536, "the same block");
    ok(vsl_proc_starttime(getpid()) > 0, "start time of a live process");
    is_int(vsl_proc_starttime(gone), 0, "start time of a gone process");
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_read();
    test_allocate();
    char cmd[300];
    (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    (void)!system(cmd);
    return done_testing();
}
