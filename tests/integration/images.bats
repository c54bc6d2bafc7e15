#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Disk images as the root: raw filesystems (ext4, xfs, btrfs, squashfs, erofs) and partitioned GPT
# and MBR disks, attached with loop devices that must be gone, with every mount, once the container
# exited. Needs root.

load helpers

setup_file() { vt_setup_file; }
teardown_file() { vt_teardown_file; }
setup() { vt_setup; }
teardown() { vt_teardown; }

# vt_assert_released IMAGE: no loop device for IMAGE, no mount from one, nothing else leaked.
vt_assert_released() {
    local loops
    loops=$(losetup -j "$1")
    [ -z "$loops" ] || vt_fail "loop device still attached to $1: $loops"
    vt_assert_no_leaks
}

# A root on a GPT disk: partition 1 an (empty) EFI system partition, partition 2 Linux with ext4.
vt_mk_gpt_root() {
    vt_mk_disk "$1" gpt ',4M,U\n,,L\n'
    mke2fs -q -F -t ext4 -d "$ROOT" "$WORK/part.img" "$(vt_part_kib "$1" 2)k"
    vt_write_part "$1" 2 "$WORK/part.img"
    rm -f "$WORK/part.img"
}

# A root on an MBR disk: partition 1 FAT32 (type c, empty), partition 2 Linux (83) with ext4.
vt_mk_mbr_root() {
    vt_mk_disk "$1" dos ',4M,c\n,,L\n'
    mke2fs -q -F -t ext4 -d "$ROOT" "$WORK/part.img" "$(vt_part_kib "$1" 2)k"
    vt_write_part "$1" 2 "$WORK/part.img"
    rm -f "$WORK/part.img"
}

# ---- raw filesystems

@test "ext4: runs from the image and releases it" {
    vt_mk_ext4 "$WORK/root.ext4"
    vrun run "$WORK/root.ext4" /probe pid
    vt_assert_status 0
    vt_assert_output "pid=1"
    vt_assert_released "$WORK/root.ext4"
}

@test "ext4: the root is the image's filesystem" {
    vt_mk_ext4 "$WORK/root.ext4"
    vrun run "$WORK/root.ext4" /probe mounts
    vt_assert_status 0
    # mountinfo: ... MOUNTPOINT OPTIONS ... - FSTYPE SOURCE ...
    vt_assert_match '(^|'$'\n'')[0-9]+ [0-9]+ [0-9]+:[0-9]+ / / [^'$'\n'']* - ext4 '
    vt_assert_released "$WORK/root.ext4"
}

@test "ext4: writes persist across runs" {
    vt_mk_ext4 "$WORK/root.ext4"
    vrun run "$WORK/root.ext4" /probe write /persist.txt "on disk"
    vt_assert_status 0
    vt_assert_released "$WORK/root.ext4"
    vrun run "$WORK/root.ext4" /probe read /persist.txt
    vt_assert_status 0
    vt_assert_output "on disk"
    run debugfs -R 'cat /persist.txt' "$WORK/root.ext4"
    vt_assert_line "on disk"
    vt_assert_released "$WORK/root.ext4"
}

@test "ext4: --read-only refuses writes and leaves the image as it was" {
    vt_mk_ext4 "$WORK/root.ext4"
    local before
    before=$(sha256sum <"$WORK/root.ext4")
    vrun run --read-only "$WORK/root.ext4" /probe write /ro.txt x
    vt_assert_status 1
    vt_assert_stderr_match 'Read-only file system'
    vt_assert_released "$WORK/root.ext4"
    [ "$(sha256sum <"$WORK/root.ext4")" = "$before" ] || vt_fail "the image changed"
}

@test "ext4: --ephemeral throws writes away" {
    vt_mk_ext4 "$WORK/root.ext4"
    vrun run --ephemeral "$WORK/root.ext4" /bin/sh -c '/probe write /eph.txt x && /probe read /eph.txt'
    vt_assert_status 0
    vt_assert_output "x"
    vt_assert_released "$WORK/root.ext4"
    vrun run "$WORK/root.ext4" /probe read /eph.txt
    vt_assert_status 1
    vt_assert_released "$WORK/root.ext4"
}

@test "ext4: a volume and a tmpfs on an image root" {
    vt_mk_ext4 "$WORK/root.ext4"
    mkdir "$WORK/vol"
    echo "host file" >"$WORK/vol/f"
    vrun run -v "$WORK/vol:/mnt" --tmpfs /tmp "$WORK/root.ext4" /bin/sh -c '/probe read /mnt/f && /probe write /tmp/t ok && /probe read /tmp/t'
    vt_assert_status 0
    vt_assert_output "host file
ok"
    vt_assert_released "$WORK/root.ext4"
}

@test "squashfs: runs from the image, read-only" {
    vt_mk_squashfs "$WORK/root.sqfs"
    vrun run "$WORK/root.sqfs" /bin/sh -c '/probe read /etc/group; /probe write /new.txt x'
    vt_assert_status 1
    vt_assert_line "tester:x:1000:"
    vt_assert_stderr_match 'Read-only file system'
    vt_assert_released "$WORK/root.sqfs"
}

@test "squashfs: the loop device is read-only while the container runs" {
    vt_mk_squashfs "$WORK/root.sqfs"
    vt_bg ctr run "$WORK/root.sqfs" /probe trap 30
    vt_wait_line "$WORK/ctr.out" ready || vt_bg_abort ctr "the container did not start"
    local dev ro
    dev=$(losetup -j "$WORK/root.sqfs" | cut -d: -f1)
    ro=$(losetup -n -l -O RO "$dev" 2>/dev/null | tr -d ' ')
    kill -TERM "$(vt_container_pid "$(cat "$WORK/ctr.pid")")"
    vt_bg_wait ctr
    [ -n "$dev" ] || vt_fail "no loop device attached to the image while it ran"
    [ "$ro" = 1 ] || vt_fail "$dev is not read-only"
    vt_assert_released "$WORK/root.sqfs"
}

