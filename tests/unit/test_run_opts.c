// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel run` option parsing and spec building, `vessel spec`: every flag's parse result, its
 * mapping into the spec (against a temporary rootfs with etc/passwd and etc/group), and the
 * one-line errors. No root needed.
 */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/capability.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "tap.h"

#define CAP(c) (UINT64_C(1) << (c))

static char tmp[64];      /* the test's scratch directory */
static char root[128];    /* tmp/rootfs: a directory rootfs */
static char image[128];   /* tmp/disk.img: an "image file" */
static char envfile[128]; /* tmp/env */

/* run_opts borrows argv, so parse a copy that outlives the caller's compound literal (a ring of
 * copies: each test frees its options long before the ring comes round). */
static int
parse_v(char **argv_in, struct run_opts *o, struct vsl_error *err)
{
    static char *ring[16][64];
    static unsigned slot;
    char **argv = ring[slot++ % 16];
    int argc = 0;

    while (argc < 63 && argv_in[argc]) {
        argv[argc] = argv_in[argc];
        argc++;
    }
    argv[argc] = NULL;
    memset(o, 0, sizeof(*o));
    memset(err, 0, sizeof(*err));
    return run_opts_parse(argc, argv, o, err);
}

/* PARSE(&o, &err, "--flag", "ROOT") */
#define PARSE(o, err, ...) parse_v((char *[]){"run", __VA_ARGS__, NULL}, (o), (err))

/* Parse and build; returns the spec or NULL (err filled). */
static struct vsl_spec *
build_v(char **argv, struct vsl_error *err)
{
    struct run_opts o;
    struct vsl_spec *spec = NULL;

    if (parse_v(argv, &o, err) < 0)
        return NULL;
    if (run_opts_build_spec(&o, &spec, err) < 0)
        spec = NULL;
    run_opts_free(&o);
    return spec;
}

#define BUILD(err, ...) build_v((char *[]){"run", __VA_ARGS__, NULL}, (err))

static void
write_file(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX];
    FILE *f;

    (void)snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "we");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

static void
setup(void)
{
    char path[PATH_MAX];

    (void)snprintf(tmp, sizeof(tmp), "/tmp/vessel-test-run-XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        exit(2);
    }
    (void)snprintf(root, sizeof(root), "%s/rootfs", tmp);
    (void)snprintf(path, sizeof(path), "%s/etc", root);
    if (mkdir(root, 0755) < 0 || mkdir(path, 0755) < 0) {
        perror("mkdir");
        exit(2);
    }
    write_file(root, "etc/passwd",
               "root:x:0:0:root:/root:/bin/sh\n"
               "alice:x:1000:1001::/home/alice:/bin/sh\n"
               "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
    write_file(root, "etc/group", "root:x:0:\nstaff:x:50:alice\nalice:x:1001:\n");
    write_file(tmp, "disk.img", "not really a disk\n");
    (void)snprintf(image, sizeof(image), "%s/disk.img", tmp);
    write_file(tmp, "env",
               "# a comment\n"
               "\n"
               "  FROMFILE=1\n"
               "EQ=a=b\n"
               "VSL_TEST_HOSTVAR\n"
               "VSL_TEST_UNSET_VAR  \n"
               "SHARED=file\n");
    (void)snprintf(envfile, sizeof(envfile), "%s/env", tmp);
    (void)snprintf(path, sizeof(path), "%s/data", tmp);
    (void)mkdir(path, 0755);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)remove(path);
    return 0;
}

static const struct vsl_mount *
find_mount(const struct vsl_spec *spec, const char *dst)
{
    for (size_t i = 0; i < spec->n_mounts; i++)
        if (strcmp(spec->mounts[i].destination, dst) == 0)
            return &spec->mounts[i];
    return NULL;
}

static size_t
count_mounts(const struct vsl_spec *spec, const char *dst)
{
    size_t n = 0;

    for (size_t i = 0; i < spec->n_mounts; i++)
        n += strcmp(spec->mounts[i].destination, dst) == 0;
    return n;
}

/* The mount's options joined with ',' (static buffer). */
static const char *
mount_opts(const struct vsl_mount *m)
{
    static char buf[512];

    buf[0] = '\0';
    for (size_t i = 0; m && i < m->options.n; i++) {
        if (i)
            strcat(buf, ",");
        strncat(buf, m->options.v[i], sizeof(buf) - strlen(buf) - 1);
    }
    return buf;
}

static int
env_index(const struct vsl_spec *spec, const char *prefix)
{
    for (size_t i = 0; i < spec->process.env.n; i++)
        if (strncmp(spec->process.env.v[i], prefix, strlen(prefix)) == 0)
            return (int)i;
    return -1;
}

