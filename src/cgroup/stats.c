// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vsl_cgroup_stats: the "data" object of runc's `events --stats` (cpu, memory, pids, blkio,
 * hugetlb), read from the v1 controllers' files or the v2 leaf. A controller the host lacks
 * leaves its section out.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cg_internal.h"
#include "lib/cleanup.h"
#include "lib/error.h"

static void
put_u64(json_t *o, const char *key, uint64_t v)
{
    (void)json_object_set_new(o, key, json_integer((json_int_t)v));
}

static uint64_t
rd(int dirfd, const char *file)
{
    uint64_t v = 0;

    (void)cg_read_u64(dirfd, file, &v);
    return v == UINT64_MAX ? 0 : v;
}

static uint64_t
key(int dirfd, const char *file, const char *k)
{
    uint64_t v = 0;

    (void)cg_read_key(dirfd, file, k, &v);
    return v;
}

/* A flat keyed file ("key value" lines) as a JSON object. */
static json_t *
raw_keys(int dirfd, const char *file)
{
    _cleanup_free_ char *buf = NULL;
    json_t *o = json_object();
    char name[128];
    unsigned long long v;

    if (!o || cg_read_alloc(dirfd, file, &buf) < 0)
        return o;
    for (char *line = buf; line && *line;) {
        if (sscanf(line, "%127s %llu", name, &v) == 2)
            put_u64(o, name, v);
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return o;
}

static json_t *
u64_array(int dirfd, const char *file)
{
    _cleanup_free_ char *buf = NULL;
    json_t *a = json_array();

    if (!a || cg_read_alloc(dirfd, file, &buf) < 0)
        return a;
    for (char *p = buf, *end;; p = end) {
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p)
            break;
        (void)json_array_append_new(a, json_integer((json_int_t)v));
    }
    return a;
}

static json_t *
entry(uint64_t usage, uint64_t max, uint64_t limit, uint64_t failcnt)
{
    return json_pack("{sIsIsIsI}", "usage", (json_int_t)usage, "max", (json_int_t)max, "limit",
                     (json_int_t)limit, "failcnt", (json_int_t)failcnt);
}

static json_t *
throttling(int dirfd, uint64_t time_scale)
{
    return json_pack(
        "{sIsIsI}", "periods", (json_int_t)key(dirfd, "cpu.stat", "nr_periods"), "throttledPeriods",
        (json_int_t)key(dirfd, "cpu.stat", "nr_throttled"), "throttledTime",
        (json_int_t)(key(dirfd, "cpu.stat", time_scale == 1 ? "throttled_time" : "throttled_usec") *
                     time_scale));
}

