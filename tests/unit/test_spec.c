// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.json parsing, validation errors (with their JSON paths), serialization round trips, the
 * runc-compatible defaults and the spec builders. JSON is written inline with single quotes, which
 * q() turns into double quotes, so a config reads like a config. No root needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <vessel/vessel.h>

#include "lib/cleanup.h"
#include "lib/spec_internal.h"
#include "tap.h"

#define SENTINEL ((struct vsl_spec *)&sentinel_storage)
static int sentinel_storage;

/* Single quotes -> double quotes, in a copy the caller frees. */
static char *
q(const char *text)
{
    char *s = strdup(text);

    for (char *p = s; p && *p; p++)
        if (*p == '\'')
            *p = '"';
    return s;
}

static int
parse_q(const char *text, struct vsl_spec **ret, struct vsl_error *err)
{
    char *json = q(text);
    int r = vsl_spec_parse(json, strlen(json), "config.json", ret, err);

    free(json);
    return r;
}

/* Test names with the label of the pass (parsed / reparsed) in them. */
static const char *
nm(const char *fmt, ...)
{
    static char bufs[4][160];
    static int i;
    char *b = bufs[i++ % 4];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(b, sizeof(bufs[0]), fmt, ap);
    va_end(ap);
    return b;
}

static const char full_json[] =
    "{'ociVersion': '1.2.0',"
    " 'process': {'terminal': true, 'consoleSize': {'height': 25, 'width': 80},"
    "  'user': {'uid': 1000, 'gid': 1001, 'umask': 18, 'additionalGids': [5, 6],"
    "           'username': 'alice'},"
    "  'args': ['/bin/sh', '-c', 'echo hi'], 'commandLine': 'cmd /c echo',"
    "  'env': ['PATH=/bin', 'HOME=/root'], 'cwd': '/work',"
    "  'capabilities': {'bounding': ['CAP_SYS_ADMIN', 'CAP_CHECKPOINT_RESTORE'],"
    "   'effective': ['CAP_CHOWN'], 'inheritable': ['CAP_KILL'],"
    "   'permitted': ['CAP_CHOWN', 'cap_kill'], 'ambient': ['CAP_NET_RAW']},"
    "  'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1024, 'hard': 4096},"
    "              {'type': 'RLIMIT_CORE', 'soft': 0, 'hard': 18446744073709551615}],"
    "  'oomScoreAdj': -500, 'noNewPrivileges': true, 'apparmorProfile': 'vessel-default',"
    "  'selinuxLabel': 'system_u:system_r:container_t:s0'},"
    " 'root': {'path': 'rootfs', 'readonly': true},"
    " 'hostname': 'box', 'domainname': 'example.org',"
    " 'mounts': [{'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
    "  {'destination': '/data', 'type': 'bind', 'source': '/srv/data',"
    "   'options': ['rbind', 'ro', 'rslave'],"
    "   'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
    "   'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 65536}]}],"
    " 'annotations': {'org.example.key': 'value', 'run.vessel.ephemeral': 'true'},"
    " 'hooks': {'prestart': [{'path': '/usr/bin/fix', 'args': ['fix', '--all'],"
    "                         'env': ['A=1'], 'timeout': 5}],"
    "  'createRuntime': [{'path': '/bin/cr'}], 'createContainer': [{'path': '/bin/cc'}],"
    "  'startContainer': [{'path': '/bin/sc'}],"
    "  'poststart': [{'path': '/bin/ps1'}, {'path': '/bin/ps2'}],"
    "  'poststop': [{'path': '/bin/stop', 'timeout': 30}]},"
    " 'linux': {"
    "  'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': '/var/run/netns/blue'},"
    "   {'type': 'mount'}, {'type': 'ipc'}, {'type': 'uts'}, {'type': 'user'},"
    "   {'type': 'cgroup'}, {'type': 'time'}],"
    "  'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1},"
    "                  {'containerID': 1, 'hostID': 100000, 'size': 65536}],"
    "  'gidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}],"
    "  'timeOffsets': {'boottime': {'secs': -3600, 'nanosecs': 5},"
    "                  'monotonic': {'secs': 86400}},"
    "  'sysctl': {'net.ipv4.ip_forward': '1', 'kernel.msgmax': '65536'},"
    "  'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229,"
    "               'fileMode': 438, 'uid': 0, 'gid': 0},"
    "              {'path': '/dev/myfifo', 'type': 'p'}],"
    "  'resources': {"
    "   'devices': [{'allow': false, 'access': 'rwm'},"
    "    {'allow': true, 'type': 'c', 'major': 10, 'minor': 229, 'access': 'rw'},"
    "    {'allow': true, 'type': 'b', 'major': 8}],"
    "   'memory': {'limit': 536870912, 'reservation': 268435456, 'swap': -1, 'kernel': 0,"
    "    'kernelTCP': 1048576, 'swappiness': 60, 'disableOOMKiller': true,"
    "    'useHierarchy': true, 'checkBeforeUpdate': true},"
    "   'cpu': {'shares': 1024, 'quota': 50000, 'burst': 10000, 'period': 100000,"
    "    'realtimeRuntime': 950000, 'realtimePeriod': 1000000, 'cpus': '0-3', 'mems': '0',"
    "    'idle': 1},"
    "   'pids': {'limit': 128},"
    "   'blockIO': {'weight': 500, 'leafWeight': 300,"
    "    'weightDevice': [{'major': 8, 'minor': 0, 'weight': 600, 'leafWeight': 200},"
    "                     {'major': 8, 'minor': 16}],"
    "    'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1048576}],"
    "    'throttleWriteBpsDevice': [{'major': 8, 'minor': 1, 'rate': 2097152}],"
    "    'throttleReadIOPSDevice': [{'major': 8, 'minor': 2, 'rate': 100}],"
    "    'throttleWriteIOPSDevice': [{'major': 8, 'minor': 3, 'rate': 200}]},"
    "   'hugepageLimits': [{'pageSize': '2MB', 'limit': 209715200}],"
    "   'network': {'classID': 1048577, 'priorities': [{'name': 'eth0', 'priority': 500}]},"
    "   'rdma': {'mlx5_1': {'hcaHandles': 3, 'hcaObjects': 10000}},"
    "   'unified': {'memory.high': '1G', 'io.weight': 'default 100'}},"
    "  'cgroupsPath': '/vessel/full', 'rootfsPropagation': 'rslave',"
    "  'maskedPaths': ['/proc/kcore'], 'readonlyPaths': ['/proc/sys', '/proc/bus'],"
    "  'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 1,"
    "   'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],"
    "   'flags': ['SECCOMP_FILTER_FLAG_LOG'], 'listenerPath': '/run/seccomp.sock',"
    "   'listenerMetadata': 'meta',"
    "   'syscalls': [{'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
    "    {'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38,"
    "     'args': [{'index': 0, 'value': 8, 'op': 'SCMP_CMP_EQ'},"
    "              {'index': 1, 'value': 18446744073709551615, 'valueTwo': 4,"
    "               'op': 'SCMP_CMP_MASKED_EQ'}]}]},"
    "  'mountLabel': 'system_u:object_r:container_file_t:s0',"
    "  'personality': {'domain': 'LINUX32'}}}";

