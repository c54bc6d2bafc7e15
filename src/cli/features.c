// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel features` (runtime-spec features.md): what this build really implements, as JSON, so
 * callers (containerd, CRI-O) can check before they ask. Only what works is listed.
 */
#include "cli.h"

static const char features_json[] =
    "{\n"
    "  \"ociVersionMin\": \"1.0.0\",\n"
    "  \"ociVersionMax\": \"" VSL_OCI_VERSION "\",\n"
    "  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", \"startContainer\",\n"
    "            \"poststart\", \"poststop\"],\n"
    "  \"mountOptions\": [\"async\", \"atime\", \"bind\", \"defaults\", \"dev\", \"diratime\",\n"
    "                   \"dirsync\", \"exec\", \"iversion\", \"lazytime\", \"loud\", \"mand\",\n"
    "                   \"noatime\", \"nodev\", \"nodiratime\", \"noexec\", \"noiversion\",\n"
    "                   \"nolazytime\", \"nomand\", \"norelatime\", \"nostrictatime\", "
    "\"nosuid\",\n"
    "                   \"private\", \"rbind\", \"relatime\", \"remount\", \"ro\", \"rprivate\",\n"
    "                   \"rro\", \"rrw\", \"rshared\", \"rslave\", \"runbindable\", \"rw\",\n"
    "                   \"shared\", \"silent\", \"slave\", \"strictatime\", \"suid\", \"sync\",\n"
    "                   \"unbindable\"],\n"
    "  \"linux\": {\n"
    "    \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", \"time\", "
    "\"user\",\n"
    "                   \"uts\"],\n"
    "    \"capabilities\": [\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_DAC_READ_SEARCH\",\n"
    "      \"CAP_FOWNER\", \"CAP_FSETID\", \"CAP_KILL\", \"CAP_SETGID\", \"CAP_SETUID\",\n"
    "      \"CAP_SETPCAP\", \"CAP_LINUX_IMMUTABLE\", \"CAP_NET_BIND_SERVICE\",\n"
    "      \"CAP_NET_BROADCAST\", \"CAP_NET_ADMIN\", \"CAP_NET_RAW\", \"CAP_IPC_LOCK\",\n"
    "      \"CAP_IPC_OWNER\", \"CAP_SYS_MODULE\", \"CAP_SYS_RAWIO\", \"CAP_SYS_CHROOT\",\n"
    "      \"CAP_SYS_PTRACE\", \"CAP_SYS_PACCT\", \"CAP_SYS_ADMIN\", \"CAP_SYS_BOOT\",\n"
    "      \"CAP_SYS_NICE\", \"CAP_SYS_RESOURCE\", \"CAP_SYS_TIME\", \"CAP_SYS_TTY_CONFIG\",\n"
    "      \"CAP_MKNOD\", \"CAP_LEASE\", \"CAP_AUDIT_WRITE\", \"CAP_AUDIT_CONTROL\",\n"
    "      \"CAP_SETFCAP\", \"CAP_MAC_OVERRIDE\", \"CAP_MAC_ADMIN\", \"CAP_SYSLOG\",\n"
    "      \"CAP_WAKE_ALARM\", \"CAP_BLOCK_SUSPEND\", \"CAP_AUDIT_READ\", \"CAP_PERFMON\",\n"
    "      \"CAP_BPF\", \"CAP_CHECKPOINT_RESTORE\"],\n"
    "    \"cgroup\": {\"v1\": true, \"v2\": true, \"systemd\": true, \"systemdUser\": true,\n"
    "               \"rdma\": false},\n"
    "    \"seccomp\": {\n"
    "      \"enabled\": true,\n"
    "      \"actions\": [\"SCMP_ACT_ALLOW\", \"SCMP_ACT_ERRNO\", \"SCMP_ACT_KILL\",\n"
    "                  \"SCMP_ACT_KILL_PROCESS\", \"SCMP_ACT_KILL_THREAD\", \"SCMP_ACT_LOG\",\n"
    "                  \"SCMP_ACT_NOTIFY\", \"SCMP_ACT_TRACE\", \"SCMP_ACT_TRAP\"],\n"
    "      \"operators\": [\"SCMP_CMP_EQ\", \"SCMP_CMP_GE\", \"SCMP_CMP_GT\", \"SCMP_CMP_LE\",\n"
    "                    \"SCMP_CMP_LT\", \"SCMP_CMP_MASKED_EQ\", \"SCMP_CMP_NE\"],\n"
    "      \"archs\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X32\"]\n"
    "    },\n"
    "    \"apparmor\": {\"enabled\": false},\n"
    "    \"selinux\": {\"enabled\": false},\n"
    "    \"intelRdt\": {\"enabled\": false},\n"
    "    \"mountExtensions\": {\"idmap\": {\"enabled\": false}}\n"
    "  },\n"
    "  \"annotations\": {\n"
    "    \"io.github.vessel.version\": \"" VSL_VERSION "\"\n"
    "  }\n"
    "}\n";

int
cmd_features(int argc, char **argv, const struct cli_globals *g)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs("Usage: vessel features\n\nPrint what this runtime implements (OCI features "
              "JSON).\n",
              stdout);
        return 0;
    }
    if (argc > 1)
        return cli_error("features: takes no arguments");
    fputs(features_json, stdout);
    return 0;
}
