#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Namespaces of `vessel run`: what the probe sees inside, and that the host does not see the
# container's changes. Needs root.

load helpers

setup_file() { vt_setup_file; }
teardown_file() { vt_teardown_file; }
setup() { vt_setup; }
teardown() { vt_teardown; }

@test "pid: the command is pid 1" {
    vrun run "$ROOT" /probe pid
    vt_assert_status 0
    vt_assert_output "pid=1"
}

@test "pid: only the container's processes are visible" {
    vrun run "$ROOT" /probe ps
    vt_assert_status 0
    vt_assert_output "1 probe"
}

@test "pid: a child of the init sees the init and itself only" {
    vrun run "$ROOT" /bin/sh -c '/probe ps; true'
    vt_assert_status 0
    [ "${#lines[@]}" -eq 2 ] || vt_fail "expected two processes"
    vt_assert_line "1 sh"
    vt_assert_match $'(^|\n)[0-9]+ probe($|\n)'
}

@test "pid: --pid host sees the host's processes" {
    vrun run --pid host "$ROOT" /probe ps
    vt_assert_status 0
    vt_assert_match '(^|'$'\n'')1 '
    vt_assert_match "(^|"$'\n'")$$ "
    [ "${#lines[@]}" -gt 3 ] || vt_fail "expected the host's processes"
    vrun run --pid host "$ROOT" /probe pid
    vt_assert_status 0
    [ "$(vt_value pid)" != 1 ] || vt_fail "pid 1 with --pid host"
}

@test "uts: -h sets the hostname inside and not on the host" {
    local before
    before=$(uname -n)
    vrun run -h vsl-box1 "$ROOT" /probe hostname
    vt_assert_status 0
    vt_assert_line "hostname=vsl-box1"
    [ "$(uname -n)" = "$before" ] || vt_fail "the host's hostname changed to $(uname -n)"
}

@test "uts: --hostname with the long spelling" {
    vrun run --hostname vsl-box2 "$ROOT" /probe hostname
    vt_assert_status 0
    vt_assert_line "hostname=vsl-box2"
}

@test "uts: --uts host sees the host's hostname" {
    vrun run --uts host "$ROOT" /probe hostname
    vt_assert_status 0
    vt_assert_line "hostname=$(uname -n)"
}

@test "mount: a tmpfs mounted inside is invisible on the host" {
    # Mounting needs CAP_SYS_ADMIN, which `vessel run` does not grant: a bundle does.
    mkdir -p "$WORK/sync"
    vt_make_bundle "$WORK/b" /bin/sh -c \
        "/probe mount-tmpfs /mnt && /probe write /mnt/marker x && /probe mounts >/sync/mounts && touch /sync/ready; $VT_WAIT_GO"
    vt_json_edit "$WORK/b/config.json" "
c['process']['capabilities'] = {k: ['CAP_SYS_ADMIN'] for k in ('bounding', 'effective', 'permitted')}
c['mounts'].append({'destination': '/sync', 'type': 'bind', 'source': '$WORK/sync', 'options': ['rbind', 'rw']})"
    vt_bg ctr run --bundle "$WORK/b" "vt-tmpfs-$$"
    vt_wait_file "$WORK/sync/ready" || vt_bg_abort ctr "the container did not get ready"
    grep -q ' /mnt .* - tmpfs probe-tmpfs ' "$WORK/sync/mounts" ||
        vt_fail "the container does not see its own tmpfs: $(cat "$WORK/sync/mounts")"
    ! grep -q 'probe-tmpfs' /proc/self/mountinfo || vt_fail "the host sees the container's tmpfs"
    [ ! -e "$WORK/b/rootfs/mnt/marker" ] || vt_fail "the tmpfs' file reached the root directory"
    touch "$WORK/sync/go"
    vt_bg_wait ctr
    vt_assert_status 0
}

@test "mount: without CAP_SYS_ADMIN the command cannot mount" {
    vrun run "$ROOT" /probe mount-tmpfs /mnt
    vt_assert_status 1
    vt_assert_stderr_match 'Operation not permitted'
}