static void
test_parse_defaults(void)
{
    struct run_opts o;
    struct vsl_error err;

    is_int(PARSE(&o, &err, "ROOT"), 0, "parse: ROOT alone");
    is_str(o.rootfs, "ROOT", "parse: rootfs");
    is_int(o.n_args, 0, "parse: no command");
    is_int(strlen(o.id), 12, "parse: generated id has 12 chars");
    ok(strspn(o.id, "0123456789abcdef") == 12, "parse: generated id is lowercase hex");
    ok(!o.tty && !o.interactive && !o.rm && !o.read_only && !o.ephemeral && !o.print_spec,
       "parse: booleans default off");
    ok(o.pid == RUN_SHARE_PRIVATE && o.network == RUN_NET_PRIVATE && o.uts == RUN_SHARE_PRIVATE,
       "parse: namespaces default private");
    run_opts_free(&o);
}

static void
test_parse_flags(void)
{
    struct run_opts o;
    struct vsl_error err;

    is_int(PARSE(&o, &err, "--name", "web.1_a-b", "-it", "--rm", "ROOT"), 0, "parse: -it --rm");
    is_str(o.id, "web.1_a-b", "parse: --name sets the id");
    ok(o.tty && o.interactive && o.rm, "parse: -t -i --rm set");
    run_opts_free(&o);

    is_int(PARSE(&o, &err, "--tty", "--interactive", "-w", "/srv", "-u", "1000:50", "-h", "box",
                 "--read-only", "--ephemeral", "--partition", "2", "--print-spec", "--root",
                 "/tmp/st", "ROOT"),
           0, "parse: long flags");
    ok(o.tty && o.interactive && o.read_only && o.ephemeral && o.print_spec, "parse: booleans");
    is_str(o.workdir, "/srv", "parse: -w");
    is_str(o.user, "1000:50", "parse: -u");
    is_str(o.hostname, "box", "parse: -h is the hostname");
    is_int(o.partition, 2, "parse: --partition");
    is_str(o.state_root, "/tmp/st", "parse: --root after run");
    run_opts_free(&o);

    is_int(PARSE(&o, &err, "-e", "A=1", "--env-file", "f", "--env", "B", "ROOT"), 0, "parse: env");
    is_int(o.n_env, 3, "parse: three env entries");
    ok(o.n_env == 3 && o.env[0].kind == RUN_ENV_VAR && strcmp(o.env[0].value, "A=1") == 0 &&
           o.env[1].kind == RUN_ENV_FILE && strcmp(o.env[1].value, "f") == 0 &&
           o.env[2].kind == RUN_ENV_VAR && strcmp(o.env[2].value, "B") == 0,
       "parse: env entries in command-line order");
    run_opts_free(&o);

    is_int(PARSE(&o, &err, "--pid", "host", "--ipc=host", "--uts", "host", "--cgroupns", "host",
                 "--net", "host", "ROOT"),
           0, "parse: host namespaces");
    ok(o.pid == RUN_SHARE_HOST && o.ipc == RUN_SHARE_HOST && o.uts == RUN_SHARE_HOST &&
           o.cgroupns == RUN_SHARE_HOST && o.network == RUN_NET_HOST,
       "parse: every namespace flag says host");
    run_opts_free(&o);

    is_int(PARSE(&o, &err, "--network", "none", "ROOT"), 0, "parse: --network none");
    is_int(o.network, RUN_NET_NONE, "parse: network none");
    run_opts_free(&o);

    is_int(
        PARSE(&o, &err, "--time-offset", "boottime=-5", "--time-offset", "monotonic=86400", "ROOT"),
        0, "parse: --time-offset twice");
    ok(o.boottime.set && o.boottime.secs == -5, "parse: boottime=-5");
    ok(o.monotonic.set && o.monotonic.secs == 86400, "parse: monotonic=86400");
    run_opts_free(&o);
}

