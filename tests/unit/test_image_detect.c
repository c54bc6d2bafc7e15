// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Disk image detection on synthetic images: sparse files with only the magic bytes, partition
 * tables and GPT headers written at the right offsets (no mkfs, no root, no loop devices).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/disk.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "tap.h"

#define MiB (1024ull * 1024)

#define GUID_ESP "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
#define GUID_LINUX "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
#define GUID_ROOT_X86_64 "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"

static char tmpdir[64];

static void
put(int fd, uint64_t off, const void *buf, size_t len)
{
    if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len) {
        perror("pwrite");
        exit(2);
    }
}

static void
put_le(int fd, uint64_t off, uint64_t v, size_t len)
{
    uint8_t b[8];
    for (size_t i = 0; i < len; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put(fd, off, b, len);
}

/* A sparse file of size bytes; returns an O_RDWR fd and its path in path. */
static int
make_image(const char *name, uint64_t size, char *path, size_t path_len)
{
    (void)snprintf(path, path_len, "%s/%s", tmpdir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
        perror(path);
        exit(2);
    }
    return fd;
}

static void
put_fs(int fd, uint64_t base, const char *type)
{
    if (strcmp(type, "ext4") == 0)
        put_le(fd, base + 1024 + 56, 0xEF53, 2);
    else if (strcmp(type, "xfs") == 0)
        put(fd, base, "XFSB", 4);
    else if (strcmp(type, "btrfs") == 0)
        put(fd, base + 65536 + 64, "_BHRfS_M", 8);
    else if (strcmp(type, "squashfs") == 0)
        put(fd, base, "hsqs", 4);
    else if (strcmp(type, "erofs") == 0)
        put_le(fd, base + 1024, 0xE0F5E1E2, 4);
}

static void
put_mbr_entry(int fd, uint64_t sector_off, int slot, uint8_t type, uint32_t start, uint32_t count)
{
    uint64_t e = sector_off + 446 + 16 * (uint64_t)slot;
    put(fd, e + 4, &type, 1);
    put_le(fd, e + 8, start, 4);
    put_le(fd, e + 12, count, 4);
    put(fd, sector_off + 510, "\x55\xAA", 2);
}

/* "0FC63DAF-8483-..." -> on-disk bytes: first three fields little endian. */
static void
guid_bytes(const char *s, uint8_t g[16])
{
    unsigned int a, b, c, d[8];
    if (sscanf(s, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &a, &b, &c, &d[0], &d[1], &d[2], &d[3],
               &d[4], &d[5], &d[6], &d[7]) != 11)
        exit(2);
    for (int i = 0; i < 4; i++)
        g[i] = (uint8_t)(a >> (8 * i));
    g[4] = (uint8_t)b;
    g[5] = (uint8_t)(b >> 8);
    g[6] = (uint8_t)c;
    g[7] = (uint8_t)(c >> 8);
    for (int i = 0; i < 8; i++)
        g[8 + i] = (uint8_t)d[i];
}

/* Protective MBR and a GPT header at LBA 1 with 128 entries of 128 bytes at LBA 2. */
static void
put_gpt_header(int fd, uint64_t sector, uint64_t disk_sectors)
{
    put_mbr_entry(fd, 0, 0, 0xEE, 1, (uint32_t)(disk_sectors - 1));
    put(fd, sector, "EFI PART", 8);
    put_le(fd, sector + 8, 0x00010000, 4);
    put_le(fd, sector + 12, 92, 4);
    put_le(fd, sector + 24, 1, 8);
    put_le(fd, sector + 72, 2, 8);
    put_le(fd, sector + 80, 128, 4);
    put_le(fd, sector + 84, 128, 4);
}

static void
put_gpt_entry(int fd, uint64_t sector, int index, const char *type, uint64_t first, uint64_t last)
{
    uint64_t e = 2 * sector + 128 * (uint64_t)index;
    uint8_t g[16];

    guid_bytes(type, g);
    put(fd, e, g, 16);
    put(fd, e + 16, "uniqueuniqueuniq", 16);
    put_le(fd, e + 32, first, 8);
    put_le(fd, e + 40, last, 8);
}

static int
detect(const char *path, int partition, struct img_info *info, struct vsl_error *err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        perror(path);
        exit(2);
    }
    memset(err, 0, sizeof(*err));
    return img_detect_fd(fd, path, partition, info, err);
}

