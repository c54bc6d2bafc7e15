// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stage "process": the last steps before exec — oomScoreAdj, umask, the capability sets, the switch
 * to process.user (uid, gid, additionalGids), the working directory and no_new_privs.
 * Runs in the child after rootfs and rlimits. Order inside matters:
 *   oom_score_adj while still privileged → drop the bounding set → keep caps across setresuid →
 *   setgroups/setresgid/setresuid → set effective/permitted/inheritable → ambient →
 *   chdir as the user (the cwd is checked with the user's rights) → no_new_privs.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "stages/stage.h"

static int
process_validate(const struct vsl_spec *spec, struct vsl_error *err)
{
    const struct vsl_process *p = &spec->process;

    if (!spec->has_process)
        return 0;
    if (p->args.n == 0)
        return vsl_err(err, EINVAL, "process.args: must not be empty");
    if (!p->cwd || p->cwd[0] != '/')
        return vsl_err(err, EINVAL, "process.cwd: '%s' is not an absolute path",
                       p->cwd ? p->cwd : "");
    if (p->oom_score_adj.set && (p->oom_score_adj.v < -1000 || p->oom_score_adj.v > 1000))
        return vsl_err(err, EINVAL, "process.oomScoreAdj: %lld is outside -1000..1000",
                       (long long)p->oom_score_adj.v);
    if (p->umask.set && p->umask.v > 0777)
        return vsl_err(err, EINVAL, "process.user.umask: %llo is not a file mode",
                       (unsigned long long)p->umask.v);
    return 0;
}

static int
set_oom_score_adj(int64_t v, struct vsl_error *err)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);
    _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

    if (fd < 0)
        return vsl_err_errno(err, "open '/proc/self/oom_score_adj'");
    if (write(fd, buf, (size_t)n) < 0)
        return vsl_err_errno(err, "process.oomScoreAdj: write %lld", (long long)v);
    return 0;
}

static int
drop_bounding(uint64_t keep, struct vsl_error *err)
{
    for (int c = 0; c <= CAP_LAST_CAP; c++) {
        if (keep & (1ULL << c))
            continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            return vsl_err_errno(err, "drop capability %d from the bounding set", c);
    }
    return 0;
}

static int
set_caps(const struct vsl_caps *caps, struct vsl_error *err)
{
    cap_t c = cap_init();
    int r = 0;

    if (!c)
        return vsl_err_errno(err, "cap_init");
    for (int i = 0; i <= CAP_LAST_CAP; i++) {
        cap_value_t v = i;
        if (caps->effective & (1ULL << i))
            (void)cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET);
        if (caps->permitted & (1ULL << i))
            (void)cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET);
        if (caps->inheritable & (1ULL << i))
            (void)cap_set_flag(c, CAP_INHERITABLE, 1, &v, CAP_SET);
    }
    if (cap_set_proc(c) < 0)
        r = vsl_err_errno(err, "set capabilities");
    (void)cap_free(c);
    if (r < 0)
        return r;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return vsl_err_errno(err, "clear ambient capabilities");
    /* The kernel raises an ambient capability only if it is permitted and inheritable; specs
     * (crun's and runc's defaults among them) often list ambient ones that are not, and both
     * runtimes skip those: so do we. */
    uint64_t ambient = caps->ambient & caps->permitted & caps->inheritable;
    for (int i = 0; i <= CAP_LAST_CAP; i++)
        if ((ambient & (1ULL << i)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
            return vsl_err_errno(err, "raise ambient capability %d", i);
    return 0;
}

static int
switch_user(const struct vsl_process *p, bool keep_caps, struct vsl_error *err)
{
    if (keep_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return vsl_err_errno(err, "prctl PR_SET_KEEPCAPS");
    /* setgroups is refused in a user namespace whose setgroups file says "deny". */
    if (setgroups(p->n_additional_gids, (const gid_t *)p->additional_gids) < 0 &&
        (errno != EPERM || p->n_additional_gids))
        return vsl_err_errno(err, "setgroups");
    if (setresgid(p->gid, p->gid, p->gid) < 0)
        return vsl_err_errno(err, "setresgid %u", p->gid);
    if (setresuid(p->uid, p->uid, p->uid) < 0)
        return vsl_err_errno(err, "setresuid %u", p->uid);
    if (keep_caps && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return vsl_err_errno(err, "prctl PR_SET_KEEPCAPS");
    return 0;
}

static int
process_child_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    const struct vsl_process *p = &ctx->spec->process;
    int r;

    if (p->oom_score_adj.set && (r = set_oom_score_adj(p->oom_score_adj.v, err)) < 0)
        return r;
    if (p->umask.set)
        (void)umask((mode_t)p->umask.v);
    if (p->caps.present && (r = drop_bounding(p->caps.bounding, err)) < 0)
        return r;
    if ((r = switch_user(p, p->caps.present, err)) < 0)
        return r;
    if (p->caps.present && (r = set_caps(&p->caps, err)) < 0)
        return r;
    if (chdir(p->cwd) < 0)
        return vsl_err_errno(err, "process.cwd: chdir '%s'", p->cwd);
    if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return vsl_err_errno(err, "prctl PR_SET_NO_NEW_PRIVS");
    return 0;
}

const struct vsl_stage vsl_stage_process = {
    .name = "process",
    .validate = process_validate,
    .child_setup = process_child_setup,
};
