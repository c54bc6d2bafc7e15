// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exec: a new process in a running container. The spec is the container's own (saved at create)
 * with process replaced and every namespace it has turned into a join by path
 * (/proc/<init>/ns/NAME): the namespaces stage then joins them — the pid namespace through the
 * parent's pid_for_children before clone3, so the process is born inside it — and the stages
 * that only build a container (rootfs, uts, sysctl, id maps, cgroup creation) leave themselves
 * out for ctx->exec. The cgroup stage joins the recorded cgroup; process, rlimits, seccomp and
 * Landlock apply the new process's settings.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <vessel/vessel.h>

#include "lib/cleanup.h"
#include "lib/console.h"
#include "lib/container.h"
#include "lib/error.h"
#include "lib/io.h"
#include "lib/launch.h"
#include "stages/stage.h"

static const char *const proc_ns_name[VSL_NS__COUNT] = {
    [VSL_NS_PID] = "pid",       [VSL_NS_NET] = "net",   [VSL_NS_MOUNT] = "mnt",
    [VSL_NS_IPC] = "ipc",       [VSL_NS_UTS] = "uts",   [VSL_NS_USER] = "user",
    [VSL_NS_CGROUP] = "cgroup", [VSL_NS_TIME] = "time",
};

int
vsl_exec_spec(const char *state_root, const char *id, const char *process_json,
              struct vsl_spec **ret_spec, struct vsl_error *err)
{
    _cleanup_free_ char *path = NULL, *text = NULL;
    json_error_t je;
    int r;

