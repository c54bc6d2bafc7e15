// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * struct vsl_spec -> config.json text: every member that is set, in the spec's names and shapes
 * and in runc's member order, pretty-printed with a 2-space indent and a trailing newline. What
 * this writes, vsl_spec_parse() reads back into an equal struct (tests/unit/test_spec.c checks).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "error.h"
#include "spec_internal.h"

/* The writer's state: the first failure wins, so one check at the end covers every call. */
struct jw {
    int r;
    char msg[256];
};

__attribute__((format(printf, 3, 4))) static void
jw_fail(struct jw *w, int errnum, const char *fmt, ...)
{
    va_list ap;

    if (w->r < 0)
        return;
    w->r = -errnum;
    va_start(ap, fmt);
    (void)vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
    va_end(ap);
}

/* What jansson accepts: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool
utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        uint32_t cp;
        size_t n;

        if (*p < 0x80) {
            p++;
            continue;
        }
        if ((*p & 0xe0) == 0xc0)
            n = 1, cp = *p & 0x1f;
        else if ((*p & 0xf0) == 0xe0)
            n = 2, cp = *p & 0x0f;
        else if ((*p & 0xf8) == 0xf0)
            n = 3, cp = *p & 0x07;
        else
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
                return false;
            cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += n + 1;
    }
    return true;
}

static json_t *
jstr(struct jw *w, const char *s)
{
    json_t *v;

    if (!utf8_valid(s)) {
        jw_fail(w, EILSEQ, "'%s' is not valid UTF-8", s);
        return NULL;
    }
    v = json_string(s);
    if (!v)
        jw_fail(w, ENOMEM, "out of memory");
    return v;
}

/* Integers above INT64_MAX leave as marked strings, unmarked into bare numbers once dumped. */
static json_t *
ju64(struct jw *w, uint64_t v)
{
    char buf[24];
    int n;

    if (v <= INT64_MAX)
        return json_integer((json_int_t)v);
    n = snprintf(buf, sizeof(buf), "%c%llu", SP_BIGNUM_MARK, (unsigned long long)v);
    return json_stringn(buf, (size_t)n);
}

/* Takes v (also on failure, also NULL: a failure already recorded). */
static void
put(struct jw *w, json_t *o, const char *key, json_t *v)
{
    if (!utf8_valid(key)) {
        json_decref(v);
        jw_fail(w, EILSEQ, "'%s' is not valid UTF-8", key);
        return;
    }
    if (json_object_set_new(o, key, v) < 0)
        jw_fail(w, ENOMEM, "out of memory");
}

static void
add(struct jw *w, json_t *arr, json_t *v)
{
    if (json_array_append_new(arr, v) < 0)
        jw_fail(w, ENOMEM, "out of memory");
}

static void
put_str(struct jw *w, json_t *o, const char *key, const char *s)
{
    if (s)
        put(w, o, key, jstr(w, s));
}

static void
put_opt_u64(struct jw *w, json_t *o, const char *key, struct vsl_opt_u64 v)
{
    if (v.set)
        put(w, o, key, ju64(w, v.v));
}

static void
put_opt_i64(struct jw *w, json_t *o, const char *key, struct vsl_opt_i64 v)
{
    if (v.set)
        put(w, o, key, json_integer(v.v));
}

static void
put_true(struct jw *w, json_t *o, const char *key, bool v)
{
    if (v)
        put(w, o, key, json_true());
}

static void
put_strv(struct jw *w, json_t *o, const char *key, const struct vsl_strv *v)
{
    json_t *arr;

    if (v->n == 0)
        return;
    arr = json_array();
    for (size_t i = 0; i < v->n; i++)
        add(w, arr, jstr(w, v->v[i]));
    put(w, o, key, arr);
}

static void
put_kv(struct jw *w, json_t *o, const char *key, const struct vsl_kv *kv, size_t n)
{
    json_t *obj;

    if (n == 0)
        return;
    obj = json_object();
    for (size_t i = 0; i < n; i++)
        put(w, obj, kv[i].key, jstr(w, kv[i].value));
    put(w, o, key, obj);
}

