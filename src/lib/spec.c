// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.json -> struct vsl_spec: loading with jansson, the typed member helpers that put the JSON
 * path into every error, and the top-level, root, mounts, process and hooks sections. The "linux"
 * section is in spec_linux.c, serialization in spec_json.c, freeing and builders in spec_build.c.
 * Unknown members are ignored and JSON null reads as absent, as Go's decoder (runc) does.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "spec_internal.h"

#define SPEC_MAX_SIZE (64 << 20) /* a config.json larger than this is not one */

/* A path too long for the buffer keeps its start and ends in "...". */
static const char *
mark_truncated(char buf[SP_PATH_MAX], int n)
{
    if (n >= SP_PATH_MAX)
        memcpy(buf + SP_PATH_MAX - 4, "...", 4);
    return buf;
}

const char *
sp_key(char buf[SP_PATH_MAX], const char *path, const char *key)
{
    if (!path || !*path)
        return mark_truncated(buf, snprintf(buf, SP_PATH_MAX, "%s", key));
    return mark_truncated(buf, snprintf(buf, SP_PATH_MAX, "%s.%s", path, key));
}

const char *
sp_idx(char buf[SP_PATH_MAX], const char *path, size_t i)
{
    return mark_truncated(buf, snprintf(buf, SP_PATH_MAX, "%s[%zu]", path, i));
}

int
sp_fail(const struct sp_ctx *c, const char *path, const char *fmt, ...)
{
    char msg[sizeof(((struct vsl_error *)NULL)->msg)];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (path && *path)
        return vsl_err(c->err, EINVAL, "%s: %s: %s", c->name, path, msg);
    return vsl_err(c->err, EINVAL, "%s: %s", c->name, msg);
}

int
sp_oom(const struct sp_ctx *c)
{
    return vsl_err(c->err, ENOMEM, "%s: out of memory", c->name);
}

json_t *
sp_get(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_null(v) ? NULL : v;
}

int
sp_calloc(const struct sp_ctx *c, size_t n, size_t size, void **ret)
{
    void *p = NULL;

    if (n > 0) {
        p = calloc(n, size);
        if (!p)
            return sp_oom(c);
    }
    *ret = p;
    return 0;
}

static bool
is_bignum(json_t *v)
{
    return json_is_string(v) && json_string_length(v) > 1 &&
           json_string_value(v)[0] == SP_BIGNUM_MARK;
}

static const char *
unsigned_desc(uint64_t max)
{
    if (max == UINT16_MAX)
        return "an unsigned 16-bit integer";
    if (max == UINT32_MAX)
        return "an unsigned 32-bit integer";
    return "an unsigned 64-bit integer";
}

static int
val_u64(const struct sp_ctx *c, json_t *v, const char *path, uint64_t max, uint64_t *ret)
{
    uint64_t x;

    if (json_is_integer(v) && json_integer_value(v) >= 0)
        x = (uint64_t)json_integer_value(v);
    else if (is_bignum(v))
        x = strtoull(json_string_value(v) + 1, NULL, 10); /* checked when it was rewritten */
    else
        return sp_fail(c, path, "expected %s", unsigned_desc(max));
    if (x > max)
        return sp_fail(c, path, "expected %s", unsigned_desc(max));
    *ret = x;
    return 0;
}

static int
val_i64(const struct sp_ctx *c, json_t *v, const char *path, int64_t min, int64_t max, int64_t *ret)
{
    const char *desc =
        min == INT32_MIN && max == INT32_MAX ? "a 32-bit integer" : "a 64-bit integer";

    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return sp_fail(c, path, "expected %s", desc);
    *ret = json_integer_value(v);
    return 0;
}

/* A string without NUL bytes (a rewritten big number is a number, not a string). */
static const char *
val_str(json_t *v)
{
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    return json_string_value(v);
}

int
sp_object(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, json_t **ret)
{
    char p[SP_PATH_MAX];
    json_t *v = sp_get(obj, key);

    if (!v)
        return 0;
    if (!json_is_object(v))
        return sp_fail(c, sp_key(p, path, key), "expected an object");
    *ret = v;
    return 1;
}

