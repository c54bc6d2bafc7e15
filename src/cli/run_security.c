// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel run`'s security flags: --cap-add/--cap-drop, --privileged, --security-opt
 * (no-new-privileges, seccomp=PROFILE|unconfined, unmask=PATH|ALL), --seccomp-allow, --userns
 * and the --landlock-* policy. Parsed without touching the filesystem, then applied to the spec
 * run_opts built: every flag becomes spec fields (process.capabilities, linux.seccomp,
 * linux.maskedPaths, linux.uidMappings, the run.vessel.landlock annotation), so --print-spec shows
 * them all.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include <vessel/security.h>

#include "cli.h"

#define CAP(c) (UINT64_C(1) << (c))
#define LANDLOCK_CREATE_RULESET_VERSION 1U
#define ALL_CAPS ((CAP(CAP_LAST_CAP) << 1) - 1)

static void
closedirp(DIR **d)
{
    if (*d)
        (void)closedir(*d);
}

static int
push(const char ***v, size_t *n, const char *s, struct vsl_error *err)
{
    const char **p = reallocarray(*v, *n + 1, sizeof(*p));

    if (!p)
        return vsl_err(err, ENOMEM, "out of memory");
    p[(*n)++] = s;
    *v = p;
    return 0;
}

/* "NET_RAW", "net_raw", "CAP_NET_RAW" or "ALL" (-1). */
static int
cap_number(const char *flag, const char *name, struct vsl_error *err)
{
    char buf[64] = "cap_";
    size_t off = strncasecmp(name, "cap_", 4) == 0 ? 4 : 0;
    cap_value_t v;

    if (strcasecmp(name, "ALL") == 0)
        return -1;
    if (strlen(name + off) >= sizeof(buf) - 4)
        return vsl_err(err, EINVAL, "--%s: unknown capability '%s'", flag, name);
    for (size_t i = 0; name[off + i]; i++)
        buf[4 + i] = (char)tolower((unsigned char)name[off + i]);
    if (cap_from_name(buf, &v) < 0 || v > CAP_LAST_CAP)
        return vsl_err(err, EINVAL, "--%s: unknown capability '%s'", flag, name);
    return (int)v;
}

/* A comma-separated list of capabilities into a mask (ALL sets *all). */
static int
parse_caps(const char *flag, const char *arg, uint64_t *mask, bool *all, struct vsl_error *err)
{
    _cleanup_free_ char *copy = strdup(arg);
    char *save = NULL;

    if (!copy)
        return vsl_err(err, ENOMEM, "out of memory");
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int c = cap_number(flag, tok, err);
        if (c < -1)
            return c;
        if (c == -1)
            *all = true;
        else
            *mask |= CAP(c);
    }
    return 0;
}

static int
parse_security_opt(const char *arg, struct run_security *s, struct vsl_error *err)
{
    const char *v = strchr(arg, '=');
    v = v ? v + 1 : strchr(arg, ':') ? strchr(arg, ':') + 1 : NULL;

    if (strcmp(arg, "no-new-privileges") == 0 || strcmp(arg, "no-new-privileges=true") == 0 ||
        strcmp(arg, "no-new-privileges:true") == 0) {
        s->no_new_privs = true;
        return 0;
    }
    if (strcmp(arg, "no-new-privileges=false") == 0 ||
        strcmp(arg, "no-new-privileges:false") == 0) {
        s->no_new_privs = false;
        return 0;
    }
    if (v && *v && strncmp(arg, "seccomp", 7) == 0 && v == arg + 8) {
        s->seccomp = v;
        return 0;
    }
    if (v && *v && strncmp(arg, "unmask", 6) == 0 && v == arg + 7) {
        if (strcmp(v, "ALL") == 0) {
            s->unmask_all = true;
            return 0;
        }
        if (v[0] != '/')
            return vsl_err(err, EINVAL, "--security-opt '%s': not an absolute path", arg);
        return push(&s->unmask, &s->n_unmask, v, err);
    }
    return vsl_err(err, EINVAL,
                   "--security-opt '%s': expected no-new-privileges, seccomp=PROFILE.json|"
                   "unconfined or unmask=PATH|ALL",
                   arg);
}

