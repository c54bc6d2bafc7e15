// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stages "seccomp" and "seccomp-nnp": linux.seccomp through libseccomp.
 * The parent compiles the profile to BPF in prepare (libseccomp never runs in the child) and, for
 * SCMP_ACT_NOTIFY, connects to listenerPath and, after clone, writes the container state into a
 * pipe. The child loads the filter with seccomp(2) as runc does: without noNewPrivileges it needs
 * CAP_SYS_ADMIN, so "seccomp" runs before process drops capabilities; with noNewPrivileges
 * "seccomp-nnp" runs after process and Landlock, the last step before exec, so the fewest syscalls
 * of vessel's own pass through the filter. With NOTIFY the child then sends the listener fd and the
 * state to listenerPath (runtime-spec seccomp.md, "containerProcessState").
 */
#include "stages/seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "stages/stage.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static const struct {
    const char *name;
    unsigned flag;
    bool optional; /* dropped, not refused, by kernels that lack it */
} filter_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC, false},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG, false},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW, false},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, true},
};

static const struct {
    const char *name;
    enum scmp_compare op;
} ops[] = {
    [VSL_SCMP_NE] = {"SCMP_CMP_NE", SCMP_CMP_NE},
    [VSL_SCMP_LT] = {"SCMP_CMP_LT", SCMP_CMP_LT},
    [VSL_SCMP_LE] = {"SCMP_CMP_LE", SCMP_CMP_LE},
    [VSL_SCMP_EQ] = {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    [VSL_SCMP_GE] = {"SCMP_CMP_GE", SCMP_CMP_GE},
    [VSL_SCMP_GT] = {"SCMP_CMP_GT", SCMP_CMP_GT},
    [VSL_SCMP_MASKED_EQ] = {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static inline long
sys_seccomp(unsigned op, unsigned flags, void *args)
{
    return syscall(SYS_seccomp, op, flags, args);
}

/* An OCI action name and errnoRet to a libseccomp action; -EINVAL when unknown. */
static int
parse_action(const char *name, struct vsl_opt_u64 errno_ret, uint32_t *ret)
{
    uint32_t e = errno_ret.set ? (uint32_t)errno_ret.v : EPERM;

    if (!name)
        return -EINVAL;
    if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
        *ret = SCMP_ACT_ALLOW;
    else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
        *ret = SCMP_ACT_ERRNO(e);
    else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
        *ret = SCMP_ACT_KILL_THREAD;
    else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
        *ret = SCMP_ACT_KILL_PROCESS;
    else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
        *ret = SCMP_ACT_TRAP;
    else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
        *ret = SCMP_ACT_TRACE(e);
    else if (strcmp(name, "SCMP_ACT_LOG") == 0)
        *ret = SCMP_ACT_LOG;
    else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
        *ret = SCMP_ACT_NOTIFY;
    else
        return -EINVAL;
    return 0;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token; 0 when unknown. */
static uint32_t
parse_arch(const char *name)
{
    char low[32];
    size_t i;

    if (strncmp(name, "SCMP_ARCH_", 10) != 0)
        return 0;
    if (strcmp(name, "SCMP_ARCH_NATIVE") == 0)
        return seccomp_arch_native();
    for (i = 0; name[10 + i] && i < sizeof(low) - 1; i++)
        low[i] = (char)tolower((unsigned char)name[10 + i]);
    low[i] = '\0';
    return seccomp_arch_resolve_name(low);
}

static bool
has_notify(const struct vsl_seccomp *sc)
{
    for (size_t i = 0; i < sc->n_syscalls; i++)
        if (sc->syscalls[i].action && strcmp(sc->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
            return true;
    return false;
}

int
vsl_seccomp_validate(const struct vsl_seccomp *sc, struct vsl_error *err)
{
    uint32_t act;
    size_t j;

    if (parse_action(sc->default_action, sc->default_errno_ret, &act) < 0 || act == SCMP_ACT_NOTIFY)
        return vsl_err(err, EINVAL, "linux.seccomp.defaultAction: unknown action '%s'",
                       sc->default_action ? sc->default_action : "");
    for (size_t i = 0; i < sc->architectures.n; i++)
        if (!parse_arch(sc->architectures.v[i]))
            return vsl_err(err, EINVAL, "linux.seccomp.architectures[%zu]: unknown '%s'", i,
                           sc->architectures.v[i]);
    for (size_t i = 0; i < sc->flags.n; i++) {
        for (j = 0; j < ARRAY_SIZE(filter_flags); j++)
            if (strcmp(sc->flags.v[i], filter_flags[j].name) == 0)
                break;
        if (j == ARRAY_SIZE(filter_flags))
            return vsl_err(err, EINVAL, "linux.seccomp.flags[%zu]: unknown flag '%s'", i,
                           sc->flags.v[i]);
    }
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        const struct vsl_seccomp_syscall *s = &sc->syscalls[i];
        if (parse_action(s->action, s->errno_ret, &act) < 0)
            return vsl_err(err, EINVAL, "linux.seccomp.syscalls[%zu].action: unknown action '%s'",
                           i, s->action ? s->action : "");
        for (j = 0; j < s->n_args; j++)
            if (s->args[j].index > 5 || (size_t)s->args[j].op >= ARRAY_SIZE(ops))
                return vsl_err(err, EINVAL, "linux.seccomp.syscalls[%zu].args[%zu]: bad argument",
                               i, j);
    }
    if (has_notify(sc) && (!sc->listener_path || !*sc->listener_path))
        return vsl_err(err, EINVAL, "linux.seccomp: SCMP_ACT_NOTIFY needs a listenerPath");
    return 0;
}

static int
seccomp_validate(const struct vsl_spec *spec, struct vsl_error *err)
{
    return spec->linux_.seccomp ? vsl_seccomp_validate(spec->linux_.seccomp, err) : 0;
}

/* runc's rule: conditions on distinct arguments are ANDed in one rule; several conditions on the
 * same argument (OR in every profile that uses them) become one rule each. */
static int
add_syscall_rule(scmp_filter_ctx f, uint32_t act, int nr, const struct vsl_seccomp_syscall *s)
{
    struct scmp_arg_cmp conds[6];
    bool seen[6] = {false}, unique = s->n_args <= 6;

    for (size_t i = 0; unique && i < s->n_args; i++) {
        unique = !seen[s->args[i].index];
        seen[s->args[i].index] = true;
    }
    for (size_t i = 0; i < s->n_args; i++)
        conds[i % 6] = (struct scmp_arg_cmp){s->args[i].index, ops[s->args[i].op].op,
                                             s->args[i].value, s->args[i].value_two};
    if (s->n_args == 0)
        return seccomp_rule_add(f, act, nr, 0);
    if (unique)
        return seccomp_rule_add_array(f, act, nr, (unsigned)s->n_args, conds);
    for (size_t i = 0; i < s->n_args; i++) {
        struct scmp_arg_cmp c = {s->args[i].index, ops[s->args[i].op].op, s->args[i].value,
                                 s->args[i].value_two};
        int r = seccomp_rule_add_array(f, act, nr, 1, &c);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
add_rules(scmp_filter_ctx f, const struct vsl_seccomp *sc, uint32_t def, struct vsl_error *err)
{
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        const struct vsl_seccomp_syscall *s = &sc->syscalls[i];
        uint32_t act;

        (void)parse_action(s->action, s->errno_ret, &act);
        if (act == def) /* libseccomp refuses a rule that only repeats the default */
            continue;
        for (size_t j = 0; j < s->names.n; j++) {
            int nr = seccomp_syscall_resolve_name(s->names.v[j]);
            if (nr == __NR_SCMP_ERROR) /* unknown on this architecture: skipped */
                continue;
            int r = add_syscall_rule(f, act, nr, s);
            if (r < 0)
                return vsl_err_code(err, r, "linux.seccomp.syscalls[%zu]: add rule for '%s'", i,
                                    s->names.v[j]);
        }
    }
    return 0;
}

/* Compile to BPF: libseccomp writes to an fd (2.5 has no export to memory), a memfd here. */
static int
export_bpf(scmp_filter_ctx f, struct sock_filter **ret_prog, unsigned short *ret_len,
           struct vsl_error *err)
{
    _cleanup_close_ int fd = memfd_create("vessel-seccomp", MFD_CLOEXEC);
    int r;

    if (fd < 0)
        return vsl_err_errno(err, "memfd_create");
    if ((r = seccomp_export_bpf(f, fd)) < 0)
        return vsl_err_code(err, r, "seccomp_export_bpf");
    off_t len = lseek(fd, 0, SEEK_END);
    if (len <= 0 || len % sizeof(struct sock_filter) || len > 0xffff * 8)
        return vsl_err(err, EINVAL, "linux.seccomp: the compiled filter has %lld bytes",
                       (long long)len);
    struct sock_filter *prog = malloc((size_t)len);
    if (!prog)
        return vsl_err(err, ENOMEM, "out of memory");
    if (pread(fd, prog, (size_t)len, 0) != len) {
        free(prog);
        return vsl_err_errno(err, "read the compiled seccomp filter");
    }
    *ret_prog = prog;
    *ret_len = (unsigned short)(len / sizeof(struct sock_filter));
    return 0;
}

int
vsl_seccomp_compile(const struct vsl_seccomp *sc, struct sock_filter **ret_prog,
                    unsigned short *ret_len, struct vsl_error *err)
{
    uint32_t def;
    int r;

    (void)parse_action(sc->default_action, sc->default_errno_ret, &def);
    scmp_filter_ctx f = seccomp_init(def);
    if (!f)
        return vsl_err(err, ENOMEM, "seccomp_init");
    /* what the filter is loaded with is decided by the child's own seccomp(2) call */
    (void)seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0);
    for (size_t i = 0; i < sc->architectures.n; i++) {
        r = seccomp_arch_add(f, parse_arch(sc->architectures.v[i]));
        if (r < 0 && r != -EEXIST) {
            seccomp_release(f);
            return vsl_err_code(err, r, "linux.seccomp: add architecture '%s'",
                                sc->architectures.v[i]);
        }
    }
    r = add_rules(f, sc, def, err);
    if (r >= 0)
        r = export_bpf(f, ret_prog, ret_len, err);
    seccomp_release(f);
    return r;
}

static int
connect_listener(struct vsl_ctx *ctx, const char *path, struct vsl_error *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (strlen(path) >= sizeof(sa.sun_path))
        return vsl_err(err, ENAMETOOLONG, "linux.seccomp.listenerPath: '%s' is too long", path);
    strcpy(sa.sun_path, path);
    if (fd < 0)
        return vsl_err_errno(err, "socket");
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return vsl_err_errno(err, "linux.seccomp.listenerPath: connect '%s'", path);
    if (pipe2(ctx->seccomp_state, O_CLOEXEC) < 0)
        return vsl_err_errno(err, "pipe2");
    ctx->seccomp_listener = TAKE_FD(fd);
    return 0;
}

/*
 * A cache of compiled filters. libseccomp needs tens of milliseconds for a profile the size of the
 * default one (about 29 million instructions), and the result is the same every time: it is kept
 * in <root>/.seccomp/<hash>, keyed by all that decides the program (libseccomp's version and the
 * profile as parsed; flags and the listener are applied elsewhere). The file holds the whole key,
 * so a hash collision is a miss, never a wrong filter. The directory is the state root's (0700,
 * the runtime's owner): whoever can write there can already change every container.
 */
struct keybuf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void
kb_add(struct keybuf *k, const void *data, size_t n)
{
    if (k->oom)
        return;
    if (k->len + n > k->cap) {
        size_t cap = (k->cap ? k->cap * 2 : 4096) + n;
        char *p = realloc(k->p, cap);
        if (!p) {
            k->oom = true;
            return;
        }
        k->p = p;
        k->cap = cap;
    }
    memcpy(k->p + k->len, data, n);
    k->len += n;
}

static void
kb_str(struct keybuf *k, const char *s)
{
    kb_add(k, s ? s : "", strlen(s ? s : "") + 1);
}

static void
kb_u64(struct keybuf *k, uint64_t v)
{
    kb_add(k, &v, sizeof(v));
}

static void
profile_key(const struct vsl_seccomp *sc, struct keybuf *k)
{
    const struct scmp_version *v = seccomp_version();

    /* vessel's version (its profile-to-rules code), libseccomp's and the kernel API level it
     * detected decide the program as much as the profile does. */
    kb_str(k, "vessel-seccomp-bpf-1");
    kb_str(k, VSL_VERSION);
    kb_u64(k, seccomp_api_get());
    kb_u64(k, v ? v->major : 0);
    kb_u64(k, v ? v->minor : 0);
    kb_u64(k, v ? v->micro : 0);
    kb_u64(k, seccomp_arch_native());
    kb_str(k, sc->default_action);
    kb_u64(k, sc->default_errno_ret.set);
    kb_u64(k, sc->default_errno_ret.v);
    kb_u64(k, sc->architectures.n);
    for (size_t i = 0; i < sc->architectures.n; i++)
        kb_str(k, sc->architectures.v[i]);
    kb_u64(k, sc->n_syscalls);
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        const struct vsl_seccomp_syscall *s = &sc->syscalls[i];
        kb_u64(k, s->names.n);
        for (size_t j = 0; j < s->names.n; j++)
            kb_str(k, s->names.v[j]);
        kb_str(k, s->action);
        kb_u64(k, s->errno_ret.set);
        kb_u64(k, s->errno_ret.v);
        kb_u64(k, s->n_args);
        for (size_t j = 0; j < s->n_args; j++) {
            kb_u64(k, s->args[j].index);
            kb_u64(k, (uint64_t)s->args[j].op);
            kb_u64(k, s->args[j].value);
            kb_u64(k, s->args[j].value_two);
        }
    }
}

/* FNV-1a: names the file; the full key inside decides. */
static uint64_t
key_hash(const struct keybuf *k)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < k->len; i++)
        h = (h ^ (unsigned char)k->p[i]) * 0x100000001b3ULL;
    return h;
}

/* The cache directory next to the container's: <root>/.seccomp; NULL when there is none. */
static int
cache_dir(const struct vsl_ctx *ctx)
{
    char path[4096];
    const char *slash = ctx->state_dir ? strrchr(ctx->state_dir, '/') : NULL;

    if (!slash || (size_t)(slash - ctx->state_dir) + sizeof("/.seccomp") > sizeof(path))
        return -EINVAL;
    (void)snprintf(path, sizeof(path), "%.*s/.seccomp", (int)(slash - ctx->state_dir),
                   ctx->state_dir);
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        return -errno;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

/* A hit: the file is the key followed by the program. */
static int
cache_load(int dirfd, const char *name, const struct keybuf *k, struct sock_filter **ret_prog,
           unsigned short *ret_len)
{
    _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;

    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return -ENOENT;
    size_t plen = (size_t)st.st_size - k->len;
    if ((size_t)st.st_size <= k->len || plen % sizeof(struct sock_filter) ||
        plen > 0xffff * sizeof(struct sock_filter))
        return -ENOENT;
    _cleanup_free_ char *buf = malloc((size_t)st.st_size);
    if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size || memcmp(buf, k->p, k->len))
        return -ENOENT;
    struct sock_filter *prog = malloc(plen);
    if (!prog)
        return -ENOMEM;
    memcpy(prog, buf + k->len, plen);
    *ret_prog = prog;
    *ret_len = (unsigned short)(plen / sizeof(struct sock_filter));
    return 0;
}

/* Best effort: a temporary file renamed into place, so a reader never sees half a file. */
static void
cache_store(int dirfd, const char *name, const struct keybuf *k, const struct sock_filter *prog,
            unsigned short len)
{
    char tmp[64];

    (void)snprintf(tmp, sizeof(tmp), "%s.%d", name, (int)getpid());
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    size_t plen = (size_t)len * sizeof(*prog);
    bool ok = write(fd, k->p, k->len) == (ssize_t)k->len && write(fd, prog, plen) == (ssize_t)plen;
    (void)close(fd);
    if (!ok || renameat(dirfd, tmp, dirfd, name) < 0)
        (void)unlinkat(dirfd, tmp, 0);
}

static int
compile_cached(const struct vsl_ctx *ctx, const struct vsl_seccomp *sc,
               struct sock_filter **ret_prog, unsigned short *ret_len, struct vsl_error *err)
{
    struct keybuf k = {0};
    _cleanup_close_ int dirfd = -EBADF;
    char name[32];
    int r;

    profile_key(sc, &k);
    dirfd = k.oom ? -ENOMEM : cache_dir(ctx);
    if (dirfd < 0) {
        free(k.p);
        return vsl_seccomp_compile(sc, ret_prog, ret_len, err);
    }
    (void)snprintf(name, sizeof(name), "%016llx", (unsigned long long)key_hash(&k));
    if (cache_load(dirfd, name, &k, ret_prog, ret_len) == 0) {
        free(k.p);
        return 0;
    }
    r = vsl_seccomp_compile(sc, ret_prog, ret_len, err);
    if (r >= 0)
        cache_store(dirfd, name, &k, *ret_prog, *ret_len);
    free(k.p);
    return r;
}

static int
seccomp_prepare(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_seccomp *sc = ctx->spec->linux_.seccomp;
    int r;

    if (ctx->seccomp_bpf) /* both stages share one compiled filter */
        return 0;
    for (size_t i = 0; i < sc->flags.n; i++)
        for (size_t j = 0; j < ARRAY_SIZE(filter_flags); j++)
            if (strcmp(sc->flags.v[i], filter_flags[j].name) == 0)
                ctx->seccomp_flags |= filter_flags[j].flag;
    if ((r = vsl_seccomp_validate(sc, err)) < 0)
        return r;
    if ((r = compile_cached(ctx, sc, &ctx->seccomp_bpf, &ctx->seccomp_len, err)) < 0)
        return r;
    if (has_notify(sc)) {
        ctx->seccomp_flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        return connect_listener(ctx, sc->listener_path, err);
    }
    return 0;
}

/* The containerProcessState the listener receives with the fd (runtime-spec seccomp.md). */
static char *
listener_state(const struct vsl_ctx *ctx)
{
    const struct vsl_seccomp *sc = ctx->spec->linux_.seccomp;
    json_t *o = json_pack("{s:s, s:[s], s:I, s:s, s:{s:s, s:s, s:s, s:I, s:s}}", "ociVersion",
                          VSL_OCI_VERSION, "fds", "seccompFd", "pid", (json_int_t)ctx->pid,
                          "metadata", sc->listener_metadata ? sc->listener_metadata : "", "state",
                          "ociVersion", VSL_OCI_VERSION, "id", ctx->id ? ctx->id : "", "status",
                          "creating", "pid", (json_int_t)ctx->pid, "bundle", "");
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

    json_decref(o);
    return s;
}

static int
seccomp_parent_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    _cleanup_free_ char *state = NULL;

    if (ctx->seccomp_listener < 0 || ctx->seccomp_state[1] < 0)
        return 0;
    state = listener_state(ctx);
    if (!state)
        return vsl_err(err, ENOMEM, "out of memory");
    size_t n = strlen(state);
    if (write(ctx->seccomp_state[1], state, n) != (ssize_t)n)
        return vsl_err_errno(err, "write the seccomp listener state");
    closep(&ctx->seccomp_state[1]);
    ctx->seccomp_state[1] = -EBADF;
    return 0;
}

/* the listener's state carries the init's pid, written from outside while the init waits */
static bool
seccomp_needs_copy(const struct vsl_ctx *ctx)
{
    return ctx->seccomp_listener >= 0;
}

/* Child: hand the listener fd and the state the parent wrote to listenerPath's socket. */
static int
send_listener(struct vsl_ctx *ctx, int listener, struct vsl_error *err)
{
    char buf[8192], cbuf[CMSG_SPACE(sizeof(int))] = {0};
    size_t len = 0;
    ssize_t n;

    closep(&ctx->seccomp_state[1]);
    while (len < sizeof(buf) && (n = read(ctx->seccomp_state[0], buf + len, sizeof(buf) - len)))
        if (n < 0 ? errno != EINTR : (len += (size_t)n, false))
            return vsl_err_errno(err, "read the seccomp listener state");
    struct iovec iov = {.iov_base = buf, .iov_len = len};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &listener, sizeof(int));
    if (sendmsg(ctx->seccomp_listener, &msg, MSG_NOSIGNAL) < 0)
        return vsl_err_errno(err, "send the seccomp listener fd to '%s'",
                             ctx->spec->linux_.seccomp->listener_path);
    closep(&ctx->seccomp_listener);
    ctx->seccomp_listener = -EBADF;
    return 0;
}