#define CAP(n) (UINT64_C(1) << (n))

static void
check_full_process(const struct vsl_spec *s, const char *l)
{
    const struct vsl_process *p = &s->process;

    ok(s->has_process && p->terminal, "%s: process.terminal", l);
    ok(p->console_height == 25 && p->console_width == 80, "%s: consoleSize", l);
    ok(p->uid == 1000 && p->gid == 1001, "%s: uid/gid", l);
    ok(p->umask.set && p->umask.v == 18, "%s: umask", l);
    ok(p->n_additional_gids == 2 && p->additional_gids[1] == 6, "%s: additionalGids", l);
    is_str(p->username, "alice", nm("%s: username", l));
    ok(p->args.n == 3 && p->args.v[3] == NULL, "%s: args NULL-terminated", l);
    is_str(p->args.v[2], "echo hi", nm("%s: args[2]", l));
    is_str(p->command_line, "cmd /c echo", nm("%s: commandLine", l));
    is_str(p->env.v[1], "HOME=/root", nm("%s: env[1]", l));
    is_str(p->cwd, "/work", nm("%s: cwd", l));
    ok(p->caps.present, "%s: capabilities present", l);
    ok(p->caps.bounding == (CAP(21) | CAP(40)), "%s: bounding SYS_ADMIN+CHECKPOINT_RESTORE", l);
    ok(p->caps.effective == CAP(0) && p->caps.inheritable == CAP(5), "%s: effective/inh", l);
    ok(p->caps.permitted == (CAP(0) | CAP(5)), "%s: permitted (case-insensitive name)", l);
    ok(p->caps.ambient == CAP(13), "%s: ambient NET_RAW", l);
    ok(p->n_rlimits == 2 && p->rlimits[0].resource == RLIMIT_NOFILE && p->rlimits[0].soft == 1024 &&
           p->rlimits[0].hard == 4096,
       "%s: rlimit NOFILE", l);
    ok(p->rlimits[1].resource == RLIMIT_CORE && p->rlimits[1].hard == UINT64_MAX,
       "%s: rlimit CORE hard = UINT64_MAX", l);
    ok(p->oom_score_adj.set && p->oom_score_adj.v == -500, "%s: oomScoreAdj", l);
    ok(p->no_new_privileges, "%s: noNewPrivileges", l);
    is_str(p->apparmor_profile, "vessel-default", nm("%s: apparmorProfile", l));
    is_str(p->selinux_label, "system_u:system_r:container_t:s0", nm("%s: selinuxLabel", l));
}

static void
check_full_top(const struct vsl_spec *s, const char *l)
{
    const struct vsl_mount *m = &s->mounts[1];

    is_str(s->oci_version, "1.2.0", nm("%s: ociVersion", l));
    ok(s->root_readonly, "%s: root.readonly", l);
    is_str(s->root_path, "rootfs", nm("%s: root.path", l));
    is_str(s->hostname, "box", nm("%s: hostname", l));
    is_str(s->domainname, "example.org", nm("%s: domainname", l));
    is_int(s->n_mounts, 2, nm("%s: two mounts", l));
    ok(s->mounts[0].source && s->mounts[0].options.n == 0, "%s: /proc without options", l);
    is_str(m->type, "bind", nm("%s: mounts[1].type", l));
    ok(m->bind && m->recursive && (m->flags & MS_RDONLY), "%s: rbind,ro derived", l);
    ok(m->propagation == (MS_SLAVE | MS_REC), "%s: rslave propagation", l);
    ok(m->n_uid_mappings == 1 && m->uid_mappings[0].host_id == 100000 &&
           m->uid_mappings[0].size == 65536,
       "%s: mount uidMappings", l);
    ok(m->n_gid_mappings == 1 && m->gid_mappings[0].host_id == 200000, "%s: mount gidMappings", l);
    is_str(vsl_spec_get_annotation(s, "org.example.key"), "value", nm("%s: annotation", l));
    is_int(s->n_annotations, 2, nm("%s: two annotations", l));
    ok(s->hooks.n[VSL_HOOK_PRESTART] == 1 && s->hooks.v[VSL_HOOK_PRESTART][0].timeout.set &&
           s->hooks.v[VSL_HOOK_PRESTART][0].timeout.v == 5,
       "%s: prestart hook timeout", l);
    is_str(s->hooks.v[VSL_HOOK_PRESTART][0].args.v[1], "--all", nm("%s: hook args", l));
    is_str(s->hooks.v[VSL_HOOK_PRESTART][0].env.v[0], "A=1", nm("%s: hook env", l));
    ok(s->hooks.n[VSL_HOOK_CREATE_RUNTIME] == 1 && s->hooks.n[VSL_HOOK_CREATE_CONTAINER] == 1 &&
           s->hooks.n[VSL_HOOK_START_CONTAINER] == 1 && s->hooks.n[VSL_HOOK_POSTSTART] == 2,
       "%s: all hook kinds", l);
    is_str(s->hooks.v[VSL_HOOK_POSTSTOP][0].path, "/bin/stop", nm("%s: poststop path", l));
}