int
sp_array(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, json_t **ret)
{
    char p[SP_PATH_MAX];
    json_t *v = sp_get(obj, key);

    if (!v)
        return 0;
    if (!json_is_array(v))
        return sp_fail(c, sp_key(p, path, key), "expected an array");
    *ret = v;
    return 1;
}

int
sp_string(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, bool required,
          char **ret)
{
    char p[SP_PATH_MAX];
    json_t *v = sp_get(obj, key);
    const char *s;
    char *dup;

    if (!v) {
        if (required)
            return sp_fail(c, sp_key(p, path, key), "required");
        return 0;
    }
    s = val_str(v);
    if (!s)
        return sp_fail(c, sp_key(p, path, key), "expected a string");
    dup = strdup(s);
    if (!dup)
        return sp_oom(c);
    free(*ret);
    *ret = dup;
    return 1;
}

int
sp_bool(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, bool *ret)
{
    char p[SP_PATH_MAX];
    json_t *v = sp_get(obj, key);

    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return sp_fail(c, sp_key(p, path, key), "expected a boolean");
    *ret = json_is_true(v);
    return 1;
}

int
sp_u64(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, uint64_t max,
       bool required, uint64_t *ret)
{
    char p[SP_PATH_MAX];
    json_t *v = sp_get(obj, key);
    int r;

    if (!v) {
        if (required)
            return sp_fail(c, sp_key(p, path, key), "required");
        return 0;
    }
    r = val_u64(c, v, sp_key(p, path, key), max, ret);
    return r < 0 ? r : 1;
}

int
sp_i64(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, int64_t min,
       int64_t max, bool required, int64_t *ret)
{
    char p[SP_PATH_MAX];
    json_t *v = sp_get(obj, key);
    int r;

    if (!v) {
        if (required)
            return sp_fail(c, sp_key(p, path, key), "required");
        return 0;
    }
    r = val_i64(c, v, sp_key(p, path, key), min, max, ret);
    return r < 0 ? r : 1;
}

int
sp_opt_u64(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, uint64_t max,
           struct vsl_opt_u64 *ret)
{
    uint64_t v;
    int r = sp_u64(c, obj, path, key, max, false, &v);

    if (r > 0)
        *ret = (struct vsl_opt_u64){.set = true, .v = v};
    return r;
}

int
sp_opt_i64(const struct sp_ctx *c, json_t *obj, const char *path, const char *key,
           struct vsl_opt_i64 *ret)
{
    int64_t v;
    int r = sp_i64(c, obj, path, key, INT64_MIN, INT64_MAX, false, &v);

    if (r > 0)
        *ret = (struct vsl_opt_i64){.set = true, .v = v};
    return r;
}

int
sp_strv(const struct sp_ctx *c, json_t *obj, const char *path, const char *key,
        struct vsl_strv *ret)
{
    char p[SP_PATH_MAX];
    struct vsl_strv v = {0};
    json_t *arr = sp_get(obj, key);

    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return sp_fail(c, sp_key(p, path, key), "expected an array of strings");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *s = val_str(e);

        if (!s) {
            vsl_strv_clear(&v);
            return sp_fail(c, sp_key(p, path, key), "expected an array of strings");
        }
        if (vsl_strv_push(&v, s) < 0) {
            vsl_strv_clear(&v);
            return sp_oom(c);
        }
    }
    vsl_strv_clear(ret);
    *ret = v;
    return 1;
}

static void
kv_free(struct vsl_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

int
sp_kv(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, struct vsl_kv **ret,
      size_t *ret_n)
{
    char p[SP_PATH_MAX], pk[SP_PATH_MAX];
    struct vsl_kv *kv = NULL;
    size_t n = 0;
    json_t *o;
    int r;

    r = sp_object(c, obj, path, key, &o);
    if (r <= 0)
        return r;
    r = sp_calloc(c, json_object_size(o), sizeof(*kv), (void **)&kv);
    if (r < 0)
        return r;
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
        const char *k = json_object_iter_key(it);
        json_t *e = json_object_iter_value(it);
        const char *s = val_str(e);

        if (!s) {
            kv_free(kv, n);
            return sp_fail(c, sp_key(pk, sp_key(p, path, key), k), "expected a string");
        }
        kv[n].key = strdup(k);
        kv[n].value = strdup(s);
        n++;
        if (!kv[n - 1].key || !kv[n - 1].value) {
            kv_free(kv, n);
            return sp_oom(c);
        }
    }
    *ret = kv;
    *ret_n = n;
    return 1;
}