@test "mount: the container's mounts do not propagate to the host" {
    local before
    before=$(wc -l </proc/self/mountinfo)
    mkdir -p "$WORK/sync" "$WORK/vol"
    vt_bg ctr run -v "$WORK/sync:/sync" -v "$WORK/vol:/vol" --tmpfs /scratch "$ROOT" /bin/sh -c \
        "touch /sync/ready; $VT_WAIT_GO"
    vt_wait_file "$WORK/sync/ready" || vt_bg_abort ctr "the container did not start"
    ! grep -qF "$ROOT" /proc/self/mountinfo || vt_fail "host mounts name the root: $(grep -F "$ROOT" /proc/self/mountinfo)"
    ! grep -qE ' /(scratch|vol|sync) ' /proc/self/mountinfo || vt_fail "a volume or tmpfs is mounted on the host"
    touch "$WORK/sync/go"
    vt_bg_wait ctr
    vt_assert_status 0
}

@test "network private: only lo, and it is up" {
    vrun run --network private "$ROOT" /probe netdevs
    vt_assert_status 0
    vt_assert_output "lo up"
}

@test "network none: only lo, and it is up" {
    vrun run --network none "$ROOT" /probe netdevs
    vt_assert_status 0
    vt_assert_output "lo up"
}

@test "network host: sees the host's interfaces" {
    vrun run --network host "$ROOT" /probe netdevs
    vt_assert_status 0
    local inside host
    inside=$(awk '{print $1}' <<<"$output" | sort | tr '\n' ' ')
    host=$(ls /sys/class/net | sort | tr '\n' ' ')
    [ "$inside" = "$host" ] || vt_fail "interfaces inside: $inside; on the host: $host"
}

@test "ipc: a host message queue is invisible inside" {
    local key=$((0x5e000000 + $$ % 65536))
    vt_defer "ipcrm -Q $key"
    "$PROBE_BIN" msgget "$key"
    "$PROBE_BIN" ipcs | grep -qx "key=$key id=[0-9]*"
    vrun run "$ROOT" /probe ipcs
    vt_assert_status 0
    [ -z "$output" ] || vt_fail "expected no queues in a new IPC namespace"
}

@test "ipc: --ipc host sees the host's message queue" {
    local key=$((0x5e000000 + $$ % 65536 + 1))
    vt_defer "ipcrm -Q $key"
    "$PROBE_BIN" msgget "$key"
    vrun run --ipc host "$ROOT" /probe ipcs
    vt_assert_status 0
    vt_assert_match "(^|"$'\n'")key=$key id="
}

@test "ipc: a queue made inside does not reach the host" {
    local key=$((0x5e000000 + $$ % 65536 + 2))
    vt_defer "ipcrm -Q $key"
    vrun run "$ROOT" /probe msgget "$key"
    vt_assert_status 0
    ! "$PROBE_BIN" ipcs | grep -q "^key=$key " || vt_fail "the container's queue is on the host"
}

@test "cgroup: the namespace root is the container's cgroup" {
    vrun run "$ROOT" /probe cgroup
    vt_assert_status 0
    vt_assert_line "0::/"
    local line
    while IFS= read -r line; do
        [[ $line == *:/ ]] || vt_fail "not at the namespace root: '$line'"
    done <<<"$output"
    [ "${#lines[@]}" -ge 2 ] || vt_fail "expected the v1 hierarchies too"
}

@test "cgroup: --cgroupns host shows the host's paths" {
    mkdir -p "$WORK/sync"
    vt_bg ctr run --cgroupns host --pid host -v "$WORK/sync:/sync" "$ROOT" /bin/sh -c \
        "cat /proc/self/cgroup >/sync/cgroup; echo \$\$ >/sync/pid; touch /sync/ready; $VT_WAIT_GO"
    vt_wait_file "$WORK/sync/ready" || vt_bg_abort ctr "the container did not start"
    local pid inner host
    pid=$(cat "$WORK/sync/pid")
    inner=$(cat "$WORK/sync/cgroup")
    host=$(cat "/proc/$pid/cgroup")
    touch "$WORK/sync/go"
    vt_bg_wait ctr
    vt_assert_status 0
    [ "$inner" = "$host" ] || vt_fail "inside:
$inner
host's view of pid $pid:
$host"
    grep -qv ':/$' <<<"$inner" || vt_fail "every path is '/': $inner"
}