static void
check_full_linux(const struct vsl_spec *s, const char *l)
{
    const struct vsl_linux *x = &s->linux_;

    ok(s->has_linux, "%s: has linux", l);
    for (int i = 0; i < VSL_NS__COUNT; i++)
        if (!x->namespaces[i].present)
            ok(0, "%s: namespace %s present", l, vsl_ns_name(i));
    is_str(x->namespaces[VSL_NS_NET].path, "/var/run/netns/blue", nm("%s: netns path", l));
    ok(x->namespaces[VSL_NS_PID].path == NULL, "%s: pid ns created", l);
    ok(x->n_uid_mappings == 2 && x->uid_mappings[1].container_id == 1 &&
           x->uid_mappings[1].host_id == 100000 && x->uid_mappings[1].size == 65536,
       "%s: uidMappings", l);
    ok(x->n_gid_mappings == 1 && x->gid_mappings[0].host_id == 1000, "%s: gidMappings", l);
    ok(x->time_boottime.set && x->time_boottime.secs == -3600 && x->time_boottime.nanosecs == 5,
       "%s: boottime offset", l);
    ok(x->time_monotonic.set && x->time_monotonic.secs == 86400, "%s: monotonic offset", l);
    ok(x->n_sysctl == 2 && strcmp(x->sysctl[0].key, "net.ipv4.ip_forward") == 0, "%s: sysctl", l);
    ok(x->n_devices == 2 && x->devices[0].type == 'c' && x->devices[0].major == 10 &&
           x->devices[0].minor == 229 && x->devices[0].file_mode.v == 438 && x->devices[0].uid.set,
       "%s: device /dev/fuse", l);
    ok(x->devices[1].type == 'p' && !x->devices[1].file_mode.set, "%s: fifo device", l);
    is_str(x->cgroups_path, "/vessel/full", nm("%s: cgroupsPath", l));
    ok(x->rootfs_propagation == (MS_SLAVE | MS_REC), "%s: rootfsPropagation rslave", l);
    ok(x->masked_paths.n == 1 && x->readonly_paths.n == 2, "%s: masked/readonly paths", l);
    is_str(x->mount_label, "system_u:object_r:container_file_t:s0", nm("%s: mountLabel", l));
    is_str(x->personality_domain, "LINUX32", nm("%s: personality", l));
}

static void
check_full_resources(const struct vsl_spec *s, const char *l)
{
    const struct vsl_resources *r = &s->linux_.resources;

    ok(s->linux_.has_resources, "%s: has resources", l);
    ok(r->n_devices == 3 && !r->devices[0].allow && r->devices[0].type == 'a' &&
           !r->devices[0].major.set && strcmp(r->devices[0].access, "rwm") == 0,
       "%s: deny-all device rule", l);
    ok(r->devices[1].allow && r->devices[1].type == 'c' && r->devices[1].minor.v == 229,
       "%s: allow rule", l);
    ok(r->devices[2].type == 'b' && !r->devices[2].minor.set && !r->devices[2].access,
       "%s: wildcard minor", l);
    ok(r->memory.limit.v == 536870912 && r->memory.reservation.v == 268435456 &&
           r->memory.swap.set && r->memory.swap.v == -1 && r->memory.kernel.set &&
           r->memory.kernel.v == 0 && r->memory.kernel_tcp.v == 1048576,
       "%s: memory limits", l);
    ok(r->memory.swappiness.v == 60 && r->memory.disable_oom_killer && r->memory.use_hierarchy &&
           r->memory.check_before_update,
       "%s: memory flags", l);
    ok(r->cpu.shares.v == 1024 && r->cpu.quota.v == 50000 && r->cpu.burst.v == 10000 &&
           r->cpu.period.v == 100000 && r->cpu.realtime_runtime.v == 950000 &&
           r->cpu.realtime_period.v == 1000000 && r->cpu.idle.v == 1,
       "%s: cpu numbers", l);
    ok(strcmp(r->cpu.cpus, "0-3") == 0 && strcmp(r->cpu.mems, "0") == 0, "%s: cpuset", l);
    ok(r->pids.limit.set && r->pids.limit.v == 128, "%s: pids", l);
    ok(r->block_io.weight.v == 500 && r->block_io.leaf_weight.v == 300, "%s: blkio weight", l);
    ok(r->block_io.n_weight_device == 2 && r->block_io.weight_device[0].weight.v == 600 &&
           r->block_io.weight_device[0].leaf_weight.v == 200 &&
           !r->block_io.weight_device[1].weight.set && r->block_io.weight_device[1].minor == 16,
       "%s: weightDevice", l);
    ok(r->block_io.n_throttle_read_bps == 1 && r->block_io.throttle_read_bps[0].rate == 1048576 &&
           r->block_io.throttle_write_bps[0].minor == 1 &&
           r->block_io.throttle_read_iops[0].rate == 100 &&
           r->block_io.throttle_write_iops[0].rate == 200,
       "%s: throttles", l);
    ok(r->n_hugepage_limits == 1 && strcmp(r->hugepage_limits[0].page_size, "2MB") == 0 &&
           r->hugepage_limits[0].limit == 209715200,
       "%s: hugepageLimits", l);
    ok(r->network.class_id.v == 1048577 && r->network.n_priorities == 1 &&
           r->network.priorities[0].priority == 500,
       "%s: network", l);
    ok(r->n_rdma == 1 && strcmp(r->rdma[0].device, "mlx5_1") == 0 &&
           r->rdma[0].hca_handles.v == 3 && r->rdma[0].hca_objects.v == 10000,
       "%s: rdma", l);
    ok(r->n_unified == 2 && strcmp(r->unified[1].value, "default 100") == 0, "%s: unified", l);
}

static void
check_full_seccomp(const struct vsl_spec *s, const char *l)
{
    const struct vsl_seccomp *sc = s->linux_.seccomp;

    if (!ok(sc != NULL, "%s: seccomp present", l))
        return;
    is_str(sc->default_action, "SCMP_ACT_ERRNO", nm("%s: defaultAction", l));
    ok(sc->default_errno_ret.set && sc->default_errno_ret.v == 1, "%s: defaultErrnoRet", l);
    ok(sc->architectures.n == 2 && sc->flags.n == 1, "%s: architectures, flags", l);
    is_str(sc->listener_path, "/run/seccomp.sock", nm("%s: listenerPath", l));
    is_str(sc->listener_metadata, "meta", nm("%s: listenerMetadata", l));
    ok(sc->n_syscalls == 2 && sc->syscalls[0].names.n == 2 && !sc->syscalls[0].errno_ret.set,
       "%s: syscalls", l);
    ok(sc->syscalls[1].errno_ret.v == 38 && sc->syscalls[1].n_args == 2, "%s: errnoRet", l);
    ok(sc->syscalls[1].args[0].op == VSL_SCMP_EQ && sc->syscalls[1].args[0].value == 8,
       "%s: arg EQ", l);
    ok(sc->syscalls[1].args[1].index == 1 && sc->syscalls[1].args[1].value == UINT64_MAX &&
           sc->syscalls[1].args[1].value_two == 4 &&
           sc->syscalls[1].args[1].op == VSL_SCMP_MASKED_EQ,
       "%s: arg MASKED_EQ with 64-bit value", l);
}

