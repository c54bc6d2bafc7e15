// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * docker/moby-format seccomp profiles -> OCI (src/lib/seccomp_docker.c): archMap, rules kept or
 * dropped by "includes"/"excludes" (caps, arches, minKernel), errnoRet carried, the older "name"
 * form, errors naming the file and JSON path, OCI files still read as before, and a converted
 * profile compiled and loaded in a forked child (no_new_privs: no root needed).
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vessel/security.h>
#include <vessel/vessel.h>

#include "stages/seccomp.h"
#include "tap.h"

#define CAP(c) (UINT64_C(1) << (c))
#define BASE_CAPS (CAP(CAP_CHOWN) | CAP(CAP_KILL) | CAP(CAP_SYS_CHROOT))

#if defined(__x86_64__)
#define NATIVE "amd64"
#define OTHER "arm64"
#elif defined(__aarch64__)
#define NATIVE "arm64"
#define OTHER "amd64"
#endif

static char dir[] = "/tmp/vessel-test-dockerseccomp.XXXXXX";
static char path[sizeof(dir) + 32];

/* Write text to the profile file and load it for a container with these capabilities. */
static int
load(const char *text, uint64_t caps, struct vsl_seccomp **ret, struct vsl_error *err)
{
    FILE *f = fopen(path, "we");

    if (!f)
        return -errno;
    (void)fputs(text, f);
    (void)fclose(f);
    *ret = NULL;
    return vsl_seccomp_load_profile(path, caps, ret, err);
}

/* The kept rule listing this syscall, NULL when none does. */
static const struct vsl_seccomp_syscall *
rule(const struct vsl_seccomp *sc, const char *name)
{
    for (size_t i = 0; sc && i < sc->n_syscalls; i++)
        for (size_t j = 0; j < sc->syscalls[i].names.n; j++)
            if (strcmp(sc->syscalls[i].names.v[j], name) == 0)
                return &sc->syscalls[i];
    return NULL;
}

