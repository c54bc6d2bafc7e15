// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Disk images: find the filesystem of a raw image, or of a partition of an MBR or GPT disk, by its
 * superblock magic, and attach it to a loop device with LOOP_CONFIGURE. Detection only reads
 * (pread), so unit tests run it on synthetic files without root. GPT CRCs are not verified (that
 * would need a CRC32 and buys little: the kernel mounts the filesystem, not the table), and the
 * backup GPT at the end of the disk is never consulted.
 */
#include "image/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"

#define KNOWN_FS "ext2/3/4, xfs, btrfs, squashfs, erofs"
#define SECTOR 512u
#define MBR_EBR_MAX 128 /* logical partitions followed in an extended partition */
#define GPT_ENTRIES_MAX 4096
#define GPT_ENTRY_SIZE_MAX 1024
#define LOOP_ATTEMPTS 16 /* LOOP_CTL_GET_FREE races with other attachers: retry on EBUSY */

struct part {
    int num; /* 1-based, as the kernel numbers it (MBR logical partitions from 5) */
    bool is_linux;
    bool is_extended;
    uint64_t offset;
    uint64_t size;
};

struct ptable {
    struct part *v;
    size_t n;
    size_t cap;
};

static void
ptable_freep(struct ptable *t)
{
    free(t->v);
}

static int
ptable_add(struct ptable *t, const struct part *p)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        struct part *v = reallocarray(t->v, cap, sizeof(*v));
        if (!v)
            return -ENOMEM;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = *p;
    return 0;
}

static uint16_t
le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint32_t
be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t
be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | (uint64_t)be32(p + 4);
}

