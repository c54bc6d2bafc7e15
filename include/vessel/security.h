/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Security profiles front ends put into a spec: the built-in seccomp profile `vessel run` applies
 * (modelled on moby's default), loading an OCI or docker-format seccomp profile from a file,
 * adding syscalls to one.
 * They only build spec data (struct vsl_seccomp): the seccomp stage compiles and loads it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The Landlock policy of a container (stage landlock): compact JSON,
 * {"ro": [PATH...], "rw": [PATH...], "tcp_bind": [PORT...], "tcp_connect": [PORT...]} */
#define VSL_ANN_LANDLOCK "run.vessel.landlock"

struct vsl_error;
struct vsl_seccomp;
struct vsl_spec;

/* The default profile for a process with these capabilities (bit n = CAP n, the bounding set):
 * an allowlist, with the syscalls a capability unlocks added only when it is held. */
int vsl_seccomp_default(uint64_t caps, struct vsl_seccomp **ret_profile, struct vsl_error *err);
/* Read an OCI linux.seccomp object (config-linux.md) from a JSON file. */
int vsl_seccomp_load(const char *path, struct vsl_seccomp **ret_profile, struct vsl_error *err);
/* Read a profile file for a container whose bounding set is `caps`: a docker/moby profile
 * ("archMap", rules with "includes"/"excludes") is resolved as moby does for this architecture, the
 * running kernel and those capabilities; any other file is read by vsl_seccomp_load(). */
int vsl_seccomp_load_profile(const char *path, uint64_t caps, struct vsl_seccomp **ret_profile,
                             struct vsl_error *err);
/* Allow one more syscall, by name or by number on this architecture. */
int vsl_seccomp_allow(struct vsl_seccomp *profile, const char *syscall, struct vsl_error *err);
/* Does the profile let every call of this syscall through: allowed by default or by a rule without
 * conditions, and named by no rule with another action. */
int vsl_seccomp_allows(const struct vsl_seccomp *profile, const char *syscall);
void vsl_seccomp_free(struct vsl_seccomp *profile);

/* CVE-2019-5736: re-execute vessel from a copy nobody can write (a private read-only overlay of its
 * directory, else a sealed memfd) unless this already is one. state_root holds the overlay's empty
 * second layer. Returns 0 when running from the copy; does not return on success otherwise. */
int vsl_selfclone(char **argv, const char *state_root, struct vsl_error *err);
/* Can this container's init execute its process through vessel's sealed exec trampoline, with
 * nothing in the container ever reaching the host's binary and nothing else changed? */
bool vsl_dmz_usable(const struct vsl_spec *spec);
/* Before `run` or `create` of spec: ready the sealed trampoline when it fits (vsl_dmz_fd() then
 * gives it to the launch), else vsl_selfclone(). Returns 0 unless the re-execution failed. */
int vsl_seal_for(char **argv, const char *state_root, const struct vsl_spec *spec,
                 struct vsl_error *err);
/* The trampoline's sealed memfd, or < 0 when this process does not use one. */
int vsl_dmz_fd(void);

/* ---- subordinate ids (src/lib/idmap.c) ---- */

struct vsl_subid {
    uint32_t start;
    uint32_t count;
};

/* The ranges of user `name` (or of its uid, written numerically) in a subuid/subgid file; a
 * missing file or user gives 0 ranges. Returns the number found (at most max). */
int vsl_subid_read(const char *file, const char *name, uint32_t uid, struct vsl_subid *ret,
                   size_t max, struct vsl_error *err);
/*
 * --userns=auto: take a free block of `size` ids in both range lists for the container whose
 * foreground `vessel run` is `owner`. Records live in dir (one file per block, "<uid>:<gid>",
 * holding the owner's pid and start time) under dir/lock (flock); a block whose owner is gone is
 * free again, so nothing is removed when a container ends.
 */
int vsl_idmap_allocate(const char *dir, const struct vsl_subid *uids, size_t n_uids,
                       const struct vsl_subid *gids, size_t n_gids, uint32_t size, pid_t owner,
                       uint32_t *ret_uid, uint32_t *ret_gid, struct vsl_error *err);
/* Start time of a process (field 22 of /proc/PID/stat), 0 when it is gone. */
unsigned long long vsl_proc_starttime(pid_t pid);
