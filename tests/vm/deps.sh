#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what the cgroup v2 VM tests need (about 610 MB, about 4 minutes on a fresh machine):
# qemu, Debian's kernel (installing it does not change how the host boots), a static busybox for
# the initramfs, cpio. Root only; as another user it only says what is missing. Exit 0 when all
# is there, 1 when something is missing and cannot be installed.
set -euo pipefail
pkgs=(qemu-system-x86 linux-image-amd64 busybox-static cpio xz-utils)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "vessel: the VM tests need: ${missing[*]} (run as root to install them)" >&2
    exit 1
fi
echo "installing for the VM tests: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