static int
parse_port(const char *flag, const char *arg, const char ***v, size_t *n, struct vsl_error *err)
{
    char *end;
    long p = strtol(arg, &end, 10);

    if (!*arg || *end || p < 0 || p > 65535)
        return vsl_err(err, EINVAL, "--%s '%s': not a port number", flag, arg);
    return push(v, n, arg, err);
}

static int
parse_landlock(int c, const char *arg, struct run_security *s, struct vsl_error *err)
{
    s->landlock = true;
    switch (c) {
    case RUN_SEC_LANDLOCK_RO:
    case RUN_SEC_LANDLOCK_RW:
        if (arg[0] != '/')
            return vsl_err(err, EINVAL, "--landlock-%s '%s': not an absolute path",
                           c == RUN_SEC_LANDLOCK_RO ? "ro" : "rw", arg);
        if (c == RUN_SEC_LANDLOCK_RO)
            return push(&s->ll_ro, &s->n_ll_ro, arg, err);
        return push(&s->ll_rw, &s->n_ll_rw, arg, err);
    case RUN_SEC_LANDLOCK_TCP_BIND:
        s->ll_net = true;
        return parse_port("landlock-tcp-bind", arg, &s->ll_bind, &s->n_ll_bind, err);
    default:
        s->ll_net = true;
        return parse_port("landlock-tcp-connect", arg, &s->ll_connect, &s->n_ll_connect, err);
    }
}

int
run_security_parse(int c, const char *arg, struct run_security *s, struct vsl_error *err)
{
    switch (c) {
    case RUN_SEC_CAP_ADD:
        return parse_caps("cap-add", arg, &s->cap_add, &s->cap_add_all, err);
    case RUN_SEC_CAP_DROP:
        return parse_caps("cap-drop", arg, &s->cap_drop, &s->cap_drop_all, err);
    case RUN_SEC_PRIVILEGED:
        s->privileged = true;
        return 0;
    case RUN_SEC_SECURITY_OPT:
        return parse_security_opt(arg, s, err);
    case RUN_SEC_SECCOMP_ALLOW:
        return push(&s->seccomp_allow, &s->n_seccomp_allow, arg, err);
    case RUN_SEC_USERNS:
        if (strcmp(arg, "host") == 0)
            s->userns = RUN_USERNS_HOST;
        else if (strcmp(arg, "auto") == 0)
            s->userns = RUN_USERNS_AUTO;
        else if (strcmp(arg, "keep-id") == 0)
            s->userns = RUN_USERNS_KEEP_ID;
        else
            return vsl_err(err, EINVAL, "--userns '%s': expected host, auto or keep-id", arg);
        return 0;
    default:
        return parse_landlock(c, arg, s, err);
    }
}

void
run_security_free(struct run_security *s)
{
    free(s->unmask);
    free(s->seccomp_allow);
    free(s->ll_ro);
    free(s->ll_rw);
    free(s->ll_bind);
    free(s->ll_connect);
    *s = (struct run_security){0};
}

/* ---- applying to the spec ---- */

/* "All capabilities": those of vessel's own bounding set (a host may lack some, and the kernel
 * refuses to grant more). */
static uint64_t
all_caps(void)
{
    uint64_t all = 0;

    for (int c = 0; c <= CAP_LAST_CAP; c++)
        if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) > 0)
            all |= CAP(c);
    return all ? all : ALL_CAPS;
}

static void
set_caps(const struct run_security *s, struct vsl_caps *caps)
{
    const uint64_t ALL = all_caps();
    uint64_t set = s->privileged ? ALL : caps->bounding;

    if (s->cap_drop_all)
        set = 0;
    set |= s->cap_add_all ? ALL : s->cap_add;
    set &= ~s->cap_drop;
    caps->present = true;
    caps->bounding = caps->effective = caps->permitted = set;
    caps->inheritable &= set;
    caps->ambient &= set;
}

