// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel run`'s resource flags, docker's spelling and units: --memory 64m, --cpus 0.5,
 * --pids-limit 20, --device /dev/fuse, --device-cgroup-rule 'c 1:3 rwm'... Parsing checks syntax
 * only; applying turns every flag into linux.resources and linux.devices (with docker's default
 * device allow list), so --print-spec shows what the cgroup stage will apply.
 */
#include <ctype.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cli.h"

#define CPU_PERIOD 100000

static const struct {
    const char *name;
    int val;
    bool has_arg;
    const char *help;
} flags[] = {
    {"memory", RUN_RES_MEMORY, true, "-m, --memory BYTES       memory limit (b, k, m, g)"},
    {"memory-reservation", RUN_RES_MEMORY_RESERVATION, true,
     "    --memory-reservation BYTES  soft limit"},
    {"memory-swap", RUN_RES_MEMORY_SWAP, true,
     "    --memory-swap BYTES  memory plus swap (-1: unlimited swap)"},
    {"oom-kill-disable", RUN_RES_OOM_KILL_DISABLE, false,
     "    --oom-kill-disable   do not OOM-kill the container (cgroup v1 only)"},
    {"cpus", RUN_RES_CPUS, true, "    --cpus N             CPUs' worth of time (0.5: half a CPU)"},
    {"cpu-shares", RUN_RES_CPU_SHARES, true, "    --cpu-shares N       relative weight (1024)"},
    {"cpu-quota", RUN_RES_CPU_QUOTA, true, "    --cpu-quota USEC     CFS quota per period"},
    {"cpu-period", RUN_RES_CPU_PERIOD, true, "    --cpu-period USEC    CFS period (1000-1000000)"},
    {"cpuset-cpus", RUN_RES_CPUSET_CPUS, true, "    --cpuset-cpus LIST   CPUs allowed (0-3,5)"},
    {"cpuset-mems", RUN_RES_CPUSET_MEMS, true, "    --cpuset-mems LIST   memory nodes allowed"},
    {"pids-limit", RUN_RES_PIDS_LIMIT, true, "    --pids-limit N       process limit (-1: none)"},
    {"blkio-weight", RUN_RES_BLKIO_WEIGHT, true,
     "    --blkio-weight N     block IO weight 10-1000"},
    {"device", RUN_RES_DEVICE, true,
     "    --device HOST[:CTR][:rwm]  give the container a host device"},
    {"device-cgroup-rule", RUN_RES_DEVICE_CGROUP_RULE, true,
     "    --device-cgroup-rule 'c|b|a MAJ:MIN rwm'  allow devices (* for any number)"},
};

void
run_resources_usage(FILE *f)
{
    fputs("\nResources (docs/resources.md):\n", f);
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        fprintf(f, "  %s\n", flags[i].help);
}

static const char *
flag_name(int c)
{
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (flags[i].val == c)
            return flags[i].name;
    return "?";
}

/* docker's RAMInBytes: "64m", "1.5g", "512k", "100", "64MiB"; binary units. */
int
run_parse_bytes(const char *flag, const char *arg, int64_t *ret, struct vsl_error *err)
{
    static const char units[] = "bkmgtp";
    char *end;

    errno = 0;
    double v = strtod(arg, &end);
    if (end == arg || errno || v < 0 || !isdigit((unsigned char)arg[0]))
        goto bad;
    if (*end == ' ')
        end++;
    const char *u = *end ? strchr(units, tolower((unsigned char)*end)) : NULL;
    int shift = 0;
    if (*end && !u)
        goto bad;
    if (u) {
        shift = (int)(u - units) * 10;
        end++;
        if (shift && (*end == 'i' || *end == 'I'))
            end++;
        if (shift && (*end == 'b' || *end == 'B'))
            end++;
    }
    if (*end)
        goto bad;
    v *= (double)(UINT64_C(1) << shift);
    if (v >= 9.2e18)
        goto bad;
    *ret = (int64_t)v;
    return 0;
bad:
    return vsl_err(err, EINVAL, "--%s '%s': expected a size such as 512k, 64m or 1g", flag, arg);
}

static int
parse_int(const char *flag, const char *arg, int64_t min, int64_t max, int64_t *ret,
          struct vsl_error *err)
{
    char *end;

    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (end == arg || *end || errno || v < min || v > max)
        return vsl_err(err, EINVAL, "--%s '%s': expected a whole number from %lld to %lld", flag,
                       arg, (long long)min, (long long)max);
    *ret = v;
    return 0;
}

