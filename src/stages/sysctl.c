// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stage "sysctl": linux.sysctl, written through the container's own /proc/sys.
 * Runs in the child after rootfs (pivot_root done, the container's /proc mounted), so a key can
 * only reach the namespace the container owns. validate accepts only namespaced keys whose
 * namespace the container has of its own, as runc does: a sysctl never changes the host.
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
sysctl_enabled(const struct vsl_ctx *ctx)
{
    return !ctx->exec && ctx->spec->linux_.n_sysctl > 0;
}

static bool
has_own(const struct vsl_spec *spec, enum vsl_ns_kind k)
{
    return spec->linux_.namespaces[k].present;
}

/* Which namespace owns a key, or -1 when it is not namespaced. */
static int
key_namespace(const char *key)
{
    static const char *const ipc_keys[] = {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
        "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
    for (size_t i = 0; i < ARRAY_SIZE(ipc_keys); i++)
        if (strcmp(key, ipc_keys[i]) == 0)
            return VSL_NS_IPC;
    if (strncmp(key, "fs.mqueue.", 10) == 0)
        return VSL_NS_IPC;
    if (strncmp(key, "net.", 4) == 0)
        return VSL_NS_NET;
    if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
        return VSL_NS_UTS;
    return -1;
}

static int
sysctl_validate(const struct vsl_spec *spec, struct vsl_error *err)
{
    for (size_t i = 0; i < spec->linux_.n_sysctl; i++) {
        const char *key = spec->linux_.sysctl[i].key;
        int ns = key_namespace(key);
        if (strstr(key, "..") || strchr(key, '/') || key[0] == '.')
            return vsl_err(err, EINVAL, "linux.sysctl: invalid key '%s'", key);
        if (ns < 0)
            return vsl_err(err, EINVAL,
                           "linux.sysctl: '%s' is not namespaced: it would change "
                           "the host",
                           key);
        if (!has_own(spec, ns))
            return vsl_err(err, EINVAL,
                           "linux.sysctl: '%s' needs the container's own %s "
                           "namespace",
                           key, vsl_ns_name(ns));
    }
    return 0;
}

static int
sysctl_child_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_linux *l = &ctx->spec->linux_;

    for (size_t i = 0; i < l->n_sysctl; i++) {
        char path[512];
        int n = snprintf(path, sizeof(path), "/proc/sys/%s", l->sysctl[i].key);
        if (n < 0 || (size_t)n >= sizeof(path))
            return vsl_err(err, ENAMETOOLONG, "sysctl '%s'", l->sysctl[i].key);
        for (char *p = path + 10; *p; p++)
            if (*p == '.')
                *p = '/';
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            return vsl_err_errno(err, "sysctl '%s': open '%s'", l->sysctl[i].key, path);
        const char *v = l->sysctl[i].value;
        if (write(fd, v, strlen(v)) < 0)
            return vsl_err_errno(err, "sysctl '%s' = '%s'", l->sysctl[i].key, v);
    }
    return 0;
}

const struct vsl_stage vsl_stage_sysctl = {
    .name = "sysctl",
    .enabled = sysctl_enabled,
    .validate = sysctl_validate,
    .child_setup = sysctl_child_setup,
};
