// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the OCI verbs share: errors on stderr and in --log (text, or runc's JSON lines that podman
 * and containerd read back on failure), flag complaints, bundle loading, signal names.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

static const struct cli_globals *log_globals;

static void vreport(const char *level, const char *fmt, va_list ap);

static void
report(const char *level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(level, fmt, ap);
    va_end(ap);
}

/* The library's warnings and, with --debug, its debug lines: like vessel's own. */
static void
lib_log(enum vsl_log_level level, const char *line)
{
    report(level == VSL_LOG_DEBUG ? "debug" : "warning", "%s", line);
}

void
cli_log_setup(const struct cli_globals *g)
{
    log_globals = g;
    vsl_set_log(lib_log, g->debug);
}

static void
json_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
}

static void
log_line(const char *level, const char *msg)
{
    char ts[64];
    struct timespec now;
    struct tm tm;

    if (!log_globals || !log_globals->log_path)
        return;
    int fd = open(log_globals->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "a");
    if (!f) {
        (void)close(fd);
        return;
    }
    (void)clock_gettime(CLOCK_REALTIME, &now);
    (void)gmtime_r(&now.tv_sec, &tm);
    size_t n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    (void)snprintf(ts + n, sizeof(ts) - n, ".%09ldZ", now.tv_nsec);
    if (log_globals->log_format == CLI_LOG_JSON) {
        fprintf(f, "{\"level\":\"%s\",\"msg\":\"", level);
        json_escape(f, msg);
        fprintf(f, "\",\"time\":\"%s\"}\n", ts);
    } else {
        fprintf(f, "time=\"%s\" level=%s msg=\"", ts, level);
        json_escape(f, msg);
        fputs("\"\n", f);
    }
    (void)fclose(f);
}

static void
vreport(const char *level, const char *fmt, va_list ap)
{
    char msg[1024];

    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    if (strcmp(level, "error") == 0)
        fprintf(stderr, "vessel: %s\n", msg);
    else
        fprintf(stderr, "vessel: %s: %s\n", level, msg);
    log_line(level, msg);
}

int
cli_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("error", fmt, ap);
    va_end(ap);
    return CLI_EXIT_FAILURE;
}

void
cli_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("warning", fmt, ap);
    va_end(ap);
}

int
cli_bad_flag(const char *verb, int c, char **argv)
{
    extern int optind, optopt;
    const char *word = argv[optind - 1];
    int len = (int)strcspn(word, "=");

    if (c == ':')
        return cli_error("%s: flag needs an argument: '%.*s'", verb, len, word);
    if (optopt > 0 && optopt < 0x100 && word[1] != '-')
        return cli_error("%s: unknown shorthand flag: '%c' in '%s'", verb, optopt, word);
    return cli_error("%s: unknown flag: '%.*s'", verb, len, word);
}

int
cli_need_args(const char *verb, int argc, int optind_, int n, const char *what)
{
    if (argc - optind_ == n)
        return 0;
    cli_error("%s: expected %s, got %d argument%s (see 'vessel %s --help')", verb, what,
              argc - optind_, argc - optind_ == 1 ? "" : "s", verb);
    return -EINVAL;
}

int
cli_parse_id_only(const char *verb, const char *usage, int argc, char **argv, const char **ret_id)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            printf("Usage: vessel %s ID\n\n%s\n", verb, usage);
            return 0;
        }
        return cli_bad_flag(verb, c, argv);
    }
    if (cli_need_args(verb, argc, optind, 1, "a container id") < 0)
        return CLI_EXIT_FAILURE;
    *ret_id = argv[optind];
    return CLI_PARSED;
}

int
cli_load_bundle(const char *dir, struct vsl_spec **ret_spec, char **ret_bundle,
                struct vsl_error *err)
{
    _cleanup_spec_ struct vsl_spec *spec = NULL;
    _cleanup_free_ char *bundle = realpath(dir, NULL);
    _cleanup_free_ char *config = NULL;
    int r;

    if (!bundle)
        return vsl_err_errno(err, "bundle '%s'", dir);
    if (asprintf(&config, "%s/config.json", bundle) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    if ((r = vsl_spec_load(config, &spec, err)) < 0)
        return r;
    if ((r = vsl_spec_resolve_root(spec, bundle, err)) < 0)
        return r;
    *ret_spec = TAKE_PTR(spec);
    *ret_bundle = TAKE_PTR(bundle);
    return 0;
}

int
cli_parse_uint(const char *s, unsigned *ret)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);

    if (!*s || *end || errno || v > 1u << 20 || s[0] == '-')
        return -EINVAL;
    *ret = (unsigned)v;
    return 0;
}

static const struct {
    const char *name;
    int sig;
} signals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

int
cli_parse_signal(const char *s)
{
    char up[32];
    size_t i;

    if (*s >= '0' && *s <= '9') {
        unsigned v;
        if (cli_parse_uint(s, &v) < 0 || v == 0 || (int)v > SIGRTMAX)
            return -EINVAL;
        return (int)v;
    }
    for (i = 0; i < sizeof(up) - 1 && s[i]; i++)
        up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    up[i] = '\0';
    const char *name = strncmp(up, "SIG", 3) == 0 ? up + 3 : up;
    for (i = 0; i < ARRAY_SIZE(signals); i++)
        if (strcmp(name, signals[i].name) == 0)
            return signals[i].sig;
    if (strncmp(name, "RTMIN", 5) == 0 || strncmp(name, "RTMAX", 5) == 0) {
        int base = name[3] == 'I' ? SIGRTMIN : SIGRTMAX;
        int off = name[5] ? atoi(name + 5) : 0;
        int sig = base + off;
        if (sig >= SIGRTMIN && sig <= SIGRTMAX)
            return sig;
    }
    return -EINVAL;
}
