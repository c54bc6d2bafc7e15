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

struct vsl_error {
    int code;         /* -errno */
    int exec_failed;  /* the failure was the final execve of the user's command */
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

const char *vsl_ns_name(enum vsl_ns_kind kind);       /* "pid", "network", "mount"... (OCI) */
int vsl_ns_from_name(const char *name);                /* OCI type name -> kind, -EINVAL */

/* ---- running (src/lib/container.c, launch.c) ---- */

struct vsl_run_opts {
    const char *id;          /* container id; NULL: a generated one */
    const char *state_root;  /* --root; NULL: VSL_DEFAULT_ROOT */
    const char *bundle;      /* bundle directory recorded in state (may be NULL) */
    bool attach_stdin;       /* false: the container's stdin is /dev/null */
    bool quiet_errors;       /* reserved */
};

struct vsl_run_result {
    int status;      /* as a shell reports it: the exit code, or 128+N for signal N */
    bool oom_killed; /* the kernel's OOM killer killed a process of the container */
};

/* Run a container in the foreground: vessel stays the parent, relays the terminal when
 * process.terminal is set, forwards signals, waits and removes everything it made. */
int vsl_run(const struct vsl_spec *spec, const struct vsl_run_opts *opts,
            struct vsl_run_result *ret, struct vsl_error *err);

/* ---- images (src/image) ---- */

/* The built-in "busybox" image: a root assembled once from Debian's busybox-static under
 * <data>/images/busybox/rootfs. Writes the rootfs path. */
int vsl_image_builtin(const char *name, const char *data_root, char **ret_rootfs,
                      struct vsl_error *err);
bool vsl_image_is_builtin(const char *name);
