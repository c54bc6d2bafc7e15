// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stage "landlock": confines the container's process with Landlock (no other OCI runtime does)
 * from the annotation run.vessel.landlock, a compact JSON policy:
 *   {"ro": [PATH...], "rw": [PATH...], "tcp_bind": [PORT...], "tcp_connect": [PORT...]}
 * ro paths may be read and executed, rw paths anything; every other path gets no access at all.
 * With tcp_bind or tcp_connect present (even empty) TCP bind/connect is confined to those ports
 * (Landlock ABI 4, Linux 6.7). Paths are the container's: the stage runs in the child after
 * pivot_root and the user switch, last before seccomp-nnp and exec. Landlock needs no_new_privs
 * (process has dropped CAP_SYS_ADMIN by then), which the stage sets. A kernel without Landlock gets
 * a warning and no confinement, which is not claimed.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vessel/security.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/log.h"
#include "stages/stage.h"

#define ANN_LANDLOCK VSL_ANN_LANDLOCK

/* The kernel's ABI newer than Debian 12's header: declared here. */
struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
};
struct ll_net_port_attr {
    uint64_t allowed_access;
    uint64_t port;
} __attribute__((packed));

#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define LL_FS_ABI1 ((1ULL << 13) - 1)
#define LL_FS_RO                                                                                   \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* Rights that make sense on a file rather than a directory. */
#define LL_FS_FILE                                                                                 \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |   \
     LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

static bool
landlock_enabled(const struct vsl_ctx *ctx)
{
    return vsl_spec_get_annotation(ctx->spec, ANN_LANDLOCK) != NULL;
}

static const char *const keys[] = {"ro", "rw", "tcp_bind", "tcp_connect"};

static int
check_policy(json_t *o, struct vsl_error *err)
{
    const char *key;
    json_t *v, *e;
    size_t i, k;

    if (!json_is_object(o))
        return vsl_err(err, EINVAL, "annotations: %s: not a JSON object", ANN_LANDLOCK);
    json_object_foreach(o, key, v)
    {
        for (k = 0; k < ARRAY_SIZE(keys) && strcmp(key, keys[k]) != 0; k++)
            ;
        if (k == ARRAY_SIZE(keys) || !json_is_array(v))
            return vsl_err(err, EINVAL,
                           "annotations: %s: '%s' is not ro, rw, tcp_bind or "
                           "tcp_connect with a list",
                           ANN_LANDLOCK, key);
        json_array_foreach(v, i, e)
        {
            bool ok = k < 2 ? json_is_string(e) && json_string_value(e)[0] == '/'
                            : json_is_integer(e) && json_integer_value(e) >= 0 &&
                                  json_integer_value(e) <= 65535;
            if (!ok)
                return vsl_err(err, EINVAL, "annotations: %s: %s[%zu]: not %s", ANN_LANDLOCK, key,
                               i, k < 2 ? "an absolute path" : "a port number");
        }
    }
    return 0;
}

static int
landlock_validate(const struct vsl_spec *spec, struct vsl_error *err)
{
    const char *text = vsl_spec_get_annotation(spec, ANN_LANDLOCK);
    json_error_t jerr;

    if (!text)
        return 0;
    json_t *o = json_loads(text, 0, &jerr);
    if (!o)
        return vsl_err(err, EINVAL, "annotations: %s: %s", ANN_LANDLOCK, jerr.text);
    int r = check_policy(o, err);
    json_decref(o);
    return r;
}

static int
add_path(int ruleset, const char *path, uint64_t access, uint64_t handled, struct vsl_error *err)
{
    _cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
    struct stat st;

    if (fd < 0 || fstat(fd, &st) < 0)
        return vsl_err_errno(err, "landlock: open '%s'", path);
    struct landlock_path_beneath_attr pb = {
        .allowed_access = access & handled & (S_ISDIR(st.st_mode) ? ~0ULL : LL_FS_FILE),
        .parent_fd = fd,
    };
    if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &pb, 0) < 0)
        return vsl_err_errno(err, "landlock: add rule for '%s'", path);
    return 0;
}

static int
add_fd(int ruleset, int fd, uint64_t handled, struct vsl_error *err)
{
    struct landlock_path_beneath_attr pb = {
        .allowed_access = handled & (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE),
        .parent_fd = fd,
    };

    if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &pb, 0) < 0)
        return vsl_err_errno(err, "landlock: add rule for exec.fifo");
    return 0;
}