/* Puts obj under key unless nothing was set in it. */
static void
put_nonempty(struct jw *w, json_t *o, const char *key, json_t *obj)
{
    if (obj && json_object_size(obj) == 0)
        json_decref(obj);
    else
        put(w, o, key, obj);
}

static void
put_idmaps(struct jw *w, json_t *o, const char *key, const struct vsl_idmap *m, size_t n)
{
    json_t *arr;

    if (n == 0)
        return;
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_object();

        put(w, e, "containerID", json_integer(m[i].container_id));
        put(w, e, "hostID", json_integer(m[i].host_id));
        put(w, e, "size", json_integer(m[i].size));
        add(w, arr, e);
    }
    put(w, o, key, arr);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names in alphabetical order, as runc writes them, not in bit order. */
static void
put_caps(struct jw *w, json_t *o, const char *key, uint64_t set)
{
    const char *names[64];
    size_t n = 0;
    json_t *arr;

    if (set == 0)
        return;
    for (int cap = 0; cap < 64; cap++) {
        if (!(set & (UINT64_C(1) << cap)))
            continue;
        names[n] = vsl_cap_name(cap);
        if (!names[n]) {
            jw_fail(w, EINVAL, "process.capabilities.%s: unknown capability %d", key, cap);
            return;
        }
        n++;
    }
    qsort(names, n, sizeof(*names), cmp_str);
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        add(w, arr, jstr(w, names[i]));
    put(w, o, key, arr);
}

static json_t *
process_json(struct jw *w, const struct vsl_process *p)
{
    json_t *o = json_object(), *user = json_object();

    put(w, o, "terminal", json_boolean(p->terminal));
    if (p->console_height || p->console_width) {
        json_t *cs = json_object();

        put(w, cs, "height", json_integer(p->console_height));
        put(w, cs, "width", json_integer(p->console_width));
        put(w, o, "consoleSize", cs);
    }
    put(w, user, "uid", json_integer(p->uid));
    put(w, user, "gid", json_integer(p->gid));
    put_opt_u64(w, user, "umask", p->umask);
    if (p->n_additional_gids > 0) {
        json_t *arr = json_array();

        for (size_t i = 0; i < p->n_additional_gids; i++)
            add(w, arr, json_integer(p->additional_gids[i]));
        put(w, user, "additionalGids", arr);
    }
    put_str(w, user, "username", p->username);
    put(w, o, "user", user);
    put_strv(w, o, "args", &p->args);
    put_str(w, o, "commandLine", p->command_line);
    put_strv(w, o, "env", &p->env);
    put_str(w, o, "cwd", p->cwd);
    if (p->caps.present) {
        json_t *caps = json_object();

        put_caps(w, caps, "bounding", p->caps.bounding);
        put_caps(w, caps, "effective", p->caps.effective);
        put_caps(w, caps, "inheritable", p->caps.inheritable);
        put_caps(w, caps, "permitted", p->caps.permitted);
        put_caps(w, caps, "ambient", p->caps.ambient);
        put(w, o, "capabilities", caps);
    }
    if (p->n_rlimits > 0) {
        json_t *arr = json_array();

        for (size_t i = 0; i < p->n_rlimits; i++) {
            const char *name = vsl_rlimit_name(p->rlimits[i].resource);
            json_t *e = json_object();

            if (!name)
                jw_fail(w, EINVAL, "process.rlimits[%zu]: unknown resource %d", i,
                        p->rlimits[i].resource);
            put_str(w, e, "type", name);
            put(w, e, "hard", ju64(w, p->rlimits[i].hard));
            put(w, e, "soft", ju64(w, p->rlimits[i].soft));
            add(w, arr, e);
        }
        put(w, o, "rlimits", arr);
    }
    put_opt_i64(w, o, "oomScoreAdj", p->oom_score_adj);
    put_true(w, o, "noNewPrivileges", p->no_new_privileges);
    put_str(w, o, "apparmorProfile", p->apparmor_profile);
    put_str(w, o, "selinuxLabel", p->selinux_label);
    return o;
}

