/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's cgroup, whichever the host has: cgroup v2 (unified) or v1 (one hierarchy per
 * controller, including the hybrid layout of a v1 host with a cgroup2 mount that holds no
 * controllers). One interface, two backends behind an ops table (v1.c, v2.c).
 * `path` is always relative to the hierarchy roots, e.g. "/vessel/<id>"; it is what state.json
 * records so later commands (pause, update, events, delete) can open the same cgroup.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vsl_error;
struct vsl_resources;
typedef struct json_t json_t;

struct vsl_cgroup;

enum vsl_cgroup_mode {
    VSL_CGROUP_V1,
    VSL_CGROUP_V2,
};

/* Which backend this host uses (probed once). */
enum vsl_cgroup_mode vsl_cgroup_mode(void);

/* The path for a container: linux.cgroupsPath resolved (absolute as is; relative under the
 * caller's own cgroup), or when empty "<parent>/<id>" ("/<id>", as runc and crun, without a
 * parent); systemd "slice:prefix:name" with `systemd` set. Pure: no syscalls beyond reading
 * /proc/self/cgroup. */
int vsl_cgroup_resolve_path(const char *cgroups_path, const char *id, const char *parent,
                            bool systemd, char **ret, struct vsl_error *err);
/* Does res ask for anything other than device rules (a controller must apply it)? */
bool vsl_cgroup_wants_resources(const struct vsl_resources *res);
/* Create the leaf (and parents, enabling v2 controllers on the way) and apply resources. */
int vsl_cgroup_create(const char *path, const struct vsl_resources *res, struct vsl_cgroup **ret,
                      struct vsl_error *err);
/* --systemd-cgroup: a cgroup systemd will make, the scope unit linux.cgroupsPath ("slice:prefix:
 * name") names. Checks that systemd answers on D-Bus (busctl: --system as root, else --user);
 * creates nothing yet. */
int vsl_cgroup_systemd_new(const char *cgroups_path, const char *id, struct vsl_cgroup **ret,
                           struct vsl_error *err);
/* Have systemd start the scope holding pid (StartTransientUnit, Delegate=yes), wait until pid is
 * in it, open the scope's cgroup (the path /proc shows) and apply res. On failure the unit may
 * exist: vsl_cgroup_destroy stops it. */
int vsl_cgroup_systemd_start(struct vsl_cgroup *cg, pid_t pid, const char *id,
                             const struct vsl_resources *res, struct vsl_error *err);
/* Open an existing container cgroup by its recorded path. */
int vsl_cgroup_open(const char *path, struct vsl_cgroup **ret, struct vsl_error *err);
void vsl_cgroup_free(struct vsl_cgroup *cg);
const char *vsl_cgroup_path(const struct vsl_cgroup *cg);
/* v2: an O_PATH|O_DIRECTORY fd of the leaf for CLONE_INTO_CGROUP; -EOPNOTSUPP on v1. */
int vsl_cgroup_clone_fd(struct vsl_cgroup *cg, struct vsl_error *err);
/* Move a process into the cgroup (every v1 hierarchy, or v2 cgroup.procs). */
int vsl_cgroup_attach(struct vsl_cgroup *cg, pid_t pid, struct vsl_error *err);
/* Apply (or live-update) linux.resources. */
int vsl_cgroup_set(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err);
int vsl_cgroup_freeze(struct vsl_cgroup *cg, bool frozen, struct vsl_error *err);
int vsl_cgroup_is_frozen(struct vsl_cgroup *cg, bool *ret, struct vsl_error *err);
/* Every pid in the cgroup (and its descendants). */
int vsl_cgroup_pids(struct vsl_cgroup *cg, pid_t **ret, size_t *ret_n, struct vsl_error *err);
/* Signal every process (v2 with SIGKILL: cgroup.kill). */
int vsl_cgroup_kill(struct vsl_cgroup *cg, int sig, struct vsl_error *err);
/* Number of OOM kills so far (memory.events oom_kill, v1 memory.oom_control). */
int vsl_cgroup_oom_kills(struct vsl_cgroup *cg, uint64_t *ret, struct vsl_error *err);
/* runc's `events --stats` "data" object: cpu, memory, pids, blkio, hugetlb. */
int vsl_cgroup_stats(struct vsl_cgroup *cg, json_t **ret, struct vsl_error *err);
/* Kill what is left, remove the leaf (every hierarchy); a systemd scope is stopped through systemd
 * instead, which removes its cgroup. Idempotent; frees nothing. */
int vsl_cgroup_destroy(struct vsl_cgroup *cg, struct vsl_error *err);
