// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probe: the payload integration tests run inside containers. One static binary, one subcommand per
 * question ("what is my pid", "which mounts do I see"), answers on stdout as key=value lines or
 * plain text, errors on stderr as "error: ..." with exit status 1. Nothing here may need a file
 * from the container's root: it is linked statically and runs in a root that holds only busybox.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Every subcommand has the dispatch table's signature, whether it takes arguments or not. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

struct command {
    const char *name;
    int min_args;
    int (*run)(int argc, char **argv);
    const char *usage;
};

static int
fail(const char *fmt, ...)
{
    va_list ap;

    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

static int
fail_errno(const char *what, const char *path)
{
    return fail("%s '%s': %s", what, path, strerror(errno));
}

/* Copies a file to stdout; /proc files report size 0, so read until EOF. */
static int
cat_file(const char *path)
{
    char buf[8192];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return fail_errno("open", path);
    fflush(stdout);
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int r = fail_errno("read", path);
            close(fd);
            return r;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)(n - off));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                close(fd);
                return fail("write stdout: %s", strerror(errno));
            }
            off += w;
        }
    }
    close(fd);
    return 0;
}

/* Prints the lines of a file that start with one of the given prefixes (NULL-terminated). */
static int
grep_prefixes(const char *path, const char *const *prefixes)
{
    char line[4096];
    FILE *f = fopen(path, "re");

    if (!f)
        return fail_errno("open", path);
    while (fgets(line, sizeof(line), f))
        for (const char *const *p = prefixes; *p; p++)
            if (strncmp(line, *p, strlen(*p)) == 0)
                fputs(line, stdout);
    fclose(f);
    return 0;
}

static bool
parse_long(const char *s, long *ret)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(s, &end, 0);
    if (errno || end == s || *end)
        return false;
    *ret = v;
    return true;
}

static int
cmd_pid(int argc, char **argv)
{
    printf("pid=%d\n", (int)getpid());
    return 0;
}

static int
cmd_ids(int argc, char **argv)
{
    gid_t groups[NGROUPS_MAX];
    int n = getgroups(NGROUPS_MAX, groups);

    if (n < 0)
        return fail("getgroups: %s", strerror(errno));
    printf("uid=%u\ngid=%u\neuid=%u\negid=%u\ngroups=", (unsigned)getuid(), (unsigned)getgid(),
           (unsigned)geteuid(), (unsigned)getegid());
    for (int i = 0; i < n; i++)
        printf("%s%u", i ? "," : "", (unsigned)groups[i]);
    putchar('\n');
    return 0;
}

static int
cmd_hostname(int argc, char **argv)
{
    struct utsname u;

    if (uname(&u) < 0)
        return fail("uname: %s", strerror(errno));
    printf("hostname=%s\ndomainname=%s\n", u.nodename, u.domainname);
    return 0;
}