/* Saturating: a nonsense superblock or table entry then fails the size checks. */
static uint64_t
mul_sat(uint64_t a, uint64_t b)
{
    uint64_t r;
    return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

static uint64_t
add_sat(uint64_t a, uint64_t b)
{
    uint64_t r;
    return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* Read up to len bytes at off; a short count means end of file. */
static ssize_t
read_at(int fd, uint64_t off, void *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        if (off + done > INT64_MAX)
            break;
        ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

/*
 * Look for a superblock in [off, off + size). Returns 1 and the type and the size the filesystem
 * claims (0 when not known), 0 when nothing is recognised, -errno on a read error. The order
 * matters: magics at offset 0 are checked before those at 1024, which sit inside the first
 * blocks of the former; the 2-byte ext magic also gets a sanity check on the block size.
 */
static int
probe_fs(int fd, uint64_t off, uint64_t size, const char **ret_type, uint64_t *ret_bytes)
{
    uint8_t b[4096] = {0};
    const uint8_t *sb = b + 1024;
    char btrfs[8] = {0};
    ssize_t n;

    n = read_at(fd, off, b, size < sizeof(b) ? (size_t)size : sizeof(b));
    if (n < 0)
        return (int)n;
    if (memcmp(b, "hsqs", 4) == 0) {
        *ret_type = "squashfs";
        *ret_bytes = le64(b + 40); /* bytes_used */
    } else if (memcmp(b, "XFSB", 4) == 0) {
        *ret_type = "xfs";
        *ret_bytes = mul_sat(be64(b + 8), be32(b + 4)); /* dblocks * blocksize */
    } else if (le32(sb) == 0xE0F5E1E2) {
        *ret_type = "erofs";
        uint8_t bits = sb[12]; /* blkszbits; blocks at 36 */
        *ret_bytes = bits >= 9 && bits <= 16 ? (uint64_t)le32(sb + 36) << bits : 0;
    } else if (le16(sb + 56) == 0xEF53 && le32(sb + 24) <= 6) {
        /* ext2/3/4 all mount as "ext4" (see disk.h). */
        *ret_type = "ext4";
        uint64_t blocks = le32(sb + 4);
        if (le32(sb + 0x60) & 0x80) /* INCOMPAT_64BIT: blocks_count_hi */
            blocks |= (uint64_t)le32(sb + 0x150) << 32;
        *ret_bytes = mul_sat(blocks, 1024u << le32(sb + 24));
    } else {
        if (size < 65536 + 4096)
            return 0;
        n = read_at(fd, off + 65536 + 64, btrfs, sizeof(btrfs));
        if (n < 0)
            return (int)n;
        if (n < (ssize_t)sizeof(btrfs) || memcmp(btrfs, "_BHRfS_M", 8) != 0)
            return 0;
        *ret_type = "btrfs";
        *ret_bytes = 0; /* total_bytes spans all devices of a multi-device filesystem */
    }
    return 1;
}

/*
 * Probe one region and check it fits: the partition inside the file, the filesystem inside its
 * region. Returns 1 and fills ret, 0 when no filesystem is there, -EINVAL for a truncated image.
 */
static int
probe_region(int fd, const char *label, const struct part *p, uint64_t file_size,
             struct img_info *ret, struct vsl_error *err)
{
    const char *type = NULL;
    uint64_t need = 0;
    int r;

    if (p->num && (p->offset > file_size || p->size > file_size - p->offset))
        return vsl_err(
            err, EINVAL,
            "image '%s': partition %d extends past the end of the file (truncated image?)", label,
            p->num);
    r = probe_fs(fd, p->offset, p->size, &type, &need);
    if (r < 0)
        return vsl_err_code(err, r, "image '%s': read", label);
    if (r == 0)
        return 0;
    if (need > p->size) {
        char where[32] = "";
        if (p->num)
            (void)snprintf(where, sizeof(where), "partition %d: ", p->num);
        return vsl_err(err, EINVAL,
                       "image '%s': %s%s filesystem needs %" PRIu64 " bytes but only %" PRIu64
                       " are there (truncated image?)",
                       label, where, type, need, p->size);
    }
    memset(ret, 0, sizeof(*ret));
    (void)snprintf(ret->fstype, sizeof(ret->fstype), "%s", type);
    ret->offset = p->offset;
    ret->size = p->size;
    ret->partition = p->num;
    return 1;
}

static bool
mbr_type_is_extended(uint8_t type)
{
    return type == 0x05 || type == 0x0f || type == 0x85;
}

/* A boot sector with the 0x55AA signature, sane status bytes and at least one entry. */
static bool
mbr_is_valid(const uint8_t *s)
{
    bool any = false;

    if (s[510] != 0x55 || s[511] != 0xAA)
        return false;
    for (int i = 0; i < 4; i++) {
        const uint8_t *e = s + 446 + 16 * i;
        if (e[0] != 0x00 && e[0] != 0x80)
            return false;
        if (e[4] != 0 && le32(e + 12) != 0)
            any = true;
    }
    return any;
}

static bool
mbr_is_protective(const uint8_t *s)
{
    for (int i = 0; i < 4; i++)
        if (s[446 + 16 * i + 4] == 0xEE)
            return true;
    return false;
}

/* Logical partitions, numbered from 5 in chain order as the kernel does; each EBR's data entry
 * is relative to that EBR, its link entry relative to the start of the extended partition. */
static int
read_ebr_chain(int fd, uint64_t ext_start, struct ptable *t)
{
    uint64_t ebr = ext_start;
    int num = 5;

    for (int hops = 0; hops < MBR_EBR_MAX; hops++) {
        uint8_t s[SECTOR];
        ssize_t n = read_at(fd, mul_sat(ebr, SECTOR), s, sizeof(s));
        if (n < 0)
            return (int)n;
        if (n < (ssize_t)sizeof(s) || s[510] != 0x55 || s[511] != 0xAA)
            return 0;
        const uint8_t *data = s + 446, *link = s + 462;
        if (data[4] != 0 && le32(data + 12) != 0 && !mbr_type_is_extended(data[4])) {
            int this_num = num++;
            struct part p = {
                .num = this_num,
                .is_linux = data[4] == 0x83,
                .offset = mul_sat(add_sat(ebr, le32(data + 8)), SECTOR),
                .size = (uint64_t)le32(data + 12) * SECTOR,
            };
            if (ptable_add(t, &p) < 0)
                return -ENOMEM;
        }
        if (!mbr_type_is_extended(link[4]) || le32(link + 8) == 0)
            return 0;
        ebr = ext_start + le32(link + 8);
    }
    return 0;
}

static int
read_mbr(int fd, const uint8_t *s, struct ptable *t)
{
    bool seen_extended = false;

    for (int i = 0; i < 4; i++) {
        const uint8_t *e = s + 446 + 16 * i;
        uint8_t type = e[4];
        if (type == 0 || type == 0xEE || le32(e + 12) == 0)
            continue;
        struct part p = {
            .num = i + 1,
            .is_linux = type == 0x83,
            .is_extended = mbr_type_is_extended(type),
            .offset = (uint64_t)le32(e + 8) * SECTOR,
            .size = (uint64_t)le32(e + 12) * SECTOR,
        };
        if (ptable_add(t, &p) < 0)
            return -ENOMEM;
        if (p.is_extended && !seen_extended) {
            seen_extended = true;
            int r = read_ebr_chain(fd, le32(e + 8), t);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

/* Linux filesystem data, and the discoverable-partitions root types for common architectures. */
static bool
gpt_type_is_linux(const uint8_t *g)
{
    static const char *const types[] = {
        "0FC63DAF-8483-4772-8E79-3D69D8477DE4", /* Linux filesystem data */
        "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", /* root, x86-64 */
        "44479540-F297-41B2-9AF7-D131D5F0458A", /* root, x86 */
        "B921B045-1DF0-41C3-AF44-4C6F280D3FAE", /* root, arm64 */
        "69DAD710-2CE4-4E3C-B16C-21A1D49ABED3", /* root, arm */
    };
    char s[37];

    /* On disk the first three fields are little endian, the last two are bytes. */
    (void)snprintf(s, sizeof(s), "%08" PRIX32 "-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
                   le32(g), le16(g + 4), le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14],
                   g[15]);
    for (size_t i = 0; i < ARRAY_SIZE(types); i++)
        if (strcasecmp(s, types[i]) == 0)
            return true;
    return false;
}

static bool
is_zero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return false;
    return true;
}

static int
read_gpt_entries(int fd, const char *label, const uint8_t *h, uint64_t sector, struct ptable *t,
                 struct vsl_error *err)
{
    _cleanup_free_ uint8_t *buf = NULL;
    uint32_t count = le32(h + 80), esize = le32(h + 84);
    uint64_t where = mul_sat(le64(h + 72), sector);

    if (count == 0 || count > GPT_ENTRIES_MAX || esize < 128 || esize > GPT_ENTRY_SIZE_MAX ||
        esize % 8 != 0)
        return vsl_err(err, EINVAL,
                       "image '%s': GPT header: bad partition entry array (%" PRIu32
                       " entries of %" PRIu32 " bytes)",
                       label, count, esize);
    size_t len = (size_t)count * esize;
    buf = malloc(len);
    if (!buf)
        return vsl_err(err, ENOMEM, "image '%s': out of memory", label);
    ssize_t n = read_at(fd, where, buf, len);
    if (n < 0)
        return vsl_err_code(err, (int)n, "image '%s': read", label);
    if ((size_t)n < len)
        return vsl_err(err, EINVAL,
                       "image '%s': GPT partition entries extend past the end of the file "
                       "(truncated image?)",
                       label);
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = buf + (size_t)i * esize;
        uint64_t first = le64(e + 32), last = le64(e + 40);
        if (is_zero(e, 16) || last < first)
            continue;
        struct part p = {
            .num = (int)i + 1,
            .is_linux = gpt_type_is_linux(e),
            .offset = mul_sat(first, sector),
            .size = mul_sat(last - first + 1, sector),
        };
        if (ptable_add(t, &p) < 0)
            return vsl_err(err, ENOMEM, "image '%s': out of memory", label);
    }
    return 1;
}

/* Returns 1 with t filled when a GPT header is at LBA 1 (512- or 4096-byte sectors), else 0. */
static int
read_gpt(int fd, const char *label, struct ptable *t, struct vsl_error *err)
{
    static const uint64_t sectors[] = {512, 4096};
    uint8_t h[SECTOR];

    for (size_t i = 0; i < ARRAY_SIZE(sectors); i++) {
        ssize_t n = read_at(fd, sectors[i], h, sizeof(h));
        if (n < 0)
            return vsl_err_code(err, (int)n, "image '%s': read", label);
        if (n < 92 || memcmp(h, "EFI PART", 8) != 0)
            continue;
        return read_gpt_entries(fd, label, h, sectors[i], t, err);
    }
    return 0;
}

/* Returns 1 with t filled when the image has a partition table, 0 when it has none. As the kernel
 * does, GPT is only believed behind a protective (0xEE) MBR entry; a hybrid MBR reads as GPT. */
static int
read_table(int fd, const char *label, struct ptable *t, struct vsl_error *err)
{
    uint8_t s[SECTOR];
    ssize_t n;
    int r;

    n = read_at(fd, 0, s, sizeof(s));
    if (n < 0)
        return vsl_err_code(err, (int)n, "image '%s': read", label);
    if (n < (ssize_t)sizeof(s) || !mbr_is_valid(s))
        return 0;
    if (mbr_is_protective(s)) {
        r = read_gpt(fd, label, t, err);
        if (r != 0)
            return r;
    }
    r = read_mbr(fd, s, t);
    if (r < 0)
        return vsl_err(err, r, "image '%s': out of memory", label);
    return 1;
}

static int
select_number(int fd, const char *label, const struct ptable *t, int partition, uint64_t file_size,
              struct img_info *ret, struct vsl_error *err)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct part *p = &t->v[i];
        if (p->num != partition)
            continue;
        if (p->is_extended)
            return vsl_err(err, EINVAL,
                           "image '%s': partition %d is an extended partition, not a filesystem",
                           label, partition);
        int r = probe_region(fd, label, p, file_size, ret, err);
        if (r < 0)
            return r;
        if (r == 0)
            return vsl_err(err, EINVAL,
                           "image '%s': partition %d: no known filesystem (" KNOWN_FS ")", label,
                           partition);
        return 0;
    }
    return vsl_err(err, EINVAL, "image '%s': partition %d does not exist", label, partition);
}

static int
select_first_linux(int fd, const char *label, const struct ptable *t, uint64_t file_size,
                   struct img_info *ret, struct vsl_error *err)
{
    for (size_t i = 0; i < t->n; i++) {
        if (!t->v[i].is_linux)
            continue;
        int r = probe_region(fd, label, &t->v[i], file_size, ret, err);
        if (r != 0)
            return r < 0 ? r : 0;
    }
    return vsl_err(err, EINVAL, "image '%s': no Linux partition with a known filesystem", label);
}

static int
image_size(int fd, const char *label, uint64_t *ret_size, struct vsl_error *err)
{
    struct stat st;
    uint64_t size;

    if (fstat(fd, &st) < 0)
        return vsl_err_errno(err, "image '%s': fstat", label);
    if (S_ISREG(st.st_mode)) {
        size = (uint64_t)st.st_size;
    } else if (S_ISBLK(st.st_mode)) {
        if (ioctl(fd, BLKGETSIZE64, &size) < 0)
            return vsl_err_errno(err, "image '%s': BLKGETSIZE64", label);
    } else {
        return vsl_err(err, EINVAL, "image '%s': not a regular file or block device", label);
    }
    *ret_size = size;
    return 0;
}

int
img_detect_fd(int fd, const char *label, int partition, struct img_info *ret, struct vsl_error *err)
{
    _cleanup_(ptable_freep) struct ptable t = {0};
    struct img_info info;
    uint64_t file_size = 0;
    int r;

    if (!label)
        label = "?";
    if (partition < 0)
        return vsl_err(err, EINVAL, "image '%s': bad partition number %d", label, partition);
    r = image_size(fd, label, &file_size, err);
    if (r < 0)
        return r;
    if (file_size == 0)
        return vsl_err(err, EINVAL, "image '%s': file is empty", label);
    if (partition == 0) {
        struct part whole = {.offset = 0, .size = file_size};
        r = probe_region(fd, label, &whole, file_size, &info, err);
        if (r < 0)
            return r;
        if (r > 0) {
            *ret = info;
            return 0;
        }
    }
    r = read_table(fd, label, &t, err);
    if (r < 0)
        return r;
    if (r == 0 && partition > 0)
        return vsl_err(err, EINVAL, "image '%s': partition %d does not exist (no partition table)",
                       label, partition);
    if (r == 0 && file_size < SECTOR)
        return vsl_err(err, EINVAL,
                       "image '%s': too small (%" PRIu64 " bytes) for a filesystem (" KNOWN_FS
                       ") or a partition table",
                       label, file_size);
    if (r == 0)
        return vsl_err(err, EINVAL,
                       "image '%s': no known filesystem (" KNOWN_FS ") and no partition table",
                       label);
    if (partition > 0)
        r = select_number(fd, label, &t, partition, file_size, &info, err);
    else
        r = select_first_linux(fd, label, &t, file_size, &info, err);
    if (r < 0)
        return r;
    *ret = info;
    return 0;
}

int
img_open_and_detect(const char *path, int partition, int *ret_fd, struct img_info *ret,
                    struct vsl_error *err)
{
    _cleanup_close_ int fd = -EBADF;
    struct img_info info;
    int r;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return vsl_err_errno(err, "image '%s'", path);
    r = img_detect_fd(fd, path, partition, &info, err);
    if (r < 0)
        return r;
    *ret = info;
    *ret_fd = TAKE_FD(fd);
    return 0;
}

bool
img_fstype_is_readonly(const char *fstype)
{
    return fstype && (strcmp(fstype, "squashfs") == 0 || strcmp(fstype, "erofs") == 0);
}

/* The writable open falls back to read-only where writing is not allowed. */
static int
open_backing(const char *path, bool readonly, int *ret_fd, bool *ret_readonly,
             struct vsl_error *err)
{
    int fd;

    if (!readonly) {
        fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) {
            *ret_fd = fd;
            *ret_readonly = false;
            return 0;
        }
        if (errno != EROFS && errno != EACCES && errno != EPERM)
            return vsl_err_errno(err, "image '%s'", path);
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return vsl_err_errno(err, "image '%s'", path);
    *ret_fd = fd;
    *ret_readonly = true;
    return 0;
}

/* The device number from sysfs (it depends on loop's max_part), else the usual 7:N. */
static dev_t
loop_devnum(int nr)
{
    char path[64], buf[32] = "";
    unsigned int maj, min;
    _cleanup_close_ int fd = -EBADF;

    (void)snprintf(path, sizeof(path), "/sys/devices/virtual/block/loop%d/dev", nr);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && sscanf(buf, "%u:%u", &maj, &min) == 2)
        return makedev(maj, min);
    return makedev(7, (unsigned int)nr);
}

