// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The OCI verbs on an existing container: state, list, kill, delete, pause/resume, ps, update,
 * events. Each opens <root>/<id>, derives the status from what is alive (container.c) and checks
 * the operation is allowed in it (runtime.md "Operations"), with runc's wording where it has one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vessel/vessel.h>

#include "cgroup/cgroup.h"
#include "lib/cleanup.h"
#include "lib/container.h"
#include "lib/create.h"
#include "lib/error.h"

static const char *
root_or_default(const char *root)
{
    return root ? root : VSL_DEFAULT_ROOT;
}

static void
cgroup_freep(struct vsl_cgroup **cg)
{
    if (*cg)
        vsl_cgroup_free(*cg);
}

static void
container_freep(struct vsl_container **c)
{
    vsl_container_free(*c);
}

#define _cleanup_container_ _cleanup_(container_freep)
#define _cleanup_cgroup_ _cleanup_(cgroup_freep)

static int
open_cgroup(struct vsl_container *c, struct vsl_cgroup **ret, struct vsl_error *err)
{
    if (!c->cgroup_path)
        return vsl_err(err, EOPNOTSUPP, "container '%s' has no cgroup of its own", c->id);
    return vsl_cgroup_open(c->cgroup_path, ret, err);
}

int
vsl_state_get(const char *state_root, const char *id, struct vsl_state *ret, struct vsl_error *err)
{
    _cleanup_container_ struct vsl_container *c = NULL;
    int r = vsl_container_open(root_or_default(state_root), id, false, &c, err);

    if (r < 0)
        return r;
    vsl_container_refresh(c);
    memset(ret, 0, sizeof(*ret));
    (void)snprintf(ret->id, sizeof(ret->id), "%s", c->id);
    (void)snprintf(ret->status, sizeof(ret->status), "%s", c->status);
    (void)snprintf(ret->created, sizeof(ret->created), "%s", c->created);
    ret->pid = strcmp(c->status, "stopped") == 0 ? 0 : c->pid;
    ret->bundle = strdup(c->bundle ? c->bundle : "");
    if (!ret->bundle || vsl_container_state_text(c, NULL, false, &ret->json) < 0) {
        vsl_state_clear(ret);
        return vsl_err(err, ENOMEM, "out of memory");
    }
    return 0;
}

void
vsl_state_clear(struct vsl_state *st)
{
    free(st->bundle);
    free(st->json);
    st->bundle = st->json = NULL;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
vsl_list_ids(const char *state_root, char ***ret, size_t *ret_n, struct vsl_error *err)
{
    const char *root = root_or_default(state_root);
    char **v = calloc(1, sizeof(char *));
    size_t n = 0;
    struct dirent *e;

    if (!v)
        return vsl_err(err, ENOMEM, "out of memory");
    DIR *d = opendir(root);
    if (!d && errno != ENOENT) {
        free(v);
        return vsl_err_errno(err, "open state root '%s'", root);
    }
    while (d && (e = readdir(d))) {
        if (e->d_type != DT_DIR || !vsl_container_id_is_valid(e->d_name))
            continue;
        char **nv = realloc(v, (n + 2) * sizeof(char *));
        if (!nv || !(nv[n] = strdup(e->d_name))) {
            v = nv ? nv : v;
            v[n] = NULL;
            freestrvp(&v);
            (void)closedir(d);
            return vsl_err(err, ENOMEM, "out of memory");
        }
        v = nv;
        v[++n] = NULL;
    }
    if (d)
        (void)closedir(d);
    qsort(v, n, sizeof(char *), cmp_str);
    *ret = v;
    *ret_n = n;
    return 0;
}

static int
signal_all(struct vsl_container *c, int sig, struct vsl_error *err)
{
    _cleanup_cgroup_ struct vsl_cgroup *cg = NULL;
    int r = open_cgroup(c, &cg, err);

    if (r < 0)
        return r;
    if ((r = vsl_cgroup_kill(cg, sig, err)) < 0)
        return r;
    /* Frozen tasks take SIGKILL only once thawed (runc thaws after kill --all too). */
    if (sig == SIGKILL && strcmp(c->status, "paused") == 0)
        (void)vsl_cgroup_freeze(cg, false, err);
    return 0;
}

int
vsl_kill(const char *state_root, const char *id, int sig, bool all, struct vsl_error *err)
{
    _cleanup_container_ struct vsl_container *c = NULL;
    int r = vsl_container_open(root_or_default(state_root), id, false, &c, err);

    if (r < 0)
        return r;
    const char *status = vsl_container_refresh(c);
    if (strcmp(status, "stopped") == 0)
        return vsl_err(err, ESRCH, "container '%s' is not running", id);
    if (all && c->cgroup_path)
        return signal_all(c, sig, err);
    _cleanup_close_ int pidfd = vsl_container_pidfd(c, err);
    if (pidfd < 0)
        return pidfd;
    if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0)
        return vsl_err_errno(err, "kill container '%s' (pid %d) with signal %d", id, c->pid, sig);
    if (sig == SIGKILL && strcmp(status, "paused") == 0 && c->cgroup_path) {
        _cleanup_cgroup_ struct vsl_cgroup *cg = NULL;
        if (open_cgroup(c, &cg, err) >= 0)
            (void)vsl_cgroup_freeze(cg, false, err);
    }
    return 0;
}