static bool
is_number(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* One line per process: "PID COMM", in /proc's order (ascending pids). */
static int
cmd_ps(int argc, char **argv)
{
    DIR *d = opendir("/proc");
    struct dirent *e;

    if (!d)
        return fail_errno("opendir", "/proc");
    while ((e = readdir(d))) {
        char path[300], comm[64] = "";
        FILE *f;

        if (!is_number(e->d_name))
            continue;
        snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
        f = fopen(path, "re");
        if (!f)
            continue; /* exited meanwhile */
        if (fgets(comm, sizeof(comm), f))
            comm[strcspn(comm, "\n")] = '\0';
        fclose(f);
        printf("%s %s\n", e->d_name, comm);
    }
    closedir(d);
    return 0;
}

static int
cmd_mounts(int argc, char **argv)
{
    return cat_file("/proc/self/mountinfo");
}

static void
print_netdev(int sock, const char *name)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (sock < 0 || ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
        printf("%s unknown\n", name);
    else
        printf("%s %s\n", name, (ifr.ifr_flags & IFF_UP) ? "up" : "down");
}

/* "NAME up|down" per interface of the network namespace, from /proc/net/dev or netlink. */
static int
cmd_netdevs(int argc, char **argv)
{
    char line[512];
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    FILE *f = fopen("/proc/net/dev", "re");

    if (sock < 0)
        sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (f) {
        /* Two header lines, then "  NAME: counters..." */
        for (int n = 0; fgets(line, sizeof(line), f); n++) {
            char *colon = strchr(line, ':'), *name = line;
            if (n < 2 || !colon)
                continue;
            *colon = '\0';
            name += strspn(name, " ");
            print_netdev(sock, name);
        }
        fclose(f);
    } else {
        struct if_nameindex *ifs = if_nameindex();
        if (!ifs) {
            if (sock >= 0)
                close(sock);
            return fail("if_nameindex: %s", strerror(errno));
        }
        for (struct if_nameindex *i = ifs; i->if_name; i++)
            print_netdev(sock, i->if_name);
        if_freenameindex(ifs);
    }
    if (sock >= 0)
        close(sock);
    return 0;
}

/* "key=KEY id=ID" per System V message queue in the caller's IPC namespace (KEY in decimal). */
static int
cmd_ipcs(int argc, char **argv)
{
    char line[512];
    FILE *f = fopen("/proc/sysvipc/msg", "re");

    if (!f)
        return fail_errno("open", "/proc/sysvipc/msg");
    for (int n = 0; fgets(line, sizeof(line), f); n++) {
        long key, id;
        if (n == 0 || sscanf(line, "%ld %ld", &key, &id) != 2)
            continue;
        printf("key=%ld id=%ld\n", key, id);
    }
    fclose(f);
    return 0;
}

static int
cmd_cgroup(int argc, char **argv)
{
    return cat_file("/proc/self/cgroup");
}

static int
cmd_uptime(int argc, char **argv)
{
    char buf[128] = "";
    FILE *f = fopen("/proc/uptime", "re");

    if (!f)
        return fail_errno("open", "/proc/uptime");
    if (fscanf(f, "%127s", buf) != 1) {
        fclose(f);
        return fail("parse '/proc/uptime'");
    }
    fclose(f);
    printf("uptime=%s\n", buf);
    return 0;
}

static int
print_clock(clockid_t id, const char *key)
{
    struct timespec ts;

    if (clock_gettime(id, &ts) < 0)
        return fail("clock_gettime %s: %s", key, strerror(errno));
    printf("%s=%lld.%09ld\n", key, (long long)ts.tv_sec, ts.tv_nsec);
    return 0;
}

static int
cmd_monotonic(int argc, char **argv)
{
    return print_clock(CLOCK_MONOTONIC, "monotonic");
}

static int
cmd_boottime(int argc, char **argv)
{
    return print_clock(CLOCK_BOOTTIME, "boottime");
}

static int
cmd_env(int argc, char **argv)
{
    for (char **e = environ; e && *e; e++)
        puts(*e);
    return 0;
}

static int
cmd_cwd(int argc, char **argv)
{
    char buf[PATH_MAX];

    if (!getcwd(buf, sizeof(buf)))
        return fail("getcwd: %s", strerror(errno));
    printf("cwd=%s\n", buf);
    return 0;
}

static int
cmd_umask(int argc, char **argv)
{
    mode_t m = umask(0);

    umask(m);
    printf("umask=%04o\n", (unsigned)m);
    return 0;
}

static int
cmd_caps(int argc, char **argv)
{
    static const char *const keys[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", NULL};
    return grep_prefixes("/proc/self/status", keys);
}

static int
cmd_seccomp(int argc, char **argv)
{
    static const char *const keys[] = {"Seccomp:", "NoNewPrivs:", NULL};
    return grep_prefixes("/proc/self/status", keys);
}

/* "FD -> TARGET" per open descriptor, leaving out the one used to list them. */
static int
cmd_fds(int argc, char **argv)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;

    if (!d)
        return fail_errno("opendir", "/proc/self/fd");
    while ((e = readdir(d))) {
        char path[300], target[PATH_MAX];
        ssize_t n;

        if (!is_number(e->d_name) || atoi(e->d_name) == dirfd(d))
            continue;
        snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
        n = readlink(path, target, sizeof(target) - 1);
        if (n < 0)
            snprintf(target, sizeof(target), "?(%s)", strerror(errno));
        else
            target[n] = '\0';
        printf("%s -> %s\n", e->d_name, target);
    }
    closedir(d);
    return 0;
}

static const struct {
    const char *name;
    int resource;
} rlimits[] = {
    {"AS", RLIMIT_AS},           {"CORE", RLIMIT_CORE},         {"CPU", RLIMIT_CPU},
    {"DATA", RLIMIT_DATA},       {"FSIZE", RLIMIT_FSIZE},       {"LOCKS", RLIMIT_LOCKS},
    {"MEMLOCK", RLIMIT_MEMLOCK}, {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},
    {"NOFILE", RLIMIT_NOFILE},   {"NPROC", RLIMIT_NPROC},       {"RSS", RLIMIT_RSS},
    {"RTPRIO", RLIMIT_RTPRIO},   {"RTTIME", RLIMIT_RTTIME},     {"SIGPENDING", RLIMIT_SIGPENDING},
    {"STACK", RLIMIT_STACK},
};

static void
print_limit(const char *key, rlim_t v)
{
    if (v == RLIM_INFINITY)
        printf("%s=unlimited", key);
    else
        printf("%s=%llu", key, (unsigned long long)v);
}

static int
cmd_rlimit(int argc, char **argv)
{
    const char *name = argv[0];
    struct rlimit rl;

    if (strncmp(name, "RLIMIT_", 7) == 0)
        name += 7;
    for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++) {
        if (strcasecmp(name, rlimits[i].name) != 0)
            continue;
        if (getrlimit(rlimits[i].resource, &rl) < 0)
            return fail("getrlimit %s: %s", name, strerror(errno));
        print_limit("soft", rl.rlim_cur);
        putchar(' ');
        print_limit("hard", rl.rlim_max);
        putchar('\n');
        return 0;
    }
    return fail("unknown resource '%s'", argv[0]);
}

