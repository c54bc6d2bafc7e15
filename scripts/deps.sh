#!/usr/bin/env bash
# Installs the Debian packages vessel builds and tests with, when missing: `deps.sh build` only
# what building and `make run` need, `deps.sh vm` the VM suite's, `deps.sh` the build's and the
# tests'. Root only; as another user it only says what is missing.
set -euo pipefail
# What building vessel and running the built-in busybox image need (`make run`) ...
build=(gcc make pkg-config libc6-dev libjansson-dev libcap-dev libseccomp-dev busybox-static)
# ... and what the tests add (`make check`): image tools, clients, bats.
tests=(bats e2fsprogs squashfs-tools erofs-utils xfsprogs btrfs-progs fdisk util-linux iproute2
       procps python3 crun uidmap podman conmon containerd)
# ... and the cgroup v2 suite in qemu (`make check-vm`, tests/vm): about 610 MB.
vm=(qemu-system-x86 linux-image-amd64 busybox-static cpio xz-utils systemd dbus-user-session)
case "${1:-all}" in
build) pkgs=("${build[@]}") ;;
vm) pkgs=("${vm[@]}") ;;
*) pkgs=("${build[@]}" "${tests[@]}") ;;
esac
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "vessel: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
