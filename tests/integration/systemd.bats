#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# --systemd-cgroup: the container's cgroup is a transient scope that systemd makes over D-Bus
# (busctl). Everywhere: without a reachable systemd it is one clear error and leaves nothing. Under
# cgroup v2 (the qemu VM of tests/vm) a real systemd answers: a user manager (`systemd --user`,
# which brings up its own bus through dbus.socket) in a cgroup of its own, reached as the "system"
# bus through DBUS_SYSTEM_BUS_ADDRESS, so its slices nest under /vt-systemd and the scope's path
# must come from /proc, not from the slice name. Needs root.
# Environment: CG_BUILD=DIR (the VM) or VESSEL_BUILD=DIR takes vessel from DIR (default build).

load helpers

BUILD_DIR=${CG_BUILD:-$VESSEL_BUILD}
VESSEL_BIN=$BUILD_DIR/vessel
PROBE_BIN=$BUILD_DIR/probe
SD_DIR=/run/vt-systemd
SD_CG=/sys/fs/cgroup/vt-systemd
SD_BUS=unix:path=$SD_DIR/xdg/bus

setup_file() {
    sd_start
    vt_setup_file
}
teardown_file() {
    local rc=0
    vt_teardown_file || rc=1
    sd_stop || rc=1
    return $rc
}
setup() { vt_setup; }
teardown() {
    local rc=0 left
    left=$(sd_units)
    if [ -n "$left" ]; then
        echo "units left behind: $left" >&2
        rc=1
    fi
    vt_teardown || rc=1
    return $rc
}

# ---------------------------------------------------------------------------------------------------
# a systemd to talk to (cgroup v2 only: the VM)

# Why the D-Bus tests cannot run here (empty: they can).
sd_why_not() {
    [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || { echo "needs cgroup v2 (tests/vm)"; return; }
    [ ! -d /run/systemd/system ] || { echo "systemd runs here already"; return; }
    [ -x /lib/systemd/systemd ] || { echo "no /lib/systemd/systemd (Debian package systemd)"; return; }
    command -v busctl >/dev/null || { echo "no busctl (Debian package systemd)"; return; }
    [ -e /usr/lib/systemd/user/dbus.socket ] ||
        echo "no user dbus.socket (Debian package dbus-user-session)"
}

# Starts `systemd --user` (as root) in $SD_CG with dbus.socket as its only unit; its bus is at
# $SD_DIR/xdg/bus. systemd refuses to start without /run/systemd/system: made here, removed by
# sd_stop. Sets SD_REASON when it cannot run.
sd_start() {
    local i
    SD_REASON=$(sd_why_not)
    export SD_REASON
    [ -z "$SD_REASON" ] || return 0
    mkdir -p "$SD_DIR/xdg" /run/systemd/system "$SD_CG"
    # controllers for the manager's subtree (the root cgroup holds no limits of its own)
    for c in cpu memory pids io; do
        echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
    done
    (
        echo "$BASHPID" >"$SD_CG/cgroup.procs"
        export XDG_RUNTIME_DIR=$SD_DIR/xdg
        exec /lib/systemd/systemd --user --unit=dbus.socket --log-target=console --log-level=err \
            --default-standard-output=null --default-standard-error=null
    ) </dev/null >"$SD_DIR/systemd.log" 2>&1 3>&- &
    echo $! >"$SD_DIR/systemd.pid"
    export DBUS_SYSTEM_BUS_ADDRESS=$SD_BUS
    # TCG is slow: the manager, then dbus-daemon on the first connection, can take seconds
    for ((i = 0; i < 300; i++)); do
        if sd_bus get-property org.freedesktop.systemd1 /org/freedesktop/systemd1 \
            org.freedesktop.systemd1.Manager Version >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "systemd --user did not answer on $SD_BUS within 30 s; its log:" >&2
    cat "$SD_DIR/systemd.log" >&2
    sd_stop
    return 1
}

# sd_term PID: SIGTERM, then up to 10 s for it to go.
sd_term() {
    local i
    kill -TERM "$1" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
}

# Stops the manager and everything under $SD_CG, removes what sd_start made.
sd_stop() {
    local pid i
    [ -e "$SD_DIR/systemd.pid" ] || return 0
    pid=$(cat "$SD_DIR/systemd.pid")
    sd_term "$pid"
    echo 1 >"$SD_CG/cgroup.kill" 2>/dev/null
    wait "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        [ -z "$(find "$SD_CG" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] && break
        sleep 0.1
    done
    find "$SD_CG" -depth -type d -exec rmdir {} + 2>/dev/null
    rm -rf "$SD_DIR"
    rmdir /run/systemd/system /run/systemd 2>/dev/null
    [ ! -d "$SD_CG" ] || { echo "could not remove $SD_CG" >&2; return 1; }
}

need_systemd() {
    [ -z "$SD_REASON" ] || skip "$SD_REASON"
}

sd_bus() {
    timeout 30 busctl --system "$@"
}

# unit NAME PROPERTY: a property of a loaded unit, busctl's value only ("active", "/a/b").
unit_prop() {
    local path iface=org.freedesktop.systemd1.Unit
    path=$(sd_bus call org.freedesktop.systemd1 /org/freedesktop/systemd1 \
        org.freedesktop.systemd1.Manager GetUnit s "$1" | sed 's/^o "\(.*\)"$/\1/') || return 1
    case $2 in ControlGroup | MemoryMax | TasksMax | CPU*) iface=org.freedesktop.systemd1.Scope ;; esac
    sd_bus get-property org.freedesktop.systemd1 "$path" "$iface" "$2" | sed 's/^[a-z]* "\{0,1\}\([^"]*\)"\{0,1\}$/\1/'
}