/* Creates or truncates PATH and writes TEXT and a newline (nothing when TEXT is left out). */
static int
cmd_write(int argc, char **argv)
{
    const char *path = argv[0];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0)
        return fail("%s", strerror(errno));
    if (argc > 1) {
        size_t len = strlen(argv[1]);
        char *buf = malloc(len + 1);
        if (!buf) {
            close(fd);
            return fail("%s", strerror(ENOMEM));
        }
        memcpy(buf, argv[1], len);
        buf[len] = '\n';
        if (write(fd, buf, len + 1) != (ssize_t)(len + 1)) {
            int r = fail("%s", strerror(errno));
            free(buf);
            close(fd);
            return r;
        }
        free(buf);
    }
    if (close(fd) < 0)
        return fail("%s", strerror(errno));
    return 0;
}

static int
cmd_read(int argc, char **argv)
{
    return cat_file(argv[0]);
}

static int
cmd_mount_tmpfs(int argc, char **argv)
{
    if (mkdir(argv[0], 0755) < 0 && errno != EEXIST)
        return fail_errno("mkdir", argv[0]);
    if (mount("probe-tmpfs", argv[0], "tmpfs", 0, "mode=0755,size=1m") < 0)
        return fail_errno("mount tmpfs on", argv[0]);
    return 0;
}

static int
cmd_exit(int argc, char **argv)
{
    long code;

    if (!parse_long(argv[0], &code))
        return fail("bad exit code '%s'", argv[0]);
    fflush(stdout);
    _exit((int)code);
}

static int
parse_signal(const char *s, int *ret)
{
    static const struct {
        const char *name;
        int sig;
    } names[] = {
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},
        {"ABRT", SIGABRT}, {"BUS", SIGBUS},   {"FPE", SIGFPE},   {"KILL", SIGKILL},
        {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},
        {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"SYS", SIGSYS},
    };
    long v;

    if (parse_long(s, &v) && v > 0 && v < NSIG) {
        *ret = (int)v;
        return 0;
    }
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *ret = names[i].sig;
            return 0;
        }
    return -EINVAL;
}

/*
 * Dies of signal SIG with its default action. The kernel drops signals a pid namespace's init sends
 * itself while their disposition is SIG_DFL, so as pid 1 the fault signals are raised the way a
 * real fault does (those are forced, and kill init); others cannot kill pid 1 from inside, reported
 * as an error.
 */
