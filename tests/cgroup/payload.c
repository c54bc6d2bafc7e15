// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup-payload: what cgroup.bats runs inside containers, static so a busybox root can hold it.
 *   forks N    fork N children that sleep; print "forked=X" and "refused=Y" (EAGAIN) lines, and
 *              kill them (busybox ash gives up at the first refused fork, so a shell cannot count)
 *   spin SECS  busy-loop for SECS of wall time and print the iterations done
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int
forks(int n)
{
    pid_t pids[4096];
    int forked = 0, refused = 0;

    for (int i = 0; i < n && i < 4096; i++) {
        pid_t p = fork();
        if (p == 0) {
            pause();
            _exit(0);
        }
        if (p < 0) {
            if (errno != EAGAIN) {
                perror("fork");
                return 1;
            }
            refused++;
            continue;
        }
        pids[forked++] = p;
    }
    printf("forked=%d\nrefused=%d\n", forked, refused);
    fflush(stdout);
    for (int i = 0; i < forked; i++)
        kill(pids[i], SIGKILL);
    while (wait(NULL) > 0)
        ;
    return 0;
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
spin(double secs)
{
    volatile unsigned long x = 0;
    unsigned long iters = 0;
    double end = now() + secs;

    while (now() < end) {
        for (int i = 0; i < 10000; i++)
            x += (unsigned long)i;
        iters++;
    }
    printf("iterations=%lu\n", iters);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "forks") == 0)
        return forks(atoi(argv[2]));
    if (argc == 3 && strcmp(argv[1], "spin") == 0)
        return spin(atof(argv[2]));
    fprintf(stderr, "usage: cgroup-payload forks N | spin SECS\n");
    return 2;
}
