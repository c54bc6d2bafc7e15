// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel run`'s options, parsed without touching the filesystem (run_opts_parse), then turned into
 * a spec (run_opts_build_spec): a friendly flag never reaches a stage, every one becomes spec
 * fields. Building is where ROOTFS, volume sources, env files and user names are looked up.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "cli.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define TMPFS_DEFAULT_OPTS "rw,nosuid,nodev,noexec,size=65536k"
#define HOSTNAME_MAX 64

#define CAP(c) (UINT64_C(1) << (c))
/* docker's default set */
#define DOCKER_CAPS                                                                                \
    (CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FSETID) | CAP(CAP_FOWNER) | CAP(CAP_MKNOD) | \
     CAP(CAP_NET_RAW) | CAP(CAP_SETGID) | CAP(CAP_SETUID) | CAP(CAP_SETFCAP) | CAP(CAP_SETPCAP) |  \
     CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_SYS_CHROOT) | CAP(CAP_KILL) | CAP(CAP_AUDIT_WRITE))

/* Append a zeroed element to a heap array; evaluates to its address or NULL. */
#define APPEND(arr, n)                                                                             \
    ({                                                                                             \
        __typeof__(arr) _p = reallocarray((arr), (n) + 1, sizeof(*(arr)));                         \
        if (_p) {                                                                                  \
            (arr) = _p;                                                                            \
            memset(&_p[(n)], 0, sizeof(*_p));                                                      \
            _p = &_p[(n)++];                                                                       \
        }                                                                                          \
        _p;                                                                                        \
    })

enum {
    OPT_NAME = 0x100,
    OPT_RM,
    OPT_ENV_FILE,
    OPT_TMPFS,
    OPT_READ_ONLY,
    OPT_EPHEMERAL,
    OPT_PARTITION,
    OPT_PID,
    OPT_IPC,
    OPT_UTS,
    OPT_CGROUPNS,
    OPT_NETWORK,
    OPT_TIME_OFFSET,
    OPT_PRINT_SPEC,
    OPT_ROOT,
    OPT_HELP,
};

static const struct option run_longopts[] = {
    {"name", required_argument, NULL, OPT_NAME},
    {"rm", no_argument, NULL, OPT_RM},
    {"tty", no_argument, NULL, 't'},
    {"interactive", no_argument, NULL, 'i'},
    {"env", required_argument, NULL, 'e'},
    {"env-file", required_argument, NULL, OPT_ENV_FILE},
    {"workdir", required_argument, NULL, 'w'},
    {"user", required_argument, NULL, 'u'},
    {"hostname", required_argument, NULL, 'h'},
    {"volume", required_argument, NULL, 'v'},
    {"tmpfs", required_argument, NULL, OPT_TMPFS},
    {"read-only", no_argument, NULL, OPT_READ_ONLY},
    {"ephemeral", no_argument, NULL, OPT_EPHEMERAL},
    {"partition", required_argument, NULL, OPT_PARTITION},
    {"pid", required_argument, NULL, OPT_PID},
    {"ipc", required_argument, NULL, OPT_IPC},
    {"uts", required_argument, NULL, OPT_UTS},
    {"cgroupns", required_argument, NULL, OPT_CGROUPNS},
    {"network", required_argument, NULL, OPT_NETWORK},
    {"net", required_argument, NULL, OPT_NETWORK},
    {"time-offset", required_argument, NULL, OPT_TIME_OFFSET},
    {"print-spec", no_argument, NULL, OPT_PRINT_SPEC},
    {"root", required_argument, NULL, OPT_ROOT},
    {"bundle", required_argument, NULL, 'b'},
    {"help", no_argument, NULL, OPT_HELP},
    {"cap-add", required_argument, NULL, RUN_SEC_CAP_ADD},
    {"cap-drop", required_argument, NULL, RUN_SEC_CAP_DROP},
    {"privileged", no_argument, NULL, RUN_SEC_PRIVILEGED},
    {"security-opt", required_argument, NULL, RUN_SEC_SECURITY_OPT},
    {"seccomp-allow", required_argument, NULL, RUN_SEC_SECCOMP_ALLOW},
    {"userns", required_argument, NULL, RUN_SEC_USERNS},
    {"landlock-ro", required_argument, NULL, RUN_SEC_LANDLOCK_RO},
    {"landlock-rw", required_argument, NULL, RUN_SEC_LANDLOCK_RW},
    {"landlock-tcp-bind", required_argument, NULL, RUN_SEC_LANDLOCK_TCP_BIND},
    {"landlock-tcp-connect", required_argument, NULL, RUN_SEC_LANDLOCK_TCP_CONNECT},
    {"memory", required_argument, NULL, RUN_RES_MEMORY},
    {"memory-reservation", required_argument, NULL, RUN_RES_MEMORY_RESERVATION},
    {"memory-swap", required_argument, NULL, RUN_RES_MEMORY_SWAP},
    {"oom-kill-disable", no_argument, NULL, RUN_RES_OOM_KILL_DISABLE},
    {"cpus", required_argument, NULL, RUN_RES_CPUS},
    {"cpu-shares", required_argument, NULL, RUN_RES_CPU_SHARES},
    {"cpu-quota", required_argument, NULL, RUN_RES_CPU_QUOTA},
    {"cpu-period", required_argument, NULL, RUN_RES_CPU_PERIOD},
    {"cpuset-cpus", required_argument, NULL, RUN_RES_CPUSET_CPUS},
    {"cpuset-mems", required_argument, NULL, RUN_RES_CPUSET_MEMS},
    {"pids-limit", required_argument, NULL, RUN_RES_PIDS_LIMIT},
    {"blkio-weight", required_argument, NULL, RUN_RES_BLKIO_WEIGHT},
    {"device", required_argument, NULL, RUN_RES_DEVICE},
    {"device-cgroup-rule", required_argument, NULL, RUN_RES_DEVICE_CGROUP_RULE},
    {NULL, 0, NULL, 0},
};

