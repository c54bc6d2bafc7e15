// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vessel run's security flags -> spec (src/cli/run_security.c): capabilities, no-new-privileges,
 * seccomp (built-in, unconfined, --seccomp-allow), unmask, --privileged and the Landlock
 * annotation, plus the parse errors. Builds specs against a temporary directory root; no root.
 */
#include <linux/capability.h>
#include <sys/stat.h>

#include <vessel/security.h>

#include "cli/cli.h"
#include "tap.h"

#define CAP(c) (UINT64_C(1) << (c))

static char root[] = "/tmp/vessel-test-secopts.XXXXXX";

/* Parse and build `run ARGS... ROOT`; NULL on error (message in err). */
static struct vsl_spec *
build(struct vsl_error *err, const char *const *args)
{
    char *argv[32] = {"run"};
    int argc = 1;
    struct run_opts o;
    struct vsl_spec *spec = NULL;

    for (; args[argc - 1] && argc < 30; argc++)
        argv[argc] = (char *)args[argc - 1];
    argv[argc++] = root;
    if (run_opts_parse(argc, argv, &o, err) < 0)
        return NULL;
    if (run_opts_build_spec(&o, &spec, err) < 0)
        spec = NULL;
    run_opts_free(&o);
    return spec;
}

static bool
has(const struct vsl_strv *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], s) == 0)
            return true;
    return false;
}

static void
test_caps(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s;

    s = build(&err,
              (const char *const[]){"--cap-drop", "ALL", "--cap-add", "net_admin,CAP_KILL", NULL});
    ok(s != NULL, "cap flags build");
    if (s) {
        is_int(s->process.caps.bounding, CAP(CAP_NET_ADMIN) | CAP(CAP_KILL), "bounding");
        is_int(s->process.caps.effective, CAP(CAP_NET_ADMIN) | CAP(CAP_KILL), "effective");
        ok(vsl_seccomp_allows(s->linux_.seccomp, "read"), "a profile is in the spec");
        vsl_spec_free(s);
    }
    s = build(&err, (const char *const[]){"--cap-add", "SYS_ADMIN", NULL});
    ok(s && vsl_seccomp_allows(s->linux_.seccomp, "mount"),
       "the profile follows the capabilities: CAP_SYS_ADMIN allows mount");
    if (s)
        vsl_spec_free(s);
    ok(!build(&err, (const char *const[]){"--cap-add", "CAP_WINGS", NULL}), "unknown capability");
    like(err.msg, "--cap-add: unknown capability 'CAP_WINGS'", "names it");
}

static void
test_security_opt(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s;

    s = build(&err, (const char *const[]){"--security-opt", "no-new-privileges", "--security-opt",
                                          "unmask=/proc/keys", NULL});
    ok(s && s->process.no_new_privileges, "no-new-privileges");
    ok(s && !has(&s->linux_.masked_paths, "/proc/keys") &&
           has(&s->linux_.masked_paths, "/proc/kcore"),
       "unmask=/proc/keys removes only that path");
    if (s)
        vsl_spec_free(s);
    s = build(&err, (const char *const[]){"--security-opt", "unmask=ALL", "--security-opt",
                                          "seccomp=unconfined", NULL});
    ok(s && s->linux_.masked_paths.n == 0 && s->linux_.readonly_paths.n == 0, "unmask=ALL");
    ok(s && !s->linux_.seccomp, "seccomp=unconfined: no linux.seccomp");
    if (s)
        vsl_spec_free(s);
    ok(!build(&err, (const char *const[]){"--security-opt", "apparmor=x", NULL}),
       "an unknown --security-opt");
    like(err.msg, "--security-opt 'apparmor=x'", "names it");
    ok(!build(&err, (const char *const[]){"--security-opt", "seccomp=unconfined", "--seccomp-allow",
                                          "keyctl", NULL}),
       "--seccomp-allow with no profile");
    s = build(&err, (const char *const[]){"--seccomp-allow", "keyctl,bpf", NULL});
    ok(s && vsl_seccomp_allows(s->linux_.seccomp, "keyctl") &&
           vsl_seccomp_allows(s->linux_.seccomp, "bpf"),
       "--seccomp-allow keyctl,bpf");
    if (s)
        vsl_spec_free(s);
}

static void
test_privileged_landlock(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s;

    s = build(&err, (const char *const[]){"--privileged", NULL});
    ok(s && !s->linux_.seccomp && s->linux_.masked_paths.n == 0, "privileged: no seccomp, masks");
    ok(s && s->process.caps.bounding & CAP(CAP_SYS_ADMIN), "privileged: CAP_SYS_ADMIN");
    ok(s && s->linux_.resources.n_devices >= 1 &&
           s->linux_.resources.devices[s->linux_.resources.n_devices - 1].type == 'a',
       "privileged: a devices rule allowing all");
    if (s)
        vsl_spec_free(s);
    s = build(&err, (const char *const[]){"--landlock-ro", "/usr", "--landlock-rw", "/tmp",
                                          "--landlock-tcp-connect", "443", NULL});
    ok(s != NULL, "landlock flags build");
    if (s) {
        is_str(vsl_spec_get_annotation(s, VSL_ANN_LANDLOCK),
               "{\"ro\":[\"/usr\"],\"rw\":[\"/tmp\"],\"tcp_bind\":[],\"tcp_connect\":[443]}",
               "the annotation");
        ok(s->process.no_new_privileges, "landlock implies no_new_privs");
        vsl_spec_free(s);
    }
    ok(!build(&err, (const char *const[]){"--landlock-ro", "usr", NULL}), "a relative path");
    like(err.msg, "not an absolute path", "says so");
    ok(!build(&err, (const char *const[]){"--landlock-tcp-bind", "70000", NULL}), "a bad port");
    ok(!build(&err, (const char *const[]){"--userns", "sometimes", NULL}), "a bad --userns");
    like(err.msg, "expected host, auto or keep-id", "says what is expected");
}

int
main(void)
{
    if (!mkdtemp(root))
        return 1;
    test_caps();
    test_security_opt();
    test_privileged_landlock();
    (void)rmdir(root);
    return done_testing();
}
