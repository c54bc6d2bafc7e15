#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs integration tests inside a qemu VM with Debian's kernel and cgroup v2 (tests/vm/README.md):
#   tests/vm/run.sh BUILD [BATS_FILE...]     (default: cgroup.bats and systemd.bats)
# BUILD is the build directory holding vessel and the cgroup test tools (relative to the repo).
# Boots the ELF vmlinux extracted from /boot's bzImage (PVH: seconds instead of tens under TCG)
# with a small initramfs (busybox + the virtio/9p modules); the guest sees the host's /usr and
# /etc and this repository read-only, and writes the TAP output to a results share. Exits with
# bats's status in the guest (1 when the guest never reported).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
REPO=$PWD
BUILD=${1:?usage: tests/vm/run.sh BUILD [BATS_FILE...]}
shift
FILES=("$@")
[ ${#FILES[@]} -gt 0 ] || FILES=(tests/integration/cgroup.bats tests/integration/systemd.bats)
OUT=$REPO/$BUILD/vm
VM_TIMEOUT=${VM_TIMEOUT:-1500}

die() {
    echo "vm: $*" >&2
    exit 1
}

kernel_version() {
    local k
    for k in $(ls -v /boot/vmlinuz-* 2>/dev/null | sort -rV); do
        k=${k#/boot/vmlinuz-}
        [ -d "/usr/lib/modules/$k/kernel/fs/9p" ] && { echo "$k"; return 0; }
    done
    return 1
}

# The ELF inside the bzImage: its xz payload, decompressed once.
extract_vmlinux() {
    local bz=$1 out=$2 off
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bz" | head -n 1 | cut -d: -f1)
    [ -n "$off" ] || return 1
    tail -c +$((off + 1)) "$bz" | xz -dc --single-stream >"$out.tmp" 2>/dev/null
    [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ] || return 1
    mv "$out.tmp" "$out"
}

build_initramfs() {
    local kver=$1 out=$2 dir m
    dir=$(mktemp -d)
    mkdir -p "$dir"/{bin,proc,sys,dev,newroot,modules}
    cp /bin/busybox "$dir/bin/busybox"
    cp tests/vm/init "$dir/init"
    cp tests/vm/stage2 "$dir/stage2"
    : >"$dir/modules.list"
    for m in $(for mod in virtio_pci 9pnet_virtio 9p overlay; do
        modprobe -S "$kver" --show-depends "$mod"
    done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'); do
        cp "$m" "$dir/modules/"
        basename "$m" >>"$dir/modules.list"
    done
    (cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp" && mv "$out.tmp" "$out"
    rm -rf "$dir"
}

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (tests/vm/deps.sh)"
[ -x "$BUILD/vessel" ] || die "$BUILD/vessel is missing: build first"
KVER=$(kernel_version) || die "no kernel with 9p modules in /boot (tests/vm/deps.sh)"
mkdir -p "$OUT"
if [ ! -s "$OUT/vmlinux-$KVER" ]; then
    extract_vmlinux "/boot/vmlinuz-$KVER" "$OUT/vmlinux-$KVER" || die "cannot extract vmlinux"
fi
if [ ! -s "$OUT/initramfs-$KVER.gz" ] || [ tests/vm/init -nt "$OUT/initramfs-$KVER.gz" ] ||
    [ tests/vm/stage2 -nt "$OUT/initramfs-$KVER.gz" ] || [ "$0" -nt "$OUT/initramfs-$KVER.gz" ]; then
    build_initramfs "$KVER" "$OUT/initramfs-$KVER.gz" || die "cannot build the initramfs"
fi
RESULTS=$OUT/results
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
{
    printf 'VM_BUILD=%q\n' "$BUILD"
    printf 'VM_FILES=%q\n' "${FILES[*]}"
    printf 'VM_TIMEOUT=%q\n' "$VM_TIMEOUT"
} >"$RESULTS/job"

share() {
    echo "-virtfs local,path=$1,mount_tag=$2,security_model=none,multidevs=remap${3:+,$3}"
}
echo "=== VM tests (cgroup v2, kernel $KVER): ${FILES[*]}"
# shellcheck disable=SC2046
timeout -k 10 $((VM_TIMEOUT + 120)) qemu-system-x86_64 -M pc -accel tcg -smp 1 -m 1024 \
    -nographic -no-reboot -kernel "$OUT/vmlinux-$KVER" -initrd "$OUT/initramfs-$KVER.gz" \
    -append "console=ttyS0 panic=-1 quiet loglevel=3" \
    $(share /usr usr readonly=on) $(share /etc etc readonly=on) $(share "$REPO" work readonly=on) \
    $(share "$RESULTS" results) </dev/null | grep -v '^\s*$' | grep -av 'random: crng'
[ -s "$RESULTS/status" ] || die "the guest did not report (crashed or timed out)"
status=$(cat "$RESULTS/status")
passed=$(grep -cE '^ok [0-9]+' "$RESULTS/tap.txt")
failed=$(grep -cE '^not ok [0-9]+' "$RESULTS/tap.txt")
echo "=== VM tests: $passed passed, $failed failed (bats exited with $status)"
exit "$status"
