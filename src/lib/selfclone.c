// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CVE-2019-5736: the container's init is a clone of vessel until it executes the user's process,
 * and `vessel exec` enters a container as vessel; a process inside could open /proc/PID/exe, keep
 * it, and write to the runtime's binary on the host once it exits. So verbs that enter a container
 * first re-execute vessel from a sealed memfd copy of itself (runc's and crun's defence): what
 * /proc/PID/exe reaches is an anonymous, write-sealed file, never the host's binary.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
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

/*
 * How much of the binary executing needs: the headers and every segment's bytes in the file.
 * Debug information and the section tables after them are never loaded, and skipping them halves
 * what each start copies. 0 (copy everything) when the file does not look like our ELF.
 */
static off_t
loaded_size(int fd, off_t file_size)
{
    Elf64_Ehdr eh;
    off_t end = 0;

    if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
        eh.e_phnum == 0 || eh.e_phnum > 64)
        return 0;
    Elf64_Phdr ph[64];
    size_t len = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
    if (pread(fd, ph, len, (off_t)eh.e_phoff) != (ssize_t)len)
        return 0;
    end = (off_t)(eh.e_phoff + len);
    for (size_t i = 0; i < eh.e_phnum; i++)
        if (ph[i].p_offset + ph[i].p_filesz > (uint64_t)end)
            end = (off_t)(ph[i].p_offset + ph[i].p_filesz);
    return end <= file_size ? end : 0;
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
    off_t size = loaded_size(exe, st.st_size);
    if (size == 0)
        size = st.st_size;
    for (off_t off = 0; off < size;) {
        ssize_t n = sendfile(mfd, exe, &off, (size_t)(size - off));
        if (n <= 0)
            return vsl_err_code(err, n < 0 ? errno : EIO, "copy '/proc/self/exe' to a memfd");
    }
    if (fchmod(mfd, 0555) < 0 || fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
        return vsl_err_errno(err, "seal the memfd copy of vessel");
    (void)fexecve(mfd, argv, environ);
    return vsl_err_errno(err, "execute the sealed copy of vessel");
}
