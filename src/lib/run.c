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

#include "lib/cleanup.h"
#include "lib/container.h"
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

    if ((r = vsl_launch(ctx, err)) < 0)
        return r;
    if (ctx->pty_master >= 0)
        io_copy_winsize(ctx->pty_master);
    c->pid = ctx->pid;
    strcpy(c->status, "created");
    if ((r = vsl_container_save(c, ctx->spec, err)) < 0)
        return r;
    if ((r = vsl_launch_start(ctx, err)) < 0)
        return r;
    strcpy(c->status, "running");
    if ((r = vsl_container_save(c, ctx->spec, err)) < 0)
        return r;
    if ((r = io_wait(ctx, &status, err)) < 0)
        return r;
    ret->status = shell_status(status);
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

    if ((r = vsl_stages_validate(spec, err)) < 0)
        return r;
    const char *id = opts->id;
    if (!id) {
        vsl_container_new_id(idbuf);
        id = idbuf;
    }
    r = vsl_container_create(opts->state_root ? opts->state_root : VSL_DEFAULT_ROOT, id, &c, err);
    if (r < 0)
        return r;
    if (opts->bundle)
        c->bundle = realpath(opts->bundle, NULL);
    vsl_ctx_init(&ctx);
    ctx.spec = spec;
    ctx.id = c->id;
    ctx.state_dir = c->dir;
    ctx.attach_stdin = opts->attach_stdin;
    /* Signals wait in the mask from before clone, so none is lost; the child resets its mask. */
    if ((r = io_block_signals(&old, err)) < 0) {
        vsl_container_destroy(c);
        return r;
    }
    r = run_container(&ctx, c, &res, err);
    if (r < 0)
        vsl_launch_abort(&ctx);
    else
        vsl_launch_undo(&ctx);
    vsl_container_destroy(c);
    io_unblock_signals(&old);
    if (r < 0)
        return r;
    *ret = res;
    return 0;
}
