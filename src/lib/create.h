/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The steps `create`, `run` (foreground and -d) share: make the state directory with config.json
 * (and exec.fifo for `create`), launch the init up to CHILD_READY with the hook step, record it
 * as "created".
 */
#pragma once

#include <stdbool.h>

struct vsl_container;
struct vsl_ctx;
struct vsl_error;
struct vsl_spec;

/* Create <root>/<id> (locked) with config.json, and exec.fifo when another command (`start`)
 * will start the init, and fill ctx for a launch. */
int vsl_create_prepare(const struct vsl_spec *spec, const char *root, const char *id,
                       const char *bundle, bool fifo, struct vsl_ctx *ctx,
                       struct vsl_container **ret_c, struct vsl_error *err);
/* Launch and record the init: state.json says "created" on success. */
int vsl_create_launch(struct vsl_ctx *ctx, struct vsl_container *c, struct vsl_error *err);
/* Start a created container whose init is ctx->pid (run's path): START, exec.fifo when there is
 * one (else the init's exec), "running",
 * poststart hooks (a failing poststart hook is only a warning: returns 1 with err set). */
int vsl_create_start(struct vsl_ctx *ctx, struct vsl_container *c, struct vsl_error *err);
/* poststop hooks with the container's state; 1 with err set when one failed (a warning). */
int vsl_run_poststop(struct vsl_container *c, const struct vsl_spec *spec, struct vsl_error *err);
