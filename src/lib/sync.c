// SPDX-License-Identifier: GPL-2.0-or-later
/* The parent/child sync protocol: see the table in sync.h. */
#include "sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "cleanup.h"
#include "error.h"

static void (*log_hook)(const char *line);

void
sync_set_log_hook(void (*hook)(const char *line))
{
    log_hook = hook;
}

const char *
sync_type_name(enum sync_type type)
{
    static const char *const names[] = {
        [SYNC_PARENT_READY] = "PARENT_READY",
        [SYNC_PTY] = "PTY",
        [SYNC_CHILD_READY] = "CHILD_READY",
        [SYNC_START] = "START",
        [SYNC_LOG] = "LOG",
        [SYNC_ERROR] = "ERROR",
        [SYNC_HOOKS] = "HOOKS",
        [SYNC_HOOKS_DONE] = "HOOKS_DONE",
    };
    if ((size_t)type < ARRAY_SIZE(names) && names[type])
        return names[type];
    return "UNKNOWN";
}

int
sync_send(int fd, enum sync_type type, const void *payload, size_t len, int pass_fd,
          struct vsl_error *err)
{
    struct sync_hdr hdr = {.type = type, .len = (uint32_t)len};
    struct iovec iov[2] = {{&hdr, sizeof(hdr)}, {(void *)payload, len}};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};

    if (len > SYNC_MAX_PAYLOAD)
        return vsl_err(err, EMSGSIZE, "sync: %s payload too large", sync_type_name(type));
    if (pass_fd >= 0) {
        memset(&u, 0, sizeof(u));
        msg.msg_control = u.buf;
        msg.msg_controllen = sizeof(u.buf);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    }
    for (;;) {
        if (sendmsg(fd, &msg, MSG_NOSIGNAL) >= 0)
            return 0;
        if (errno != EINTR)
            return vsl_err_errno(err, "sync: send %s", sync_type_name(type));
    }
}

void
sync_send_error(int fd, const struct vsl_error *e)
{
    (void)sync_send(fd, SYNC_ERROR, e, sizeof(*e), -1, NULL);
}

static int
recv_one(int fd, struct sync_hdr *hdr, char *payload, int *ret_fd, struct vsl_error *err)
{
    struct iovec iov[2] = {{hdr, sizeof(*hdr)}, {payload, SYNC_MAX_PAYLOAD}};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr msg = {
        .msg_iov = iov, .msg_iovlen = 2, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    ssize_t n;
    bool reset = false;

    /* ECONNRESET: the peer closed its end with a message of ours unread (an init that failed
     * before it read the START queued for it). The kernel says so once; what the peer sent
     * before, its ERROR, is still there to read. */
    for (;;) {
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
        if (n >= 0 || (errno != EINTR && (errno != ECONNRESET || reset)))
            break;
        reset = reset || errno == ECONNRESET;
    }
    if (n < 0)
        return vsl_err_errno(err, "sync: receive");
    if (n == 0)
        return 0;
    *ret_fd = -EBADF;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
    if ((size_t)n < sizeof(*hdr) || hdr->len != (size_t)n - sizeof(*hdr)) {
        closep(ret_fd);
        return vsl_err(err, EPROTO, "sync: malformed message");
    }
    return 1;
}

int
sync_expect(int fd, enum sync_type expected, void *payload, size_t cap, int *ret_fd,
            struct vsl_error *err)
{
    char buf[SYNC_MAX_PAYLOAD + 1];

    for (;;) {
        struct sync_hdr hdr = {0};
        _cleanup_close_ int got_fd = -EBADF;
        int r = recv_one(fd, &hdr, buf, &got_fd, err);
        if (r < 0)
            return r;
        if (r == 0)
            return vsl_err(err, EPIPE, "the container's init exited while vessel waited for %s",
                           sync_type_name(expected));
        if (hdr.type == SYNC_LOG) {
            buf[hdr.len] = '\0';
            if (log_hook)
                log_hook(buf);
            continue;
        }
        if (hdr.type == SYNC_ERROR && hdr.len == sizeof(struct vsl_error)) {
            memcpy(err, buf, sizeof(*err));
            err->msg[sizeof(err->msg) - 1] = '\0';
            return err->code < 0 ? err->code : -EIO;
        }
        if (hdr.type != (uint32_t)expected)
            return vsl_err(err, EPROTO, "sync: expected %s, got %s", sync_type_name(expected),
                           sync_type_name(hdr.type));
        if (hdr.len > cap)
            return vsl_err(err, EPROTO, "sync: %s payload too large", sync_type_name(expected));
        if (payload && hdr.len)
            memcpy(payload, buf, hdr.len);
        if (ret_fd)
            *ret_fd = TAKE_FD(got_fd);
        return (int)hdr.len;
    }
}
