// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Foreground relay: one poll loop over the caller's stdin, the pty master, a signalfd and the
 * init's pidfd. Signals are forwarded with pidfd_send_signal (never a recycled pid); SIGWINCH
 * resizes the pty. After the init exits the master is drained so no output is lost.
 */
#include "lib/io.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "stages/stage.h"

static const int forwarded[] = {SIGINT,  SIGTERM, SIGHUP,   SIGQUIT, SIGUSR1,
                                SIGUSR2, SIGALRM, SIGWINCH, SIGCONT, SIGPIPE};

static void
fill_set(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
        sigaddset(set, forwarded[i]);
}

int
io_block_signals(sigset_t *ret_old, struct vsl_error *err)
{
    sigset_t set;

    fill_set(&set);
    if (sigprocmask(SIG_BLOCK, &set, ret_old) < 0)
        return vsl_err_errno(err, "sigprocmask");
    return 0;
}

void
io_unblock_signals(const sigset_t *old)
{
    sigset_t set;
    struct timespec zero = {0, 0};

    fill_set(&set);
    while (sigtimedwait(&set, NULL, &zero) > 0)
        ;
    (void)sigprocmask(SIG_SETMASK, old, NULL);
}

void
io_copy_winsize(int master)
{
    struct winsize ws;

    if (ioctl(0, TIOCGWINSZ, &ws) == 0 || ioctl(1, TIOCGWINSZ, &ws) == 0)
        (void)ioctl(master, TIOCSWINSZ, &ws);
}

static int
write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                struct pollfd p = {.fd = fd, .events = POLLOUT};
                (void)poll(&p, 1, -1);
                continue;
            }
            return -errno;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Move what is readable from one fd to another: > 0 moved, 0 EOF, < 0 error/closed. */
static ssize_t
pump(int from, int to)
{
    char buf[16384];
    ssize_t n;

    do
        n = read(from, buf, sizeof(buf));
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return n < 0 && errno == EAGAIN ? 1 : n;
    if (write_all(to, buf, (size_t)n) < 0)
        return -EPIPE;
    return n;
}

static void
drain(int master)
{
    struct pollfd p = {.fd = master, .events = POLLIN};

    while (poll(&p, 1, 100) > 0 && (p.revents & POLLIN) && pump(master, 1) > 0)
        ;
}

struct relay {
    int master;
    bool stdin_open;
    bool out_open;
};

static void
on_signal(struct vsl_ctx *ctx, struct relay *rl, int sfd)
{
    struct signalfd_siginfo si;

    while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
        if (si.ssi_signo == SIGWINCH) {
            if (rl->master >= 0)
                io_copy_winsize(rl->master);
            continue;
        }
        if (si.ssi_signo == SIGPIPE)
            continue;
        (void)pidfd_send_signal(ctx->pidfd, (int)si.ssi_signo, NULL, 0);
    }
}

static int
relay_loop(struct vsl_ctx *ctx, struct relay *rl, int sfd, struct vsl_error *err)
{
    for (;;) {
        struct pollfd p[4] = {
            {.fd = ctx->pidfd, .events = POLLIN},
            {.fd = sfd, .events = POLLIN},
            {.fd = rl->master >= 0 && rl->out_open ? rl->master : -1, .events = POLLIN},
            {.fd = rl->master >= 0 && rl->stdin_open ? 0 : -1, .events = POLLIN},
        };
        if (poll(p, 4, -1) < 0) {
            if (errno == EINTR)
                continue;
            return vsl_err_errno(err, "poll");
        }
        if (p[1].revents)
            on_signal(ctx, rl, sfd);
        if (p[2].revents && pump(rl->master, 1) <= 0)
            rl->out_open = false;
        if (p[3].revents && pump(0, rl->master) <= 0) {
            /* The caller's input ended: the terminal's end-of-file character tells the
             * container's program, as typing ^D would. */
            rl->stdin_open = false;
            (void)write_all(rl->master, "\x04", 1);
        }
        if (p[0].revents)
            return 0;
    }
}

int
io_wait(struct vsl_ctx *ctx, int *ret_status, struct vsl_error *err)
{
    sigset_t set;
    struct termios saved;
    bool raw = false;
    struct relay rl = {
        .master = ctx->pty_master, .stdin_open = ctx->attach_stdin, .out_open = true};
    int status, r;

    fill_set(&set);
    _cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0)
        return vsl_err_errno(err, "signalfd");
    if (rl.master >= 0 && isatty(0) && tcgetattr(0, &saved) == 0) {
        struct termios t = saved;
        cfmakeraw(&t);
        raw = tcsetattr(0, TCSANOW, &t) == 0;
    }
    r = relay_loop(ctx, &rl, sfd, err);
    if (rl.master >= 0 && rl.out_open)
        drain(rl.master);
    if (raw)
        (void)tcsetattr(0, TCSANOW, &saved);
    if (r < 0)
        return r;
    while (waitpid(ctx->pid, &status, 0) < 0)
        if (errno != EINTR)
            return vsl_err_errno(err, "waitpid %d", ctx->pid);
    ctx->pid = 0;
    *ret_status = status;
    return 0;
}
