// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "linux" section of config.json: namespaces, id mappings, time offsets, devices, cgroup
 * resources, seccomp and the rest of config-linux.md. Values the kernel would reject later are
 * refused here with their JSON path, before any side effect; nothing here is stricter than runc.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "error.h"
#include "spec_internal.h"

/* Run one array element parser over obj[key], into a zeroed array the caller owns from the start
 * (the count grows with each element, so a failure half-way frees what was filled). */
#define PARSE_ARRAY(c, obj, path, key, arr_field, n_field, fn)                                     \
    ({                                                                                             \
        char _p[SP_PATH_MAX], _pi[SP_PATH_MAX];                                                    \
        json_t *_arr = NULL;                                                                       \
        int _r = sp_array((c), (obj), (path), (key), &_arr);                                       \
        if (_r > 0)                                                                                \
            _r = sp_calloc((c), json_array_size(_arr), sizeof(*(arr_field)),                       \
                           (void **)&(arr_field));                                                 \
        sp_key(_p, (path), (key));                                                                 \
        for (size_t _i = 0; _r >= 0 && _i < json_array_size(_arr); _i++) {                         \
            json_t *_e = json_array_get(_arr, _i);                                                 \
                                                                                                   \
            (n_field) = _i + 1;                                                                    \
            sp_idx(_pi, _p, _i);                                                                   \
            _r = json_is_object(_e) ? fn((c), _e, _pi, &(arr_field)[_i])                           \
                                    : sp_fail((c), _pi, "expected an object");                     \
        }                                                                                          \
        _r < 0 ? _r : 0;                                                                           \
    })

static int
parse_namespace(const struct sp_ctx *c, json_t *o, const char *path, struct vsl_linux *l)
{
    char pt[SP_PATH_MAX];
    _cleanup_free_ char *type = NULL, *nspath = NULL;
    int kind, r;

    if (!json_is_object(o))
        return sp_fail(c, path, "expected an object");
    if ((r = sp_string(c, o, path, "type", true, &type)) < 0 ||
        (r = sp_string(c, o, path, "path", false, &nspath)) < 0)
        return r;
    kind = vsl_ns_from_name(type);
    if (kind < 0)
        return sp_fail(c, sp_key(pt, path, "type"), "unknown namespace '%s'", type);
    if (l->namespaces[kind].present)
        return sp_fail(c, sp_key(pt, path, "type"), "duplicate namespace '%s'", type);
    l->namespaces[kind].present = true;
    /* An empty path is Go's zero value: create the namespace. */
    if (nspath && *nspath)
        l->namespaces[kind].path = TAKE_PTR(nspath);
    return 0;
}

static int
parse_namespaces(const struct sp_ctx *c, json_t *obj, struct vsl_linux *l)
{
    char pi[SP_PATH_MAX];
    json_t *arr;
    int r;

    r = sp_array(c, obj, "linux", "namespaces", &arr);
    if (r <= 0)
        return r;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);

        r = parse_namespace(c, e, sp_idx(pi, "linux.namespaces", i), l);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
parse_time_offsets(const struct sp_ctx *c, json_t *obj, struct vsl_linux *l)
{
    char pk[SP_PATH_MAX];
    json_t *o;
    uint64_t ns;
    int r;

    r = sp_object(c, obj, "linux", "timeOffsets", &o);
    if (r <= 0)
        return r;
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
        const char *key = json_object_iter_key(it);
        json_t *e = json_object_iter_value(it);
        struct vsl_time_offset *t;

        sp_key(pk, "linux.timeOffsets", key);
        if (strcmp(key, "boottime") == 0)
            t = &l->time_boottime;
        else if (strcmp(key, "monotonic") == 0)
            t = &l->time_monotonic;
        else
            return sp_fail(c, pk, "unknown clock '%s'", key);
        if (json_is_null(e))
            continue;
        if (!json_is_object(e))
            return sp_fail(c, pk, "expected an object");
        t->set = true;
        if ((r = sp_i64(c, e, pk, "secs", INT64_MIN, INT64_MAX, false, &t->secs)) < 0 ||
            (r = sp_u64(c, e, pk, "nanosecs", UINT32_MAX, false, &ns)) < 0)
            return r;
        t->nanosecs = r > 0 ? (uint32_t)ns : 0;
    }
    return 0;
}

