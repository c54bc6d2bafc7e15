/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's state under the state root: <root>/<id>/ holds state.json (written atomically)
 * and is locked with flock while a command works on the container.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct vsl_error;

struct vsl_container {
    char *id;
    char *root;      /* state root */
    char *dir;       /* <root>/<id> */
    int dirfd;
    int lockfd;
    char *bundle;
    pid_t pid;
    unsigned long long start_time; /* field 22 of /proc/PID/stat */
    char status[16];               /* creating, created, running, stopped, paused */
};

bool vsl_container_id_is_valid(const char *id);
/* Make a fresh id: 12 lowercase hex characters. */
void vsl_container_new_id(char ret[13]);
/* Create <root>/<id> exclusively and lock it: a busy name fails with -EEXIST and a message. */
int vsl_container_create(const char *root, const char *id, struct vsl_container **ret,
                         struct vsl_error *err);
/* Write state.json atomically (temp file + rename). */
int vsl_container_save(struct vsl_container *c, const struct vsl_spec *spec,
                       struct vsl_error *err);
/* Remove <root>/<id> and everything in it; frees c. */
void vsl_container_destroy(struct vsl_container *c);
void vsl_container_free(struct vsl_container *c);
/* Start time (clock ticks since boot) of a pid, 0 when it is gone. */
unsigned long long vsl_proc_start_time(pid_t pid);