static int
cmd_kill_self(int argc, char **argv)
{
    struct rlimit no_core = {0, 0};
    sigset_t set;
    int sig;

    if (parse_signal(argv[0], &sig) < 0)
        return fail("bad signal '%s'", argv[0]);
    (void)setrlimit(RLIMIT_CORE, &no_core);
    signal(sig, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    fflush(stdout);
    if (getpid() == 1 && sig == SIGSEGV) {
        volatile int *volatile null = NULL;
        *null = 1;
    }
    if (getpid() == 1 && sig == SIGABRT)
        abort(); /* ends in a forced fault when raise() is ignored */
    raise(sig);
    /* Stop and continue signals, and anything the kernel ignored. */
    return fail("still alive after signal %d%s", sig,
                getpid() == 1 ? " (pid 1 of a pid namespace ignores it)" : "");
}

static int
sleep_seconds(const char *arg)
{
    char *end = NULL;
    double secs = strtod(arg, &end);
    struct timespec ts;

    if (end == arg || *end || secs < 0)
        return fail("bad duration '%s'", arg);
    ts.tv_sec = (time_t)secs;
    ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
    return 0;
}

static int
cmd_sleep(int argc, char **argv)
{
    return sleep_seconds(argv[0]);
}

static void
trap_handler(int sig)
{
    char msg[32];
    int n = snprintf(msg, sizeof(msg), "signal=%d\n", sig);

    (void)!write(STDOUT_FILENO, msg, (size_t)n);
    _exit(100 + sig);
}

/*
 * Waits up to SECS for SIGTERM, SIGINT, SIGHUP, SIGUSR1 or SIGUSR2 and exits 100+signo when one
 * arrives (0 on timeout). Prints "ready" once the handlers are in place: pid 1 ignores a signal
 * sent before that, so tests wait for the line before signalling.
 */
static int
cmd_trap(int argc, char **argv)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2};
    struct sigaction sa;
    sigset_t set;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = trap_handler;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        sigaction(sigs[i], &sa, NULL);
        sigaddset(&set, sigs[i]);
    }
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    (void)!write(STDOUT_FILENO, "ready\n", 6);
    sleep_seconds(argv[0]);
    return 0;
}

static int
cmd_tty(int argc, char **argv)
{
    struct winsize ws;
    const char *name;
    int fd;

    for (fd = 0; fd <= 2; fd++)
        printf("isatty%d=%d\n", fd, isatty(fd));
    name = ttyname(0);
    printf("ttyname=%s\n", name ? name : "none");
    for (fd = 0; fd <= 2; fd++)
        if (ioctl(fd, TIOCGWINSZ, &ws) == 0)
            break;
    if (fd <= 2)
        printf("rows=%u\ncols=%u\n", ws.ws_row, ws.ws_col);
    else
        printf("rows=none\ncols=none\n");
    return 0;
}

static int
cmd_msgget(int argc, char **argv)
{
    long key;
    int id;

    if (!parse_long(argv[0], &key))
        return fail("bad key '%s'", argv[0]);
    id = msgget((key_t)key, IPC_CREAT | 0600);
    if (id < 0)
        return fail("msgget %ld: %s", key, strerror(errno));
    printf("id=%d\n", id);
    return 0;
}

static const char *
file_type(mode_t m)
{
    switch (m & S_IFMT) {
    case S_IFREG:
        return "reg";
    case S_IFDIR:
        return "dir";
    case S_IFCHR:
        return "chr";
    case S_IFBLK:
        return "blk";
    case S_IFIFO:
        return "fifo";
    case S_IFSOCK:
        return "sock";
    case S_IFLNK:
        return "lnk";
    default:
        return "unknown";
    }
}

