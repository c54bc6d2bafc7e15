// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Handing the pty master to the caller's console socket, and writing --pid-file atomically (a
 * reader polling for the file never sees it empty).
 */
#include "lib/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"

int
vsl_console_send(const char *socket_path, int master, struct vsl_error *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char name[64] = "/dev/ptmx";
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;

    if (strlen(socket_path) >= sizeof(addr.sun_path))
        return vsl_err(err, ENAMETOOLONG, "console socket '%s': path too long", socket_path);
    strcpy(addr.sun_path, socket_path);
    _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return vsl_err_errno(err, "socket");
    if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return vsl_err_errno(err, "connect to console socket '%s'", socket_path);
    (void)ptsname_r(master, name, sizeof(name));
    struct iovec iov = {.iov_base = name, .iov_len = strlen(name)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    memset(&u, 0, sizeof(u));
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &master, sizeof(int));
    while (sendmsg(s, &msg, MSG_NOSIGNAL) < 0)
        if (errno != EINTR)
            return vsl_err_errno(err, "send the pty to console socket '%s'", socket_path);
    return 0;
}

int
vsl_write_pid_file(const char *path, pid_t pid, struct vsl_error *err)
{
    _cleanup_free_ char *tmp = NULL;
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d", pid);

    if (asprintf(&tmp, "%s.vessel-tmp", path) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return vsl_err_errno(err, "pid file '%s'", tmp);
    if (write(fd, buf, (size_t)n) != n) {
        int r = vsl_err_errno(err, "write pid file '%s'", tmp);
        (void)unlink(tmp);
        return r;
    }
    if (rename(tmp, path) < 0) {
        int r = vsl_err_errno(err, "pid file '%s'", path);
        (void)unlink(tmp);
        return r;
    }
    return 0;
}
