// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stage "rlimits": process.rlimits, set in the child before it drops privileges (raising a hard
 * limit needs CAP_SYS_RESOURCE, which the user switch may take away). Without CAP_SYS_RESOURCE
 * (as for root on our machines) a hard limit above the current one fails with EPERM, reported.
 */
#include <errno.h>
#include <sys/resource.h>

#include "lib/error.h"
#include "stages/stage.h"

static bool
rlimits_enabled(const struct vsl_ctx *ctx)
{
    return ctx->spec->process.n_rlimits > 0;
}

static int
rlimits_validate(const struct vsl_spec *spec, struct vsl_error *err)
{
    for (size_t i = 0; i < spec->process.n_rlimits; i++) {
        const struct vsl_rlimit *r = &spec->process.rlimits[i];
        if (r->soft > r->hard)
            return vsl_err(err, EINVAL, "process.rlimits[%zu]: soft limit %llu above hard %llu", i,
                           (unsigned long long)r->soft, (unsigned long long)r->hard);
    }
    return 0;
}

static int
rlimits_child_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_process *p = &ctx->spec->process;

    for (size_t i = 0; i < p->n_rlimits; i++) {
        struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};
        if (setrlimit(p->rlimits[i].resource, &rl) < 0)
            return vsl_err_errno(err, "setrlimit process.rlimits[%zu] (%llu/%llu)", i,
                                 (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
    }
    return 0;
}

const struct vsl_stage vsl_stage_rlimits = {
    .name = "rlimits",
    .enabled = rlimits_enabled,
    .validate = rlimits_validate,
    .child_setup = rlimits_child_setup,
};
