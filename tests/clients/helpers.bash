# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared by tests/clients/*.bats: real clients (podman, containerd) driving the built vessel as
# their OCI runtime, each with private storage under one temp directory that teardown removes.

bats_require_minimum_version 1.5.0

REPO=$(cd "$(dirname "$BATS_TEST_FILENAME")/../.." && pwd)
VESSEL_BIN=${VESSEL:-$REPO/build/vessel}
CT_TIMEOUT=${CT_TIMEOUT:-90}

ct_need() {
    local tool
    [ "$(id -u)" = 0 ] || skip "client tests need root"
    [ -x "$VESSEL_BIN" ] || skip "no $VESSEL_BIN: run make"
    for tool in "$@"; do
        command -v "$tool" >/dev/null || skip "$tool is not installed (make deps)"
    done
}

# A busybox root in DIR (the image both clients import).
ct_make_root() {
    local r=$1 applet
    mkdir -p "$r"/{bin,etc,proc,sys,dev,tmp,root,run,var}
    chmod 1777 "$r/tmp"
    cp /bin/busybox "$r/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ -e "$r/bin/$applet" ] || ln -s busybox "$r/bin/$applet"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
    printf 'root:x:0:\n' >"$r/etc/group"
}

# Unmount whatever is still mounted below DIR (deepest first), then remove it.
ct_remove_tree() {
    local dir=$1 m
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    for m in $(awk -v d="$dir/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
    rm -rf --one-file-system "$dir"
}

# Runs a command under a pseudo terminal (script(1)), for -it.
ct_tty() {
    timeout -k 5 "$CT_TIMEOUT" script -qec "$*" /dev/null </dev/null
}

ct_assert_status() {
    [ "$status" -eq "$1" ] || {
        echo "expected status $1, got $status; output: $output" >&2
        return 1
    }
}

ct_assert_match() {
    [[ $output =~ $1 ]] || {
        echo "expected output to match /$1/, got: $output" >&2
        return 1
    }
}
