// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * docker/moby-format seccomp profiles (moby's profiles/seccomp/default.json): "archMap" and rules
 * with "includes"/"excludes" conditions on capabilities, architectures and the kernel version.
 * Such a profile is resolved into an OCI linux.seccomp for one container the way moby's
 * setupSeccomp does it: against the container's bounding set, this machine's architecture and the
 * running kernel. A file without those members is an OCI profile and goes to vsl_seccomp_load().
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <vessel/security.h>
#include <vessel/vessel.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/spec_internal.h"

#define PROFILE_MAX_SIZE (16 << 20)

/* This machine in moby's two spellings: libseccomp-golang's name, which "includes"/"excludes"
 * "arches" list, and the SCMP_ARCH_ name "archMap" entries are keyed by. */
#if defined(__x86_64__)
#define NATIVE_ARCH "amd64"
#define NATIVE_SCMP "SCMP_ARCH_X86_64"
#elif defined(__aarch64__)
#define NATIVE_ARCH "arm64"
#define NATIVE_SCMP "SCMP_ARCH_AARCH64"
#elif defined(__i386__)
#define NATIVE_ARCH "x86"
#define NATIVE_SCMP "SCMP_ARCH_X86"
#elif defined(__arm__)
#define NATIVE_ARCH "arm"
#define NATIVE_SCMP "SCMP_ARCH_ARM"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_ARCH "ppc64le"
#define NATIVE_SCMP "SCMP_ARCH_PPC64LE"
#elif defined(__s390x__)
#define NATIVE_ARCH "s390x"
#define NATIVE_SCMP "SCMP_ARCH_S390X"
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_ARCH "riscv64"
#define NATIVE_SCMP "SCMP_ARCH_RISCV64"
#else
#define NATIVE_ARCH NULL /* moby knows no name: no archMap entry, no "arches" list matches */
#define NATIVE_SCMP NULL
#endif

static const char *const actions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY",
};

/* What a rule's conditions are checked against. */
struct host {
    uint64_t caps; /* the container's bounding set, as moby checks */
    unsigned long kernel, major;
    bool has_kernel; /* uname read, only when some rule has a minKernel */
};

/* One "includes" or "excludes" object. */
struct cond {
    struct vsl_strv caps;
    struct vsl_strv arches;
    bool has_min;
    unsigned long min_kernel, min_major;
};

static void
cond_clear(struct cond *c)
{
    vsl_strv_clear(&c->caps);
    vsl_strv_clear(&c->arches);
}

static void
seccomp_freep(struct vsl_seccomp **sc)
{
    vsl_seccomp_free(*sc);
}

static bool
has_member(json_t *o, const char *key)
{
    return json_is_object(o) && sp_get(o, key) != NULL;
}

/* archMap, or a rule with moby's own members: nothing an OCI profile has. */
static bool
is_docker(json_t *top)
{
    json_t *rules = sp_get(top, "syscalls"), *rule;
    size_t i;

    if (sp_get(top, "archMap"))
        return true;
    if (!json_is_array(rules))
        return false;
    json_array_foreach(rules, i, rule)
    {
        if (has_member(rule, "includes") || has_member(rule, "excludes") ||
            has_member(rule, "name"))
            return true;
    }
    return false;
}

