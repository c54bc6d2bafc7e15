/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parent/child sync protocol over one socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC).
 * Every message is one packet: a fixed header and a small payload; fds travel with SCM_RIGHTS.
 *
 *   step  direction        message        meaning
 *   1     parent -> child  PARENT_READY   parent_setup done (id maps written, cgroup joined)
 *   2     child  -> parent PTY  + fd      only with process.terminal: the pty master
 *   2a    child  -> parent HOOKS          only with prestart/createRuntime/createContainer hooks:
 *                                         mounts are done, pivot_root is next; the parent runs
 *                                         prestart and createRuntime hooks (runtime namespace)
 *   2b    parent -> child  HOOKS_DONE     payload: the state JSON; the child runs createContainer
 *                                         hooks (container namespaces) and pivots
 *   3     child  -> parent CHILD_READY    every child_setup done; the child waits for START
 *   4     parent -> child  START          run the user's process; with an exec.fifo (create)
 *                                         the child first blocks opening it until `start` reads.
 *                                         `run` without terminal or hooks sends it before step 3,
 *                                         once its own steps are done (ctx->start_early)
 *   5     child            (execve)       the socket is CLOEXEC: EOF after START means exec
 *                                         happened (through the trampoline, which keeps the
 *                                         socket until its own execve)
 *   any   child  -> parent LOG            a line for the parent's log (drained while waiting)
 *   any   child  -> parent ERROR          a struct vsl_error; the child then _exit()s
 *
 * EOF before the expected message means the child died: the caller reports its wait status.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct vsl_error;

enum sync_type {
    SYNC_PARENT_READY = 1,
    SYNC_PTY,
    SYNC_CHILD_READY,
    SYNC_START,
    SYNC_LOG,
    SYNC_ERROR,
    SYNC_HOOKS,
    SYNC_HOOKS_DONE,
};

struct sync_hdr {
    uint32_t type;
    uint32_t flags;
    int32_t err;
    uint32_t len;
};

#define SYNC_MAX_PAYLOAD 32768 /* the state JSON with annotations travels in HOOKS_DONE */

const char *sync_type_name(enum sync_type type);

/* Send one message, with an fd when pass_fd >= 0. */
int sync_send(int fd, enum sync_type type, const void *payload, size_t len, int pass_fd,
              struct vsl_error *err);
/* Send an ERROR carrying *e itself. Best effort: the child is about to exit anyway. */
void sync_send_error(int fd, const struct vsl_error *e);
/*
 * Wait for a message of type `expected`: LOG messages are passed to the log hook, an ERROR is
 * copied into err and returned as its code, EOF returns -EPIPE with err set, anything else is a
 * protocol error. The received fd, if any, goes to *ret_fd (CLOEXEC), or is closed when ret_fd is
 * NULL.
 */
int sync_expect(int fd, enum sync_type expected, void *payload, size_t cap, int *ret_fd,
                struct vsl_error *err);

/* Where LOG lines go (default: dropped). */
void sync_set_log_hook(void (*hook)(const char *line));
