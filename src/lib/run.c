// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vsl_run: a container in the foreground. vessel stays the parent: it records the state, starts
 * the init, relays the terminal and signals, waits, then removes everything it made.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <vessel/vessel.h>

#include "cgroup/cgroup.h"
#include "lib/cleanup.h"
#include "lib/container.h"
#include "lib/create.h"
#include "lib/error.h"
#include "lib/io.h"
#include "lib/launch.h"
#include "stages/stage.h"

static int
shell_status(int status)
{
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

static int
run_container(struct vsl_ctx *ctx, struct vsl_container *c, struct vsl_run_result *ret,
              struct vsl_error *err)
{
    int r, status = 0;

    /* The path of create + start, without exec.fifo: vessel itself starts the init. */
    if ((r = vsl_create_launch(ctx, c, err)) < 0)
        return r;
    if (ctx->pty_master >= 0)
        io_copy_winsize(ctx->pty_master);
    if ((r = vsl_create_start(ctx, c, err)) < 0)
        return r;
    if ((r = vsl_launch_wait_exec(ctx, err)) < 0)
        return r;
    if ((r = io_wait(ctx, &status, err)) < 0)
        return r;
    ret->status = shell_status(status);
    /* the cgroup is still there (undo runs after): did the kernel kill the init for memory? */
    uint64_t ooms = 0;
    struct vsl_error ignored = {0};
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && ctx->cgroup &&
        vsl_cgroup_oom_kills(ctx->cgroup, &ooms, &ignored) == 0 && ooms > 0)
        ret->oom_killed = true;
    return 0;
}

int
vsl_run(const struct vsl_spec *spec, const struct vsl_run_opts *opts, struct vsl_run_result *ret,
        struct vsl_error *err)
{
    struct vsl_container *c = NULL;
    struct vsl_ctx ctx;
    char idbuf[13];
    sigset_t old;
    struct vsl_run_result res = {0};
    int r;

    const char *id = opts->id;
    if (!id) {
        vsl_container_new_id(idbuf);
        id = idbuf;
    }
    r = vsl_create_prepare(spec, opts->state_root, id, opts->bundle, false, &ctx, &c, err);
    if (r < 0)
        return r;
    ctx.attach_stdin = opts->attach_stdin;
    ctx.systemd_cgroup = opts->systemd_cgroup;
    ctx.no_pivot = opts->no_pivot;
    ctx.no_new_keyring = opts->no_new_keyring;
    /* Signals wait in the mask from before clone, so none is lost; the child resets its mask. */
    if ((r = io_block_signals(&old, err)) < 0) {
        vsl_launch_undo(&ctx);
        vsl_container_destroy(c);
        return r;
    }
    r = run_container(&ctx, c, &res, err);
    if (r < 0)
        vsl_launch_abort(&ctx);
    else
        vsl_launch_undo(&ctx);
    struct vsl_error warn = {0};
    (void)vsl_run_poststop(c, spec, &warn);
    vsl_container_destroy(c);
    io_unblock_signals(&old);
    if (r < 0)
        return r;
    *ret = res;
    return 0;
}
