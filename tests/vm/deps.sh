#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what the cgroup v2 VM tests need (about 610 MB, about 4 minutes on a fresh machine):
# qemu, Debian's kernel (installing it does not change how the host boots), a static busybox for
# the initramfs, cpio. The list lives in scripts/deps.sh ("vm"). Exit 0 when all is there, 1 when
# something is missing and cannot be installed (not root).
exec bash "$(dirname "$0")/../../scripts/deps.sh" vm
