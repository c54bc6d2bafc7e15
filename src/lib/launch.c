// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * clone3 and the parent/child dance (the message table is in sync.h). The child becomes the
 * container's init: it runs every stage's child_setup in table order, hands over the pty, reports
 * CHILD_READY and executes the user's process on START. Where the init never waits for vessel
 * (vfork_fits), it shares vessel's memory until then; elsewhere it is a copy-on-write child.
 */
#include "lib/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vessel/security.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/hooks.h"
#include "lib/log.h"
#include "lib/sync.h"
#include "lib/syscalls.h"
#include "stages/rootfs.h"
#include "stages/stage.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool
stage_on(const struct vsl_stage *s, const struct vsl_ctx *ctx)
{
    return !s->enabled || s->enabled(ctx);
}

static _Noreturn void
child_fail(struct vsl_ctx *ctx, struct vsl_error *err, int status)
{
    sync_send_error(ctx->sync_fd, err);
    _exit(status);
}

/* Every disposition back to the default (ignored signals would stay ignored in the user's
 * process), every signal unblocked. */
static void
reset_signals(void)
{
    sigset_t none;
    struct sigaction dfl = {.sa_handler = SIG_DFL};

    for (int s = 1; s < NSIG; s++)
        (void)sigaction(s, &dfl, NULL);
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
}

static const char *
env_path(const struct vsl_process *p)
{
    for (size_t i = 0; i < p->env.n; i++)
        if (strncmp(p->env.v[i], "PATH=", 5) == 0)
            return p->env.v[i] + 5;
    return DEFAULT_PATH;
}

/* Is this a file the process may execute? -errno otherwise (EACCES for directories, as execve). */
static int
check_exec(const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return -errno;
    if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0)
        return -EACCES;
    return 0;
}

/*
 * Find the command in the container's PATH (glibc's execvpe searches the caller's) before the
 * child reports CHILD_READY, so a missing command fails `create` and `run` at once, with the
 * message docker users know, rather than after start.
 */
static int
resolve_command(const struct vsl_process *p, char *buf, size_t len, struct vsl_error *err)
{
    const char *file = p->args.v[0];
    bool saw_eacces = false;
    int r;

    err->exec_failed = 1;
    if (strchr(file, '/')) {
        if ((r = check_exec(file)) < 0)
            return vsl_err_code(err, r, "exec '%s'", file);
        (void)vsl_concat(buf, len, file, (char *)NULL);
        err->exec_failed = 0;
        return 0;
    }
    for (const char *dir = env_path(p), *end; *dir; dir = *end ? end + 1 : end) {
        end = strchrnul(dir, ':');
        size_t d = end == dir ? 1 : (size_t)(end - dir);
        if (d + 1 >= len)
            continue;
        memcpy(buf, end == dir ? "." : dir, d);
        if (!vsl_concat(buf + d, len - d, "/", file, (char *)NULL))
            continue;
        r = check_exec(buf);
        if (r == 0) {
            err->exec_failed = 0;
            return 0;
        }
        if (r == -EACCES)
            saw_eacces = true;
    }
    if (saw_eacces)
        return vsl_err(err, EACCES, "exec '%s': Permission denied", file);
    return vsl_err(err, ENOENT, "exec '%s': executable file not found in $PATH", file);
}

static int
child_terminal(struct vsl_ctx *ctx, struct vsl_error *err)
{
    if (ctx->pty_master < 0 || ctx->pty_slave < 0)
        return vsl_err(err, ENOTTY, "process.terminal: no pty was allocated");
    int r = sync_send(ctx->sync_fd, SYNC_PTY, NULL, 0, ctx->pty_master, err);
    if (r < 0)
        return r;
    closep(&ctx->pty_master);
    if (setsid() < 0)
        return vsl_err_errno(err, "setsid");
    if (ioctl(ctx->pty_slave, TIOCSCTTY, 0) < 0)
        return vsl_err_errno(err, "make the pty the controlling terminal");
    for (int fd = 0; fd < 3; fd++)
        if (dup2(ctx->pty_slave, fd) < 0)
            return vsl_err_errno(err, "dup2 pty to fd %d", fd);
    if (ctx->pty_slave > 2)
        closep(&ctx->pty_slave);
    return 0;
}