static void
test_parse_mounts(void)
{
    struct run_opts o;
    struct vsl_error err;

    is_int(PARSE(&o, &err, "-v", "data:/mnt/data/:ro", "--volume", "/x:/y", "--tmpfs",
                 "/run:size=1m", "--tmpfs", "/t", "ROOT"),
           0, "parse: volumes and tmpfs");
    ok(o.n_volumes == 2 && strcmp(o.volumes[0].source, "data") == 0 &&
           strcmp(o.volumes[0].destination, "/mnt/data") == 0 && o.volumes[0].read_only,
       "parse: -v SRC:DST:ro, trailing slash dropped");
    ok(o.n_volumes == 2 && !o.volumes[1].read_only, "parse: -v without options is rw");
    ok(o.n_tmpfs == 2 &&
           strcmp(o.tmpfs[0].options, "rw,nosuid,nodev,noexec,size=65536k,size=1m") == 0,
       "parse: --tmpfs options appended to the defaults");
    ok(o.n_tmpfs == 2 && strcmp(o.tmpfs[1].options, "rw,nosuid,nodev,noexec,size=65536k") == 0,
       "parse: --tmpfs default options");
    run_opts_free(&o);

    ok(PARSE(&o, &err, "-v", "a:/b:ro,exec", "ROOT") < 0, "parse: -v unknown option fails");
    is_str(err.msg, "volume 'a:/b:ro,exec': unknown option 'exec'",
           "parse: -v unknown option message");
    ok(PARSE(&o, &err, "-v", "a:b", "ROOT") < 0, "parse: -v relative destination fails");
    like(err.msg, "destination 'b' is not an absolute path",
         "parse: -v relative destination message");
    ok(PARSE(&o, &err, "-v", "/a", "ROOT") < 0, "parse: -v without destination fails");
    like(err.msg, "expected SRC:DST[:OPTS]", "parse: -v without destination message");
    ok(PARSE(&o, &err, "--tmpfs", "tmp", "ROOT") < 0, "parse: --tmpfs relative fails");
    ok(PARSE(&o, &err, "-v", "/a:/", "ROOT") < 0, "parse: -v over / fails");

    is_int(PARSE(&o, &err, "-v", "a:/a", "-v", "a:/b:idmap", "-v", "a:/c:ro,noidmap", "-v",
                 "a:/d:noidmap,idmap,rw", "ROOT"),
           0, "parse: -v idmap and noidmap");
    ok(o.n_volumes == 4 && o.volumes[0].idmap == RUN_IDMAP_DEFAULT,
       "parse: -v without idmap follows the user namespace");
    ok(o.n_volumes == 4 && o.volumes[1].idmap == RUN_IDMAP_ON && !o.volumes[1].read_only,
       "parse: -v :idmap");
    ok(o.n_volumes == 4 && o.volumes[2].idmap == RUN_IDMAP_OFF && o.volumes[2].read_only,
       "parse: -v :ro,noidmap keeps ro");
    ok(o.n_volumes == 4 && o.volumes[3].idmap == RUN_IDMAP_ON, "parse: -v the last idmap wins");
    run_opts_free(&o);
    ok(PARSE(&o, &err, "-v", "a:/b:ridmap", "ROOT") < 0, "parse: -v ridmap is unknown");
}

static void
test_parse_passthrough(void)
{
    struct run_opts o;
    struct vsl_error err;

    is_int(PARSE(&o, &err, "-t", "ROOT", "ls", "-l", "--color", "-e", "x"), 0,
           "parse: command with its own flags");
    is_int(o.n_args, 5, "parse: all command words kept");
    ok(o.n_args == 5 && strcmp(o.args[0], "ls") == 0 && strcmp(o.args[1], "-l") == 0 &&
           strcmp(o.args[3], "-e") == 0,
       "parse: the command's -l and -e pass through");
    is_int(o.n_env, 0, "parse: the command's -e is not ours");
    run_opts_free(&o);

    is_int(PARSE(&o, &err, "--", "-odd-root"), 0, "parse: -- ends the options");
    is_str(o.rootfs, "-odd-root", "parse: ROOTFS after --");
    run_opts_free(&o);
}

static void
test_parse_errors(void)
{
    struct run_opts o;
    struct vsl_error err;
    char longname[RUN_ID_MAX + 2];

    ok(PARSE(&o, &err, "--bogus", "ROOT") < 0, "parse: unknown flag fails");
    is_str(err.msg, "unknown or ambiguous flag: '--bogus'", "parse: unknown flag message");
    ok(PARSE(&o, &err, "--rm", "-zt", "ROOT") < 0, "parse: unknown flag first in a cluster fails");
    is_str(err.msg, "unknown shorthand flag: 'z' in '-zt'", "parse: the cluster is named");
    ok(PARSE(&o, &err, "--tty=yes", "ROOT") < 0, "parse: value for a flag without one fails");
    is_str(err.msg, "flag takes no argument: '--tty'", "parse: flag without value message");
    ok(PARSE(&o, &err, "-z", "ROOT") < 0, "parse: unknown short flag fails");
    like(err.msg, "unknown shorthand flag: 'z'", "parse: unknown short flag message");
    ok(PARSE(&o, &err, "ROOT", "--bogus") == 0, "parse: flags after ROOTFS are the command's");
    run_opts_free(&o);
    ok(PARSE(&o, &err, "-e") < 0, "parse: missing argument fails");
    is_str(err.msg, "flag needs an argument: '-e'", "parse: missing argument message");
    ok(PARSE(&o, &err, "-t") < 0, "parse: no ROOTFS fails");
    like(err.msg, "missing ROOTFS", "parse: no ROOTFS message");
    ok(PARSE(&o, &err, "--name", "-bad", "ROOT") < 0, "parse: name starting with '-' fails");
    like(err.msg, "invalid container name '-bad'", "parse: bad name message");
    ok(PARSE(&o, &err, "--name", "a/b", "ROOT") < 0, "parse: name with '/' fails");
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ok(PARSE(&o, &err, "--name", longname, "ROOT") < 0, "parse: 129-char name fails");
    ok(PARSE(&o, &err, "-w", "srv", "ROOT") < 0, "parse: relative workdir fails");
    like(err.msg, "--workdir 'srv': not an absolute path", "parse: relative workdir message");
    ok(PARSE(&o, &err, "-u", "1000:", "ROOT") < 0, "parse: -u with empty group fails");
    ok(PARSE(&o, &err, "-e", "=x", "ROOT") < 0, "parse: -e without name fails");
    ok(PARSE(&o, &err, "--partition", "0", "ROOT") < 0, "parse: --partition 0 fails");
    ok(PARSE(&o, &err, "--partition", "2x", "ROOT") < 0, "parse: --partition 2x fails");
    ok(PARSE(&o, &err, "--pid", "shared", "ROOT") < 0, "parse: --pid bad value fails");
    is_str(err.msg, "--pid: invalid value 'shared' (expected host or private)",
           "parse: --pid bad value message");
    ok(PARSE(&o, &err, "--network", "bridge", "ROOT") < 0, "parse: --network bridge not yet");
    ok(PARSE(&o, &err, "--time-offset", "realtime=5", "ROOT") < 0,
       "parse: --time-offset realtime fails");
    ok(PARSE(&o, &err, "--time-offset", "boottime=1.5", "ROOT") < 0,
       "parse: --time-offset non-integer fails");
    ok(PARSE(&o, &err, "-h", "h", "--uts", "host", "ROOT") < 0, "parse: -h with --uts host fails");
}