static int
parse_device(const struct sp_ctx *c, json_t *o, const char *path, struct vsl_device *d)
{
    char pt[SP_PATH_MAX];
    _cleanup_free_ char *type = NULL;
    bool need_numbers;
    int r;

    if ((r = sp_string(c, o, path, "path", true, &d->path)) < 0 ||
        (r = sp_string(c, o, path, "type", true, &type)) < 0)
        return r;
    if (strlen(type) != 1 || !strchr("cbup", type[0]))
        return sp_fail(c, sp_key(pt, path, "type"), "unknown device type '%s'", type);
    d->type = type[0];
    need_numbers = d->type != 'p'; /* a FIFO has no device number */
    if ((r = sp_i64(c, o, path, "major", INT64_MIN, INT64_MAX, need_numbers, &d->major)) < 0 ||
        (r = sp_i64(c, o, path, "minor", INT64_MIN, INT64_MAX, need_numbers, &d->minor)) < 0 ||
        (r = sp_opt_u64(c, o, path, "fileMode", UINT32_MAX, &d->file_mode)) < 0 ||
        (r = sp_opt_u64(c, o, path, "uid", UINT32_MAX, &d->uid)) < 0 ||
        (r = sp_opt_u64(c, o, path, "gid", UINT32_MAX, &d->gid)) < 0)
        return r;
    if (!*d->path)
        return sp_fail(c, sp_key(pt, path, "path"), "must not be empty");
    return 0;
}

static int
parse_device_rule(const struct sp_ctx *c, json_t *o, const char *path, struct vsl_device_rule *d)
{
    char pk[SP_PATH_MAX];
    _cleanup_free_ char *type = NULL;
    int r;

    r = sp_bool(c, o, path, "allow", &d->allow);
    if (r == 0)
        return sp_fail(c, sp_key(pk, path, "allow"), "required");
    if (r < 0 || (r = sp_string(c, o, path, "type", false, &type)) < 0 ||
        (r = sp_opt_i64(c, o, path, "major", &d->major)) < 0 ||
        (r = sp_opt_i64(c, o, path, "minor", &d->minor)) < 0 ||
        (r = sp_string(c, o, path, "access", false, &d->access)) < 0)
        return r;
    d->type = 'a';
    if (type && *type) {
        if (strlen(type) != 1 || !strchr("abc", type[0]))
            return sp_fail(c, sp_key(pk, path, "type"), "unknown device type '%s'", type);
        d->type = type[0];
    }
    if (d->access && strspn(d->access, "rwm") != strlen(d->access))
        return sp_fail(c, sp_key(pk, path, "access"), "expected a subset of 'rwm', got '%s'",
                       d->access);
    return 0;
}

static int
parse_memory(const struct sp_ctx *c, json_t *res, struct vsl_resources *rs)
{
    static const char p[] = "linux.resources.memory";
    json_t *o;
    int r;

    r = sp_object(c, res, "linux.resources", "memory", &o);
    if (r <= 0)
        return r;
    if ((r = sp_opt_i64(c, o, p, "limit", &rs->memory.limit)) < 0 ||
        (r = sp_opt_i64(c, o, p, "reservation", &rs->memory.reservation)) < 0 ||
        (r = sp_opt_i64(c, o, p, "swap", &rs->memory.swap)) < 0 ||
        (r = sp_opt_i64(c, o, p, "kernel", &rs->memory.kernel)) < 0 ||
        (r = sp_opt_i64(c, o, p, "kernelTCP", &rs->memory.kernel_tcp)) < 0 ||
        (r = sp_opt_u64(c, o, p, "swappiness", UINT64_MAX, &rs->memory.swappiness)) < 0 ||
        (r = sp_bool(c, o, p, "disableOOMKiller", &rs->memory.disable_oom_killer)) < 0 ||
        (r = sp_bool(c, o, p, "useHierarchy", &rs->memory.use_hierarchy)) < 0 ||
        (r = sp_bool(c, o, p, "checkBeforeUpdate", &rs->memory.check_before_update)) < 0)
        return r;
    return 0;
}