/* blkio.throttle.io_service_bytes lines "8:0 Read 123" as runc's entries. */
static json_t *
blkio_entries(int dirfd, const char *file)
{
    _cleanup_free_ char *buf = NULL;
    json_t *a = json_array();
    unsigned maj, min;
    char op[32];
    unsigned long long v;

    if (!a || cg_read_alloc(dirfd, file, &buf) < 0)
        return a;
    for (char *line = buf; line && *line;) {
        if (sscanf(line, "%u:%u %31s %llu", &maj, &min, op, &v) == 4)
            (void)json_array_append_new(a, json_pack("{sIsIsssI}", "major", (json_int_t)maj,
                                                     "minor", (json_int_t)min, "op", op, "value",
                                                     (json_int_t)v));
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return a;
}

static void
v1_stats(struct vsl_cgroup *cg, json_t *d)
{
    struct cg_hier *h;

    if ((h = cg_v1_hier(cg, "cpuacct"))) {
        json_t *usage = json_pack("{sI}", "total", (json_int_t)rd(h->dirfd, "cpuacct.usage"));
        (void)json_object_set_new(usage, "percpu", u64_array(h->dirfd, "cpuacct.usage_percpu"));
        put_u64(usage, "kernel", key(h->dirfd, "cpuacct.stat", "system") * 10000000);
        put_u64(usage, "user", key(h->dirfd, "cpuacct.stat", "user") * 10000000);
        (void)json_object_set_new(d, "cpu", json_pack("{so}", "usage", usage));
    }
    if ((h = cg_v1_hier(cg, "cpu"))) {
        json_t *cpu = json_object_get(d, "cpu");
        if (!cpu)
            (void)json_object_set_new(d, "cpu", cpu = json_object());
        (void)json_object_set_new(cpu, "throttling", throttling(h->dirfd, 1));
    }
    if ((h = cg_v1_hier(cg, "memory"))) {
        int f = h->dirfd;
        json_t *m = json_object();
        put_u64(m, "cache", key(f, "memory.stat", "cache"));
        (void)json_object_set_new(m, "usage",
                                  entry(rd(f, "memory.usage_in_bytes"),
                                        rd(f, "memory.max_usage_in_bytes"),
                                        rd(f, "memory.limit_in_bytes"), rd(f, "memory.failcnt")));
        (void)json_object_set_new(
            m, "swap",
            entry(rd(f, "memory.memsw.usage_in_bytes"), rd(f, "memory.memsw.max_usage_in_bytes"),
                  rd(f, "memory.memsw.limit_in_bytes"), rd(f, "memory.memsw.failcnt")));
        (void)json_object_set_new(
            m, "kernel",
            entry(rd(f, "memory.kmem.usage_in_bytes"), rd(f, "memory.kmem.max_usage_in_bytes"),
                  rd(f, "memory.kmem.limit_in_bytes"), rd(f, "memory.kmem.failcnt")));
        (void)json_object_set_new(m, "raw", raw_keys(f, "memory.stat"));
        (void)json_object_set_new(d, "memory", m);
    }
    if ((h = cg_v1_hier(cg, "pids")))
        (void)json_object_set_new(d, "pids",
                                  json_pack("{sIsI}", "current",
                                            (json_int_t)rd(h->dirfd, "pids.current"), "limit",
                                            (json_int_t)rd(h->dirfd, "pids.max")));
    if ((h = cg_v1_hier(cg, "blkio")))
        (void)json_object_set_new(
            d, "blkio",
            json_pack("{soso}", "ioServiceBytesRecursive",
                      blkio_entries(h->dirfd, "blkio.throttle.io_service_bytes_recursive"),
                      "ioServicedRecursive",
                      blkio_entries(h->dirfd, "blkio.throttle.io_serviced_recursive")));
}

static void
v2_stats(struct vsl_cgroup *cg, json_t *d)
{
    int f = cg->h[0].dirfd;
    uint64_t swap_cur = rd(f, "memory.swap.current"), cur = rd(f, "memory.current");

    json_t *usage =
        json_pack("{sIsIsI}", "total", (json_int_t)(key(f, "cpu.stat", "usage_usec") * 1000),
                  "kernel", (json_int_t)(key(f, "cpu.stat", "system_usec") * 1000), "user",
                  (json_int_t)(key(f, "cpu.stat", "user_usec") * 1000));
    (void)json_object_set_new(
        d, "cpu", json_pack("{soso}", "usage", usage, "throttling", throttling(f, 1000)));
    if (cg_has_file(f, "memory.current")) {
        json_t *m = json_object();
        put_u64(m, "cache", key(f, "memory.stat", "file"));
        (void)json_object_set_new(
            m, "usage",
            entry(cur, rd(f, "memory.peak"), rd(f, "memory.max"), key(f, "memory.events", "max")));
        /* runc reports memory+swap as v1 did */
        (void)json_object_set_new(m, "swap", entry(cur + swap_cur, 0, rd(f, "memory.swap.max"), 0));
        (void)json_object_set_new(m, "raw", raw_keys(f, "memory.stat"));
        (void)json_object_set_new(d, "memory", m);
    }
    if (cg_has_file(f, "pids.current"))
        (void)json_object_set_new(d, "pids",
                                  json_pack("{sIsI}", "current", (json_int_t)rd(f, "pids.current"),
                                            "limit", (json_int_t)rd(f, "pids.max")));
}

static void
hugetlb_stats(struct vsl_cgroup *cg, json_t *d)
{
    static const char *const sizes[] = {"2MB", "1GB"};
    struct cg_hier *h = cg_v1_hier(cg, "hugetlb");
    bool v2 = false;
    char file[64];

    for (size_t i = 0; !h && i < cg->n_h; i++)
        if (cg->h[i].v2 && cg_has_file(cg->h[i].dirfd, "hugetlb.2MB.max"))
            h = &cg->h[i], v2 = true;
    if (!h)
        return;
    json_t *o = json_object();
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        (void)snprintf(file, sizeof(file), "hugetlb.%s.%s", sizes[i],
                       v2 ? "current" : "usage_in_bytes");
        if (!cg_has_file(h->dirfd, file))
            continue;
        uint64_t usage = rd(h->dirfd, file), max, fail;
        (void)snprintf(file, sizeof(file), "hugetlb.%s.%s", sizes[i],
                       v2 ? "max" : "max_usage_in_bytes");
        max = v2 ? 0 : rd(h->dirfd, file);
        (void)snprintf(file, sizeof(file), "hugetlb.%s.%s", sizes[i], v2 ? "events" : "failcnt");
        fail = v2 ? key(h->dirfd, file, "max") : rd(h->dirfd, file);
        (void)json_object_set_new(o, sizes[i],
                                  json_pack("{sIsIsI}", "usage", (json_int_t)usage, "max",
                                            (json_int_t)max, "failcnt", (json_int_t)fail));
    }
    (void)json_object_set_new(d, "hugetlb", o);
}

int
vsl_cgroup_stats(struct vsl_cgroup *cg, json_t **ret, struct vsl_error *err)
{
    json_t *d = json_object();

    if (!d)
        return vsl_err(err, ENOMEM, "out of memory");
    if (cg->mode == VSL_CGROUP_V2)
        v2_stats(cg, d);
    else
        v1_stats(cg, d);
    hugetlb_stats(cg, d);
    *ret = d;
    return 0;
}