static void
check_full(const struct vsl_spec *s, const char *label)
{
    check_full_process(s, label);
    check_full_top(s, label);
    check_full_linux(s, label);
    check_full_resources(s, label);
    check_full_seccomp(s, label);
}

static void
test_full(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s = NULL, *s2 = NULL, *s3 = NULL;
    char *json = NULL, *json2 = NULL;
    int r;

    r = parse_q(full_json, &s, &err);
    if (!ok(r == 0, "full config parses")) {
        printf("#   %s\n", err.msg);
        return;
    }
    check_full(s, "parsed");
    is_int(vsl_spec_to_json(s, &json, &err), 0, "full config serializes");
    like(json, "\"hard\": 18446744073709551615", "64-bit value written as a bare number");
    like(json, "\"rootfsPropagation\": \"rslave\"", "propagation written by name");
    ok(json[strlen(json) - 1] == '\n', "trailing newline");
    r = vsl_spec_parse(json, strlen(json), "out.json", &s2, &err);
    if (!ok(r == 0, "serialized full config parses back"))
        printf("#   %s\n", err.msg);
    else
        check_full(s2, "reparsed");
    is_int(vsl_spec_to_json(s2, &json2, &err), 0, "reparsed serializes");
    is_str(json2, json, "second serialization is identical");
    /* Parsing is a pure function of the text: the same text gives the same spec twice. */
    is_int(vsl_spec_parse(json2, strlen(json2), NULL, &s3, &err), 0, "NULL name is fine");
    vsl_spec_free(s);
    vsl_spec_free(s2);
    vsl_spec_free(s3);
    free(json);
    free(json2);
}

static const struct vsl_mount *
find_mount(const struct vsl_spec *s, const char *dest)
{
    for (size_t i = 0; i < s->n_mounts; i++)
        if (strcmp(s->mounts[i].destination, dest) == 0)
            return &s->mounts[i];
    return NULL;
}

static void
test_default(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s = NULL, *s2 = NULL;
    char *json = NULL, *json2 = NULL;
    const struct vsl_mount *m;

    if (!ok(vsl_spec_new_default(false, &s, &err) == 0, "default spec builds"))
        return;
    is_str(s->oci_version, VSL_OCI_VERSION, "default ociVersion");
    ok(s->process.terminal && s->process.args.n == 1, "default terminal, args");
    is_str(s->process.args.v[0], "sh", "default args [sh]");
    is_str(vsl_spec_getenv(s, "PATH"),
           "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "default PATH");
    is_str(vsl_spec_getenv(s, "TERM"), "xterm", "default TERM");
    is_str(s->process.cwd, "/", "default cwd");
    ok(s->process.caps.bounding == (CAP(29) | CAP(5) | CAP(10)) &&
           s->process.caps.effective == s->process.caps.bounding &&
           s->process.caps.permitted == s->process.caps.bounding &&
           s->process.caps.inheritable == 0 && s->process.caps.ambient == 0,
       "default capabilities as runc");
    ok(s->process.n_rlimits == 1 && s->process.rlimits[0].resource == RLIMIT_NOFILE &&
           s->process.rlimits[0].soft == 1024 && s->process.rlimits[0].hard == 1024,
       "default RLIMIT_NOFILE 1024");
    ok(s->process.no_new_privileges, "default noNewPrivileges");
    ok(strcmp(s->root_path, "rootfs") == 0 && s->root_readonly, "default root");
    is_str(s->hostname, "vessel", "default hostname");
    is_int(s->n_mounts, 7, "default seven mounts");
    m = find_mount(s, "/dev");
    ok(m && m->flags == (MS_NOSUID | MS_STRICTATIME) &&
           strcmp(m->data, "mode=755,size=65536k") == 0,
       "/dev tmpfs flags and data");
    m = find_mount(s, "/dev/pts");
    is_str(m ? m->data : NULL, "newinstance,ptmxmode=0666,mode=0620,gid=5", "/dev/pts data");
    m = find_mount(s, "/sys");
    ok(m && m->flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY) && !m->data,
       "/sys sysfs flags");
    ok(s->linux_.namespaces[VSL_NS_PID].present && s->linux_.namespaces[VSL_NS_NET].present &&
           s->linux_.namespaces[VSL_NS_CGROUP].present &&
           !s->linux_.namespaces[VSL_NS_USER].present,
       "default namespaces");
    ok(s->linux_.masked_paths.n == 11 && s->linux_.readonly_paths.n == 5,
       "default masked and read-only paths");
    ok(s->linux_.has_resources && s->linux_.resources.n_devices == 1 &&
           !s->linux_.resources.devices[0].allow,
       "default deny-all device rule");

    is_int(vsl_spec_to_json(s, &json, &err), 0, "default serializes");
    like(json, "\"CAP_AUDIT_WRITE\",\n        \"CAP_KILL\"", "caps in runc's order");
    is_int(vsl_spec_parse(json, strlen(json), "config.json", &s2, &err), 0,
           "default json parses back");
    if (s2) {
        is_int(s2->n_mounts, s->n_mounts, "round trip: mounts");
        ok(s2->process.caps.bounding == s->process.caps.bounding, "round trip: caps");
        is_str(s2->mounts[2].data, s->mounts[2].data, "round trip: mount data");
        ok(memcmp(s2->linux_.namespaces, s->linux_.namespaces, sizeof(s->linux_.namespaces)) == 0,
           "round trip: namespaces");
        is_int(vsl_spec_to_json(s2, &json2, &err), 0, "reparsed default serializes");
        is_str(json2, json, "default: to_json(parse(to_json)) is identical");
    }
    vsl_spec_free(s);
    vsl_spec_free(s2);
    free(json);
    free(json2);
}

