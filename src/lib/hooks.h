/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OCI hooks (config.md "POSIX-platform Hooks"): each hook is executed with its args and env, the
 * container's state JSON on stdin, and killed when its timeout passes.
 */
#pragma once

#include <stdbool.h>

#include <vessel/spec.h>

struct vsl_error;

/* Run every hook of one kind in order; stops at the first failure with a message naming it. */
int vsl_hooks_run(const struct vsl_spec *spec, enum vsl_hook_kind kind, const char *state_json,
                  struct vsl_error *err);
bool vsl_hooks_any(const struct vsl_spec *spec, enum vsl_hook_kind kind);
const char *vsl_hook_kind_name(enum vsl_hook_kind kind);