static void
test_parse_bundle(void)
{
    struct run_opts o;
    struct vsl_error err;

    is_int(PARSE(&o, &err, "--bundle", "/b", "--rm", "ctr1"), 0, "parse: --bundle DIR ID");
    is_str(o.bundle, "/b", "parse: bundle dir");
    is_str(o.id, "ctr1", "parse: bundle id");
    ok(o.rootfs == NULL, "parse: no ROOTFS in bundle mode");
    run_opts_free(&o);
    ok(PARSE(&o, &err, "-b", "/b") < 0, "parse: --bundle without id fails");
    ok(PARSE(&o, &err, "-b", "/b", "-v", "/a:/b", "id") < 0, "parse: --bundle with -v fails");
    like(err.msg, "--volume cannot be used with --bundle", "parse: --bundle with -v message");
    ok(PARSE(&o, &err, "-b", "/b", "id", "extra") < 0, "parse: --bundle with two ids fails");
    is_int(PARSE(&o, &err, "--help"), 0, "parse: --help needs no ROOTFS");
    ok(o.help, "parse: --help");
    run_opts_free(&o);
}

static void
test_build_defaults(void)
{
    struct vsl_error err = {0};
    char real[PATH_MAX];
    struct vsl_spec *spec = BUILD(&err, "--name", "c1", root);
    const uint64_t docker = CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FSETID) |
                            CAP(CAP_FOWNER) | CAP(CAP_MKNOD) | CAP(CAP_NET_RAW) | CAP(CAP_SETGID) |
                            CAP(CAP_SETUID) | CAP(CAP_SETFCAP) | CAP(CAP_SETPCAP) |
                            CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_SYS_CHROOT) | CAP(CAP_KILL) |
                            CAP(CAP_AUDIT_WRITE);

    ok(spec != NULL, "build: defaults (%s)", spec ? "ok" : err.msg);
    if (!spec)
        return;
    ok(realpath(root, real) && strcmp(spec->root_path, real) == 0, "build: root.path is realpath");
    ok(!spec->root_readonly, "build: root writable");
    ok(spec->process.args.n == 1 && strcmp(spec->process.args.v[0], "/bin/sh") == 0,
       "build: default command /bin/sh");
    ok(!spec->process.terminal, "build: no terminal without -t");
    is_str(spec->process.cwd, "/", "build: cwd /");
    ok(spec->process.uid == 0 && spec->process.gid == 0, "build: user 0:0");
    is_str(spec->hostname, "c1", "build: hostname is the id");
    is_str(vsl_spec_getenv(spec, "HOSTNAME"), "c1", "build: HOSTNAME env");
    ok(vsl_spec_getenv(spec, "PATH") != NULL, "build: PATH env");
    ok(vsl_spec_getenv(spec, "TERM") == NULL, "build: no TERM without -t");
    ok(spec->process.caps.present && spec->process.caps.bounding == docker &&
           spec->process.caps.effective == docker && spec->process.caps.permitted == docker,
       "build: docker's capability set");
    ok(spec->process.caps.inheritable == 0 && spec->process.caps.ambient == 0,
       "build: no inheritable or ambient capabilities");
    is_int(spec->process.n_rlimits, 0, "build: no rlimits (inherited)");
    ok(!spec->process.no_new_privileges, "build: noNewPrivileges false");
    const struct vsl_namespace *ns = spec->linux_.namespaces;
    ok(ns[VSL_NS_PID].present && ns[VSL_NS_NET].present && ns[VSL_NS_IPC].present &&
           ns[VSL_NS_UTS].present && ns[VSL_NS_MOUNT].present && ns[VSL_NS_CGROUP].present,
       "build: pid network ipc uts mount cgroup namespaces");
    ok(!ns[VSL_NS_TIME].present && !ns[VSL_NS_USER].present, "build: no time or user namespace");
    ok(vsl_spec_get_annotation(spec, VSL_ANN_EPHEMERAL) == NULL, "build: not ephemeral");
    vsl_spec_free(spec);
}