static void
test_rootless(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s = NULL, *s2 = NULL;
    char *json = NULL, *json2 = NULL;
    const struct vsl_mount *m;

    if (!ok(vsl_spec_new_default(true, &s, &err) == 0, "rootless default builds"))
        return;
    ok(s->linux_.namespaces[VSL_NS_USER].present && !s->linux_.namespaces[VSL_NS_NET].present &&
           !s->linux_.namespaces[VSL_NS_CGROUP].present && s->linux_.namespaces[VSL_NS_PID].present,
       "rootless namespaces: +user -network -cgroup");
    ok(s->linux_.n_uid_mappings == 1 && s->linux_.uid_mappings[0].container_id == 0 &&
           s->linux_.uid_mappings[0].host_id == geteuid() && s->linux_.uid_mappings[0].size == 1,
       "rootless uid mapping");
    ok(s->linux_.n_gid_mappings == 1 && s->linux_.gid_mappings[0].host_id == getegid(),
       "rootless gid mapping");
    is_int(s->n_mounts, 7, "rootless keeps seven mounts");
    is_str(s->mounts[5].destination, "/sys", "rootless /sys stays in place");
    m = &s->mounts[5];
    ok(m->bind && m->recursive && strcmp(m->source, "/sys") == 0 && strcmp(m->type, "none") == 0 &&
           (m->flags & (MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV)) ==
               (MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV),
       "rootless /sys is an rbind");
    m = find_mount(s, "/dev/pts");
    is_str(m ? m->data : NULL, "newinstance,ptmxmode=0666,mode=0620", "rootless devpts: no gid=5");
    ok(find_mount(s, "/dev/mqueue") && find_mount(s, "/sys/fs/cgroup"),
       "rootless keeps mqueue and cgroup mounts");
    ok(!s->linux_.has_resources && s->linux_.resources.n_devices == 0, "rootless: no resources");
    is_int(vsl_spec_to_json(s, &json, &err), 0, "rootless serializes");
    is_int(vsl_spec_parse(json, strlen(json), "config.json", &s2, &err), 0, "rootless parses back");
    if (s2) {
        is_int(vsl_spec_to_json(s2, &json2, &err), 0, "rootless reserializes");
        is_str(json2, json, "rootless round trip identical");
    }
    vsl_spec_free(s);
    vsl_spec_free(s2);
    free(json);
    free(json2);
}

/* A minimal valid config with one member spliced in. */
#define BASE_PROC "'process': {'args': ['sh'], 'cwd': '/'}"
#define CFG(extra) "{'ociVersion': '1.0.2', " BASE_PROC ", " extra "}"
#define CFG_PROC(proc) "{'ociVersion': '1.0.2', 'process': {" proc "}}"
#define CFG_LINUX(lin) CFG("'linux': {" lin "}")

