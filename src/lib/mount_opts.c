// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A mount's option strings -> what mount(2) takes: MS_* flags to set (later options win over
 * earlier ones, so "ro,rw" is read-write), the propagation to apply afterwards, bind/rbind, "rro",
 * and the filesystem's own options joined into the data string. The table follows runc and crun;
 * their extensions (idmap, tmpcopyup, recursive attributes) stay in the options for the stage.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cleanup.h"
#include "error.h"
#include "spec_internal.h"

static const struct {
    const char *name;
    bool clear; /* the option clears the flag instead of setting it */
    unsigned long flag;
} flag_opts[] = {
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"iversion", false, MS_I_VERSION},
    {"noiversion", true, MS_I_VERSION},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"symfollow", true, MS_NOSYMFOLLOW},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
    {"bind", false, MS_BIND},
    {"rbind", false, MS_BIND | MS_REC},
};

/* Runtime extensions, not for the kernel's data string: the stage reads them from m->options.
 * "idmap"/"ridmap" may carry a value ("idmap=uids=0-1000-10;gids=..."). The r* attributes are
 * crun's recursive mount_setattr(2) flags (of which "rro"/"rrw" are derived here). */
static const char *const raw_opts[] = {
    "idmap",          "ridmap",        "tmpcopyup",  "notmpcopyup", "copy-symlink",
    "src-nofollow",   "dest-nofollow", "rnosuid",    "rsuid",       "rnodev",
    "rdev",           "rnoexec",       "rexec",      "rnoatime",    "ratime",
    "rnodiratime",    "rdiratime",     "rrelatime",  "rnorelatime", "rstrictatime",
    "rnostrictatime", "rnosymfollow",  "rsymfollow",
};

static bool
is_raw(const char *opt)
{
    size_t n = strcspn(opt, "=");

    for (size_t i = 0; i < ARRAY_SIZE(raw_opts); i++)
        if (strlen(raw_opts[i]) == n && strncmp(raw_opts[i], opt, n) == 0)
            return true;
    return false;
}

static int
data_append(char **data, size_t *len, const char *opt)
{
    size_t n = strlen(opt);
    char *nd = realloc(*data, *len + n + 2);

    if (!nd)
        return -ENOMEM;
    if (*len > 0)
        nd[(*len)++] = ',';
    memcpy(nd + *len, opt, n + 1);
    *len += n;
    *data = nd;
    return 0;
}

/* Applies opt if it is a flag; returns false when it is not one. */
static bool
apply_flag(const char *opt, unsigned long *flags)
{
    for (size_t i = 0; i < ARRAY_SIZE(flag_opts); i++) {
        if (strcmp(flag_opts[i].name, opt) != 0)
            continue;
        if (flag_opts[i].clear)
            *flags &= ~flag_opts[i].flag;
        else
            *flags |= flag_opts[i].flag;
        return true;
    }
    return false;
}

int
vsl_mount_parse_options(struct vsl_mount *m, struct vsl_error *err)
{
    _cleanup_free_ char *data = NULL;
    unsigned long flags = 0, propagation = 0;
    bool ro_recursive = false;
    size_t len = 0;

    if (m->type && strcmp(m->type, "bind") == 0)
        flags |= MS_BIND;
    for (size_t i = 0; i < m->options.n; i++) {
        const char *opt = m->options.v[i];
        unsigned long prop;

        if (!*opt || apply_flag(opt, &flags))
            continue;
        if (strcmp(opt, "rro") == 0 || strcmp(opt, "rrw") == 0)
            ro_recursive = strcmp(opt, "rro") == 0;
        else if (vsl_propagation_from_name(opt, &prop) == 0)
            propagation = prop;
        else if (!is_raw(opt) && data_append(&data, &len, opt) < 0)
            return vsl_err(err, ENOMEM, "mount options: out of memory");
    }
    m->flags = flags;
    m->propagation = propagation;
    m->bind = (flags & MS_BIND) != 0;
    m->recursive = (flags & MS_REC) != 0;
    m->ro_recursive = ro_recursive;
    free(m->data);
    m->data = TAKE_PTR(data);
    return 0;
}
