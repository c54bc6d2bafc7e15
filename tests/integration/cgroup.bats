#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Resource limits through the container's cgroup, one behaviour per test. The same file runs on
# this host (cgroup v1) and in the qemu VM of tests/vm (cgroup v2): a test that differs by design
# (a v2-only key, a v1-only knob) says so and checks each side. Needs root.
# Environment: CG_BUILD=DIR takes vessel and the cgroup test tools from DIR (default build).

load helpers

BUILD_DIR=${CG_BUILD:-$REPO/build}
VESSEL_BIN=$BUILD_DIR/vessel
PAYLOAD=$BUILD_DIR/cgroup-payload
DRIVER=$BUILD_DIR/cgroup-driver

setup_file() {
    vt_setup_file || return 1
    cp "$PAYLOAD" "$ROOT/bin/cgroup-payload"
}
teardown_file() { vt_teardown_file; }
setup() {
    vt_setup
    if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then CG_MODE=v2; else CG_MODE=v1; fi
}
teardown() { vt_teardown; }

# cg_in CONTROLLER FILE: the path of FILE of the container's own cgroup as seen inside it.
cg_in() {
    if [ "$CG_MODE" = v2 ]; then echo "/sys/fs/cgroup/$2"; else echo "/sys/fs/cgroup/$1/$2"; fi
}

# cg_host CONTROLLER NAME: the container's cgroup directory on the host (`vessel run` groups its
# containers under /vessel).
cg_host() {
    if [ "$CG_MODE" = v2 ]; then echo "/sys/fs/cgroup/vessel/$2"; else echo "/sys/fs/cgroup/$1/vessel/$2"; fi
}

# cg_host_oci CONTROLLER NAME: the same for a bundle without linux.cgroupsPath: /NAME at the top,
# as runc and crun make it.
cg_host_oci() {
    if [ "$CG_MODE" = v2 ]; then echo "/sys/fs/cgroup/$2"; else echo "/sys/fs/cgroup/$1/$2"; fi
}

# start_ticker NAME ARGS...: a container (named NAME) appending a line to $WORK/ticks every 0.1 s
# for at most 60 s; waits for its first tick.
start_ticker() {
    local name=$1
    shift
    vt_bg "$name" run --name "$name" -v "$WORK:/out" "$@" "$ROOT" sh -c \
        'i=0; while [ $i -lt 600 ]; do echo $i >> /out/ticks; i=$((i+1)); sleep 0.1; done'
    vt_wait_file "$WORK/ticks" || vt_bg_abort "$name" "the ticker did not start"
}

ticks() {
    wc -l <"$WORK/ticks"
}

@test "membership: the container's processes are in their own cgroup, its root inside" {
    vrun run "$ROOT" cat /proc/self/cgroup
    vt_assert_status 0
    # every hierarchy shows the namespace root: the container's cgroup
    run grep -v ':/$' <<<"$output"
    [ -z "$output" ] || vt_fail "a hierarchy is not the cgroup namespace root"
}

@test "membership: the host sees the init in /vessel/<name>, removed after exit" {
    start_ticker cg-member
    local dir
    dir=$(cg_host pids cg-member)
    [ -d "$dir" ] || vt_fail "no cgroup $dir"
    local pid
    pid=$(vt_container_pid "$(cat "$WORK/cg-member.pid")")
    grep -qx "$pid" "$dir/cgroup.procs" || vt_fail "init $pid not in $dir/cgroup.procs"
    run "$DRIVER" kill /vessel/cg-member 9
    vt_bg_wait cg-member
    vt_assert_status 137
    # killed, but not for memory
    [[ $stderr != *"out of memory"* ]] || vt_fail "a SIGKILL was reported as an OOM kill"
    [ ! -d "$dir" ] || vt_fail "$dir left behind"
}

@test "membership: the cgroup mount inside shows the container's own limits" {
    vrun run --pids-limit 42 "$ROOT" cat "$(cg_in pids pids.max)"
    vt_assert_status 0
    vt_assert_output 42
}

@test "pids: a fork bomb stops at --pids-limit, the host unharmed" {
    vrun run --pids-limit 20 "$ROOT" cgroup-payload forks 100
    vt_assert_status 0
    local forked refused
    forked=$(vt_value forked)
    refused=$(vt_value refused)
    # 20 minus the payload itself (and nothing else: it is the init)
    [ "$forked" -le 19 ] && [ "$forked" -ge 15 ] || vt_fail "forked $forked, expected about 19"
    [ "$refused" -ge 80 ] || vt_fail "refused $refused, expected at least 80"
    run true
    [ "$status" -eq 0 ]
}