# Is the unit loaded at all?
unit_loaded() {
    sd_bus call org.freedesktop.systemd1 /org/freedesktop/systemd1 \
        org.freedesktop.systemd1.Manager GetUnit s "$1" >/dev/null 2>&1
}

# Scope units other than the manager's own (the tests leave none).
sd_units() {
    [ -z "$SD_REASON" ] || return 0
    sd_bus --json=short call org.freedesktop.systemd1 /org/freedesktop/systemd1 \
        org.freedesktop.systemd1.Manager ListUnits |
        "$VT_PY" -c 'import json,sys; print(" ".join(u[0] for u in json.load(sys.stdin)["data"][0] if u[0].endswith(".scope") and u[0] != "init.scope"))'
}

# The cgroup a host pid is in (cgroup v2).
cg_of() {
    sed -n 's/^0:://p' "/proc/$1/cgroup"
}

# ---------------------------------------------------------------------------------------------------

@test "--systemd-cgroup without a reachable systemd: one clear error, nothing left" {
    DBUS_SYSTEM_BUS_ADDRESS=unix:path=$WORK/no-bus \
        run --separate-stderr "$VESSEL_BIN" --root "$STATE" --systemd-cgroup run --name sd-none \
        -m 64m "$ROOT" true
    vt_assert_status 125
    vt_assert_vessel_error "--systemd-cgroup: systemd is not reachable over D-Bus \(busctl: .+\)"
    [ ! -e "$STATE/sd-none" ] || vt_fail "state left behind"
    run find /sys/fs/cgroup -maxdepth 5 -name '*sd-none*'
    [ -z "$output" ] || vt_fail "cgroup left behind: $output"
}

@test "--systemd-cgroup: a slice name for the unit is refused clearly" {
    vt_make_bundle "$WORK/b" true
    vt_json_edit "$WORK/b/config.json" 'c["linux"]["cgroupsPath"] = "system.slice:vt:my.slice"'
    run --separate-stderr "$VESSEL_BIN" --root "$STATE" --systemd-cgroup create --bundle "$WORK/b" sd-slice
    vt_assert_status 1
    vt_assert_vessel_error "scope units only, not the slice 'my.slice'"
    [ ! -e "$STATE/sd-slice" ] || vt_fail "state left behind"
}

@test "vessel features: systemd cgroups are supported" {
    run "$VESSEL_BIN" features
    vt_assert_status 0
    vt_assert_match '"systemd": true, "systemdUser": true'
}

