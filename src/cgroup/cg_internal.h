/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the cgroup backends share: struct vsl_cgroup, the ops table each backend fills, and the
 * file helpers. The root of the hierarchies is a field, not a constant, so unit tests run the
 * backends against a temporary directory (cg_fake_fs: files are created and appended to).
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"

struct vsl_device_rule;
struct vsl_rdma_limit;

#define CG_ROOT "/sys/fs/cgroup"
#define CG_MAX_HIER 16

/* One mounted hierarchy (v1: one per controller set; v2: the only one). */
struct cg_hier {
    char name[64]; /* directory under the root: "memory", "cpu,cpuacct", "systemd", "unified" */
    bool v2;       /* a cgroup2 hierarchy (pure v2, or the hybrid "unified" mount) */
    int dirfd;     /* the container's leaf in it, -EBADF when not joined */
    int topfd;     /* its top while the leaf is being set up (v1), else -EBADF */
    char *dir;     /* its full path, for messages */
};

struct cg_ops;

struct vsl_cgroup {
    const struct cg_ops *ops;
    enum vsl_cgroup_mode mode;
    char *root; /* CG_ROOT, or a test directory */
    char *path; /* "/vessel/<id>", relative to every hierarchy's root */
    struct cg_hier h[CG_MAX_HIER];
    size_t n_h;
    int clone_fd;    /* v2: O_PATH fd of the leaf, -EBADF until asked */
    int bpf_prog_fd; /* v2: the device program attached by this process, -EBADF when none */
    /* --systemd-cgroup (systemd.c): the scope unit ("prefix-name.scope") holding the leaf, NULL
     * for a cgroup of vessel's own; its slice (new scopes only); the user manager's bus */
    char *unit;
    char *slice;
    bool user_bus;
    bool unit_started; /* the unit exists (started by us, or found on open): stop it */
};

struct cg_ops {
    /* find the hierarchies and make (create) or open the leaf in each */
    int (*setup)(struct vsl_cgroup *cg, const struct vsl_resources *res, bool create,
                 struct vsl_error *err);
    int (*set)(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err);
    int (*freeze)(struct vsl_cgroup *cg, bool frozen, struct vsl_error *err);
    int (*is_frozen)(struct vsl_cgroup *cg, bool *ret, struct vsl_error *err);
    int (*oom_kills)(struct vsl_cgroup *cg, uint64_t *ret, struct vsl_error *err);
};

extern const struct cg_ops cg_v1_ops, cg_v2_ops;

/* Unit tests set this: writes create and append to plain files in a temporary directory. */
extern bool cg_fake_fs;

/* Create (create=true) or open the container's cgroup under root with an explicit backend. */
int cg_new_at(const char *root, enum vsl_cgroup_mode mode, const char *path,
              const struct vsl_resources *res, bool create, struct vsl_cgroup **ret,
              struct vsl_error *err);

/* The object alone, no hierarchy set up yet (cg_new_at's first half); -ENOMEM. */
int cg_alloc(const char *root, enum vsl_cgroup_mode mode, const char *path,
             struct vsl_cgroup **ret);

/* ---- systemd (systemd.c) ---- */

/* "/slice.../prefix-name.scope" for linux.cgroupsPath "slice:prefix:name" (empty parts default to
 * system.slice, or user.slice for the user manager; "vessel"; the id). */
/* CPU quota as systemd's CPUQuotaPerSecUSec takes it: per second of wall time, rounded up to
 * 10 ms (as runc does); UINT64_MAX (no limit) for a quota <= 0. The period defaults to 100 ms. */
uint64_t cg_systemd_quota_per_sec(int64_t quota, uint64_t period);
int cg_systemd_unit(const char *cgroups_path, const char *id, bool user, char **ret,
                    struct vsl_error *err);
/* Before update and delete: a ".scope" leaf that is a systemd unit's cgroup gets cg->unit (asks
 * systemd; nothing for other paths). */
