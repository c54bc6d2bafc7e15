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

struct run_volume {
    const char *arg;   /* as given, for messages */
    char *source;      /* as given: made absolute against cwd when building */
    char *destination; /* absolute, without trailing slashes */
    bool read_only;
};

struct run_tmpfs {
    const char *arg;
    char *destination;
    char *options; /* "rw,nosuid,nodev,noexec,size=65536k" plus the user's */
};

#define RUN_ID_MAX 128

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
void run_usage(FILE *f);

/* ---- helpers shared by the verbs ---- */

static inline void
cli_spec_freep(struct vsl_spec **spec)
{
    if (*spec)
        vsl_spec_free(*spec);
}

#define _cleanup_spec_ _cleanup_(cli_spec_freep)