static void
strv_remove(struct vsl_strv *v, const char *path)
{
    for (size_t i = 0; i < v->n;) {
        if (strcmp(v->v[i], path) != 0) {
            i++;
            continue;
        }
        free(v->v[i]);
        memmove(&v->v[i], &v->v[i + 1], (v->n - i) * sizeof(char *)); /* with the NULL */
        v->n--;
    }
}

static void
set_paths(const struct run_security *s, struct vsl_linux *l)
{
    if (s->privileged || s->unmask_all) {
        vsl_strv_clear(&l->masked_paths);
        vsl_strv_clear(&l->readonly_paths);
    }
    for (size_t i = 0; i < s->n_unmask; i++) {
        strv_remove(&l->masked_paths, s->unmask[i]);
        strv_remove(&l->readonly_paths, s->unmask[i]);
    }
}

static int
set_seccomp(const struct run_security *s, struct vsl_spec *spec, struct vsl_error *err)
{
    struct vsl_seccomp *sc = NULL;
    bool unconfined = s->privileged || (s->seccomp && strcmp(s->seccomp, "unconfined") == 0);
    int r;

    vsl_seccomp_free(spec->linux_.seccomp);
    spec->linux_.seccomp = NULL;
    if (unconfined && s->n_seccomp_allow)
        return vsl_err(err, EINVAL, "--seccomp-allow: there is no seccomp profile (%s)",
                       s->privileged ? "--privileged" : "seccomp=unconfined");
    if (unconfined)
        return 0;
    /* after set_caps: a docker profile's rules depend on the container's capabilities */
    if (s->seccomp)
        r = vsl_seccomp_load_profile(s->seccomp, spec->process.caps.bounding, &sc, err);
    else
        r = vsl_seccomp_default(spec->process.caps.bounding, &sc, err);
    if (r < 0)
        return r;
    spec->linux_.seccomp = sc;
    for (size_t i = 0; i < s->n_seccomp_allow; i++) {
        _cleanup_free_ char *list = strdup(s->seccomp_allow[i]);
        char *save = NULL;
        if (!list)
            return vsl_err(err, ENOMEM, "out of memory");
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
            if ((r = vsl_seccomp_allow(sc, t, err)) < 0)
                return r;
    }
    return 0;
}

static bool
is_default_device(const char *name)
{
    static const char *const skip[] = {"null", "zero",    "full", "random", "urandom",
                                       "tty",  "console", "ptmx", NULL};
    for (size_t i = 0; skip[i]; i++)
        if (strcmp(name, skip[i]) == 0)
            return true;
    return false;
}

