/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct vsl_spec: the OCI runtime spec (config.json) in memory. Every front end builds one; the
 * stages only ever read one. Sections later features act on are parsed here already, so adding a
 * feature adds a stage, not a parser. All strings and arrays are heap-owned by the spec and freed
 * by vsl_spec_free(); string vectors are NULL-terminated with an explicit count beside them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* An optional integer: the spec distinguishes "absent" from 0 in many places. */
struct vsl_opt_i64 {
    bool set;
    int64_t v;
};
struct vsl_opt_u64 {
    bool set;
    uint64_t v;
};

struct vsl_kv {
    char *key;
    char *value;
};

struct vsl_strv {
    char **v; /* NULL-terminated */
    size_t n;
};

enum vsl_ns_kind {
    VSL_NS_PID,
    VSL_NS_NET,
    VSL_NS_MOUNT,
    VSL_NS_IPC,
    VSL_NS_UTS,
    VSL_NS_USER,
    VSL_NS_CGROUP,
    VSL_NS_TIME,
    VSL_NS__COUNT,
};

struct vsl_namespace {
    bool present; /* listed in linux.namespaces */
    char *path;   /* join this one instead of creating (NULL: create) */
};

struct vsl_idmap {
    uint32_t container_id;
    uint32_t host_id;
    uint32_t size;
};

struct vsl_mount {
    char *destination;
    char *source;            /* may be NULL (tmpfs, proc...) */
    char *type;              /* may be NULL: bind when options say so */
    struct vsl_strv options; /* the raw option strings */
    /* Derived from options by the parser: */
    unsigned long flags;       /* MS_* to set */
    unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (| MS_REC), or 0 */
    bool bind;                 /* bind or rbind */
    bool recursive;            /* rbind (recursive propagation is MS_REC in propagation) */
    bool ro_recursive;         /* "rro": read-only applied recursively */
    char *data; /* fs-specific options joined by ',' (mode=755,size=65536k...), or NULL */
    struct vsl_idmap *uid_mappings; /* per-mount idmap (runtime-spec 1.1), may be NULL */
    size_t n_uid_mappings;
    struct vsl_idmap *gid_mappings;
    size_t n_gid_mappings;
};

struct vsl_rlimit {
    int resource; /* RLIMIT_* */
    uint64_t soft;
    uint64_t hard;
};

/* Capability sets as bitmasks of CAP_* numbers (bit n = capability n). */
struct vsl_caps {
    bool present; /* process.capabilities given at all */
    uint64_t bounding;
    uint64_t effective;
    uint64_t inheritable;
    uint64_t permitted;
    uint64_t ambient;
};

struct vsl_process {
    bool terminal;
    uint32_t console_height;
    uint32_t console_width;
    uint32_t uid;
    uint32_t gid;
    struct vsl_opt_u64 umask;
    uint32_t *additional_gids;
    size_t n_additional_gids;
    char *username; /* unused on Linux, kept */
    struct vsl_strv args;
    char *command_line;  /* Windows only; ignored */
    struct vsl_strv env; /* "KEY=VALUE" */
    char *cwd;
    struct vsl_caps caps;
    struct vsl_rlimit *rlimits;
    size_t n_rlimits;
    struct vsl_opt_i64 oom_score_adj;
    bool no_new_privileges;
    char *apparmor_profile;
    char *selinux_label;
    struct vsl_strv io_priority_class; /* unused */
};

struct vsl_hook {
    char *path;
    struct vsl_strv args;
    struct vsl_strv env;
    struct vsl_opt_i64 timeout; /* seconds, > 0 */
};

enum vsl_hook_kind {
    VSL_HOOK_PRESTART,
    VSL_HOOK_CREATE_RUNTIME,
    VSL_HOOK_CREATE_CONTAINER,
    VSL_HOOK_START_CONTAINER,
    VSL_HOOK_POSTSTART,
    VSL_HOOK_POSTSTOP,
    VSL_HOOK__COUNT,
};

struct vsl_hooks {
    struct vsl_hook *v[VSL_HOOK__COUNT];
    size_t n[VSL_HOOK__COUNT];
};

struct vsl_device {
    char *path;
    char type; /* 'c', 'b', 'u', 'p' */
    int64_t major;
    int64_t minor;
    struct vsl_opt_u64 file_mode;
    struct vsl_opt_u64 uid;
    struct vsl_opt_u64 gid;
};

struct vsl_device_rule {
    bool allow;
    char type;                /* 'a', 'c', 'b' (default 'a') */
    struct vsl_opt_i64 major; /* absent: wildcard */
    struct vsl_opt_i64 minor;
    char *access; /* "rwm" subset, may be NULL */
};

struct vsl_weight_device {
    int64_t major;
    int64_t minor;
    struct vsl_opt_u64 weight;
    struct vsl_opt_u64 leaf_weight;
};

struct vsl_throttle_device {
    int64_t major;
    int64_t minor;
    uint64_t rate;
};

struct vsl_hugepage_limit {
    char *page_size;
    uint64_t limit;
};

