// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * create and start (runtime.md "Lifecycle"): create makes the state directory, launches the init
 * up to CHILD_READY — prestart/createRuntime hooks run on the way, before pivot_root — records
 * it, hands the pty to --console-socket, writes --pid-file and sends START, after which the init
 * waits in exec.fifo. start opens the fifo, which lets the init execute the user's process.
 */
#include "lib/create.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vessel/vessel.h>

#include "cgroup/cgroup.h"
#include "lib/cleanup.h"
#include "lib/console.h"
#include "lib/container.h"
#include "lib/error.h"
#include "lib/hooks.h"
#include "lib/launch.h"
#include "stages/stage.h"

/* The state's config.json: the bundle's own text when the spec is still what it says (a
 * serialization costs as much as the parse, jansson's tree built and dumped), else the spec
 * serialized. */
static int
save_config(struct vsl_container *c, const struct vsl_spec *spec, struct vsl_error *err)
{
    _cleanup_free_ char *json = NULL;
    const char *text = spec->source;

    if (!text) {
        int r = vsl_spec_to_json(spec, &json, err);
        if (r < 0)
            return r;
        text = json;
    }
    _cleanup_close_ int fd =
        openat(c->dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return vsl_err_errno(err, "write '%s/config.json'", c->dir);
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len)
        return vsl_err_errno(err, "write '%s/config.json'", c->dir);
    return 0;
}

static bool
has_create_hooks(const struct vsl_spec *spec)
{
    return vsl_hooks_any(spec, VSL_HOOK_PRESTART) || vsl_hooks_any(spec, VSL_HOOK_CREATE_RUNTIME) ||
           vsl_hooks_any(spec, VSL_HOOK_CREATE_CONTAINER) ||
           vsl_hooks_any(spec, VSL_HOOK_START_CONTAINER);
}