/* Open /dev/loopN, creating the node where /dev lacks it (inside containers). */
static int
open_loop_dev(int nr, const char *dev, int *ret_fd, struct vsl_error *err)
{
    int fd = open(dev, O_RDWR | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT) {
        if (mknod(dev, S_IFBLK | 0660, loop_devnum(nr)) < 0 && errno != EEXIST)
            return vsl_err_errno(err, "mknod '%s'", dev);
        fd = open(dev, O_RDWR | O_CLOEXEC);
    }
    if (fd < 0)
        return vsl_err_errno(err, "open '%s'", dev);
    *ret_fd = fd;
    return 0;
}

/* One attempt; -EBUSY when another process configured the free device first. LOOP_CONFIGURE
 * (Linux 5.8) sets backing file, offset, size limit and flags in one step, so there is no window
 * in which the device is bound but unconfigured; older kernels are not supported. */
static int
try_attach(int ctl_fd, int file_fd, const char *path, const struct img_info *info, bool readonly,
           char *dev, size_t dev_len, int *ret_fd, struct vsl_error *err)
{
    _cleanup_close_ int loop_fd = -EBADF;
    struct loop_config cfg = {
        .fd = (uint32_t)file_fd,
        .info.lo_offset = info->offset,
        .info.lo_sizelimit = info->partition ? info->size : 0,
        /* not LO_FLAGS_DIRECT_IO: buffered I/O works for any offset and backing filesystem */
        .info.lo_flags = LO_FLAGS_AUTOCLEAR | (readonly ? LO_FLAGS_READ_ONLY : 0),
    };
    int nr, r;

    nr = ioctl(ctl_fd, LOOP_CTL_GET_FREE);
    if (nr < 0)
        return vsl_err_errno(err, "image '%s': no free loop device: LOOP_CTL_GET_FREE", path);
    (void)snprintf(dev, dev_len, "/dev/loop%d", nr);
    r = open_loop_dev(nr, dev, &loop_fd, err);
    if (r < 0)
        return r;
    (void)snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", path);
    if (ioctl(loop_fd, LOOP_CONFIGURE, &cfg) < 0)
        return vsl_err_errno(err, "image '%s': LOOP_CONFIGURE '%s'", path, dev);
    *ret_fd = TAKE_FD(loop_fd);
    return 0;
}