/* Does not follow a final symlink, so "type=lnk" can be seen. */
static int
cmd_stat(int argc, char **argv)
{
    struct stat st;

    if (lstat(argv[0], &st) < 0)
        return fail_errno("stat", argv[0]);
    printf("type=%s\nmode=%04o\nuid=%u\ngid=%u\nrdev=%u:%u\nsize=%lld\n", file_type(st.st_mode),
           (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid,
           major(st.st_rdev), minor(st.st_rdev), (long long)st.st_size);
    return 0;
}

static int cmd_attack(int argc, char **argv);
static int cmd_keyring(int argc, char **argv);

static const struct command commands[] = {
    {"pid", 0, cmd_pid, ""},
    {"ids", 0, cmd_ids, ""},
    {"hostname", 0, cmd_hostname, ""},
    {"ps", 0, cmd_ps, ""},
    {"mounts", 0, cmd_mounts, ""},
    {"netdevs", 0, cmd_netdevs, ""},
    {"ipcs", 0, cmd_ipcs, ""},
    {"cgroup", 0, cmd_cgroup, ""},
    {"uptime", 0, cmd_uptime, ""},
    {"monotonic", 0, cmd_monotonic, ""},
    {"boottime", 0, cmd_boottime, ""},
    {"env", 0, cmd_env, ""},
    {"cwd", 0, cmd_cwd, ""},
    {"umask", 0, cmd_umask, ""},
    {"caps", 0, cmd_caps, ""},
    {"seccomp", 0, cmd_seccomp, ""},
    {"fds", 0, cmd_fds, ""},
    {"rlimit", 1, cmd_rlimit, "NAME"},
    {"write", 1, cmd_write, "PATH [TEXT]"},
    {"read", 1, cmd_read, "PATH"},
    {"mount-tmpfs", 1, cmd_mount_tmpfs, "PATH"},
    {"exit", 1, cmd_exit, "N"},
    {"kill-self", 1, cmd_kill_self, "SIG"},
    {"sleep", 1, cmd_sleep, "SECS"},
    {"trap", 1, cmd_trap, "SECS"},
    {"tty", 0, cmd_tty, ""},
    {"msgget", 1, cmd_msgget, "KEY"},
    {"stat", 1, cmd_stat, "PATH"},
    {"attack", 1, cmd_attack, "NAME [ARG...] (escape attempts: see cmd_attack)"},
    {"keyring", 0, cmd_keyring, ""},
};

static int
usage(FILE *out)
{
    fputs("usage: probe COMMAND [ARG...]\ncommands:\n", out);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %s %s\n", commands[i].name, commands[i].usage);
    return out == stdout ? 0 : 2;
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
        return usage(stdout);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const struct command *c = &commands[i];
        int r;

        if (strcmp(argv[1], c->name) != 0)
            continue;
        if (argc - 2 < c->min_args) {
            fprintf(stderr, "usage: probe %s %s\n", c->name, c->usage);
            return 2;
        }
        r = c->run(argc - 2, argv + 2);
        if (fflush(stdout) != 0 && r == 0)
            r = fail("write stdout: %s", strerror(errno));
        return r;
    }
    fprintf(stderr, "error: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}

/* ---- attacks: escape attempts from inside (tests/integration/escape*.bats) ----
 * Each prints "blocked: <how>" and exits 0 when the attack fails, "ESCAPED: <what>" and exits 3
 * when it works. Nothing here harms a host it reaches: writes put back the value they read. */
#include <linux/reboot.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

static int
blocked(const char *fmt, ...)
{
    va_list ap;

    fputs("blocked: ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    return 0;
}

static int
escaped(const char *what)
{
    printf("ESCAPED: %s\n", what);
    return 3;
}

/* Read a file and write the same bytes back: blocked if open for writing or the write fails. */
static int
attack_rewrite(const char *path)
{
    char buf[4096] = "";
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;

    if (fd >= 0)
        close(fd);
    if (n <= 0)
        n = 1, buf[0] = '\n';
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return blocked("open '%s' for writing: %s", path, strerror(errno));
    ssize_t w = write(fd, buf, (size_t)n);
    int e = errno;
    close(fd);
    if (w < 0)
        return blocked("write '%s': %s", path, strerror(e));
    return escaped(path);
}

/* /proc/sysrq-trigger: "h" only prints help to the kernel log if it ever got through. */
static int
attack_sysrq(void)
{
    int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return blocked("open '/proc/sysrq-trigger': %s", strerror(errno));
    ssize_t w = write(fd, "h", 1);
    int e = errno;
    close(fd);
    return w < 0 ? blocked("write '/proc/sysrq-trigger': %s", strerror(e))
                 : escaped("/proc/sysrq-trigger");
}

static int
attack_kcore(void)
{
    char buf[64];
    int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return blocked("open '/proc/kcore': %s", strerror(errno));
    ssize_t n = read(fd, buf, sizeof(buf));
    int e = errno;
    close(fd);
    if (n < 0)
        return blocked("read '/proc/kcore': %s", strerror(e));
    return n == 0 ? blocked("'/proc/kcore' is empty") : escaped("/proc/kcore has content");
}

/* mkdir x; chroot x; cd ../../..; chroot . — a second chroot escape: after pivot_root and the
 * detach of the old root, ".." above the container's root is the root itself. */
static int
attack_chroot(void)
{
    struct stat before, after;

    if (stat("/", &before) < 0)
        return fail_errno("stat", "/");
    (void)mkdir("/tmp/.chroot-escape", 0700);
    if (chroot("/tmp/.chroot-escape") < 0)
        return blocked("chroot: %s", strerror(errno));
    for (int i = 0; i < 64; i++)
        if (chdir("..") < 0)
            break;
    if (chroot(".") < 0)
        return blocked("second chroot: %s", strerror(errno));
    if (stat("/", &after) < 0)
        return fail_errno("stat", "/");
    (void)rmdir("/tmp/.chroot-escape");
    if (before.st_dev == after.st_dev && before.st_ino == after.st_ino)
        return blocked("'..' stops at the container's root");
    return escaped("chroot .. reached a directory above the container's root");
}

/* CVE-2024-21626: the working directory must lie inside the root: ".." from it reaches "/". */
static int
attack_cwd(void)
{
    struct stat root, cur;
    char path[PATH_MAX] = ".";

    if (stat("/", &root) < 0)
        return fail_errno("stat", "/");
    for (int i = 0; i < 256; i++) {
        if (stat(path, &cur) < 0)
            return blocked("cwd: stat '%s': %s", path, strerror(errno));
        if (cur.st_dev == root.st_dev && cur.st_ino == root.st_ino)
            return blocked("the cwd is below the container's root");
        strncat(path, "/..", sizeof(path) - strlen(path) - 1);
    }
    return escaped("the cwd is outside the container's root");
}

/* CVE-2024-21626: no fd beyond stdio, and none pointing at a host directory. */
static int
attack_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int extra = 0;

    if (!d)
        return fail_errno("opendir", "/proc/self/fd");
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] == '.' || fd == dirfd(d) || fd <= 2)
            continue;
        char link[64], target[PATH_MAX] = "";
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        (void)readlink(link, target, sizeof(target) - 1);
        printf("leaked fd %d -> %s\n", fd, target);
        extra++;
    }
    closedir(d);
    return extra ? escaped("fds beyond 0, 1, 2 are open") : blocked("only fds 0, 1, 2 are open");
}