struct vsl_net_priority {
    char *name;
    uint32_t priority;
};

struct vsl_rdma_limit {
    char *device;
    struct vsl_opt_u64 hca_handles;
    struct vsl_opt_u64 hca_objects;
};

struct vsl_resources {
    struct vsl_device_rule *devices;
    size_t n_devices;
    struct {
        struct vsl_opt_i64 limit;
        struct vsl_opt_i64 reservation;
        struct vsl_opt_i64 swap;
        struct vsl_opt_i64 kernel;
        struct vsl_opt_i64 kernel_tcp;
        struct vsl_opt_u64 swappiness;
        bool disable_oom_killer;
        bool use_hierarchy;
        bool check_before_update;
    } memory;
    struct {
        struct vsl_opt_u64 shares;
        struct vsl_opt_i64 quota;
        struct vsl_opt_u64 burst;
        struct vsl_opt_u64 period;
        struct vsl_opt_i64 realtime_runtime;
        struct vsl_opt_u64 realtime_period;
        char *cpus;
        char *mems;
        struct vsl_opt_i64 idle;
    } cpu;
    struct {
        struct vsl_opt_i64 limit;
    } pids;
    struct {
        struct vsl_opt_u64 weight;
        struct vsl_opt_u64 leaf_weight;
        struct vsl_weight_device *weight_device;
        size_t n_weight_device;
        struct vsl_throttle_device *throttle_read_bps;
        size_t n_throttle_read_bps;
        struct vsl_throttle_device *throttle_write_bps;
        size_t n_throttle_write_bps;
        struct vsl_throttle_device *throttle_read_iops;
        size_t n_throttle_read_iops;
        struct vsl_throttle_device *throttle_write_iops;
        size_t n_throttle_write_iops;
    } block_io;
    struct vsl_hugepage_limit *hugepage_limits;
    size_t n_hugepage_limits;
    struct {
        struct vsl_opt_u64 class_id;
        struct vsl_net_priority *priorities;
        size_t n_priorities;
    } network;
    struct vsl_rdma_limit *rdma;
    size_t n_rdma;
    struct vsl_kv *unified;
    size_t n_unified;
};

enum vsl_seccomp_op {
    VSL_SCMP_NE,
    VSL_SCMP_LT,
    VSL_SCMP_LE,
    VSL_SCMP_EQ,
    VSL_SCMP_GE,
    VSL_SCMP_GT,
    VSL_SCMP_MASKED_EQ,
};

struct vsl_seccomp_arg {
    uint32_t index;
    uint64_t value;
    uint64_t value_two;
    enum vsl_seccomp_op op;
};

/* Actions are kept as the spec's strings ("SCMP_ACT_ERRNO"); the seccomp stage maps them. */
struct vsl_seccomp_syscall {
    struct vsl_strv names;
    char *action;
    struct vsl_opt_u64 errno_ret;
    struct vsl_seccomp_arg *args;
    size_t n_args;
};

struct vsl_seccomp {
    char *default_action;
    struct vsl_opt_u64 default_errno_ret;
    struct vsl_strv architectures;
    struct vsl_strv flags;
    char *listener_path;
    char *listener_metadata;
    struct vsl_seccomp_syscall *syscalls;
    size_t n_syscalls;
};

struct vsl_time_offset {
    bool set;
    int64_t secs;
    uint32_t nanosecs;
};

struct vsl_linux {
    struct vsl_namespace namespaces[VSL_NS__COUNT];
    struct vsl_idmap *uid_mappings;
    size_t n_uid_mappings;
    struct vsl_idmap *gid_mappings;
    size_t n_gid_mappings;
    struct vsl_time_offset time_boottime;
    struct vsl_time_offset time_monotonic;
    struct vsl_kv *sysctl;
    size_t n_sysctl;
    struct vsl_device *devices;
    size_t n_devices;
    struct vsl_strv masked_paths;
    struct vsl_strv readonly_paths;
    unsigned long rootfs_propagation; /* MS_* | MS_REC, 0 when absent */
    char *cgroups_path;
    bool has_resources;
    struct vsl_resources resources;
    struct vsl_seccomp *seccomp; /* NULL when absent */
    char *mount_label;
    char *personality_domain; /* "LINUX" / "LINUX32", NULL when absent */
};

struct vsl_spec {
    char *oci_version;
    char *root_path; /* absolute once vsl_spec_resolve_root() ran against the bundle */
    bool root_readonly;
    struct vsl_mount *mounts;
    size_t n_mounts;
    bool has_process;
    struct vsl_process process;
    char *hostname;
    char *domainname;
    struct vsl_kv *annotations;
    size_t n_annotations;
    struct vsl_hooks hooks;
    bool has_linux;
    struct vsl_linux linux_;
    /* The text vsl_spec_load() read, NUL-terminated, for as long as the spec says what it says
     * (vsl_spec_resolve_root() drops it when it changes root.path; so must any other change):
     * the state keeps it as config.json instead of a serialization of the spec. NULL otherwise. */
    char *source;
};