@test "systemd: the container runs in its scope, with its limits, gone after exit" {
    need_systemd
    vt_bg sd-run --systemd-cgroup run --name sd-run --cgroupns host -m 64m --pids-limit 42 \
        -v "$WORK:/sync" "$ROOT" sh -c "cat /proc/self/cgroup > /sync/cg; $VT_WAIT_GO"
    vt_wait_file "$WORK/cg" || vt_bg_abort sd-run "the container did not start"
    local pid cg
    pid=$(vt_container_pid "$(cat "$WORK/sd-run.pid")")
    cg=$(cg_of "$pid")
    # under the manager's own cgroup, in the default slice
    [ "$cg" = /vt-systemd/system.slice/vessel-sd-run.scope ] || vt_fail "init $pid is in '$cg'"
    grep -qx "0::$cg" "$WORK/cg" || vt_fail "inside, /proc/self/cgroup says: $(cat "$WORK/cg")"
    [ "$(unit_prop vessel-sd-run.scope ControlGroup)" = "$cg" ] || vt_fail "systemd's ControlGroup differs"
    [ "$(unit_prop vessel-sd-run.scope ActiveState)" = active ] || vt_fail "the unit is not active"
    [ "$(cat "/sys/fs/cgroup$cg/memory.max")" = 67108864 ] || vt_fail "memory.max not set"
    [ "$(cat "/sys/fs/cgroup$cg/pids.max")" = 42 ] || vt_fail "pids.max not set"
    # systemd knows the limits too, so a daemon-reload keeps them
    [ "$(unit_prop vessel-sd-run.scope MemoryMax)" = 67108864 ] || vt_fail "MemoryMax not set"
    [ "$(unit_prop vessel-sd-run.scope TasksMax)" = 42 ] || vt_fail "TasksMax not set"
    "$VT_PY" -c 'import json,sys; assert json.load(open(sys.argv[1]))["cgroupPath"] == sys.argv[2]' \
        "$STATE/sd-run/state.json" "$cg" || vt_fail "state.json does not record '$cg'"
    touch "$WORK/go"
    vt_bg_wait sd-run
    vt_assert_status 0
    ! unit_loaded vessel-sd-run.scope || vt_fail "the unit is still loaded after exit"
    [ ! -d "/sys/fs/cgroup$cg" ] || vt_fail "$cg left behind"
}

@test "systemd: exec joins the scope, update changes its limits, delete removes unit and cgroup" {
    need_systemd
    vt_make_bundle "$WORK/b" sleep 60
    vt_json_edit "$WORK/b/config.json" '
c["linux"]["cgroupsPath"] = "system.slice:vt:sd-oci"
c["linux"]["resources"] = {"memory": {"limit": 33554432}, "pids": {"limit": 30}}'
    vessel --systemd-cgroup create --bundle "$WORK/b" --pid-file "$WORK/pid" sd-oci
    vessel start sd-oci
    local cg=/vt-systemd/system.slice/vt-sd-oci.scope
    [ "$(cg_of "$(cat "$WORK/pid")")" = "$cg" ] || vt_fail "init not in $cg"
    # the bundle has a cgroup namespace: "/" is the scope, anything else would show a path
    vrun exec sd-oci cat /proc/self/cgroup
    vt_assert_status 0
    vt_assert_output "0::/"
    vrun update --pids-limit 77 --memory 48m sd-oci
    vt_assert_status 0
    [ "$(cat "/sys/fs/cgroup$cg/pids.max")" = 77 ] || vt_fail "pids.max not updated"
    [ "$(cat "/sys/fs/cgroup$cg/memory.max")" = 50331648 ] || vt_fail "memory.max not updated"
    [ "$(unit_prop vt-sd-oci.scope TasksMax)" = 77 ] || vt_fail "TasksMax not updated"
    [ "$(unit_prop vt-sd-oci.scope MemoryMax)" = 50331648 ] || vt_fail "MemoryMax not updated"
    vrun pause sd-oci
    vt_assert_status 0
    [ "$(cat "/sys/fs/cgroup$cg/cgroup.freeze")" = 1 ] || vt_fail "not frozen"
    vrun resume sd-oci
    vt_assert_status 0
    vrun delete -f sd-oci
    vt_assert_status 0
    ! unit_loaded vt-sd-oci.scope || vt_fail "the unit is still loaded after delete"
    [ ! -d "/sys/fs/cgroup$cg" ] || vt_fail "$cg left behind"
    [ ! -e "$STATE/sd-oci" ] || vt_fail "state left behind"
}

