/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stage interface: every isolation step is one struct vsl_stage in one file, listed in order in
 * stages.c. Hooks are optional (NULL = nothing to do). See DESIGN.md "Stages" for where each runs.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <vessel/vessel.h>

struct vsl_cgroup;
struct sock_filter;

/* Everything one launch shares between the parent, the child and the stages. The parent fills it
 * before clone; the child gets a copy-on-write view of it. */
struct vsl_ctx {
    const struct vsl_spec *spec;
    const char *id;
    const char *state_dir; /* <root>/<id>: exists, owned by this container */
    bool attach_stdin;

    /* parent */
    pid_t pid; /* the container's init, in the caller's pid namespace */
    int pidfd;

    /* cgroup stage: the container's cgroup (NULL when the host has none usable), and on cgroup
     * v2 a directory fd for CLONE_INTO_CGROUP (-EBADF when none) */
    struct vsl_cgroup *cgroup;
    int cgroup_fd;           /* borrowed from cgroup: never closed through ctx */
    bool systemd_cgroup;     /* --systemd-cgroup: linux.cgroupsPath is slice:prefix:name */
    const char *cgroup_path; /* exec: the container's cgroup as state records it (join only);
                              * state records vsl_cgroup_path(ctx->cgroup) */
    bool cgroup_late;        /* v1: the init joins in parent_alongside, while it sets itself up;
                              * known before clone, so the child mounts the cgroup's path */

    /* exec: joining a running container (vessel exec) rather than building one; stages that
     * only build (rootfs, uts, sysctl, id maps) leave themselves out in enabled() */
    bool exec;
    pid_t target_pid; /* exec: the container's init */

    /* the sync socket: parent's end in the parent, child's end in the child */
    int sync_fd;
    /* a vfork launch (launch.c): the init shares the parent's memory until it executes, the
     * parent sleeps meanwhile, and parent_setup and parent_alongside run after it executed */
    bool vfork;

    /* namespaces stage: fds for linux.namespaces[].path, opened in prepare */
    int ns_fds[VSL_NS__COUNT];
    int parent_pidns_fd; /* to restore pid_for_children after a pid namespace join */

    /* rootfs stage */
    char *rootfs; /* the directory the child pivots into (allocated) */
    bool root_is_image;
    char *image_fstype; /* detected filesystem type of a disk image */
    bool image_readonly;
    /* A disk image's filesystem, mounted by the parent (outside the container's device cgroup
     * and user namespace) as a detached mount the child attaches; -EBADF when none. The loop
     * device is autoclear: it goes when the last mount of it does. */
    int image_mnt_fd;
    char loop_path[64];
    char *staging; /* <state_dir>/rootfs, a mount point used only in the child's namespace */
    bool ephemeral;
    bool no_pivot; /* --no-pivot: MS_MOVE the root onto "/" and chroot instead of pivot_root */

    /* keyring stage: --no-new-keyring keeps the caller's session keyring */
    bool no_new_keyring;

    /* terminal: the child allocates the pty inside the container and sends the master */
    int pty_master;
    int pty_slave;

    /* seccomp stage: the BPF compiled in prepare and the seccomp(2) flags to load it with; with
     * SCMP_ACT_NOTIFY a socket connected to listenerPath and a pipe carrying the state to send */
    struct sock_filter *seccomp_bpf;
    unsigned short seccomp_len;
    unsigned seccomp_flags;
    int seccomp_listener;
    int seccomp_state[2];

    /* idmapped stage: detached, idmapped clones of the root and of spec mounts (by index) */
    int idmap_root_fd;
    int *idmap_mnt_fds;
    size_t n_idmap_mnt_fds;

    /* OCI create/start/exec (launch.c, create.c, exec.c) */
    bool detach; /* the caller exits after create / exec -d: the child outlives it */
    /* run without a terminal, hooks or exec.fifo: START goes as soon as the parent's own steps
     * are done, so the init finds it waiting at CHILD_READY instead of a round trip later */
    bool start_early;
    bool start_sent;
    int fifo_fd;           /* O_PATH exec.fifo: the init blocks opening it until `start` */
    unsigned preserve_fds; /* fds 3 .. 3+N-1 stay open for the process */
    bool hooks;            /* the HOOKS sync step runs (prestart/createRuntime/createContainer) */
    char *state_json;      /* hooks: the state the parent sent with HOOKS_DONE (child) */
    /* parent, on HOOKS: record the state and run prestart/createRuntime; fills ret_state_json */
    int (*on_hooks)(struct vsl_ctx *ctx, char **ret_state_json, struct vsl_error *err);
    void *owner; /* the front end's data for on_hooks */
    int lock_fd; /* the state directory's flock (parent): the child closes its copy first */
};

/* Child, in the rootfs stage just before pivot_root: the HOOKS sync step (launch.c). */
int vsl_launch_before_pivot(struct vsl_ctx *ctx, struct vsl_error *err);

struct vsl_stage {
    const char *name;
    /* Does the spec ask for this step (NULL: always). */
    bool (*enabled)(const struct vsl_ctx *ctx);
    /* Reject bad input before any side effect: no syscalls (unit-testable). */
    int (*validate)(const struct vsl_spec *spec, struct vsl_error *err);
    /* Parent, before clone: create, attach, open what the child needs. */
    int (*prepare)(struct vsl_ctx *ctx, struct vsl_error *err);
    /* Parent, after every prepare: must the init be a copy of the parent with a memory of its
     * own (NULL: no)? Yes when parent_setup or parent_alongside must act on the init while it
     * waits, or when another process could reach the init before it executes. When no stage
     * needs a copy, the launch is a vfork one (ctx->vfork). */
    bool (*needs_copy)(const struct vsl_ctx *ctx);
    /* Parent: CLONE_NEW* flags this stage wants at clone time. */
    unsigned long (*clone_flags)(const struct vsl_ctx *ctx);
    /* Parent, after clone, before the child sets up: id maps, cgroup attach, veth moves (in a
     * vfork launch: after the init executed). */
    int (*parent_setup)(struct vsl_ctx *ctx, struct vsl_error *err);
    /* Parent, after PARENT_READY, while the child runs its child_setup steps (two CPUs work at
     * once): what the init needs done before it executes the user's process but not before it
     * sets itself up. START waits for it. */
    int (*parent_alongside)(struct vsl_ctx *ctx, struct vsl_error *err);
    /* Child, before exec, in table order. */
    int (*child_setup)(struct vsl_ctx *ctx, struct vsl_error *err);
    /* Parent, on failure or delete: idempotent teardown of prepare/parent_setup. */
    void (*undo)(struct vsl_ctx *ctx);
};

/* The ordered table (stages.c). */
extern const struct vsl_stage *const vsl_stages[];
extern const size_t vsl_n_stages;

/* Run validate for every enabled stage; the error is prefixed with the stage name. */
int vsl_stages_validate(const struct vsl_spec *spec, struct vsl_error *err);

void vsl_ctx_init(struct vsl_ctx *ctx);