static const struct {
    const char *json;
    const char *want;
} error_cases[] = {
    {"{\n  'ociVersion': '1.0.0',\n  'process': {,\n}", "config.json: line 3 column 15: "},
    {"", "config.json: "},
    {"['not', 'an', 'object']", "config.json: expected a JSON object"},
    {"{'process': {'args': ['sh'], 'cwd': '/'}}", "config.json: ociVersion: required"},
    {"{'ociVersion': '2.0.0'}", "config.json: ociVersion: unsupported version '2.0.0'"},
    {"{'ociVersion': '0.5.0-dev'}", "ociVersion: unsupported version '0.5.0-dev'"},
    {"{'ociVersion': 1}", "config.json: ociVersion: expected a string"},
    {CFG_PROC("'args': 'sh', 'cwd': '/'"),
     "config.json: process.args: expected an array of strings"},
    {CFG_PROC("'args': ['sh', 1], 'cwd': '/'"),
     "config.json: process.args: expected an array of strings"},
    {CFG_PROC("'cwd': '/'"), "config.json: process.args: required"},
    {CFG_PROC("'args': [], 'cwd': '/'"), "config.json: process.args: must not be empty"},
    {CFG_PROC("'args': ['sh'], 'cwd': 'tmp'"),
     "config.json: process.cwd: must be an absolute path, got 'tmp'"},
    {CFG_PROC("'args': ['sh']"), "config.json: process.cwd: required"},
    {CFG_PROC("'args': ['sh'], 'cwd': '/', 'user': {'uid': -1}"),
     "config.json: process.user.uid: expected an unsigned 32-bit integer"},
    {CFG_PROC("'args': ['sh'], 'cwd': '/', 'user': {'uid': 4294967296}"),
     "process.user.uid: expected an unsigned 32-bit integer"},
    {CFG_PROC("'args': ['sh'], 'cwd': '/', 'user': {'gid': 1.5}"),
     "process.user.gid: expected an unsigned 32-bit integer"},
    {CFG_PROC("'args': ['sh'], 'cwd': '/', 'user': {'gid': '0'}"),
     "process.user.gid: expected an unsigned 32-bit integer"},
    {CFG_PROC("'args': ['sh'], 'cwd': '/', 'user': {'additionalGids': [1, -2]}"),
     "process.user.additionalGids[1]: expected an unsigned 32-bit integer"},
    {CFG_PROC("'args': ['sh'], 'cwd': '/', 'terminal': 'yes'"),
     "process.terminal: expected a boolean"},
    {CFG_PROC("'args': ['sh'], 'cwd': '/', 'env': ['A=1', 'B']"),
     "process.env[1]: expected 'KEY=VALUE', got 'B'"},
    {CFG_PROC("'args': ['sh'], 'cwd': '/', 'capabilities': {'bounding': ['CAP_KILL', 'CAP_FOO']}"),
     "config.json: process.capabilities.bounding[1]: unknown capability 'CAP_FOO'"},
    {CFG_PROC("'args': ['sh'], 'cwd': '/', 'capabilities': ['CAP_KILL']"),
     "process.capabilities: expected an object"},
    {CFG_PROC(
         "'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': 'RLIMIT_FOO', 'soft': 1, 'hard': 1}]"),
     "config.json: process.rlimits[0].type: unknown rlimit 'RLIMIT_FOO'"},
    {CFG_PROC(
         "'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1},"
         "{'type': 'RLIMIT_NOFILE', 'soft': 2, 'hard': 2}]"),
     "process.rlimits[1].type: duplicate rlimit 'RLIMIT_NOFILE'"},
    {CFG_PROC("'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 1}]"),
     "process.rlimits[0].soft: required"},
    {CFG_PROC("'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': 'RLIMIT_CPU', 'soft': 1,"
              " 'hard': 18446744073709551616}]"),
     "config.json: line 1 column "},
    {CFG_PROC("'args': ['sh'], 'cwd': '/', 'oomScoreAdj': 2147483648"),
     "process.oomScoreAdj: expected a 32-bit integer"},
    {CFG("'root': {'readonly': true}"), "config.json: root.path: required"},
    {CFG("'mounts': {}"), "config.json: mounts: expected an array"},
    {CFG("'mounts': ['proc']"), "config.json: mounts[0]: expected an object"},
    {CFG("'mounts': [{'destination': '/proc'}, {'type': 'tmpfs'}]"),
     "config.json: mounts[1].destination: required"},
    {CFG("'mounts': [{'destination': ''}]"),
     "config.json: mounts[0].destination: must not be empty"},
    {CFG("'mounts': [{'destination': '/x', 'uidMappings': [{'containerID': 0, 'hostID': 1}]}]"),
     "config.json: mounts[0].uidMappings[0].size: required"},
    {CFG("'annotations': {'a': 'b', 'foo': 1}"), "config.json: annotations.foo: expected a string"},
    {CFG("'hooks': {'prestart': [{'path': '/bin/true', 'timeout': 0}]}"),
     "config.json: hooks.prestart[0].timeout: must be greater than zero"},
    {CFG("'hooks': {'poststop': [{'args': ['x']}]}"),
     "config.json: hooks.poststop[0].path: required"},
    {CFG("'hostname': ['x']"), "config.json: hostname: expected a string"},
    {CFG("'linux': []"), "config.json: linux: expected an object"},
    {CFG_LINUX("'namespaces': [{'type': 'pid'}, {'type': 'ipc'}, {'type': 'foo'}]"),
     "config.json: linux.namespaces[2].type: unknown namespace 'foo'"},
    {CFG_LINUX("'namespaces': [{'type': 'pid'}, {'type': 'pid'}]"),
     "config.json: linux.namespaces[1].type: duplicate namespace 'pid'"},
    {CFG_LINUX("'namespaces': [{'path': '/proc/1/ns/net'}]"), "linux.namespaces[0].type: required"},
    {CFG_LINUX("'uidMappings': [{'containerID': 0, 'hostID': -5, 'size': 1}]"),
     "config.json: linux.uidMappings[0].hostID: expected an unsigned 32-bit integer"},
    {CFG_LINUX("'rootfsPropagation': 'sideways'"),
     "config.json: linux.rootfsPropagation: unknown propagation 'sideways'"},
    {CFG_LINUX("'timeOffsets': {'realtime': {'secs': 1}}"),
     "config.json: linux.timeOffsets.realtime: unknown clock 'realtime'"},
    {CFG_LINUX("'timeOffsets': {'boottime': {'nanosecs': -1}}"),
     "linux.timeOffsets.boottime.nanosecs: expected an unsigned 32-bit integer"},
    {CFG_LINUX("'sysctl': {'net.ipv4.ip_forward': 1}"),
     "config.json: linux.sysctl.net.ipv4.ip_forward: expected a string"},
    {CFG_LINUX("'devices': [{'path': '/dev/x', 'type': 'x'}]"),
     "config.json: linux.devices[0].type: unknown device type 'x'"},
    {CFG_LINUX("'devices': [{'path': '/dev/x', 'type': 'c', 'minor': 1}]"),
     "config.json: linux.devices[0].major: required"},
    {CFG_LINUX("'resources': {'devices': [{'allow': true, 'access': 'rwx'}]}"),
     "config.json: linux.resources.devices[0].access: expected a subset of 'rwm', got 'rwx'"},
    {CFG_LINUX("'resources': {'devices': [{'access': 'rwm'}]}"),
     "linux.resources.devices[0].allow: required"},
    {CFG_LINUX("'resources': {'memory': {'limit': 1.5}}"),
     "config.json: linux.resources.memory.limit: expected a 64-bit integer"},
    {CFG_LINUX("'resources': {'memory': {'swappiness': -1}}"),
     "linux.resources.memory.swappiness: expected an unsigned 64-bit integer"},
    {CFG_LINUX("'resources': {'blockIO': {'weight': 70000}}"),
     "config.json: linux.resources.blockIO.weight: expected an unsigned 16-bit integer"},
    {CFG_LINUX("'resources': {'blockIO': {'throttleReadBpsDevice': [{'major': 8, 'minor': 0}]}}"),
     "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required"},
    {CFG_LINUX("'resources': {'pids': {}}"), "config.json: linux.resources.pids.limit: required"},
    {CFG_LINUX("'resources': {'hugepageLimits': [{'limit': 1}]}"),
     "linux.resources.hugepageLimits[0].pageSize: required"},
    {CFG_LINUX("'resources': {'rdma': {'mlx': {'hcaHandles': 'x'}}}"),
     "linux.resources.rdma.mlx.hcaHandles: expected an unsigned 32-bit integer"},
    {CFG_LINUX("'resources': {'unified': {'memory.max': 5}}"),
     "linux.resources.unified.memory.max: expected a string"},
    {CFG_LINUX("'seccomp': {'syscalls': []}"),
     "config.json: linux.seccomp.defaultAction: required"},
    {CFG_LINUX("'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': [], "
               "'action': 'SCMP_ACT_LOG'}]}"),
     "config.json: linux.seccomp.syscalls[0].names: must not be empty"},
    {CFG_LINUX("'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'],"
               " 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 1, 'op': "
               "'SCMP_CMP_FOO'}]}]}"),
     "config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator 'SCMP_CMP_FOO'"},
    {CFG_LINUX("'personality': {'domain': 'BSD'}"),
     "config.json: linux.personality.domain: unknown domain 'BSD'"},
};

static void
test_errors(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
        struct vsl_error err = {0};
        struct vsl_spec *s = SENTINEL;
        int r = parse_q(error_cases[i].json, &s, &err);

        ok(r == -EINVAL && err.code == -EINVAL && s == SENTINEL, "error case %zu fails", i);
        like(err.msg, error_cases[i].want, nm("error case %zu: message", i));
    }
}