static int
child_stdio(struct vsl_ctx *ctx, struct vsl_error *err)
{
    if (ctx->spec->process.terminal)
        return child_terminal(ctx, err);
    if (!ctx->attach_stdin) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return vsl_err_errno(err, "open '/dev/null'");
        if (dup2(fd, 0) < 0)
            return vsl_err_errno(err, "dup2 /dev/null to stdin");
        closep(&fd);
    }
    return 0;
}

/* Close every fd from `from` up, except those in keep (n of them, any order, < 0 ignored). */
static void
close_other_fds(unsigned from, const int *keep, size_t n)
{
    for (;;) {
        unsigned next = ~0U; /* the lowest kept fd at or above from */
        for (size_t i = 0; i < n; i++)
            if (keep[i] >= 0 && (unsigned)keep[i] >= from && (unsigned)keep[i] < next)
                next = (unsigned)keep[i];
        if (next == ~0U)
            break;
        if (next > from)
            (void)close_range(from, next - 1, 0);
        from = next + 1;
    }
    (void)close_range(from, ~0U, 0);
}

/* startContainer hooks: in the container, once started, before the user's process runs. */
static int
start_container_hooks(struct vsl_ctx *ctx, struct vsl_error *err)
{
    if (ctx->exec || !vsl_hooks_any(ctx->spec, VSL_HOOK_START_CONTAINER))
        return 0;
    return vsl_hooks_run(ctx->spec, VSL_HOOK_START_CONTAINER, ctx->state_json, err);
}

/*
 * The create/start split (runc's design): the init holds exec.fifo as an O_PATH fd opened in the
 * parent before clone; opening it for writing through /proc/self/fd blocks until `start` opens
 * the other end for reading. Then the startContainer hooks run, and only then the byte that tells
 * start the init is about to execute ("0"; "1" and the message when a hook failed): start runs
 * poststart after it, so the hooks' order holds.
 */
static int
child_wait_start(struct vsl_ctx *ctx, struct vsl_error *err)
{
    char path[64];
    int r;

    (void)prctl(PR_SET_NAME, "exec.fifo", 0, 0, 0);
    (void)snprintf(path, sizeof(path), "/proc/self/fd/%d", ctx->fifo_fd);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return vsl_err_errno(err, "open exec.fifo");
    if ((r = start_container_hooks(ctx, err)) < 0) {
        /* start is the one waiting now (create's vessel is gone): the error goes to it */
        char msg[sizeof(err->msg) + 1] = "1";
        (void)snprintf(msg + 1, sizeof(msg) - 1, "%s", err->msg);
        (void)!write(fd, msg, strlen(msg));
        return r;
    }
    if (write(fd, "0", 1) != 1)
        return vsl_err_errno(err, "write exec.fifo");
    closep(&ctx->fifo_fd);
    ctx->fifo_fd = -EBADF;
    return 0;
}

int
vsl_launch_before_pivot(struct vsl_ctx *ctx, struct vsl_error *err)
{
    char *state = malloc(SYNC_MAX_PAYLOAD + 1);
    int r;

    if (!state)
        return vsl_err(err, ENOMEM, "out of memory");
    if ((r = sync_send(ctx->sync_fd, SYNC_HOOKS, NULL, 0, -1, err)) < 0 ||
        (r = sync_expect(ctx->sync_fd, SYNC_HOOKS_DONE, state, SYNC_MAX_PAYLOAD, NULL, err)) < 0) {
        free(state);
        return r;
    }
    state[r] = '\0';
    ctx->state_json = state;
    if (vsl_hooks_any(ctx->spec, VSL_HOOK_CREATE_CONTAINER))
        return vsl_hooks_run(ctx->spec, VSL_HOOK_CREATE_CONTAINER, state, err);
    return 0;
}

/* A vfork launch of `create`: the trampoline waits for `start` on exec.fifo (dmz.c), after the
 * init has executed it, so vessel wakes while the container waits. */
static bool
dmz_waits(const struct vsl_ctx *ctx)
{
    return ctx->vfork && ctx->fifo_fd >= 0;
}