/* '+': stop at ROOTFS so the command's own flags pass through; ':': report missing arguments. */
static const char run_shortopts[] = "+:tie:w:u:h:v:b:m:";

void
run_usage(FILE *f)
{
    fputs("Usage: vessel run [OPTIONS] ROOTFS|IMAGEFILE|IMAGE [COMMAND [ARG...]]\n"
          "       vessel run [OPTIONS] --bundle DIR ID\n"
          "\n"
          "Run a command in a new container, in the foreground.\n"
          "\n"
          "Options:\n"
          "      --name NAME          container id ([A-Za-z0-9][A-Za-z0-9_.-]{0,127})\n"
          "      --rm                 accepted: a container is always removed when it exits\n"
          "  -t, --tty                allocate a terminal\n"
          "  -i, --interactive        keep stdin attached\n"
          "  -e, --env KEY=VAL|KEY    set an environment variable (KEY: take the host's)\n"
          "      --env-file FILE      read KEY=VAL lines from FILE\n"
          "  -w, --workdir DIR        working directory (absolute)\n"
          "  -u, --user USER[:GROUP]  user and group, numeric or names from ROOTFS/etc\n"
          "  -h, --hostname NAME      hostname (default: the container id)\n"
          "  -v, --volume SRC:DST[:OPTS]  bind mount SRC at DST; OPTS: ro, rw, idmap, noidmap\n"
          "      --tmpfs DST[:OPTS]   mount a tmpfs at DST\n"
          "      --read-only          mount the root filesystem read-only\n"
          "      --ephemeral          throw away changes to the root when the container exits\n"
          "      --partition N        use partition N of a disk image\n"
          "      --pid host|private   share the host's pid namespace or not\n"
          "      --ipc host|private   share the host's IPC namespace or not\n"
          "      --uts host|private   share the host's UTS namespace or not\n"
          "      --cgroupns host|private  share the host's cgroup namespace or not\n"
          "      --network, --net none|private|host  network (none, private: loopback only)\n"
          "      --time-offset boottime=SECS|monotonic=SECS  clock offsets (time namespace)\n"
          "      --print-spec         print the spec (config.json) and exit without running\n"
          "      --root DIR           state root (default " VSL_DEFAULT_ROOT ")\n"
          "  -b, --bundle DIR         run DIR/config.json as container ID (runc's run)\n"
          "      --help               show this help\n"
          "\n"
          "As runc's run (docs/oci.md):\n"
          "  -d, --detach             return once the process runs\n"
          "      --pid-file PATH      write the init's pid to PATH\n"
          "      --console-socket PATH  send the terminal's master to this unix socket\n"
          "      --preserve-fds N     pass N more fds (3...) to the process\n"
          "      --no-pivot           move the root instead of pivot_root (ramfs roots)\n"
          "      --no-new-keyring     keep the caller's session keyring\n"
          "\n"
          "Security (docs/security.md):\n"
          "      --cap-add CAP[,CAP]  add capabilities (NET_ADMIN, CAP_NET_ADMIN or ALL)\n"
          "      --cap-drop CAP[,CAP] drop capabilities (or ALL)\n"
          "      --privileged         all capabilities and host devices; no seccomp, no masked\n"
          "                           or read-only paths\n"
          "      --security-opt OPT   no-new-privileges, seccomp=PROFILE.json|unconfined,\n"
          "                           unmask=PATH|ALL\n"
          "      --seccomp-allow LIST syscalls (names or numbers) the profile also allows\n"
          "      --userns host|auto|keep-id  user namespace (auto: a free range of /etc/subuid)\n"
          "      --landlock-ro PATH   Landlock: PATH may be read and executed (repeatable)\n"
          "      --landlock-rw PATH   Landlock: PATH may be read and written; others: nothing\n"
          "      --landlock-tcp-bind PORT, --landlock-tcp-connect PORT  TCP ports allowed\n",
          f);
    run_resources_usage(f);
}

static const char *
opt_name(int c)
{
    for (const struct option *o = run_longopts; o->name; o++)
        if (o->val == c)
            return o->name;
    return "?";
}

static int
parse_share(const char *flag, const char *arg, enum run_share *ret, struct vsl_error *err)
{
    if (strcmp(arg, "host") == 0)
        *ret = RUN_SHARE_HOST;
    else if (strcmp(arg, "private") == 0)
        *ret = RUN_SHARE_PRIVATE;
    else
        return vsl_err(err, EINVAL, "--%s: invalid value '%s' (expected host or private)", flag,
                       arg);
    return 0;
}