static void
test_whole_files(void)
{
    static const char *const types[] = {"ext4", "xfs", "btrfs", "squashfs", "erofs"};
    char path[128], name[64];
    struct img_info info;
    struct vsl_error err;

    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        (void)snprintf(name, sizeof(name), "%s.img", types[i]);
        _cleanup_close_ int fd = make_image(name, 4 * MiB, path, sizeof(path));
        put_fs(fd, 0, types[i]);
        int r = detect(path, 0, &info, &err);
        is_int(r, 0, types[i]);
        is_str(info.fstype, types[i], "whole file: fstype");
        if (i == 0) {
            is_int(info.offset, 0, "whole file: offset 0");
            is_int(info.size, 4 * MiB, "whole file: size is the file's");
            is_int(info.partition, 0, "whole file: partition 0");
        }
    }
    ok(img_fstype_is_readonly("squashfs"), "squashfs is read-only");
    ok(img_fstype_is_readonly("erofs"), "erofs is read-only");
    ok(!img_fstype_is_readonly("ext4"), "ext4 is writable");
}

static void
test_ext_sizes(void)
{
    char path[128];
    struct img_info info;
    struct vsl_error err;
    _cleanup_close_ int fd = make_image("ext2.img", 4 * MiB, path, sizeof(path));

    put_fs(fd, 0, "ext4");
    put_le(fd, 1024 + 24, 2, 4);   /* 4 KiB blocks */
    put_le(fd, 1024 + 4, 1024, 4); /* exactly 4 MiB */
    is_int(detect(path, 0, &info, &err), 0, "ext with 4 KiB blocks filling the file");
    is_str(info.fstype, "ext4", "ext2/3/4 report the ext4 driver");

    put_le(fd, 1024 + 4, 2048, 4); /* claims 8 MiB */
    is_int(detect(path, 0, &info, &err), -EINVAL, "ext larger than the file is refused");
    like(err.msg, "truncated", "error says truncated");

    put_le(fd, 1024 + 24, 40, 4); /* absurd block size: not ext */
    is_int(detect(path, 0, &info, &err), -EINVAL, "ext magic with a bad block size is ignored");
}

static void
test_mbr(void)
{
    char path[128];
    struct img_info info;
    struct vsl_error err;
    _cleanup_close_ int fd = make_image("mbr.img", 8 * MiB, path, sizeof(path));

    put_mbr_entry(fd, 0, 0, 0x83, 2048, 4096);
    put_fs(fd, 1 * MiB, "ext4");
    is_int(detect(path, 0, &info, &err), 0, "mbr: linux partition found");
    is_str(info.fstype, "ext4", "mbr: fstype");
    is_int(info.partition, 1, "mbr: partition 1");
    is_int(info.offset, 1 * MiB, "mbr: offset 1 MiB");
    is_int(info.size, 2 * MiB, "mbr: size 2 MiB");

    /* A FAT partition first, the Linux one second. */
    put_mbr_entry(fd, 0, 0, 0x0c, 2048, 4096);
    put_mbr_entry(fd, 0, 1, 0x83, 6144, 4096);
    put_fs(fd, 3 * MiB, "squashfs");
    is_int(detect(path, 0, &info, &err), 0, "mbr: skips a non-Linux partition");
    is_int(info.partition, 2, "mbr: picks partition 2");
    is_str(info.fstype, "squashfs", "mbr: partition 2 fstype");
    is_int(detect(path, 1, &info, &err), 0, "mbr: partition 1 by number, whatever its type");
    is_str(info.fstype, "ext4", "mbr: partition 1 fstype");
    is_int(detect(path, 3, &info, &err), -EINVAL, "mbr: empty slot 3");
    like(err.msg, "partition 3 does not exist", "mbr: empty slot message");
    is_int(detect(path, 5, &info, &err), -EINVAL, "mbr: partition 5 without extended");
}