/*
 * The last step: execute the user's process, directly when this vessel runs from a sealed copy,
 * else through the sealed trampoline (selfclone.c), which takes the sync socket along to report
 * a failed execve as this would. Either way EOF on the socket tells the parent it happened.
 */
static _Noreturn void
exec_process(struct vsl_ctx *ctx, const char *path)
{
    const struct vsl_process *p = &ctx->spec->process;
    static char *const no_env[] = {NULL};
    char *const *env = p->env.v ? p->env.v : no_env;
    struct vsl_error err = {0};
    int dmz = ctx->exec ? -1 : vsl_dmz_fd(), r;

    if (dmz >= 0) {
        char fd[48], **argv = calloc(p->args.n + 3, sizeof(char *));
        bool fifo = dmz_waits(ctx);
        if (argv) {
            /* SYNC_FD, or SYNC_FD:FIFO_FD when the trampoline waits for start */
            char *at = vsl_utoa((unsigned)ctx->sync_fd, fd);
            if (fifo) {
                at += strlen(at);
                *at++ = ':';
                (void)vsl_utoa((unsigned)ctx->fifo_fd, at);
            }
            argv[0] = (char *)path;
            argv[1] = fd;
            memcpy(argv + 2, p->args.v, p->args.n * sizeof(char *));
            vsl_init_log(ctx->sync_fd, VSL_LOG_DEBUG,
                         "init: execute '%s' through the sealed trampoline%s", path,
                         fifo ? ", which waits for start" : "");
            (void)fcntl(ctx->sync_fd, F_SETFD, 0);
            if (fifo)
                (void)fcntl(ctx->fifo_fd, F_SETFD, 0);
            execveat(dmz, "", argv, env, AT_EMPTY_PATH);
            (void)fcntl(ctx->sync_fd, F_SETFD, FD_CLOEXEC);
        }
        r = vsl_err_errno(&err, "exec '%s' through vessel's sealed trampoline", path);
    } else {
        vsl_init_log(ctx->sync_fd, VSL_LOG_DEBUG, "init: execute '%s'", path);
        execve(path, p->args.v, (char **)env);
        r = vsl_err_errno(&err, "exec '%s'", path);
    }
    err.exec_failed = 1;
    child_fail(ctx, &err, r == -ENOENT ? 127 : 126);
}

static _Noreturn void
child_main(struct vsl_ctx *ctx)
{
    struct vsl_error err = {0};

    /* Die with the parent; check the socket before the first step: if the parent is already
     * gone the receive sees EOF. */
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* The flock on the state directory stays with the command that took it, not the init. */
    if (ctx->lock_fd >= 0)
        (void)close(ctx->lock_fd);
    /* Nobody but root with CAP_SYS_PTRACE opens /proc/PID/exe of a process that is not dumpable
     * (CVE-2019-5736), even once it has dropped capabilities to the container's. Inside a user
     * namespace this would also lock the init out of its own /proc/self, owned by the host's root
     * then; there its capabilities count in that namespace only, which shields it already. */
    if (!ctx->spec->linux_.namespaces[VSL_NS_USER].present)
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    reset_signals();
    if (sync_expect(ctx->sync_fd, SYNC_PARENT_READY, NULL, 0, NULL, &err) < 0)
        child_fail(ctx, &err, 125); /* best effort: after EOF nobody reads it */
    for (size_t i = 0; i < vsl_n_stages; i++) {
        const struct vsl_stage *s = vsl_stages[i];
        if (!s->child_setup || !stage_on(s, ctx))
            continue;
        (void)prctl(PR_SET_NAME, s->name, 0, 0, 0);
        vsl_init_log(ctx->sync_fd, VSL_LOG_DEBUG, "init: stage %s", s->name);
        if (s->child_setup(ctx, &err) < 0) {
            vsl_err_prefix(&err, "%s: ", s->name);
            child_fail(ctx, &err, 125);
        }
    }
    char path[PATH_MAX];
    int r = resolve_command(&ctx->spec->process, path, sizeof(path), &err);
    if (r < 0)
        child_fail(ctx, &err, r == -ENOENT ? 127 : 126);
    if (ctx->exec && ctx->spec->process.terminal &&
        vsl_dev_open_pty(-1, &ctx->pty_master, &ctx->pty_slave, &err) < 0)
        child_fail(ctx, &err, 125);
    if (child_stdio(ctx, &err) < 0)
        child_fail(ctx, &err, 125);
    /* Only stdio and --preserve-fds reach the process; the sync socket closes on exec. The
     * caller's other fds are closed now: an init waiting for `start` must not hold the pipes
     * of whoever ran `create` (their reader would wait for EOF). */
    int keep[] = {ctx->sync_fd, ctx->fifo_fd, ctx->exec ? -1 : vsl_dmz_fd()};
    close_other_fds(3 + ctx->preserve_fds, keep, ARRAY_SIZE(keep));
    /* create and exec -d: the caller exits, the process stays with its subreaper. */
    if (ctx->detach)
        (void)prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    if (sync_send(ctx->sync_fd, SYNC_CHILD_READY, NULL, 0, -1, &err) < 0 ||
        sync_expect(ctx->sync_fd, SYNC_START, NULL, 0, NULL, &err) < 0)
        child_fail(ctx, &err, 125);
    if ((ctx->fifo_fd >= 0 && !dmz_waits(ctx) ? child_wait_start(ctx, &err)
                                              : start_container_hooks(ctx, &err)) < 0)
        child_fail(ctx, &err, 125);
    exec_process(ctx, path);
}