/* --privileged: every device node of the host's /dev (top level) and a cgroup rule allowing all. */
static int
add_host_devices(struct vsl_spec *spec, struct vsl_error *err)
{
    struct vsl_linux *l = &spec->linux_;
    _cleanup_(closedirp) DIR *d = opendir("/dev");
    struct dirent *e;
    struct stat st;

    if (!d)
        return vsl_err_errno(err, "open '/dev'");
    while ((e = readdir(d))) {
        if (is_default_device(e->d_name) ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
            continue;
        struct vsl_device *v = reallocarray(l->devices, l->n_devices + 1, sizeof(*v));
        if (!v)
            return vsl_err(err, ENOMEM, "out of memory");
        l->devices = v;
        v[l->n_devices] = (struct vsl_device){
            .type = S_ISCHR(st.st_mode) ? 'c' : 'b',
            .major = major(st.st_rdev),
            .minor = minor(st.st_rdev),
            .file_mode = {true, st.st_mode & 07777},
        };
        if (asprintf(&v[l->n_devices].path, "/dev/%s", e->d_name) < 0)
            return vsl_err(err, ENOMEM, "out of memory");
        l->n_devices++;
    }
    struct vsl_device_rule *rule =
        reallocarray(l->resources.devices, l->resources.n_devices + 1, sizeof(*rule));
    if (!rule)
        return vsl_err(err, ENOMEM, "out of memory");
    l->resources.devices = rule;
    rule[l->resources.n_devices++] =
        (struct vsl_device_rule){.allow = true, .type = 'a', .access = strdup("rwm")};
    l->has_resources = true;
    return 0;
}

/* --privileged: /sys and its cgroup mount writable, as docker does. */
static int
writable_sys(struct vsl_spec *spec, struct vsl_error *err)
{
    for (size_t i = 0; i < spec->n_mounts; i++) {
        struct vsl_mount *m = &spec->mounts[i];
        if (strcmp(m->destination, "/sys") != 0 && strcmp(m->destination, "/sys/fs/cgroup") != 0)
            continue;
        for (size_t j = 0; j < m->options.n; j++)
            if (strcmp(m->options.v[j], "ro") == 0) {
                free(m->options.v[j]);
                if (!(m->options.v[j] = strdup("rw")))
                    return vsl_err(err, ENOMEM, "out of memory");
            }
        int r = vsl_mount_parse_options(m, err);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
json_paths(json_t *o, const char *key, const char *const *v, size_t n, bool as_int)
{
    json_t *a = json_array();

    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, as_int ? json_integer(atoi(v[i])) : json_string(v[i])) < 0)
            return -ENOMEM;
    return a && json_object_set_new(o, key, a) == 0 ? 0 : -ENOMEM;
}

static int
set_landlock(const struct run_security *s, struct vsl_spec *spec, struct vsl_error *err)
{
    json_t *o = json_object();
    char *text = NULL;
    int r = o ? 0 : -ENOMEM;

    if (r >= 0)
        r = json_paths(o, "ro", s->ll_ro, s->n_ll_ro, false);
    if (r >= 0)
        r = json_paths(o, "rw", s->ll_rw, s->n_ll_rw, false);
    if (r >= 0 && s->ll_net)
        r = json_paths(o, "tcp_bind", s->ll_bind, s->n_ll_bind, true);
    if (r >= 0 && s->ll_net)
        r = json_paths(o, "tcp_connect", s->ll_connect, s->n_ll_connect, true);
    if (r >= 0 && !(text = json_dumps(o, JSON_COMPACT)))
        r = -ENOMEM;
    json_decref(o);
    if (r >= 0 && vsl_spec_set_annotation(spec, VSL_ANN_LANDLOCK, text) < 0)
        r = -ENOMEM;
    free(text);
    if (r < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    /* Landlock needs no_new_privs after the capability drop: say so in the spec */
    spec->process.no_new_privileges = true;
    if (syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) < 0)
        fprintf(stderr, "vessel: warning: this kernel has no Landlock: --landlock-* flags do "
                        "not confine the container\n");
    return 0;
}

int
run_security_apply(const struct run_security *s, struct vsl_spec *spec, struct vsl_error *err)
{
    int r;

    set_caps(s, &spec->process.caps);
    spec->process.no_new_privileges = s->no_new_privs;
    set_paths(s, &spec->linux_);
    if ((r = set_seccomp(s, spec, err)) < 0)
        return r;
    if (s->privileged &&
        ((r = add_host_devices(spec, err)) < 0 || (r = writable_sys(spec, err)) < 0))
        return r;
    if (s->landlock && (r = set_landlock(s, spec, err)) < 0)
        return r;
    return run_userns_apply(s, spec, err);
}

/* ---- user namespaces ---- */

#define USERNS_SIZE 65536
#define MAX_RANGES 16

bool
run_security_rootless(const struct run_security *s)
{
    return geteuid() != 0 && s->userns != RUN_USERNS_HOST;
}

static int
set_maps(struct vsl_idmap **v, size_t *n, const struct vsl_idmap *maps, size_t count,
         struct vsl_error *err)
{
    struct vsl_idmap *copy = calloc(count, sizeof(*copy));

    if (!copy)
        return vsl_err(err, ENOMEM, "out of memory");
    memcpy(copy, maps, count * sizeof(*copy));
    free(*v);
    *v = copy;
    *n = count;
    return 0;
}

/* The caller's name for /etc/subuid, NULL when it has none. /etc/passwd is read directly
 * (fgetpwent): vessel is linked statically, without NSS. */
static const char *
user_name(uid_t uid)
{
    static char name[256];
    _cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
    struct passwd *pw;

    while (f && (pw = fgetpwent(f)))
        if (pw->pw_uid == uid) {
            (void)snprintf(name, sizeof(name), "%s", pw->pw_name);
            return name;
        }
    return NULL;
}

static int
read_subids(const char *name, uid_t uid, struct vsl_subid *u, size_t *nu, struct vsl_subid *g,
            size_t *ng, struct vsl_error *err)
{
    int r = vsl_subid_read("/etc/subuid", name, uid, u, MAX_RANGES, err);
    if (r < 0)
        return r;
    *nu = (size_t)r;
    r = vsl_subid_read("/etc/subgid", name, uid, g, MAX_RANGES, err);
    if (r < 0)
        return r;
    *ng = (size_t)r;
    return 0;
}

/*
 * Maps for one id kind: `own` (the caller's id) at `inside`, the first subordinate range filling
 * the container's ids around it (0..inside-1, then inside+1..). Without subordinate ids only the
 * caller's own id is mapped.
 */
static size_t
build_maps(uint32_t own, uint32_t inside, const struct vsl_subid *sub, size_t n_sub,
           struct vsl_idmap *ret)
{
    size_t n = 0;
    uint32_t avail = n_sub ? (sub[0].count < USERNS_SIZE ? sub[0].count : USERNS_SIZE - 1) : 0;

    if (inside > 0 && avail) {
        uint32_t k = inside < avail ? inside : avail;
        ret[n++] = (struct vsl_idmap){0, sub[0].start, k};
        avail -= k;
        if (avail)
            ret[n++] = (struct vsl_idmap){inside + 1, sub[0].start + k, avail};
    } else if (avail) {
        ret[n++] = (struct vsl_idmap){inside + 1, sub[0].start, avail};
    }
    ret[n++] = (struct vsl_idmap){inside, own, 1};
    return n;
}

static int
userns_caller(const struct run_security *s, struct vsl_spec *spec, struct vsl_error *err)
{
    struct vsl_subid u[MAX_RANGES], g[MAX_RANGES];
    struct vsl_idmap um[3], gm[3];
    size_t nu = 0, ng = 0;
    uid_t uid = geteuid();
    gid_t gid = getegid();
    bool keep = s->userns == RUN_USERNS_KEEP_ID;
    int r;

    if (keep && uid == 0)
        return vsl_err(err, EINVAL, "--userns=keep-id: only for a user other than root");
    if ((r = read_subids(user_name(uid), uid, u, &nu, g, &ng, err)) < 0)
        return r;
    size_t n_um = build_maps(uid, keep ? uid : 0, u, nu, um);
    size_t n_gm = build_maps(gid, keep ? gid : 0, g, ng, gm);
    if ((r = set_maps(&spec->linux_.uid_mappings, &spec->linux_.n_uid_mappings, um, n_um, err)) <
            0 ||
        (r = set_maps(&spec->linux_.gid_mappings, &spec->linux_.n_gid_mappings, gm, n_gm, err)) < 0)
        return r;
    if (keep) {
        spec->process.uid = uid;
        spec->process.gid = gid;
    }
    return 0;
}

static int
userns_data_dir(char *buf, size_t len, struct vsl_error *err)
{
    const char *home = getenv("HOME");

    if (geteuid() == 0)
        return snprintf(buf, len, "%s/userns", VSL_DEFAULT_DATA) < (int)len ? 0 : -ENAMETOOLONG;
    if (!home || home[0] != '/')
        return vsl_err(err, EINVAL, "--userns=auto: $HOME is not set");
    /* ~/.local/share/vessel: made one level at a time, each may exist */
    static const char *const parts[] = {"/.local", "/.local/share", "/.local/share/vessel"};
    for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
        (void)snprintf(buf, len, "%s%s", home, parts[i]);
        if (mkdir(buf, 0700) < 0 && errno != EEXIST)
            return vsl_err_errno(err, "mkdir '%s'", buf);
    }
    return snprintf(buf, len, "%s/.local/share/vessel/userns", home) < (int)len ? 0 : -ENAMETOOLONG;
}

