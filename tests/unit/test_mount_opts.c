// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vsl_mount_parse_options: option strings -> MS_* flags (set and clear, later wins), propagation,
 * bind/rbind, "rro", runtime extensions kept out of the data string, and the data string itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include <vessel/vessel.h>

#include "lib/spec_internal.h"
#include "tap.h"

/* Parse a comma-separated option list (as a mount's options array) for a mount of this type. */
static struct vsl_mount
derive(const char *type, const char *csv)
{
    struct vsl_error err = {0};
    struct vsl_mount m = {0};
    char *dup = strdup(csv);

    m.destination = strdup("/mnt");
    m.type = type ? strdup(type) : NULL;
    /* strsep keeps empty fields, which the parser must skip. */
    for (char *p = dup, *o; (o = strsep(&p, ","));)
        (void)vsl_strv_push(&m.options, o);
    free(dup);
    if (vsl_mount_parse_options(&m, &err) < 0)
        printf("# parse '%s': %s\n", csv, err.msg);
    return m;
}

static void
check(const char *type, const char *csv, unsigned long flags, const char *data, const char *name)
{
    struct vsl_mount m = derive(type, csv);

    ok(m.flags == flags, "%s: flags", name);
    if (m.flags != flags)
        printf("#   got %#lx, want %#lx\n", m.flags, flags);
    is_str(m.data, data, name);
    vsl_mount_clear(&m);
}

static void
test_flags(void)
{
    check(NULL, "ro,nosuid,nodev,noexec", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
          "ro,nosuid,nodev,noexec");
    check(NULL, "sync,dirsync,remount,mand", MS_SYNCHRONOUS | MS_DIRSYNC | MS_REMOUNT | MS_MANDLOCK,
          NULL, "sync,dirsync,remount,mand");
    check(NULL, "noatime,nodiratime,relatime,strictatime",
          MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME, NULL, "atime family");
    check(NULL, "lazytime,iversion,nosymfollow", MS_LAZYTIME | MS_I_VERSION | MS_NOSYMFOLLOW, NULL,
          "lazytime,iversion,nosymfollow");
    check(NULL, "defaults", 0, NULL, "defaults sets nothing");
    check(NULL, "", 0, NULL, "no options");
}

static void
test_clear_flags(void)
{
    check(NULL, "ro,rw", 0, NULL, "rw after ro clears");
    check(NULL, "rw,ro", MS_RDONLY, NULL, "ro after rw sets");
    check(NULL, "nosuid,suid,nodev,dev,noexec,exec", 0, NULL, "suid, dev, exec clear");
    check(NULL, "noatime,atime,nodiratime,diratime", 0, NULL, "atime, diratime clear");
    check(NULL, "relatime,norelatime,strictatime,nostrictatime", 0, NULL,
          "norelatime, nostrictatime clear");
    check(NULL, "sync,async,mand,nomand,lazytime,nolazytime", 0, NULL,
          "async, nomand, nolazytime clear");
    check(NULL, "iversion,noiversion,nosymfollow,symfollow", 0, NULL,
          "noiversion, symfollow clear");
    check(NULL, "nosuid,noexec,exec", MS_NOSUID, NULL, "clearing one keeps the others");
}

static void
test_data(void)
{
    check("devpts", "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5",
          MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5", "devpts data joined");
    check("tmpfs", "nosuid,mode=1777,,nodev,size=65536k", MS_NOSUID | MS_NODEV,
          "mode=1777,size=65536k", "empty options skipped, order kept");
    check("overlay", "lowerdir=/a:/b,upperdir=/u,workdir=/w", 0,
          "lowerdir=/a:/b,upperdir=/u,workdir=/w", "overlay options are data");
}

static void
test_propagation_bind(void)
{
    static const struct {
        const char *opt;
        unsigned long want;
    } props[] = {
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    struct vsl_mount m;

    for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
        m = derive(NULL, props[i].opt);
        ok(m.propagation == props[i].want && m.flags == 0 && !m.data && !m.recursive,
           "propagation '%s'", props[i].opt);
        vsl_mount_clear(&m);
    }
    m = derive(NULL, "shared,rprivate");
    ok(m.propagation == (MS_PRIVATE | MS_REC), "last propagation wins");
    vsl_mount_clear(&m);

    m = derive(NULL, "bind");
    ok(m.bind && !m.recursive && m.flags == MS_BIND, "bind");
    vsl_mount_clear(&m);
    m = derive(NULL, "rbind,ro");
    ok(m.bind && m.recursive && m.flags == (MS_BIND | MS_REC | MS_RDONLY), "rbind,ro");
    vsl_mount_clear(&m);
    m = derive("bind", "");
    ok(m.bind && !m.recursive && (m.flags & MS_BIND), "type 'bind' is a bind mount");
    vsl_mount_clear(&m);
    m = derive("bind", "rbind");
    ok(m.bind && m.recursive, "type 'bind' with rbind is recursive");
    vsl_mount_clear(&m);
    m = derive("none", "ro");
    ok(!m.bind && !m.recursive, "type 'none' without bind is not a bind");
    vsl_mount_clear(&m);
}

static void
test_extensions(void)
{
    struct vsl_error err = {0};
    struct vsl_mount m;

    m = derive(NULL, "rbind,rro");
    ok(m.ro_recursive && !(m.flags & MS_RDONLY), "rro is recursive read-only, not MS_RDONLY");
    vsl_mount_clear(&m);
    m = derive(NULL, "rro,rrw");
    ok(!m.ro_recursive && !m.data, "rrw undoes rro");
    vsl_mount_clear(&m);
    m = derive(NULL, "idmap,mode=755,ridmap,idmap=uids=0-1000-10;gids=0-1000-10,tmpcopyup,rnosuid");
    is_str(m.data, "mode=755", "idmap, ridmap, tmpcopyup, r* attributes stay out of data");
    is_int(m.options.n, 6, "raw options are kept");
    is_str(m.options.v[3], "idmap=uids=0-1000-10;gids=0-1000-10", "idmap with a value kept");
    vsl_mount_clear(&m);

    /* Deriving again replaces what an earlier run derived. */
    m = derive("tmpfs", "ro,size=1k,rslave,rbind");
    vsl_strv_clear(&m.options);
    (void)vsl_strv_push(&m.options, "nodev");
    is_int(vsl_mount_parse_options(&m, &err), 0, "re-derive");
    ok(m.flags == MS_NODEV && !m.data && !m.propagation && !m.bind && !m.recursive,
       "re-derive resets flags, data, propagation, bind");
    vsl_mount_clear(&m);
}

int
main(void)
{
    test_flags();
    test_clear_flags();
    test_data();
    test_propagation_bind();
    test_extensions();
    return done_testing();
}
