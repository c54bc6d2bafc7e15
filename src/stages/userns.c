// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stage "userns": writes linux.uidMappings/gidMappings for a new user namespace.
 * Runs in the parent after clone (the child was created inside the new user namespace by clone3)
 * and before PARENT_READY, so the child is root in its namespace before its first setup step.
 * Root writes the maps itself. Another user may write only its own id (after "deny" in setgroups);
 * anything more goes through the setuid newuidmap/newgidmap (Debian's uidmap), which check
 * /etc/subuid and /etc/subgid. prepare, before clone, turns a kernel or distribution policy that
 * refuses unprivileged user namespaces into one clear message instead of clone3's EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "stages/stage.h"

static bool
userns_enabled(const struct vsl_ctx *ctx)
{
    const struct vsl_namespace *ns = &ctx->spec->linux_.namespaces[VSL_NS_USER];
    return !ctx->exec && ns->present && !ns->path;
}

static int
write_file(pid_t pid, const char *file, const char *buf, size_t len, struct vsl_error *err)
{
    char path[64];

    (void)snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return vsl_err_errno(err, "open '%s'", path);
    if (write(fd, buf, len) != (ssize_t)len)
        return vsl_err_errno(err, "write '%s'", path);
    return 0;
}

static int
write_map(pid_t pid, const char *file, const struct vsl_idmap *map, size_t n, struct vsl_error *err)
{
    char buf[4096];
    size_t len = 0;

    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", map[i].container_id,
                         map[i].host_id, map[i].size);
        if (w < 0 || (size_t)w >= sizeof(buf) - len)
            return vsl_err(err, E2BIG, "linux.%s: too many entries", file);
        len += (size_t)w;
    }
    return write_file(pid, file, buf, len, err);
}

/* newuidmap PID ID HOSTID COUNT...: the setuid helper checks the ranges against /etc/subuid. */
static int
run_helper(const char *helper, pid_t pid, const struct vsl_idmap *map, size_t n,
           struct vsl_error *err)
{
    char *argv[2 + 3 * 16 + 1], nums[2 + 3 * 16][16];
    int status;

    if (n > 16)
        return vsl_err(err, E2BIG, "%s: too many ranges", helper);
    argv[0] = (char *)helper;
    (void)snprintf(nums[0], sizeof(nums[0]), "%d", pid);
    argv[1] = nums[0];
    for (size_t i = 0; i < n; i++) {
        (void)snprintf(nums[1 + 3 * i], 16, "%u", map[i].container_id);
        (void)snprintf(nums[2 + 3 * i], 16, "%u", map[i].host_id);
        (void)snprintf(nums[3 + 3 * i], 16, "%u", map[i].size);
        for (int k = 1; k <= 3; k++)
            argv[1 + 3 * i + (size_t)k] = nums[3 * i + (size_t)k];
    }
    argv[2 + 3 * n] = NULL;
    pid_t child = fork();
    if (child < 0)
        return vsl_err_errno(err, "fork %s", helper);
    if (child == 0) {
        execvp(helper, argv);
        _exit(errno == ENOENT ? 127 : 126);
    }
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            return vsl_err_errno(err, "wait for %s", helper);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return vsl_err(err, ENOENT, "%s not found: install the uidmap package", helper);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return vsl_err(err, EPERM, "%s %d failed: are the ranges in /etc/sub%cid?", helper, pid,
                       helper[3] == 'u' ? 'u' : 'g');
    return 0;
}

/* Only the caller's own id, once: what an unprivileged user may write itself. */
static bool
is_own_only(const struct vsl_idmap *map, size_t n, uint32_t own)
{
    return n == 1 && map[0].size == 1 && map[0].host_id == own;
}

static int
userns_parent_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_linux *l = &ctx->spec->linux_;
    int r;

    if (geteuid() == 0) {
        r = write_map(ctx->pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err);
        return r < 0 ? r : write_map(ctx->pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
    }
    if (is_own_only(l->uid_mappings, l->n_uid_mappings, geteuid()))
        r = write_map(ctx->pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err);
    else
        r = run_helper("newuidmap", ctx->pid, l->uid_mappings, l->n_uid_mappings, err);
    if (r < 0)
        return r;
    if (!is_own_only(l->gid_mappings, l->n_gid_mappings, getegid()))
        return run_helper("newgidmap", ctx->pid, l->gid_mappings, l->n_gid_mappings, err);
    /* the kernel takes an unprivileged gid_map only once setgroups is denied */
    if ((r = write_file(ctx->pid, "setgroups", "deny", 4, err)) < 0)
        return r;
    return write_map(ctx->pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
}

/* the id maps are written from outside while the init waits */
static bool
userns_needs_copy(const struct vsl_ctx *ctx)
{
    return true;
}

static int
read_sysctl(const char *path)
{
    char buf[32] = "";
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
        return -1;
    return atoi(buf);
}

/* An unprivileged user: would the kernel let us create a user namespace at all? */
static int
userns_prepare(struct vsl_ctx *ctx, struct vsl_error *err)
{
    static const char hint[] = "user namespaces are refused to unprivileged users";
    int status;

    if (geteuid() == 0)
        return 0;
    if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
        return vsl_err(err, EPERM, "%s: kernel.unprivileged_userns_clone is 0", hint);
    if (read_sysctl("/proc/sys/user/max_user_namespaces") == 0)
        return vsl_err(err, EPERM, "%s: user.max_user_namespaces is 0", hint);
    if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
        return vsl_err(err, EPERM,
                       "%s: kernel.apparmor_restrict_unprivileged_userns is 1 (an AppArmor "
                       "profile for vessel, or the sysctl set to 0, allows them)",
                       hint);
    pid_t pid = fork();
    if (pid < 0)
        return vsl_err_errno(err, "fork");
    if (pid == 0)
        _exit(unshare(CLONE_NEWUSER) < 0 ? 1 : 0);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return vsl_err_errno(err, "waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return vsl_err(err, EPERM,
                       "%s: unshare(CLONE_NEWUSER) failed (a kernel or security "
                       "module policy)",
                       hint);
    return 0;
}

/*
 * Child, first step after the maps: clone3 left it with the caller's credentials, which the new
 * namespace may not map (root under --userns=auto): become its root, so that files the child
 * creates have an owner the namespace knows, and drop the host's supplementary groups.
 */
static int
userns_child_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return vsl_err_errno(err, "prctl PR_SET_KEEPCAPS");
    /* refused where setgroups is "deny" (an unprivileged caller), which has no groups to drop */
    if (setgroups(0, NULL) < 0 && errno != EPERM)
        return vsl_err_errno(err, "setgroups");
    if (setresgid(0, 0, 0) < 0)
        return vsl_err_errno(err, "setresgid 0 in the user namespace");
    if (setresuid(0, 0, 0) < 0)
        return vsl_err_errno(err, "setresuid 0 in the user namespace");
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return vsl_err_errno(err, "prctl PR_SET_KEEPCAPS");
    return 0;
}

const struct vsl_stage vsl_stage_userns = {
    .name = "userns",
    .enabled = userns_enabled,
    .prepare = userns_prepare,
    .needs_copy = userns_needs_copy,
    .parent_setup = userns_parent_setup,
    .child_setup = userns_child_setup,
};