static void
test_lenient(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s = NULL;
    int r;

    /* Unknown members anywhere and nulls for absent members are accepted, as by runc. */
    r = parse_q(
        "{'ociVersion': '1.1.0', 'platform': {'os': 'linux'}, 'vm': {'x': 1},"
        " 'process': {'args': ['sh'], 'cwd': '/', 'ioPriority': {'class': 'IOPRIO_CLASS_RT'},"
        "  'user': {'uid': 5, 'extra': true}, 'capabilities': null, 'env': null},"
        " 'mounts': [{'destination': '/tmp', 'type': 'tmpfs', 'future': [1, 2]}],"
        " 'linux': {'intelRdt': {}, 'seccomp': null, 'resources': {'memory': {'x': 1}},"
        "  'rootfsPropagation': '', 'namespaces': [{'type': 'mount', 'path': ''}]}}",
        &s, &err);
    if (!ok(r == 0, "unknown fields and nulls ignored"))
        printf("#   %s\n", err.msg);
    else {
        ok(s->process.uid == 5 && !s->process.caps.present && s->process.env.n == 0,
           "lenient: values kept, nulls absent");
        ok(s->linux_.namespaces[VSL_NS_MOUNT].present && !s->linux_.namespaces[VSL_NS_MOUNT].path,
           "lenient: empty namespace path means create");
        ok(!s->linux_.seccomp && s->linux_.rootfs_propagation == 0, "lenient: empty propagation");
        ok(!s->root_path && s->has_linux, "lenient: root optional");
    }
    vsl_spec_free(s);
    s = NULL;
    /* A "\u0000" of the config's own would make the big-number mark ambiguous: refused. */
    r = parse_q("{'ociVersion': '1.0.0', 'x': '\\u0000', 'y': 18446744073709551615}", &s, &err);
    ok(r < 0 && s == NULL, "NUL escape next to a 64-bit number is refused");
    r = parse_q("{'ociVersion': '1.0.0', 'hostname': '\\u0000'}", &s, &err);
    ok(r < 0 && s == NULL, "NUL escape in a string is refused");
    r = parse_q(CFG("'hostname': 9223372036854775808"), &s, &err);
    ok(r < 0 && strstr(err.msg, "hostname: expected a string"), "big number is not a string");
    r = parse_q(CFG_PROC("'args': ['sh'], 'cwd': '/', 'oomScoreAdj': 9223372036854775808"), &s,
                &err);
    like(err.msg, "process.oomScoreAdj: expected a 32-bit integer", "big number is not signed");
    vsl_spec_free(NULL);
    ok(1, "vsl_spec_free(NULL) is a no-op");
}

static void
test_env_annotations(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s = NULL;

    if (vsl_spec_new_default(false, &s, &err) < 0)
        return;
    is_int(vsl_spec_setenv(s, "TERM=vt100"), 0, "setenv replaces");
    is_str(vsl_spec_getenv(s, "TERM"), "vt100", "getenv sees the new value");
    is_int(s->process.env.n, 2, "replacing does not grow env");
    is_int(vsl_spec_setenv(s, "FOO=a=b"), 0, "setenv appends");
    is_str(vsl_spec_getenv(s, "FOO"), "a=b", "value may contain '='");
    ok(vsl_spec_getenv(s, "FO") == NULL && vsl_spec_getenv(s, "TERMX") == NULL,
       "getenv matches whole keys only");
    (void)vsl_strv_push(&s->process.env, "TERM=dup");
    is_int(vsl_spec_setenv(s, "TERM=linux"), 0, "setenv with a duplicate");
    is_int(s->process.env.n, 3, "duplicates dropped");
    ok(s->process.env.v[s->process.env.n] == NULL, "env stays NULL-terminated");
    is_int(vsl_spec_setenv(s, "NOEQUALS"), -EINVAL, "setenv without '=' refused");
    is_int(vsl_spec_setenv(s, "=x"), -EINVAL, "setenv with an empty key refused");

    is_int(vsl_spec_set_annotation(s, VSL_ANN_PARTITION, "2"), 0, "set annotation");
    is_int(vsl_spec_set_annotation(s, VSL_ANN_PARTITION, "3"), 0, "set annotation again");
    is_str(vsl_spec_get_annotation(s, VSL_ANN_PARTITION), "3", "annotation replaced");
    is_int(s->n_annotations, 1, "one annotation");
    (void)vsl_spec_set_annotation(s, "b", "x");
    is_int(vsl_spec_set_annotation(s, VSL_ANN_PARTITION, NULL), 0, "NULL value removes");
    ok(vsl_spec_get_annotation(s, VSL_ANN_PARTITION) == NULL && s->n_annotations == 1 &&
           strcmp(s->annotations[0].key, "b") == 0,
       "annotation removed, others kept");
    vsl_spec_free(s);
}

static void
test_mount_builders(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s = NULL;
    const struct vsl_mount *m;
    size_t n;

    if (vsl_spec_new_default(false, &s, &err) < 0)
        return;
    n = s->n_mounts;
    is_int(vsl_spec_add_mount(s, "/data", NULL, "/srv", "rbind,ro,,rprivate", &err), 0,
           "add_mount");
    m = &s->mounts[n];
    ok(s->n_mounts == n + 1 && m->bind && m->recursive && (m->flags & MS_RDONLY) &&
           m->propagation == (MS_PRIVATE | MS_REC) && m->options.n == 3 && !m->type,
       "added mount derived from options");
    is_int(vsl_spec_add_mount(s, "", "tmpfs", NULL, NULL, &err), -EINVAL, "empty destination");
    like(err.msg, "empty destination", "empty destination message");
    is_int(vsl_spec_remove_mount(s, "/dev/shm/"), 1, "remove_mount by destination");
    ok(find_mount(s, "/dev/shm") == NULL && s->n_mounts == n, "mount gone");
    is_int(vsl_spec_remove_mount(s, "/nope"), 0, "remove_mount of nothing");
    vsl_spec_free(s);
}

