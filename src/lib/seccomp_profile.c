// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The built-in seccomp profile of `vessel run`, modelled on moby's default (profiles/seccomp/
 * default.json): everything not listed fails with EPERM; a syscall a capability governs is listed
 * only when the process holds that capability. Also: loading an OCI profile file and adding
 * syscalls to a profile (--security-opt seccomp=FILE, --seccomp-allow).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vessel/security.h>
#include <vessel/vessel.h>

#include "lib/cleanup.h"
#include "lib/error.h"

/* Allowed whatever the capabilities (moby's unconditional list; names this architecture lacks
 * are skipped when the filter is compiled). */
static const char *const allowed[] = {
    "accept",
    "accept4",
    "access",
    "adjtimex",
    "alarm",
    "bind",
    "brk",
    "cachestat",
    "capget",
    "capset",
    "chdir",
    "chmod",
    "chown",
    "chown32",
    "clock_adjtime",
    "clock_adjtime64",
    "clock_getres",
    "clock_getres_time64",
    "clock_gettime",
    "clock_gettime64",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "close",
    "close_range",
    "connect",
    "copy_file_range",
    "creat",
    "dup",
    "dup2",
    "dup3",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_ctl_old",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "epoll_wait_old",
    "eventfd",
    "eventfd2",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "faccessat",
    "faccessat2",
    "fadvise64",
    "fadvise64_64",
    "fallocate",
    "fanotify_mark",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "fchown",
    "fchown32",
    "fchownat",
    "fcntl",
    "fcntl64",
    "fdatasync",
    "fgetxattr",
    "flistxattr",
    "flock",
    "fork",
    "fremovexattr",
    "fsetxattr",
    "fstat",
    "fstat64",
    "fstatat64",
    "fstatfs",
    "fstatfs64",
    "fsync",
    "ftruncate",
    "ftruncate64",
    "futex",
    "futex_requeue",
    "futex_time64",
    "futex_wait",
    "futex_waitv",
    "futex_wake",
    "futimesat",
    "getcpu",
    "getcwd",
    "getdents",
    "getdents64",
    "getegid",
    "getegid32",
    "geteuid",
    "geteuid32",
    "getgid",
    "getgid32",
    "getgroups",
    "getgroups32",
    "getitimer",
    "getpeername",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getrandom",
    "getresgid",
    "getresgid32",
    "getresuid",
    "getresuid32",
    "getrlimit",
    "get_robust_list",
    "getrusage",
    "getsid",
    "getsockname",
    "getsockopt",
    "get_thread_area",
    "gettid",
    "gettimeofday",
    "getuid",
    "getuid32",
    "getxattr",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "io_cancel",
    "ioctl",
    "io_destroy",
    "io_getevents",
    "io_pgetevents",
    "io_pgetevents_time64",
    "ioprio_get",
    "ioprio_set",
    "io_setup",
    "io_submit",
    "ipc",
    "kill",
    "landlock_add_rule",
    "landlock_create_ruleset",
    "landlock_restrict_self",
    "lchown",
    "lchown32",
    "lgetxattr",
    "link",
    "linkat",
    "listen",
    "listxattr",
    "llistxattr",
    "_llseek",
    "lremovexattr",
    "lseek",
    "lsetxattr",
    "lstat",
    "lstat64",
    "madvise",
    "map_shadow_stack",
    "membarrier",
    "memfd_create",
    "memfd_secret",
    "mincore",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "mlock",
    "mlock2",
    "mlockall",
    "mmap",
    "mmap2",
    "mprotect",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedreceive_time64",
    "mq_timedsend",
    "mq_timedsend_time64",
    "mq_unlink",
    "mremap",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "msync",
    "munlock",
    "munlockall",
    "munmap",
    "name_to_handle_at",
    "nanosleep",
    "newfstatat",
    "_newselect",
    "open",
    "openat",
    "openat2",
    "pause",
    "pidfd_open",
    "pidfd_send_signal",
    "pipe",
    "pipe2",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "poll",
    "ppoll",
    "ppoll_time64",
    "prctl",
    "pread64",
    "preadv",
    "preadv2",
    "prlimit64",
    "process_mrelease",
    "pselect6",
    "pselect6_time64",
    "ptrace",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readahead",
    "readlink",
    "readlinkat",
    "readv",
    "recv",
    "recvfrom",
    "recvmmsg",
    "recvmmsg_time64",
    "recvmsg",
    "remap_file_pages",
    "removexattr",
    "rename",
    "renameat",
    "renameat2",
    "restart_syscall",
    "rmdir",
    "rseq",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigqueueinfo",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo",
    "sched_getaffinity",
    "sched_getattr",
    "sched_getparam",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_rr_get_interval_time64",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "sched_yield",
    "seccomp",
    "select",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "semtimedop_time64",
    "send",
    "sendfile",
    "sendfile64",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "setfsgid",
    "setfsgid32",
    "setfsuid",
    "setfsuid32",
    "setgid",
    "setgid32",
    "setgroups",
    "setgroups32",
    "setitimer",
    "setpgid",
    "setpriority",
    "setregid",
    "setregid32",
    "setresgid",
    "setresgid32",
    "setresuid",
    "setresuid32",
    "setreuid",
    "setreuid32",
    "setrlimit",
    "set_robust_list",
    "setsid",
    "setsockopt",
    "set_thread_area",
    "set_tid_address",
    "setuid",
    "setuid32",
    "setxattr",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
    "shutdown",
    "sigaltstack",
    "signalfd",
    "signalfd4",
    "sigprocmask",
    "sigreturn",
    "socketcall",
    "socketpair",
    "splice",
    "stat",
    "stat64",
    "statfs",
    "statfs64",
    "statx",
    "symlink",
    "symlinkat",
    "sync",
    "sync_file_range",
    "syncfs",
    "sysinfo",
    "tee",
    "tgkill",
    "time",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_gettime64",
    "timer_settime",
    "timer_settime64",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_gettime64",
    "timerfd_settime",
    "timerfd_settime64",
    "times",
    "tkill",
    "truncate",
    "truncate64",
    "ugetrlimit",
    "umask",
    "uname",
    "unlink",
    "unlinkat",
    "utime",
    "utimensat",
    "utimensat_time64",
    "utimes",
    "vfork",
    "vmsplice",
    "wait4",
    "waitid",
    "waitpid",
    "write",
    "writev",
    "arch_prctl",
    "modify_ldt",
    "sync_file_range2",
    "arm_fadvise64_64",
    "arm_sync_file_range",
    "breakpoint",
    "cacheflush",
    "set_tls",
    NULL,
};

