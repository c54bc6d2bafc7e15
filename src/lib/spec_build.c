// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Owning a struct vsl_spec: freeing it (NULL-safe, also a half-parsed one), the builders the front
 * ends use to turn flags into spec entries (env, annotations, mounts) and resolving root.path
 * against the bundle directory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vessel/security.h>

#include "cleanup.h"
#include "error.h"
#include "spec_internal.h"

/* ---- string vectors ---- */

int
vsl_strv_push(struct vsl_strv *v, const char *s)
{
    char **nv, *dup;

    if (!v || !s)
        return -EINVAL;
    dup = strdup(s);
    if (!dup)
        return -ENOMEM;
    nv = realloc(v->v, (v->n + 2) * sizeof(*nv));
    if (!nv) {
        free(dup);
        return -ENOMEM;
    }
    nv[v->n++] = dup;
    nv[v->n] = NULL;
    v->v = nv;
    return 0;
}

void
vsl_strv_clear(struct vsl_strv *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        free(v->v[i]);
    free(v->v);
    v->v = NULL;
    v->n = 0;
}

/* Drop entry i, keeping the NULL terminator. */
static void
strv_remove(struct vsl_strv *v, size_t i)
{
    free(v->v[i]);
    memmove(&v->v[i], &v->v[i + 1], (v->n - i) * sizeof(*v->v));
    v->n--;
}

/* ---- freeing ---- */

static void
kv_array_free(struct vsl_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

void
vsl_mount_clear(struct vsl_mount *m)
{
    free(m->destination);
    free(m->source);
    free(m->type);
    vsl_strv_clear(&m->options);
    free(m->data);
    free(m->uid_mappings);
    free(m->gid_mappings);
    *m = (struct vsl_mount){0};
}

static void
process_free(struct vsl_process *p)
{
    free(p->additional_gids);
    free(p->username);
    vsl_strv_clear(&p->args);
    free(p->command_line);
    vsl_strv_clear(&p->env);
    free(p->cwd);
    free(p->rlimits);
    free(p->apparmor_profile);
    free(p->selinux_label);
    vsl_strv_clear(&p->io_priority_class);
}

static void
hooks_free(struct vsl_hooks *h)
{
    for (int k = 0; k < VSL_HOOK__COUNT; k++) {
        for (size_t i = 0; i < h->n[k]; i++) {
            free(h->v[k][i].path);
            vsl_strv_clear(&h->v[k][i].args);
            vsl_strv_clear(&h->v[k][i].env);
        }
        free(h->v[k]);
    }
}

void
vsl_resources_clear(struct vsl_resources *rs)
{
    for (size_t i = 0; i < rs->n_devices; i++)
        free(rs->devices[i].access);
    free(rs->devices);
    free(rs->cpu.cpus);
    free(rs->cpu.mems);
    free(rs->block_io.weight_device);
    free(rs->block_io.throttle_read_bps);
    free(rs->block_io.throttle_write_bps);
    free(rs->block_io.throttle_read_iops);
    free(rs->block_io.throttle_write_iops);
    for (size_t i = 0; i < rs->n_hugepage_limits; i++)
        free(rs->hugepage_limits[i].page_size);
    free(rs->hugepage_limits);
    for (size_t i = 0; i < rs->network.n_priorities; i++)
        free(rs->network.priorities[i].name);
    free(rs->network.priorities);
    for (size_t i = 0; i < rs->n_rdma; i++)
        free(rs->rdma[i].device);
    free(rs->rdma);
    kv_array_free(rs->unified, rs->n_unified);
    *rs = (struct vsl_resources){0};
}

void
vsl_seccomp_free(struct vsl_seccomp *sc)
{
    if (!sc)
        return;
    free(sc->default_action);
    vsl_strv_clear(&sc->architectures);
    vsl_strv_clear(&sc->flags);
    free(sc->listener_path);
    free(sc->listener_metadata);
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        vsl_strv_clear(&sc->syscalls[i].names);
        free(sc->syscalls[i].action);
        free(sc->syscalls[i].args);
    }
    free(sc->syscalls);
    free(sc);
}

void
vsl_linux_clear(struct vsl_linux *l)
{
    for (int i = 0; i < VSL_NS__COUNT; i++)
        free(l->namespaces[i].path);
    free(l->uid_mappings);
    free(l->gid_mappings);
    kv_array_free(l->sysctl, l->n_sysctl);
    for (size_t i = 0; i < l->n_devices; i++)
        free(l->devices[i].path);
    free(l->devices);
    vsl_strv_clear(&l->masked_paths);
    vsl_strv_clear(&l->readonly_paths);
    free(l->cgroups_path);
    vsl_resources_clear(&l->resources);
    vsl_seccomp_free(l->seccomp);
    free(l->mount_label);
    free(l->personality_domain);
    *l = (struct vsl_linux){0};
}