static void
test_build_process(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *spec;

    spec = BUILD(&err, "-t", "-h", "myhost", "-w", "/srv", root, "ls", "-l");
    ok(spec != NULL, "build: -t -h -w");
    if (spec) {
        ok(spec->process.terminal, "build: -t sets terminal");
        is_str(vsl_spec_getenv(spec, "TERM"), "xterm", "build: TERM=xterm with -t");
        is_str(spec->hostname, "myhost", "build: -h sets hostname");
        is_str(vsl_spec_getenv(spec, "HOSTNAME"), "myhost", "build: HOSTNAME follows -h");
        is_str(spec->process.cwd, "/srv", "build: -w sets cwd");
        ok(spec->process.args.n == 2 && strcmp(spec->process.args.v[1], "-l") == 0,
           "build: command and its flags become args");
        vsl_spec_free(spec);
    }

    spec = BUILD(&err, "-u", "1000", root);
    ok(spec && spec->process.uid == 1000 && spec->process.gid == 1001,
       "build: -u 1000 takes the group from etc/passwd");
    vsl_spec_free(spec);
    spec = BUILD(&err, "-u", "4242", root);
    ok(spec && spec->process.uid == 4242 && spec->process.gid == 0,
       "build: -u 4242 not in passwd: gid 0");
    vsl_spec_free(spec);
    spec = BUILD(&err, "-u", "5:7", image);
    ok(spec && spec->process.uid == 5 && spec->process.gid == 7, "build: -u 5:7 numeric");
    vsl_spec_free(spec);
    spec = BUILD(&err, "-u", "alice", root);
    ok(spec && spec->process.uid == 1000 && spec->process.gid == 1001, "build: -u alice");
    vsl_spec_free(spec);
    spec = BUILD(&err, "-u", "alice:staff", root);
    ok(spec && spec->process.uid == 1000 && spec->process.gid == 50, "build: -u alice:staff");
    vsl_spec_free(spec);
    spec = BUILD(&err, "-u", "nobody:0", root);
    ok(spec && spec->process.uid == 65534 && spec->process.gid == 0, "build: -u nobody:0");
    vsl_spec_free(spec);
    ok(BUILD(&err, "-u", "bob", root) == NULL, "build: unknown user fails");
    like(err.msg, "user 'bob': not found in", "build: unknown user message");
    ok(BUILD(&err, "-u", "alice:wheel", root) == NULL, "build: unknown group fails");
    like(err.msg, "group 'wheel'", "build: unknown group message");
    ok(BUILD(&err, "-u", "alice", image) == NULL, "build: user name with an image file fails");
    like(err.msg, "user 'alice': names are looked up in a directory rootfs only",
         "build: user name with an image file message");
}

static void
test_build_env(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *spec;

    setenv("VSL_TEST_HOSTVAR", "from-host", 1);
    unsetenv("VSL_TEST_UNSET_VAR");
    spec = BUILD(&err, "-e", "A=1", "-e", "B=2", "-e", "A=3", "-e", "VSL_TEST_HOSTVAR", "-e",
                 "VSL_TEST_UNSET_VAR", "-e", "HOSTNAME=override", root);
    ok(spec != NULL, "build: -e");
    if (spec) {
        is_str(vsl_spec_getenv(spec, "A"), "3", "build: a later -e replaces an earlier one");
        ok(env_index(spec, "A=") >= 0 && env_index(spec, "A=") < env_index(spec, "B="),
           "build: a replaced variable keeps its place");
        is_str(vsl_spec_getenv(spec, "VSL_TEST_HOSTVAR"), "from-host",
               "build: -e KEY takes the host's value");
        ok(vsl_spec_getenv(spec, "VSL_TEST_UNSET_VAR") == NULL,
           "build: -e KEY unset on the host is skipped");
        is_str(vsl_spec_getenv(spec, "HOSTNAME"), "override", "build: -e can replace HOSTNAME");
        is_int(env_index(spec, "PATH="), 0, "build: PATH comes first");
        vsl_spec_free(spec);
    }

    spec = BUILD(&err, "-e", "SHARED=arg", "--env-file", envfile, "-e", "EQ=arg", root);
    ok(spec != NULL, "build: --env-file (%s)", spec ? "ok" : err.msg);
    if (spec) {
        is_str(vsl_spec_getenv(spec, "FROMFILE"), "1", "build: env file, leading spaces trimmed");
        is_str(vsl_spec_getenv(spec, "SHARED"), "file", "build: env file after -e replaces it");
        is_str(vsl_spec_getenv(spec, "EQ"), "arg", "build: -e after the env file replaces it");
        is_str(vsl_spec_getenv(spec, "VSL_TEST_HOSTVAR"), "from-host",
               "build: env file KEY takes the host's value");
        ok(vsl_spec_getenv(spec, "VSL_TEST_UNSET_VAR") == NULL,
           "build: env file KEY unset on the host is skipped");
        ok(env_index(spec, "#") < 0, "build: env file comments skipped");
        vsl_spec_free(spec);
    }

    spec = BUILD(&err, "--env-file", envfile, root);
    is_str(spec ? vsl_spec_getenv(spec, "EQ") : NULL, "a=b", "build: env file value keeps its '='");
    vsl_spec_free(spec);

    ok(BUILD(&err, "--env-file", "/nonexistent/env", root) == NULL, "build: missing env file");
    is_str(err.msg, "env file '/nonexistent/env': No such file or directory",
           "build: missing env file message");
    write_file(tmp, "badenv", "OK=1\n=nokey\n");
    char bad[PATH_MAX];
    (void)snprintf(bad, sizeof(bad), "%s/badenv", tmp);
    ok(BUILD(&err, "--env-file", bad, root) == NULL, "build: env file line without a name fails");
    like(err.msg, "line 2: no variable name", "build: env file error names the line");
}