static int
attack_syscall(const char *name, long r)
{
    if (r < 0)
        return blocked("%s: %s", name, strerror(errno));
    return escaped(name);
}

static int
attack_rawsock(void)
{
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (fd < 0)
        return blocked("raw socket: %s", strerror(errno));
    close(fd);
    return escaped("raw socket opened");
}

/* mknod a block device (CAP_MKNOD allows the node) and read it: the devices cgroup refuses. */
static int
attack_blockdev(int argc, char **argv)
{
    unsigned ma = argc > 0 ? (unsigned)atoi(argv[0]) : 8,
             mi = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
    char buf[512];

    (void)unlink("/tmp/.blockdev");
    if (mknod("/tmp/.blockdev", S_IFBLK | 0600, makedev(ma, mi)) < 0)
        return blocked("mknod %u:%u: %s", ma, mi, strerror(errno));
    int fd = open("/tmp/.blockdev", O_RDONLY | O_CLOEXEC);
    int e = errno;
    (void)unlink("/tmp/.blockdev");
    if (fd < 0)
        return blocked("open block device %u:%u: %s", ma, mi, strerror(e));
    ssize_t n = read(fd, buf, sizeof(buf));
    close(fd);
    return n < 0 ? blocked("read block device: %s", strerror(errno))
                 : escaped("read a block device");
}

/* A host pid (given by the test): neither visible, signalable nor traceable. */
static int
attack_hostpid(const char *arg)
{
    pid_t pid = (pid_t)atoi(arg);
    char path[64];

    snprintf(path, sizeof(path), "/proc/%d", pid);
    if (access(path, F_OK) == 0)
        return escaped("the host pid is visible in /proc");
    if (kill(pid, SIGCONT) == 0)
        return escaped("signalled the host pid");
    int e = errno;
    if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0)
        return escaped("ptrace attached to the host pid");
    return blocked("pid %d: not in /proc, kill: %s, ptrace: %s", pid, strerror(e), strerror(errno));
}