static int
add_port(int ruleset, json_int_t port, uint64_t access, struct vsl_error *err)
{
    struct ll_net_port_attr np = {.allowed_access = access, .port = (uint64_t)port};

    if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &np, 0) < 0)
        return vsl_err_errno(err, "landlock: add rule for port %lld", (long long)port);
    return 0;
}

static void
warn(struct vsl_ctx *ctx, const char *msg)
{
    vsl_init_log(ctx->sync_fd, VSL_LOG_WARN, "%s", msg);
}

static uint64_t
fs_rights(int abi)
{
    return LL_FS_ABI1 | (abi >= 2 ? LANDLOCK_ACCESS_FS_REFER : 0) |
           (abi >= 3 ? LL_FS_TRUNCATE : 0) | (abi >= 5 ? LL_FS_IOCTL_DEV : 0);
}

static int
add_paths(int rs, json_t *list, uint64_t access, uint64_t handled, struct vsl_error *err)
{
    json_t *e;
    size_t i;
    int r;

    json_array_foreach(list, i, e)
    {
        if ((r = add_path(rs, json_string_value(e), access, handled, err)) < 0)
            return r;
    }
    return 0;
}

static int
add_ports(int rs, json_t *list, uint64_t access, struct vsl_error *err)
{
    json_t *e;
    size_t i;
    int r;

    json_array_foreach(list, i, e)
    {
        if ((r = add_port(rs, json_integer_value(e), access, err)) < 0)
            return r;
    }
    return 0;
}

static int
add_rules(int rs, json_t *o, const struct ll_ruleset_attr *a, struct vsl_error *err)
{
    uint64_t fs = a->handled_access_fs;
    int r;

    if ((r = add_paths(rs, json_object_get(o, "ro"), LL_FS_RO, fs, err)) < 0 ||
        (r = add_paths(rs, json_object_get(o, "rw"), ~0ULL, fs, err)) < 0)
        return r;
    if (a->handled_access_net &&
        ((r = add_ports(rs, json_object_get(o, "tcp_bind"), LL_NET_BIND_TCP, err)) < 0 ||
         (r = add_ports(rs, json_object_get(o, "tcp_connect"), LL_NET_CONNECT_TCP, err)) < 0))
        return r;
    /* the runtime's own last step opens /dev/null for stdin */
    return add_path(rs, "/dev/null", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE,
                    fs, err);
}

static int
apply(struct vsl_ctx *ctx, json_t *o, int abi, struct vsl_error *err)
{
    bool net = json_object_get(o, "tcp_bind") || json_object_get(o, "tcp_connect");
    struct ll_ruleset_attr a = {.handled_access_fs = fs_rights(abi)};
    size_t size = sizeof(uint64_t);
    _cleanup_close_ int rs = -EBADF;
    int r;

    if (net && abi >= 4) {
        a.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
        size = sizeof(a);
    } else if (net) {
        warn(ctx, "warning: landlock: the kernel's Landlock ABI is below 4: TCP ports are not "
                  "confined");
    }
    rs = (int)syscall(SYS_landlock_create_ruleset, &a, size, 0);
    if (rs < 0)
        return vsl_err_errno(err, "landlock_create_ruleset");
    if ((r = add_rules(rs, o, &a, err)) < 0)
        return r;
    /* create/start: the init still opens exec.fifo (outside the root) after the stages */
    if (ctx->fifo_fd >= 0 && (r = add_fd(rs, ctx->fifo_fd, a.handled_access_fs, err)) < 0)
        return r;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return vsl_err_errno(err, "prctl PR_SET_NO_NEW_PRIVS");
    if (syscall(SYS_landlock_restrict_self, rs, 0) < 0)
        return vsl_err_errno(err, "landlock_restrict_self");
    return 0;
}

static int
landlock_child_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    json_t *o = json_loads(vsl_spec_get_annotation(ctx->spec, ANN_LANDLOCK), 0, NULL);
    int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    int r;

    if (!o)
        return vsl_err(err, EINVAL, "annotations: %s: not JSON", ANN_LANDLOCK);
    if (abi < 0) {
        json_decref(o);
        if (errno != ENOSYS && errno != EOPNOTSUPP)
            return vsl_err_errno(err, "landlock_create_ruleset");
        warn(ctx, "warning: landlock: not supported by this kernel: the container is NOT "
                  "confined by Landlock");
        return 0;
    }
    r = apply(ctx, o, abi, err);
    json_decref(o);
    return r;
}

const struct vsl_stage vsl_stage_landlock = {
    .name = "landlock",
    .enabled = landlock_enabled,
    .validate = landlock_validate,
    .child_setup = landlock_child_setup,
};