/* "0-3,5": the list syntax cpuset takes. */
static int
check_list(const char *flag, const char *arg, struct vsl_error *err)
{
    const char *p = arg;

    while (*p) {
        if (!isdigit((unsigned char)*p))
            goto bad;
        while (isdigit((unsigned char)*p))
            p++;
        if (*p == '-') {
            if (!isdigit((unsigned char)*++p))
                goto bad;
            while (isdigit((unsigned char)*p))
                p++;
        }
        if (*p == ',' && p[1])
            p++;
        else if (*p)
            goto bad;
    }
    if (*arg)
        return 0;
bad:
    return vsl_err(err, EINVAL, "--%s '%s': expected a list such as 0-3,5", flag, arg);
}

static bool
is_access(const char *s)
{
    return *s && strspn(s, "rwm") == strlen(s) && strlen(s) <= 3;
}

/* "c 1:3 rwm", "b *:* m", "a": a device cgroup rule (always an allow rule, as docker's). */
int
run_parse_device_rule(const char *arg, struct vsl_device_rule *ret, struct vsl_error *err)
{
    char type, maj[24] = "*", min[24] = "*", access[8] = "rwm";
    int n = sscanf(arg, "%c %23[0-9*]:%23[0-9*] %7s", &type, maj, min, access);
    char *end;

    if (n < 1 || !strchr("abc", type) || (type != 'a' && n < 3) || (n == 4 && !is_access(access)))
        return vsl_err(err, EINVAL,
                       "--device-cgroup-rule '%s': expected 'TYPE MAJOR:MINOR ACCESS' such as "
                       "'c 1:3 rwm' (TYPE a, b or c; * for any number; ACCESS of r, w, m)",
                       arg);
    *ret = (struct vsl_device_rule){.allow = true, .type = type};
    if (strcmp(maj, "*") != 0)
        ret->major = (struct vsl_opt_i64){true, strtoll(maj, &end, 10)};
    if (strcmp(min, "*") != 0)
        ret->minor = (struct vsl_opt_i64){true, strtoll(min, &end, 10)};
    if (!(ret->access = strdup(access)))
        return vsl_err(err, ENOMEM, "out of memory");
    return 0;
}

/* HOST[:CTR][:PERMS], docker's rules: a second field made of r, w, m is the permissions. */
int
run_parse_device(const char *arg, struct run_device *ret, struct vsl_error *err)
{
    _cleanup_free_ char *copy = strdup(arg);
    char *f[4] = {NULL}, *p;
    size_t n = 0;

    if (!copy)
        return vsl_err(err, ENOMEM, "out of memory");
    p = copy;
    while (n < 4 && (f[n] = strsep(&p, ":")) != NULL)
        n++;
    if (n > 3 || !*f[0])
        return vsl_err(err, EINVAL, "--device '%s': expected HOST[:CONTAINER][:rwm]", arg);
    const char *ctr = f[0], *perms = "rwm";
    if (n == 2 && is_access(f[1]))
        perms = f[1];
    else if (n >= 2)
        ctr = f[1];
    if (n == 3)
        perms = f[2];
    if (!is_access(perms) || ctr[0] != '/' || f[0][0] != '/')
        return vsl_err(err, EINVAL,
                       "--device '%s': expected HOST[:CONTAINER][:rwm] with absolute paths", arg);
    *ret = (struct run_device){0};
    if (!(ret->host = strdup(f[0])) || !(ret->ctr = strdup(ctr)) || !(ret->perms = strdup(perms)))
        return vsl_err(err, ENOMEM, "out of memory");
    return 0;
}

#define APPEND_TO(arr, n, val)                                                                     \
    ({                                                                                             \
        __typeof__(arr) _p = reallocarray((arr), (n) + 1, sizeof(*(arr)));                         \
        if (_p) {                                                                                  \
            (arr) = _p;                                                                            \
            _p[(n)++] = (val);                                                                     \
        }                                                                                          \
        _p ? 0 : vsl_err(err, ENOMEM, "out of memory");                                            \
    })