/* CVE-2019-5736: keep /proc/PID/exe of a runtime process, wait for it to exit, write to it. */
static int
attack_exe(const char *arg)
{
    char path[64], target[PATH_MAX] = "";
    pid_t pid = (pid_t)atoi(arg);

    snprintf(path, sizeof(path), "/proc/%d/exe", pid);
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return blocked("open '%s': %s", path, strerror(errno));
    (void)readlink(path, target, sizeof(target) - 1);
    printf("target: %s\n", target);
    fflush(stdout);
    snprintf(path, sizeof(path), "/proc/%d", pid);
    for (int i = 0; i < 300 && access(path, F_OK) == 0; i++)
        usleep(100000);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    int w = open(path, O_WRONLY | O_CLOEXEC);
    if (w < 0)
        return blocked("reopen the runtime's exe for writing: %s", strerror(errno));
    ssize_t n = write(w, "#!/bin/sh\necho pwned\n", 21);
    int e = errno;
    close(w);
    if (n < 0)
        return blocked("write the runtime's exe: %s", strerror(e));
    return escaped("wrote to the runtime's exe");
}

/* Landlock's TCP rules: "blocked" only for EACCES (a refused connection is not Landlock). */
static int
attack_tcp(bool connecting, const char *port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)atoi(port)),
                             .sin_addr = {htonl(INADDR_LOOPBACK)}};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return fail("socket: %s", strerror(errno));
    int r = connecting ? connect(fd, (struct sockaddr *)&sa, sizeof(sa))
                       : bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    int e = errno;
    close(fd);
    if (r < 0 && e == EACCES)
        return blocked("%s port %s: %s", connecting ? "connect" : "bind", port, strerror(e));
    printf("ESCAPED: %s port %s: %s\n", connecting ? "connect" : "bind", port,
           r < 0 ? strerror(e) : "done");
    return 3;
}

static int
cmd_attack(int argc, char **argv)
{
    const char *a = argv[0];

    if (strcmp(a, "sysrq") == 0)
        return attack_sysrq();
    if (strcmp(a, "rewrite") == 0 && argc > 1)
        return attack_rewrite(argv[1]);
    if (strcmp(a, "kcore") == 0)
        return attack_kcore();
    if (strcmp(a, "chroot") == 0)
        return attack_chroot();
    if (strcmp(a, "cwd") == 0)
        return attack_cwd();
    if (strcmp(a, "fds") == 0)
        return attack_fds();
    if (strcmp(a, "mount") == 0)
        return attack_syscall("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
    if (strcmp(a, "module") == 0)
        return attack_syscall("finit_module", syscall(SYS_finit_module, 0, "", 0));
    if (strcmp(a, "reboot") == 0)
        return attack_syscall("reboot",
                              syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
                                      LINUX_REBOOT_CMD_CAD_OFF, NULL));
    if (strcmp(a, "keyctl") == 0)
        return attack_syscall("keyctl", syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0));
    if (strcmp(a, "unshare") == 0)
        return attack_syscall("unshare", unshare(CLONE_NEWUSER | CLONE_NEWNS));
    if (strcmp(a, "rawsock") == 0)
        return attack_rawsock();
    if (strcmp(a, "blockdev") == 0)
        return attack_blockdev(argc - 1, argv + 1);
    if (strcmp(a, "hostpid") == 0 && argc > 1)
        return attack_hostpid(argv[1]);
    if (strcmp(a, "exe") == 0 && argc > 1)
        return attack_exe(argv[1]);
    if ((strcmp(a, "tcp-connect") == 0 || strcmp(a, "tcp-bind") == 0) && argc > 1)
        return attack_tcp(a[4] == 'c', argv[1]);
    return fail("unknown attack '%s'", a);
}

/* ---- keyring: the serial of the session keyring (tests/integration/oci.bats) ---- */

/* KEYCTL_GET_KEYRING_ID of KEY_SPEC_SESSION_KEYRING, without creating one: a process without a
 * session keyring gets its user's session keyring. */
static int
cmd_keyring(int argc, char **argv)
{
    long serial = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);

    if (serial < 0)
        return fail("keyctl: %s", strerror(errno));
    printf("%ld\n", serial);
    return 0;
}
