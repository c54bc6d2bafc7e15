/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvessel's public face: only what src/cli needs. Functions return >= 0 on success and -errno on
 * failure, filling the caller's struct vsl_error; nothing here prints or exits.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <vessel/spec.h>

#define VSL_VERSION "0.1.0"
#define VSL_OCI_VERSION "1.2.0"
#define VSL_DEFAULT_ROOT "/run/vessel"
#define VSL_DEFAULT_DATA "/var/lib/vessel"

/* Annotations through which friendly flags reach the core (a front end sets them; the spec carries
 * them, so --print-spec shows them and an OCI bundle may use them too). */
#define VSL_ANN_EPHEMERAL "run.vessel.ephemeral"     /* "true": overlay upper on tmpfs */
#define VSL_ANN_PARTITION "run.vessel.partition"     /* "N": partition of a disk image */
#define VSL_ANN_IMAGE_RW "run.vessel.image.writable" /* "false": attach a disk image read-only */
/* Without linux.cgroupsPath the cgroup is <this>/<id> ("/<id>", as runc and crun, without it;
 * `vessel run` groups its containers under "/vessel"). */
#define VSL_ANN_CGROUP_PARENT "run.vessel.cgroup-parent"

struct vsl_error {
    int code;        /* -errno */
    int exec_failed; /* the failure was the final execve of the user's command */
    char msg[480];
};

/* ---- spec (src/lib/spec.c, spec_json.c) ---- */

/* Parse config.json text; errors name the file and JSON path:
 * "config.json: linux.namespaces[2].type: unknown namespace 'foo'". */
int vsl_spec_parse(const char *json, size_t len, const char *name, struct vsl_spec **ret_spec,
                   struct vsl_error *err);
int vsl_spec_load(const char *path, struct vsl_spec **ret_spec, struct vsl_error *err);
void vsl_spec_free(struct vsl_spec *spec);
/* The default config.json `vessel spec` writes (runc's default; --rootless adds a user namespace
 * mapping the caller to root and drops what an unprivileged user cannot do). */
int vsl_spec_new_default(bool rootless, struct vsl_spec **ret_spec, struct vsl_error *err);
/* Serialize (pretty, 2-space indent, trailing newline); the result parses back to an equal spec. */
int vsl_spec_to_json(const struct vsl_spec *spec, char **ret_json, struct vsl_error *err);
/* Make root.path absolute against the bundle directory. */
int vsl_spec_resolve_root(struct vsl_spec *spec, const char *bundle, struct vsl_error *err);
/* Forget the text vsl_spec_load() read (spec->source): every change to a loaded spec calls it
 * (the builders below do). */
void vsl_spec_drop_source(struct vsl_spec *spec);

/* Builders used by front ends. */
int vsl_strv_push(struct vsl_strv *v, const char *s);
void vsl_strv_clear(struct vsl_strv *v);
/* Set "KEY=VALUE" in process.env, replacing an existing KEY. */
int vsl_spec_setenv(struct vsl_spec *spec, const char *kv);
const char *vsl_spec_getenv(const struct vsl_spec *spec, const char *key);
int vsl_spec_set_annotation(struct vsl_spec *spec, const char *key, const char *value);
const char *vsl_spec_get_annotation(const struct vsl_spec *spec, const char *key);
/* Append a mount; options is a comma-separated list ("rbind,ro") or NULL. */
int vsl_spec_add_mount(struct vsl_spec *spec, const char *destination, const char *type,
                       const char *source, const char *options, struct vsl_error *err);
/* Remove the mount with this destination, if any; returns 1 if removed. */
int vsl_spec_remove_mount(struct vsl_spec *spec, const char *destination);
/* (Re)derive flags/propagation/bind/data of a mount from its options strings. */
int vsl_mount_parse_options(struct vsl_mount *m, struct vsl_error *err);

const char *vsl_ns_name(enum vsl_ns_kind kind); /* "pid", "network", "mount"... (OCI) */
int vsl_ns_from_name(const char *name);         /* OCI type name -> kind, -EINVAL */

/* ---- warnings and debug lines (src/lib/log.c) ---- */

/* Where vessel's warnings and, with debug set, its step-by-step debug lines go (the init's too,
 * relayed over the sync socket); NULL sends them nowhere (the default). */
enum vsl_log_level { VSL_LOG_WARN, VSL_LOG_DEBUG };
void vsl_set_log(void (*hook)(enum vsl_log_level level, const char *line), bool debug);

/* ---- container ids (src/lib/container.c) ---- */

/* Letters, digits, '_', '.' and '-' (not first), at most 128 characters. */
bool vsl_container_id_is_valid(const char *id);
/* A fresh id: 12 lowercase hex characters and a NUL. */
void vsl_container_new_id(char ret[13]);

/* ---- running (src/lib/container.c, launch.c) ---- */

struct vsl_run_opts {
    const char *id;         /* container id; NULL: a generated one */
    const char *state_root; /* --root; NULL: VSL_DEFAULT_ROOT */
    const char *bundle;     /* bundle directory recorded in state (may be NULL) */
    bool attach_stdin;      /* false: the container's stdin is /dev/null */
    bool systemd_cgroup;    /* --systemd-cgroup: linux.cgroupsPath is slice:prefix:name */
    bool quiet_errors;      /* reserved */
    bool no_pivot;          /* --no-pivot: MS_MOVE the root onto "/" and chroot (see create) */
    bool no_new_keyring;    /* --no-new-keyring: keep the caller's session keyring */
};