static int
seccomp_child_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    struct sock_fprog prog = {.len = ctx->seccomp_len, .filter = ctx->seccomp_bpf};
    unsigned flags = ctx->seccomp_flags;
    long fd = sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog);

    if (fd < 0 && errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) {
        flags &= ~(unsigned)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV; /* before Linux 6.0 */
        fd = sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog);
    }
    if (fd < 0)
        return vsl_err_errno(err, "seccomp(SECCOMP_SET_MODE_FILTER)");
    if (!(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
        return 0;
    _cleanup_close_ int listener = (int)fd;
    return send_listener(ctx, listener, err);
}

static void
seccomp_undo(struct vsl_ctx *ctx)
{
    free(ctx->seccomp_bpf);
    ctx->seccomp_bpf = NULL;
    closep(&ctx->seccomp_listener);
    ctx->seccomp_listener = -EBADF;
    for (int i = 0; i < 2; i++) {
        closep(&ctx->seccomp_state[i]);
        ctx->seccomp_state[i] = -EBADF;
    }
}

static bool
seccomp_early_enabled(const struct vsl_ctx *ctx)
{
    return ctx->spec->linux_.seccomp && !ctx->spec->process.no_new_privileges;
}

static bool
seccomp_nnp_enabled(const struct vsl_ctx *ctx)
{
    return ctx->spec->linux_.seccomp && ctx->spec->process.no_new_privileges;
}

const struct vsl_stage vsl_stage_seccomp = {
    .name = "seccomp",
    .enabled = seccomp_early_enabled,
    .validate = seccomp_validate,
    .prepare = seccomp_prepare,
    .needs_copy = seccomp_needs_copy,
    .parent_setup = seccomp_parent_setup,
    .child_setup = seccomp_child_setup,
    .undo = seccomp_undo,
};

const struct vsl_stage vsl_stage_seccomp_nnp = {
    .name = "seccomp-nnp",
    .enabled = seccomp_nnp_enabled,
    .prepare = seccomp_prepare,
    .needs_copy = seccomp_needs_copy,
    .parent_setup = seccomp_parent_setup,
    .child_setup = seccomp_child_setup,
    .undo = seccomp_undo,
};