static const char caps_profile[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,"
    " \"archMap\": [{\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": "
    "[\"SCMP_ARCH_ARM\"]},"
    "  {\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\", "
    "\"SCMP_ARCH_X32\"]}],"
    " \"syscalls\": ["
    "  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"always\"},"
    "  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\","
    "   \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
    "  {\"names\": [\"kcmp\"], \"action\": \"SCMP_ACT_ALLOW\","
    "   \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\", \"CAP_SYS_PTRACE\"]}},"
    "  {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
    "\"value\": 2114060288, \"op\": \"SCMP_CMP_MASKED_EQ\"}],"
    "   \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
    "  {\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38,"
    "   \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
    "  {\"name\": \"chroot\", \"action\": \"SCMP_ACT_ALLOW\","
    "   \"includes\": {\"caps\": [\"cap_sys_chroot\"]}}"
    " ]}";

static void
test_caps(void)
{
    struct vsl_seccomp *sc = NULL;
    struct vsl_error err = {0};
    const struct vsl_seccomp_syscall *s;

    is_int(load(caps_profile, BASE_CAPS, &sc, &err), 0, "docker profile without CAP_SYS_ADMIN");
    if (!sc) {
        printf("# %s\n", err.msg);
        return;
    }
    is_str(sc->default_action, "SCMP_ACT_ERRNO", "defaultAction carried");
    ok(sc->default_errno_ret.set && sc->default_errno_ret.v == EPERM, "defaultErrnoRet carried");
    ok(rule(sc, "read") && rule(sc, "write"), "an unconditional rule is kept (comment ignored)");
    ok(!rule(sc, "mount"), "includes caps: dropped without the capability");
    ok(!rule(sc, "kcmp"), "includes caps: dropped without every listed capability");
    s = rule(sc, "clone");
    ok(s && s->n_args == 1 && s->args[0].op == VSL_SCMP_MASKED_EQ && s->args[0].value == 2114060288,
       "excludes caps: kept without the capability, with its args");
    s = rule(sc, "clone3");
    ok(s && strcmp(s->action, "SCMP_ACT_ERRNO") == 0 && s->errno_ret.set &&
           s->errno_ret.v == ENOSYS,
       "errnoRet carried");
    ok(!rule(sc, "chroot"), "caps compare exactly, as moby: 'cap_sys_chroot' is not held");
    is_int(sc->n_syscalls, 3, "three rules kept");
    is_int(vsl_seccomp_validate(sc, &err), 0, "the converted profile validates");
    vsl_seccomp_free(sc);

    is_int(load(caps_profile, BASE_CAPS | CAP(CAP_SYS_ADMIN), &sc, &err), 0,
           "docker profile with CAP_SYS_ADMIN");
    ok(sc && rule(sc, "mount"), "includes caps: kept with the capability");
    ok(sc && !rule(sc, "kcmp"), "includes caps: still dropped without CAP_SYS_PTRACE");
    ok(sc && !rule(sc, "clone") && !rule(sc, "clone3"), "excludes caps: dropped with it");
    vsl_seccomp_free(sc);
    is_int(load(caps_profile, BASE_CAPS | CAP(CAP_SYS_ADMIN) | CAP(CAP_SYS_PTRACE), &sc, &err), 0,
           "docker profile with CAP_SYS_ADMIN and CAP_SYS_PTRACE");
    ok(sc && rule(sc, "kcmp"), "includes caps: kept with every listed capability");
    vsl_seccomp_free(sc);
}

static void
test_arches(void)
{
    struct vsl_seccomp *sc = NULL;
    struct vsl_error err = {0};

    is_int(load(caps_profile, BASE_CAPS, &sc, &err), 0, "archMap profile loads");
#if defined(__x86_64__)
    ok(sc && sc->architectures.n == 3 && strcmp(sc->architectures.v[0], "SCMP_ARCH_X86_64") == 0 &&
           strcmp(sc->architectures.v[1], "SCMP_ARCH_X86") == 0 &&
           strcmp(sc->architectures.v[2], "SCMP_ARCH_X32") == 0,
       "archMap: the native entry and its subArchitectures, nothing else");
#elif defined(__aarch64__)
    ok(sc && sc->architectures.n == 2 && strcmp(sc->architectures.v[0], "SCMP_ARCH_AARCH64") == 0,
       "archMap: the native entry and its subArchitectures, nothing else");
#endif
    vsl_seccomp_free(sc);

#ifdef NATIVE
    is_int(load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": "
                "[{\"architecture\": \"SCMP_ARCH_MIPS\"}], \"syscalls\": ["
                " {\"names\": [\"a_native\"], \"action\": \"SCMP_ACT_LOG\","
                "  \"includes\": {\"arches\": [\"" OTHER "\", \"" NATIVE "\"]}},"
                " {\"names\": [\"a_other\"], \"action\": \"SCMP_ACT_LOG\","
                "  \"includes\": {\"arches\": [\"" OTHER "\"]}},"
                " {\"names\": [\"a_scmp_name\"], \"action\": \"SCMP_ACT_LOG\","
                "  \"includes\": {\"arches\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_AARCH64\"]}},"
                " {\"names\": [\"x_native\"], \"action\": \"SCMP_ACT_LOG\","
                "  \"excludes\": {\"arches\": [\"" NATIVE "\"]}},"
                " {\"names\": [\"x_other\"], \"action\": \"SCMP_ACT_LOG\","
                "  \"excludes\": {\"arches\": [\"" OTHER "\"]}}]}",
                0, &sc, &err),
           0, "arches profile loads");
    ok(sc && sc->architectures.n == 0, "archMap without this machine: no architectures (native)");
    ok(rule(sc, "a_native") && !rule(sc, "a_other"), "includes arches: only with " NATIVE);
    ok(!rule(sc, "a_scmp_name"), "includes arches: moby's names, not SCMP_ARCH_ ones");
    ok(!rule(sc, "x_native") && rule(sc, "x_other"), "excludes arches: dropped on " NATIVE);
    vsl_seccomp_free(sc);
#endif
}

static void
test_min_kernel(void)
{
    struct vsl_seccomp *sc = NULL;
    struct vsl_error err = {0};

    is_int(load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                " {\"names\": [\"old\"], \"action\": \"SCMP_ACT_LOG\","
                "  \"includes\": {\"minKernel\": \"2.6\"}},"
                " {\"names\": [\"future\"], \"action\": \"SCMP_ACT_LOG\","
                "  \"includes\": {\"minKernel\": \"999.0\"}},"
                " {\"names\": [\"x_old\"], \"action\": \"SCMP_ACT_LOG\","
                "  \"excludes\": {\"minKernel\": \"3.10\"}},"
                " {\"names\": [\"x_future\"], \"action\": \"SCMP_ACT_LOG\","
                "  \"excludes\": {\"minKernel\": \"999.99\"}},"
                " {\"names\": [\"empty\"], \"action\": \"SCMP_ACT_LOG\","
                "  \"includes\": {\"minKernel\": \"\"}}]}",
                0, &sc, &err),
           0, "minKernel profile loads");
    ok(rule(sc, "old") && !rule(sc, "future"),
       "includes minKernel: kept only on a new enough kernel");
    ok(!rule(sc, "x_old") && rule(sc, "x_future"),
       "excludes minKernel: dropped on a new enough one");
    ok(rule(sc, "empty") != NULL, "minKernel \"\": no condition");
    vsl_seccomp_free(sc);
}