static json_t *
mounts_json(struct jw *w, const struct vsl_spec *s)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < s->n_mounts; i++) {
        const struct vsl_mount *m = &s->mounts[i];
        json_t *e = json_object();

        put_str(w, e, "destination", m->destination);
        put_str(w, e, "type", m->type);
        put_str(w, e, "source", m->source);
        put_strv(w, e, "options", &m->options);
        put_idmaps(w, e, "uidMappings", m->uid_mappings, m->n_uid_mappings);
        put_idmaps(w, e, "gidMappings", m->gid_mappings, m->n_gid_mappings);
        add(w, arr, e);
    }
    return arr;
}

static json_t *
hooks_json(struct jw *w, const struct vsl_hooks *h)
{
    json_t *o = json_object();

    for (int k = 0; k < VSL_HOOK__COUNT; k++) {
        json_t *arr;

        if (h->n[k] == 0)
            continue;
        arr = json_array();
        for (size_t i = 0; i < h->n[k]; i++) {
            const struct vsl_hook *hook = &h->v[k][i];
            json_t *e = json_object();

            put_str(w, e, "path", hook->path);
            put_strv(w, e, "args", &hook->args);
            put_strv(w, e, "env", &hook->env);
            put_opt_i64(w, e, "timeout", hook->timeout);
            add(w, arr, e);
        }
        put(w, o, vsl_hook_name(k), arr);
    }
    return o;
}

static json_t *
device_rules_json(struct jw *w, const struct vsl_resources *rs)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < rs->n_devices; i++) {
        const struct vsl_device_rule *d = &rs->devices[i];
        json_t *e = json_object();
        char type[2] = {d->type, '\0'};

        put(w, e, "allow", json_boolean(d->allow));
        if (d->type && d->type != 'a')
            put_str(w, e, "type", type);
        put_opt_i64(w, e, "major", d->major);
        put_opt_i64(w, e, "minor", d->minor);
        put_str(w, e, "access", d->access);
        add(w, arr, e);
    }
    return arr;
}

static json_t *
memory_json(struct jw *w, const struct vsl_resources *rs)
{
    json_t *o = json_object();

    put_opt_i64(w, o, "limit", rs->memory.limit);
    put_opt_i64(w, o, "reservation", rs->memory.reservation);
    put_opt_i64(w, o, "swap", rs->memory.swap);
    put_opt_i64(w, o, "kernel", rs->memory.kernel);
    put_opt_i64(w, o, "kernelTCP", rs->memory.kernel_tcp);
    put_opt_u64(w, o, "swappiness", rs->memory.swappiness);
    put_true(w, o, "disableOOMKiller", rs->memory.disable_oom_killer);
    put_true(w, o, "useHierarchy", rs->memory.use_hierarchy);
    put_true(w, o, "checkBeforeUpdate", rs->memory.check_before_update);
    return o;
}

static json_t *
cpu_json(struct jw *w, const struct vsl_resources *rs)
{
    json_t *o = json_object();

    put_opt_u64(w, o, "shares", rs->cpu.shares);
    put_opt_i64(w, o, "quota", rs->cpu.quota);
    put_opt_u64(w, o, "burst", rs->cpu.burst);
    put_opt_u64(w, o, "period", rs->cpu.period);
    put_opt_i64(w, o, "realtimeRuntime", rs->cpu.realtime_runtime);
    put_opt_u64(w, o, "realtimePeriod", rs->cpu.realtime_period);
    put_str(w, o, "cpus", rs->cpu.cpus);
    put_str(w, o, "mems", rs->cpu.mems);
    put_opt_i64(w, o, "idle", rs->cpu.idle);
    return o;
}

static void
put_throttle(struct jw *w, json_t *o, const char *key, const struct vsl_throttle_device *t,
             size_t n)
{
    json_t *arr;

    if (n == 0)
        return;
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_object();

        put(w, e, "major", json_integer(t[i].major));
        put(w, e, "minor", json_integer(t[i].minor));
        put(w, e, "rate", ju64(w, t[i].rate));
        add(w, arr, e);
    }
    put(w, o, key, arr);
}