static int
parse_cpu(const struct sp_ctx *c, json_t *res, struct vsl_resources *rs)
{
    static const char p[] = "linux.resources.cpu";
    json_t *o;
    int r;

    r = sp_object(c, res, "linux.resources", "cpu", &o);
    if (r <= 0)
        return r;
    if ((r = sp_opt_u64(c, o, p, "shares", UINT64_MAX, &rs->cpu.shares)) < 0 ||
        (r = sp_opt_i64(c, o, p, "quota", &rs->cpu.quota)) < 0 ||
        (r = sp_opt_u64(c, o, p, "burst", UINT64_MAX, &rs->cpu.burst)) < 0 ||
        (r = sp_opt_u64(c, o, p, "period", UINT64_MAX, &rs->cpu.period)) < 0 ||
        (r = sp_opt_i64(c, o, p, "realtimeRuntime", &rs->cpu.realtime_runtime)) < 0 ||
        (r = sp_opt_u64(c, o, p, "realtimePeriod", UINT64_MAX, &rs->cpu.realtime_period)) < 0 ||
        (r = sp_string(c, o, p, "cpus", false, &rs->cpu.cpus)) < 0 ||
        (r = sp_string(c, o, p, "mems", false, &rs->cpu.mems)) < 0 ||
        (r = sp_opt_i64(c, o, p, "idle", &rs->cpu.idle)) < 0)
        return r;
    return 0;
}

static int
parse_weight_device(const struct sp_ctx *c, json_t *o, const char *path,
                    struct vsl_weight_device *w)
{
    int r;

    if ((r = sp_i64(c, o, path, "major", INT64_MIN, INT64_MAX, true, &w->major)) < 0 ||
        (r = sp_i64(c, o, path, "minor", INT64_MIN, INT64_MAX, true, &w->minor)) < 0 ||
        (r = sp_opt_u64(c, o, path, "weight", UINT16_MAX, &w->weight)) < 0 ||
        (r = sp_opt_u64(c, o, path, "leafWeight", UINT16_MAX, &w->leaf_weight)) < 0)
        return r;
    return 0;
}

static int
parse_throttle(const struct sp_ctx *c, json_t *o, const char *path, struct vsl_throttle_device *t)
{
    int r;

    if ((r = sp_i64(c, o, path, "major", INT64_MIN, INT64_MAX, true, &t->major)) < 0 ||
        (r = sp_i64(c, o, path, "minor", INT64_MIN, INT64_MAX, true, &t->minor)) < 0 ||
        (r = sp_u64(c, o, path, "rate", UINT64_MAX, true, &t->rate)) < 0)
        return r;
    return 0;
}

static int
parse_block_io(const struct sp_ctx *c, json_t *res, struct vsl_resources *rs)
{
    static const char p[] = "linux.resources.blockIO";
    typeof(rs->block_io) *b = &rs->block_io;
    json_t *o;
    int r;

    r = sp_object(c, res, "linux.resources", "blockIO", &o);
    if (r <= 0)
        return r;
    if ((r = sp_opt_u64(c, o, p, "weight", UINT16_MAX, &b->weight)) < 0 ||
        (r = sp_opt_u64(c, o, p, "leafWeight", UINT16_MAX, &b->leaf_weight)) < 0 ||
        (r = PARSE_ARRAY(c, o, p, "weightDevice", b->weight_device, b->n_weight_device,
                         parse_weight_device)) < 0 ||
        (r = PARSE_ARRAY(c, o, p, "throttleReadBpsDevice", b->throttle_read_bps,
                         b->n_throttle_read_bps, parse_throttle)) < 0 ||
        (r = PARSE_ARRAY(c, o, p, "throttleWriteBpsDevice", b->throttle_write_bps,
                         b->n_throttle_write_bps, parse_throttle)) < 0 ||
        (r = PARSE_ARRAY(c, o, p, "throttleReadIOPSDevice", b->throttle_read_iops,
                         b->n_throttle_read_iops, parse_throttle)) < 0 ||
        (r = PARSE_ARRAY(c, o, p, "throttleWriteIOPSDevice", b->throttle_write_iops,
                         b->n_throttle_write_iops, parse_throttle)) < 0)
        return r;
    return 0;
}

static int
parse_hugepage(const struct sp_ctx *c, json_t *o, const char *path, struct vsl_hugepage_limit *h)
{
    int r;

    if ((r = sp_string(c, o, path, "pageSize", true, &h->page_size)) < 0 ||
        (r = sp_u64(c, o, path, "limit", UINT64_MAX, true, &h->limit)) < 0)
        return r;
    return 0;
}

static int
parse_net_priority(const struct sp_ctx *c, json_t *o, const char *path, struct vsl_net_priority *n)
{
    uint64_t prio;
    int r;

    if ((r = sp_string(c, o, path, "name", true, &n->name)) < 0 ||
        (r = sp_u64(c, o, path, "priority", UINT32_MAX, true, &prio)) < 0)
        return r;
    n->priority = (uint32_t)prio;
    return 0;
}

