// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stage "namespaces": creates and joins linux.namespaces.
 * Runs first among the child's steps: every later step (mounts, hostname, sysctl) must act inside
 * the container's namespaces. New namespaces come from clone3 flags, except three that cannot:
 *  - cgroup: unshared in the child after PARENT_READY, so its root is the container's cgroup
 *    (the parent attaches the child to it in parent_setup on cgroup v1);
 *  - time: offsets can only be written before a process enters the namespace, so the child
 *    unshares it (a new ns for its children), writes timens_offsets and then setns()es into it;
 *  - pid by path: a pid namespace is entered only by new children, so the parent sets its
 *    pid_for_children before clone (prepare) and restores it after (parent_setup, undo).
 * A namespace given by path is checked in the parent (it must be an nsfs file of the right type)
 * and joined in the child, the user namespace first so the others are joined with its rights.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "stages/stage.h"

static const int ns_clone_flag[VSL_NS__COUNT] = {
    [VSL_NS_PID] = CLONE_NEWPID,       [VSL_NS_NET] = CLONE_NEWNET,   [VSL_NS_MOUNT] = CLONE_NEWNS,
    [VSL_NS_IPC] = CLONE_NEWIPC,       [VSL_NS_UTS] = CLONE_NEWUTS,   [VSL_NS_USER] = CLONE_NEWUSER,
    [VSL_NS_CGROUP] = CLONE_NEWCGROUP, [VSL_NS_TIME] = CLONE_NEWTIME,
};

/* The order the child joins namespaces by path: user first, mount last. */
static const enum vsl_ns_kind join_order[] = {VSL_NS_USER,   VSL_NS_IPC,  VSL_NS_UTS,  VSL_NS_NET,
                                              VSL_NS_CGROUP, VSL_NS_TIME, VSL_NS_MOUNT};

static bool
wants(const struct vsl_spec *spec, enum vsl_ns_kind k)
{
    return spec->linux_.namespaces[k].present;
}

static bool
creates(const struct vsl_spec *spec, enum vsl_ns_kind k)
{
    return wants(spec, k) && !spec->linux_.namespaces[k].path;
}

static int
ns_validate(const struct vsl_spec *spec, struct vsl_error *err)
{
    const struct vsl_linux *l = &spec->linux_;

    for (int k = 0; k < VSL_NS__COUNT; k++) {
        const char *p = l->namespaces[k].path;
        if (p && p[0] != '/')
            return vsl_err(err, EINVAL, "linux.namespaces: %s path '%s' is not absolute",
                           vsl_ns_name(k), p);
    }
    if ((l->time_boottime.set || l->time_monotonic.set) && !creates(spec, VSL_NS_TIME))
        return vsl_err(err, EINVAL,
                       "linux.timeOffsets: needs a new time namespace in linux.namespaces");
    if (spec->hostname && spec->hostname[0] && !creates(spec, VSL_NS_UTS) &&
        !wants(spec, VSL_NS_UTS))
        return vsl_err(err, EINVAL, "hostname: needs a uts namespace in linux.namespaces");
    if ((l->n_uid_mappings || l->n_gid_mappings) && !creates(spec, VSL_NS_USER))
        return vsl_err(err, EINVAL, "linux.uidMappings: needs a new user namespace");
    if (creates(spec, VSL_NS_USER) && (!l->n_uid_mappings || !l->n_gid_mappings))
        return vsl_err(err, EINVAL,
                       "linux.uidMappings, linux.gidMappings: a new user namespace needs both");
    return 0;
}

static int
ns_prepare(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_linux *l = &ctx->spec->linux_;

    for (int k = 0; k < VSL_NS__COUNT; k++) {
        const char *p = l->namespaces[k].path;
        if (!p || !l->namespaces[k].present)
            continue;
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return vsl_err_errno(err, "open %s namespace '%s'", vsl_ns_name(k), p);
        ctx->ns_fds[k] = fd;
        int type = ioctl(fd, NS_GET_NSTYPE);
        if (type < 0 || type != ns_clone_flag[k])
            return vsl_err(err, EINVAL, "'%s' is not a %s namespace", p, vsl_ns_name(k));
    }
    if (ctx->ns_fds[VSL_NS_PID] >= 0) {
        ctx->parent_pidns_fd = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
        if (ctx->parent_pidns_fd < 0)
            return vsl_err_errno(err, "open '/proc/self/ns/pid_for_children'");
        if (setns(ctx->ns_fds[VSL_NS_PID], CLONE_NEWPID) < 0)
            return vsl_err_errno(err, "join pid namespace '%s'", l->namespaces[VSL_NS_PID].path);
    }
    return 0;
}