static int
userns_auto(struct vsl_spec *spec, struct vsl_error *err)
{
    struct vsl_subid u[MAX_RANGES], g[MAX_RANGES];
    size_t nu = 0, ng = 0;
    uid_t uid = geteuid();
    const char *name = uid == 0 ? "vessel" : user_name(uid);
    char dir[4096];
    uint32_t hu, hg;
    int r;

    if ((r = read_subids(name, uid == 0 ? (uint32_t)-1 : uid, u, &nu, g, &ng, err)) < 0)
        return r;
    if (uid == 0 && (nu == 0 || ng == 0) && (r = read_subids("root", 0, u, &nu, g, &ng, err)) < 0)
        return r;
    if (nu == 0 || ng == 0)
        return vsl_err(err, ENOENT,
                       "--userns=auto: no range for '%s'%s in /etc/subuid and /etc/subgid",
                       name ? name : "?", uid == 0 ? " or 'root'" : "");
    if ((r = userns_data_dir(dir, sizeof(dir), err)) < 0)
        return r;
    r = vsl_idmap_allocate(dir, u, nu, g, ng, USERNS_SIZE, getpid(), &hu, &hg, err);
    if (r < 0)
        return r;
    struct vsl_idmap um = {0, hu, USERNS_SIZE}, gm = {0, hg, USERNS_SIZE};
    if ((r = set_maps(&spec->linux_.uid_mappings, &spec->linux_.n_uid_mappings, &um, 1, err)) < 0)
        return r;
    return set_maps(&spec->linux_.gid_mappings, &spec->linux_.n_gid_mappings, &gm, 1, err);
}

