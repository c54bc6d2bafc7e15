/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line's own declarations: global options, the verbs, and `vessel run`'s options kept
 * apart from running (parse without touching the filesystem, then build a spec) so unit tests can
 * drive them without root. src/cli sees only include/vessel and this header.
 */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vessel/cleanup.h>
#include <vessel/error.h>
#include <vessel/vessel.h>

/* Exit codes: 1 for usage errors and the OCI-style verbs (runc's), docker's 125/126/127 for run. */
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_RUN_FAILED 125
#define CLI_EXIT_CANNOT_EXEC 126
#define CLI_EXIT_NOT_FOUND 127

/* ---- global options (before the command) ---- */

enum cli_log_format {
    CLI_LOG_TEXT,
    CLI_LOG_JSON,
};

enum cli_rootless {
    CLI_ROOTLESS_AUTO,
    CLI_ROOTLESS_TRUE,
    CLI_ROOTLESS_FALSE,
};

struct cli_globals {
    const char *root;     /* --root: state root (VSL_DEFAULT_ROOT) */
    const char *log_path; /* --log FILE, NULL: stderr (errors still go to stderr for now) */
    enum cli_log_format log_format;
    bool debug;
    bool systemd_cgroup;
    enum cli_rootless rootless;
};

/* Each verb gets argv starting at its own name and returns the process exit code. */
int cmd_run(int argc, char **argv, const struct cli_globals *g);
int cmd_spec(int argc, char **argv, const struct cli_globals *g);
/* The OCI verbs, one file each (runc's spelling): create.c, start.c, state.c, ... */
int cmd_create(int argc, char **argv, const struct cli_globals *g);
int cmd_start(int argc, char **argv, const struct cli_globals *g);
int cmd_state(int argc, char **argv, const struct cli_globals *g);
int cmd_kill(int argc, char **argv, const struct cli_globals *g);
int cmd_delete(int argc, char **argv, const struct cli_globals *g);
int cmd_exec(int argc, char **argv, const struct cli_globals *g);
int cmd_ps(int argc, char **argv, const struct cli_globals *g);
int cmd_list(int argc, char **argv, const struct cli_globals *g);
int cmd_pause(int argc, char **argv, const struct cli_globals *g);
int cmd_resume(int argc, char **argv, const struct cli_globals *g);
int cmd_update(int argc, char **argv, const struct cli_globals *g);
int cmd_features(int argc, char **argv, const struct cli_globals *g);
int cmd_events(int argc, char **argv, const struct cli_globals *g);

/* ---- shared by the OCI verbs (oci_common.c) ---- */

/* Where errors go besides stderr: --log FILE in --log-format (runc's JSON lines
 * {"level":"error","msg":"...","time":"RFC 3339"}). Set once by main. */