void
vsl_describe_status(int status, char *buf, size_t len)
{
    if (WIFSIGNALED(status))
        (void)snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
                       strsignal(WTERMSIG(status)));
    else
        (void)snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
}

/* A child that died instead of answering: say how. */
static int
child_died(struct vsl_ctx *ctx, struct vsl_error *err)
{
    int status;
    char how[96];

    if (err->code != -EPIPE || ctx->pid <= 0)
        return err->code;
    if (waitpid(ctx->pid, &status, 0) != ctx->pid)
        return err->code;
    ctx->pid = 0;
    vsl_describe_status(status, how, sizeof(how));
    return vsl_err(err, EPIPE, "the container's init %s during setup", how);
}

/* HOOKS: the child's mounts are done; prestart and createRuntime run here, in the runtime's
 * namespaces, and the state goes back for createContainer and startContainer. */
static int
parent_hooks(struct vsl_ctx *ctx, struct vsl_error *err)
{
    _cleanup_free_ char *state = NULL;
    int r;

    if ((r = sync_expect(ctx->sync_fd, SYNC_HOOKS, NULL, 0, NULL, err)) < 0)
        return child_died(ctx, err);
    if (ctx->on_hooks && (r = ctx->on_hooks(ctx, &state, err)) < 0)
        return r;
    const char *s = state ? state : "{}";
    return sync_send(ctx->sync_fd, SYNC_HOOKS_DONE, s, strlen(s), -1, err);
}

/* One parent hook (parent_setup or parent_alongside) of every stage that has it, in order. */
static int
parent_hook_all(struct vsl_ctx *ctx, bool alongside, struct vsl_error *err)
{
    for (size_t i = 0; i < vsl_n_stages; i++) {
        const struct vsl_stage *s = vsl_stages[i];
        int (*hook)(struct vsl_ctx *, struct vsl_error *) =
            alongside ? s->parent_alongside : s->parent_setup;
        if (!hook || !stage_on(s, ctx))
            continue;
        vsl_debug("stage %s: set up the init from outside%s", s->name,
                  alongside ? ", alongside it" : "");
        int r = hook(ctx, err);
        if (r < 0) {
            vsl_err_prefix(err, "%s: ", s->name);
            return r;
        }
    }
    return 0;
}

static int
parent_steps(struct vsl_ctx *ctx, struct vsl_error *err)
{
    int r;

    /* a vfork launch queued PARENT_READY (and START) before clone */
    if ((r = parent_hook_all(ctx, false, err)) < 0 ||
        (!ctx->vfork && (r = sync_send(ctx->sync_fd, SYNC_PARENT_READY, NULL, 0, -1, err)) < 0) ||
        (r = parent_hook_all(ctx, true, err)) < 0)
        return r;
    if (ctx->hooks && (r = parent_hooks(ctx, err)) < 0)
        return r;
    if (ctx->start_early && (r = vsl_launch_send_start(ctx, err)) < 0)
        return r;
    if (ctx->spec->process.terminal) {
        r = sync_expect(ctx->sync_fd, SYNC_PTY, NULL, 0, &ctx->pty_master, err);
        if (r < 0)
            return child_died(ctx, err);
    }
    if ((r = sync_expect(ctx->sync_fd, SYNC_CHILD_READY, NULL, 0, NULL, err)) < 0)
        return child_died(ctx, err);
    return 0;
}