static json_t *
block_io_json(struct jw *w, const struct vsl_resources *rs)
{
    const typeof(rs->block_io) *b = &rs->block_io;
    json_t *o = json_object();

    put_opt_u64(w, o, "weight", b->weight);
    put_opt_u64(w, o, "leafWeight", b->leaf_weight);
    if (b->n_weight_device > 0) {
        json_t *arr = json_array();

        for (size_t i = 0; i < b->n_weight_device; i++) {
            json_t *e = json_object();

            put(w, e, "major", json_integer(b->weight_device[i].major));
            put(w, e, "minor", json_integer(b->weight_device[i].minor));
            put_opt_u64(w, e, "weight", b->weight_device[i].weight);
            put_opt_u64(w, e, "leafWeight", b->weight_device[i].leaf_weight);
            add(w, arr, e);
        }
        put(w, o, "weightDevice", arr);
    }
    put_throttle(w, o, "throttleReadBpsDevice", b->throttle_read_bps, b->n_throttle_read_bps);
    put_throttle(w, o, "throttleWriteBpsDevice", b->throttle_write_bps, b->n_throttle_write_bps);
    put_throttle(w, o, "throttleReadIOPSDevice", b->throttle_read_iops, b->n_throttle_read_iops);
    put_throttle(w, o, "throttleWriteIOPSDevice", b->throttle_write_iops, b->n_throttle_write_iops);
    return o;
}

static json_t *
network_json(struct jw *w, const struct vsl_resources *rs)
{
    json_t *o = json_object();

    put_opt_u64(w, o, "classID", rs->network.class_id);
    if (rs->network.n_priorities > 0) {
        json_t *arr = json_array();

        for (size_t i = 0; i < rs->network.n_priorities; i++) {
            json_t *e = json_object();

            put_str(w, e, "name", rs->network.priorities[i].name);
            put(w, e, "priority", json_integer(rs->network.priorities[i].priority));
            add(w, arr, e);
        }
        put(w, o, "priorities", arr);
    }
    return o;
}

static json_t *
resources_json(struct jw *w, const struct vsl_resources *rs)
{
    json_t *o = json_object();

    if (rs->n_devices > 0)
        put(w, o, "devices", device_rules_json(w, rs));
    put_nonempty(w, o, "memory", memory_json(w, rs));
    put_nonempty(w, o, "cpu", cpu_json(w, rs));
    if (rs->pids.limit.set) {
        json_t *pids = json_object();

        put(w, pids, "limit", json_integer(rs->pids.limit.v));
        put(w, o, "pids", pids);
    }
    put_nonempty(w, o, "blockIO", block_io_json(w, rs));
    if (rs->n_hugepage_limits > 0) {
        json_t *arr = json_array();

        for (size_t i = 0; i < rs->n_hugepage_limits; i++) {
            json_t *e = json_object();

            put_str(w, e, "pageSize", rs->hugepage_limits[i].page_size);
            put(w, e, "limit", ju64(w, rs->hugepage_limits[i].limit));
            add(w, arr, e);
        }
        put(w, o, "hugepageLimits", arr);
    }
    put_nonempty(w, o, "network", network_json(w, rs));
    if (rs->n_rdma > 0) {
        json_t *rdma = json_object();

        for (size_t i = 0; i < rs->n_rdma; i++) {
            json_t *e = json_object();

            put_opt_u64(w, e, "hcaHandles", rs->rdma[i].hca_handles);
            put_opt_u64(w, e, "hcaObjects", rs->rdma[i].hca_objects);
            put(w, rdma, rs->rdma[i].device, e);
        }
        put(w, o, "rdma", rdma);
    }
    put_kv(w, o, "unified", rs->unified, rs->n_unified);
    return o;
}