@test "systemd: a second container for the same scope fails clearly, the first unharmed" {
    need_systemd
    vt_make_bundle "$WORK/b" sleep 60
    vt_json_edit "$WORK/b/config.json" 'c["linux"]["cgroupsPath"] = "system.slice:vt:sd-same"'
    vessel --systemd-cgroup create --bundle "$WORK/b" sd-one
    run --separate-stderr "$VESSEL_BIN" --root "$STATE" --systemd-cgroup create --bundle "$WORK/b" sd-two
    vt_assert_status 1
    vt_assert_vessel_error "start unit 'vt-sd-same.scope' in 'system.slice': Unit vt-sd-same.scope was already loaded"
    [ ! -e "$STATE/sd-two" ] || vt_fail "state of the failed container left behind"
    [ "$(unit_prop vt-sd-same.scope ActiveState)" = active ] || vt_fail "the first container's unit went"
    vrun delete -f sd-one
    vt_assert_status 0
    ! unit_loaded vt-sd-same.scope || vt_fail "the unit is still loaded after delete"
}

@test "systemd: a container that fails to start leaves no unit and no cgroup" {
    need_systemd
    vrun -127 --systemd-cgroup run --name sd-fail -m 32m --pids-limit 10 "$ROOT" /nonexistent
    vt_assert_status 127
    ! unit_loaded vessel-sd-fail.scope || vt_fail "the unit is still loaded"
    run find /sys/fs/cgroup -name '*sd-fail*'
    [ -z "$output" ] || vt_fail "left behind: $output"
}

@test "systemd: a nested slice, cpu limits" {
    need_systemd
    vt_make_bundle "$WORK/b" sleep 60
    vt_json_edit "$WORK/b/config.json" '
c["linux"]["cgroupsPath"] = "vt-nest.slice:vt:sd-cpu"
c["linux"]["resources"] = {"cpu": {"shares": 512, "quota": 50000, "period": 100000}}'
    vessel --systemd-cgroup create --bundle "$WORK/b" --pid-file "$WORK/pid" sd-cpu
    local cg=/vt-systemd/vt.slice/vt-nest.slice/vt-sd-cpu.scope
    [ "$(cg_of "$(cat "$WORK/pid")")" = "$cg" ] || vt_fail "init in '$(cg_of "$(cat "$WORK/pid")")'"
    [ "$(cat "/sys/fs/cgroup$cg/cpu.max")" = "50000 100000" ] || vt_fail "cpu.max not set"
    [ "$(cat "/sys/fs/cgroup$cg/cpu.weight")" = 20 ] || vt_fail "cpu.weight not set"
    [ "$(unit_prop vt-sd-cpu.scope CPUQuotaPerSecUSec)" = 500000 ] || vt_fail "CPUQuotaPerSecUSec"
    [ "$(unit_prop vt-sd-cpu.scope CPUWeight)" = 20 ] || vt_fail "CPUWeight not set"
    vrun delete -f sd-cpu
    vt_assert_status 0
    ! unit_loaded vt-sd-cpu.scope || vt_fail "the unit is still loaded after delete"
    [ ! -d "/sys/fs/cgroup$cg" ] || vt_fail "$cg left behind"
}

# ---------------------------------------------------------------------------------------------------
# rootless: the user's own manager (busctl --user), the default slice user.slice

SDU_UID=4242
SDU_DIR=/run/vt-systemd-user
SDU_CG=/sys/fs/cgroup/vt-user

# as_user CMD...: CMD as uid $SDU_UID, with the user's runtime directory (and so its bus).
as_user() {
    setpriv --reuid="$SDU_UID" --regid="$SDU_UID" --clear-groups \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$SDU_DIR/home" \
        XDG_RUNTIME_DIR="$SDU_DIR/xdg" "$@"
}

