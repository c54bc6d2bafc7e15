/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scope-bound cleanup (systemd's habit): _cleanup_free_, _cleanup_close_, _cleanup_fclose_,
 * _cleanup_pid_; ownership moves only through TAKE_PTR()/TAKE_FD().
 */
#pragma once

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void
freep(void *p)
{
    free(*(void **)p);
}

static inline void
closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        (void)close(*fd);
        errno = saved;
    }
}

static inline void
fclosep(FILE **f)
{
    if (*f)
        (void)fclose(*f);
}

/* Kill and reap a half-started child. */
static inline void
killpidp(pid_t *pid)
{
    if (*pid > 0) {
        (void)kill(*pid, SIGKILL);
        while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
}

static inline void
freestrvp(char ***v)
{
    if (*v) {
        for (char **p = *v; *p; p++)
            free(*p);
        free(*v);
    }
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_pid_ _cleanup_(killpidp)
#define _cleanup_strv_ _cleanup_(freestrvp)

#define TAKE_PTR(p)                                                                                \
    ({                                                                                             \
        __typeof__(p) _tp = (p);                                                                   \
        (p) = NULL;                                                                                \
        _tp;                                                                                       \
    })
#define TAKE_FD(fd)                                                                                \
    ({                                                                                             \
        int _tf = (fd);                                                                            \
        (fd) = -EBADF;                                                                             \
        _tf;                                                                                       \
    })
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