@test "memory: a hog is killed at --memory, exit 137 and the message" {
    vrun run -m 32m "$ROOT" tail /dev/zero
    vt_assert_status 137
    vt_assert_stderr_match "was killed: out of memory"
}

@test "cpu: --cpus 0.2 visibly slows a busy loop" {
    vrun run "$ROOT" cgroup-payload spin 1.5
    vt_assert_status 0
    local free=$(vt_value iterations)
    vrun run --cpus 0.2 "$ROOT" cgroup-payload spin 1.5
    vt_assert_status 0
    local limited=$(vt_value iterations)
    echo "free=$free limited=$limited" >&2
    # 0.2 CPU should give about a fifth; allow a lot for noise
    [ $((limited * 2)) -lt "$free" ] || vt_fail "limited $limited not below half of free $free"
}

@test "devices: a node no rule allows cannot be opened; --device-cgroup-rule allows it" {
    vrun run "$ROOT" sh -c 'mknod /dev/x c 42 0 && cat /dev/x'
    [ "$status" -ne 0 ] || vt_fail "reading c 42:0 worked"
    vt_assert_stderr_match "Operation not permitted"
    vrun run --device-cgroup-rule 'c 42:0 rwm' "$ROOT" sh -c 'mknod /dev/x c 42 0 && cat /dev/x'
    [ "$status" -ne 0 ] || vt_fail "reading c 42:0 worked (no such driver)"
    vt_assert_stderr_match "No such device or address"
}

@test "devices: the default list allows /dev/null, /dev/zero, /dev/full" {
    vrun run "$ROOT" sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/full | wc -c'
    vt_assert_status 0
    vt_assert_output "4
4"
}

@test "devices: --device gives the container a host node" {
    vrun run --device /dev/null:/dev/mynull:rw "$ROOT" sh -c 'echo x > /dev/mynull && echo ok'
    vt_assert_status 0
    vt_assert_output ok
}

@test "freeze: a frozen container stops running, thawed it goes on" {
    start_ticker cg-freeze
    run "$DRIVER" freeze /vessel/cg-freeze
    [ "$status" -eq 0 ] || vt_fail "freeze failed"
    run "$DRIVER" frozen /vessel/cg-freeze
    [ "$output" = frozen=1 ] || vt_fail "not frozen"
    local before=$(ticks)
    sleep 0.7
    [ "$(ticks)" -eq "$before" ] || vt_fail "ticks went on while frozen"
    run "$DRIVER" thaw /vessel/cg-freeze
    [ "$status" -eq 0 ] || vt_fail "thaw failed"
    sleep 0.7
    [ "$(ticks)" -gt "$before" ] || vt_fail "no ticks after thaw"
    run "$DRIVER" kill /vessel/cg-freeze 9
    vt_bg_wait cg-freeze
}

@test "update: a live pids limit applies to the running container" {
    start_ticker cg-update --pids-limit 50
    run "$DRIVER" set /vessel/cg-update pids=7
    [ "$status" -eq 0 ] || vt_fail "set failed"
    [ "$(cat "$(cg_host pids cg-update)/pids.max")" = 7 ] || vt_fail "pids.max not 7"
    run "$DRIVER" stats /vessel/cg-update
    [ "$status" -eq 0 ] || vt_fail "stats failed"
    [[ $output == *'"pids":{"current":'*'"limit":7'* ]] || vt_fail "stats lack pids"
    [[ $output == *'"memory":{'* ]] || vt_fail "stats lack memory"
    run "$DRIVER" kill /vessel/cg-update 9
    vt_bg_wait cg-update
}

# oci_ticker ID: a detached container of the OCI verbs (run -d) that lives up to 60 s.
oci_ticker() {
    local b=$WORK/bundle
    vt_make_bundle "$b" sh -c 'i=0; while [ $i -lt 600 ]; do i=$((i+1)); sleep 0.1; done'
    vessel run -d --bundle "$b" "$1" </dev/null >/dev/null 2>&1 || vt_fail "run -d $1 failed"
    vt_defer "'$VESSEL_BIN' --root '$STATE' delete -f '$1'"
}