@test "time: --time-offset boottime shifts uptime and CLOCK_BOOTTIME" {
    local host_before host_after inside boot
    host_before=$(cut -d' ' -f1 /proc/uptime)
    vrun run --time-offset boottime=86400 "$ROOT" /bin/sh -c '/probe uptime; /probe boottime'
    host_after=$(cut -d' ' -f1 /proc/uptime)
    vt_assert_status 0
    inside=$(vt_value uptime)
    boot=$(vt_value boottime)
    "$VT_PY" -c "
import sys
b, a, up, bt = map(float, sys.argv[1:])
ok = b + 86400 - 1 <= up <= a + 86400 + 1 and b + 86400 - 1 <= bt <= a + 86400 + 1
sys.exit(0 if ok else 1)" "$host_before" "$host_after" "$inside" "$boot" ||
        vt_fail "host uptime $host_before..$host_after, inside uptime $inside boottime $boot"
}

@test "time: --time-offset monotonic shifts CLOCK_MONOTONIC" {
    local before after inside
    before=$("$PROBE_BIN" monotonic | cut -d= -f2)
    vrun run --time-offset monotonic=3600 "$ROOT" /probe monotonic
    after=$("$PROBE_BIN" monotonic | cut -d= -f2)
    vt_assert_status 0
    inside=$(vt_value monotonic)
    "$VT_PY" -c "
import sys
b, a, i = map(float, sys.argv[1:])
sys.exit(0 if b + 3600 - 1 <= i <= a + 3600 + 1 else 1)" "$before" "$after" "$inside" ||
        vt_fail "host monotonic $before..$after, inside $inside"
}

@test "time: without an offset the clocks are the host's" {
    local before after inside
    before=$("$PROBE_BIN" monotonic | cut -d= -f2)
    vrun run "$ROOT" /probe monotonic
    after=$("$PROBE_BIN" monotonic | cut -d= -f2)
    vt_assert_status 0
    inside=$(vt_value monotonic)
    "$VT_PY" -c "
import sys
b, a, i = map(float, sys.argv[1:])
sys.exit(0 if b - 1 <= i <= a + 1 else 1)" "$before" "$after" "$inside" ||
        vt_fail "host monotonic $before..$after, inside $inside"
}

@test "bundle: joins a network namespace by path" {
    local ns=vsl-test-$$-$BATS_TEST_NUMBER
    vt_defer "ip netns del $ns"
    ip netns add "$ns"
    # A dummy link where the kernel has the driver, else an (empty) bridge.
    ip netns exec "$ns" ip link add d0 type dummy 2>/dev/null ||
        ip netns exec "$ns" ip link add d0 type bridge
    vt_make_bundle "$WORK/bundle" /probe netdevs
    vt_json_edit "$WORK/bundle/config.json" "
for n in c['linux']['namespaces']:
    if n['type'] == 'network':
        n['path'] = '/run/netns/$ns'"
    vrun run --bundle "$WORK/bundle" "vt-join-$$"
    vt_assert_status 0
    vt_assert_line "d0 down"
    local names
    names=$(awk '{print $1}' <<<"$output" | sort | tr '\n' ' ')
    [ "$names" = "d0 lo " ] || vt_fail "expected the namespace's links d0 and lo only"
}

@test "bundle: joins a UTS namespace by path and keeps its hostname" {
    local pid
    # A process holding a UTS namespace whose hostname is set; the bundle joins it by path.
    unshare --uts /bin/sh -c 'hostname vsl-joined; exec sleep 30' &
    pid=$!
    vt_defer "kill $pid"
    local n=0
    while [ "$(readlink "/proc/$pid/ns/uts")" = "$(readlink /proc/self/ns/uts)" ] ||
        [ "$(nsenter -t "$pid" -u uname -n 2>/dev/null)" != vsl-joined ]; do
        sleep 0.1
        n=$((n + 1))
        [ $n -lt 100 ] || vt_fail "the helper namespace did not come up"
    done
    vt_make_bundle "$WORK/bundle" /probe hostname
    vt_json_edit "$WORK/bundle/config.json" "
del c['hostname']
for n in c['linux']['namespaces']:
    if n['type'] == 'uts':
        n['path'] = '/proc/$pid/ns/uts'"
    vrun run --bundle "$WORK/bundle" "vt-uts-$$"
    vt_assert_status 0
    vt_assert_line "hostname=vsl-joined"
}
