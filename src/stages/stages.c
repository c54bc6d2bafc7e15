// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one ordered table of isolation steps. The parent runs prepare in this order before clone,
 * parent_setup in this order after it, undo in reverse; the child runs child_setup in this order.
 *   cgroup      created and resources applied before clone (v2: born in it; v1: attached before
 *               PARENT_READY; a vfork launch: the init joins itself first), so nothing of the
 *               container runs outside it; before the child unshares its cgroup namespace, whose
 *               root it becomes
 *   userns      maps written first: the child is root in its namespace before anything else
 *   namespaces  join by path (user first), create cgroup and time namespaces, lo up
 *   keyring     a session keyring of the container's own: in its user namespace, before seccomp
 *   idmapped    parent: idmapped clones of the root and of idmap mounts, for rootfs to attach
 *   rootfs      image attach, mounts, /dev, pivot_root, masked and read-only paths
 *   uts         hostname/domainname (after namespaces)
 *   sysctl      through the container's /proc/sys (after rootfs)
 *   rlimits     before the user switch can drop CAP_SYS_RESOURCE
 *   rootfs_readonly  readonlyPaths and a read-only root: after sysctl (/proc/sys is read-only
 *               by default), before process drops CAP_SYS_ADMIN
 *   seccomp     without no_new_privs loading needs CAP_SYS_ADMIN: before process drops it
 *   process     oom score, caps, user, cwd, no_new_privs
 *   landlock    after the user switch and no_new_privs, in the container's root
 *   seccomp-nnp with no_new_privs: the filter is the last thing before exec (runc's order)
 */
#include <errno.h>

#include "lib/error.h"
#include "stages/rootfs.h"
#include "stages/stage.h"

extern const struct vsl_stage vsl_stage_cgroup, vsl_stage_userns, vsl_stage_namespaces,
    vsl_stage_uts, vsl_stage_sysctl, vsl_stage_rlimits, vsl_stage_process, vsl_stage_seccomp,
    vsl_stage_seccomp_nnp, vsl_stage_landlock, vsl_stage_idmapped, vsl_stage_keyring;

const struct vsl_stage *const vsl_stages[] = {
    &vsl_stage_cgroup,   &vsl_stage_userns,          &vsl_stage_namespaces, &vsl_stage_keyring,
    &vsl_stage_idmapped, &vsl_stage_rootfs,          &vsl_stage_uts,        &vsl_stage_sysctl,
    &vsl_stage_rlimits,  &vsl_stage_rootfs_readonly, &vsl_stage_seccomp,    &vsl_stage_process,
    &vsl_stage_landlock, &vsl_stage_seccomp_nnp,
};
const size_t vsl_n_stages = sizeof(vsl_stages) / sizeof(vsl_stages[0]);

int
vsl_stages_validate(const struct vsl_spec *spec, struct vsl_error *err)
{
    for (size_t i = 0; i < vsl_n_stages; i++) {
        const struct vsl_stage *s = vsl_stages[i];
        if (!s->validate)
            continue;
        int r = s->validate(spec, err);
        if (r < 0)
            return r;
    }
    return 0;
}

void
vsl_ctx_init(struct vsl_ctx *ctx)
{
    *ctx = (struct vsl_ctx){
        .pidfd = -EBADF,
        .sync_fd = -EBADF,
        .cgroup_fd = -EBADF,
        .parent_pidns_fd = -EBADF,
        .image_mnt_fd = -EBADF,
        .pty_master = -EBADF,
        .pty_slave = -EBADF,
        .fifo_fd = -EBADF,
        .lock_fd = -EBADF,
        .seccomp_listener = -EBADF,
        .seccomp_state = {-EBADF, -EBADF},
        .idmap_root_fd = -EBADF,
    };
    for (int k = 0; k < VSL_NS__COUNT; k++)
        ctx->ns_fds[k] = -EBADF;
}