    if (!vsl_container_id_is_valid(id))
        return vsl_err(err, EINVAL, "container id '%s' is not valid", id);
    if (asprintf(&path, "%s/%s/config.json", state_root ? state_root : VSL_DEFAULT_ROOT, id) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    json_t *cfg = json_load_file(path, 0, &je);
    if (!cfg)
        return access(path, F_OK) < 0 ? vsl_err(err, ENOENT, "container '%s' does not exist", id)
                                      : vsl_err(err, EINVAL, "'%s': %s", path, je.text);
    if (process_json) {
        json_t *p = json_loads(process_json, 0, &je);
        if (!p || !json_is_object(p)) {
            json_decref(cfg);
            json_decref(p);
            return vsl_err(err, EINVAL, "process.json: line %d: %s", je.line,
                           p ? "not an object" : je.text);
        }
        (void)json_object_set_new(cfg, "process", p);
    }
    text = json_dumps(cfg, JSON_COMPACT);
    json_decref(cfg);
    if (!text)
        return vsl_err(err, ENOMEM, "out of memory");
    r = vsl_spec_parse(text, strlen(text), process_json ? "process.json" : "config.json", ret_spec,
                       err);
    return r;
}

/* Every namespace the container has becomes "join /proc/<init>/ns/<name>"; nothing is created. */
static int
join_namespaces(struct vsl_spec *spec, pid_t pid, struct vsl_error *err)
{
    struct vsl_linux *l = &spec->linux_;

    for (int k = 0; k < VSL_NS__COUNT; k++) {
        if (!l->namespaces[k].present)
            continue;
        free(l->namespaces[k].path);
        if (asprintf(&l->namespaces[k].path, "/proc/%d/ns/%s", pid, proc_ns_name[k]) < 0) {
            l->namespaces[k].path = NULL;
            return vsl_err(err, ENOMEM, "out of memory");
        }
    }
    /* What only a new namespace takes: already applied to the container's. */
    l->n_uid_mappings = l->n_gid_mappings = 0;
    l->time_boottime.set = l->time_monotonic.set = false;
    return 0;
}

static int
shell_status(int status)
{
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int
exec_launch(struct vsl_ctx *ctx, const struct vsl_exec_opts *o, struct vsl_run_result *ret,
            struct vsl_error *err)
{
    int r, status = 0;

    if ((r = vsl_launch(ctx, err)) < 0)
        return r;
    if (ctx->pty_master >= 0 && o->console_socket) {
        if ((r = vsl_console_send(o->console_socket, ctx->pty_master, err)) < 0)
            return r;
        closep(&ctx->pty_master);
        ctx->pty_master = -EBADF;
    } else if (ctx->pty_master >= 0) {
        io_copy_winsize(ctx->pty_master);
    }
    if ((r = vsl_launch_start(ctx, err)) < 0)
        return r;
    if (o->pid_file && (r = vsl_write_pid_file(o->pid_file, ctx->pid, err)) < 0)
        return r;
    if (o->detach) {
        ctx->pid = 0; /* the caller's subreaper reaps it */
        return 0;
    }
    if ((r = io_wait(ctx, &status, err)) < 0)
        return r;
    ret->status = shell_status(status);
    return 0;
}

/* exec --cgroup PATH: PATH below the container's cgroup ("/" or "" is the cgroup itself). */
static int
sub_cgroup(const char *top, const char *arg, char **ret, struct vsl_error *err)
{
    const char *p = arg;

    if (strchr(arg, ':'))
        return vsl_err(err, EINVAL,
                       "exec --cgroup '%s': per-controller paths (CONTROLLERS:PATH) are not "
                       "supported; give one PATH below the container's cgroup",
                       arg);
    while (*p == '/')
        p++;
    if (!top)
        return vsl_err(err, EINVAL, "exec --cgroup: the container has no cgroup");
    if (strcmp(p, "..") == 0 || strncmp(p, "../", 3) == 0 || strstr(p, "/../") ||
        (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0))
        return vsl_err(err, EINVAL, "exec --cgroup '%s': must stay below the container's cgroup",
                       arg);
    if (*p == '\0')
        return 0;
    if (asprintf(ret, "%s/%s", top, p) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    return 0;
}

int
vsl_exec(const char *state_root, const char *id, struct vsl_spec *spec,
         const struct vsl_exec_opts *o, struct vsl_run_result *ret, struct vsl_error *err)
{
    struct vsl_container *c = NULL;
    struct vsl_run_result res = {0};
    struct vsl_ctx ctx;
    sigset_t old;
    int r;

    if (spec->process.terminal && o->detach && !o->console_socket)
        return vsl_err(err, EINVAL,
                       "exec -t -d: --console-socket is needed when vessel does not "
                       "stay attached");
    if (!spec->process.terminal && o->console_socket)
        return vsl_err(err, EINVAL, "--console-socket needs a terminal (-t)");
    r = vsl_container_open(state_root ? state_root : VSL_DEFAULT_ROOT, id, false, &c, err);
    if (r < 0)
        return r;
    const char *status = vsl_container_refresh(c);
    if (strcmp(status, "running") != 0 && strcmp(status, "created") != 0 &&
        !(o->ignore_paused && strcmp(status, "paused") == 0)) {
        r = vsl_err(err, EINVAL, "cannot exec in a %s container '%s'%s", status, id,
                    strcmp(status, "paused") == 0 ? " (resume it, or exec --ignore-paused)" : "");
        vsl_container_free(c);
        return r;
    }
    if ((r = join_namespaces(spec, c->pid, err)) < 0 || (r = vsl_stages_validate(spec, err)) < 0) {
        vsl_container_free(c);
        return r;
    }
    vsl_ctx_init(&ctx);
    ctx.spec = spec;
    ctx.id = c->id;
    ctx.state_dir = c->dir;
    ctx.exec = true;
    ctx.target_pid = c->pid;
    ctx.cgroup_path = c->cgroup_path;
    _cleanup_free_ char *sub = NULL;
    if (o->cgroup && (r = sub_cgroup(c->cgroup_path, o->cgroup, &sub, err)) < 0) {
        vsl_container_free(c);
        return r;
    }
    if (sub)
        ctx.cgroup_path = sub;
    ctx.attach_stdin = true;
    ctx.detach = o->detach;
    ctx.preserve_fds = o->preserve_fds;
    if ((r = io_block_signals(&old, err)) < 0) {
        vsl_container_free(c);
        return r;
    }
    r = exec_launch(&ctx, o, &res, err);
    if (r < 0)
        vsl_launch_abort(&ctx);
    else
        vsl_launch_undo(&ctx);
    io_unblock_signals(&old);
    vsl_container_free(c);
    if (r < 0)
        return r;
    *ret = res;
    return 0;
}