/*
 * A vfork launch: the init shares vessel's memory until it executes (CLONE_VM | CLONE_VFORK), so
 * no page table is copied, no page is made copy-on-write and neither side faults on one; vessel
 * sleeps until the init has executed the trampoline or the user's process, or died. This fits
 * every launch in which the init never waits for vessel: START can be queued before clone and no
 * stage needs a copy (stage.h). That is a `run` without terminal or hooks, and a `create` without
 * them whose init executes through the trampoline, which then waits for `start` itself (without
 * startContainer hooks, which run in the init between the two).
 */
static bool
vfork_fits(const struct vsl_ctx *ctx, unsigned long flags)
{
    const struct vsl_spec *spec = ctx->spec;

    /* clone(2) takes 32 flag bits and the exit signal in the lowest byte */
    if (ctx->exec || ctx->hooks || spec->process.terminal || (flags & (CSIGNAL | ~0xffffffffUL)))
        return false;
    if (!ctx->start_early &&
        (ctx->fifo_fd < 0 || vsl_dmz_fd() < 0 || vsl_hooks_any(spec, VSL_HOOK_START_CONTAINER)))
        return false;
    for (size_t i = 0; i < vsl_n_stages; i++) {
        const struct vsl_stage *s = vsl_stages[i];
        if (s->needs_copy && stage_on(s, ctx) && s->needs_copy(ctx))
            return false;
    }
    return true;
}

struct vfork_arg {
    struct vsl_ctx *ctx;
    int sv[2];
};

/* The init of a vfork launch. It works on its own copy of ctx, so what its steps record there
 * (the pty's fds, fds closed) stays out of vessel's. */
static int
vfork_child(void *p)
{
    const struct vfork_arg *a = p;
    struct vsl_ctx ctx = *a->ctx;

    (void)close(a->sv[0]);
    ctx.sync_fd = a->sv[1];
    child_main(&ctx);
}

/* The init runs on vessel's stack below this frame, which nothing uses while vessel sleeps in
 * clone: 16 KiB down leaves clone's own frame alone. The init makes the memory it shares not
 * dumpable (CVE-2019-5736); vessel's own flag comes back after. -1 and errno on failure. */
static __attribute__((noinline)) pid_t
clone_vfork(unsigned long *flags, struct vfork_arg *a, int *pidfd)
{
    char here;
    uintptr_t top = ((uintptr_t)&here - 16384) & ~(uintptr_t)63;
    int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);

    *flags |= CLONE_VM | CLONE_VFORK | CLONE_PIDFD;
    pid_t pid = clone(vfork_child, (void *)top, (int)(*flags | SIGCHLD), a, pidfd);
    int e = errno;
    if (dumpable == 1)
        (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    errno = e;
    return pid;
}

/* clone3 of a copy-on-write init, which runs child_main; -1 and errno on failure. */
static pid_t
clone_copy(struct vsl_ctx *ctx, unsigned long *flags, const int sv[2], int *pidfd)
{
    struct clone_args args = {
        .flags = *flags | CLONE_PIDFD,
        .pidfd = (uint64_t)(uintptr_t)pidfd,
        .exit_signal = SIGCHLD,
    };
    /* cgroup v2: the init is born in its cgroup, so nothing of it ever runs outside. */
    if (ctx->cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)ctx->cgroup_fd;
    }
    *flags = args.flags;
    pid_t pid = (pid_t)sys_clone3(&args);
    if (pid == 0) {
        (void)close(sv[0]);
        ctx->sync_fd = sv[1];
        child_main(ctx);
    }
    return pid;
}

