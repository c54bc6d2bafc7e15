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

/* Everything one launch shares between the parent, the child and the stages. The parent fills it
 * before clone; the child gets a copy-on-write view of it. */
struct vsl_ctx {
    const struct vsl_spec *spec;
    const char *id;
    const char *state_dir; /* <root>/<id>: exists, owned by this container */
    bool attach_stdin;

    /* parent */
    pid_t pid;   /* the container's init, in the caller's pid namespace */
    int pidfd;

    /* cgroup stage: the container's cgroup (NULL when the host has none usable), and on cgroup
     * v2 a directory fd for CLONE_INTO_CGROUP (-EBADF when none) */
    struct vsl_cgroup *cgroup;
    int cgroup_fd;

    /* exec: joining a running container (vessel exec) rather than building one; stages that
     * only build (rootfs, uts, sysctl, id maps) leave themselves out in enabled() */
    bool exec;
    pid_t target_pid; /* exec: the container's init */

    /* the sync socket: parent's end in the parent, child's end in the child */
    int sync_fd;

    /* namespaces stage: fds for linux.namespaces[].path, opened in prepare */
    int ns_fds[VSL_NS__COUNT];
    int parent_pidns_fd; /* to restore pid_for_children after a pid namespace join */

    /* rootfs stage */
    char *rootfs;      /* the directory the child pivots into (allocated) */
    bool root_is_image;
    char *image_fstype; /* detected filesystem type of a disk image */
    bool image_readonly;
    int loop_fd;        /* attached loop device (autoclear), -EBADF when none */
    char loop_path[64];
    char *staging;      /* <state_dir>/rootfs, a mount point used only in the child's namespace */
    bool ephemeral;

    /* terminal: the child allocates the pty inside the container and sends the master */
    int pty_master;
    int pty_slave;
};

struct vsl_stage {
    const char *name;
    /* Does the spec ask for this step (NULL: always). */
    bool (*enabled)(const struct vsl_ctx *ctx);
    /* Reject bad input before any side effect: no syscalls (unit-testable). */
    int (*validate)(const struct vsl_spec *spec, struct vsl_error *err);
    /* Parent, before clone: create, attach, open what the child needs. */
    int (*prepare)(struct vsl_ctx *ctx, struct vsl_error *err);
    /* Parent: CLONE_NEW* flags this stage wants at clone time. */
    unsigned long (*clone_flags)(const struct vsl_ctx *ctx);
    /* Parent, after clone, before the child sets up: id maps, cgroup attach, veth moves. */
    int (*parent_setup)(struct vsl_ctx *ctx, struct vsl_error *err);
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