/* Listed only with the capability (moby's "includes": {"caps": [...]}). */
static const struct {
    int cap;
    const char *names[20];
} by_cap[] = {
    {CAP_SYS_ADMIN, {"bpf",           "clone",         "clone3",      "fanotify_init",   "fsconfig",
                     "fsmount",       "fsopen",        "fspick",      "lookup_dcookie",  "mount",
                     "mount_setattr", "move_mount",    "open_tree",   "perf_event_open", "quotactl",
                     "quotactl_fd",   "setdomainname", "sethostname", "setns",           "syslog"}},
    {CAP_SYS_ADMIN, {"umount", "umount2", "unshare"}},
    {CAP_DAC_READ_SEARCH, {"open_by_handle_at"}},
    {CAP_SYS_BOOT, {"reboot"}},
    {CAP_SYS_CHROOT, {"chroot"}},
    {CAP_SYS_MODULE, {"delete_module", "init_module", "finit_module"}},
    {CAP_SYS_PACCT, {"acct"}},
    {CAP_SYS_PTRACE,
     {"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev"}},
    {CAP_SYS_RAWIO, {"iopl", "ioperm"}},
    {CAP_SYS_TIME, {"settimeofday", "stime", "clock_settime", "clock_settime64"}},
    {CAP_SYS_TTY_CONFIG, {"vhangup"}},
    {CAP_SYS_NICE, {"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"}},
    {CAP_SYSLOG, {"syslog"}},
};

/* CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
 * CLONE_NEWNET: clone without CAP_SYS_ADMIN may not create namespaces. */
#define CLONE_NS_MASK 0x7E020000ULL
#define AF_VSOCK_NR 40

static void
seccomp_freep(struct vsl_seccomp **sc)
{
    vsl_seccomp_free(*sc);
}