static void
test_mbr_no_fs(void)
{
    char path[128];
    struct img_info info;
    struct vsl_error err;
    _cleanup_close_ int fd = make_image("mbr-empty.img", 4 * MiB, path, sizeof(path));

    put_mbr_entry(fd, 0, 0, 0x83, 2048, 2048);
    is_int(detect(path, 0, &info, &err), -EINVAL, "mbr: linux partition without filesystem");
    like(err.msg, "no Linux partition with a known filesystem", "mbr: no fs message");
    is_int(detect(path, 1, &info, &err), -EINVAL, "mbr: partition 1 without filesystem");
    like(err.msg, "partition 1: no known filesystem", "mbr: partition 1 no fs message");

    /* A partition running past the end of a truncated image. */
    put_mbr_entry(fd, 0, 0, 0x83, 2048, 65536);
    put_fs(fd, 1 * MiB, "ext4");
    is_int(detect(path, 0, &info, &err), -EINVAL, "mbr: partition past the end");
    like(err.msg, "partition 1 extends past the end of the file", "mbr: truncated message");
}

static void
test_mbr_logical(void)
{
    char path[128];
    struct img_info info;
    struct vsl_error err;
    _cleanup_close_ int fd = make_image("mbr-logical.img", 8 * MiB, path, sizeof(path));

    /* Extended partition over sectors 4096..12287 with two logical partitions. */
    put_mbr_entry(fd, 0, 0, 0x0c, 2048, 2048);
    put_mbr_entry(fd, 0, 1, 0x05, 4096, 8192);
    put_mbr_entry(fd, 4096 * 512, 0, 0x83, 2048, 2048); /* sectors 6144.., 3 MiB */
    put_mbr_entry(fd, 4096 * 512, 1, 0x05, 4096, 4096); /* next EBR at 8192 */
    put_mbr_entry(fd, 8192 * 512, 0, 0x83, 2048, 1024); /* sectors 10240.., 5 MiB */
    put_fs(fd, 3 * MiB, "ext4");
    put_fs(fd, 5 * MiB, "erofs");
    is_int(detect(path, 0, &info, &err), 0, "logical: found");
    is_int(info.partition, 5, "logical: first logical is partition 5");
    is_int(info.offset, 3 * MiB, "logical: offset relative to its EBR");
    is_int(detect(path, 6, &info, &err), 0, "logical: partition 6");
    is_str(info.fstype, "erofs", "logical: partition 6 fstype");
    is_int(info.size, 512 * 1024, "logical: partition 6 size");
    is_int(detect(path, 2, &info, &err), -EINVAL, "logical: extended partition by number");
    like(err.msg, "extended partition", "logical: extended message");
}

static void
test_gpt(void)
{
    char path[128];
    struct img_info info;
    struct vsl_error err;
    _cleanup_close_ int fd = make_image("gpt.img", 16 * MiB, path, sizeof(path));

    put_gpt_header(fd, 512, 16 * MiB / 512);
    put_gpt_entry(fd, 512, 0, GUID_ESP, 2048, 4095);
    put_gpt_entry(fd, 512, 1, GUID_LINUX, 4096, 12287);
    put_gpt_entry(fd, 512, 2, GUID_ROOT_X86_64, 12288, 20479);
    put_fs(fd, 2 * MiB, "xfs");
    put_fs(fd, 6 * MiB, "erofs");
    is_int(detect(path, 0, &info, &err), 0, "gpt: found");
    is_int(info.partition, 2, "gpt: first Linux partition is 2");
    is_str(info.fstype, "xfs", "gpt: fstype");
    is_int(info.offset, 2 * MiB, "gpt: offset");
    is_int(info.size, 4 * MiB, "gpt: size (last LBA inclusive)");
    is_int(detect(path, 3, &info, &err), 0, "gpt: partition 3");
    is_str(info.fstype, "erofs", "gpt: partition 3 fstype");
    is_int(detect(path, 1, &info, &err), -EINVAL, "gpt: ESP has no known filesystem");
    like(err.msg, "partition 1: no known filesystem", "gpt: ESP message");
    is_int(detect(path, 4, &info, &err), -EINVAL, "gpt: unused entry 4");
    like(err.msg, "partition 4 does not exist", "gpt: entry 4 message");
    is_int(detect(path, 200, &info, &err), -EINVAL, "gpt: beyond the entry array");

    /* The root type counts as Linux too. */
    put_gpt_entry(fd, 512, 1, GUID_ESP, 4096, 12287);
    is_int(detect(path, 0, &info, &err), 0, "gpt: x86-64 root type");
    is_int(info.partition, 3, "gpt: root partition 3 chosen");
}

