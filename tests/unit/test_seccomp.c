// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Seccomp profile -> rules: the built-in default profile (what it lists with and without
 * capabilities), validation, profile files, --seccomp-allow, and compiled filters loaded in a
 * forked child (no_new_privs, so no root needed) to see what each action does to a syscall.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vessel/security.h>
#include <vessel/vessel.h>

#include "stages/seccomp.h"
#include "tap.h"

#define CAP(c) (1ULL << (c))
#define DOCKER_CAPS                                                                                \
    (CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FSETID) | CAP(CAP_FOWNER) | CAP(CAP_MKNOD) | \
     CAP(CAP_NET_RAW) | CAP(CAP_SETGID) | CAP(CAP_SETUID) | CAP(CAP_SETFCAP) | CAP(CAP_SETPCAP) |  \
     CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_SYS_CHROOT) | CAP(CAP_KILL) | CAP(CAP_AUDIT_WRITE))

static void
test_default_lists(void)
{
    static const char *const refused[] = {"keyctl",
                                          "add_key",
                                          "request_key",
                                          "bpf",
                                          "perf_event_open",
                                          "kexec_load",
                                          "open_by_handle_at",
                                          "mount",
                                          "umount2",
                                          "unshare",
                                          "setns",
                                          "reboot",
                                          "init_module",
                                          "finit_module",
                                          "delete_module",
                                          "swapon",
                                          "acct",
                                          "settimeofday",
                                          "userfaultfd",
                                          "clone3",
                                          "pivot_root",
                                          "iopl",
                                          "syslog",
                                          NULL};
    struct vsl_seccomp *sc = NULL;
    struct vsl_error err = {0};

    is_int(vsl_seccomp_default(DOCKER_CAPS, &sc, &err), 0, "default profile builds");
    is_str(sc->default_action, "SCMP_ACT_ERRNO", "default action: errno");
    is_int(sc->default_errno_ret.v, EPERM, "default errno: EPERM");
    ok(vsl_seccomp_allows(sc, "read") && vsl_seccomp_allows(sc, "execve") &&
           vsl_seccomp_allows(sc, "close_range") && vsl_seccomp_allows(sc, "chroot"),
       "default profile allows read, execve, close_range, chroot (CAP_SYS_CHROOT)");
    for (size_t i = 0; refused[i]; i++)
        ok(!vsl_seccomp_allows(sc, refused[i]), "default profile does not allow %s", refused[i]);
    is_int(vsl_seccomp_validate(sc, &err), 0, "default profile validates");
    vsl_seccomp_free(sc);

    sc = NULL;
    is_int(vsl_seccomp_default(DOCKER_CAPS | CAP(CAP_SYS_ADMIN), &sc, &err), 0,
           "profile with CAP_SYS_ADMIN");
    ok(vsl_seccomp_allows(sc, "mount") && vsl_seccomp_allows(sc, "unshare") &&
           vsl_seccomp_allows(sc, "setns") && vsl_seccomp_allows(sc, "clone"),
       "CAP_SYS_ADMIN unlocks mount, unshare, setns, clone");
    ok(!vsl_seccomp_allows(sc, "keyctl") && !vsl_seccomp_allows(sc, "reboot"),
       "CAP_SYS_ADMIN does not unlock keyctl or reboot");
    vsl_seccomp_free(sc);
}

static struct vsl_seccomp *
profile(const char *json)
{
    char path[] = "/tmp/vessel-test-seccomp.XXXXXX";
    struct vsl_seccomp *sc = NULL;
    struct vsl_error err = {0};
    int fd = mkstemp(path);

    if (fd < 0 || write(fd, json, strlen(json)) != (ssize_t)strlen(json))
        return NULL;
    (void)close(fd);
    if (vsl_seccomp_load(path, &sc, &err) < 0)
        printf("# %s\n", err.msg);
    (void)unlink(path);
    return sc;
}

static void
test_validate(void)
{
    static const struct {
        const char *json, *want;
    } bad[] = {
        {"{\"defaultAction\":\"SCMP_ACT_NOPE\"}", "unknown action 'SCMP_ACT_NOPE'"},
        {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_VAX\"]}",
         "unknown 'SCMP_ARCH_VAX'"},
        {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_NOPE\"]}",
         "unknown flag"},
        {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
         "\"action\":\"SCMP_ACT_BOGUS\"}]}",
         "syscalls[0].action: unknown action 'SCMP_ACT_BOGUS'"},
        {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
         "\"action\":\"SCMP_ACT_NOTIFY\"}]}",
         "needs a listenerPath"},
        {"{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "unknown action"},
    };
    struct vsl_error err = {0};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct vsl_seccomp *sc = profile(bad[i].json);
        err = (struct vsl_error){0};
        ok(sc && vsl_seccomp_validate(sc, &err) < 0, "refused: %s", bad[i].want);
        like(err.msg, bad[i].want, "message names it");
        vsl_seccomp_free(sc);
    }
    err = (struct vsl_error){0};
    char path[] = "/tmp/vessel-test-seccomp-bad.XXXXXX";
    int fd = mkstemp(path);
    ok(fd >= 0 && write(fd, "{\"defaultAction\": 3}", 20) == 20, "write a bad profile");
    struct vsl_seccomp *sc = NULL;
    ok(vsl_seccomp_load(path, &sc, &err) < 0, "a profile with a number as action is refused");
    like(err.msg, "defaultAction", "the message names the field");
    (void)close(fd);
    (void)unlink(path);
    err = (struct vsl_error){0};
    ok(vsl_seccomp_load("/nonexistent/p.json", &sc, &err) < 0, "a missing profile file");
    like(err.msg, "'/nonexistent/p.json'", "the message names the file");
}