@test "pause and resume: the OCI verbs freeze the container" {
    "$VESSEL_BIN" pause --help >/dev/null 2>&1 || skip "vessel pause is not there yet"
    oci_ticker cg-pause
    run vessel pause cg-pause
    [ "$status" -eq 0 ] || vt_fail "pause failed"
    # a bundle without linux.cgroupsPath: /<id>, as runc and crun
    [ -d "$(cg_host_oci freezer cg-pause)" ] || [ -d "$(cg_host_oci "" cg-pause)" ] ||
        vt_fail "no cgroup /cg-pause"
    run "$DRIVER" frozen "/cg-pause"
    [ "$output" = frozen=1 ] || vt_fail "not frozen after pause"
    run vessel resume cg-pause
    [ "$status" -eq 0 ] || vt_fail "resume failed"
    run "$DRIVER" frozen "/cg-pause"
    [ "$output" = frozen=0 ] || vt_fail "still frozen after resume"
    run vessel delete -f cg-pause
    [ "$status" -eq 0 ] || vt_fail "delete -f failed"
    run find /sys/fs/cgroup -maxdepth 4 -name cg-pause
    [ -z "$output" ] || vt_fail "delete left the cgroup: $output"
}

@test "update and events: the OCI verbs change and report resources" {
    "$VESSEL_BIN" update --help >/dev/null 2>&1 || skip "vessel update is not there yet"
    oci_ticker cg-oci-update
    run vessel update --pids-limit 9 cg-oci-update
    [ "$status" -eq 0 ] || vt_fail "update failed"
    [ "$(cat "$(cg_host_oci pids cg-oci-update)/pids.max")" = 9 ] || vt_fail "pids.max not 9"
    run timeout 10 "$VESSEL_BIN" --root "$STATE" events --stats cg-oci-update
    [ "$status" -eq 0 ] || vt_fail "events --stats failed"
    [[ $output == *'"limit":9'* ]] || vt_fail "events --stats does not show the new limit"
    run vessel delete -f cg-oci-update
}

@test "limits the host cannot apply fail clearly, naming them" {
    local b=$WORK/bundle
    vt_make_bundle "$b" cat "$(cg_in pids pids.max)"
    vt_json_edit "$b/config.json" 'c["linux"]["resources"] = {"unified": {"pids.max": "9"}}
c["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                    "options": ["nosuid", "noexec", "nodev", "ro"]})'
    vrun run --bundle "$b" cg-unified
    if [ "$CG_MODE" = v1 ]; then
        vt_assert_status 125
        vt_assert_vessel_error "unified: cgroup v2 keys .* cannot be applied on this cgroup v1 host"
    else
        vt_assert_status 0
        vt_assert_output 9
    fi
}

@test "--oom-kill-disable: v1 sets memory.oom_control, v2 says it cannot" {
    vrun run -m 64m --oom-kill-disable "$ROOT" cat "$(cg_in memory memory.oom_control)"
    if [ "$CG_MODE" = v1 ]; then
        vt_assert_status 0
        vt_assert_line "oom_kill_disable 1"
    else
        vt_assert_status 125
        vt_assert_vessel_error "disableOOMKiller: cgroup v2 cannot disable the OOM killer"
    fi
}

@test "--systemd-cgroup without systemd: a clear error" {
    [ ! -d /run/systemd/system ] || skip "systemd runs here"
    run --separate-stderr "$VESSEL_BIN" --root "$STATE" --systemd-cgroup run "$ROOT" true
    vt_assert_status 125
    vt_assert_vessel_error "systemd is not reachable over D-Bus"
}

@test "a container that fails to start leaves no cgroup" {
    vrun -127 run --name cg-fail -m 64m --pids-limit 10 "$ROOT" /nonexistent
    vt_assert_status 127
    run find /sys/fs/cgroup -maxdepth 4 -name cg-fail
    [ -z "$output" ] || vt_fail "left behind: $output"
}

@test "no cgroup is left behind, in any hierarchy" {
    vrun run --name cg-left --pids-limit 10 -m 64m "$ROOT" true
    vt_assert_status 0
    run find /sys/fs/cgroup -maxdepth 4 -name cg-left
    [ -z "$output" ] || vt_fail "left behind: $output"
}