# A user (passwd and group bound over the read-only /etc of the VM), a delegated cgroup for its
# manager and one its commands run in (the manager can only move processes inside its delegation).
sdu_start() {
    local i
    mkdir -p "$SDU_DIR/home" "$SDU_DIR/xdg"
    chown "$SDU_UID:$SDU_UID" "$SDU_DIR/home" "$SDU_DIR/xdg"
    chmod 0700 "$SDU_DIR/xdg"
    cp /etc/passwd "$SDU_DIR/passwd"
    cp /etc/group "$SDU_DIR/group"
    echo "vt-sd-user:x:$SDU_UID:$SDU_UID::$SDU_DIR/home:/bin/sh" >>"$SDU_DIR/passwd"
    echo "vt-sd-user:x:$SDU_UID:" >>"$SDU_DIR/group"
    mount --bind "$SDU_DIR/passwd" /etc/passwd
    mount --bind "$SDU_DIR/group" /etc/group
    mkdir -p "$SDU_CG/caller"
    chown "$SDU_UID:$SDU_UID" "$SDU_CG" "$SDU_CG"/cgroup.{procs,subtree_control,threads} \
        "$SDU_CG/caller" "$SDU_CG"/caller/cgroup.{procs,subtree_control,threads}
    (
        echo "$BASHPID" >"$SDU_CG/cgroup.procs"
        exec setpriv --reuid="$SDU_UID" --regid="$SDU_UID" --clear-groups \
            env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$SDU_DIR/home" \
            XDG_RUNTIME_DIR="$SDU_DIR/xdg" /lib/systemd/systemd --user --unit=dbus.socket \
            --log-target=console --log-level=err --default-standard-output=null \
            --default-standard-error=null
    ) </dev/null >"$SDU_DIR/systemd.log" 2>&1 3>&- &
    echo $! >"$SDU_DIR/systemd.pid"
    for ((i = 0; i < 300; i++)); do
        if as_user busctl --user --timeout=5 get-property org.freedesktop.systemd1 \
            /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager Version >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "the user's systemd did not answer within 30 s" >&2
    return 1
}

sdu_stop() {
    local pid
    if [ -e "$SDU_DIR/systemd.pid" ]; then
        pid=$(cat "$SDU_DIR/systemd.pid")
        sd_term "$pid"
        wait "$pid" 2>/dev/null
    fi
    echo 1 >"$SDU_CG/cgroup.kill" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        [ -z "$(find "$SDU_CG" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] && break
        sleep 0.1
    done
    find "$SDU_CG" -depth -type d -exec rmdir {} + 2>/dev/null
    umount /etc/passwd 2>/dev/null
    umount /etc/group 2>/dev/null
    rm -rf "$SDU_DIR"
}

@test "systemd, rootless: busctl --user, the scope in the user manager's user.slice, limits applied" {
    need_systemd
    vt_defer sdu_stop
    sdu_start
    chmod 0755 "$VT_DIR" "$WORK"
    cp -a "$ROOT" "$WORK/uroot"
    chown -R "$SDU_UID:$SDU_UID" "$WORK/uroot"
    # from the delegated caller cgroup, as the user; its state under its runtime directory
    run --separate-stderr bash -c 'echo $$ >"$0/caller/cgroup.procs" && exec "$@"' "$SDU_CG" \
        setpriv --reuid="$SDU_UID" --regid="$SDU_UID" --clear-groups \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$SDU_DIR/home" \
        XDG_RUNTIME_DIR="$SDU_DIR/xdg" timeout -k 5 "$VT_TIMEOUT" \
        "$VESSEL_BIN" --systemd-cgroup run --name sdu-run --cgroupns host -m 64m --pids-limit 21 \
        "$WORK/uroot" cat /proc/self/cgroup
    vt_assert_status 0
    vt_assert_line "0::/vt-user/user.slice/vessel-sdu-run.scope"
    # the limits, seen through the container's own cgroup namespace
    run --separate-stderr bash -c 'echo $$ >"$0/caller/cgroup.procs" && exec "$@"' "$SDU_CG" \
        setpriv --reuid="$SDU_UID" --regid="$SDU_UID" --clear-groups \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$SDU_DIR/home" \
        XDG_RUNTIME_DIR="$SDU_DIR/xdg" timeout -k 5 "$VT_TIMEOUT" \
        "$VESSEL_BIN" --systemd-cgroup run --name sdu-lim -m 64m --pids-limit 21 \
        "$WORK/uroot" cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max
    vt_assert_status 0
    vt_assert_output "67108864
21"
    [ -z "$(find "$SDU_CG" -name '*sdu-*')" ] || vt_fail "a scope is left behind"
}
