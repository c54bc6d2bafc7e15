/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The foreground parent's loop: relay the terminal (raw mode, window size, SIGWINCH), forward
 * signals to the container's init, and wait for it to exit.
 */
#pragma once

#include <signal.h>

struct vsl_ctx;
struct vsl_error;

/* The signals vessel forwards; block them before clone (io_block_signals) so none is lost. */
int io_block_signals(sigset_t *ret_old, struct vsl_error *err);
/* Drop forwarded signals still pending (they were meant for the container) and restore. */
void io_unblock_signals(const sigset_t *old);
/* Wait for ctx->pid (via ctx->pidfd), relaying ctx->pty_master when set. *ret_status is the
 * wait status. Restores the terminal mode it changed. */
int io_wait(struct vsl_ctx *ctx, int *ret_status, struct vsl_error *err);
/* Copy the caller's window size (fd 0, else 1) onto the pty master. */
void io_copy_winsize(int master);