static void
test_errors(void)
{
    static const struct {
        const char *json, *want, *name;
    } cases[] = {
        {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
         "\"action\": \"SCMP_ACT_LOG\"}, {\"names\": [\"b\"], \"action\": \"SCMP_ACT_ALLOW\", "
         "\"includes\": {\"minKernel\": \"4.x\"}}]}",
         ": syscalls[1].includes.minKernel: invalid kernel version '4.x'", "bad minKernel"},
        {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
         "\"action\": \"SCMP_ACT_NOPE\", \"excludes\": {}}]}",
         ": syscalls[0].action: unknown action 'SCMP_ACT_NOPE'", "unknown action"},
        {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86\"], "
         "\"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\"}]}",
         ": archMap: use either 'architectures' or 'archMap'", "architectures and archMap"},
        {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"name\": \"a\", "
         "\"names\": [\"b\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
         ": syscalls[0]: use either 'name' or 'names'", "name and names"},
        {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
         "\"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": \"CAP_KILL\"}}]}",
         ": syscalls[0].includes.caps: expected an array of strings", "caps not a list"},
        {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{\"subArchitectures\": []}]}",
         ": archMap[0].architecture: required", "archMap entry without architecture"},
        {"{\"archMap\": []}", ": defaultAction: required", "no defaultAction"},
        {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
         "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": "
         "18446744073709551615, \"op\": \"SCMP_CMP_EQ\"}], \"excludes\": {}}]}",
         ": line 1 column", "a number past INT64_MAX in a docker profile (not read as OCI)"},
    };
    struct vsl_seccomp *sc = NULL;
    struct vsl_error err;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        err = (struct vsl_error){0};
        ok(load(cases[i].json, 0, &sc, &err) == -EINVAL && !sc, "error: %s", cases[i].name);
        like(err.msg, cases[i].want, "  names the JSON path");
        like(err.msg, path, "  names the file");
    }
}

static void
test_oci(void)
{
    struct vsl_seccomp *sc = NULL;
    struct vsl_error err = {0};

    is_int(load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
                "[\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": [\"mkdir\"], "
                "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 28}]}",
                0, &sc, &err),
           0, "an OCI profile still loads");
    ok(sc && rule(sc, "mkdir") && rule(sc, "mkdir")->errno_ret.v == 28 && sc->architectures.n == 1,
       "  as it is");
    vsl_seccomp_free(sc);
    sc = NULL;
    ok(load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": "
            "\"SCMP_ACT_ALLOW\"}]}",
            0, &sc, &err) < 0,
       "an OCI profile keeps the OCI parser's errors");
    like(err.msg, "linux.seccomp.syscalls[0].names: required", "  with its paths");
    ok(load("{not json", 0, &sc, &err) < 0, "a file that is no JSON");
    like(err.msg, path, "  names the file");
    ok(vsl_seccomp_load_profile("/nonexistent/profile.json", 0, &sc, &err) == -ENOENT,
       "a missing file");
    like(err.msg, "seccomp profile '/nonexistent/profile.json'", "  names it");
}

/* The converted profile, compiled and loaded: mkdir fails with its errnoRet. */
static void
test_enforced(void)
{
    struct vsl_seccomp *sc = NULL;
    struct vsl_error err = {0};
    struct sock_filter *prog = NULL;
    unsigned short len = 0;
    char target[sizeof(dir) + 8];
    int status = 0;

    (void)snprintf(target, sizeof(target), "%s/x", dir);
    is_int(
        load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": ["
             " {\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\"]},"
             " {\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": []}],"
             " \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": "
             "\"SCMP_ACT_ERRNO\", \"errnoRet\": 1, \"includes\": {\"minKernel\": \"3.0\"}}]}",
             0, &sc, &err),
        0, "a deny-mkdir docker profile loads");
    is_int(vsl_seccomp_compile(sc, &prog, &len, &err), 0, "and compiles");
    pid_t pid = fork();
    if (pid == 0) {
        struct sock_fprog fp = {.len = len, .filter = prog};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
            _exit(99);
        _exit(mkdir(target, 0700) < 0 ? errno : 0);
    }
    (void)waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == EPERM, "mkdir fails with EPERM under it");
    (void)rmdir(target);
    free(prog);
    vsl_seccomp_free(sc);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    (void)snprintf(path, sizeof(path), "%s/profile.json", dir);
    test_caps();
    test_arches();
    test_min_kernel();
    test_errors();
    test_oci();
    test_enforced();
    (void)unlink(path);
    (void)rmdir(dir);
    return done_testing();
}