int
sp_idmaps(const struct sp_ctx *c, json_t *obj, const char *path, const char *key,
          struct vsl_idmap **ret, size_t *ret_n)
{
    char p[SP_PATH_MAX], pi[SP_PATH_MAX];
    _cleanup_free_ struct vsl_idmap *maps = NULL;
    json_t *arr;
    uint64_t v[3];
    int r;

    r = sp_array(c, obj, path, key, &arr);
    if (r <= 0)
        return r;
    r = sp_calloc(c, json_array_size(arr), sizeof(*maps), (void **)&maps);
    if (r < 0)
        return r;
    sp_key(p, path, key);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);

        sp_idx(pi, p, i);
        if (!json_is_object(e))
            return sp_fail(c, pi, "expected an object");
        if ((r = sp_u64(c, e, pi, "containerID", UINT32_MAX, true, &v[0])) < 0 ||
            (r = sp_u64(c, e, pi, "hostID", UINT32_MAX, true, &v[1])) < 0 ||
            (r = sp_u64(c, e, pi, "size", UINT32_MAX, true, &v[2])) < 0)
            return r;
        maps[i] = (struct vsl_idmap){(uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2]};
    }
    free(*ret);
    *ret = TAKE_PTR(maps);
    *ret_n = json_array_size(arr);
    return 1;
}

/* ---- sections ---- */

static int
parse_root(const struct sp_ctx *c, json_t *top, struct vsl_spec *s)
{
    json_t *o;
    int r;

    r = sp_object(c, top, "", "root", &o);
    if (r <= 0)
        return r;
    if ((r = sp_string(c, o, "root", "path", true, &s->root_path)) < 0 ||
        (r = sp_bool(c, o, "root", "readonly", &s->root_readonly)) < 0)
        return r;
    if (!*s->root_path)
        return sp_fail(c, "root.path", "must not be empty");
    return 0;
}

static int
parse_mount(const struct sp_ctx *c, json_t *o, const char *path, struct vsl_mount *m)
{
    int r;

    if (!json_is_object(o))
        return sp_fail(c, path, "expected an object");
    if ((r = sp_string(c, o, path, "destination", true, &m->destination)) < 0 ||
        (r = sp_string(c, o, path, "source", false, &m->source)) < 0 ||
        (r = sp_string(c, o, path, "type", false, &m->type)) < 0 ||
        (r = sp_strv(c, o, path, "options", &m->options)) < 0 ||
        (r = sp_idmaps(c, o, path, "uidMappings", &m->uid_mappings, &m->n_uid_mappings)) < 0 ||
        (r = sp_idmaps(c, o, path, "gidMappings", &m->gid_mappings, &m->n_gid_mappings)) < 0)
        return r;
    if (!*m->destination) {
        char p[SP_PATH_MAX];
        return sp_fail(c, sp_key(p, path, "destination"), "must not be empty");
    }
    r = vsl_mount_parse_options(m, c->err);
    if (r < 0)
        vsl_err_prefix(c->err, "%s: %s: ", c->name, path);
    return r;
}

static int
parse_mounts(const struct sp_ctx *c, json_t *top, struct vsl_spec *s)
{
    char p[SP_PATH_MAX];
    json_t *arr;
    int r;

    r = sp_array(c, top, "", "mounts", &arr);
    if (r <= 0)
        return r;
    r = sp_calloc(c, json_array_size(arr), sizeof(*s->mounts), (void **)&s->mounts);
    if (r < 0)
        return r;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);

        s->n_mounts = i + 1; /* owned by the spec from here on, freed with it on failure */
        r = parse_mount(c, e, sp_idx(p, "mounts", i), &s->mounts[i]);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