/* Run fn in a child under the profile (no_new_privs); returns its wait status. */
static int
under(const struct vsl_seccomp *sc, int (*fn)(void))
{
    struct sock_filter *prog = NULL;
    unsigned short len = 0;
    struct vsl_error err = {0};
    int status = -1;

    if (vsl_seccomp_compile(sc, &prog, &len, &err) < 0) {
        printf("# compile: %s\n", err.msg);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        struct sock_fprog fp = {.len = len, .filter = prog};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
            _exit(99);
        _exit(fn());
    }
    free(prog);
    (void)waitpid(pid, &status, 0);
    return status;
}

#define EXPECT(call, want) ((call) < 0 && errno == (want))

static int
attacks_fail(void)
{
    int ok_ = EXPECT(syscall(SYS_keyctl, 0, 0, 0, 0, 0), EPERM) &&
              EXPECT(syscall(SYS_add_key, "user", "x", "y", 1, 0), EPERM) &&
              EXPECT(unshare(CLONE_NEWUSER), EPERM) &&
              EXPECT(syscall(SYS_clone3, NULL, 0), ENOSYS) &&
              EXPECT(syscall(SYS_bpf, 0, NULL, 0), EPERM) &&
              EXPECT(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), EPERM) &&
              EXPECT(syscall(SYS_mount, "x", "/tmp", "tmpfs", 0, NULL), EPERM) &&
              EXPECT(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0), EPERM) &&
              EXPECT(syscall(SYS_open_by_handle_at, -1, NULL, 0), EPERM) &&
              EXPECT(syscall(SYS_kexec_load, 0, 0, NULL, 0), EPERM);
    int allowed = getpid() > 0 && syscall(SYS_personality, 0xffffffffUL) >= 0;
    return ok_ && allowed ? 0 : 1;
}

static int
keyctl_allowed(void)
{
    return syscall(SYS_keyctl, 0x7fff, 0, 0, 0, 0) < 0 && errno == EPERM ? 1 : 0;
}

static void
test_default_enforced(void)
{
    struct vsl_seccomp *sc = NULL;
    struct vsl_error err = {0};

    (void)vsl_seccomp_default(DOCKER_CAPS, &sc, &err);
    int st = under(sc, attacks_fail);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
       "default profile: keyctl, add_key, unshare, bpf, perf, mount, AF_VSOCK, "
       "open_by_handle_at, kexec fail; clone3 is ENOSYS; getpid works (status %d)",
       st);
    is_int(vsl_seccomp_allow(sc, "keyctl", &err), 0, "--seccomp-allow keyctl");
    st = under(sc, keyctl_allowed);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "keyctl reaches the kernel once allowed");
    is_int(vsl_seccomp_allow(sc, "250", &err), 0, "--seccomp-allow by number");
    ok(vsl_seccomp_allow(sc, "no_such_call", &err) < 0, "--seccomp-allow of an unknown name");
    like(err.msg, "unknown syscall 'no_such_call'", "names it");
    ok(vsl_seccomp_allow(sc, "99999", &err) < 0, "--seccomp-allow of an unknown number");
    vsl_seccomp_free(sc);
}

static int
getppid_errno(void)
{
    return syscall(SYS_getppid) < 0 && errno == 42 ? 0 : 1;
}

static int
close_cond(void)
{
    int a = close(999) < 0 && errno == 7;
    int b = close(998) < 0 && errno == EBADF;
    return a && b ? 0 : 1;
}

static int
call_getppid(void)
{
    (void)syscall(SYS_getppid);
    return 0;
}

static void
test_actions(void)
{
    struct vsl_seccomp *sc;
    int st;

    sc = profile(
        "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
        "[\"getppid\",\"no_such_syscall\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42}]}");
    st = under(sc, getppid_errno);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
       "ERRNO with errnoRet 42; an unknown syscall name is skipped");
    vsl_seccomp_free(sc);

    sc = profile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"close\"],"
                 "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":7,\"args\":[{\"index\":0,"
                 "\"value\":999,\"op\":\"SCMP_CMP_EQ\"}]}]}");
    st = under(sc, close_cond);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "argument condition: only close(999) fails");
    vsl_seccomp_free(sc);

    static const struct {
        const char *action;
        int sig;
    } kills[] = {{"SCMP_ACT_KILL", SIGSYS},
                 {"SCMP_ACT_KILL_PROCESS", SIGSYS},
                 {"SCMP_ACT_KILL_THREAD", SIGSYS},
                 {"SCMP_ACT_TRAP", SIGSYS},
                 {"SCMP_ACT_LOG", 0},
                 {"SCMP_ACT_TRACE", 0}};
    for (size_t i = 0; i < sizeof(kills) / sizeof(kills[0]); i++) {
        char json[256];
        (void)snprintf(json, sizeof(json),
                       "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                       "[\"getppid\"],\"action\":\"%s\"}]}",
                       kills[i].action);
        sc = profile(json);
        st = under(sc, call_getppid);
        if (kills[i].sig)
            ok(WIFSIGNALED(st) && WTERMSIG(st) == kills[i].sig, "%s: killed by SIGSYS",
               kills[i].action);
        else
            ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: the process goes on", kills[i].action);
        vsl_seccomp_free(sc);
    }
}

int
main(void)
{
    test_default_lists();
    test_validate();
    test_default_enforced();
    test_actions();
    return done_testing();
}