/* Append a rule; returns it (zeroed but for the action) or NULL. */
static struct vsl_seccomp_syscall *
add_rule(struct vsl_seccomp *sc, const char *action, int errno_ret)
{
    struct vsl_seccomp_syscall *v = reallocarray(sc->syscalls, sc->n_syscalls + 1, sizeof(*v));

    if (!v)
        return NULL;
    sc->syscalls = v;
    v = &v[sc->n_syscalls];
    *v = (struct vsl_seccomp_syscall){.action = strdup(action)};
    if (!v->action)
        return NULL;
    sc->n_syscalls++;
    if (errno_ret)
        v->errno_ret = (struct vsl_opt_u64){.set = true, .v = (uint64_t)errno_ret};
    return v;
}

static int
add_arg(struct vsl_seccomp_syscall *s, uint32_t index, enum vsl_seccomp_op op, uint64_t value,
        uint64_t value_two)
{
    struct vsl_seccomp_arg *a = reallocarray(s->args, s->n_args + 1, sizeof(*a));

    if (!a)
        return -ENOMEM;
    s->args = a;
    a[s->n_args++] = (struct vsl_seccomp_arg){index, value, value_two, op};
    return 0;
}

static int
add_names(struct vsl_seccomp_syscall *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n && names[i]; i++)
        if (vsl_strv_push(&s->names, names[i]) < 0)
            return -ENOMEM;
    return 0;
}

/* One rule allowing a single syscall under one argument condition. */
static int
allow_if(struct vsl_seccomp *sc, const char *name, enum vsl_seccomp_op op, uint64_t value,
         uint64_t value_two)
{
    struct vsl_seccomp_syscall *s = add_rule(sc, "SCMP_ACT_ALLOW", 0);

    if (!s || vsl_strv_push(&s->names, name) < 0)
        return -ENOMEM;
    return add_arg(s, 0, op, value, value_two);
}