parse_user(const struct sp_ctx *c, json_t *proc, struct vsl_process *p)
{
    static const char path[] = "process.user";
    char pa[SP_PATH_MAX], pi[SP_PATH_MAX];
    json_t *o, *arr;
    uint64_t v;
    int r;

    /* uid and gid are REQUIRED by the spec, but runc reads an absent user as root; so do we. */
    r = sp_object(c, proc, "process", "user", &o);
    if (r <= 0)
        return r;
    if ((r = sp_u64(c, o, path, "uid", UINT32_MAX, false, &v)) < 0)
        return r;
    p->uid = r > 0 ? (uint32_t)v : 0;
    if ((r = sp_u64(c, o, path, "gid", UINT32_MAX, false, &v)) < 0)
        return r;
    p->gid = r > 0 ? (uint32_t)v : 0;
    if ((r = sp_opt_u64(c, o, path, "umask", UINT32_MAX, &p->umask)) < 0 ||
        (r = sp_string(c, o, path, "username", false, &p->username)) < 0)
        return r;
    r = sp_array(c, o, path, "additionalGids", &arr);
    if (r <= 0)
        return r;
    r = sp_calloc(c, json_array_size(arr), sizeof(uint32_t), (void **)&p->additional_gids);
    if (r < 0)
        return r;
    sp_key(pa, path, "additionalGids");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);

        r = val_u64(c, e, sp_idx(pi, pa, i), UINT32_MAX, &v);
        if (r < 0)
            return r;
        p->additional_gids[i] = (uint32_t)v;
        p->n_additional_gids = i + 1;
    }
    return 0;
}

static int
parse_env(const struct sp_ctx *c, json_t *proc, struct vsl_process *p)
{
    char pi[SP_PATH_MAX];
    int r;

    r = sp_strv(c, proc, "process", "env", &p->env);
    if (r <= 0)
        return r;
    /* runc refuses these when it prepares the environment; refuse them before any side effect. */
    for (size_t i = 0; i < p->env.n; i++) {
        const char *eq = strchr(p->env.v[i], '=');

        if (!eq || eq == p->env.v[i])
            return sp_fail(c, sp_idx(pi, "process.env", i), "expected 'KEY=VALUE', got '%s'",
                           p->env.v[i]);
    }
    return 0;
}

static int
parse_cap_set(const struct sp_ctx *c, json_t *caps, const char *key, uint64_t *ret)
{
    char p[SP_PATH_MAX], pi[SP_PATH_MAX];
    uint64_t set = 0;
    json_t *arr;

    arr = sp_get(caps, key);
    if (!arr)
        return 0;
    sp_key(p, "process.capabilities", key);
    if (!json_is_array(arr))
        return sp_fail(c, p, "expected an array of strings");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *name = val_str(e);
        int cap;

        if (!name)
            return sp_fail(c, p, "expected an array of strings");
        cap = vsl_cap_from_name(name);
        if (cap < 0)
            return sp_fail(c, sp_idx(pi, p, i), "unknown capability '%s'", name);
        set |= UINT64_C(1) << cap;
    }
    *ret = set;
    return 0;
}

static int
parse_caps(const struct sp_ctx *c, json_t *proc, struct vsl_caps *caps)
{
    json_t *o;
    int r;

    r = sp_object(c, proc, "process", "capabilities", &o);
    if (r <= 0)
        return r;
    caps->present = true;
    if ((r = parse_cap_set(c, o, "bounding", &caps->bounding)) < 0 ||
        (r = parse_cap_set(c, o, "effective", &caps->effective)) < 0 ||
        (r = parse_cap_set(c, o, "inheritable", &caps->inheritable)) < 0 ||
        (r = parse_cap_set(c, o, "permitted", &caps->permitted)) < 0 ||
        (r = parse_cap_set(c, o, "ambient", &caps->ambient)) < 0)
        return r;
    return 0;
}

static int
parse_rlimits(const struct sp_ctx *c, json_t *proc, struct vsl_process *p)
{
    char pi[SP_PATH_MAX], pt[SP_PATH_MAX];
    json_t *arr;
    int r;

    r = sp_array(c, proc, "process", "rlimits", &arr);
    if (r <= 0)
        return r;
    r = sp_calloc(c, json_array_size(arr), sizeof(*p->rlimits), (void **)&p->rlimits);
    if (r < 0)
        return r;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        struct vsl_rlimit *rl = &p->rlimits[i];
        _cleanup_free_ char *type = NULL;

        sp_idx(pi, "process.rlimits", i);
        if (!json_is_object(e))
            return sp_fail(c, pi, "expected an object");
        if ((r = sp_string(c, e, pi, "type", true, &type)) < 0 ||
            (r = sp_u64(c, e, pi, "soft", UINT64_MAX, true, &rl->soft)) < 0 ||
            (r = sp_u64(c, e, pi, "hard", UINT64_MAX, true, &rl->hard)) < 0)
            return r;
        rl->resource = vsl_rlimit_from_name(type);
        if (rl->resource < 0)
            return sp_fail(c, sp_key(pt, pi, "type"), "unknown rlimit '%s'", type);
        for (size_t j = 0; j < i; j++)
            if (p->rlimits[j].resource == rl->resource)
                return sp_fail(c, sp_key(pt, pi, "type"), "duplicate rlimit '%s'", type);
        p->n_rlimits = i + 1;
    }
    return 0;
}