static int
parse_network(const struct sp_ctx *c, json_t *res, struct vsl_resources *rs)
{
    static const char p[] = "linux.resources.network";
    json_t *o;
    int r;

    r = sp_object(c, res, "linux.resources", "network", &o);
    if (r <= 0)
        return r;
    if ((r = sp_opt_u64(c, o, p, "classID", UINT32_MAX, &rs->network.class_id)) < 0 ||
        (r = PARSE_ARRAY(c, o, p, "priorities", rs->network.priorities, rs->network.n_priorities,
                         parse_net_priority)) < 0)
        return r;
    return 0;
}

static int
parse_rdma(const struct sp_ctx *c, json_t *res, struct vsl_resources *rs)
{
    char pk[SP_PATH_MAX];
    json_t *o;
    int r;

    r = sp_object(c, res, "linux.resources", "rdma", &o);
    if (r <= 0)
        return r;
    r = sp_calloc(c, json_object_size(o), sizeof(*rs->rdma), (void **)&rs->rdma);
    if (r < 0)
        return r;
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
        const char *dev = json_object_iter_key(it);
        json_t *e = json_object_iter_value(it);
        struct vsl_rdma_limit *l = &rs->rdma[rs->n_rdma];

        sp_key(pk, "linux.resources.rdma", dev);
        if (!json_is_object(e))
            return sp_fail(c, pk, "expected an object");
        l->device = strdup(dev);
        rs->n_rdma++;
        if (!l->device)
            return sp_oom(c);
        if ((r = sp_opt_u64(c, e, pk, "hcaHandles", UINT32_MAX, &l->hca_handles)) < 0 ||
            (r = sp_opt_u64(c, e, pk, "hcaObjects", UINT32_MAX, &l->hca_objects)) < 0)
            return r;
    }
    return 0;
}

static int
parse_pids(const struct sp_ctx *c, json_t *res, struct vsl_resources *rs)
{
    json_t *o;
    int64_t limit;
    int r;

    r = sp_object(c, res, "linux.resources", "pids", &o);
    if (r <= 0)
        return r;
    r = sp_i64(c, o, "linux.resources.pids", "limit", INT64_MIN, INT64_MAX, true, &limit);
    if (r < 0)
        return r;
    rs->pids.limit = (struct vsl_opt_i64){.set = true, .v = limit};
    return 0;
}

static int
parse_resources(const struct sp_ctx *c, json_t *obj, struct vsl_linux *l)
{
    static const char p[] = "linux.resources";
    struct vsl_resources *rs = &l->resources;
    json_t *o;
    int r;

    r = sp_object(c, obj, "linux", "resources", &o);
    if (r <= 0)
        return r;
    l->has_resources = true;
    if ((r = PARSE_ARRAY(c, o, p, "devices", rs->devices, rs->n_devices, parse_device_rule)) < 0 ||
        (r = parse_memory(c, o, rs)) < 0 || (r = parse_cpu(c, o, rs)) < 0 ||
        (r = parse_pids(c, o, rs)) < 0 || (r = parse_block_io(c, o, rs)) < 0 ||
        (r = PARSE_ARRAY(c, o, p, "hugepageLimits", rs->hugepage_limits, rs->n_hugepage_limits,
                         parse_hugepage)) < 0 ||
        (r = parse_network(c, o, rs)) < 0 || (r = parse_rdma(c, o, rs)) < 0 ||
        (r = sp_kv(c, o, p, "unified", &rs->unified, &rs->n_unified)) < 0)
        return r;
    return 0;
}

static int
parse_seccomp_arg(const struct sp_ctx *c, json_t *o, const char *path, struct vsl_seccomp_arg *a)
{
    char pk[SP_PATH_MAX];
    _cleanup_free_ char *op = NULL;
    uint64_t index;
    int r;

    if ((r = sp_u64(c, o, path, "index", UINT32_MAX, true, &index)) < 0 ||
        (r = sp_u64(c, o, path, "value", UINT64_MAX, true, &a->value)) < 0 ||
        (r = sp_u64(c, o, path, "valueTwo", UINT64_MAX, false, &a->value_two)) < 0 ||
        (r = sp_string(c, o, path, "op", true, &op)) < 0)
        return r;
    a->index = (uint32_t)index;
    r = vsl_seccomp_op_from_name(op);
    if (r < 0)
        return sp_fail(c, sp_key(pk, path, "op"), "unknown operator '%s'", op);
    a->op = (enum vsl_seccomp_op)r;
    return 0;
}

