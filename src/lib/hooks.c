// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * OCI hooks: fork, feed the state JSON on stdin (a socket, so a hook that does not read it can
 * never block or SIGPIPE vessel), wait through a pidfd with the hook's timeout, report how it
 * ended. Where each kind runs (runtime or container namespace) is the caller's business.
 */
#include "lib/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/launch.h"

const char *
vsl_hook_kind_name(enum vsl_hook_kind kind)
{
    static const char *const names[] = {
        [VSL_HOOK_PRESTART] = "prestart",
        [VSL_HOOK_CREATE_RUNTIME] = "createRuntime",
        [VSL_HOOK_CREATE_CONTAINER] = "createContainer",
        [VSL_HOOK_START_CONTAINER] = "startContainer",
        [VSL_HOOK_POSTSTART] = "poststart",
        [VSL_HOOK_POSTSTOP] = "poststop",
    };
    return (size_t)kind < ARRAY_SIZE(names) ? names[kind] : "unknown";
}

bool
vsl_hooks_any(const struct vsl_spec *spec, enum vsl_hook_kind kind)
{
    return spec->hooks.n[kind] > 0;
}

static _Noreturn void
hook_child(const struct vsl_hook *h, int in)
{
    static char *const no_env[] = {NULL};
    char *argv0[] = {h->path, NULL};

    if (dup2(in, 0) < 0)
        _exit(127);
    /* A hook's stdout must not end up in the container's log or a caller's pipe. */
    (void)dup2(2, 1);
    (void)close_range(3, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
    execve(h->path, h->args.n ? h->args.v : argv0, h->env.n ? h->env.v : no_env);
    _exit(127);
}

static int
wait_hook(pid_t pid, int pidfd, int timeout_s, int *ret_status)
{
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int n;

    do
        n = poll(&p, 1, timeout_s > 0 ? timeout_s * 1000 : -1);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        (void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
    while (waitpid(pid, ret_status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return n == 0 ? -ETIMEDOUT : 0;
}

static int
run_one(const struct vsl_hook *h, enum vsl_hook_kind kind, size_t i, const char *state,
        struct vsl_error *err)
{
    int sv[2], status = 0, pidfd = -EBADF;
    char how[96];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return vsl_err_errno(err, "socketpair");
    pid_t pid = fork();
    if (pid < 0) {
        (void)close(sv[0]);
        (void)close(sv[1]);
        return vsl_err_errno(err, "fork");
    }
    if (pid == 0)
        hook_child(h, sv[1]);
    (void)close(sv[1]);
    _cleanup_close_ int s = sv[0];
    pidfd = pidfd_open(pid, 0);
    size_t len = strlen(state), off = 0;
    while (off < len) {
        ssize_t n = send(s, state + off, len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* the hook need not read its stdin */
        off += (size_t)n;
    }
    closep(&s);
    s = -EBADF;
    int timeout = h->timeout.set ? (int)h->timeout.v : 0;
    int r = pidfd >= 0 ? wait_hook(pid, pidfd, timeout, &status) : 0;
    if (pidfd < 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    closep(&pidfd);
    if (r == -ETIMEDOUT)
        return vsl_err(err, ETIMEDOUT, "%s hook #%zu '%s' timed out after %d s",
                       vsl_hook_kind_name(kind), i, h->path, timeout);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    vsl_describe_status(status, how, sizeof(how));
    return vsl_err(err, EIO, "%s hook #%zu '%s' %s", vsl_hook_kind_name(kind), i, h->path, how);
}

int
vsl_hooks_run(const struct vsl_spec *spec, enum vsl_hook_kind kind, const char *state_json,
              struct vsl_error *err)
{
    for (size_t i = 0; i < spec->hooks.n[kind]; i++) {
        int r = run_one(&spec->hooks.v[kind][i], kind, i, state_json ? state_json : "{}", err);
        if (r < 0)
            return r;
    }
    return 0;
}