static int
parse_network(const char *arg, enum run_net *ret, struct vsl_error *err)
{
    if (strcmp(arg, "none") == 0)
        *ret = RUN_NET_NONE;
    else if (strcmp(arg, "private") == 0)
        *ret = RUN_NET_PRIVATE;
    else if (strcmp(arg, "host") == 0)
        *ret = RUN_NET_HOST;
    else
        return vsl_err(err, EINVAL,
                       "--network: invalid value '%s' (expected none, private or host)", arg);
    return 0;
}

static int
parse_time_offset(const char *arg, struct run_opts *o, struct vsl_error *err)
{
    const char *eq = strchr(arg, '=');
    struct vsl_time_offset *t;
    char *end;

    if (eq && (size_t)(eq - arg) == strlen("boottime") && strncmp(arg, "boottime", 8) == 0)
        t = &o->boottime;
    else if (eq && (size_t)(eq - arg) == strlen("monotonic") && strncmp(arg, "monotonic", 9) == 0)
        t = &o->monotonic;
    else
        return vsl_err(err, EINVAL, "--time-offset '%s': expected boottime=SECS or monotonic=SECS",
                       arg);
    errno = 0;
    long long secs = strtoll(eq + 1, &end, 10);
    if (eq[1] == '\0' || *end != '\0' || errno == ERANGE)
        return vsl_err(err, EINVAL, "--time-offset '%s': '%s' is not a whole number of seconds",
                       arg, eq + 1);
    *t = (struct vsl_time_offset){.set = true, .secs = secs, .nanosecs = 0};
    return 0;
}

static int
parse_partition(const char *arg, unsigned *ret, struct vsl_error *err)
{
    char *end;

    errno = 0;
    unsigned long n = strtoul(arg, &end, 10);
    if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno == ERANGE || n < 1 || n > INT_MAX)
        return vsl_err(err, EINVAL, "--partition '%s': expected a partition number >= 1", arg);
    *ret = (unsigned)n;
    return 0;
}

/* Destination of a mount: absolute, not "/", trailing slashes dropped. */
static int
parse_destination(const char *what, const char *arg, const char *dst, char **ret,
                  struct vsl_error *err)
{
    if (dst[0] != '/')
        return vsl_err(err, EINVAL, "%s '%s': destination '%s' is not an absolute path", what, arg,
                       dst);
    size_t n = strlen(dst);
    while (n > 1 && dst[n - 1] == '/')
        n--;
    if (n == 1)
        return vsl_err(err, EINVAL, "%s '%s': cannot mount over '/'", what, arg);
    char *d = strndup(dst, n);
    if (!d)
        return vsl_err(err, ENOMEM, "out of memory");
    *ret = d;
    return 0;
}

static int
parse_volume(const char *arg, struct run_volume *ret, struct vsl_error *err)
{
    _cleanup_free_ char *copy = strdup(arg);
    _cleanup_free_ char *dst = NULL;
    enum run_idmap idmap = RUN_IDMAP_DEFAULT;
    bool ro = false;
    char *src, *d, *opts, *o;
    int r;

    if (!copy)
        return vsl_err(err, ENOMEM, "out of memory");
    src = copy;
    d = strchr(src, ':');
    if (!d || d == src)
        return vsl_err(err, EINVAL, "volume '%s': expected SRC:DST[:OPTS]", arg);
    *d++ = '\0';
    opts = strchr(d, ':');
    if (opts) {
        *opts++ = '\0';
        if (strchr(opts, ':'))
            return vsl_err(err, EINVAL, "volume '%s': expected SRC:DST[:OPTS]", arg);
    }
    r = parse_destination("volume", arg, d, &dst, err);
    if (r < 0)
        return r;
    while (opts && (o = strsep(&opts, ",")) != NULL) {
        if (strcmp(o, "ro") == 0)
            ro = true;
        else if (strcmp(o, "rw") == 0)
            ro = false;
        else if (strcmp(o, "idmap") == 0)
            idmap = RUN_IDMAP_ON;
        else if (strcmp(o, "noidmap") == 0)
            idmap = RUN_IDMAP_OFF;
        else
            return vsl_err(err, EINVAL, "volume '%s': unknown option '%s'", arg, o);
    }
    char *s = strdup(src);
    if (!s)
        return vsl_err(err, ENOMEM, "out of memory");
    *ret = (struct run_volume){
        .arg = arg, .source = s, .destination = TAKE_PTR(dst), .read_only = ro, .idmap = idmap};
    return 0;
}

