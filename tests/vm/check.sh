#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make check`'s VM step: the cgroup tests under cgroup v2 in qemu whenever the packages are there
# or can be installed (tests/vm/deps.sh); otherwise says why it skipped and succeeds.
#   tests/vm/check.sh BUILD
cd "$(dirname "$0")/../.." || exit 1
if [ "${VESSEL_SKIP_VM:-0}" = 1 ]; then
    echo "=== VM tests skipped: VESSEL_SKIP_VM=1"
    exit 0
fi
if ! bash tests/vm/deps.sh; then
    echo "=== VM tests skipped: their packages are missing and cannot be installed here"
    exit 0
fi
exec bash tests/vm/run.sh "$1"