static int
add_conditional(struct vsl_seccomp *sc, uint64_t caps)
{
    static const uint64_t personas[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
    bool admin = caps & (1ULL << CAP_SYS_ADMIN);
    struct vsl_seccomp_syscall *s;
    int r = 0;

    for (size_t i = 0; r >= 0 && i < sizeof(personas) / sizeof(personas[0]); i++)
        r = allow_if(sc, "personality", VSL_SCMP_EQ, personas[i], 0);
    if (r >= 0)
        r = allow_if(sc, "socket", VSL_SCMP_NE, AF_VSOCK_NR, 0);
    if (r >= 0 && !admin)
        r = allow_if(sc, "clone", VSL_SCMP_MASKED_EQ, CLONE_NS_MASK, 0);
    if (r < 0 || admin)
        return r;
    /* glibc falls back to clone, whose flags the filter can see (clone3's are in memory) */
    s = add_rule(sc, "SCMP_ACT_ERRNO", ENOSYS);
    if (!s || vsl_strv_push(&s->names, "clone3") < 0)
        return -ENOMEM;
    return 0;
}

static int
default_arches(struct vsl_seccomp *sc)
{
#if defined(__x86_64__)
    static const char *const arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#elif defined(__aarch64__)
    static const char *const arches[] = {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
#else
    static const char *const arches[] = {"SCMP_ARCH_NATIVE"};
#endif
    for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
        if (vsl_strv_push(&sc->architectures, arches[i]) < 0)
            return -ENOMEM;
    return 0;
}

static int
build_default(struct vsl_seccomp *sc, uint64_t caps)
{
    struct vsl_seccomp_syscall *s;
    int r;

    sc->default_action = strdup("SCMP_ACT_ERRNO");
    sc->default_errno_ret = (struct vsl_opt_u64){.set = true, .v = EPERM};
    if (!sc->default_action || default_arches(sc) < 0)
        return -ENOMEM;
    s = add_rule(sc, "SCMP_ACT_ALLOW", 0);
    if (!s || add_names(s, allowed, SIZE_MAX) < 0)
        return -ENOMEM;
    for (size_t i = 0; i < sizeof(by_cap) / sizeof(by_cap[0]); i++) {
        if (!(caps & (1ULL << by_cap[i].cap)))
            continue;
        for (size_t j = 0; j < 20 && by_cap[i].names[j]; j++) {
            if (vsl_seccomp_allows(sc, by_cap[i].names[j]))
                continue;
            if (vsl_strv_push(&s->names, by_cap[i].names[j]) < 0)
                return -ENOMEM;
        }
    }
    r = add_conditional(sc, caps);
    return r;
}

int
vsl_seccomp_default(uint64_t caps, struct vsl_seccomp **ret_profile, struct vsl_error *err)
{
    _cleanup_(seccomp_freep) struct vsl_seccomp *sc = calloc(1, sizeof(*sc));

    if (!sc || build_default(sc, caps) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    *ret_profile = TAKE_PTR(sc);
    return 0;
}

int
vsl_seccomp_allows(const struct vsl_seccomp *sc, const char *name)
{
    bool ok_all = sc->default_action && strcmp(sc->default_action, "SCMP_ACT_ALLOW") == 0;

    for (size_t i = 0; i < sc->n_syscalls; i++) {
        const struct vsl_seccomp_syscall *s = &sc->syscalls[i];
        for (size_t j = 0; j < s->names.n; j++) {
            if (strcmp(s->names.v[j], name) != 0)
                continue;
            if (!s->action || strcmp(s->action, "SCMP_ACT_ALLOW") != 0)
                return 0; /* some calls of it meet another action */
            if (s->n_args == 0)
                ok_all = true;
        }
    }
    return ok_all;
}

int
vsl_seccomp_allow(struct vsl_seccomp *sc, const char *syscall, struct vsl_error *err)
{
    _cleanup_free_ char *resolved = NULL;
    const char *name = syscall;
    char *end;

    if (syscall[0] >= '0' && syscall[0] <= '9') {
        errno = 0;
        long nr = strtol(syscall, &end, 10);
        if (errno || *end || nr > INT32_MAX ||
            !(resolved = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr)))
            return vsl_err(err, EINVAL, "--seccomp-allow: '%s' is no syscall number here", syscall);
        name = resolved;
    } else if (seccomp_syscall_resolve_name(syscall) == __NR_SCMP_ERROR) {
        return vsl_err(err, EINVAL, "--seccomp-allow: unknown syscall '%s'", syscall);
    }
    if (vsl_seccomp_allows(sc, name))
        return 0;
    /* A rule of its own, first: it wins over conditional rules of the same syscall. */
    struct vsl_seccomp_syscall *s = add_rule(sc, "SCMP_ACT_ALLOW", 0);
    if (!s || vsl_strv_push(&s->names, name) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    return 0;
}

/* A profile file holds a linux.seccomp object: parse it with the spec's own parser, so its
 * messages name the JSON path the same way. */
int
vsl_seccomp_load(const char *path, struct vsl_seccomp **ret_profile, struct vsl_error *err)
{
    static const char head[] = "{\"ociVersion\":\"1.2.0\",\"linux\":{\"seccomp\":";
    _cleanup_free_ char *doc = NULL;
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct vsl_spec *spec = NULL;
    struct stat st;
    int r;

    if (fd < 0 || fstat(fd, &st) < 0)
        return vsl_err_errno(err, "seccomp profile '%s'", path);
    if (st.st_size > 16 << 20)
        return vsl_err(err, EFBIG, "seccomp profile '%s': larger than 16 MiB", path);
    size_t n = (size_t)st.st_size, off = sizeof(head) - 1;
    doc = malloc(off + n + 3);
    if (!doc)
        return vsl_err(err, ENOMEM, "out of memory");
    memcpy(doc, head, off);
    for (size_t got = 0; got < n;) {
        ssize_t k = read(fd, doc + off + got, n - got);
        if (k <= 0)
            return vsl_err_code(err, k < 0 ? errno : EIO, "read seccomp profile '%s'", path);
        got += (size_t)k;
    }
    memcpy(doc + off + n, "}}", 3);
    r = vsl_spec_parse(doc, off + n + 2, path, &spec, err);
    if (r < 0)
        return r;
    if (!spec->linux_.seccomp) {
        vsl_spec_free(spec);
        return vsl_err(err, EINVAL, "seccomp profile '%s': not a JSON object", path);
    }
    *ret_profile = TAKE_PTR(spec->linux_.seccomp);
    vsl_spec_free(spec);
    return 0;
}
