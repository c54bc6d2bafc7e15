// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CVE-2019-5736: the container's init is a clone of vessel until it executes the user's process,
 * and `vessel exec` enters a container as vessel; a process inside could open /proc/PID/exe, keep
 * it, and write to the runtime's binary on the host once it exits. So verbs that enter a container
 * first re-execute vessel from a sealed memfd copy of itself (runc's and crun's defence): what
 * /proc/PID/exe reaches is an anonymous, write-sealed file, never the host's binary.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vessel/security.h>

#include "lib/cleanup.h"
#include "lib/error.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

/* Is fd a memfd carrying all our seals (the copy, already running)? */
static bool
is_sealed_copy(int fd)
{
    int seals = fcntl(fd, F_GET_SEALS);
    return seals >= 0 && (seals & SEALS) == SEALS;
}

int
vsl_selfclone(char **argv, struct vsl_error *err)
{
    _cleanup_close_ int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    _cleanup_close_ int mfd = -EBADF;
    struct stat st;

    if (exe < 0)
        return vsl_err_errno(err, "open '/proc/self/exe'");
    if (is_sealed_copy(exe))
        return 0;
    if (fstat(exe, &st) < 0)
        return vsl_err_errno(err, "stat '/proc/self/exe'");
    mfd = memfd_create("vessel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0)
        return vsl_err_errno(err, "memfd_create");
    for (off_t off = 0; off < st.st_size;) {
        ssize_t n = sendfile(mfd, exe, &off, (size_t)(st.st_size - off));
        if (n <= 0)
            return vsl_err_code(err, n < 0 ? errno : EIO, "copy '/proc/self/exe' to a memfd");
    }
    if (fchmod(mfd, 0555) < 0 || fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
        return vsl_err_errno(err, "seal the memfd copy of vessel");
    (void)fexecve(mfd, argv, environ);
    return vsl_err_errno(err, "execute the sealed copy of vessel");
}