int
vsl_launch(struct vsl_ctx *ctx, struct vsl_error *err)
{
    unsigned long flags = 0;
    int sv[2], pidfd = -EBADF, r;

    for (size_t i = 0; i < vsl_n_stages; i++) {
        const struct vsl_stage *s = vsl_stages[i];
        if (!stage_on(s, ctx))
            continue;
        if (s->prepare)
            vsl_debug("stage %s: prepare", s->name);
        if (s->prepare && (r = s->prepare(ctx, err)) < 0) {
            vsl_err_prefix(err, "%s: ", s->name);
            return r;
        }
        if (s->clone_flags)
            flags |= s->clone_flags(ctx);
    }
    ctx->vfork = vfork_fits(ctx, flags);
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return vsl_err_errno(err, "socketpair");
    pid_t pid;
    if (ctx->vfork) {
        struct vfork_arg a = {.ctx = ctx, .sv = {sv[0], sv[1]}};
        /* what the init would wait for is there before it starts */
        if ((r = sync_send(sv[0], SYNC_PARENT_READY, NULL, 0, -1, err)) < 0 ||
            (r = sync_send(sv[0], SYNC_START, NULL, 0, -1, err)) < 0)
            goto fail;
        ctx->start_sent = true;
        pid = clone_vfork(&flags, &a, &pidfd);
    } else {
        pid = clone_copy(ctx, &flags, sv, &pidfd);
    }
    if (pid < 0) {
        r = vsl_err_errno(err, ctx->vfork ? "clone" : "clone3");
        goto fail;
    }
    (void)close(sv[1]);
    ctx->sync_fd = sv[0];
    ctx->pid = pid;
    ctx->pidfd = pidfd;
    vsl_debug("init: host pid %d, clone flags %#lx%s", (int)pid, flags,
              ctx->vfork ? ", vfork launch: its set-up is over" : "");
    return parent_steps(ctx, err);
fail:
    (void)close(sv[0]);
    (void)close(sv[1]);
    return r;
}

int
vsl_launch_send_start(struct vsl_ctx *ctx, struct vsl_error *err)
{
    if (ctx->start_sent)
        return 0;
    int r = sync_send(ctx->sync_fd, SYNC_START, NULL, 0, -1, err);
    ctx->start_sent = r >= 0;
    return r;
}

int
vsl_launch_start(struct vsl_ctx *ctx, struct vsl_error *err)
{
    int r = vsl_launch_send_start(ctx, err);
    if (r < 0)
        return r;
    return vsl_launch_wait_exec(ctx, err);
}

int
vsl_launch_wait_exec(struct vsl_ctx *ctx, struct vsl_error *err)
{
    int r;
    struct vsl_error got = {0};
    if (ctx->sync_fd < 0)
        return 0; /* waited for already */
    r = sync_expect(ctx->sync_fd, SYNC_START, NULL, 0, NULL, &got);
    closep(&ctx->sync_fd);
    ctx->sync_fd = -EBADF;
    if (r == -EPIPE)
        return 0; /* EOF after START: the user's process runs */
    *err = got;
    return r < 0 ? r : vsl_err(err, EPROTO, "sync: unexpected message after START");
}

/* The parent's fds of one launch; the container itself is left alone. */
static void
close_launch_fds(struct vsl_ctx *ctx)
{
    closep(&ctx->fifo_fd);
    ctx->fifo_fd = -EBADF;
    closep(&ctx->sync_fd);
    ctx->sync_fd = -EBADF;
    closep(&ctx->pty_master);
    ctx->pty_master = -EBADF;
    closep(&ctx->pidfd);
    ctx->pidfd = -EBADF;
}

void
vsl_launch_release(struct vsl_ctx *ctx)
{
    close_launch_fds(ctx);
}

void
vsl_launch_undo(struct vsl_ctx *ctx)
{
    /* Stages left out of this launch undo nothing: exec must not tear down the container. */
    for (size_t i = vsl_n_stages; i-- > 0;)
        if (vsl_stages[i]->undo && stage_on(vsl_stages[i], ctx)) {
            vsl_debug("stage %s: undo", vsl_stages[i]->name);
            vsl_stages[i]->undo(ctx);
        }
    close_launch_fds(ctx);
}

void
vsl_launch_abort(struct vsl_ctx *ctx)
{
    killpidp(&ctx->pid);
    ctx->pid = 0;
    vsl_launch_undo(ctx);
}