static void
test_build_mounts(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *spec;
    char real[PATH_MAX], vol[PATH_MAX], want[PATH_MAX + 64];
    const struct vsl_mount *m;

    (void)snprintf(vol, sizeof(vol), "%s/data:/data:ro", tmp);
    spec = BUILD(&err, "-v", vol, "-v", "data:/rw", "--tmpfs", "/scratch:size=1m", "--tmpfs",
                 "/dev/shm", "--read-only", root);
    ok(spec != NULL, "build: mounts (%s)", spec ? "ok" : err.msg);
    if (spec) {
        (void)snprintf(real, sizeof(real), "%s/data", tmp);
        m = find_mount(spec, "/data");
        ok(m && m->type && strcmp(m->type, "bind") == 0, "build: -v is a bind mount");
        ok(m && m->source && realpath(real, vol) && strcmp(m->source, vol) == 0,
           "build: -v source is absolute");
        is_str(mount_opts(m), "rbind,ro", "build: -v :ro options");
        m = find_mount(spec, "/rw");
        ok(m && m->source && strcmp(m->source, vol) == 0, "build: -v relative source against cwd");
        is_str(mount_opts(m), "rbind,rw", "build: -v default rw");
        m = find_mount(spec, "/scratch");
        ok(m && m->type && strcmp(m->type, "tmpfs") == 0, "build: --tmpfs type");
        is_str(mount_opts(m), "rw,nosuid,nodev,noexec,size=65536k,size=1m",
               "build: --tmpfs options");
        is_int(count_mounts(spec, "/dev/shm"), 1, "build: --tmpfs replaces the default /dev/shm");
        ok(spec->root_readonly, "build: --read-only");
        vsl_spec_free(spec);
    }
    ok(BUILD(&err, "-v", "missing-src:/x", root) == NULL, "build: missing volume source fails");
    (void)snprintf(want, sizeof(want),
                   "volume 'missing-src:/x': source '%s/missing-src': No such file or directory",
                   tmp);
    is_str(err.msg, want, "build: missing volume source message");
}

/* A spec with bind mounts at /a, /b, /c and a tmpfs at /d; userns: 0 none, 1 a new one with
 * mappings, 2 a new one without mappings, 3 joined by path. */
static struct vsl_spec *
idmap_spec(int userns)
{
    static const struct vsl_idmap map = {0, 3300000, 65536};
    struct vsl_error err = {0};
    struct vsl_spec *spec = NULL;
    struct vsl_linux *l;

    if (vsl_spec_new_default(false, &spec, &err) < 0)
        return NULL;
    for (size_t i = 0; i < 3; i++)
        (void)vsl_spec_add_mount(spec, (const char *[]){"/a", "/b", "/c"}[i], "bind", tmp,
                                 "rbind,rw", &err);
    (void)vsl_spec_add_mount(spec, "/d", "tmpfs", "tmpfs", "rw", &err);
    l = &spec->linux_;
    l->namespaces[VSL_NS_USER].present = userns != 0;
    if (userns == 3)
        l->namespaces[VSL_NS_USER].path = strdup("/proc/1/ns/user");
    if (userns == 1 || userns == 3) {
        l->uid_mappings = calloc(1, sizeof(map));
        l->gid_mappings = calloc(1, sizeof(map));
        if (!l->uid_mappings || !l->gid_mappings)
            exit(2);
        l->uid_mappings[0] = l->gid_mappings[0] = map;
        l->n_uid_mappings = l->n_gid_mappings = 1;
    }
    return spec;
}

/* -v's idmap against the spec's user namespace, without --userns (which needs /etc/subuid and the
 * allocation records): the mappings are put in the spec by hand. */
