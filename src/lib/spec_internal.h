/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to libvessel: the name tables that map OCI spellings to kernel numbers (capabilities,
 * rlimits, propagation, seccomp operators, hooks), shared by the parser, the serializer and the
 * stages, plus the JSON helpers the parser files (spec.c, spec_linux.c) share. Parser errors name
 * the file and the JSON path of the offending value: "config.json: process.args: required".
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vessel/vessel.h>

/* ---- name tables (spec_names.c) ---- */

#define VSL_CAP_LAST 40 /* CAP_CHECKPOINT_RESTORE */

/* "CAP_SYS_ADMIN" (case-insensitive) -> 21; -EINVAL when unknown. */
int vsl_cap_from_name(const char *name);
/* 21 -> "CAP_SYS_ADMIN"; NULL outside 0..VSL_CAP_LAST. */
const char *vsl_cap_name(int cap);
/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -EINVAL when unknown. */
int vsl_rlimit_from_name(const char *name);
/* RLIMIT_NOFILE -> "RLIMIT_NOFILE"; NULL when unknown. */
const char *vsl_rlimit_name(int resource);
/* "rslave" -> MS_SLAVE | MS_REC; -EINVAL when unknown ("" is not a name here). */
int vsl_propagation_from_name(const char *name, unsigned long *ret_flags);
/* MS_SLAVE | MS_REC -> "rslave"; NULL when flags is not exactly one propagation. */
const char *vsl_propagation_name(unsigned long flags);
/* "SCMP_CMP_EQ" -> VSL_SCMP_EQ; -EINVAL when unknown. */
int vsl_seccomp_op_from_name(const char *name);
const char *vsl_seccomp_op_name(enum vsl_seccomp_op op);
/* VSL_HOOK_CREATE_RUNTIME -> "createRuntime". */
const char *vsl_hook_name(enum vsl_hook_kind kind);

/* ---- parser helpers (spec.c), for spec_linux.c ---- */

#define SP_PATH_MAX 256

struct sp_ctx {
    const char *name; /* file label, the message prefix */
    struct vsl_error *err;
};

/* Child paths: "linux" + "namespaces" -> "linux.namespaces"; + 2 -> "linux.namespaces[2]". */
const char *sp_key(char buf[SP_PATH_MAX], const char *path, const char *key);
const char *sp_idx(char buf[SP_PATH_MAX], const char *path, size_t i);

/* "<name>: <path>: <message>", -EINVAL. */
__attribute__((format(printf, 3, 4))) int sp_fail(const struct sp_ctx *c, const char *path,
                                                  const char *fmt, ...);
int sp_oom(const struct sp_ctx *c);

/* A member, or NULL when absent or JSON null (Go's decoder treats both alike; so do we). */
json_t *sp_get(json_t *obj, const char *key);

/* Typed members of obj at path. They return 1 when the member was present (and *ret written), 0
 * when absent (a "required" member is an error instead), or -errno. */
int sp_object(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, json_t **ret);
int sp_array(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, json_t **ret);
int sp_string(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, bool required,
              char **ret);
int sp_bool(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, bool *ret);
int sp_u64(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, uint64_t max,
           bool required, uint64_t *ret);
int sp_i64(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, int64_t min,
           int64_t max, bool required, int64_t *ret);
int sp_opt_u64(const struct sp_ctx *c, json_t *obj, const char *path, const char *key, uint64_t max,
               struct vsl_opt_u64 *ret);
int sp_opt_i64(const struct sp_ctx *c, json_t *obj, const char *path, const char *key,
               struct vsl_opt_i64 *ret);
int sp_strv(const struct sp_ctx *c, json_t *obj, const char *path, const char *key,
            struct vsl_strv *ret);
/* An object of strings ("annotations", "linux.sysctl"). */
int sp_kv(const struct sp_ctx *c, json_t *obj, const char *path, const char *key,
          struct vsl_kv **ret, size_t *ret_n);
int sp_idmaps(const struct sp_ctx *c, json_t *obj, const char *path, const char *key,
              struct vsl_idmap **ret, size_t *ret_n);
/* Zeroed storage for the n elements of a JSON array (NULL when n is 0). */
int sp_calloc(const struct sp_ctx *c, size_t n, size_t size, void **ret);

/* The "linux" section (spec_linux.c). */
int sp_linux(const struct sp_ctx *c, json_t *obj, struct vsl_linux *l);

/* ---- shared by the parser, the serializer and the builders ---- */

/* Numbers above INT64_MAX do not fit jansson's json_int_t: the parser rewrites them into strings
 * that start with a NUL byte (which no accepted string may contain) and the serializer turns such
 * strings back into bare numbers. */
#define SP_BIGNUM_MARK '\0'

/* Free what these own and zero them (spec_build.c). */
void vsl_mount_clear(struct vsl_mount *m);
void vsl_resources_clear(struct vsl_resources *rs);
void vsl_linux_clear(struct vsl_linux *l);