static json_t *
seccomp_json(struct jw *w, const struct vsl_seccomp *sc)
{
    json_t *o = json_object(), *calls;

    put_str(w, o, "defaultAction", sc->default_action);
    put_opt_u64(w, o, "defaultErrnoRet", sc->default_errno_ret);
    put_strv(w, o, "architectures", &sc->architectures);
    put_strv(w, o, "flags", &sc->flags);
    put_str(w, o, "listenerPath", sc->listener_path);
    put_str(w, o, "listenerMetadata", sc->listener_metadata);
    if (sc->n_syscalls == 0)
        return o;
    calls = json_array();
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        const struct vsl_seccomp_syscall *sys = &sc->syscalls[i];
        json_t *e = json_object(), *args = json_array();

        put_strv(w, e, "names", &sys->names);
        put_str(w, e, "action", sys->action);
        put_opt_u64(w, e, "errnoRet", sys->errno_ret);
        for (size_t j = 0; j < sys->n_args; j++) {
            const struct vsl_seccomp_arg *a = &sys->args[j];
            const char *op = vsl_seccomp_op_name(a->op);
            json_t *arg = json_object();

            if (!op)
                jw_fail(w, EINVAL, "linux.seccomp.syscalls[%zu].args[%zu]: unknown operator %d", i,
                        j, (int)a->op);
            put(w, arg, "index", json_integer(a->index));
            put(w, arg, "value", ju64(w, a->value));
            if (a->value_two)
                put(w, arg, "valueTwo", ju64(w, a->value_two));
            put_str(w, arg, "op", op);
            add(w, args, arg);
        }
        if (sys->n_args > 0)
            put(w, e, "args", args);
        else
            json_decref(args);
        add(w, calls, e);
    }
    put(w, o, "syscalls", calls);
    return o;
}

static json_t *
devices_json(struct jw *w, const struct vsl_linux *l)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < l->n_devices; i++) {
        const struct vsl_device *d = &l->devices[i];
        json_t *e = json_object();
        char type[2] = {d->type, '\0'};

        put_str(w, e, "path", d->path);
        put_str(w, e, "type", type);
        if (d->type != 'p' || d->major || d->minor) {
            put(w, e, "major", json_integer(d->major));
            put(w, e, "minor", json_integer(d->minor));
        }
        put_opt_u64(w, e, "fileMode", d->file_mode);
        put_opt_u64(w, e, "uid", d->uid);
        put_opt_u64(w, e, "gid", d->gid);
        add(w, arr, e);
    }
    return arr;
}

static void
put_namespaces(struct jw *w, json_t *o, const struct vsl_linux *l)
{
    static const enum vsl_ns_kind order[] = {VSL_NS_PID,   VSL_NS_NET,  VSL_NS_IPC,    VSL_NS_UTS,
                                             VSL_NS_MOUNT, VSL_NS_USER, VSL_NS_CGROUP, VSL_NS_TIME};
    json_t *arr = json_array();

    for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
        const struct vsl_namespace *ns = &l->namespaces[order[i]];
        json_t *e;

        if (!ns->present)
            continue;
        e = json_object();
        put_str(w, e, "type", vsl_ns_name(order[i]));
        put_str(w, e, "path", ns->path);
        add(w, arr, e);
    }
    if (json_array_size(arr) > 0)
        put(w, o, "namespaces", arr);
    else
        json_decref(arr);
}

static void
put_time_offset(struct jw *w, json_t *o, const char *key, const struct vsl_time_offset *t)
{
    json_t *e;

    if (!t->set)
        return;
    e = json_object();
    put(w, e, "secs", json_integer(t->secs));
    put(w, e, "nanosecs", json_integer(t->nanosecs));
    put(w, o, key, e);
}