static void
test_build_volume_idmap(void)
{
    struct run_opts o, forced;
    struct vsl_error err = {0};
    struct vsl_spec *spec;

    if (PARSE(&o, &err, "-v", "x:/a", "-v", "x:/b:noidmap", "-v", "x:/d", "ROOT") < 0 ||
        PARSE(&forced, &err, "-v", "x:/a", "-v", "x:/c:ro,idmap", "ROOT") < 0)
        exit(2);

    spec = idmap_spec(1);
    is_int(run_volumes_idmap(&o, spec, true, &err), 0, "idmap: new user namespace, as root");
    is_str(mount_opts(find_mount(spec, "/a")), "rbind,rw,idmap", "idmap: a volume gets idmap");
    ok(find_mount(spec, "/a")->recursive && find_mount(spec, "/a")->bind,
       "idmap: the options are parsed again");
    is_str(mount_opts(find_mount(spec, "/b")), "rbind,rw", "idmap: :noidmap stays a plain bind");
    is_str(mount_opts(find_mount(spec, "/c")), "rbind,rw", "idmap: a bind that is no -v is kept");
    is_str(mount_opts(find_mount(spec, "/d")), "rw", "idmap: a --tmpfs over a -v needs nothing");
    vsl_spec_free(spec);

    spec = idmap_spec(1);
    is_int(run_volumes_idmap(&forced, spec, true, &err), 0, "idmap: :idmap with a user namespace");
    is_str(mount_opts(find_mount(spec, "/c")), "rbind,rw,idmap", "idmap: :idmap is added");
    vsl_spec_free(spec);

    for (int userns = 0; userns <= 3; userns++) {
        if (userns == 1)
            continue;
        spec = idmap_spec(userns);
        ok(run_volumes_idmap(&o, spec, true, &err) == 0, "idmap: user namespace kind %d", userns);
        is_str(mount_opts(find_mount(spec, "/a")), "rbind,rw",
               "idmap: nothing without a new user namespace with mappings");
        ok(run_volumes_idmap(&forced, spec, true, &err) < 0, "idmap: :idmap refused (kind %d)",
           userns);
        is_str(err.msg, "volume 'x:/c:ro,idmap': idmap needs a new user namespace (--userns auto)",
               "idmap: :idmap without a user namespace message");
        vsl_spec_free(spec);
    }

    /* not root: a host filesystem's mount cannot be idmapped, the caller's files map to root */
    spec = idmap_spec(1);
    is_int(run_volumes_idmap(&o, spec, false, &err), 0, "idmap: not root");
    is_str(mount_opts(find_mount(spec, "/a")), "rbind,rw", "idmap: not root: a plain bind");
    ok(run_volumes_idmap(&forced, spec, false, &err) < 0, "idmap: not root: :idmap refused");
    is_int(err.code, -EPERM, "idmap: not root: EPERM");
    is_str(err.msg, "volume 'x:/c:ro,idmap': only root can idmap a volume, use ':noidmap' instead",
           "idmap: not root: message");
    vsl_spec_free(spec);
    run_opts_free(&o);
    run_opts_free(&forced);

    /* through run_opts_build_spec: without --userns root gets no user namespace to map into */
    if (geteuid() == 0) {
        ok(BUILD(&err, "-v", "data:/x:idmap", root) == NULL, "build: -v :idmap without --userns");
        like(err.msg, "volume 'data:/x:idmap': idmap needs a new user namespace",
             "build: -v :idmap without --userns message");
        spec = BUILD(&err, "-v", "data:/x", root);
        is_str(mount_opts(spec ? find_mount(spec, "/x") : NULL), "rbind,rw",
               "build: -v without a user namespace is not idmapped");
        vsl_spec_free(spec);
    }
}

static void
test_build_linux(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *spec;
    char real[PATH_MAX];
    const struct vsl_namespace *ns;

    spec = BUILD(&err, "--pid", "host", "--network", "host", "--ipc", "host", "--uts", "host",
                 "--cgroupns", "host", "--ephemeral", "--partition", "3", "--time-offset",
                 "boottime=100", image);
    ok(spec != NULL, "build: host namespaces (%s)", spec ? "ok" : err.msg);
    if (!spec)
        return;
    ns = spec->linux_.namespaces;
    ok(!ns[VSL_NS_PID].present, "build: --pid host removes the pid namespace");
    ok(!ns[VSL_NS_NET].present, "build: --network host removes the network namespace");
    ok(!ns[VSL_NS_IPC].present, "build: --ipc host removes the ipc namespace");
    ok(!ns[VSL_NS_UTS].present, "build: --uts host removes the uts namespace");
    ok(!ns[VSL_NS_CGROUP].present, "build: --cgroupns host removes the cgroup namespace");
    ok(ns[VSL_NS_MOUNT].present, "build: the mount namespace stays");
    ok(spec->hostname == NULL, "build: no hostname with --uts host");
    ok(ns[VSL_NS_TIME].present, "build: --time-offset adds the time namespace");
    ok(spec->linux_.time_boottime.set && spec->linux_.time_boottime.secs == 100,
       "build: --time-offset boottime");
    ok(!spec->linux_.time_monotonic.set, "build: monotonic offset not set");
    is_str(vsl_spec_get_annotation(spec, VSL_ANN_EPHEMERAL), "true", "build: --ephemeral");
    is_str(vsl_spec_get_annotation(spec, VSL_ANN_PARTITION), "3", "build: --partition");
    ok(realpath(image, real) && strcmp(spec->root_path, real) == 0,
       "build: an image file is the root path");
    vsl_spec_free(spec);

    spec = BUILD(&err, "--network", "none", root);
    ok(spec && spec->linux_.namespaces[VSL_NS_NET].present, "build: --network none keeps a netns");
    vsl_spec_free(spec);

    ok(BUILD(&err, "/nonexistent/rootfs") == NULL, "build: missing rootfs fails");
    is_str(err.msg, "rootfs '/nonexistent/rootfs': No such file or directory",
           "build: missing rootfs message");
    ok(BUILD(&err, "no-such-image-xyz") == NULL, "build: unknown image name fails");
}