void
vsl_spec_free(struct vsl_spec *spec)
{
    if (!spec)
        return;
    free(spec->oci_version);
    free(spec->root_path);
    free(spec->source);
    for (size_t i = 0; i < spec->n_mounts; i++)
        vsl_mount_clear(&spec->mounts[i]);
    free(spec->mounts);
    process_free(&spec->process);
    free(spec->hostname);
    free(spec->domainname);
    kv_array_free(spec->annotations, spec->n_annotations);
    hooks_free(&spec->hooks);
    vsl_linux_clear(&spec->linux_);
    free(spec);
}

/* ---- builders ---- */

void
vsl_spec_drop_source(struct vsl_spec *spec)
{
    if (spec) {
        free(spec->source);
        spec->source = NULL;
    }
}

int
vsl_spec_setenv(struct vsl_spec *spec, const char *kv)
{
    const char *eq = kv ? strchr(kv, '=') : NULL;
    struct vsl_strv *env;
    bool replaced = false;
    size_t klen;

    if (!spec || !eq || eq == kv)
        return -EINVAL;
    vsl_spec_drop_source(spec);
    env = &spec->process.env;
    klen = (size_t)(eq - kv) + 1; /* "KEY=" */
    /* Replace the first KEY and drop later duplicates, so the value set is the one execve sees. */
    for (size_t i = 0; i < env->n;) {
        if (strncmp(env->v[i], kv, klen) != 0) {
            i++;
        } else if (replaced) {
            strv_remove(env, i);
        } else {
            char *dup = strdup(kv);

            if (!dup)
                return -ENOMEM;
            free(env->v[i]);
            env->v[i++] = dup;
            replaced = true;
        }
    }
    return replaced ? 0 : vsl_strv_push(env, kv);
}

const char *
vsl_spec_getenv(const struct vsl_spec *spec, const char *key)
{
    size_t klen;

    if (!spec || !key)
        return NULL;
    klen = strlen(key);
    for (size_t i = 0; i < spec->process.env.n; i++) {
        const char *e = spec->process.env.v[i];

        if (strncmp(e, key, klen) == 0 && e[klen] == '=')
            return e + klen + 1;
    }
    return NULL;
}

/* value NULL removes the key. */
int
vsl_spec_set_annotation(struct vsl_spec *spec, const char *key, const char *value)
{
    struct vsl_kv *kv;
    char *k, *v = NULL;

    if (!spec || !key)
        return -EINVAL;
    vsl_spec_drop_source(spec);
    if (value) {
        v = strdup(value);
        if (!v)
            return -ENOMEM;
    }
    for (size_t i = 0; i < spec->n_annotations; i++) {
        kv = &spec->annotations[i];
        if (strcmp(kv->key, key) != 0)
            continue;
        free(kv->value);
        if (v) {
            kv->value = v;
            return 0;
        }
        free(kv->key);
        memmove(kv, kv + 1, (spec->n_annotations - i - 1) * sizeof(*kv));
        spec->n_annotations--;
        return 0;
    }
    if (!v)
        return 0;
    k = strdup(key);
    kv = k ? realloc(spec->annotations, (spec->n_annotations + 1) * sizeof(*kv)) : NULL;
    if (!kv) {
        free(k);
        free(v);
        return -ENOMEM;
    }
    kv[spec->n_annotations++] = (struct vsl_kv){.key = k, .value = v};
    spec->annotations = kv;
    return 0;
}

const char *
vsl_spec_get_annotation(const struct vsl_spec *spec, const char *key)
{
    if (!spec || !key)
        return NULL;
    for (size_t i = 0; i < spec->n_annotations; i++)
        if (strcmp(spec->annotations[i].key, key) == 0)
            return spec->annotations[i].value;
    return NULL;
}

/* Lexical cleaning as Go's filepath.Clean: "//" and "." collapse, ".." eats the segment before
 * it; nothing is resolved on disk. */
