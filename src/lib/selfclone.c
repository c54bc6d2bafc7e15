// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CVE-2019-5736: the container's init is a clone of vessel until it executes the user's process,
 * and `vessel exec` enters a container as vessel; a process inside could open /proc/PID/exe, keep
 * it, and write to the runtime's binary on the host once it exits. What /proc/PID/exe reaches from
 * a container must never be the host's binary. Two ways, chosen per container by vsl_seal_for():
 *
 * - The trampoline (vsl_dmz_usable(): the common case of `run` and `create`). The init, alone in
 *   its new pid namespace and not dumpable once it drops its capabilities, executes the user's
 *   process through a one-page program without libc (src/dmz/dmz.c) from a sealed memfd, so the
 *   execve that a "#!/proc/self/exe" script turns into reaches the sealed trampoline. vessel
 *   itself is not re-executed: that saves a whole second start (about 1.3 ms here).
 * - Re-executing vessel from a copy nobody can write, for `exec` and every container the
 *   trampoline does not fit (a shared or the host's pid namespace, Landlock, a seccomp profile
 *   that stops execveat, capabilities a second execve would change):
 *   1. a sealed overlay (runc's first choice since 1.2): a private overlayfs, never attached to
 *      any mount table, whose two lower layers are the binary's directory and no upper layer, so
 *      every write through it fails with EROFS and there is nothing to remount or unwrap.
 *      Nothing is copied: the binary's page cache is shared.
 *   2. a sealed memfd copy (runc's and crun's older way), when overlayfs is out of reach
 *      (rootless, no overlay module, the binary in a path overlayfs refuses).
 *   The re-executed vessel knows it runs from a copy by what /proc/self/exe is: a memfd carrying
 *   all the write seals, or a read-only overlayfs file while VESSEL_SEALED_EXE (which it removes
 *   from its environment) says it made that overlay.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <vessel/security.h>
#include <vessel/vessel.h>

#include "lib/cleanup.h"
#include "lib/error.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define SEALED_ENV "VESSEL_SEALED_EXE"
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3 */
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020 /* Linux 6.3 */
#endif

extern char **environ;
/* src/dmz/dmz.c, built and carried by src/lib/dmz_blob.c */
extern const unsigned char vsl_dmz_blob[];
extern const uint64_t vsl_dmz_blob_size;

static int dmz_fd = -EBADF;

/* Is fd (/proc/self/exe) a copy made by the code below, already running? */
static bool
is_sealed_copy(int fd)
{
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals >= 0 && (seals & SEALS) == SEALS)
        return true;
    const char *marker = getenv(SEALED_ENV);
    if (!marker)
        return false;
    (void)unsetenv(SEALED_ENV);
    struct statfs sf;
    return strcmp(marker, "1") == 0 && fstatfs(fd, &sf) == 0 &&
           sf.f_type == OVERLAYFS_SUPER_MAGIC && (sf.f_flags & ST_RDONLY);
}

/* Does this process run from a copy made below? Asked once: the answer consumes the marker. */
static bool
running_sealed(void)
{
    static int sealed = -1;

    if (sealed < 0) {
        _cleanup_close_ int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        sealed = exe >= 0 && is_sealed_copy(exe);
    }
    return sealed;
}

/* "top:bottom" for overlayfs's lowerdir option, with ':' and '\\' escaped. */
static bool
lowerdir_option(const char *top, const char *bottom, char *buf, size_t cap)
{
    size_t n = 0;

    for (int layer = 0; layer < 2; layer++) {
        if (layer && n < cap)
            buf[n++] = ':';
        for (const char *c = layer ? bottom : top; *c; c++) {
            if ((*c == ':' || *c == '\\') && n < cap)
                buf[n++] = '\\';
            if (n < cap)
                buf[n++] = *c;
        }
    }
    if (n >= cap)
        return false;
    buf[n] = '\0';
    return true;
}

/*
 * The binary through a private read-only overlay of its directory: an O_PATH fd of it, or -1
 * when overlayfs cannot be had here (the caller then copies). The mount is never attached
 * anywhere; the executed file keeps it alive and it goes with the last process using it.
 */
