// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The default config.json `vessel spec` writes: runc's example spec (`runc spec`), hostname
 * "vessel". It is kept as JSON text and read with the same parser, so the default is a config
 * anyone can diff against runc's. --rootless then changes it as `runc spec --rootless` does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "spec_internal.h"

static const char default_json[] =
    "{"
    "  \"ociVersion\": \"" VSL_OCI_VERSION "\","
    "  \"process\": {"
    "    \"terminal\": true,"
    "    \"user\": {\"uid\": 0, \"gid\": 0},"
    "    \"args\": [\"sh\"],"
    "    \"env\": ["
    "      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
    "      \"TERM=xterm\""
    "    ],"
    "    \"cwd\": \"/\","
    "    \"capabilities\": {"
    "      \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
    "      \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
    "      \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]"
    "    },"
    "    \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],"
    "    \"noNewPrivileges\": true"
    "  },"
    "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
    "  \"hostname\": \"vessel\","
    "  \"mounts\": ["
    "    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
    "    {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
    "     \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
    "    {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
    "     \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\","
    "                 \"gid=5\"]},"
    "    {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\","
    "     \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},"
    "    {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\","
    "     \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},"
    "    {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
    "     \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},"
    "    {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\","
    "     \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}"
    "  ],"
    "  \"linux\": {"
    "    \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},"
    "    \"namespaces\": ["
    "      {\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
    "      {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"}"
    "    ],"
    "    \"maskedPaths\": ["
    "      \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\","
    "      \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\","
    "      \"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\","
    "      \"/sys/devices/virtual/powercap\""
    "    ],"
    "    \"readonlyPaths\": ["
    "      \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\""
    "    ]"
    "  }"
    "}";

static int
set_id_mapping(struct vsl_idmap **maps, size_t *n, uint32_t host_id)
{
    struct vsl_idmap *m = calloc(1, sizeof(*m));

    if (!m)
        return -ENOMEM;
    *m = (struct vsl_idmap){.container_id = 0, .host_id = host_id, .size = 1};
    free(*maps);
    *maps = m;
    *n = 1;
    return 0;
}

/* Mount options naming a host uid or gid mean nothing with a one-id mapping. */
static void
drop_id_options(struct vsl_mount *m)
{
    for (size_t i = 0; i < m->options.n;) {
        const char *o = m->options.v[i];

        if (strncmp(o, "uid=", 4) != 0 && strncmp(o, "gid=", 4) != 0) {
            i++;
            continue;
        }
        free(m->options.v[i]);
        memmove(&m->options.v[i], &m->options.v[i + 1], (m->options.n - i) * sizeof(char *));
        m->options.n--;
    }
}

/* What `runc spec --rootless` changes: a user namespace mapping the caller to root, no network
 * namespace (an unprivileged user cannot configure one), /sys bind-mounted from the host (sysfs
 * cannot be mounted without owning the network namespace), no uid=/gid= mount options and no
 * cgroup resources. The cgroup namespace goes too: on cgroup v1, which our hosts run, runc's
 * example never has one. */
static int
make_rootless(struct vsl_spec *s, struct vsl_error *err)
{
    struct vsl_linux *l = &s->linux_;
    int r;

    l->namespaces[VSL_NS_NET].present = false;
    l->namespaces[VSL_NS_CGROUP].present = false;
    l->namespaces[VSL_NS_USER].present = true;
    if (set_id_mapping(&l->uid_mappings, &l->n_uid_mappings, (uint32_t)geteuid()) < 0 ||
        set_id_mapping(&l->gid_mappings, &l->n_gid_mappings, (uint32_t)getegid()) < 0)
        return vsl_err(err, ENOMEM, "default spec: out of memory");
    for (size_t i = 0; i < s->n_mounts; i++) {
        drop_id_options(&s->mounts[i]);
        r = vsl_mount_parse_options(&s->mounts[i], err);
        if (r < 0)
            return r;
    }
    /* The bind replaces the sysfs entry in place, so the mount order stays runc's. */
    for (size_t i = 0; i < s->n_mounts; i++) {
        if (strcmp(s->mounts[i].destination, "/sys") != 0)
            continue;
        r = vsl_spec_add_mount(s, "/sys", "none", "/sys", "rbind,nosuid,noexec,nodev,ro", err);
        if (r < 0)
            return r;
        vsl_mount_clear(&s->mounts[i]);
        s->mounts[i] = s->mounts[--s->n_mounts];
        break;
    }
    l->has_resources = false;
    vsl_resources_clear(&l->resources);
    return 0;
}

int
vsl_spec_new_default(bool rootless, struct vsl_spec **ret_spec, struct vsl_error *err)
{
    struct vsl_spec *s = NULL;
    int r;

    r = vsl_spec_parse(default_json, sizeof(default_json) - 1, "default spec", &s, err);
    if (r < 0)
        return r;
    if (rootless) {
        r = make_rootless(s, err);
        if (r < 0) {
            vsl_spec_free(s);
            return r;
        }
    }
    *ret_spec = s;
    return 0;
}
