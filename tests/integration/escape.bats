#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The host stays out of reach: each test attacks from inside a container with `probe attack NAME`
# (tests/payload/probe.c) under vessel run's defaults — docker's capabilities, the built-in seccomp
# profile, masked and read-only paths — and shows the attack fails. `blocked: ...` on stdout and
# status 0 mean it failed; `ESCAPED: ...` and status 3 mean it worked. Needs root.

load helpers

setup_file() { vt_setup_file; }
teardown_file() { vt_teardown_file; }
setup() { vt_setup; }
teardown() { vt_teardown; }

# vt_blocked ARGS...: `vessel run` ARGS and expect the probe to report the attack blocked.
vt_blocked() {
    vrun run "$@"
    vt_assert_status 0
    vt_assert_match '^blocked: '
}

# ---- CVE-2019-5736: the runtime binary through /proc/PID/exe

# vt_sealed_exe LINK: /proc/PID/exe of a vessel that sealed itself: the private read-only overlay
# of its directory ("/vessel") or the sealed memfd copy, never the binary's own path.
vt_sealed_exe() {
    [ "$1" = "/$(basename "$VESSEL_BIN")" ] || [ "$1" = "/memfd:vessel (deleted)" ]
}

# what the attacker meets: the init's exe closed to it (not dumpable), the overlay refuses the
# write (EROFS), the memfd's seals refuse it (EPERM), or the host-side vessel still executes the
# copy (ETXTBSY)
VT_EXE_BLOCKED="blocked: (open '/proc/[0-9]+/exe': Permission denied|reopen the runtime's exe for writing: Read-only file system|write the runtime's exe: Operation not permitted|reopen the runtime's exe for writing: Text file busy)"

@test "CVE-2019-5736: '#!/proc/self/exe' in a container reaches the sealed trampoline, never vessel" {
    local sum
    sum=$(sha256sum "$VESSEL_BIN" | cut -d' ' -f1)
    # /evil asks for /proc/self/exe of the process executing it as its interpreter: the init's,
    # which is vessel's sealed exec trampoline at that moment; it refuses to run anything
    printf '#!/proc/self/exe --log\n' >"$ROOT/evil"
    chmod 0755 "$ROOT/evil"
    vt_defer "rm -f '$ROOT/evil'"
    vrun --debug run "$ROOT" /evil run --env-file /dev/stdin /
    vt_assert_status 126
    vt_assert_stderr_match "init: execute '/evil' through the sealed trampoline"
    vt_assert_stderr_match "/proc/self/exe is vessel's exec trampoline here, which runs nothing"
    [ "$(sha256sum "$VESSEL_BIN" | cut -d' ' -f1)" = "$sum" ] || vt_fail "vessel's binary changed"
}

