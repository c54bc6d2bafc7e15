// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vessel's exec trampoline (runc called its own "dmz"): a container's init executes the user's
 * command through this program, which vessel carries inside itself and runs from a sealed memfd.
 * Whatever that execve reaches through /proc/self/exe ("#!/proc/self/exe" in the container,
 * CVE-2019-5736) is then this sealed copy, never the host's vessel. No libc, no relocations, one
 * page: executing it costs a fraction of re-executing vessel (docs/security.md).
 *
 *   dmz PATH SYNC_FD[:FIFO_FD] ARGV0 ARGS...    (from the init only; environment passed through)
 *
 * executes PATH with ARGV0 ARGS.... If that fails it tells the parent over the sync socket, as
 * the init would (a SYNC_ERROR carrying struct vsl_error), and exits 127 (not found) or 126.
 * With FIFO_FD (the init of a vfork launch of `create`, launch.c) it first waits for `start` as
 * the init would: named "exec.fifo" and not dumpable, it opens the O_PATH exec.fifo FIFO_FD for
 * writing through /proc/self/fd, which blocks until start opens the other end, and writes "0".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <vessel/vessel.h>

#include "lib/sync.h"

#if defined(__x86_64__)
static long
sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;

    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
__asm__(".text\n.globl _start\n_start:\n"
        "xor %ebp, %ebp\nmov %rsp, %rdi\nand $-16, %rsp\ncall dmz_main\nhlt\n");
#elif defined(__aarch64__)
static long
sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;

    __asm__ volatile("svc 0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    return x0;
}
__asm__(".text\n.globl _start\n_start:\nmov x0, sp\nbl dmz_main\nbrk #0\n");
#elif !defined(__CPPCHECK__)
#error "vessel's exec trampoline knows x86_64 and aarch64"
#endif

/* What strerror says for the errors an execve of a checked path can still meet. */
static const char *
describe(long e)
{
    switch (e) {
    case ENOENT:
        return "No such file or directory";
    case EACCES:
        return "Permission denied";
    case ENOEXEC:
        return "Exec format error";
    case ETXTBSY:
        return "Text file busy";
    case E2BIG:
        return "Argument list too long";
    case ENOMEM:
        return "Cannot allocate memory";
    case ELOOP:
        return "Too many levels of symbolic links";
    case ENOTDIR:
        return "Not a directory";
    case ENAMETOOLONG:
        return "File name too long";
    case EPERM:
        return "Operation not permitted";
    case EISDIR:
        return "Is a directory";
    case EINVAL:
        return "Invalid argument";
    case ELIBBAD:
        return "Accessing a corrupted shared library";
    case EAGAIN:
        return "Resource temporarily unavailable";
    default:
        return "execve failed";
    }
}

/* What the compiler calls to zero a structure: no libc here. */
__attribute__((used)) void *memset(void *dst, int c, unsigned long n);

void *
memset(void *dst, int c, unsigned long n)
{
    for (unsigned char *d = dst; n--;)
        *d++ = (unsigned char)c;
    return dst;
}

static char *
append(char *at, const char *end, const char *s)
{
    while (*s && at < end)
        *at++ = *s++;
    return at;
}

static void
say(const char *s)
{
    const char *e = s;
    while (*e)
        e++;
    (void)sys6(SYS_write, 2, (long)s, e - s, 0, 0, 0);
}

/* Anything but vessel's own call ("#!/proc/self/exe" in the container) stops here. */
static _Noreturn void
refuse(void)
{
    say("vessel: /proc/self/exe is vessel's exec trampoline here, which runs nothing\n");
    (void)sys6(SYS_exit_group, 126, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

/* The packet sync_send() would make of child_fail()'s error (on the stack: the program has no
 * writable segment to load, one mapping less at each start). */
struct packet {
    struct sync_hdr hdr;
    struct vsl_error err;
};

/* Report "<a><b><c>: <strerror(e)>" as the init's error and exit with status. */
static _Noreturn void
fail(long fd, const char *a, const char *b, const char *c, long e, int status)
{
    struct packet p = {0}; /* nothing of this stack goes out with it */
    char *at = p.err.msg, *end = p.err.msg + sizeof(p.err.msg) - 1;

    at = append(at, end, a);
    at = append(at, end, b);
    at = append(at, end, c);
    at = append(at, end, ": ");
    (void)append(at, end, describe(e));
    p.err.code = (int)-e;
    p.err.exec_failed = status != 125;
    p.hdr.type = SYNC_ERROR;
    p.hdr.len = sizeof(p.err);
    (void)sys6(SYS_sendto, fd, (long)&p, sizeof(p), MSG_NOSIGNAL, 0, 0);
    (void)sys6(SYS_exit_group, status, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

/* Wait for `start` on exec.fifo (fd), as the init's child_wait_start would without hooks. */
static void
wait_start(long sync_fd, const char *fd)
{
    char path[32] = "/proc/self/fd/";

    (void)append(path + 14, path + sizeof(path) - 1, fd);
    (void)sys6(SYS_prctl, PR_SET_NAME, (long)"exec.fifo", 0, 0, 0, 0);
    (void)sys6(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0, 0);
    long w = sys6(SYS_openat, AT_FDCWD, (long)path, O_WRONLY | O_CLOEXEC, 0, 0, 0);
    if (w < 0)
        fail(sync_fd, "open exec.fifo", "", "", -w, 125);
    long n = sys6(SYS_write, w, (long)"0", 1, 0, 0, 0);
    if (n != 1)
        fail(sync_fd, "write exec.fifo", "", "", n < 0 ? -n : EIO, 125);
    (void)sys6(SYS_close, w, 0, 0, 0, 0, 0);
}

__attribute__((used, noreturn)) void dmz_main(long *sp);

void
dmz_main(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
    long fd = 0;
    const char *c;

    if (argc < 3 || !argv[1][0])
        refuse();
    const char *fifo = NULL;
    long fifo_fd = 0;
    for (c = argv[1]; *c; c++) {
        if (*c == ':' && !fifo && c != argv[1] && c[1]) {
            fifo = c + 1;
            continue;
        }
        if (*c < '0' || *c > '9' || (fifo ? fifo_fd : fd) > 65535)
            refuse();
        if (fifo)
            fifo_fd = fifo_fd * 10 + (*c - '0');
        else
            fd = fd * 10 + (*c - '0');
    }
    /* the socket closes with the exec, which is how the parent learns it happened */
    (void)sys6(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC, 0, 0, 0);
    if (fifo) {
        wait_start(fd, fifo);
        (void)sys6(SYS_close, fifo_fd, 0, 0, 0, 0, 0);
    }
    long e = -sys6(SYS_execve, (long)argv[0], (long)(argv + 2), (long)envp, 0, 0, 0);
    fail(fd, "exec '", argv[0], "'", e, e == ENOENT ? 127 : 126);
}