int
img_loop_attach(const char *path, const struct img_info *info, bool readonly, int *ret_loop_fd,
                char *ret_dev, size_t dev_len, bool *ret_readonly, struct vsl_error *err)
{
    _cleanup_close_ int file_fd = -EBADF, ctl_fd = -EBADF, loop_fd = -EBADF;
    char dev[32];
    bool ro = true;
    int r;

    /* Checked before attaching, so nothing can fail once the device is configured. */
    if (dev_len < sizeof(dev))
        return vsl_err(err, EINVAL, "image '%s': device name buffer too small", path);
    r = open_backing(path, readonly || img_fstype_is_readonly(info->fstype), &file_fd, &ro, err);
    if (r < 0)
        return r;
    ctl_fd = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (ctl_fd < 0)
        return vsl_err_errno(err, "image '%s': open '/dev/loop-control'", path);
    for (int attempt = 1;; attempt++) {
        r = try_attach(ctl_fd, file_fd, path, info, ro, dev, sizeof(dev), &loop_fd, err);
        if (r != -EBUSY || attempt == LOOP_ATTEMPTS)
            break;
    }
    if (r < 0)
        return r;
    memcpy(ret_dev, dev, sizeof(dev));
    *ret_readonly = ro;
    *ret_loop_fd = TAKE_FD(loop_fd);
    return 0;
}