struct vsl_run_result {
    int status;      /* as a shell reports it: the exit code, or 128+N for signal N */
    bool oom_killed; /* the kernel's OOM killer killed a process of the container */
};

/* Run a container in the foreground: vessel stays the parent, relays the terminal when
 * process.terminal is set, forwards signals, waits and removes everything it made. */
int vsl_run(const struct vsl_spec *spec, const struct vsl_run_opts *opts,
            struct vsl_run_result *ret, struct vsl_error *err);

/* ---- the OCI verbs (src/lib/create.c, ops.c, exec.c): runc's create/start/state/kill/delete ----
 */

struct vsl_create_opts {
    const char *id;             /* required */
    const char *state_root;     /* --root; NULL: VSL_DEFAULT_ROOT */
    const char *bundle;         /* recorded in state */
    const char *console_socket; /* process.terminal: the pty master goes to this socket */
    const char *pid_file;       /* written atomically once created */
    unsigned preserve_fds;      /* fds 3..3+N-1 reach the process */
    bool no_pivot;       /* MS_MOVE the root onto "/" and chroot, not pivot_root (ramfs roots) */
    bool no_new_keyring; /* keep the caller's session keyring: no "_ses.<id>" of its own */
    bool systemd_cgroup;
};

/* create: the init finishes setup and waits in exec.fifo; returns once the state is "created". */
int vsl_create(const struct vsl_spec *spec, const struct vsl_create_opts *opts,
               struct vsl_error *err);
/* start: let a created container's init execute the user's process; runs poststart hooks. */
int vsl_start(const char *state_root, const char *id, struct vsl_error *err);
/* runc run -d: create then start, returning at once; the init stays with the caller's reaper. */
int vsl_run_detached(const struct vsl_spec *spec, const struct vsl_create_opts *opts,
                     struct vsl_error *err);

struct vsl_state {
    char id[129];
    char status[16]; /* creating, created, running, paused, stopped */
    pid_t pid;       /* 0 when stopped */
    char created[64];
    char *bundle;
    char *json; /* the OCI state object runc prints (pretty) */
};
int vsl_state_get(const char *state_root, const char *id, struct vsl_state *ret,
                  struct vsl_error *err);
void vsl_state_clear(struct vsl_state *st);
/* Every container id under the state root, sorted; *ret is NULL-terminated. */
int vsl_list_ids(const char *state_root, char ***ret, size_t *ret_n, struct vsl_error *err);

/* Signal the init (or, with all, every process of the container). */
int vsl_kill(const char *state_root, const char *id, int sig, bool all, struct vsl_error *err);
/* Delete a stopped or created container; force kills a running one first. */
int vsl_delete(const char *state_root, const char *id, bool force, struct vsl_error *err);
int vsl_pause(const char *state_root, const char *id, bool pause, struct vsl_error *err);
/* Pids of the container's processes (cgroup, else the init's pid namespace). */
int vsl_pids(const char *state_root, const char *id, pid_t **ret, size_t *ret_n,
             struct vsl_error *err);
/* Apply linux.resources (as config.json spells it, a JSON object) to a live container. */
int vsl_update(const char *state_root, const char *id, const char *resources_json,
               struct vsl_error *err);
/* runc events --stats: {"type":"stats","id":...,"data":{...}} as one line of JSON. */
int vsl_stats_json(const char *state_root, const char *id, char **ret, struct vsl_error *err);
/* OOM kills so far (for events); -EOPNOTSUPP without a cgroup. */
int vsl_oom_count(const char *state_root, const char *id, unsigned long long *ret,
                  struct vsl_error *err);

struct vsl_exec_opts {
    const char *console_socket;
    const char *pid_file;
    unsigned preserve_fds;
    bool detach;
    bool ignore_paused; /* runc's --ignore-paused: a paused container too (the process waits) */
    const char *cgroup; /* runc's --cgroup PATH: a sub-cgroup of the container's, which exists */
};
/* exec: a new process in a running container; spec is the container's config with process
 * replaced (vsl_exec_spec builds it; exec turns its namespaces into joins, so it is changed).
 * Foreground: waits, ret->status as vsl_run's. */
int vsl_exec(const char *state_root, const char *id, struct vsl_spec *spec,
             const struct vsl_exec_opts *opts, struct vsl_run_result *ret, struct vsl_error *err);
/* The container's spec (saved at create) with process replaced by process_json (a config.json
 * "process" object), or only loaded when process_json is NULL. */
int vsl_exec_spec(const char *state_root, const char *id, const char *process_json,
                  struct vsl_spec **ret_spec, struct vsl_error *err);

/* ---- cgroups (src/cgroup) ---- */

/* docker's default device rules after "deny all": mknod of any c/b node, and rwm on null, zero,
 * full, random, urandom, tty, console, ptmx and every pts node. Static storage. */
const struct vsl_device_rule *vsl_cgroup_default_device_rules(size_t *ret_n);

/* ---- images (src/image) ---- */

/* The built-in "busybox" image: a root assembled once from Debian's busybox-static under
 * <data>/images/busybox/rootfs. Writes the rootfs path. */
int vsl_image_builtin(const char *name, const char *data_root, char **ret_rootfs,
                      struct vsl_error *err);
bool vsl_image_is_builtin(const char *name);