@test "erofs: runs from the image, read-only" {
    vt_mk_erofs "$WORK/root.erofs"
    vrun run "$WORK/root.erofs" /bin/sh -c '/probe read /etc/group; /probe write /new.txt x'
    vt_assert_status 1
    vt_assert_line "tester:x:1000:"
    vt_assert_stderr_match 'Read-only file system'
    vt_assert_released "$WORK/root.erofs"
}

@test "xfs: runs from the image and persists writes" {
    command -v mkfs.xfs >/dev/null || skip "mkfs.xfs not installed"
    truncate -s 320M "$WORK/root.xfs"
    mkfs.xfs -q "$WORK/root.xfs"
    mkdir "$WORK/mnt"
    mount -o loop "$WORK/root.xfs" "$WORK/mnt"
    cp -a "$ROOT/." "$WORK/mnt/"
    umount "$WORK/mnt"
    vrun run "$WORK/root.xfs" /probe write /persist.txt xfs
    vt_assert_status 0
    vt_assert_released "$WORK/root.xfs"
    vrun run "$WORK/root.xfs" /probe read /persist.txt
    vt_assert_status 0
    vt_assert_output "xfs"
    vt_assert_released "$WORK/root.xfs"
}

@test "btrfs: runs from the image" {
    command -v mkfs.btrfs >/dev/null || skip "mkfs.btrfs not installed"
    truncate -s 256M "$WORK/root.btrfs"
    mkfs.btrfs -q --rootdir "$ROOT" "$WORK/root.btrfs" >/dev/null
    vrun run "$WORK/root.btrfs" /probe pid
    vt_assert_status 0
    vt_assert_output "pid=1"
    vt_assert_released "$WORK/root.btrfs"
}

@test "image: the same read-only image in two containers at once" {
    vt_mk_squashfs "$WORK/root.sqfs"
    vt_bg first run "$WORK/root.sqfs" /probe trap 30
    vt_wait_line "$WORK/first.out" ready || vt_bg_abort first "the first container did not start"
    vrun run "$WORK/root.sqfs" /probe pid
    vt_assert_status 0
    vt_assert_output "pid=1"
    kill -TERM "$(vt_container_pid "$(cat "$WORK/first.pid")")"
    vt_bg_wait first
    vt_assert_status 115
    vt_assert_released "$WORK/root.sqfs"
}

# ---- partitioned disks

@test "gpt: runs from the first Linux partition" {
    vt_mk_gpt_root "$WORK/disk.img"
    vrun run "$WORK/disk.img" /probe read /etc/group
    vt_assert_status 0
    vt_assert_line "tester:x:1000:"
    vt_assert_released "$WORK/disk.img"
}

@test "gpt: --partition 2 explicitly, writes persist" {
    vt_mk_gpt_root "$WORK/disk.img"
    vrun run --partition 2 "$WORK/disk.img" /probe write /persist.txt gpt
    vt_assert_status 0
    vt_assert_released "$WORK/disk.img"
    vrun run --partition 2 "$WORK/disk.img" /probe read /persist.txt
    vt_assert_status 0
    vt_assert_output "gpt"
    vt_assert_released "$WORK/disk.img"
}

@test "gpt: --partition 9 fails 125 naming the partition" {
    vt_mk_gpt_root "$WORK/disk.img"
    vrun run --partition 9 "$WORK/disk.img" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error 'partition.*9|9.*partition'
    vt_assert_released "$WORK/disk.img"
}

@test "gpt: --partition 1 without a filesystem fails 125" {
    vt_mk_gpt_root "$WORK/disk.img"
    vrun run --partition 1 "$WORK/disk.img" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error
    vt_assert_released "$WORK/disk.img"
}

@test "gpt: a disk with no Linux partition fails 125" {
    vt_mk_disk "$WORK/disk.img" gpt ',4M,U\n'
    vrun run "$WORK/disk.img" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error
    vt_assert_released "$WORK/disk.img"
}

@test "mbr: runs from the first Linux partition" {
    vt_mk_mbr_root "$WORK/disk.img"
    vrun run "$WORK/disk.img" /probe read /etc/group
    vt_assert_status 0
    vt_assert_line "tester:x:1000:"
    vt_assert_released "$WORK/disk.img"
}

@test "mbr: --partition 2 explicitly" {
    vt_mk_mbr_root "$WORK/disk.img"
    vrun run --partition 2 "$WORK/disk.img" /probe pid
    vt_assert_status 0
    vt_assert_output "pid=1"
    vt_assert_released "$WORK/disk.img"
}

@test "mbr: --partition 9 fails 125 naming the partition" {
    vt_mk_mbr_root "$WORK/disk.img"
    vrun run --partition 9 "$WORK/disk.img" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error 'partition.*9|9.*partition'
    vt_assert_released "$WORK/disk.img"
}

# ---- not images

@test "junk: a file of random bytes fails 125, no known filesystem" {
    head -c 16M /dev/urandom >"$WORK/junk.img"
    vrun run "$WORK/junk.img" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error 'no known filesystem'
    vt_assert_released "$WORK/junk.img"
}

@test "junk: --partition on a raw filesystem image fails 125" {
    vt_mk_ext4 "$WORK/root.ext4"
    vrun run --partition 1 "$WORK/root.ext4" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error 'partition'
    vt_assert_released "$WORK/root.ext4"
}
