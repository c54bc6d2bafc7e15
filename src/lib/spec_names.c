// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Name tables between the OCI spec's spellings and the kernel's numbers: namespaces,
 * capabilities (through libcap), rlimits, mount propagation, seccomp comparison operators and hook
 * kinds. One table per name space, read both ways, so the parser and the serializer cannot
 * disagree.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "cleanup.h"
#include "spec_internal.h"

static const char *const ns_names[VSL_NS__COUNT] = {
    [VSL_NS_PID] = "pid",       [VSL_NS_NET] = "network", [VSL_NS_MOUNT] = "mount",
    [VSL_NS_IPC] = "ipc",       [VSL_NS_UTS] = "uts",     [VSL_NS_USER] = "user",
    [VSL_NS_CGROUP] = "cgroup", [VSL_NS_TIME] = "time",
};

static const struct {
    const char *name;
    int resource;
} rlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

static const struct {
    const char *name;
    unsigned long flags;
} propagations[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static const char *const seccomp_ops[] = {
    [VSL_SCMP_NE] = "SCMP_CMP_NE",
    [VSL_SCMP_LT] = "SCMP_CMP_LT",
    [VSL_SCMP_LE] = "SCMP_CMP_LE",
    [VSL_SCMP_EQ] = "SCMP_CMP_EQ",
    [VSL_SCMP_GE] = "SCMP_CMP_GE",
    [VSL_SCMP_GT] = "SCMP_CMP_GT",
    [VSL_SCMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const char *const hook_names[VSL_HOOK__COUNT] = {
    [VSL_HOOK_PRESTART] = "prestart",
    [VSL_HOOK_CREATE_RUNTIME] = "createRuntime",
    [VSL_HOOK_CREATE_CONTAINER] = "createContainer",
    [VSL_HOOK_START_CONTAINER] = "startContainer",
    [VSL_HOOK_POSTSTART] = "poststart",
    [VSL_HOOK_POSTSTOP] = "poststop",
};

const char *
vsl_ns_name(enum vsl_ns_kind kind)
{
    if ((int)kind < 0 || kind >= VSL_NS__COUNT)
        return NULL;
    return ns_names[kind];
}

int
vsl_ns_from_name(const char *name)
{
    for (size_t i = 0; name && i < ARRAY_SIZE(ns_names); i++)
        if (strcmp(ns_names[i], name) == 0)
            return (int)i;
    return -EINVAL;
}

int
vsl_cap_from_name(const char *name)
{
    cap_value_t v;

    /* The spec spells capabilities "CAP_CHOWN"; libcap would also take "chown" or "0". */
    if (strncasecmp(name, "CAP_", 4) != 0 || !name[4] || (name[4] >= '0' && name[4] <= '9'))
        return -EINVAL;
    if (cap_from_name(name, &v) < 0 || v < 0 || v > VSL_CAP_LAST)
        return -EINVAL;
    return v;
}

const char *
vsl_cap_name(int cap)
{
    /* libcap's names are lowercase and allocated: keep one uppercase copy each. */
    static char names[VSL_CAP_LAST + 1][32];

    if (cap < 0 || cap > VSL_CAP_LAST)
        return NULL;
    if (!names[cap][0]) {
        char *n = cap_to_name(cap);
        if (!n || strncmp(n, "cap_", 4) != 0) {
            (void)cap_free(n);
            return NULL;
        }
        size_t i = 0;
        for (; i < sizeof(names[cap]) - 1 && n[i]; i++)
            names[cap][i] = (char)(n[i] >= 'a' && n[i] <= 'z' ? n[i] - 32 : n[i]);
        names[cap][i] = '\0';
        (void)cap_free(n);
    }
    return names[cap];
}

int
vsl_rlimit_from_name(const char *name)
{
    for (size_t i = 0; name && i < ARRAY_SIZE(rlimits); i++)
        if (strcmp(rlimits[i].name, name) == 0)
            return rlimits[i].resource;
    return -EINVAL;
}

const char *
vsl_rlimit_name(int resource)
{
    for (size_t i = 0; i < ARRAY_SIZE(rlimits); i++)
        if (rlimits[i].resource == resource)
            return rlimits[i].name;
    return NULL;
}

int
vsl_propagation_from_name(const char *name, unsigned long *ret_flags)
{
    for (size_t i = 0; name && i < ARRAY_SIZE(propagations); i++) {
        if (strcmp(propagations[i].name, name) == 0) {
            *ret_flags = propagations[i].flags;
            return 0;
        }
    }
    return -EINVAL;
}

const char *
vsl_propagation_name(unsigned long flags)
{
    for (size_t i = 0; i < ARRAY_SIZE(propagations); i++)
        if (propagations[i].flags == flags)
            return propagations[i].name;
    return NULL;
}

int
vsl_seccomp_op_from_name(const char *name)
{
    for (size_t i = 0; name && i < ARRAY_SIZE(seccomp_ops); i++)
        if (strcmp(seccomp_ops[i], name) == 0)
            return (int)i;
    return -EINVAL;
}

const char *
vsl_seccomp_op_name(enum vsl_seccomp_op op)
{
    if ((int)op < 0 || (size_t)op >= ARRAY_SIZE(seccomp_ops))
        return NULL;
    return seccomp_ops[op];
}

const char *
vsl_hook_name(enum vsl_hook_kind kind)
{
    if ((int)kind < 0 || kind >= VSL_HOOK__COUNT)
        return NULL;
    return hook_names[kind];
}