static void
test_gpt_4k(void)
{
    char path[128];
    struct img_info info;
    struct vsl_error err;
    _cleanup_close_ int fd = make_image("gpt4k.img", 8 * MiB, path, sizeof(path));

    put_gpt_header(fd, 4096, 8 * MiB / 4096);
    put_gpt_entry(fd, 4096, 0, GUID_LINUX, 256, 1279);
    put_fs(fd, 1 * MiB, "btrfs");
    is_int(detect(path, 0, &info, &err), 0, "gpt 4k: found");
    is_str(info.fstype, "btrfs", "gpt 4k: fstype");
    is_int(info.offset, 1 * MiB, "gpt 4k: offset in 4 KiB sectors");
    is_int(info.size, 4 * MiB, "gpt 4k: size");
}

static void
test_garbage(void)
{
    char path[128];
    struct img_info info, sentinel;
    struct vsl_error err;

    {
        (void)close(make_image("zeros.img", 1 * MiB, path, sizeof(path)));
        memset(&sentinel, 0x5a, sizeof(sentinel));
        info = sentinel;
        is_int(detect(path, 0, &info, &err), -EINVAL, "zeros: refused");
        like(err.msg,
             "no known filesystem (ext2/3/4, xfs, btrfs, squashfs, erofs) and no "
             "partition table",
             "zeros: message");
        like(err.msg, "zeros.img'", "zeros: message names the image");
        ok(memcmp(&info, &sentinel, sizeof(info)) == 0, "zeros: ret untouched on error");
        is_int(detect(path, 1, &info, &err), -EINVAL, "zeros: partition 1");
        like(err.msg, "partition 1 does not exist", "zeros: partition 1 message");
        is_int(detect(path, -1, &info, &err), -EINVAL, "negative partition refused");
    }
    {
        (void)close(make_image("empty.img", 0, path, sizeof(path)));
        is_int(detect(path, 0, &info, &err), -EINVAL, "empty file refused");
        like(err.msg, "empty", "empty: message");
    }
    {
        (void)close(make_image("tiny.img", 100, path, sizeof(path)));
        is_int(detect(path, 0, &info, &err), -EINVAL, "tiny file refused");
        like(err.msg, "too small", "tiny: message");
    }
    {
        _cleanup_close_ int fd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        is_int(img_detect_fd(fd, tmpdir, 0, &info, &err), -EINVAL, "directory refused");
        like(err.msg, "not a regular file", "directory: message");
    }
}

static void
test_open(void)
{
    char path[128];
    struct img_info info;
    struct vsl_error err = {0};
    int fd = -EBADF;

    (void)snprintf(path, sizeof(path), "%s/missing.img", tmpdir);
    is_int(img_open_and_detect(path, 0, &fd, &info, &err), -ENOENT, "open: missing file");
    like(err.msg, "missing.img': No such file or directory", "open: missing message");
    is_int(fd, -EBADF, "open: fd untouched on error");

    (void)snprintf(path, sizeof(path), "%s/ext4.img", tmpdir);
    is_int(img_open_and_detect(path, 0, &fd, &info, &err), 0, "open: ext4 image");
    ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "open: fd is CLOEXEC");
    is_str(info.fstype, "ext4", "open: fstype");
    if (fd >= 0)
        (void)close(fd);
}

static int
rm_files(void)
{
    static const char *const names[] = {"ext4.img",        "xfs.img",  "btrfs.img", "squashfs.img",
                                        "erofs.img",       "ext2.img", "mbr.img",   "mbr-empty.img",
                                        "mbr-logical.img", "gpt.img",  "gpt4k.img", "zeros.img",
                                        "empty.img",       "tiny.img"};
    char path[128];

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        (void)snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
        (void)unlink(path);
    }
    return rmdir(tmpdir);
}

int
main(void)
{
    const char *base = getenv("TMPDIR");

    (void)snprintf(tmpdir, sizeof(tmpdir), "%s/vsl-img-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_whole_files();
    test_ext_sizes();
    test_mbr();
    test_mbr_no_fs();
    test_mbr_logical();
    test_gpt();
    test_gpt_4k();
    test_garbage();
    test_open();
    ok(rm_files() == 0, "temporary directory removed");
    return done_testing();
}