void cli_log_setup(const struct cli_globals *g);
/* "vessel: MSG" on stderr and into the log file; returns CLI_EXIT_FAILURE. */
__attribute__((format(printf, 1, 2))) int cli_error(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void cli_warn(const char *fmt, ...);
/* A flag parser's complaint ("unknown flag", "flag needs an argument") for getopt's c. */
int cli_bad_flag(const char *verb, int c, char **argv);
/* Exactly n positional arguments after the flags, else "VERB: expected ..." and exit 1. */
int cli_need_args(const char *verb, int argc, int optind_, int n, const char *what);
/* A verb that takes only an ID and --help (start, state, pause, resume): CLI_PARSED with *ret_id
 * set, or the exit code to return (help printed, or a usage error reported). */
#define CLI_PARSED (-1)
int cli_parse_id_only(const char *verb, const char *usage, int argc, char **argv,
                      const char **ret_id);
/* DIR/config.json with its root made absolute against DIR (runc's bundle). */
int cli_load_bundle(const char *dir, struct vsl_spec **ret_spec, char **ret_bundle,
                    struct vsl_error *err);
/* A signal by name (KILL, SIGKILL, sigkill, RTMIN+1) or number; -EINVAL when unknown. */
int cli_parse_signal(const char *s);
/* The --preserve-fds value: a non-negative number. */
int cli_parse_uint(const char *s, unsigned *ret);
/* create's flags (create.c), shared with runc's form of run: 1 handled, 0 not one, < 0 bad. */
struct option;
int cli_create_flag(int c, const char *arg, struct vsl_create_opts *o, const char **bundle);
const struct option *cli_create_longopts(void);

/* ---- vessel run ---- */

enum run_share {
    RUN_SHARE_PRIVATE, /* own namespace (default) */
    RUN_SHARE_HOST,    /* the host's: the namespace is left out of the spec */
};

enum run_net {
    RUN_NET_PRIVATE, /* own network namespace, loopback only */
    RUN_NET_NONE,    /* the same for now; the networking work adds bridge */
    RUN_NET_HOST,
};

enum run_env_kind {
    RUN_ENV_VAR,  /* -e KEY=VAL or -e KEY */
    RUN_ENV_FILE, /* --env-file FILE */
};

/* -e and --env-file in command-line order: later ones replace earlier ones. */
struct run_env {
    enum run_env_kind kind;
    const char *value; /* borrowed from argv */
};

/* -v's idmap option: unset follows the user namespace (idmapped when vessel, as root, gives the
 * container a new one with mappings), "idmap" insists, "noidmap" refuses. */
enum run_idmap {
    RUN_IDMAP_DEFAULT,
    RUN_IDMAP_ON,
    RUN_IDMAP_OFF,
};

struct run_volume {
    const char *arg;   /* as given, for messages */
    char *source;      /* as given: made absolute against cwd when building */
    char *destination; /* absolute, without trailing slashes */
    bool read_only;
    enum run_idmap idmap;
};

struct run_tmpfs {
    const char *arg;
    char *destination;
    char *options; /* "rw,nosuid,nodev,noexec,size=65536k" plus the user's */
};

#define RUN_ID_MAX 128

/* ---- vessel run: security flags (run_security.c) ---- */

/* getopt values of the security flags (run_opts.c's table lists them) */
enum {
    RUN_SEC_CAP_ADD = 0x200,
    RUN_SEC_CAP_DROP,
    RUN_SEC_PRIVILEGED,
    RUN_SEC_SECURITY_OPT,
    RUN_SEC_SECCOMP_ALLOW,
    RUN_SEC_USERNS,
    RUN_SEC_LANDLOCK_RO,
    RUN_SEC_LANDLOCK_RW,
    RUN_SEC_LANDLOCK_TCP_BIND,
    RUN_SEC_LANDLOCK_TCP_CONNECT,
    RUN_SEC__END,
};

enum run_userns {
    RUN_USERNS_DEFAULT, /* root: the host's; another user: the caller mapped to root */
    RUN_USERNS_HOST,
    RUN_USERNS_AUTO,    /* a free range from /etc/subuid and /etc/subgid */
    RUN_USERNS_KEEP_ID, /* the caller's uid and gid inside are the ones outside */
};

/* Values are borrowed from argv. */
struct run_security {
    uint64_t cap_add, cap_drop;
    bool cap_add_all, cap_drop_all, privileged, no_new_privs, unmask_all;
    const char *seccomp; /* --security-opt seccomp=: a file or "unconfined"; NULL: built-in */
    const char **seccomp_allow;
    size_t n_seccomp_allow;
    const char **unmask;
    size_t n_unmask;
    enum run_userns userns;
    bool landlock, ll_net;
    const char **ll_ro, **ll_rw, **ll_bind, **ll_connect;
    size_t n_ll_ro, n_ll_rw, n_ll_bind, n_ll_connect;
};

/* One security flag (c is a RUN_SEC_* value); syntax only, no filesystem access. */
int run_security_parse(int c, const char *arg, struct run_security *s, struct vsl_error *err);
void run_security_free(struct run_security *s);
/* Edit the spec run_opts built: capabilities, no_new_privs, masked paths, seccomp, devices,
 * Landlock and the user namespace. Reads a seccomp profile file, /etc/subuid and /etc/subgid. */
int run_security_apply(const struct run_security *s, struct vsl_spec *spec, struct vsl_error *err);
int run_userns_apply(const struct run_security *s, struct vsl_spec *spec, struct vsl_error *err);
/* Does `run` build a rootless spec (a user other than root, not --userns host)? */
bool run_security_rootless(const struct run_security *s);
/* Before a verb runs (main.c): `exec` re-executes vessel from a sealed copy (CVE-2019-5736); a user
 * other than root keeps state under $XDG_RUNTIME_DIR/vessel. */
int cli_security_startup(const char *verb, char **argv, struct cli_globals *g);
/* `run` and `create`, once their spec is final: the sealed exec trampoline when it fits, else the
 * sealed re-execution (vsl_seal_for). Prints the error; returns < 0 on failure. */
int cli_seal(const struct vsl_spec *spec, const char *state_root);

/* ---- vessel run: resource flags (run_resources.c) ---- */

/* getopt values of the resource flags (run_opts.c's table lists them; -m is --memory) */
enum {
    RUN_RES_MEMORY = 0x300,
    RUN_RES_MEMORY_RESERVATION,
    RUN_RES_MEMORY_SWAP,
    RUN_RES_OOM_KILL_DISABLE,
    RUN_RES_CPUS,
    RUN_RES_CPU_SHARES,
    RUN_RES_CPU_QUOTA,
    RUN_RES_CPU_PERIOD,
    RUN_RES_CPUSET_CPUS,
    RUN_RES_CPUSET_MEMS,
    RUN_RES_PIDS_LIMIT,
    RUN_RES_BLKIO_WEIGHT,
    RUN_RES_DEVICE,
    RUN_RES_DEVICE_CGROUP_RULE,
    RUN_RES__END,
};

/* --device HOST[:CTR][:PERMS] */
struct run_device {
    char *host;
    char *ctr;
    char *perms;
};

struct run_resources {
    struct vsl_opt_i64 memory, memory_reservation, memory_swap, cpu_quota, pids_limit;
    struct vsl_opt_u64 cpu_shares, cpu_period, blkio_weight;
    double cpus;                           /* --cpus, 0: not given */
    const char *cpuset_cpus, *cpuset_mems; /* borrowed from argv */
    bool oom_kill_disable;
    struct run_device *devices;
    size_t n_devices;
    struct vsl_device_rule *rules; /* --device-cgroup-rule, access heap-owned */
    size_t n_rules;
};

/* One resource flag (c is a RUN_RES_* value or 'm'); syntax only. */
int run_resources_parse(int c, const char *arg, struct run_resources *r, struct vsl_error *err);
void run_resources_free(struct run_resources *r);
void run_resources_usage(FILE *f);
/* linux.resources and linux.devices from the flags, after docker's default device rules; stats
 * --device nodes. */
int run_resources_apply(const struct run_resources *r, struct vsl_spec *spec,
                        struct vsl_error *err);
/* Parsers, exposed for unit tests. */
int run_parse_bytes(const char *flag, const char *arg, int64_t *ret, struct vsl_error *err);
int run_parse_device_rule(const char *arg, struct vsl_device_rule *ret, struct vsl_error *err);
int run_parse_device(const char *arg, struct run_device *ret, struct vsl_error *err);
void run_device_clear(struct run_device *d);

struct run_opts {
    const char *rootfs; /* ROOTFS|IMAGEFILE|IMAGE; NULL with --bundle */
    char **args;        /* COMMAND [ARG...] borrowed from argv; n_args == 0: /bin/sh */
    size_t n_args;
    const char *bundle;      /* --bundle DIR: runc's run */
    char id[RUN_ID_MAX + 1]; /* --name, the ID after --bundle, or 12 random hex chars */
    const char *state_root;  /* --root after `run`, NULL: the global one */
    const char *hostname;
    const char *workdir;
    const char *user; /* -u as given: UID[:GID] or names, resolved when building */
    bool rm, tty, interactive, read_only, ephemeral, print_spec, help;
    unsigned partition; /* 0: not given */
    enum run_share pid, ipc, uts, cgroupns;
    enum run_net network;
    struct vsl_time_offset boottime, monotonic;
    struct run_env *env;
    size_t n_env;
    struct run_volume *volumes;
    size_t n_volumes;
    struct run_tmpfs *tmpfs;
    size_t n_tmpfs;
    const char *spec_flag; /* first flag that edits the spec (refused with --bundle) */
    struct run_security sec;
    struct run_resources res;
};

/* Parse `run [OPTIONS] ROOTFS [COMMAND [ARG...]]` (argv[0] is "run"); no filesystem access. Checks
 * every value's syntax; messages have no "run: " prefix (the caller adds it). */
int run_opts_parse(int argc, char **argv, struct run_opts *ret_opts, struct vsl_error *err);
/* Free what run_opts_parse allocated; accepts a zeroed struct. */
void run_opts_free(struct run_opts *o);
/* Build the spec the options describe: resolves ROOTFS, volume sources, env files, the host's
 * values for -e KEY and user names from ROOTFS/etc/passwd and etc/group. */
int run_opts_build_spec(const struct run_opts *o, struct vsl_spec **ret_spec,
                        struct vsl_error *err);
/* Part of building, after the user namespace is in the spec: add "idmap" to the volumes' bind
 * mounts (by -v's idmap option and the spec's user namespace). can_idmap: the caller may idmap a
 * host filesystem's mount (vessel runs as root). Exposed for unit tests. */
int run_volumes_idmap(const struct run_opts *o, struct vsl_spec *spec, bool can_idmap,
                      struct vsl_error *err);
void run_usage(FILE *f);

/* ---- helpers shared by the verbs ---- */

static inline void
cli_spec_freep(struct vsl_spec **spec)
{
    if (*spec)
        vsl_spec_free(*spec);
}

#define _cleanup_spec_ _cleanup_(cli_spec_freep)