static int
parse_process_misc(const struct sp_ctx *c, json_t *proc, struct vsl_process *p)
{
    json_t *o;
    uint64_t v;
    int64_t adj;
    int r;

    r = sp_object(c, proc, "process", "consoleSize", &o);
    if (r < 0)
        return r;
    if (r > 0) {
        if ((r = sp_u64(c, o, "process.consoleSize", "height", UINT32_MAX, false, &v)) < 0)
            return r;
        p->console_height = r > 0 ? (uint32_t)v : 0;
        if ((r = sp_u64(c, o, "process.consoleSize", "width", UINT32_MAX, false, &v)) < 0)
            return r;
        p->console_width = r > 0 ? (uint32_t)v : 0;
    }
    r = sp_i64(c, proc, "process", "oomScoreAdj", INT32_MIN, INT32_MAX, false, &adj);
    if (r < 0)
        return r;
    if (r > 0)
        p->oom_score_adj = (struct vsl_opt_i64){.set = true, .v = adj};
    return parse_user(c, proc, p);
}

static int
parse_process(const struct sp_ctx *c, json_t *top, struct vsl_spec *s)
{
    struct vsl_process *p = &s->process;
    json_t *o;
    int r;

    r = sp_object(c, top, "", "process", &o);
    if (r <= 0)
        return r;
    s->has_process = true;
    if ((r = sp_bool(c, o, "process", "terminal", &p->terminal)) < 0 ||
        (r = parse_process_misc(c, o, p)) < 0 ||
        (r = sp_strv(c, o, "process", "args", &p->args)) < 0 ||
        (r = sp_string(c, o, "process", "commandLine", false, &p->command_line)) < 0 ||
        (r = parse_env(c, o, p)) < 0 ||
        (r = sp_string(c, o, "process", "cwd", true, &p->cwd)) < 0 ||
        (r = parse_caps(c, o, &p->caps)) < 0 || (r = parse_rlimits(c, o, p)) < 0 ||
        (r = sp_bool(c, o, "process", "noNewPrivileges", &p->no_new_privileges)) < 0 ||
        (r = sp_string(c, o, "process", "apparmorProfile", false, &p->apparmor_profile)) < 0 ||
        (r = sp_string(c, o, "process", "selinuxLabel", false, &p->selinux_label)) < 0)
        return r;
    /* args may only be absent on Windows (commandLine); on Linux it needs at least one entry. */
    if (p->args.n == 0)
        return sp_fail(c, "process.args", sp_get(o, "args") ? "must not be empty" : "required");
    if (p->cwd[0] != '/')
        return sp_fail(c, "process.cwd", "must be an absolute path, got '%s'", p->cwd);
    return 0;
}

static int
parse_hook(const struct sp_ctx *c, json_t *o, const char *path, struct vsl_hook *h)
{
    int64_t timeout;
    int r;

    if (!json_is_object(o))
        return sp_fail(c, path, "expected an object");
    if ((r = sp_string(c, o, path, "path", true, &h->path)) < 0 ||
        (r = sp_strv(c, o, path, "args", &h->args)) < 0 ||
        (r = sp_strv(c, o, path, "env", &h->env)) < 0)
        return r;
    r = sp_i64(c, o, path, "timeout", INT64_MIN, INT64_MAX, false, &timeout);
    if (r < 0)
        return r;
    if (r > 0) {
        char p[SP_PATH_MAX];

        if (timeout <= 0)
            return sp_fail(c, sp_key(p, path, "timeout"), "must be greater than zero");
        h->timeout = (struct vsl_opt_i64){.set = true, .v = timeout};
    }
    if (!*h->path) {
        char p[SP_PATH_MAX];
        return sp_fail(c, sp_key(p, path, "path"), "must not be empty");
    }
    return 0;
}

