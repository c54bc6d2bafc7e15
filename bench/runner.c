// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runner: time a sequence of commands, as the benchmark's one measuring tool. It runs the
 * sequence COUNT times in each of PAR parallel streams and prints one line:
 *   wall_us cpu_us maxrss_kb failures
 * wall from a monotonic clock around everything, user+sys CPU and peak RSS from
 * getrusage(RUSAGE_CHILDREN), which covers every descendant that was waited for. The runner is a
 * child subreaper, so a container init a `create` left behind is reaped (and counted) here too;
 * wall time ends when the last descendant is gone.
 * Usage: runner [-n COUNT] [-j PAR] [-b BASE] [-e ERRLOG] [-t SECS] -- CMD ARGS... [';;' CMD...]...
 * "%i" in an argument becomes a number unique to that iteration (BASE + stream * COUNT + i).
 * A command still running after SECS (default 60) is killed and counted as failed; so is whatever
 * is left of its descendants SECS after the last command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 64
#define MAX_CMDS 8
#define MAX_STREAMS 16

struct cmd {
    char *argv[MAX_ARGS];
    int argc;
};

static struct cmd cmds[MAX_CMDS];
static int n_cmds;
static int errfd = -1;
static unsigned timeout_s = 60;
static volatile sig_atomic_t timed_out;

static void
on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
}

/* Kill every child of ours: the orphans a runtime left behind were reparented here. */
static void
kill_children(void)
{
    char path[64], buf[4096];

    (void)snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    (void)close(fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    for (char *p = buf, *end; *p; p = end) {
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        if (pid > 0)
            (void)kill((pid_t)pid, SIGKILL);
    }
}

static char *
subst(const char *arg, long num)
{
    const char *p = strstr(arg, "%i");
    char *out;

    if (!p)
        return (char *)arg;
    if (asprintf(&out, "%.*s%ld%s", (int)(p - arg), arg, num, p + 2) < 0)
        exit(125);
    return out;
}

/* Run one command, wait for it; 0 when it exited 0. */
static int
run_one(const struct cmd *c, long num)
{
    char *argv[MAX_ARGS + 1];
    int status;

    for (int i = 0; i < c->argc; i++)
        argv[i] = subst(c->argv[i], num);
    argv[c->argc] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        (void)dup2(null, 0);
        (void)dup2(null, 1);
        if (errfd >= 0)
            (void)dup2(errfd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    timed_out = 0;
    alarm(timeout_s);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
        if (timed_out) {
            (void)kill(pid, SIGKILL);
            if (errfd >= 0)
                dprintf(errfd, "runner: '%s' (run %ld) still running after %us: killed\n",
                        c->argv[0], num, timeout_s);
        }
    }
    alarm(0);
    for (int i = 0; i < c->argc; i++)
        if (argv[i] != c->argv[i])
            free(argv[i]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (errfd >= 0)
            dprintf(errfd, "runner: '%s' (run %ld) failed: status 0x%x\n", c->argv[0], num, status);
        return -1;
    }
    return 0;
}

static int
stream(long base, long count)
{
    int failures = 0;

    for (long i = 0; i < count; i++)
        for (int k = 0; k < n_cmds; k++)
            if (run_one(&cmds[k], base + i) < 0)
                failures++;
    return failures;
}

static long
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

int
main(int argc, char **argv)
{
    long count = 1, par = 1, base = 0;
    int opt, failures = 0, status;
    pid_t streams[MAX_STREAMS] = {0};

    while ((opt = getopt(argc, argv, "+n:j:b:e:t:")) != -1) {
        switch (opt) {
        case 'n':
            count = atol(optarg);
            break;
        case 'j':
            par = atol(optarg);
            break;
        case 'b':
            base = atol(optarg);
            break;
        case 't':
            timeout_s = (unsigned)atol(optarg);
            break;
        case 'e':
            errfd = open(optarg, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            break;
        default:
            fputs("usage: runner [-n COUNT] [-j PAR] [-b BASE] [-e ERRLOG] [-t SECS] -- CMD... "
                  "[';;' CMD...]\n",
                  stderr);
            return 2;
        }
    }
    n_cmds = 0;
    for (int i = optind; i < argc; i++) {
        if (strcmp(argv[i], ";;") == 0) {
            if (cmds[n_cmds].argc)
                n_cmds++;
            continue;
        }
        if (n_cmds >= MAX_CMDS || cmds[n_cmds].argc >= MAX_ARGS - 1)
            return 2;
        cmds[n_cmds].argv[cmds[n_cmds].argc++] = argv[i];
    }
    if (cmds[n_cmds].argc)
        n_cmds++;
    if (n_cmds == 0 || count < 1 || par < 1)
        return 2;
    (void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: waits see EINTR */
    (void)sigaction(SIGALRM, &sa, NULL);

    long t0 = now_us();
    if (par == 1) {
        failures = stream(base, count);
    } else {
        for (long s = 0; s < par && s < MAX_STREAMS; s++) {
            pid_t pid = fork();
            if (pid < 0)
                return 125;
            if (pid == 0) {
                int f = stream(base + s * count, count);
                _exit(f > 255 ? 255 : f);
            }
            streams[s] = pid;
        }
    }
    /* Every stream, and whatever a runtime left behind (reparented here). */
    timed_out = 0;
    alarm(par > 1 ? timeout_s * (unsigned)(count * n_cmds + 1) : timeout_s);
    for (;;) {
        pid_t pid = wait(&status);
        if (pid < 0) {
            if (errno == EINTR) {
                if (timed_out) {
                    failures++;
                    if (errfd >= 0)
                        dprintf(errfd, "runner: descendants still running: killed\n");
                    kill_children();
                    timed_out = 0;
                    alarm(timeout_s);
                }
                continue;
            }
            break;
        }
        for (long s = 0; s < par && s < MAX_STREAMS; s++)
            if (par > 1 && streams[s] == pid)
                failures += WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    }
    long wall = now_us() - t0;
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    long cpu = ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000L +
               ru.ru_stime.tv_usec;
    printf("%ld %ld %ld %d\n", wall, cpu, ru.ru_maxrss, failures);
    return 0;
}