@test "CVE-2019-5736: the init is closed to the container's processes until it executes" {
    local sum b=$WORK/bundle init=""
    sum=$(sha256sum "$VESSEL_BIN" | cut -d' ' -f1)
    # created, not started: the init is vessel, with the container's three capabilities, which
    # the attacker's default set covers; only its not being dumpable keeps /proc/PID/exe closed
    vt_make_bundle "$b" /probe pid
    vessel create --bundle "$b" ex0
    vt_defer "'$VESSEL_BIN' --root '$STATE' delete -f ex0"
    init=$(vessel state ex0 | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
    [ -n "$init" ] || vt_fail "no init pid in the state"
    grep -q '^CapEff:[[:space:]]*0000000020000420$' "/proc/$init/status" ||
        vt_fail "the waiting init holds $(grep CapEff "/proc/$init/status")"
    vrun run --pid host "$ROOT" /probe attack exe "$init"
    vt_assert_status 0
    vt_assert_match "blocked: open '/proc/$init/exe': Permission denied"
    [ "$(sha256sum "$VESSEL_BIN" | cut -d' ' -f1)" = "$sum" ] || vt_fail "vessel's binary changed"
}

@test "CVE-2019-5736: where the trampoline does not fit, the init is a sealed copy" {
    local sum fifo init
    sum=$(sha256sum "$VESSEL_BIN" | cut -d' ' -f1)
    # --pid host: the container's processes see the init; vessel re-executes from a sealed copy,
    # and /evil runs that copy as the container's init, which then blocks reading an env file
    printf '#!/proc/self/exe --log\n' >"$ROOT/evil"
    chmod 0755 "$ROOT/evil"
    vt_defer "rm -f '$ROOT/evil'"
    fifo=$WORK/stdin
    mkfifo "$fifo"
    "$VESSEL_BIN" --root "$STATE" run -i --pid host "$ROOT" /evil run --env-file /dev/stdin / \
        <"$fifo" >"$WORK/a.out" 2>"$WORK/a.err" &
    echo $! >"$WORK/a.pid"
    VT_BG_PIDS+=($!)
    exec 7>"$fifo"
    for _ in $(seq 50); do
        init=$(pgrep -f -- '--log /evil run --env-file' | head -1) && [ -n "$init" ] &&
            vt_sealed_exe "$(readlink "/proc/$init/exe")" && break
        sleep 0.1
    done
    [ -n "$init" ] || vt_fail "the container did not start: $(cat "$WORK/a.err")"
    vt_sealed_exe "$(readlink "/proc/$init/exe")" ||
        vt_fail "the init's exe is $(readlink "/proc/$init/exe")"
    # the attacker, in a second container seeing host pids, holds the exe, waits for vessel to
    # exit, then writes through it
    "$VESSEL_BIN" --root "$STATE" run --pid host "$ROOT" /probe attack exe "$init" \
        </dev/null >"$WORK/b.out" 2>"$WORK/b.err" 7>&- &
    echo $! >"$WORK/b.pid"
    VT_BG_PIDS+=($!)
    vt_wait_line "$WORK/b.out" "target: $(readlink "/proc/$init/exe")"
    exec 7>&-
    vt_bg_wait b 30
    vt_assert_match "$VT_EXE_BLOCKED"
    vt_bg_wait a 30 || true
    [ "$(sha256sum "$VESSEL_BIN" | cut -d' ' -f1)" = "$sum" ] || vt_fail "vessel's binary changed"
}

@test "CVE-2019-5736: a vessel exec process is a sealed copy too" {
    local sum b=$WORK/bundle fifo=$WORK/stdin target=""
    sum=$(sha256sum "$VESSEL_BIN" | cut -d' ' -f1)
    vt_make_bundle "$b" /probe sleep 60
    printf '#!/proc/self/exe --log\n' >"$b/rootfs/evil"
    chmod 0755 "$b/rootfs/evil"
    vessel create --bundle "$b" ex1
    vt_defer "'$VESSEL_BIN' --root '$STATE' delete -f ex1"
    vessel start ex1
    mkfifo "$fifo"
    "$VESSEL_BIN" --root "$STATE" exec ex1 /evil run --env-file /dev/stdin / \
        <"$fifo" >"$WORK/a.out" 2>"$WORK/a.err" &
    echo $! >"$WORK/a.pid"
    VT_BG_PIDS+=($!)
    exec 7>"$fifo"
    for _ in $(seq 50); do
        target=$(pgrep -f -- '--log /evil run --env-file' | head -1) && [ -n "$target" ] && break
        sleep 0.1
    done
    [ -n "$target" ] || vt_fail "the exec'd vessel did not start: $(cat "$WORK/a.err")"
    vt_sealed_exe "$(readlink "/proc/$target/exe")" ||
        vt_fail "the exec process's exe is $(readlink "/proc/$target/exe")"
    "$VESSEL_BIN" --root "$STATE" run --pid host "$ROOT" /probe attack exe "$target" \
        </dev/null >"$WORK/b.out" 2>"$WORK/b.err" 7>&- &
    echo $! >"$WORK/b.pid"
    VT_BG_PIDS+=($!)
    vt_wait_line "$WORK/b.out" "target: $(readlink "/proc/$target/exe")"
    exec 7>&-
    vt_bg_wait b 30
    vt_assert_match "$VT_EXE_BLOCKED"
    vt_bg_wait a 30 || true
    [ "$(sha256sum "$VESSEL_BIN" | cut -d' ' -f1)" = "$sum" ] || vt_fail "vessel's binary changed"
}

@test "CVE-2019-5736: with the trampoline, vessel itself is not re-executed" {
    local link
    vt_bg a run "$ROOT" /bin/sleep 3
    vt_wait_children a || vt_fail "the container did not start"
    link=$(readlink "/proc/$(cat "$WORK/a.pid")/exe")
    [ "$link" = "$(readlink -f "$VESSEL_BIN")" ] || vt_fail "vessel's exe is '$link'"
    vt_bg_wait a
    vt_assert_status 0
}

@test "CVE-2019-5736: the copy is a private read-only overlay, else a sealed memfd" {
    local st link
    # root: the overlay of the binary's directory, in no mount table (--pid host: no trampoline)
    vt_bg a run --pid host "$ROOT" /bin/sleep 3
    vt_wait_children a || vt_fail "the container did not start"
    link=$(readlink "/proc/$(cat "$WORK/a.pid")/exe")
    [ "$link" = "/$(basename "$VESSEL_BIN")" ] || vt_fail "vessel's exe is '$link', not the overlay"
    ! grep -q " $(dirname "$VESSEL_BIN") " /proc/self/mountinfo || vt_fail "the overlay is attached"
    vt_bg_wait a
    # a state root inside the binary's directory makes the layers overlap: overlayfs refuses, the
    # memfd copy takes over
    st=$(dirname "$VESSEL_BIN")/.vt-escape-$$
    vt_defer "rm -rf '$st'"
    "$VESSEL_BIN" --root "$st" run --pid host "$ROOT" /bin/sleep 3 </dev/null >"$WORK/b.out" \
        2>"$WORK/b.err" &
    echo $! >"$WORK/b.pid"
    VT_BG_PIDS+=($!)
    vt_wait_children b || vt_fail "the container did not start"
    link=$(readlink "/proc/$(cat "$WORK/b.pid")/exe")
    [ "$link" = "/memfd:vessel (deleted)" ] || vt_fail "vessel's exe is '$link', not the memfd"
    vt_bg_wait b
    vt_assert_status 0
}

# ---- CVE-2024-21626: fds and the working directory

@test "CVE-2024-21626: only fds 0, 1 and 2 are open in the container" {
    vt_blocked "$ROOT" /probe attack fds
    vt_blocked -t "$ROOT" /probe attack fds
}

@test "CVE-2024-21626: the working directory is inside the root" {
    vt_blocked -w /tmp "$ROOT" /probe attack cwd
    vt_blocked -w /proc/self/fd "$ROOT" /probe attack cwd
}

# ---- symlinks in the image (CVE-2021-30465, CVE-2025-31133)

@test "symlink: an absolute symlink in the image cannot redirect a volume outside the root" {
    local root=$WORK/root target=$WORK/host-target
    vt_copy_root "$root"
    mkdir -p "$target" "$WORK/src"
    ln -s "$target" "$root/mnt/link"
    vrun run -v "$WORK/src:/mnt/link/x" "$root" /bin/sh -c 'echo hi >/mnt/link/x/file'
    vt_assert_status 0
    [ -f "$WORK/src/file" ] || vt_fail "the volume was not mounted where the container sees it"
    [ ! -e "$target/x" ] || vt_fail "vessel created '$target/x' on the host"
    [ -d "$root/$target/x" ] || vt_fail "the destination was not resolved inside the root"
}

@test "symlink: a relative ../ symlink in the image cannot redirect a tmpfs outside the root" {
    local root=$WORK/root target=$WORK/host-target
    vt_copy_root "$root"
    mkdir -p "$target"
    ln -s "../../../../../../../../../..$target" "$root/mnt/up"
    vrun run --tmpfs /mnt/up/t "$root" /bin/true
    vt_assert_status 0
    [ ! -e "$target/t" ] || vt_fail "vessel created '$target/t' on the host"
}

@test "symlink: a masked or read-only path that is a symlink is refused, not followed" {
    local b=$WORK/bundle
    vt_make_bundle "$b" /probe read /etc/passwd
    ln -s /etc/passwd "$b/rootfs/etc/masked"
    vt_json_edit "$b/config.json" 'c["linux"]["maskedPaths"] = ["/etc/masked"]'
    vrun run --bundle "$b" sym1
    [ "$status" -ne 0 ] || vt_fail "vessel followed a symlinked masked path"
    vt_assert_stderr_match "'/etc/masked' goes through a symlink"
    vt_json_edit "$b/config.json" 'c["linux"]["maskedPaths"] = []; c["linux"]["readonlyPaths"] = ["/etc/masked"]'
    vrun run --bundle "$b" sym2
    [ "$status" -ne 0 ] || vt_fail "vessel followed a symlinked read-only path"
    vt_assert_stderr_match "'/etc/masked' goes through a symlink"
}

@test "CVE-2025-31133: an image's /dev/null symlink does not become a mask" {
    local b=$WORK/bundle
    # no /dev tmpfs: the image's /dev is used, and its null is a symlink to a host-sensitive file
    vt_make_bundle "$b" /probe stat /proc/keys
    vt_json_edit "$b/config.json" 'c["mounts"] = [m for m in c["mounts"] if not m["destination"].startswith("/dev")]'
    mkdir -p "$b/rootfs/dev"
    ln -sf /proc/sys/kernel/core_pattern "$b/rootfs/dev/null"
    vrun run --bundle "$b" devnull
    if [ "$status" -eq 0 ]; then
        # the mask is the host's own /dev/null (1:3), whatever the image holds
        vt_assert_match 'rdev=1:3|1:3'
    else
        vt_assert_stderr_match "null"
    fi
    grep -q . /proc/sys/kernel/core_pattern
}

# ---- the root, /proc and /sys

@test "a second chroot and '..' do not leave the root after pivot_root" {
    vt_blocked "$ROOT" /probe attack chroot
}

@test "writes to /proc/sysrq-trigger, /proc/sys/kernel and /sys fail" {
    vt_blocked "$ROOT" /probe attack sysrq
    vt_blocked "$ROOT" /probe attack rewrite /proc/sys/kernel/core_pattern
    vt_blocked "$ROOT" /probe attack rewrite /proc/sys/kernel/hostname
    vt_blocked "$ROOT" /probe attack rewrite /sys/kernel/rcu_expedited
}

@test "/proc/kcore yields nothing; masked /proc files read empty" {
    vt_blocked "$ROOT" /probe attack kcore
    vrun run "$ROOT" /bin/sh -c 'cat /proc/keys /proc/timer_list 2>/dev/null | wc -c'
    vt_assert_status 0
    vt_assert_output 0
}

# ---- syscalls under the default profile and capabilities

@test "mount, module loading, reboot, keyctl and unshare fail" {
    local a
    for a in mount module reboot keyctl unshare; do
        vt_blocked "$ROOT" /probe attack "$a"
    done
}

@test "raw sockets fail with --cap-drop NET_RAW (docker's default set keeps NET_RAW)" {
    vt_blocked --cap-drop NET_RAW "$ROOT" /probe attack rawsock
}

@test "a block device made with mknod cannot be opened (devices cgroup)" {
    local dev majmin
    dev=$(findmnt -no SOURCE / | head -1)
    majmin=$(lsblk -ndo MAJ:MIN "$dev" 2>/dev/null | tr -d ' ')
    [ -n "$majmin" ] || majmin=8:0
    vt_blocked "$ROOT" /probe attack blockdev "${majmin%%:*}" "${majmin##*:}"
}

@test "no host process can be seen, signalled or traced" {
    sleep 60 &
    local pid=$!
    VT_BG_PIDS+=($pid)
    vt_blocked "$ROOT" /probe attack hostpid "$pid"
    vrun run "$ROOT" /probe ps
    vt_assert_status 0
    [ "$(printf '%s\n' "$output" | grep -c .)" -le 3 ] || vt_fail "the container sees other processes"
    kill "$pid"
}