static int
parse_hooks(const struct sp_ctx *c, json_t *top, struct vsl_hooks *hooks)
{
    char pk[SP_PATH_MAX], pi[SP_PATH_MAX];
    json_t *o, *arr;
    int r;

    r = sp_object(c, top, "", "hooks", &o);
    if (r <= 0)
        return r;
    for (int k = 0; k < VSL_HOOK__COUNT; k++) {
        r = sp_array(c, o, "hooks", vsl_hook_name(k), &arr);
        if (r < 0)
            return r;
        if (r == 0)
            continue;
        r = sp_calloc(c, json_array_size(arr), sizeof(struct vsl_hook), (void **)&hooks->v[k]);
        if (r < 0)
            return r;
        sp_key(pk, "hooks", vsl_hook_name(k));
        for (size_t i = 0; i < json_array_size(arr); i++) {
            json_t *e = json_array_get(arr, i);

            hooks->n[k] = i + 1;
            r = parse_hook(c, e, sp_idx(pi, pk, i), &hooks->v[k][i]);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

static int
parse_top(const struct sp_ctx *c, json_t *top, struct vsl_spec *s)
{
    json_t *o;
    int r;

    r = sp_string(c, top, "", "ociVersion", true, &s->oci_version);
    if (r < 0)
        return r;
    if (strncmp(s->oci_version, "1.", 2) != 0)
        return sp_fail(c, "ociVersion", "unsupported version '%s' (want 1.x)", s->oci_version);
    if ((r = parse_root(c, top, s)) < 0 || (r = parse_mounts(c, top, s)) < 0 ||
        (r = parse_process(c, top, s)) < 0 ||
        (r = sp_string(c, top, "", "hostname", false, &s->hostname)) < 0 ||
        (r = sp_string(c, top, "", "domainname", false, &s->domainname)) < 0 ||
        (r = sp_kv(c, top, "", "annotations", &s->annotations, &s->n_annotations)) < 0 ||
        (r = parse_hooks(c, top, &s->hooks)) < 0)
        return r;
    r = sp_object(c, top, "", "linux", &o);
    if (r <= 0)
        return r;
    s->has_linux = true;
    return sp_linux(c, o, &s->linux_);
}

/* ---- loading ---- */

/* Rewrites each integer in (INT64_MAX, UINT64_MAX] into a string "\u0000<digits>" for
 * val_u64(). Returns 1 with the new text, 0 when nothing was rewritten or when the text holds a
 * "\u0000" escape of its own (the mark would be ambiguous: the overflow error stands), -ENOMEM. */
static int
rewrite_bignums(const char *json, size_t len, char **ret, size_t *ret_len)
{
    _cleanup_free_ char *out = malloc(len + len / 2 + 16); /* each rewrite: >= 19 in, +8 out */
    bool in_str = false;
    size_t o = 0, n = 0;

    if (!out)
        return -ENOMEM;
    for (size_t i = 0; i < len;) {
        size_t start = i;

        if (in_str) {
            if (json[i] == '\\') {
                if (i + 5 < len && memcmp(json + i + 1, "u0000", 5) == 0)
                    return 0;
                out[o++] = json[i++];
                if (i < len)
                    out[o++] = json[i++];
                continue;
            }
            in_str = json[i] != '"';
            out[o++] = json[i++];
            continue;
        }
        if (!isdigit((unsigned char)json[i]) && json[i] != '-') {
            in_str = json[i] == '"';
            out[o++] = json[i++];
            continue;
        }
        while (i < len && json[i] && strchr("0123456789+-.eE", json[i]))
            i++;
        bool digits = json[start] != '0' && i - start >= 19 && i - start <= 20;
        for (size_t j = start; digits && j < i; j++)
            digits = isdigit((unsigned char)json[j]);
        if (digits) {
            char num[24];
            memcpy(num, json + start, i - start);
            num[i - start] = '\0';
            errno = 0;
            unsigned long long v = strtoull(num, NULL, 10);
            if (errno == 0 && v > INT64_MAX) {
                o += (size_t)sprintf(out + o, "\"\\u0000%s\"", num);
                n++;
                continue;
            }
        }
        memcpy(out + o, json + start, i - start);
        o += i - start;
    }
    if (n == 0)
        return 0;
    *ret_len = o;
    *ret = TAKE_PTR(out);
    return 1;
}

static int
load_json(const struct sp_ctx *c, const char *json, size_t len, json_t **ret)
{
    json_error_t jerr;
    json_t *top;

    top = json_loadb(json, len, 0, &jerr);
    if (!top && json_error_code(&jerr) == json_error_numeric_overflow) {
        _cleanup_free_ char *fixed = NULL;
        size_t flen = 0;
        int r = rewrite_bignums(json, len, &fixed, &flen);

        if (r < 0)
            return sp_oom(c);
        if (r > 0)
            top = json_loadb(fixed, flen, JSON_ALLOW_NUL, &jerr);
    }
    if (!top) {
        if (jerr.line > 0)
            return vsl_err(c->err, EINVAL, "%s: line %d column %d: %s", c->name, jerr.line,
                           jerr.column, jerr.text);
        return vsl_err(c->err, EINVAL, "%s: %s", c->name, jerr.text);
    }
    if (!json_is_object(top)) {
        json_decref(top);
        return vsl_err(c->err, EINVAL, "%s: expected a JSON object", c->name);
    }
    *ret = top;
    return 0;
}

/* jansson seeds its hash function from /dev/urandom on first use (an open, a read, a close);
 * getrandom gives the same in one call. A seed set before is kept (json_object_seed ignores a
 * second one). */
static void
seed_json(void)
{
    uint32_t seed = 0;

    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed) && seed)
        json_object_seed(seed);
}

int
vsl_spec_parse(const char *json, size_t len, const char *name, struct vsl_spec **ret_spec,
               struct vsl_error *err)
{
    struct sp_ctx c = {.name = name ? name : "config.json", .err = err};
    struct vsl_spec *s;
    json_t *top = NULL;
    int r;

    if (!json)
        return vsl_err(err, EINVAL, "%s: no text", c.name);
    seed_json();
    r = load_json(&c, json, len, &top);
    if (r < 0)
        return r;
    s = calloc(1, sizeof(*s));
    if (!s) {
        json_decref(top);
        return sp_oom(&c);
    }
    r = parse_top(&c, top, s);
    json_decref(top);
    if (r < 0) {
        vsl_spec_free(s);
        return r;
    }
    *ret_spec = s;
    return 0;
}

int
vsl_spec_load(const char *path, struct vsl_spec **ret_spec, struct vsl_error *err)
{
    _cleanup_close_ int fd = -EBADF;
    _cleanup_free_ char *buf = NULL;
    size_t len = 0, cap = 0;
    struct stat st;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return vsl_err_errno(err, "open '%s'", path);
    if (fstat(fd, &st) < 0)
        return vsl_err_errno(err, "stat '%s'", path);
    if (!S_ISREG(st.st_mode))
        return vsl_err(err, EINVAL, "'%s' is not a regular file", path);
    if (st.st_size > SPEC_MAX_SIZE)
        return vsl_err(err, EFBIG, "'%s' is larger than %d bytes", path, SPEC_MAX_SIZE);
    for (;;) {
        if (len == cap) {
            char *nb;

            if (cap >= SPEC_MAX_SIZE)
                return vsl_err(err, EFBIG, "'%s' is larger than %d bytes", path, SPEC_MAX_SIZE);
            cap = cap ? cap * 2 : (size_t)st.st_size + 4096;
            nb = realloc(buf, cap);
            if (!nb)
                return vsl_err(err, ENOMEM, "read '%s': out of memory", path);
            buf = nb;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return vsl_err_errno(err, "read '%s'", path);
        if (n == 0)
            break;
        len += (size_t)n;
    }
    int r = vsl_spec_parse(buf, len, path, ret_spec, err);
    if (r < 0)
        return r;
    /* Keep the text, NUL-terminated, to be saved as it came (cap > len: the last read hit EOF
     * with room to spare). A text with a NUL inside is not kept. */
    buf[len] = '\0';
    if (strlen(buf) == len)
        (*ret_spec)->source = TAKE_PTR(buf);
    return 0;
}