/* Parent, on HOOKS: the init exists, its mounts are done, pivot_root is next. */
static int
on_hooks(struct vsl_ctx *ctx, char **ret_state_json, struct vsl_error *err)
{
    struct vsl_container *c = ctx->owner;
    _cleanup_free_ char *state = NULL;
    int r;

    c->pid = ctx->pid;
    strcpy(c->status, "creating");
    if ((r = vsl_container_save(c, ctx->spec, err)) < 0)
        return r;
    if (vsl_container_state_text(c, ctx->spec, false, &state) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    /* prestart is deprecated but still runs, before createRuntime (config.md). */
    if ((r = vsl_hooks_run(ctx->spec, VSL_HOOK_PRESTART, state, err)) < 0 ||
        (r = vsl_hooks_run(ctx->spec, VSL_HOOK_CREATE_RUNTIME, state, err)) < 0)
        return r;
    *ret_state_json = TAKE_PTR(state);
    return 0;
}

int
vsl_create_prepare(const struct vsl_spec *spec, const char *root, const char *id,
                   const char *bundle, bool fifo, struct vsl_ctx *ctx, struct vsl_container **ret_c,
                   struct vsl_error *err)
{
    struct vsl_container *c = NULL;
    int r;

    vsl_ctx_init(ctx);
    if ((r = vsl_stages_validate(spec, err)) < 0)
        return r;
    if ((r = vsl_container_create(root ? root : VSL_DEFAULT_ROOT, id, &c, err)) < 0)
        return r;
    if (bundle && !(c->bundle = realpath(bundle, NULL))) {
        r = vsl_err_errno(err, "bundle '%s'", bundle);
        goto fail;
    }
    if ((r = vsl_container_save(c, spec, err)) < 0 || (r = save_config(c, spec, err)) < 0)
        goto fail;
    if (fifo && (r = vsl_fifo_make(c, &ctx->fifo_fd, err)) < 0)
        goto fail;
    ctx->spec = spec;
    ctx->id = c->id;
    ctx->state_dir = c->dir;
    ctx->attach_stdin = true;
    ctx->hooks = has_create_hooks(spec);
    ctx->start_early = !fifo && !ctx->hooks && !(spec->has_process && spec->process.terminal);
    ctx->on_hooks = on_hooks;
    ctx->owner = c;
    ctx->lock_fd = c->dirfd;
    *ret_c = c;
    return 0;
fail:
    closep(&ctx->fifo_fd);
    vsl_container_destroy(c);
    return r;
}

int
vsl_create_launch(struct vsl_ctx *ctx, struct vsl_container *c, struct vsl_error *err)
{
    int r;

    if ((r = vsl_launch(ctx, err)) < 0)
        return r;
    c->pid = ctx->pid;
    c->start_time = vsl_proc_start_time(ctx->pid);
    if (ctx->cgroup) {
        free(c->cgroup_path);
        c->cgroup_path = strdup(vsl_cgroup_path(ctx->cgroup));
    }
    /* run: "running" is recorded once the process executed, in a moment */
    if (ctx->fifo_fd < 0)
        return 0;
    strcpy(c->status, "created");
    return vsl_container_save(c, ctx->spec, err);
}

static int
run_poststart(struct vsl_container *c, const struct vsl_spec *spec, struct vsl_error *err)
{
    _cleanup_free_ char *state = NULL;

    if (!vsl_hooks_any(spec, VSL_HOOK_POSTSTART))
        return 0;
    if (vsl_container_state_text(c, spec, false, &state) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    /* A failing poststart hook is a warning; the container keeps running (config.md). */
    return vsl_hooks_run(spec, VSL_HOOK_POSTSTART, state, err) < 0 ? 1 : 0;
}

int
vsl_run_poststop(struct vsl_container *c, const struct vsl_spec *spec, struct vsl_error *err)
{
    _cleanup_free_ char *state = NULL;

    if (!spec || !vsl_hooks_any(spec, VSL_HOOK_POSTSTOP))
        return 0;
    strcpy(c->status, "stopped");
    if (vsl_container_state_text(c, spec, false, &state) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    return vsl_hooks_run(spec, VSL_HOOK_POSTSTOP, state, err) < 0 ? 1 : 0;
}

int
vsl_create_start(struct vsl_ctx *ctx, struct vsl_container *c, struct vsl_error *err)
{
    int r;

    if ((r = vsl_launch_send_start(ctx, err)) < 0)
        return r;
    if (ctx->fifo_fd < 0) {
        /* run: no exec.fifo, START alone lets the init go on; running once it executed */
        if ((r = vsl_launch_wait_exec(ctx, err)) < 0)
            return r;
    } else if ((r = vsl_fifo_start(c, ctx->pidfd, err)) < 0) {
        /* The init's own error, when it sent one, says more. */
        struct vsl_error got = {0};
        if (vsl_launch_wait_exec(ctx, &got) < 0)
            *err = got;
        return r;
    }
    strcpy(c->status, "running");
    if ((r = vsl_container_save(c, ctx->spec, err)) < 0)
        return r;
    return run_poststart(c, ctx->spec, err);
}

static int
check_console(const struct vsl_spec *spec, const char *console_socket, struct vsl_error *err)
{
    if (spec->process.terminal && !console_socket)
        return vsl_err(err, EINVAL,
                       "process.terminal is set: --console-socket is needed when "
                       "vessel does not stay attached");
    if (!spec->process.terminal && console_socket)
        return vsl_err(err, EINVAL, "--console-socket needs process.terminal set in config.json");
    return 0;
}

/* Everything create does up to START; the caller decides whether to wait for start. */
static int
create_common(const struct vsl_spec *spec, const struct vsl_create_opts *o, bool fifo,
              struct vsl_ctx *ctx, struct vsl_container **ret_c, struct vsl_error *err)
{
    struct vsl_container *c = NULL;
    int r;

    if (!o->id)
        return vsl_err(err, EINVAL, "a container id is needed");
    if ((r = check_console(spec, o->console_socket, err)) < 0)
        return r;
    r = vsl_create_prepare(spec, o->state_root, o->id, o->bundle, fifo, ctx, &c, err);
    if (r < 0)
        return r;
    ctx->detach = true;
    ctx->preserve_fds = o->preserve_fds;
    ctx->systemd_cgroup = o->systemd_cgroup;
    ctx->no_pivot = o->no_pivot;
    ctx->no_new_keyring = o->no_new_keyring;
    if ((r = vsl_create_launch(ctx, c, err)) < 0)
        goto fail;
    if (ctx->pty_master >= 0) {
        if ((r = vsl_console_send(o->console_socket, ctx->pty_master, err)) < 0)
            goto fail;
        closep(&ctx->pty_master);
        ctx->pty_master = -EBADF;
    }
    if (o->pid_file && (r = vsl_write_pid_file(o->pid_file, ctx->pid, err)) < 0)
        goto fail;
    *ret_c = c;
    return 0;
fail:
    vsl_launch_abort(ctx);
    vsl_container_destroy(c);
    return r;
}

int
vsl_create(const struct vsl_spec *spec, const struct vsl_create_opts *opts, struct vsl_error *err)
{
    struct vsl_container *c = NULL;
    struct vsl_ctx ctx;
    int r = create_common(spec, opts, true, &ctx, &c, err);

    if (r < 0)
        return r;
    /* After START the init opens exec.fifo and blocks there until `start`. */
    r = vsl_launch_send_start(&ctx, err);
    if (r < 0) {
        vsl_launch_abort(&ctx);
        vsl_container_destroy(c);
        return r;
    }
    vsl_launch_release(&ctx);
    vsl_container_free(c);
    return 0;
}

int
vsl_run_detached(const struct vsl_spec *spec, const struct vsl_create_opts *opts,
                 struct vsl_error *err)
{
    struct vsl_container *c = NULL;
    struct vsl_ctx ctx;
    int r = create_common(spec, opts, false, &ctx, &c, err);

    if (r < 0)
        return r;
    r = vsl_create_start(&ctx, c, err);
    if (r < 0) {
        vsl_launch_abort(&ctx);
        vsl_container_destroy(c);
        return r;
    }
    vsl_launch_release(&ctx);
    vsl_container_free(c);
    return r;
}

int
vsl_start(const char *state_root, const char *id, struct vsl_error *err)
{
    struct vsl_container *c = NULL;
    struct vsl_spec *spec = NULL;
    _cleanup_close_ int pidfd = -EBADF;
    _cleanup_free_ char *config = NULL;
    int r;

    r = vsl_container_open(state_root ? state_root : VSL_DEFAULT_ROOT, id, true, &c, err);
    if (r < 0)
        return r;
    const char *status = vsl_container_refresh(c);
    if (strcmp(status, "created") != 0) {
        r = vsl_err(err, EINVAL, "container '%s' is %s: only a created container can be started",
                    id, status);
        goto out;
    }
    pidfd = vsl_container_pidfd(c, err);
    if (pidfd < 0) {
        r = pidfd;
        goto out;
    }
    if ((r = vsl_fifo_start(c, pidfd, err)) < 0)
        goto out;
    strcpy(c->status, "running");
    if ((r = vsl_container_save(c, NULL, err)) < 0)
        goto out;
    if (asprintf(&config, "%s/config.json", c->dir) >= 0 && vsl_spec_load(config, &spec, err) >= 0)
        r = run_poststart(c, spec, err);
out:
    if (spec)
        vsl_spec_free(spec);
    vsl_container_free(c);
    return r;
}