static int
parse_cpu(int c, const char *name, const char *arg, struct run_resources *r, struct vsl_error *err)
{
    int64_t v;
    int q;

    switch (c) {
    case RUN_RES_CPUS: {
        char *end;
        double cpus = strtod(arg, &end);
        if (end == arg || *end || !(cpus > 0) || cpus > 1024)
            return vsl_err(err, EINVAL, "--cpus '%s': expected a number of CPUs such as 0.5", arg);
        r->cpus = cpus;
        return 0;
    }
    case RUN_RES_CPU_SHARES:
        q = parse_int(name, arg, 2, 262144, &v, err);
        r->cpu_shares = (struct vsl_opt_u64){true, (uint64_t)v};
        return q;
    case RUN_RES_CPU_QUOTA:
        q = parse_int(name, arg, -1, INT64_MAX, &v, err);
        if (q == 0 && v > 0 && v < 1000)
            return vsl_err(err, EINVAL, "--cpu-quota '%s': must be at least 1000", arg);
        r->cpu_quota = (struct vsl_opt_i64){true, v};
        return q;
    case RUN_RES_CPU_PERIOD:
        q = parse_int(name, arg, 1000, 1000000, &v, err);
        r->cpu_period = (struct vsl_opt_u64){true, (uint64_t)v};
        return q;
    case RUN_RES_CPUSET_CPUS:
        r->cpuset_cpus = arg;
        return check_list(name, arg, err);
    default:
        r->cpuset_mems = arg;
        return check_list(name, arg, err);
    }
}

int
run_resources_parse(int c, const char *arg, struct run_resources *r, struct vsl_error *err)
{
    struct vsl_device_rule rule;
    struct run_device dev;
    int64_t v;
    int q;

    if (c == 'm')
        c = RUN_RES_MEMORY;
    const char *name = flag_name(c);
    switch (c) {
    case RUN_RES_MEMORY:
        q = run_parse_bytes(name, arg, &v, err);
        if (q == 0 && v < 6 * 1024 * 1024)
            return vsl_err(err, EINVAL, "--memory '%s': the minimum is 6m", arg);
        r->memory = (struct vsl_opt_i64){true, v};
        return q;
    case RUN_RES_MEMORY_RESERVATION:
        q = run_parse_bytes(name, arg, &v, err);
        r->memory_reservation = (struct vsl_opt_i64){true, v};
        return q;
    case RUN_RES_MEMORY_SWAP:
        v = -1;
        q = strcmp(arg, "-1") == 0 ? 0 : run_parse_bytes(name, arg, &v, err);
        r->memory_swap = (struct vsl_opt_i64){true, v};
        return q;
    case RUN_RES_OOM_KILL_DISABLE:
        r->oom_kill_disable = true;
        return 0;
    case RUN_RES_PIDS_LIMIT:
        q = parse_int(name, arg, -1, INT64_MAX, &v, err);
        r->pids_limit = (struct vsl_opt_i64){true, v <= 0 ? -1 : v};
        return q;
    case RUN_RES_BLKIO_WEIGHT:
        q = parse_int(name, arg, 0, 1000, &v, err);
        if (q == 0 && v > 0 && v < 10)
            return vsl_err(err, EINVAL, "--blkio-weight '%s': expected 10 to 1000 (0: unset)", arg);
        r->blkio_weight = (struct vsl_opt_u64){v > 0, (uint64_t)v};
        return q;
    case RUN_RES_DEVICE:
        if ((q = run_parse_device(arg, &dev, err)) < 0) {
            run_device_clear(&dev);
            return q;
        }
        return APPEND_TO(r->devices, r->n_devices, dev);
    case RUN_RES_DEVICE_CGROUP_RULE:
        if ((q = run_parse_device_rule(arg, &rule, err)) < 0)
            return q;
        return APPEND_TO(r->rules, r->n_rules, rule);
    default:
        return parse_cpu(c, name, arg, r, err);
    }
}

void
run_device_clear(struct run_device *d)
{
    free(d->host);
    free(d->ctr);
    free(d->perms);
    *d = (struct run_device){0};
}

void
run_resources_free(struct run_resources *r)
{
    for (size_t i = 0; i < r->n_devices; i++)
        run_device_clear(&r->devices[i]);
    for (size_t i = 0; i < r->n_rules; i++)
        free(r->rules[i].access);
    free(r->devices);
    free(r->rules);
    *r = (struct run_resources){0};
}

/* ---- into the spec ---- */

static int
add_rule(struct vsl_resources *res, const struct vsl_device_rule *rule, struct vsl_error *err)
{
    struct vsl_device_rule copy = *rule;

    if (!(copy.access = strdup(rule->access ? rule->access : "rwm")))
        return vsl_err(err, ENOMEM, "out of memory");
    int q = APPEND_TO(res->devices, res->n_devices, copy);
    if (q < 0)
        free(copy.access);
    return q;
}