static int
parse_tmpfs(const char *arg, struct run_tmpfs *ret, struct vsl_error *err)
{
    _cleanup_free_ char *copy = strdup(arg);
    _cleanup_free_ char *dst = NULL;
    char *opts, *all = NULL;
    int r;

    if (!copy)
        return vsl_err(err, ENOMEM, "out of memory");
    opts = strchr(copy, ':');
    if (opts)
        *opts++ = '\0';
    r = parse_destination("tmpfs", arg, copy, &dst, err);
    if (r < 0)
        return r;
    if (opts && *opts)
        r = asprintf(&all, "%s,%s", TMPFS_DEFAULT_OPTS, opts);
    else
        r = (all = strdup(TMPFS_DEFAULT_OPTS)) ? 0 : -1;
    if (r < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    *ret = (struct run_tmpfs){.arg = arg, .destination = TAKE_PTR(dst), .options = all};
    return 0;
}

/* USER[:GROUP]: syntax only; names are looked up when building. */
static int
check_user(const char *arg, struct vsl_error *err)
{
    const char *colon = strchr(arg, ':');

    if (arg[0] == '\0' || colon == arg || (colon && (colon[1] == '\0' || strchr(colon + 1, ':'))))
        return vsl_err(err, EINVAL, "--user '%s': expected USER[:GROUP]", arg);
    return 0;
}

static int
parse_env_arg(const char *arg, struct run_opts *o, enum run_env_kind kind, struct vsl_error *err)
{
    if (kind == RUN_ENV_VAR && (arg[0] == '\0' || arg[0] == '='))
        return vsl_err(err, EINVAL, "--env '%s': no variable name", arg);
    struct run_env *e = APPEND(o->env, o->n_env);
    if (!e)
        return vsl_err(err, ENOMEM, "out of memory");
    *e = (struct run_env){.kind = kind, .value = arg};
    return 0;
}

/* Options whose value needs more than a copy. */
static int
parse_valued(int c, const char *arg, struct run_opts *o, struct vsl_error *err)
{
    switch (c) {
    case 'e':
        return parse_env_arg(arg, o, RUN_ENV_VAR, err);
    case OPT_ENV_FILE:
        return parse_env_arg(arg, o, RUN_ENV_FILE, err);
    case 'v': {
        struct run_volume *v = APPEND(o->volumes, o->n_volumes);
        return v ? parse_volume(arg, v, err) : vsl_err(err, ENOMEM, "out of memory");
    }
    case OPT_TMPFS: {
        struct run_tmpfs *t = APPEND(o->tmpfs, o->n_tmpfs);
        return t ? parse_tmpfs(arg, t, err) : vsl_err(err, ENOMEM, "out of memory");
    }
    case OPT_PARTITION:
        return parse_partition(arg, &o->partition, err);
    case OPT_PID:
        return parse_share("pid", arg, &o->pid, err);
    case OPT_IPC:
        return parse_share("ipc", arg, &o->ipc, err);
    case OPT_UTS:
        return parse_share("uts", arg, &o->uts, err);
    case OPT_CGROUPNS:
        return parse_share("cgroupns", arg, &o->cgroupns, err);
    case OPT_NETWORK:
        return parse_network(arg, &o->network, err);
    case OPT_TIME_OFFSET:
        return parse_time_offset(arg, o, err);
    default:
        if (c >= RUN_SEC_CAP_ADD && c < RUN_SEC__END)
            return run_security_parse(c, arg, &o->sec, err);
        if (c == 'm' || (c >= RUN_RES_MEMORY && c < RUN_RES__END))
            return run_resources_parse(c, arg, &o->res, err);
        return vsl_err(err, EINVAL, "unhandled option '%s'", opt_name(c));
    }
}

static int
parse_one(int c, const char *arg, struct run_opts *o, struct vsl_error *err)
{
    switch (c) {
    case OPT_NAME:
        if (!vsl_container_id_is_valid(arg))
            return vsl_err(
                err, EINVAL,
                "invalid container name '%s': must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}", arg);
        memcpy(o->id, arg, strlen(arg) + 1);
        return 0;
    case 'w':
        if (arg[0] != '/')
            return vsl_err(err, EINVAL, "--workdir '%s': not an absolute path", arg);
        o->workdir = arg;
        return 0;
    case 'u':
        o->user = arg;
        return check_user(arg, err);
    case 'h':
        if (arg[0] == '\0' || strlen(arg) > HOSTNAME_MAX)
            return vsl_err(err, EINVAL, "--hostname '%s': must be 1 to %d characters", arg,
                           HOSTNAME_MAX);
        o->hostname = arg;
        return 0;
    case 't':
        o->tty = true;
        return 0;
    case OPT_READ_ONLY:
        o->read_only = true;
        return 0;
    case OPT_EPHEMERAL:
        o->ephemeral = true;
        return 0;
    default:
        return parse_valued(c, arg, o, err);
    }
}

/* Options that do not edit the spec (allowed with --bundle too); false: not one of them. */
static bool
parse_runtime_opt(int c, struct run_opts *o, const char *arg)
{
    switch (c) {
    case OPT_RM:
        o->rm = true;
        return true;
    case 'i':
        o->interactive = true;
        return true;
    case OPT_PRINT_SPEC:
        o->print_spec = true;
        return true;
    case OPT_ROOT:
        o->state_root = arg;
        return true;
    case 'b':
        o->bundle = arg;
        return true;
    case OPT_HELP:
        o->help = true;
        return true;
    default:
        return false;
    }
}

/* Is word "--NAME=..." for a long option NAME whose value is c (one given a value it takes not)? */
static bool
is_long_with_value(const char *word, int c)
{
    size_t len = strcspn(word, "=");

    if (strncmp(word, "--", 2) != 0 || word[len] != '=')
        return false;
    for (const struct option *o = run_longopts; o->name; o++)
        if (o->val == c && strlen(o->name) == len - 2 && strncmp(o->name, word + 2, len - 2) == 0)
            return true;
    return false;
}

/* getopt's '?' and ':' as one line naming the flag as the user typed it. */
static int
getopt_error(int c, int argc, char **argv, struct vsl_error *err)
{
    const char *word = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
    int len = (int)strcspn(word, "=");

    if (c == ':')
        return vsl_err(err, EINVAL, "flag needs an argument: '%.*s'", len, word);
    if (optopt != 0 && is_long_with_value(word, optopt))
        return vsl_err(err, EINVAL, "flag takes no argument: '%.*s'", len, word);
    if (optopt > 0 && optopt < 0x100) {
        /* in the middle of "-zt" getopt has not moved past the word yet */
        if (!(word[0] == '-' && word[1] != '-' && strchr(word + 1, optopt)) && optind < argc)
            word = argv[optind];
        return vsl_err(err, EINVAL, "unknown shorthand flag: '%c' in '%s'", optopt, word);
    }
    return vsl_err(err, EINVAL, "unknown or ambiguous flag: '%.*s'", len, word);
}

static int
parse_positionals(int argc, char **argv, struct run_opts *o, struct vsl_error *err)
{
    if (o->bundle) {
        if (o->spec_flag)
            return vsl_err(err, EINVAL,
                           "--%s cannot be used with --bundle: edit the bundle's config.json",
                           o->spec_flag);
        if (optind >= argc)
            return vsl_err(err, EINVAL, "--bundle needs a container id: run --bundle DIR ID");
        if (!vsl_container_id_is_valid(argv[optind]))
            return vsl_err(err, EINVAL,
                           "invalid container id '%s': must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}",
                           argv[optind]);
        if (optind + 1 < argc)
            return vsl_err(err, EINVAL, "unexpected argument '%s' after the container id",
                           argv[optind + 1]);
        memcpy(o->id, argv[optind], strlen(argv[optind]) + 1);
        return 0;
    }
    if (optind >= argc)
        return vsl_err(err, EINVAL, "missing ROOTFS|IMAGEFILE|IMAGE (see 'vessel run --help')");
    if (o->hostname && o->uts == RUN_SHARE_HOST)
        return vsl_err(err, EINVAL, "--hostname cannot be used with --uts host");
    o->rootfs = argv[optind];
    o->args = argv + optind + 1;
    o->n_args = (size_t)(argc - optind - 1);
    if (o->id[0] == '\0')
        vsl_container_new_id(o->id);
    return 0;
}

int
run_opts_parse(int argc, char **argv, struct run_opts *ret_opts, struct vsl_error *err)
{
    struct run_opts o = {0};
    int c, r = 0;

    optind = 0; /* glibc: reinitialise, we may be called more than once */
    opterr = 0;
    while ((c = getopt_long(argc, argv, run_shortopts, run_longopts, NULL)) != -1) {
        if (c == '?' || c == ':') {
            r = getopt_error(c, argc, argv, err);
            break;
        }
        if (parse_runtime_opt(c, &o, optarg))
            continue;
        if (!o.spec_flag)
            o.spec_flag = opt_name(c);
        r = parse_one(c, optarg, &o, err);
        if (r < 0)
            break;
    }
    if (r >= 0 && !o.help)
        r = parse_positionals(argc, argv, &o, err);
    if (r < 0) {
        run_opts_free(&o);
        return r;
    }
    *ret_opts = o;
    return 0;
}

void
run_opts_free(struct run_opts *o)
{
    for (size_t i = 0; i < o->n_volumes; i++) {
        free(o->volumes[i].source);
        free(o->volumes[i].destination);
    }
    for (size_t i = 0; i < o->n_tmpfs; i++) {
        free(o->tmpfs[i].destination);
        free(o->tmpfs[i].options);
    }
    free(o->volumes);
    free(o->tmpfs);
    free(o->env);
    run_security_free(&o->sec);
    run_resources_free(&o->res);
    *o = (struct run_opts){0};
}

/* ---- building the spec ---- */

static int
nomem(struct vsl_error *err)
{
    return vsl_err(err, ENOMEM, "out of memory");
}

static int
replace_str(char **field, const char *value, struct vsl_error *err)
{
    char *s = NULL;

    if (value && !(s = strdup(value)))
        return nomem(err);
    free(*field);
    *field = s;
    return 0;
}

/* ROOTFS: an existing directory, image file or block device, else a built-in image. */
static int
set_root(const struct run_opts *o, struct vsl_spec *spec, bool *ret_is_dir, struct vsl_error *err)
{
    _cleanup_free_ char *path = NULL;
    struct stat st;
    bool is_dir = true;
    int r;

    if (stat(o->rootfs, &st) == 0) {
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
            return vsl_err(err, EINVAL, "rootfs '%s': not a directory, image file or block device",
                           o->rootfs);
        path = realpath(o->rootfs, NULL);
        if (!path)
            return vsl_err_errno(err, "rootfs '%s'", o->rootfs);
        is_dir = S_ISDIR(st.st_mode);
    } else if (errno != ENOENT && errno != ENOTDIR) {
        return vsl_err_errno(err, "rootfs '%s'", o->rootfs);
    } else if (vsl_image_is_builtin(o->rootfs)) {
        r = vsl_image_builtin(o->rootfs, VSL_DEFAULT_DATA, &path, err);
        if (r < 0)
            return r;
        /* a built-in image is shared: a container never changes it */
        if (vsl_spec_set_annotation(spec, VSL_ANN_EPHEMERAL, "true") < 0)
            return nomem(err);
    } else {
        return vsl_err_code(err, ENOENT, "rootfs '%s'", o->rootfs);
    }
    free(spec->root_path);
    spec->root_path = TAKE_PTR(path);
    spec->root_readonly = o->read_only;
    *ret_is_dir = is_dir;
    return 0;
}

/* Open ROOT/rel without following anything out of ROOT: the rootfs may be an untrusted image. */
static int
open_in_root(const char *root, const char *rel)
{
    _cleanup_close_ int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct open_how how = {
        .flags = O_RDONLY | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    int fd;

    if (dfd < 0)
        return -errno;
    fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
    if (fd < 0 && errno == ENOSYS) /* kernels before 5.6 */
        fd = openat(dfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    return fd < 0 ? -errno : fd;
}

/* A decimal id that fits a uid_t/gid_t other than (uid_t)-1; -EINVAL if not numeric. */
static int
parse_id(const char *s, uint32_t *ret)
{
    char *end;

    if (s[0] < '0' || s[0] > '9')
        return -EINVAL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno == ERANGE || v >= UINT32_MAX)
        return -EINVAL;
    *ret = (uint32_t)v;
    return 0;
}

struct db_entry {
    uint32_t id;  /* uid (passwd) or gid (group) */
    uint32_t gid; /* passwd only: the primary group */
};

/* Find a line of ROOT/etc/passwd or etc/group by name (name != NULL) or by id. 1: found, 0: not
 * there (or no such file), < 0: -errno. */
static int
db_find(const char *root, const char *file, const char *name, uint32_t id, struct db_entry *ret)
{
    _cleanup_fclose_ FILE *f = NULL;
    _cleanup_free_ char *line = NULL;
    size_t cap = 0;
    int fd = open_in_root(root, file);

    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return fd;
    f = fdopen(fd, "r");
    if (!f) {
        (void)close(fd);
        return -errno;
    }
    while (getline(&line, &cap, f) >= 0) {
        char *p = line, *field[4] = {NULL};
        struct db_entry e = {0};

        line[strcspn(line, "\n")] = '\0';
        for (int i = 0; i < 4 && p; i++)
            field[i] = strsep(&p, ":");
        if (!field[2] || parse_id(field[2], &e.id) < 0)
            continue;
        if (field[3] && parse_id(field[3], &e.gid) < 0)
            e.gid = 0;
        if (name ? strcmp(field[0], name) == 0 : e.id == id) {
            *ret = e;
            return 1;
        }
    }
    return ferror(f) ? -EIO : 0;
}

/* One half of USER[:GROUP]: numeric, or a name looked up in the directory rootfs. */
static int
resolve_id(const char *root, bool root_is_dir, const char *file, const char *what,
           const char *value, struct db_entry *ret, struct vsl_error *err)
{
    int r;

    if (parse_id(value, &ret->id) == 0) {
        ret->gid = 0;
        /* docker: a numeric user in the image's passwd gets that entry's group */
        if (root_is_dir && db_find(root, file, NULL, ret->id, ret) < 0)
            ret->gid = 0;
        return 0;
    }
    if (!root_is_dir)
        return vsl_err(err, EINVAL,
                       "%s '%s': names are looked up in a directory rootfs only, use a number",
                       what, value);
    r = db_find(root, file, value, 0, ret);
    if (r < 0)
        return vsl_err_code(err, r, "%s '%s': read '%s/%s'", what, value, root, file);
    if (r == 0)
        return vsl_err(err, ENOENT, "%s '%s': not found in '%s/%s'", what, value, root, file);
    return 0;
}

static int
set_user(const struct run_opts *o, struct vsl_spec *spec, bool root_is_dir, struct vsl_error *err)
{
    _cleanup_free_ char *user = NULL;
    struct db_entry u = {0}, g;
    char *group;
    int r;

    if (!o->user) {
        spec->process.uid = 0;
        spec->process.gid = 0;
        return 0;
    }
    user = strdup(o->user);
    if (!user)
        return nomem(err);
    group = strchr(user, ':');
    if (group)
        *group++ = '\0';
    r = resolve_id(spec->root_path, root_is_dir, "etc/passwd", "user", user, &u, err);
    if (r < 0)
        return r;
    if (group) {
        r = resolve_id(spec->root_path, root_is_dir, "etc/group", "group", group, &g, err);
        if (r < 0)
            return r;
        u.gid = g.id;
    }
    spec->process.uid = u.id;
    spec->process.gid = u.gid;
    return 0;
}

static int
set_process(const struct run_opts *o, struct vsl_spec *spec, bool root_is_dir,
            struct vsl_error *err)
{
    struct vsl_process *p = &spec->process;
    int r;

    spec->has_process = true;
    vsl_strv_clear(&p->args);
    if (o->n_args == 0 && vsl_strv_push(&p->args, "/bin/sh") < 0)
        return nomem(err);
    for (size_t i = 0; i < o->n_args; i++)
        if (vsl_strv_push(&p->args, o->args[i]) < 0)
            return nomem(err);
    p->terminal = o->tty;
    r = replace_str(&p->cwd, o->workdir ? o->workdir : "/", err);
    if (r < 0)
        return r;
    r = set_user(o, spec, root_is_dir, err);
    if (r < 0)
        return r;
    /* docker's defaults: the caller's rlimits, no no_new_privs, its capability set */
    free(p->rlimits);
    p->rlimits = NULL;
    p->n_rlimits = 0;
    p->no_new_privileges = false;
    p->caps = (struct vsl_caps){
        .present = true,
        .bounding = DOCKER_CAPS,
        .effective = DOCKER_CAPS,
        .permitted = DOCKER_CAPS,
    };
    return 0;
}

static int
setenv_checked(struct vsl_spec *spec, const char *kv, struct vsl_error *err)
{
    return vsl_spec_setenv(spec, kv) < 0 ? nomem(err) : 0;
}

/* KEY=VAL as is; KEY alone takes the host's value and is skipped when the host has none. */
static int
setenv_arg(struct vsl_spec *spec, const char *arg, struct vsl_error *err)
{
    _cleanup_free_ char *kv = NULL;
    const char *v;

    if (strchr(arg, '='))
        return setenv_checked(spec, arg, err);
    v = getenv(arg);
    if (!v)
        return 0;
    if (asprintf(&kv, "%s=%s", arg, v) < 0)
        return nomem(err);
    return setenv_checked(spec, kv, err);
}

/* docker's env file: KEY=VAL or KEY lines; '#' comments and blank lines skipped. */
static int
setenv_file(struct vsl_spec *spec, const char *path, struct vsl_error *err)
{
    _cleanup_fclose_ FILE *f = fopen(path, "re");
    _cleanup_free_ char *line = NULL;
    size_t cap = 0;
    int r, lineno = 0;

    if (!f)
        return vsl_err_errno(err, "env file '%s'", path);
    while (getline(&line, &cap, f) >= 0) {
        char *s = line + strspn(line, " \t");
        size_t n = strcspn(s, "\r\n");

        lineno++;
        s[n] = '\0';
        if (s[0] == '\0' || s[0] == '#')
            continue;
        if (!strchr(s, '='))
            while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                s[--n] = '\0';
        size_t key = strcspn(s, "=");
        if (key == 0)
            return vsl_err(err, EINVAL, "env file '%s': line %d: no variable name", path, lineno);
        if (strcspn(s, " \t") < key)
            return vsl_err(err, EINVAL, "env file '%s': line %d: variable '%.*s' contains spaces",
                           path, lineno, (int)key, s);
        r = setenv_arg(spec, s, err);
        if (r < 0)
            return r;
    }
    if (ferror(f))
        return vsl_err_errno(err, "env file '%s'", path);
    return 0;
}

static int
set_env(const struct run_opts *o, struct vsl_spec *spec, struct vsl_error *err)
{
    _cleanup_free_ char *hostname = NULL;
    char host[HOSTNAME_MAX + 1] = "";
    int r;

    vsl_strv_clear(&spec->process.env);
    if (vsl_strv_push(&spec->process.env, DEFAULT_PATH) < 0)
        return nomem(err);
    if (o->tty && vsl_strv_push(&spec->process.env, "TERM=xterm") < 0)
        return nomem(err);
    if (!spec->hostname && gethostname(host, sizeof(host) - 1) < 0)
        return vsl_err_errno(err, "gethostname");
    if (asprintf(&hostname, "HOSTNAME=%s", spec->hostname ? spec->hostname : host) < 0)
        return nomem(err);
    r = setenv_checked(spec, hostname, err);
    for (size_t i = 0; r >= 0 && i < o->n_env; i++) {
        if (o->env[i].kind == RUN_ENV_FILE)
            r = setenv_file(spec, o->env[i].value, err);
        else
            r = setenv_arg(spec, o->env[i].value, err);
    }
    return r < 0 ? r : 0;
}

static int
add_volume(const struct run_volume *v, struct vsl_spec *spec, struct vsl_error *err)
{
    _cleanup_free_ char *cwd = NULL, *abs = NULL, *real = NULL;
    struct stat st;

    if (v->source[0] == '/') {
        abs = strdup(v->source);
    } else {
        cwd = getcwd(NULL, 0);
        if (!cwd)
            return vsl_err_errno(err, "volume '%s': getcwd", v->arg);
        if (asprintf(&abs, "%s/%s", cwd, v->source) < 0)
            abs = NULL;
    }
    if (!abs)
        return nomem(err);
    if (stat(abs, &st) < 0 || !(real = realpath(abs, NULL)))
        return vsl_err_errno(err, "volume '%s': source '%s'", v->arg, abs);
    (void)vsl_spec_remove_mount(spec, v->destination);
    return vsl_spec_add_mount(spec, v->destination, "bind", real,
                              v->read_only ? "rbind,ro" : "rbind,rw", err);
}

/* The -v behind a bind mount of the spec: the last one with its destination (a later -v replaces
 * an earlier one, and a --tmpfs there is no bind). */
static const struct run_volume *
volume_of(const struct run_opts *o, const struct vsl_mount *m)
{
    if (!m->type || strcmp(m->type, "bind") != 0)
        return NULL;
    for (size_t i = o->n_volumes; i-- > 0;)
        if (strcmp(o->volumes[i].destination, m->destination) == 0)
            return &o->volumes[i];
    return NULL;
}

/*
 * A volume under a new user namespace is idmapped with the container's mapping, so its files keep
 * their owners as the container sees them (host root is the container's root) and nothing is
 * chowned. Only root may idmap a host filesystem's mount: for another user the volume stays a
 * plain bind, whose own files map to the container's root anyway.
 */
int
run_volumes_idmap(const struct run_opts *o, struct vsl_spec *spec, bool can_idmap,
                  struct vsl_error *err)
{
    const struct vsl_linux *l = &spec->linux_;
    const struct vsl_namespace *ns = &l->namespaces[VSL_NS_USER];
    bool mapped = ns->present && !ns->path && l->n_uid_mappings && l->n_gid_mappings;
    int r;

    for (size_t i = 0; i < spec->n_mounts; i++) {
        struct vsl_mount *m = &spec->mounts[i];
        const struct run_volume *v = volume_of(o, m);
        if (!v || v->idmap == RUN_IDMAP_OFF || (v->idmap == RUN_IDMAP_DEFAULT && !can_idmap))
            continue;
        if (!mapped && v->idmap == RUN_IDMAP_DEFAULT)
            continue;
        if (!mapped)
            return vsl_err(err, EINVAL,
                           "volume '%s': idmap needs a new user namespace (--userns auto)", v->arg);
        if (!can_idmap)
            return vsl_err(err, EPERM,
                           "volume '%s': only root can idmap a volume, use ':noidmap' instead",
                           v->arg);
        if (vsl_strv_push(&m->options, "idmap") < 0)
            return nomem(err);
        if ((r = vsl_mount_parse_options(m, err)) < 0)
            return r;
    }
    return 0;
}

static int
set_mounts(const struct run_opts *o, struct vsl_spec *spec, struct vsl_error *err)
{
    int r;

    for (size_t i = 0; i < o->n_volumes; i++) {
        r = add_volume(&o->volumes[i], spec, err);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < o->n_tmpfs; i++) {
        const struct run_tmpfs *t = &o->tmpfs[i];
        (void)vsl_spec_remove_mount(spec, t->destination);
        r = vsl_spec_add_mount(spec, t->destination, "tmpfs", "tmpfs", t->options, err);
        if (r < 0)
            return r;
    }
    return 0;
}

static void
set_ns(struct vsl_spec *spec, enum vsl_ns_kind kind, bool present)
{
    struct vsl_namespace *ns = &spec->linux_.namespaces[kind];

    free(ns->path);
    ns->path = NULL;
    ns->present = present;
}

/* Namespaces are private unless a flag asks for the host's; the mount namespace always is. */
static void
set_linux(const struct run_opts *o, struct vsl_spec *spec)
{
    bool time = o->boottime.set || o->monotonic.set;

    spec->has_linux = true;
    set_ns(spec, VSL_NS_PID, o->pid != RUN_SHARE_HOST);
    set_ns(spec, VSL_NS_NET, o->network != RUN_NET_HOST);
    set_ns(spec, VSL_NS_IPC, o->ipc != RUN_SHARE_HOST);
    set_ns(spec, VSL_NS_UTS, o->uts != RUN_SHARE_HOST);
    set_ns(spec, VSL_NS_MOUNT, true);
    set_ns(spec, VSL_NS_CGROUP, o->cgroupns != RUN_SHARE_HOST);
    set_ns(spec, VSL_NS_TIME, time);
    spec->linux_.time_boottime = o->boottime;
    spec->linux_.time_monotonic = o->monotonic;
}

static int
set_hostname(const struct run_opts *o, struct vsl_spec *spec, struct vsl_error *err)
{
    char *h;

    /* with the host's UTS namespace there is no hostname of the container's own to set */
    if (o->uts == RUN_SHARE_HOST)
        return replace_str(&spec->hostname, NULL, err);
    /* the id may be longer than a hostname can be */
    h = o->hostname ? strdup(o->hostname) : strndup(o->id, HOSTNAME_MAX);
    if (!h)
        return nomem(err);
    free(spec->hostname);
    spec->hostname = h;
    return 0;
}

static int
set_annotations(const struct run_opts *o, struct vsl_spec *spec, struct vsl_error *err)
{
    char partition[16];

    if (o->ephemeral && vsl_spec_set_annotation(spec, VSL_ANN_EPHEMERAL, "true") < 0)
        return nomem(err);
    /* vessel run's containers together, as docker's under /docker */
    if (vsl_spec_set_annotation(spec, VSL_ANN_CGROUP_PARENT, "/vessel") < 0)
        return nomem(err);
    (void)snprintf(partition, sizeof(partition), "%u", o->partition);
    if (o->partition && vsl_spec_set_annotation(spec, VSL_ANN_PARTITION, partition) < 0)
        return nomem(err);
    return 0;
}

int
run_opts_build_spec(const struct run_opts *o, struct vsl_spec **ret_spec, struct vsl_error *err)
{
    _cleanup_spec_ struct vsl_spec *spec = NULL;
    bool root_is_dir = false;
    int r;

    if (!o->rootfs)
        return vsl_err(err, EINVAL,
                       "no ROOTFS: with --bundle the spec is the bundle's config.json");
    r = vsl_spec_new_default(run_security_rootless(&o->sec), &spec, err);
    if (r < 0)
        return r;
    r = set_root(o, spec, &root_is_dir, err);
    if (r >= 0)
        r = set_hostname(o, spec, err);
    if (r >= 0)
        r = set_annotations(o, spec, err);
    if (r >= 0)
        r = set_process(o, spec, root_is_dir, err);
    if (r >= 0)
        r = set_env(o, spec, err);
    if (r >= 0)
        r = set_mounts(o, spec, err);
    if (r < 0)
        return r;
    set_linux(o, spec);
    r = run_resources_apply(&o->res, spec, err);
    if (r < 0)
        return r;
    r = run_security_apply(&o->sec, spec, err);
    if (r < 0)
        return r;
    r = run_volumes_idmap(o, spec, geteuid() == 0, err);
    if (r < 0)
        return r;
    *ret_spec = TAKE_PTR(spec);
    return 0;
}
