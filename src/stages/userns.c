// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stage "userns": writes linux.uidMappings/gidMappings for a new user namespace.
 * Runs in the parent after clone (the child was created inside the new user namespace by clone3)
 * and before PARENT_READY, so the child is root in its namespace before its first setup step.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "stages/stage.h"

static bool
userns_enabled(const struct vsl_ctx *ctx)
{
    const struct vsl_namespace *ns = &ctx->spec->linux_.namespaces[VSL_NS_USER];
    return ns->present && !ns->path;
}

static int
write_map(pid_t pid, const char *file, const struct vsl_idmap *map, size_t n,
          struct vsl_error *err)
{
    char path[64], buf[4096];
    size_t len = 0;

    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", map[i].container_id,
                         map[i].host_id, map[i].size);
        if (w < 0 || (size_t)w >= sizeof(buf) - len)
            return vsl_err(err, E2BIG, "linux.%s: too many entries", file);
        len += (size_t)w;
    }
    (void)snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return vsl_err_errno(err, "open '%s'", path);
    if (write(fd, buf, len) != (ssize_t)len)
        return vsl_err_errno(err, "write '%s'", path);
    return 0;
}

static int
userns_parent_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_linux *l = &ctx->spec->linux_;
    int r = write_map(ctx->pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err);
    if (r < 0)
        return r;
    return write_map(ctx->pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
}

const struct vsl_stage vsl_stage_userns = {
    .name = "userns",
    .enabled = userns_enabled,
    .parent_setup = userns_parent_setup,
};