/* The container's spec as create saved it (NULL when there is none: a create killed early). */
static struct vsl_spec *
saved_spec(struct vsl_container *c)
{
    _cleanup_free_ char *path = NULL;
    struct vsl_spec *spec = NULL;
    struct vsl_error ignored = {0};

    if (asprintf(&path, "%s/config.json", c->dir) < 0)
        return NULL;
    if (vsl_spec_load(path, &spec, &ignored) < 0)
        return NULL;
    return spec;
}

/* Remove the cgroup: the recorded one, or for a create killed before it recorded one, the path
 * the cgroup stage would have used. */
static void
remove_cgroup(struct vsl_container *c, const struct vsl_spec *spec)
{
    _cleanup_cgroup_ struct vsl_cgroup *cg = NULL;
    _cleanup_free_ char *path = NULL;
    struct vsl_error ignored = {0};

    if (!c->cgroup_path && spec &&
        vsl_cgroup_resolve_path(spec->linux_.cgroups_path, c->id,
                                vsl_spec_get_annotation(spec, VSL_ANN_CGROUP_PARENT), false, &path,
                                &ignored) >= 0)
        c->cgroup_path = TAKE_PTR(path);
    if (!c->cgroup_path || vsl_cgroup_open(c->cgroup_path, &cg, &ignored) < 0)
        return;
    (void)vsl_cgroup_freeze(cg, false, &ignored);
    (void)vsl_cgroup_destroy(cg, &ignored);
}

static int
stop_init(struct vsl_container *c, struct vsl_error *err)
{
    _cleanup_close_ int pidfd = vsl_container_pidfd(c, err);

    if (pidfd < 0)
        return 0; /* gone already */
    (void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
    if (strcmp(c->status, "paused") == 0 && c->cgroup_path) {
        _cleanup_cgroup_ struct vsl_cgroup *cg = NULL;
        if (open_cgroup(c, &cg, err) >= 0)
            (void)vsl_cgroup_freeze(cg, false, err);
    }
    if (vsl_container_wait_gone(c, 10000) < 0)
        return vsl_err(err, ETIMEDOUT, "container '%s': the init did not die after SIGKILL", c->id);
    return 0;
}

int
vsl_delete(const char *state_root, const char *id, bool force, struct vsl_error *err)
{
    _cleanup_container_ struct vsl_container *c = NULL;
    int r = vsl_container_open(root_or_default(state_root), id, true, &c, err);

    if (r < 0)
        return r;
    const char *status = vsl_container_refresh(c);
    /* runc deletes a created container without --force: it never ran anything of the user's. */
    if (!force && strcmp(status, "stopped") != 0 && strcmp(status, "created") != 0)
        return vsl_err(err, EBUSY, "cannot delete container '%s' that is not stopped: %s", id,
                       status);
    if ((r = stop_init(c, err)) < 0)
        return r;
    struct vsl_spec *spec = saved_spec(c);
    remove_cgroup(c, spec);
    /* poststop: after the container is deleted, before delete returns; failures only warn. */
    struct vsl_error warn = {0};
    r = vsl_run_poststop(c, spec, &warn);
    if (spec)
        vsl_spec_free(spec);
    vsl_container_destroy(TAKE_PTR(c));
    if (r > 0) {
        *err = warn;
        return 1;
    }
    return 0;
}

int
vsl_pause(const char *state_root, const char *id, bool pause, struct vsl_error *err)
{
    _cleanup_container_ struct vsl_container *c = NULL;
    _cleanup_cgroup_ struct vsl_cgroup *cg = NULL;
    int r = vsl_container_open(root_or_default(state_root), id, true, &c, err);

    if (r < 0)
        return r;
    const char *status = vsl_container_refresh(c);
    if (pause && strcmp(status, "running") != 0 && strcmp(status, "created") != 0)
        return vsl_err(err, EINVAL, "container '%s' is %s: only a running container can be paused",
                       id, status);
    if (!pause && strcmp(status, "paused") != 0)
        return vsl_err(err, EINVAL, "container '%s' is %s: it is not paused", id, status);
    if ((r = open_cgroup(c, &cg, err)) < 0)
        return r;
    return vsl_cgroup_freeze(cg, pause, err);
}

/* Without a cgroup: every process in the init's pid namespace (when it has its own). */
static int
pids_by_ns(struct vsl_container *c, pid_t **ret, size_t *ret_n, struct vsl_error *err)
{
    char path[64], want[64] = "", got[64];
    pid_t *v = NULL;
    size_t n = 0;
    struct dirent *e;

    (void)snprintf(path, sizeof(path), "/proc/%d/ns/pid", c->pid);
    ssize_t len = readlink(path, want, sizeof(want) - 1);
    if (len < 0)
        return vsl_err_errno(err, "readlink '%s'", path);
    want[len] = '\0';
    DIR *d = opendir("/proc");
    if (!d)
        return vsl_err_errno(err, "open '/proc'");
    while ((e = readdir(d))) {
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 0)
            continue;
        (void)snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
        len = readlink(path, got, sizeof(got) - 1);
        if (len < 0)
            continue;
        got[len] = '\0';
        if (strcmp(got, want) != 0)
            continue;
        pid_t *nv = realloc(v, (n + 1) * sizeof(pid_t));
        if (!nv) {
            free(v);
            (void)closedir(d);
            return vsl_err(err, ENOMEM, "out of memory");
        }
        v = nv;
        v[n++] = pid;
    }
    (void)closedir(d);
    *ret = v;
    *ret_n = n;
    return 0;
}