static unsigned long
ns_clone_flags(const struct vsl_ctx *ctx)
{
    unsigned long flags = 0;

    for (int k = 0; k < VSL_NS__COUNT; k++)
        if (creates(ctx->spec, k) && k != VSL_NS_CGROUP && k != VSL_NS_TIME)
            flags |= ns_clone_flag[k];
    return flags;
}

static void
restore_pidns(struct vsl_ctx *ctx)
{
    if (ctx->parent_pidns_fd >= 0) {
        (void)setns(ctx->parent_pidns_fd, CLONE_NEWPID);
        closep(&ctx->parent_pidns_fd);
        ctx->parent_pidns_fd = -EBADF;
    }
}

static int
ns_parent_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    restore_pidns(ctx);
    return 0;
}

/* The kernel lets a process into a time namespace (new or joined) or a joined user namespace
 * only when it shares its memory with nobody (EUSERS), and a pid namespace joined by path holds
 * other processes, which must never reach the init while it shares vessel's memory. A new user
 * namespace is the userns stage's case. */
static bool
ns_needs_copy(const struct vsl_ctx *ctx)
{
    const struct vsl_spec *spec = ctx->spec;

    return wants(spec, VSL_NS_TIME) || (wants(spec, VSL_NS_USER) && !creates(spec, VSL_NS_USER)) ||
           (wants(spec, VSL_NS_PID) && !creates(spec, VSL_NS_PID));
}

static void
ns_undo(struct vsl_ctx *ctx)
{
    restore_pidns(ctx);
    for (int k = 0; k < VSL_NS__COUNT; k++) {
        closep(&ctx->ns_fds[k]);
        ctx->ns_fds[k] = -EBADF;
    }
}

static int
write_time_offsets(const struct vsl_linux *l, struct vsl_error *err)
{
    char buf[128];
    int n = 0;

    if (l->time_monotonic.set)
        n += snprintf(buf + n, sizeof(buf) - n, "monotonic %lld %u\n",
                      (long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
    if (l->time_boottime.set)
        n += snprintf(buf + n, sizeof(buf) - n, "boottime %lld %u\n",
                      (long long)l->time_boottime.secs, l->time_boottime.nanosecs);
    if (n == 0)
        return 0;
    _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return vsl_err_errno(err, "open '/proc/self/timens_offsets'");
    /* The kernel takes one clock per write. */
    for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1)
        if (write(fd, line, (size_t)(nl - line + 1)) < 0)
            return vsl_err_errno(err, "write time offsets '%.*s'", (int)(nl - line), line);
    return 0;
}

static int
enter_new_time_ns(const struct vsl_linux *l, struct vsl_error *err)
{
    if (unshare(CLONE_NEWTIME) < 0)
        return vsl_err_errno(err, "unshare time namespace");
    int r = write_time_offsets(l, err);
    if (r < 0)
        return r;
    _cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vsl_err_errno(err, "open '/proc/self/ns/time_for_children'");
    if (setns(fd, CLONE_NEWTIME) < 0)
        return vsl_err_errno(err, "enter the new time namespace");
    return 0;
}

static int
loopback_up(struct vsl_error *err)
{
    _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr = {0};

    if (s < 0)
        return vsl_err_errno(err, "socket");
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        return vsl_err_errno(err, "get flags of 'lo'");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        return vsl_err_errno(err, "bring 'lo' up");
    return 0;
}

static int
ns_child_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_spec *spec = ctx->spec;

    for (size_t i = 0; i < ARRAY_SIZE(join_order); i++) {
        enum vsl_ns_kind k = join_order[i];
        if (ctx->ns_fds[k] >= 0 && setns(ctx->ns_fds[k], ns_clone_flag[k]) < 0)
            return vsl_err_errno(err, "join %s namespace '%s'", vsl_ns_name(k),
                                 spec->linux_.namespaces[k].path);
    }
    if (creates(spec, VSL_NS_CGROUP) && unshare(CLONE_NEWCGROUP) < 0)
        return vsl_err_errno(err, "unshare cgroup namespace");
    if (creates(spec, VSL_NS_TIME)) {
        int r = enter_new_time_ns(&spec->linux_, err);
        if (r < 0)
            return r;
    }
    if (creates(spec, VSL_NS_NET))
        return loopback_up(err);
    return 0;
}

const struct vsl_stage vsl_stage_namespaces = {
    .name = "namespaces",
    .validate = ns_validate,
    .prepare = ns_prepare,
    .needs_copy = ns_needs_copy,
    .clone_flags = ns_clone_flags,
    .parent_setup = ns_parent_setup,
    .child_setup = ns_child_setup,
    .undo = ns_undo,
};