static int
overlay_exe(int exe, const char *state_root)
{
    char path[PATH_MAX], opt[4 * PATH_MAX + 2], empty[PATH_MAX];
    struct stat want, got;
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

    if (n <= 0 || fstat(exe, &want) < 0)
        return -1;
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (path[0] != '/' || !slash || slash[1] == '\0')
        return -1; /* " (deleted)" and other oddities end up in the copy */
    *slash = '\0';
    /* overlayfs wants two layers that do not overlap: the second is an empty directory in the
     * state root (made on first use; a root that holds the binary falls back to the copy) */
    if ((size_t)snprintf(empty, sizeof(empty), "%s/.empty", state_root) >= sizeof(empty) ||
        (mkdir(state_root, 0711) < 0 && errno != EEXIST) ||
        (mkdir(empty, 0700) < 0 && errno != EEXIST) ||
        !lowerdir_option(path[0] ? path : "/", empty, opt, sizeof(opt)))
        return -1;
    _cleanup_close_ int fs = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
    if (fs < 0 || syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "lowerdir", opt, 0) < 0 ||
        syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return -1;
    _cleanup_close_ int mnt = (int)syscall(
        SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
    if (mnt < 0)
        return -1;
    int fd = openat(mnt, slash + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    /* the same file as the one running: size and modification time agree */
    if (fd >= 0 && (fstat(fd, &got) < 0 || !S_ISREG(got.st_mode) || got.st_size != want.st_size ||
                    got.st_mtim.tv_sec != want.st_mtim.tv_sec ||
                    got.st_mtim.tv_nsec != want.st_mtim.tv_nsec)) {
        (void)close(fd);
        return -1;
    }
    return fd;
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
vsl_selfclone(char **argv, const char *state_root, struct vsl_error *err)
{
    _cleanup_close_ int exe = -EBADF, mfd = -EBADF;
    struct stat st;

    if (running_sealed())
        return 0;
    exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (exe < 0)
        return vsl_err_errno(err, "open '/proc/self/exe'");
    _cleanup_close_ int ovl = overlay_exe(exe, state_root);
    if (ovl >= 0 && setenv(SEALED_ENV, "1", 1) == 0) {
        (void)syscall(SYS_execveat, ovl, "", argv, environ, AT_EMPTY_PATH);
        (void)unsetenv(SEALED_ENV); /* not executable after all: copy */
    }
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

bool
vsl_dmz_usable(const struct vsl_spec *spec)
{
    const struct vsl_namespace *pid = &spec->linux_.namespaces[VSL_NS_PID];
    const struct vsl_process *p = &spec->process;

    /* Until the init executes, it is alone in a new pid namespace: no process of any container
     * sees it there, and one seeing host pids needs capabilities the init holds or, once it has
     * dropped them, CAP_SYS_PTRACE over the host (the init is not dumpable then). */
    if (!spec->has_process || !pid->present || pid->path)
        return false;
    /* Landlock confines execution to the policy's paths: a memfd is on none of them. */
    if (vsl_spec_get_annotation(spec, VSL_ANN_LANDLOCK))
        return false;
    /* A second execve must leave the capabilities as one would: it does, except that with
     * no_new_privs a non-root process's file capabilities are capped by the permitted set
     * before it, which the first execve narrowed to the ambient set (runc issue 4125). */
    if (p->uid != 0 && p->no_new_privileges && p->caps.permitted != p->caps.ambient)
        return false;
    /* The init executes the trampoline with execveat, after the filter is loaded. */
    return !spec->linux_.seccomp || vsl_seccomp_allows(spec->linux_.seccomp, "execveat");
}

/* The trampoline in a sealed memfd: nobody writes, grows or re-modes it, and it goes with the
 * exec of the last process holding it. */
static int
dmz_prepare(void)
{
    size_t len = (size_t)vsl_dmz_blob_size;
    _cleanup_close_ int fd = memfd_create("vessel-dmz", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

    if (fd < 0 && errno == EINVAL) /* before Linux 6.3 every memfd is executable */
        fd = memfd_create("vessel-dmz", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0 || write(fd, vsl_dmz_blob, len) != (ssize_t)len)
        return -1;
    if (fcntl(fd, F_ADD_SEALS, SEALS | F_SEAL_EXEC) < 0 &&
        (errno != EINVAL || fcntl(fd, F_ADD_SEALS, SEALS) < 0))
        return -1;
    dmz_fd = TAKE_FD(fd);
    return 0;
}

int
vsl_seal_for(char **argv, const char *state_root, const struct vsl_spec *spec,
             struct vsl_error *err)
{
    if (running_sealed() || dmz_fd >= 0)
        return 0;
    if (vsl_dmz_usable(spec) && dmz_prepare() == 0)
        return 0;
    return vsl_selfclone(argv, state_root, err);
}

int
vsl_dmz_fd(void)
{
    return dmz_fd;
}