/* Run a command with stdout and stderr sent to files; returns its exit code. */
static int
capture(int (*fn)(int, char **, const struct cli_globals *), char **argv, char *out,
        size_t out_size, char *errbuf, size_t err_size)
{
    struct cli_globals g = {.root = "/nonexistent/state"};
    char out_path[PATH_MAX], err_path[PATH_MAX];
    int argc = 0, saved_out, saved_err, fd_out, fd_err, code;

    while (argv[argc])
        argc++;
    (void)snprintf(out_path, sizeof(out_path), "%s/stdout", tmp);
    (void)snprintf(err_path, sizeof(err_path), "%s/stderr", tmp);
    fflush(stdout);
    fflush(stderr);
    saved_out = dup(1);
    saved_err = dup(2);
    fd_out = open(out_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    fd_err = open(err_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    (void)dup2(fd_out, 1);
    (void)dup2(fd_err, 2);
    code = fn(argc, argv, &g);
    fflush(stdout);
    fflush(stderr);
    (void)dup2(saved_out, 1);
    (void)dup2(saved_err, 2);
    ssize_t n = pread(fd_out, out, out_size - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    n = pread(fd_err, errbuf, err_size - 1, 0);
    errbuf[n > 0 ? n : 0] = '\0';
    (void)close(fd_out);
    (void)close(fd_err);
    (void)close(saved_out);
    (void)close(saved_err);
    return code;
}

static void
test_commands(void)
{
    static char out[65536], errbuf[4096];
    char path[PATH_MAX];

    is_int(capture(cmd_run, (char *[]){"run", "--print-spec", "-h", "printed", root, NULL}, out,
                   sizeof(out), errbuf, sizeof(errbuf)),
           0, "cmd_run --print-spec exits 0");
    like(out, "\"printed\"", "cmd_run --print-spec prints the hostname");
    like(out, "\"/bin/sh\"", "cmd_run --print-spec prints the command");
    is_int(capture(cmd_run, (char *[]){"run", "--bogus", root, NULL}, out, sizeof(out), errbuf,
                   sizeof(errbuf)),
           125, "cmd_run bad flag exits 125");
    is_str(errbuf, "vessel: run: unknown or ambiguous flag: '--bogus'\n",
           "cmd_run bad flag: one line");
    is_int(capture(cmd_run, (char *[]){"run", "/nonexistent/x", NULL}, out, sizeof(out), errbuf,
                   sizeof(errbuf)),
           125, "cmd_run missing rootfs exits 125");
    is_str(errbuf, "vessel: run: rootfs '/nonexistent/x': No such file or directory\n",
           "cmd_run missing rootfs message");
    is_int(capture(cmd_run, (char *[]){"run", "--help", NULL}, out, sizeof(out), errbuf,
                   sizeof(errbuf)),
           0, "cmd_run --help exits 0");
    like(out, "Usage: vessel run", "cmd_run --help prints usage");

    is_int(capture(cmd_spec, (char *[]){"spec", "-b", tmp, NULL}, out, sizeof(out), errbuf,
                   sizeof(errbuf)),
           0, "cmd_spec writes config.json");
    (void)snprintf(path, sizeof(path), "%s/config.json", tmp);
    struct stat st;
    ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644, "cmd_spec: config.json mode 0644");
    is_int(capture(cmd_spec, (char *[]){"spec", "--bundle", tmp, NULL}, out, sizeof(out), errbuf,
                   sizeof(errbuf)),
           1, "cmd_spec refuses an existing config.json");
    like(errbuf, "config.json' exists, remove it first", "cmd_spec exists message");
}

int
main(void)
{
    setup();
    if (chdir(tmp) < 0) {
        perror(tmp);
        return 2;
    }
    test_parse_defaults();
    test_parse_flags();
    test_parse_mounts();
    test_parse_passthrough();
    test_parse_errors();
    test_parse_bundle();
    test_build_defaults();
    test_build_process();
    test_build_env();
    test_build_mounts();
    test_build_volume_idmap();
    test_build_linux();
    test_commands();
    (void)nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return done_testing();
}
