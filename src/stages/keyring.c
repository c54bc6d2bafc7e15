// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stage "keyring": the container's init joins a session keyring of its own, "_ses.<id>" (runc's
 * name), so the container never shares the caller's keys; --no-new-keyring keeps the caller's.
 * Runs in the child after namespaces (the keyring belongs to the container's root, in its user
 * namespace) and before seccomp, whose default profile refuses keyctl, and the user switch.
 */
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/fs.h"
#include "stages/stage.h"

/* Search for the container's user: by uid, or by "other" in a user namespace (runc's choice). */
#define KEY_USR_SEARCH 0x00080000u
#define KEY_OTH_SEARCH 0x00000008u

/* glibc has no keyctl wrapper; two calls do not justify libkeyutils. */
static long
sys_keyctl(int cmd, unsigned long a2, unsigned long a3, unsigned long a4)
{
    return syscall(SYS_keyctl, cmd, a2, a3, a4, 0UL);
}

/* KEYCTL_DESCRIBE gives "type;uid;gid;perm;description", perm in hex. */
static int
keyring_perm(long serial, unsigned *ret_perm, struct vsl_error *err)
{
    char desc[512], *f = desc;

    long n =
        sys_keyctl(KEYCTL_DESCRIBE, (unsigned long)serial, (unsigned long)desc, sizeof(desc) - 1);
    if (n < 0)
        return vsl_err_errno(err, "keyctl describe the session keyring");
    desc[(size_t)n < sizeof(desc) ? (size_t)n : sizeof(desc) - 1] = '\0';
    for (int i = 0; i < 3 && f; i++)
        f = (f = strchr(f, ';')) ? f + 1 : NULL;
    char *end = NULL;
    unsigned long perm = f ? strtoul(f, &end, 16) : 0;
    if (!f || end == f || *end != ';')
        return vsl_err(err, EINVAL, "keyctl describe the session keyring: unexpected '%s'", desc);
    *ret_perm = (unsigned)perm;
    return 0;
}

static int
keyring_child_setup(struct vsl_ctx *ctx, struct vsl_error *err)
{
    char name[160];
    unsigned perm = 0;
    int r;

    (void)vsl_concat(name, sizeof(name), "_ses.", ctx->id ? ctx->id : "", (char *)NULL);
    long serial = sys_keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)name, 0, 0);
    if (serial < 0) {
        /* Best effort, as runc's (which goes on after ENOSYS): a keyring adds little next to
         * the namespaces. ENOSYS: a kernel without keys. EPERM/EACCES too, unlike runc: vessel
         * itself runs under a seccomp filter or LSM that refuses keyctl (docker's profile
         * does), and refusing every container there would help nobody. Any other failure
         * (EDQUOT: the user's key quota) fails the container. */
        if (errno == ENOSYS || errno == EPERM || errno == EACCES)
            return 0;
        return vsl_err_errno(err, "keyctl join session keyring '%s'", name);
    }
    /* Possession covers the container's own processes; runc also lets the container's user
     * search it (by uid, or as "other" in a user namespace) so that a process of another uid
     * can find and join it by name. A keyring left with the wrong permissions fails. */
    if ((r = keyring_perm(serial, &perm, err)) < 0)
        return r;
    perm |= ctx->spec->linux_.namespaces[VSL_NS_USER].present ? KEY_OTH_SEARCH : KEY_USR_SEARCH;
    if (sys_keyctl(KEYCTL_SETPERM, (unsigned long)serial, perm, 0) < 0)
        return vsl_err_errno(err, "keyctl set the session keyring's permissions");
    return 0;
}

/* exec keeps the caller's keyring, as before: --no-new-keyring of create is not recorded. */
static bool
keyring_enabled(const struct vsl_ctx *ctx)
{
    return !ctx->exec && !ctx->no_new_keyring;
}

const struct vsl_stage vsl_stage_keyring = {
    .name = "keyring",
    .enabled = keyring_enabled,
    .child_setup = keyring_child_setup,
};
