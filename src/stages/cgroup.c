// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stage "cgroup": the container's cgroup and linux.resources.
 * Runs in the parent only: prepare (before clone) creates the leaf and applies the resources, so
 * on cgroup v2 the init is born in it (CLONE_INTO_CGROUP); on v1 parent_alongside moves the init in
 * while it sets itself up (nothing of the user's runs before START), or parent_setup before
 * PARENT_READY when the child unshares a cgroup namespace (namespaces stage), whose root must be
 * the container's own cgroup. undo kills what is left and removes the leaf,
 * after the container exited (vsl_run waits first, so OOM kills can still be read).
 * --systemd-cgroup: prepare only checks that systemd answers on D-Bus; parent_setup has systemd
 * start a scope unit holding the init (src/cgroup/systemd.c), and undo stops the unit.
 * exec joins the recorded cgroup and never removes it.
 */
#include "cgroup/cgroup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "stages/stage.h"

#define ALL_MAJ                                                                                    \
    {                                                                                              \
        .set = false                                                                               \
    }
#define N(x)                                                                                       \
    {                                                                                              \
        .set = true, .v = (x)                                                                      \
    }

/* runc's and docker's default allow list (runc appends it after the spec's rules). */
static const struct vsl_device_rule default_rules[] = {
    {.allow = true, .type = 'c', .major = ALL_MAJ, .minor = ALL_MAJ, .access = "m"},
    {.allow = true, .type = 'b', .major = ALL_MAJ, .minor = ALL_MAJ, .access = "m"},
    {.allow = true, .type = 'c', .major = N(1), .minor = N(3), .access = "rwm"},      /* null */
    {.allow = true, .type = 'c', .major = N(1), .minor = N(5), .access = "rwm"},      /* zero */
    {.allow = true, .type = 'c', .major = N(1), .minor = N(7), .access = "rwm"},      /* full */
    {.allow = true, .type = 'c', .major = N(1), .minor = N(8), .access = "rwm"},      /* random */
    {.allow = true, .type = 'c', .major = N(1), .minor = N(9), .access = "rwm"},      /* urandom */
    {.allow = true, .type = 'c', .major = N(5), .minor = N(0), .access = "rwm"},      /* tty */
    {.allow = true, .type = 'c', .major = N(5), .minor = N(1), .access = "rwm"},      /* console */
    {.allow = true, .type = 'c', .major = N(5), .minor = N(2), .access = "rwm"},      /* ptmx */
    {.allow = true, .type = 'c', .major = N(136), .minor = ALL_MAJ, .access = "rwm"}, /* pts */
};

const struct vsl_device_rule *
vsl_cgroup_default_device_rules(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(default_rules);
    return default_rules;
}

/* The rules the cgroup gets: the spec's, then the defaults and an allow rule for every
 * linux.devices node (runc's order, so the container can always use its own /dev). A spec
 * without rules leaves the devices controller alone. */
static int
device_rules(const struct vsl_spec *spec, struct vsl_device_rule **ret, size_t *ret_n)
{
    const struct vsl_resources *res = &spec->linux_.resources;
    size_t n = 0, max = res->n_devices + ARRAY_SIZE(default_rules) + spec->linux_.n_devices;
    struct vsl_device_rule *v;

    *ret = NULL;
    *ret_n = 0;
    if (!res->n_devices)
        return 0;
    if (!(v = calloc(max, sizeof(*v))))
        return -ENOMEM;
    for (size_t i = 0; i < res->n_devices; i++)
        v[n++] = res->devices[i];
    for (size_t i = 0; i < ARRAY_SIZE(default_rules); i++)
        v[n++] = default_rules[i];
    for (size_t i = 0; i < spec->linux_.n_devices; i++) {
        const struct vsl_device *d = &spec->linux_.devices[i];
        if (d->type == 'p')
            continue;
        v[n++] = (struct vsl_device_rule){.allow = true,
                                          .type = d->type == 'b' ? 'b' : 'c',
                                          .major = N(d->major),
                                          .minor = N(d->minor),
                                          .access = "rwm"};
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

static bool
is_not_writable(int r)
{
    return r == -EACCES || r == -EPERM || r == -EROFS;
}

static int
cg_create_for(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_spec *spec = ctx->spec;
    _cleanup_free_ char *path = NULL;
    _cleanup_free_ struct vsl_device_rule *rules = NULL;
    struct vsl_resources res = spec->linux_.resources;
    struct vsl_error cg_err = {0};
    int r;

    /* systemd makes the scope in parent_setup, around the init's pid */
    if (ctx->systemd_cgroup)
        return vsl_cgroup_systemd_new(spec->linux_.cgroups_path, ctx->id, &ctx->cgroup, err);
    r = vsl_cgroup_resolve_path(spec->linux_.cgroups_path, ctx->id,
                                vsl_spec_get_annotation(spec, VSL_ANN_CGROUP_PARENT),
                                ctx->systemd_cgroup, &path, err);
    if (r < 0)
        return r;
    if (device_rules(spec, &rules, &res.n_devices) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    res.devices = rules;
    r = vsl_cgroup_create(path, &res, &ctx->cgroup, &cg_err);
    /* rootless, no limits asked for: run without a cgroup of its own */
    if (r < 0 && is_not_writable(r) && !vsl_cgroup_wants_resources(&spec->linux_.resources))
        return 0;
    if (r < 0)
        *err = cg_err;
    return r;
}

static int
cg_prepare(struct vsl_ctx *ctx, struct vsl_error *err)
{
    int r;

    if (ctx->exec) {
        if (!ctx->cgroup_path)
            return 0;
        r = vsl_cgroup_open(ctx->cgroup_path, &ctx->cgroup, err);
    } else {
        r = cg_create_for(ctx, err);
    }
    if (r < 0 || !ctx->cgroup)
        return r;
    r = vsl_cgroup_clone_fd(ctx->cgroup, err);
    if (r >= 0)
        ctx->cgroup_fd = r;
    else if (r != -EOPNOTSUPP)
        return r;
    /* v1 joins are slow (ten hierarchies, each write waits for the kernel's threadgroup lock):
     * done alongside the init's own set-up unless it creates a cgroup namespace, whose root must
     * be its cgroup, or systemd moves it. */
    const struct vsl_namespace *cns = &ctx->spec->linux_.namespaces[VSL_NS_CGROUP];
    ctx->cgroup_late = ctx->cgroup_fd < 0 && !(ctx->systemd_cgroup && !ctx->exec) &&
                       (ctx->exec || !cns->present || cns->path);
    return 0;
}

/* --systemd-cgroup: systemd moves the init into a new scope (it needs the pid); then the scope
 * gets the resources like any leaf. */
static int
cg_systemd_start(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_spec *spec = ctx->spec;
    _cleanup_free_ struct vsl_device_rule *rules = NULL;
    struct vsl_resources res = spec->linux_.resources;

    /* Rootless (the user manager), the BPF device program cannot be loaded; as runc and crun,
     * the device rules are left out: the user namespace cannot make device nodes anyway. */
    if (geteuid() != 0)
        res.n_devices = 0;
    else if (device_rules(spec, &rules, &res.n_devices) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    res.devices = rules;
    return vsl_cgroup_systemd_start(ctx->cgroup, ctx->pid, ctx->id, &res, err);
}

/* v1 (no CLONE_INTO_CGROUP): the init joins every hierarchy before it runs a step of its own;
 * with --systemd-cgroup systemd moves it (both before PARENT_READY, so before the child unshares
 * its cgroup namespace). */
static int
cg_parent_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    if (!ctx->cgroup || ctx->vfork || ctx->cgroup_fd >= 0 || ctx->cgroup_late)
        return 0;
    if (ctx->systemd_cgroup && !ctx->exec)
        return cg_systemd_start(ctx, err);
    return vsl_cgroup_attach(ctx->cgroup, ctx->pid, err);
}

/* v1, no cgroup namespace: the init joins while it builds its root (it exec()s only after). */
static int
cg_parent_alongside(struct vsl_ctx *ctx, struct vsl_error *err)
{
    if (!ctx->cgroup || ctx->vfork || !ctx->cgroup_late)
        return 0;
    return vsl_cgroup_attach(ctx->cgroup, ctx->pid, err);
}

/* systemd moves the init into its scope by pid, while the init waits */
static bool
cg_needs_copy(const struct vsl_ctx *ctx)
{
    return ctx->cgroup && ctx->systemd_cgroup && !ctx->exec;
}

/* A vfork launch (vessel asleep until the init executes): the init joins its cgroup itself, v1 or
 * v2, as the first of its steps, so before it unshares its cgroup namespace. */
static int
cg_child_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    if (!ctx->vfork || !ctx->cgroup)
        return 0;
    return vsl_cgroup_attach(ctx->cgroup, 0, err);
}

static void
cg_undo(struct vsl_ctx *ctx)
{
    struct vsl_error ignored = {0};

    if (!ctx->cgroup)
        return;
    if (!ctx->exec)
        (void)vsl_cgroup_destroy(ctx->cgroup, &ignored);
    vsl_cgroup_free(ctx->cgroup);
    ctx->cgroup = NULL;
    ctx->cgroup_fd = -EBADF;
}

const struct vsl_stage vsl_stage_cgroup = {
    .name = "cgroup",
    .prepare = cg_prepare,
    .needs_copy = cg_needs_copy,
    .parent_setup = cg_parent_setup,
    .parent_alongside = cg_parent_alongside,
    .child_setup = cg_child_setup,
    .undo = cg_undo,
};