/* "<kernel>.<major>", as moby's minKernel; anything after the major number is ignored. */
static int
parse_version(const char *s, unsigned long *ret_kernel, unsigned long *ret_major)
{
    char *end;
    unsigned long k, m;

    if (*s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    k = strtoul(s, &end, 10);
    if (errno || *end != '.' || end[1] < '0' || end[1] > '9')
        return -EINVAL;
    m = strtoul(end + 1, &end, 10);
    if (errno)
        return -EINVAL;
    *ret_kernel = k;
    *ret_major = m;
    return 0;
}

static int
read_kernel(const struct sp_ctx *c, struct host *h)
{
    struct utsname u = {0};

    if (h->has_kernel)
        return 0;
    if (uname(&u) < 0 || parse_version(u.release, &h->kernel, &h->major) < 0)
        return vsl_err(c->err, EINVAL, "%s: minKernel: cannot read this kernel's version '%s'",
                       c->name, u.release);
    h->has_kernel = true;
    return 0;
}

static int
parse_cond(const struct sp_ctx *c, json_t *rule, const char *path, const char *key,
           struct cond *ret)
{
    char p[SP_PATH_MAX], pk[SP_PATH_MAX];
    _cleanup_free_ char *min = NULL;
    json_t *o;
    int r;

    r = sp_object(c, rule, path, key, &o);
    if (r <= 0)
        return r;
    sp_key(p, path, key);
    if ((r = sp_strv(c, o, p, "caps", &ret->caps)) < 0 ||
        (r = sp_strv(c, o, p, "arches", &ret->arches)) < 0 ||
        (r = sp_string(c, o, p, "minKernel", false, &min)) < 0)
        return r;
    /* "" is Go's zero value: no condition */
    if (!min || !*min)
        return 0;
    if (parse_version(min, &ret->min_kernel, &ret->min_major) < 0 ||
        (ret->min_kernel == 0 && ret->min_major == 0))
        return sp_fail(c, sp_key(pk, p, "minKernel"),
                       "invalid kernel version '%s', expected \"<kernel>.<major>\"", min);
    ret->has_min = true;
    return 0;
}

static bool
in_strv(const struct vsl_strv *v, const char *s)
{
    for (size_t i = 0; s && i < v->n; i++)
        if (strcmp(v->v[i], s) == 0)
            return true;
    return false;
}

/* moby compares names with the spec's bounding list: exact, upper-case spellings only. */
static bool
has_cap(uint64_t caps, const char *name)
{
    int cap = vsl_cap_from_name(name);

    return cap >= 0 && cap < 64 && strcmp(vsl_cap_name(cap), name) == 0 &&
           (caps & (UINT64_C(1) << cap));
}

static int
kernel_at_least(const struct sp_ctx *c, struct host *h, const struct cond *cd)
{
    int r = read_kernel(c, h);

    if (r < 0)
        return r;
    return h->kernel > cd->min_kernel || (h->kernel == cd->min_kernel && h->major >= cd->min_major);
}

/* moby's order: any exclude that matches drops the rule, then every include must match. */
static int
rule_applies(const struct sp_ctx *c, struct host *h, const struct cond *exc, const struct cond *inc)
{
    int r;

    if (in_strv(&exc->arches, NATIVE_ARCH))
        return 0;
    for (size_t i = 0; i < exc->caps.n; i++)
        if (has_cap(h->caps, exc->caps.v[i]))
            return 0;
    if (exc->has_min && (r = kernel_at_least(c, h, exc)) != 0)
        return r < 0 ? r : 0;
    if (inc->arches.n && !in_strv(&inc->arches, NATIVE_ARCH))
        return 0;
    for (size_t i = 0; i < inc->caps.n; i++)
        if (!has_cap(h->caps, inc->caps.v[i]))
            return 0;
    if (inc->has_min)
        return kernel_at_least(c, h, inc);
    return 1;
}

/* path names the member itself: "syscalls[3].action", "defaultAction". */
static int
check_action(const struct sp_ctx *c, const char *path, const char *action)
{
    for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
        if (strcmp(actions[i], action) == 0)
            return 0;
    return sp_fail(c, path, "unknown action '%s'", action);
}

static int
parse_arg(const struct sp_ctx *c, json_t *o, const char *path, struct vsl_seccomp_arg *a)
{
    char pk[SP_PATH_MAX];
    _cleanup_free_ char *op = NULL;
    uint64_t index;
    int r;

    if (!json_is_object(o))
        return sp_fail(c, path, "expected an object");
    if ((r = sp_u64(c, o, path, "index", UINT32_MAX, true, &index)) < 0 ||
        (r = sp_u64(c, o, path, "value", UINT64_MAX, true, &a->value)) < 0 ||
        (r = sp_u64(c, o, path, "valueTwo", UINT64_MAX, false, &a->value_two)) < 0 ||
        (r = sp_string(c, o, path, "op", true, &op)) < 0)
        return r;
    r = vsl_seccomp_op_from_name(op);
    if (r < 0)
        return sp_fail(c, sp_key(pk, path, "op"), "unknown operator '%s'", op);
    a->index = (uint32_t)index;
    a->op = (enum vsl_seccomp_op)r;
    return 0;
}

static int
parse_args(const struct sp_ctx *c, json_t *rule, const char *path, struct vsl_seccomp_syscall *s)
{
    char p[SP_PATH_MAX], pi[SP_PATH_MAX];
    json_t *arr, *e;
    size_t i;
    int r;

    r = sp_array(c, rule, path, "args", &arr);
    if (r <= 0)
        return r;
    if ((r = sp_calloc(c, json_array_size(arr), sizeof(*s->args), (void **)&s->args)) < 0)
        return r;
    sp_key(p, path, "args");
    json_array_foreach(arr, i, e)
    {
        if ((r = parse_arg(c, e, sp_idx(pi, p, i), &s->args[i])) < 0)
            return r;
        s->n_args = i + 1;
    }
    return 0;
}

/* The OCI members of a rule plus moby's "name" (one syscall, the older form). */
static int
parse_rule(const struct sp_ctx *c, json_t *rule, const char *path, struct vsl_seccomp_syscall *s)
{
    char p[SP_PATH_MAX];
    _cleanup_free_ char *name = NULL;
    int r;

    if ((r = sp_strv(c, rule, path, "names", &s->names)) < 0 ||
        (r = sp_string(c, rule, path, "name", false, &name)) < 0 ||
        (r = sp_string(c, rule, path, "action", true, &s->action)) < 0 ||
        (r = check_action(c, sp_key(p, path, "action"), s->action)) < 0 ||
        (r = sp_opt_u64(c, rule, path, "errnoRet", UINT32_MAX, &s->errno_ret)) < 0 ||
        (r = parse_args(c, rule, path, s)) < 0)
        return r;
    if (name && *name && s->names.n)
        return sp_fail(c, path, "use either 'name' or 'names'");
    if (name && *name && vsl_strv_push(&s->names, name) < 0)
        return sp_oom(c);
    if (s->names.n == 0)
        return sp_fail(c, sp_key(p, path, "names"), "required");
    return 0;
}

static void
syscall_clear(struct vsl_seccomp_syscall *s)
{
    vsl_strv_clear(&s->names);
    free(s->action);
    free(s->args);
    *s = (struct vsl_seccomp_syscall){0};
}

/* Parse rule i; keep it in sc when its conditions hold here. */
static int
convert_rule(const struct sp_ctx *c, struct host *h, json_t *rule, size_t i, struct vsl_seccomp *sc)
{
    char p[SP_PATH_MAX];
    struct vsl_seccomp_syscall s = {0};
    struct cond inc = {0}, exc = {0};
    int r;

    sp_idx(p, "syscalls", i);
    if (!json_is_object(rule))
        return sp_fail(c, p, "expected an object");
    if ((r = parse_rule(c, rule, p, &s)) >= 0 &&
        (r = parse_cond(c, rule, p, "includes", &inc)) >= 0 &&
        (r = parse_cond(c, rule, p, "excludes", &exc)) >= 0)
        r = rule_applies(c, h, &exc, &inc);
    if (r > 0) {
        struct vsl_seccomp_syscall *v = reallocarray(sc->syscalls, sc->n_syscalls + 1, sizeof(*v));
        if (!v) {
            r = sp_oom(c);
        } else {
            sc->syscalls = v;
            v[sc->n_syscalls++] = s;
            s = (struct vsl_seccomp_syscall){0};
        }
    }
    syscall_clear(&s);
    cond_clear(&inc);
    cond_clear(&exc);
    return r < 0 ? r : 0;
}

/* "archMap": the first entry for this machine gives the architecture and its sub-architectures. */
static int
convert_arch_map(const struct sp_ctx *c, json_t *top, struct vsl_seccomp *sc)
{
    char p[SP_PATH_MAX];
    json_t *arr, *e;
    bool found = false;
    size_t i;
    int r;

    r = sp_array(c, top, "", "archMap", &arr);
    if (r <= 0)
        return r;
    if (json_array_size(arr) && sc->architectures.n)
        return sp_fail(c, "archMap", "use either 'architectures' or 'archMap'");
    json_array_foreach(arr, i, e)
    {
        _cleanup_free_ char *arch = NULL;
        struct vsl_strv subs = {0};

        sp_idx(p, "archMap", i);
        if (!json_is_object(e))
            return sp_fail(c, p, "expected an object");
        if ((r = sp_string(c, e, p, "architecture", true, &arch)) < 0 ||
            (r = sp_strv(c, e, p, "subArchitectures", &subs)) < 0)
            return r;
        // cppcheck-suppress nullPointer ; NATIVE_SCMP is checked first
        if (!found && NATIVE_SCMP && arch && strcmp(arch, NATIVE_SCMP) == 0) {
            found = true;
            r = vsl_strv_push(&sc->architectures, arch);
            for (size_t j = 0; r >= 0 && j < subs.n; j++)
                r = vsl_strv_push(&sc->architectures, subs.v[j]);
        }
        vsl_strv_clear(&subs);
        if (r < 0)
            return sp_oom(c);
    }
    return 0;
}

static int
convert(const struct sp_ctx *c, json_t *top, uint64_t caps, struct vsl_seccomp *sc)
{
    struct host h = {.caps = caps};
    json_t *rules, *rule;
    size_t i;
    int r;

    if ((r = sp_string(c, top, "", "defaultAction", true, &sc->default_action)) < 0 ||
        (r = check_action(c, "defaultAction", sc->default_action)) < 0 ||
        (r = sp_opt_u64(c, top, "", "defaultErrnoRet", UINT32_MAX, &sc->default_errno_ret)) < 0 ||
        (r = sp_strv(c, top, "", "architectures", &sc->architectures)) < 0 ||
        (r = convert_arch_map(c, top, sc)) < 0 ||
        (r = sp_strv(c, top, "", "flags", &sc->flags)) < 0 ||
        (r = sp_string(c, top, "", "listenerPath", false, &sc->listener_path)) < 0 ||
        (r = sp_string(c, top, "", "listenerMetadata", false, &sc->listener_metadata)) < 0 ||
        (r = sp_array(c, top, "", "syscalls", &rules)) < 0)
        return r;
    if (r == 0)
        return 0;
    json_array_foreach(rules, i, rule)
    {
        if ((r = convert_rule(c, &h, rule, i, sc)) < 0)
            return r;
    }
    return 0;
}

/* Would the text be a docker profile? Only asked of files jansson cannot read. */
static bool
mentions_docker(const char *buf, size_t n)
{
    static const char *const keys[] = {"\"archMap\"", "\"includes\"", "\"excludes\"", "\"name\""};

    for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
        if (memmem(buf, n, keys[i], strlen(keys[i])))
            return true;
    return false;
}

/*
 * The file as JSON. NULL (and 0) when jansson cannot read it: vsl_seccomp_load() then reads it or
 * says why. The spec parser alone reads numbers past INT64_MAX, so such a number in what looks
 * like a docker profile is refused here rather than read as an OCI one, its conditions ignored.
 */
static int
read_json(const char *path, json_t **ret, struct vsl_error *err)
{
    _cleanup_free_ char *buf = NULL;
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    json_error_t jerr;
    struct stat st;
    size_t n;

    if (fd < 0 || fstat(fd, &st) < 0)
        return vsl_err_errno(err, "seccomp profile '%s'", path);
    if (st.st_size > PROFILE_MAX_SIZE)
        return vsl_err(err, EFBIG, "seccomp profile '%s': larger than 16 MiB", path);
    n = (size_t)st.st_size;
    buf = malloc(n + 1);
    if (!buf)
        return vsl_err(err, ENOMEM, "out of memory");
    for (size_t got = 0; got < n;) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k <= 0)
            return vsl_err_code(err, k < 0 ? errno : EIO, "read seccomp profile '%s'", path);
        got += (size_t)k;
    }
    *ret = json_loadb(buf, n, 0, &jerr);
    if (!*ret && json_error_code(&jerr) == json_error_numeric_overflow && mentions_docker(buf, n))
        return vsl_err(err, EINVAL,
                       "%s: line %d column %d: a number above %lld in a docker-format profile",
                       path, jerr.line, jerr.column, (long long)INT64_MAX);
    return 0;
}

int
vsl_seccomp_load_profile(const char *path, uint64_t caps, struct vsl_seccomp **ret_profile,
                         struct vsl_error *err)
{
    _cleanup_(json_decrefp) json_t *top = NULL;
    _cleanup_(seccomp_freep) struct vsl_seccomp *sc = NULL;
    struct sp_ctx c = {.name = path, .err = err};
    int r;

    r = read_json(path, &top, err);
    if (r < 0)
        return r;
    if (!json_is_object(top) || !is_docker(top))
        return vsl_seccomp_load(path, ret_profile, err);
    sc = calloc(1, sizeof(*sc));
    if (!sc)
        return sp_oom(&c);
    r = convert(&c, top, caps, sc);
    if (r < 0)
        return r;
    *ret_profile = TAKE_PTR(sc);
    return 0;
}