static json_t *
linux_json(struct jw *w, const struct vsl_linux *l)
{
    json_t *o = json_object(), *offsets = json_object();

    put_idmaps(w, o, "uidMappings", l->uid_mappings, l->n_uid_mappings);
    put_idmaps(w, o, "gidMappings", l->gid_mappings, l->n_gid_mappings);
    put_kv(w, o, "sysctl", l->sysctl, l->n_sysctl);
    if (l->has_resources)
        put(w, o, "resources", resources_json(w, &l->resources));
    put_str(w, o, "cgroupsPath", l->cgroups_path);
    put_namespaces(w, o, l);
    if (l->n_devices > 0)
        put(w, o, "devices", devices_json(w, l));
    if (l->seccomp)
        put(w, o, "seccomp", seccomp_json(w, l->seccomp));
    if (l->rootfs_propagation) {
        const char *name = vsl_propagation_name(l->rootfs_propagation);

        if (!name)
            jw_fail(w, EINVAL, "linux.rootfsPropagation: unknown flags %#lx",
                    l->rootfs_propagation);
        put_str(w, o, "rootfsPropagation", name);
    }
    put_strv(w, o, "maskedPaths", &l->masked_paths);
    put_strv(w, o, "readonlyPaths", &l->readonly_paths);
    put_str(w, o, "mountLabel", l->mount_label);
    if (l->personality_domain) {
        json_t *pers = json_object();

        put_str(w, pers, "domain", l->personality_domain);
        put(w, o, "personality", pers);
    }
    put_time_offset(w, offsets, "boottime", &l->time_boottime);
    put_time_offset(w, offsets, "monotonic", &l->time_monotonic);
    put_nonempty(w, o, "timeOffsets", offsets);
    return o;
}

static json_t *
spec_json(struct jw *w, const struct vsl_spec *s)
{
    json_t *o = json_object();

    put_str(w, o, "ociVersion", s->oci_version ? s->oci_version : VSL_OCI_VERSION);
    if (s->has_process)
        put(w, o, "process", process_json(w, &s->process));
    if (s->root_path) {
        json_t *root = json_object();

        put_str(w, root, "path", s->root_path);
        put_true(w, root, "readonly", s->root_readonly);
        put(w, o, "root", root);
    }
    put_str(w, o, "hostname", s->hostname);
    put_str(w, o, "domainname", s->domainname);
    if (s->n_mounts > 0)
        put(w, o, "mounts", mounts_json(w, s));
    put_nonempty(w, o, "hooks", hooks_json(w, &s->hooks));
    put_kv(w, o, "annotations", s->annotations, s->n_annotations);
    if (s->has_linux)
        put(w, o, "linux", linux_json(w, &s->linux_));
    return o;
}

/* Turns each dumped "\u0000<digits>" string back into the bare number it stands for. No other
 * string can start with a NUL: the parser refuses them and C strings cannot hold one. */
static void
unmark_bignums(char *s)
{
    static const char mark[] = "\"\\u0000";
    char *r = s, *w = s;

    while (*r) {
        if (strncmp(r, mark, sizeof(mark) - 1) != 0) {
            *w++ = *r++;
            continue;
        }
        r += sizeof(mark) - 1;
        while (*r && *r != '"')
            *w++ = *r++;
        if (*r)
            r++;
    }
    *w = '\0';
}

int
vsl_spec_to_json(const struct vsl_spec *spec, char **ret_json, struct vsl_error *err)
{
    struct jw w = {0};
    _cleanup_free_ char *text = NULL;
    char *out;
    json_t *root;
    size_t len;

    if (!spec)
        return vsl_err(err, EINVAL, "spec to json: no spec");
    root = spec_json(&w, spec);
    if (!root && w.r == 0)
        jw_fail(&w, ENOMEM, "out of memory");
    if (w.r == 0) {
        text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!text)
            jw_fail(&w, ENOMEM, "out of memory");
    }
    json_decref(root);
    if (w.r < 0)
        return vsl_err(err, w.r, "spec to json: %s", w.msg);
    unmark_bignums(text);
    len = strlen(text);
    out = malloc(len + 2);
    if (!out)
        return vsl_err(err, ENOMEM, "spec to json: out of memory");
    memcpy(out, text, len);
    out[len] = '\n';
    out[len + 1] = '\0';
    *ret_json = out;
    return 0;
}