int
vsl_pids(const char *state_root, const char *id, pid_t **ret, size_t *ret_n, struct vsl_error *err)
{
    _cleanup_container_ struct vsl_container *c = NULL;
    _cleanup_cgroup_ struct vsl_cgroup *cg = NULL;
    int r = vsl_container_open(root_or_default(state_root), id, false, &c, err);

    if (r < 0)
        return r;
    if (strcmp(vsl_container_refresh(c), "stopped") == 0)
        return vsl_err(err, ESRCH, "container '%s' is not running", id);
    if (c->cgroup_path && vsl_cgroup_open(c->cgroup_path, &cg, err) >= 0)
        return vsl_cgroup_pids(cg, ret, ret_n, err);
    return pids_by_ns(c, ret, ret_n, err);
}

static int
open_live_cgroup(const char *state_root, const char *id, struct vsl_cgroup **ret,
                 struct vsl_error *err)
{
    _cleanup_container_ struct vsl_container *c = NULL;
    int r = vsl_container_open(root_or_default(state_root), id, false, &c, err);

    if (r < 0)
        return r;
    if (strcmp(vsl_container_refresh(c), "stopped") == 0)
        return vsl_err(err, ESRCH, "container '%s' is not running", id);
    return open_cgroup(c, ret, err);
}

int
vsl_update(const char *state_root, const char *id, const char *resources_json,
           struct vsl_error *err)
{
    _cleanup_cgroup_ struct vsl_cgroup *cg = NULL;
    _cleanup_free_ char *doc = NULL;
    struct vsl_spec *spec = NULL;
    int r;

    /* The spec parser reads linux.resources exactly as config.json spells it. */
    if (asprintf(&doc, "{\"ociVersion\":\"" VSL_OCI_VERSION "\",\"linux\":{\"resources\":%s}}",
                 resources_json) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    if ((r = vsl_spec_parse(doc, strlen(doc), "resources", &spec, err)) < 0)
        return r;
    r = open_live_cgroup(state_root, id, &cg, err);
    if (r >= 0)
        r = vsl_cgroup_set(cg, &spec->linux_.resources, err);
    vsl_spec_free(spec);
    return r;
}

int
vsl_stats_json(const char *state_root, const char *id, char **ret, struct vsl_error *err)
{
    _cleanup_cgroup_ struct vsl_cgroup *cg = NULL;
    json_t *data = NULL;
    int r = open_live_cgroup(state_root, id, &cg, err);

    if (r < 0)
        return r;
    if ((r = vsl_cgroup_stats(cg, &data, err)) < 0)
        return r;
    json_t *ev = json_pack("{s:s, s:s, s:o}", "type", "stats", "id", id, "data", data);
    *ret = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    return *ret ? 0 : vsl_err(err, ENOMEM, "out of memory");
}

int
vsl_oom_count(const char *state_root, const char *id, unsigned long long *ret,
              struct vsl_error *err)
{
    _cleanup_cgroup_ struct vsl_cgroup *cg = NULL;
    uint64_t n = 0;
    int r = open_live_cgroup(state_root, id, &cg, err);

    if (r < 0)
        return r;
    if ((r = vsl_cgroup_oom_kills(cg, &n, err)) < 0)
        return r;
    *ret = n;
    return 0;
}