/* --device: the host node's type and numbers, a node in the container, and an allow rule. */
static int
add_device(struct vsl_spec *spec, const struct run_device *d, struct vsl_error *err)
{
    struct vsl_linux *l = &spec->linux_;
    struct stat st;

    if (stat(d->host, &st) < 0)
        return vsl_err_errno(err, "--device '%s'", d->host);
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
        return vsl_err(err, EINVAL, "--device '%s': not a character or block device", d->host);
    struct vsl_device dev = {
        .type = S_ISCHR(st.st_mode) ? 'c' : 'b',
        .major = major(st.st_rdev),
        .minor = minor(st.st_rdev),
        .file_mode = {true, st.st_mode & 07777},
        .uid = {true, 0},
        .gid = {true, 0},
    };
    if (!(dev.path = strdup(d->ctr)))
        return vsl_err(err, ENOMEM, "out of memory");
    if (APPEND_TO(l->devices, l->n_devices, dev) < 0) {
        free(dev.path);
        return -ENOMEM;
    }
    struct vsl_device_rule rule = {.allow = true,
                                   .type = dev.type,
                                   .major = {true, dev.major},
                                   .minor = {true, dev.minor},
                                   .access = d->perms};
    return add_rule(&l->resources, &rule, err);
}

static int
apply_memory_cpu(const struct run_resources *r, struct vsl_resources *res, struct vsl_error *err)
{
    if (r->memory_swap.set && !r->memory.set)
        return vsl_err(err, EINVAL, "--memory-swap needs --memory as well");
    if (r->memory_swap.set && r->memory_swap.v >= 0 && r->memory_swap.v < r->memory.v)
        return vsl_err(err, EINVAL, "--memory-swap must be at least --memory");
    if (r->memory.set)
        res->memory.limit = r->memory;
    if (r->memory_reservation.set)
        res->memory.reservation = r->memory_reservation;
    if (r->memory_swap.set)
        res->memory.swap = r->memory_swap;
    res->memory.disable_oom_killer |= r->oom_kill_disable;
    if (r->cpus > 0 && (r->cpu_quota.set || r->cpu_period.set))
        return vsl_err(err, EINVAL, "--cpus cannot be used with --cpu-quota or --cpu-period");
    if (r->cpus > 0) {
        res->cpu.period = (struct vsl_opt_u64){true, CPU_PERIOD};
        res->cpu.quota = (struct vsl_opt_i64){true, (int64_t)(r->cpus * CPU_PERIOD + 0.5)};
    }
    if (r->cpu_quota.set)
        res->cpu.quota = r->cpu_quota;
    if (r->cpu_period.set)
        res->cpu.period = r->cpu_period;
    if (r->cpu_shares.set)
        res->cpu.shares = r->cpu_shares;
    if (r->cpuset_cpus && !(free(res->cpu.cpus), res->cpu.cpus = strdup(r->cpuset_cpus)))
        return vsl_err(err, ENOMEM, "out of memory");
    if (r->cpuset_mems && !(free(res->cpu.mems), res->cpu.mems = strdup(r->cpuset_mems)))
        return vsl_err(err, ENOMEM, "out of memory");
    return 0;
}

int
run_resources_apply(const struct run_resources *r, struct vsl_spec *spec, struct vsl_error *err)
{
    struct vsl_resources *res = &spec->linux_.resources;
    const struct vsl_device_rule *defaults;
    size_t n_defaults;
    int q;

    spec->has_linux = true;
    spec->linux_.has_resources = true;
    if ((q = apply_memory_cpu(r, res, err)) < 0)
        return q;
    if (r->pids_limit.set)
        res->pids.limit = r->pids_limit;
    if (r->blkio_weight.set)
        res->block_io.weight = r->blkio_weight;
    /* docker's device list after the spec's "deny all", then the user's */
    defaults = vsl_cgroup_default_device_rules(&n_defaults);
    for (size_t i = 0; i < n_defaults; i++)
        if ((q = add_rule(res, &defaults[i], err)) < 0)
            return q;
    for (size_t i = 0; i < r->n_devices; i++)
        if ((q = add_device(spec, &r->devices[i], err)) < 0)
            return q;
    for (size_t i = 0; i < r->n_rules; i++)
        if ((q = add_rule(res, &r->rules[i], err)) < 0)
            return q;
    return 0;
}