static void
path_clean(char *p)
{
    bool abs = p[0] == '/';
    size_t len = strlen(p), r = 0, w = 0, floor = 0;

    if (abs)
        p[w++] = '/', r = floor = 1;
    while (r < len) {
        size_t start = r, seg;

        while (r < len && p[r] != '/')
            r++;
        seg = r - start;
        while (r < len && p[r] == '/')
            r++;
        if (seg == 0 || (seg == 1 && p[start] == '.'))
            continue;
        if (seg == 2 && p[start] == '.' && p[start + 1] == '.') {
            if (w > floor) {
                while (w > floor && p[w - 1] != '/')
                    w--;
                if (w > floor)
                    w--;
                continue;
            }
            if (abs)
                continue; /* "/.." is "/" */
        }
        if (w > 0 && p[w - 1] != '/')
            p[w++] = '/';
        memmove(p + w, p + start, seg);
        w += seg;
        if (seg == 2 && p[w - 2] == '.' && p[w - 1] == '.')
            floor = w; /* a leading ".." of a relative path stays */
    }
    if (w == 0)
        p[w++] = '.';
    p[w] = '\0';
}

static int
path_equal(const char *a, const char *b)
{
    _cleanup_free_ char *ca = strdup(a), *cb = strdup(b);

    if (!ca || !cb)
        return -ENOMEM;
    path_clean(ca);
    path_clean(cb);
    return strcmp(ca, cb) == 0;
}

int
vsl_spec_add_mount(struct vsl_spec *spec, const char *destination, const char *type,
                   const char *source, const char *options, struct vsl_error *err)
{
    struct vsl_mount m = {0}, *nm;
    int r = -ENOMEM;

    if (!spec)
        return vsl_err(err, EINVAL, "mount: no spec");
    if (!destination || !*destination)
        return vsl_err(err, EINVAL, "mount: empty destination");
    vsl_spec_drop_source(spec);
    m.destination = strdup(destination);
    if (!m.destination || (type && !(m.type = strdup(type))) ||
        (source && !(m.source = strdup(source))))
        goto fail;
    for (const char *o = options; o && *o;) {
        size_t n = strcspn(o, ",");
        _cleanup_free_ char *opt = strndup(o, n);

        if (!opt)
            goto fail;
        if (*opt && vsl_strv_push(&m.options, opt) < 0)
            goto fail;
        o += n + (o[n] == ',');
    }
    r = vsl_mount_parse_options(&m, err);
    if (r < 0) {
        vsl_err_prefix(err, "mount on '%s': ", destination);
        vsl_mount_clear(&m);
        return r;
    }
    nm = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*nm));
    if (!nm)
        goto fail;
    nm[spec->n_mounts++] = m;
    spec->mounts = nm;
    return 0;
fail:
    vsl_mount_clear(&m);
    return vsl_err(err, ENOMEM, "mount on '%s': out of memory", destination);
}

int
vsl_spec_remove_mount(struct vsl_spec *spec, const char *destination)
{
    int removed = 0;

    if (!spec || !destination)
        return -EINVAL;
    /* Every entry for this destination goes ("/sys" and "/sys/" are one place). */
    for (size_t i = 0; i < spec->n_mounts;) {
        int eq = path_equal(spec->mounts[i].destination, destination);

        if (eq < 0)
            return eq;
        if (!eq) {
            i++;
            continue;
        }
        vsl_mount_clear(&spec->mounts[i]);
        memmove(&spec->mounts[i], &spec->mounts[i + 1],
                (spec->n_mounts - i - 1) * sizeof(*spec->mounts));
        spec->n_mounts--;
        removed = 1;
    }
    return removed;
}

int
vsl_spec_resolve_root(struct vsl_spec *spec, const char *bundle, struct vsl_error *err)
{
    _cleanup_free_ char *cwd = NULL, *joined = NULL;
    const char *base = bundle && *bundle ? bundle : ".";
    char *tmp;

    if (!spec->root_path)
        return 0;
    if (spec->root_path[0] == '/') {
        size_t len = strlen(spec->root_path);
        path_clean(spec->root_path);
        if (strlen(spec->root_path) != len) /* cleaning only ever shortens it */
            vsl_spec_drop_source(spec);
        return 0;
    }
    vsl_spec_drop_source(spec);
    if (base[0] != '/') {
        cwd = getcwd(NULL, 0);
        if (!cwd)
            return vsl_err_errno(err, "getcwd");
    }
    if (asprintf(&tmp, "%s%s%s/%s", cwd ? cwd : "", cwd ? "/" : "", base, spec->root_path) < 0)
        return vsl_err(err, ENOMEM, "root.path: out of memory"); /* tmp is undefined here */
    joined = tmp;
    path_clean(joined);
    free(spec->root_path);
    spec->root_path = TAKE_PTR(joined);
    return 0;
}
