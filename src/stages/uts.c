// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stage "uts": hostname and domainname.
 * Runs in the child after the namespaces stage created or joined the uts namespace (validate in
 * the namespaces stage refuses a hostname without one, so the host's name is never changed).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "stages/stage.h"

static bool
uts_enabled(const struct vsl_ctx *ctx)
{
    return !ctx->exec && (ctx->spec->hostname || ctx->spec->domainname);
}

static int
uts_validate(const struct vsl_spec *spec, struct vsl_error *err)
{
    if (spec->hostname && strlen(spec->hostname) > 64)
        return vsl_err(err, EINVAL, "hostname: '%s' is longer than 64 characters", spec->hostname);
    if (spec->domainname && strlen(spec->domainname) > 64)
        return vsl_err(err, EINVAL, "domainname: '%s' is longer than 64 characters",
                       spec->domainname);
    if (spec->domainname && !spec->linux_.namespaces[VSL_NS_UTS].present)
        return vsl_err(err, EINVAL, "domainname: needs a uts namespace in linux.namespaces");
    return 0;
}

static int
uts_child_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const char *h = ctx->spec->hostname, *d = ctx->spec->domainname;

    if (h && sethostname(h, strlen(h)) < 0)
        return vsl_err_errno(err, "sethostname '%s'", h);
    if (d && setdomainname(d, strlen(d)) < 0)
        return vsl_err_errno(err, "setdomainname '%s'", d);
    return 0;
}

const struct vsl_stage vsl_stage_uts = {
    .name = "uts",
    .enabled = uts_enabled,
    .validate = uts_validate,
    .child_setup = uts_child_setup,
};
