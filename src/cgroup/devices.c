// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * linux.resources.devices: v1 writes rule lines ("c 1:3 rwm") to devices.allow/deny; cgroup v2
 * has no devices files, so the rules become a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the
 * leaf with BPF_CGROUP_DEVICE (the raw bpf() syscall, as runc and crun do). The program checks the
 * rules from the last to the first, so the last rule that matches a device decides, as in v1;
 * a device no rule matches is allowed, as in a new v1 cgroup (a spec's first rule denies all).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/cg_internal.h"
#include "lib/cleanup.h"
#include "lib/error.h"

void
cg_device_rule_line(const struct vsl_device_rule *r, char *buf, size_t len)
{
    char major[24] = "*", minor[24] = "*";

    if (r->major.set && r->major.v >= 0)
        (void)snprintf(major, sizeof(major), "%lld", (long long)r->major.v);
    if (r->minor.set && r->minor.v >= 0)
        (void)snprintf(minor, sizeof(minor), "%lld", (long long)r->minor.v);
    (void)snprintf(buf, len, "%c %s:%s %s", r->type ? r->type : 'a', major, minor,
                   r->access && *r->access ? r->access : "rwm");
}

/* ---- the program ---- */

static struct bpf_insn
insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_K(op, dst, imm) insn(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_X(dst, src) insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_K(dst, imm) insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JNE_K(dst, imm, off) insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JNE_X(dst, src, off) insn(BPF_JMP | BPF_JNE | BPF_X, dst, src, off, 0)
#define EXIT() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int32_t
access_mask(const char *access)
{
    int32_t m = 0;

    for (const char *p = access && *access ? access : "rwm"; *p; p++)
        m |= *p == 'r'   ? BPF_DEVCG_ACC_READ
             : *p == 'w' ? BPF_DEVCG_ACC_WRITE
             : *p == 'm' ? BPF_DEVCG_ACC_MKNOD
                         : 0;
    return m;
}

/* One rule's block; conditional jumps are emitted with the offset to the block's end. Returns the
 * number of instructions; *ret_always when nothing is checked (later blocks are unreachable). */
static size_t
rule_block(const struct vsl_device_rule *r, struct bpf_insn *b, bool *ret_always)
{
    const int32_t all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
    int32_t mask = access_mask(r->access);
    size_t n = 0;

    if (r->type == 'c' || r->type == 'b')
        b[n++] = JNE_K(2, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0);
    if ((mask & all) != all) {
        b[n++] = MOV32_X(1, 3);
        b[n++] = ALU32_K(BPF_AND, 1, mask);
        b[n++] = JNE_X(1, 3, 0);
    }
    if (r->major.set && r->major.v >= 0)
        b[n++] = JNE_K(4, (int32_t)r->major.v, 0);
    if (r->minor.set && r->minor.v >= 0)
        b[n++] = JNE_K(5, (int32_t)r->minor.v, 0);
    *ret_always = n == 0;
    b[n++] = MOV64_K(0, r->allow ? 1 : 0);
    b[n++] = EXIT();
    for (size_t i = 0; i < n; i++)
        if (BPF_CLASS(b[i].code) == BPF_JMP && BPF_OP(b[i].code) == BPF_JNE)
            b[i].off = (int16_t)(n - i - 1);
    return n;
}

int
cg_devices_program(const struct vsl_device_rule *rules, size_t n, struct bpf_insn **ret,
                   size_t *ret_n)
{
    struct bpf_insn *p = calloc(8 + n * 9, sizeof(*p));
    size_t k = 0;
    bool always = false;

    if (!p)
        return -ENOMEM;
    /* r2 = device type, r3 = access, r4 = major, r5 = minor (struct bpf_cgroup_dev_ctx) */
    p[k++] = LDX_W(2, 1, 0);
    p[k++] = ALU32_K(BPF_AND, 2, 0xffff);
    p[k++] = LDX_W(3, 1, 0);
    p[k++] = ALU32_K(BPF_RSH, 3, 16);
    p[k++] = LDX_W(4, 1, 4);
    p[k++] = LDX_W(5, 1, 8);
    for (size_t i = n; i-- > 0 && !always;)
        k += rule_block(&rules[i], p + k, &always);
    if (!always) {
        p[k++] = MOV64_K(0, 1);
        p[k++] = EXIT();
    }
    *ret = p;
    *ret_n = k;
    return 0;
}

/* ---- loading and attaching ---- */

static int
sys_bpf(int cmd, union bpf_attr *attr)
{
    return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int
load_program(const struct bpf_insn *insns, size_t n, struct vsl_error *err)
{
    static char log[4096];
    union bpf_attr a = {0};

    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = (uint64_t)(uintptr_t)insns;
    a.insn_cnt = (uint32_t)n;
    a.license = (uint64_t)(uintptr_t) "GPL";
    a.log_buf = (uint64_t)(uintptr_t)log;
    a.log_size = sizeof(log);
    a.log_level = 1;
    log[0] = '\0';
    int fd = sys_bpf(BPF_PROG_LOAD, &a);
    if (fd < 0 && errno == ENOSPC) { /* the log did not fit: load again without it */
        a.log_buf = 0;
        a.log_size = 0;
        a.log_level = 0;
        fd = sys_bpf(BPF_PROG_LOAD, &a);
    }
    if (fd < 0)
        return vsl_err_errno(err, "bpf load the device program (%zu instructions)%s%.200s", n,
                             log[0] ? ": " : "", log);
    return fd;
}

/* The ids of the device programs attached to the cgroup now (up to max). */
static size_t
attached_programs(int dirfd, uint32_t *ids, size_t max)
{
    union bpf_attr a = {0};

    a.query.target_fd = (uint32_t)dirfd;
    a.query.attach_type = BPF_CGROUP_DEVICE;
    a.query.prog_ids = (uint64_t)(uintptr_t)ids;
    a.query.prog_cnt = (uint32_t)max;
    if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
        return 0;
    return a.query.prog_cnt;
}

static void
detach(int dirfd, uint32_t id)
{
    union bpf_attr a = {0};

    a.prog_id = id;
    _cleanup_close_ int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
    if (fd < 0)
        return;
    a = (union bpf_attr){0};
    a.target_fd = (uint32_t)dirfd;
    a.attach_bpf_fd = (uint32_t)fd;
    a.attach_type = BPF_CGROUP_DEVICE;
    (void)sys_bpf(BPF_PROG_DETACH, &a);
}

int
cg_devices_attach(struct vsl_cgroup *cg, int dirfd, const struct vsl_device_rule *rules, size_t n,
                  struct vsl_error *err)
{
    _cleanup_free_ struct bpf_insn *insns = NULL;
    _cleanup_close_ int prog = -EBADF;
    uint32_t old[64];
    size_t n_insns, n_old;
    union bpf_attr a = {0};

    if (cg_devices_program(rules, n, &insns, &n_insns) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    if (cg_fake_fs)
        return 0;
    if ((prog = load_program(insns, n_insns, err)) < 0)
        return prog;
    /* attach the new program before the old one goes, so no moment is without rules */
    n_old = attached_programs(dirfd, old, ARRAY_SIZE(old));
    a.target_fd = (uint32_t)dirfd;
    a.attach_bpf_fd = (uint32_t)prog;
    a.attach_type = BPF_CGROUP_DEVICE;
    a.attach_flags = BPF_F_ALLOW_MULTI;
    if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
        return vsl_err_errno(err, "bpf attach the device program to '%s'", cg->h[0].dir);
    for (size_t i = 0; i < n_old; i++)
        detach(dirfd, old[i]);
    return 0;
}