static void
test_resolve_root(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s = NULL;
    char cwd[4096], want[4200];

    if (vsl_spec_new_default(false, &s, &err) < 0)
        return;
    is_int(vsl_spec_resolve_root(s, "/var/lib/b1/", &err), 0, "resolve_root");
    is_str(s->root_path, "/var/lib/b1/rootfs", "relative root joined to the bundle");
    is_int(vsl_spec_resolve_root(s, "/elsewhere", &err), 0, "resolve_root again");
    is_str(s->root_path, "/var/lib/b1/rootfs", "absolute root left alone");
    free(s->root_path);
    s->root_path = strdup("./a/../rootfs/");
    (void)vsl_spec_resolve_root(s, "bundle", &err);
    if (getcwd(cwd, sizeof(cwd)))
        (void)snprintf(want, sizeof(want), "%s/bundle/rootfs", strcmp(cwd, "/") ? cwd : "");
    is_str(s->root_path, want, "relative bundle made absolute and cleaned");
    vsl_spec_free(s);
}

/* Write text over path (a file mkstemp made): true when all of it was written. */
static bool
write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    bool done = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

    if (fd >= 0)
        close(fd);
    return done;
}

static void
test_load(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s = NULL;
    char path[] = "/tmp/vessel-test-spec-XXXXXX";
    char *json = q(CFG("'hostname': 'loaded'"));
    int fd = mkstemp(path);

    if (fd >= 0)
        close(fd);
    ok(fd >= 0 && write_text(path, json), "write temp config");
    is_int(vsl_spec_load(path, &s, &err), 0, "load config file");
    is_str(s ? s->hostname : NULL, "loaded", "loaded hostname");
    vsl_spec_free(s);
    s = SENTINEL;
    is_int(vsl_spec_load("/nonexistent/config.json", &s, &err), -ENOENT, "load missing file");
    like(err.msg, "open '/nonexistent/config.json': ", "missing file message");
    is_int(vsl_spec_load("/tmp", &s, &err), -EINVAL, "load a directory");
    ok(s == SENTINEL, "ret_spec untouched on failure");
    (void)unlink(path);
    free(json);
}

/* Load root_json's config from path and resolve its root against /srv/b: is the text kept? */
static bool
source_kept(const char *path, const char *root_json, const char *name)
{
    struct vsl_error err = {0};
    struct vsl_spec *s = NULL;
    char *json = q(root_json);
    bool kept = false;

    ok(write_text(path, json), "write temp config: %s", name);
    if (vsl_spec_load(path, &s, &err) == 0 && vsl_spec_resolve_root(s, "/srv/b", &err) == 0)
        kept = s->source && strcmp(s->source, json) == 0;
    else
        ok(0, "load and resolve: %s", err.msg);
    vsl_spec_free(s);
    free(json);
    return kept;
}

/* vsl_spec_load keeps the text for the state's config.json while the spec still says it. */
static void
test_source(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s = NULL;
    char path[] = "/tmp/vessel-test-spec-XXXXXX";
    int fd = mkstemp(path);

    if (fd >= 0)
        close(fd);
    ok(source_kept(path, CFG("'root': {'path': '/srv/b/rootfs'}, 'hostname': 'h'"), "clean"),
       "an absolute, clean root keeps the text");
    ok(!source_kept(path, CFG("'root': {'path': 'rootfs'}"), "relative"),
       "a resolved relative root drops the text");
    ok(!source_kept(path, CFG("'root': {'path': '/srv//b/./rootfs'}"), "unclean"),
       "a cleaned absolute root drops the text");
    if (vsl_spec_load(path, &s, &err) == 0) {
        ok(s->source != NULL, "loaded: the text is there");
        is_int(vsl_spec_set_annotation(s, "k", "v"), 0, "set an annotation");
        ok(s->source == NULL, "a builder's change drops the text");
    }
    vsl_spec_free(s);
    (void)unlink(path);
}

static void
test_names(void)
{
    is_int(vsl_ns_from_name("network"), VSL_NS_NET, "ns name -> kind");
    is_str(vsl_ns_name(VSL_NS_TIME), "time", "ns kind -> name");
    is_int(vsl_ns_from_name("net"), -EINVAL, "'net' is not an OCI name");
    ok(vsl_ns_name(VSL_NS__COUNT) == NULL, "ns out of range");
    is_int(vsl_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40, "CAP_CHECKPOINT_RESTORE = 40");
    is_str(vsl_cap_name(21), "CAP_SYS_ADMIN", "cap 21 name");
    ok(vsl_cap_name(41) == NULL && vsl_cap_from_name("SYS_ADMIN") < 0, "cap table bounds");
    is_int(vsl_rlimit_from_name("RLIMIT_RTTIME"), RLIMIT_RTTIME, "rlimit name -> number");
    is_str(vsl_rlimit_name(RLIMIT_MEMLOCK), "RLIMIT_MEMLOCK", "rlimit number -> name");
    is_str(vsl_propagation_name(MS_SHARED | MS_REC), "rshared", "propagation name");
    is_str(vsl_seccomp_op_name(VSL_SCMP_GE), "SCMP_CMP_GE", "seccomp op name");
    is_str(vsl_hook_name(VSL_HOOK_START_CONTAINER), "startContainer", "hook name");
}

static void
test_serialize_errors(void)
{
    struct vsl_error err = {0};
    struct vsl_spec *s = calloc(1, sizeof(*s));
    char *json = NULL;

    /* A spec built by hand: ociVersion filled in, bad values refused rather than dropped. */
    s->has_linux = true;
    s->linux_.rootfs_propagation = MS_SHARED | MS_SLAVE;
    is_int(vsl_spec_to_json(s, &json, &err), -EINVAL, "bad propagation flags refused");
    like(err.msg, "linux.rootfsPropagation", "bad propagation message");
    s->linux_.rootfs_propagation = 0;
    s->hostname = strdup("caf\xe9");
    is_int(vsl_spec_to_json(s, &json, &err), -EILSEQ, "invalid UTF-8 refused");
    free(s->hostname);
    s->hostname = strdup("caf\xc3\xa9");
    is_int(vsl_spec_to_json(s, &json, &err), 0, "UTF-8 accepted");
    like(json, "\"ociVersion\": \"" VSL_OCI_VERSION "\"", "missing ociVersion filled in");
    free(json);
    vsl_spec_free(s);
}

int
main(void)
{
    test_full();
    test_default();
    test_rootless();
    test_errors();
    test_lenient();
    test_env_annotations();
    test_mount_builders();
    test_resolve_root();
    test_load();
    test_source();
    test_names();
    test_serialize_errors();
    return done_testing();
}
