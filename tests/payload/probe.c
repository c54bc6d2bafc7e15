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
