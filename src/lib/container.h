/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's state under the state root: <root>/<id>/ holds state.json (written atomically),
 * config.json (the spec it was created from, for exec), exec.fifo (until start) and is locked with
 * flock while a command works on the container.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include <vessel/vessel.h>

struct vsl_error;
struct vsl_spec;
struct json_t;

struct vsl_container {
    char *id;
    char *root; /* state root */
    char *dir;  /* <root>/<id> */
    int dirfd;
    int lockfd;
    char *bundle;
    pid_t pid;
    unsigned long long start_time; /* field 22 of /proc/PID/stat */
    char status[16];               /* creating, created, running, stopped, paused */
    char created[64];              /* RFC 3339, set once */
    char *cgroup_path;             /* the container's cgroup, NULL when it has none */
    struct json_t *annotations;    /* kept from state.json when saved without a spec */
};

/* Create <root>/<id> exclusively and lock it: a busy name fails with -EEXIST and a message. */
int vsl_container_create(const char *root, const char *id, struct vsl_container **ret,
                         struct vsl_error *err);
/* Open an existing container and read state.json; with lock, hold its flock until freed.
 * A missing container fails with -ENOENT: "container 'x' does not exist". */
int vsl_container_open(const char *root, const char *id, bool lock, struct vsl_container **ret,
                       struct vsl_error *err);
/* Write state.json atomically (temp file + rename); spec NULL keeps the annotations read. */
int vsl_container_save(struct vsl_container *c, const struct vsl_spec *spec, struct vsl_error *err);
/* The state JSON: full (state.json's, compact) or the OCI object `state` prints (pretty). */
int vsl_container_state_text(struct vsl_container *c, const struct vsl_spec *spec, bool full,
                             char **ret);
/* Derive the status from what is alive now (init pid + start time, exec.fifo, frozen cgroup)
 * into c->status, and return it. */
const char *vsl_container_refresh(struct vsl_container *c);
/* A pidfd for the init, only when the pid still is the init (start time checked): -ESRCH else. */
int vsl_container_pidfd(struct vsl_container *c, struct vsl_error *err);
/* Wait up to timeout_ms for the init to be gone (pidfd readable). */
int vsl_container_wait_gone(struct vsl_container *c, int timeout_ms);
/* Remove <root>/<id> and everything in it; frees c. */
void vsl_container_destroy(struct vsl_container *c);
void vsl_container_free(struct vsl_container *c);
/* Start time (clock ticks since boot) of a pid, 0 when it is gone or a zombie. */
unsigned long long vsl_proc_start_time(pid_t pid);
/* ts (CLOCK_REALTIME, not before 1970) as UTC "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (31 bytes). */
void vsl_rfc3339(const struct timespec *ts, char *buf, size_t len);

/* exec.fifo: make it and return an O_PATH fd (create); open it for reading and wait until the
 * init writes its byte, or fail when the init dies first (start, run). */
int vsl_fifo_make(struct vsl_container *c, int *ret_fd, struct vsl_error *err);
int vsl_fifo_start(struct vsl_container *c, int pidfd, struct vsl_error *err);