int
run_userns_apply(const struct run_security *s, struct vsl_spec *spec, struct vsl_error *err)
{
    if (s->userns == RUN_USERNS_HOST) {
        if (geteuid() != 0)
            return vsl_err(err, EPERM, "--userns host: only root can run without a user namespace");
        return 0;
    }
    if (s->userns == RUN_USERNS_DEFAULT && geteuid() == 0)
        return 0;
    spec->linux_.namespaces[VSL_NS_USER].present = true;
    free(spec->linux_.namespaces[VSL_NS_USER].path);
    spec->linux_.namespaces[VSL_NS_USER].path = NULL;
    if (s->userns == RUN_USERNS_AUTO)
        return userns_auto(spec, err);
    return userns_caller(s, spec, err);
}

/* ---- process start-up ---- */

static char **main_argv;

int
cli_security_startup(const char *verb, char **argv, struct cli_globals *g)
{
    struct vsl_error err = {0};
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    static char root[4096];

    main_argv = argv;
    /* rootless: the state root defaults to the user's runtime directory */
    if (geteuid() != 0 && strcmp(g->root, VSL_DEFAULT_ROOT) == 0 && xdg && xdg[0] == '/' &&
        (size_t)snprintf(root, sizeof(root), "%s/vessel", xdg) < sizeof(root))
        g->root = root;
    /* run and create decide once their spec is read (cli_seal) */
    if (strcmp(verb, "exec") == 0 && vsl_selfclone(argv, g->root, &err) < 0) {
        fprintf(stderr, "vessel: %s\n", err.msg);
        return err.code;
    }
    return 0;
}

int
cli_seal(const struct vsl_spec *spec, const char *state_root)
{
    struct vsl_error err = {0};

    if (main_argv && vsl_seal_for(main_argv, state_root, spec, &err) < 0) {
        fprintf(stderr, "vessel: %s\n", err.msg);
        return err.code;
    }
    return 0;
}