static int
parse_syscall(const struct sp_ctx *c, json_t *o, const char *path, struct vsl_seccomp_syscall *s)
{
    char pk[SP_PATH_MAX];
    int r;

    if ((r = sp_strv(c, o, path, "names", &s->names)) < 0 ||
        (r = sp_string(c, o, path, "action", true, &s->action)) < 0 ||
        (r = sp_opt_u64(c, o, path, "errnoRet", UINT32_MAX, &s->errno_ret)) < 0 ||
        (r = PARSE_ARRAY(c, o, path, "args", s->args, s->n_args, parse_seccomp_arg)) < 0)
        return r;
    if (s->names.n == 0)
        return sp_fail(c, sp_key(pk, path, "names"),
                       sp_get(o, "names") ? "must not be empty" : "required");
    return 0;
}

static int
parse_seccomp(const struct sp_ctx *c, json_t *obj, struct vsl_linux *l)
{
    static const char p[] = "linux.seccomp";
    struct vsl_seccomp *sc;
    json_t *o;
    int r;

    r = sp_object(c, obj, "linux", "seccomp", &o);
    if (r <= 0)
        return r;
    sc = l->seccomp = calloc(1, sizeof(*l->seccomp));
    if (!sc)
        return sp_oom(c);
    if ((r = sp_string(c, o, p, "defaultAction", true, &sc->default_action)) < 0 ||
        (r = sp_opt_u64(c, o, p, "defaultErrnoRet", UINT32_MAX, &sc->default_errno_ret)) < 0 ||
        (r = sp_strv(c, o, p, "architectures", &sc->architectures)) < 0 ||
        (r = sp_strv(c, o, p, "flags", &sc->flags)) < 0 ||
        (r = sp_string(c, o, p, "listenerPath", false, &sc->listener_path)) < 0 ||
        (r = sp_string(c, o, p, "listenerMetadata", false, &sc->listener_metadata)) < 0 ||
        (r = PARSE_ARRAY(c, o, p, "syscalls", sc->syscalls, sc->n_syscalls, parse_syscall)) < 0)
        return r;
    return 0;
}

static int
parse_misc(const struct sp_ctx *c, json_t *obj, struct vsl_linux *l)
{
    _cleanup_free_ char *prop = NULL;
    json_t *o;
    int r;

    r = sp_string(c, obj, "linux", "rootfsPropagation", false, &prop);
    if (r < 0)
        return r;
    /* "" is Go's zero value: leave the propagation alone. */
    if (prop && *prop && vsl_propagation_from_name(prop, &l->rootfs_propagation) < 0)
        return sp_fail(c, "linux.rootfsPropagation", "unknown propagation '%s'", prop);
    r = sp_object(c, obj, "linux", "personality", &o);
    if (r <= 0)
        return r;
    r = sp_string(c, o, "linux.personality", "domain", true, &l->personality_domain);
    if (r < 0)
        return r;
    if (strcmp(l->personality_domain, "LINUX") != 0 &&
        strcmp(l->personality_domain, "LINUX32") != 0)
        return sp_fail(c, "linux.personality.domain", "unknown domain '%s'", l->personality_domain);
    return 0;
}

int
sp_linux(const struct sp_ctx *c, json_t *obj, struct vsl_linux *l)
{
    static const char p[] = "linux";
    int r;

    if ((r = parse_namespaces(c, obj, l)) < 0 ||
        (r = sp_idmaps(c, obj, p, "uidMappings", &l->uid_mappings, &l->n_uid_mappings)) < 0 ||
        (r = sp_idmaps(c, obj, p, "gidMappings", &l->gid_mappings, &l->n_gid_mappings)) < 0 ||
        (r = parse_time_offsets(c, obj, l)) < 0 ||
        (r = sp_kv(c, obj, p, "sysctl", &l->sysctl, &l->n_sysctl)) < 0 ||
        (r = PARSE_ARRAY(c, obj, p, "devices", l->devices, l->n_devices, parse_device)) < 0 ||
        (r = parse_resources(c, obj, l)) < 0 ||
        (r = sp_string(c, obj, p, "cgroupsPath", false, &l->cgroups_path)) < 0 ||
        (r = sp_strv(c, obj, p, "maskedPaths", &l->masked_paths)) < 0 ||
        (r = sp_strv(c, obj, p, "readonlyPaths", &l->readonly_paths)) < 0 ||
        (r = parse_seccomp(c, obj, l)) < 0 ||
        (r = sp_string(c, obj, p, "mountLabel", false, &l->mount_label)) < 0 ||
        (r = parse_misc(c, obj, l)) < 0)
        return r;
    return 0;
}