void cg_systemd_detect(struct vsl_cgroup *cg);
/* SetUnitProperties for the resources systemd knows (update). */
int cg_systemd_set(struct vsl_cgroup *cg, const struct vsl_resources *res, struct vsl_error *err);
/* StopUnit and wait (bounded) until systemd collected the unit; its processes must be gone. */
int cg_systemd_stop(struct vsl_cgroup *cg, struct vsl_error *err);

/* ---- files (cgroup.c) ---- */

/* Write one value to dirfd/file; the message names dir/file and the value. */
/* Write value to file, opening it into *fd first if *fd < 0 and keeping it open: one open for a
 * run of writes (v1 device rules, one a write). The caller closes *fd. */
int cg_write_keep(int *fd, int dirfd, const char *dir, const char *file, const char *value,
                  struct vsl_error *err);
__attribute__((format(printf, 5, 6))) int cg_write(int dirfd, const char *dir, const char *file,
                                                   struct vsl_error *err, const char *fmt, ...);
/* The same without an error message: -errno. */
int cg_write_raw(int dirfd, const char *file, const char *value);
/* Read dirfd/file whole into buf (NUL-terminated, trailing newline kept); -errno. */
int cg_read(int dirfd, const char *file, char *buf, size_t len);
/* A file's contents on the heap; -errno. */
int cg_read_alloc(int dirfd, const char *file, char **ret);
/* Read one unsigned number ("max" reads as UINT64_MAX); -errno. */
int cg_read_u64(int dirfd, const char *file, uint64_t *ret);
/* The value of "key N" in a flat keyed file (memory.events, cpu.stat, oom_control). */
int cg_read_key(int dirfd, const char *file, const char *key, uint64_t *ret);
bool cg_has_file(int dirfd, const char *file);

/* The hierarchy holding controller name (v1), or NULL. */
struct cg_hier *cg_v1_hier(struct vsl_cgroup *cg, const char *controller);
/* Does this hierarchy (v1 directory name) carry the controller? */
bool cg_hier_has(const char *hier_name, const char *controller);

/* Controllers the resources need, as a NULL-terminated list of names (v1 or v2 names). */
size_t cg_needed_controllers(const struct vsl_resources *res, bool v2, const char **ret,
                             size_t max);
/* The linux.resources section that needs a controller, for messages. */
const char *cg_controller_section(const char *controller);

/* mkdir -p (create) or open path under rootfd; hook(parentfd, fd, created, data) runs for each
 * level. Returns the leaf's fd in *ret_fd; -errno. */
typedef int (*cg_level_hook)(int parentfd, int fd, bool created, void *data);
int cg_mkdirs(int rootfd, const char *path, bool create, cg_level_hook hook, void *data,
              int *ret_fd);

/* ---- pids, killing (cgroup.c) ---- */
int cg_pids_at(int dirfd, pid_t **pids, size_t *n);

/* ---- devices (devices.c) ---- */

/* The v1 line for a rule: "c 1:3 rwm", "a *:* rwm". */
void cg_device_rule_line(const struct vsl_device_rule *r, char *buf, size_t len);

struct bpf_insn;
/* The BPF_PROG_TYPE_CGROUP_DEVICE program for the rules (last matching rule wins, no match
 * allows, as v1): a heap array of *ret_n instructions. */
int cg_devices_program(const struct vsl_device_rule *rules, size_t n, struct bpf_insn **ret,
                       size_t *ret_n);
/* Load the program and attach it to the cgroup dirfd, replacing the one attached before. */
int cg_devices_attach(struct vsl_cgroup *cg, int dirfd, const struct vsl_device_rule *rules,
                      size_t n, struct vsl_error *err);

/* ---- conversions (v2.c) ---- */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_to_io_weight(uint64_t weight);
/* nanosleep for ms milliseconds (the waits for the kernel or systemd to catch up). */
void cg_sleep_ms(long ms);
/* One rdma.max line, the same file on v1 and v2: "DEVICE hca_handle=N hca_object=N". */
void cg_rdma_line(const struct vsl_rdma_limit *l, char *buf, size_t len);
/* OCI memory.swap (memory+swap) to memory.swap.max: -1 max, 0 unset; -EINVAL when impossible */
int cg_swap_to_v2(int64_t swap, int64_t limit, int64_t *ret);
