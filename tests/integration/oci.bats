#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The OCI runtime face beyond the lifecycle: hooks (with the state on stdin, in the right
# namespace, with their failure rules), --console-socket, --log in JSON, exec and its flags,
# ps, update, events, features, run -d.

load helpers

[ -z "${VESSEL:-}" ] || VESSEL_BIN=$VESSEL

setup_file() { vt_setup_file; }
teardown_file() { vt_teardown_file; }
setup() {
    vt_setup
    vt_make_bundle "$WORK/b" sleep 60
    vt_defer "vessel delete --force c1"
}
teardown() { vt_teardown; }

vq() {
    vessel "$@" </dev/null >>"$WORK/ctr.out" 2>>"$WORK/ctr.err" || {
        cat "$WORK/ctr.err" >&2
        return 1
    }
}

# A hook script that records its name, the state it got on stdin and the mount namespace it ran in.
make_hook() {
    cat >"$WORK/hook.sh" <<EOF
#!/bin/sh
{ echo "\$1 \$(readlink /proc/self/ns/mnt)"; cat; echo; } >>"$WORK/hooks.log"
[ "\$1" != "\${FAIL_HOOK:-none}" ]
EOF
    chmod +x "$WORK/hook.sh"
}

add_hooks() {
    vt_json_edit "$WORK/b/config.json" "
c['hooks'] = {k: [{'path': '$WORK/hook.sh', 'args': ['hook.sh', k], 'env': ['FAIL_HOOK=$1']}]
              for k in ('prestart', 'createRuntime', 'createContainer', 'startContainer',
                        'poststart', 'poststop')}"
}

@test "hooks run in order with the state on stdin" {
    make_hook
    add_hooks none
    # startContainer runs inside the container: the hook and the log must be reachable there too
    cp "$WORK/hook.sh" "$WORK/b/rootfs/hook.sh"
    mkdir -p "$WORK/b/rootfs$WORK"
    vt_json_edit "$WORK/b/config.json" "c['hooks']['startContainer'][0]['path'] = '/hook.sh'
c['mounts'].append({'destination': '$WORK', 'type': 'bind', 'source': '$WORK', 'options': ['rbind']})"
    vq create --bundle "$WORK/b" c1
    run grep -oE '^[a-zA-Z]+ ' "$WORK/hooks.log"
    vt_assert_output "prestart 
createRuntime 
createContainer "
    grep -q '"status": "creating"' "$WORK/hooks.log"
    grep -q '"id": "c1"' "$WORK/hooks.log"
    vq start c1
    vessel kill c1 KILL
    sleep 0.5
    vessel delete c1
    run grep -oE '^[a-zA-Z]+' "$WORK/hooks.log"
    vt_assert_output "prestart
createRuntime
createContainer
startContainer
poststart
poststop"
    # prestart, createRuntime, poststart, poststop in vessel's mount namespace; createContainer
    # and startContainer in the container's
    host=$(readlink /proc/self/ns/mnt)
    [ "$(grep '^createRuntime' "$WORK/hooks.log" | cut -d' ' -f2)" = "$host" ]
    [ "$(grep '^poststop' "$WORK/hooks.log" | cut -d' ' -f2)" = "$host" ]
    [ "$(grep '^createContainer' "$WORK/hooks.log" | cut -d' ' -f2)" != "$host" ]
    [ "$(grep '^startContainer' "$WORK/hooks.log" | cut -d' ' -f2)" != "$host" ]
}

@test "a failing createRuntime hook fails create and leaves nothing" {
    make_hook
    add_hooks createRuntime
    run --separate-stderr vessel create --bundle "$WORK/b" c1
    vt_assert_status 1
    vt_assert_vessel_error "createRuntime hook #0 '.*hook.sh' exited with status 1"
    [ ! -e "$STATE/c1" ]
}

@test "a failing startContainer hook fails start with its message; the init never runs the process" {
    make_hook
    add_hooks startContainer
    cp "$WORK/hook.sh" "$WORK/b/rootfs/hook.sh"
    mkdir -p "$WORK/b/rootfs$WORK"
    vt_json_edit "$WORK/b/config.json" "c['hooks']['startContainer'][0]['path'] = '/hook.sh'
c['mounts'].append({'destination': '$WORK', 'type': 'bind', 'source': '$WORK', 'options': ['rbind']})
c['process']['args'] = ['sh', '-c', 'echo ran >$WORK/ran']"
    vq create --bundle "$WORK/b" c1
    run --separate-stderr vessel start c1
    vt_assert_status 1
    vt_assert_vessel_error "container 'c1': startContainer hook #0 '/hook.sh' exited with status 1"
    grep -q '^poststart' "$WORK/hooks.log" && vt_fail "poststart ran after a failed start"
    [ ! -e "$WORK/ran" ] || vt_fail "the process ran"
    vessel delete -f c1
}

@test "a failing poststart hook only warns" {
    make_hook
    add_hooks poststart
    vt_json_edit "$WORK/b/config.json" "del c['hooks']['startContainer']"
    vq create --bundle "$WORK/b" c1
    run --separate-stderr vessel start c1
    vt_assert_status 0
    vt_assert_stderr_match "warning: poststart hook"
    run vessel state c1
    vt_assert_match '"status": "running"'
}

@test "a hook that outlives its timeout is killed" {
    vt_json_edit "$WORK/b/config.json" "c['hooks'] = {'createRuntime': [{'path': '/bin/sleep', 'args': ['sleep', '30'], 'timeout': 1}]}"
    SECONDS=0
    run --separate-stderr vessel create --bundle "$WORK/b" c1
    vt_assert_status 1
    vt_assert_vessel_error "createRuntime hook #0 '/bin/sleep' timed out after 1 s"
    [ "$SECONDS" -lt 10 ]
}

@test "--console-socket receives the pty master" {
    vt_json_edit "$WORK/b/config.json" 'c["process"]["terminal"] = True; c["process"]["args"] = ["sh", "-c", "tty; echo console-ok"]'
    "$VT_PY" "$BATS_TEST_DIRNAME/../clients/console_socket.py" "$WORK/sock" "$WORK/tty.out" &
    pid=$!
    vt_wait_file "$WORK/sock"
    vq create --bundle "$WORK/b" --console-socket "$WORK/sock" c1
    vq start c1
    wait $pid
    run cat "$WORK/tty.out"
    vt_assert_match 'name=/dev/pts/'
    vt_assert_match '/dev/pts/0'
    vt_assert_match 'console-ok'
}

@test "--log --log-format json writes runc's JSON lines" {
    run --separate-stderr "$VESSEL_BIN" --root "$STATE" --log "$WORK/log.json" --log-format json state nosuch
    vt_assert_status 1
    "$VT_PY" -c '
import json, sys
line = json.loads(open(sys.argv[1]).readline())
assert line["level"] == "error", line
assert line["msg"] == "container '"'"'nosuch'"'"' does not exist", line
assert line["time"][:2] == "20", line' "$WORK/log.json"
}

@test "--debug: the stages and the init's steps, on stderr and in --log; nothing without it" {
    vrun --debug run "$ROOT" /probe pid
    vt_assert_status 0
    vt_assert_output "pid=1"
    for line in "stage cgroup: prepare" "stage namespaces: set up the init from outside" \
        "init: stage rootfs" "init: execute '/probe' through the sealed trampoline" \
        "stage cgroup: undo"; do
        grep -qxF "vessel: debug: $line" <<<"$stderr" || vt_fail "no debug line '$line'"
    done
    grep -q "vessel: debug: init: host pid [0-9]*, clone flags 0x" <<<"$stderr" ||
        vt_fail "no debug line for the clone"
    vrun run "$ROOT" /probe pid
    vt_assert_status 0
    [ -z "$stderr" ] || vt_fail "stderr without --debug: $stderr"
    run --separate-stderr "$VESSEL_BIN" --root "$STATE" --debug --log "$WORK/debug.json" \
        --log-format json run "$ROOT" /bin/true
    vt_assert_status 0
    "$VT_PY" -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines and all(l["level"] == "debug" for l in lines), lines
assert any(l["msg"].startswith("init: execute '"'"'/bin/true'"'"'") for l in lines), lines' \
        "$WORK/debug.json"
    # where the trampoline does not fit (the host's pid namespace) the init executes directly
    vrun --debug run --pid host "$ROOT" /probe pid
    vt_assert_status 0
    grep -qxF "vessel: debug: init: execute '/probe'" <<<"$stderr" ||
        vt_fail "no debug line for the direct execute"
}

@test "a run or create whose init never waits is a vfork launch; hooks, user and time namespaces are not" {
    vfork_line="init: host pid [0-9]*, clone flags 0x[0-9a-f]*, vfork launch"
    # no cgroup namespace, so /proc/self/cgroup shows where the init joined by itself
    vt_make_bundle "$WORK/v" /probe cgroup
    vt_json_edit "$WORK/v/config.json" \
        "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'cgroup']"
    vrun --debug run --bundle "$WORK/v" vf1
    vt_assert_status 0
    grep -q "$vfork_line" <<<"$stderr" || vt_fail "no vfork launch: $stderr"
    grep -qxF "vessel: debug: init: stage cgroup" <<<"$stderr" || vt_fail "the init did not join"
    [ -n "$output" ] || vt_fail "no /proc/self/cgroup"
    while IFS=: read -r _ ctl path; do
        [ "$path" = /vf1 ] || vt_fail "the init is in '$path' for '$ctl', not in /vf1"
    done <<<"$output"
    # create: the trampoline waits for start (it keeps create's stdio: files)
    vt_defer "vessel delete --force vf2"
    vessel --debug create --bundle "$WORK/v" --pid-file "$WORK/vf2.pid" vf2 \
        </dev/null >"$WORK/vf2.out" 2>"$WORK/vf2.err"
    grep -q "$vfork_line" "$WORK/vf2.err" || vt_fail "create: no vfork launch: $(cat "$WORK/vf2.err")"
    pid=$(cat "$WORK/vf2.pid")
    [ "$(cat /proc/$pid/comm)" = exec.fifo ] || vt_fail "the init waits as $(cat /proc/$pid/comm)"
    [ ! -s "$WORK/vf2.out" ] || vt_fail "the process ran before start"
    vessel start vf2
    for _ in $(seq 100); do [ -s "$WORK/vf2.out" ] && break; sleep 0.05; done
    grep -q ":/vf2$" "$WORK/vf2.out" || vt_fail "after start: '$(cat "$WORK/vf2.out")'"
    vessel delete --force vf2
    # a hook, a user namespace, a time namespace: a copy, and each still works
    make_hook
    vt_json_edit "$WORK/v/config.json" \
        "c['hooks'] = {'prestart': [{'path': '$WORK/hook.sh', 'args': ['hook.sh', 'prestart']}]}"
    vrun --debug run --bundle "$WORK/v" vf3
    vt_assert_status 0
    ! grep -q "vfork launch" <<<"$stderr" || vt_fail "a run with hooks took a vfork launch"
    grep -q "^prestart " "$WORK/hooks.log" || vt_fail "the prestart hook did not run"
    vt_json_edit "$WORK/v/config.json" "
del c['hooks']
c['linux']['namespaces'].append({'type': 'time'})
c['linux']['timeOffsets'] = {'monotonic': {'secs': 3600, 'nanosecs': 0}}"
    vrun --debug run --bundle "$WORK/v" vf4
    vt_assert_status 0
    ! grep -q "vfork launch" <<<"$stderr" || vt_fail "a time namespace took a vfork launch"
    chown -R 100000:100000 "$WORK/v/rootfs"
    chmod 755 "$VT_DIR" "$WORK" "$WORK/v" # the mapped root must reach its rootfs
    vt_json_edit "$WORK/v/config.json" "
c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'time']
del c['linux']['timeOffsets']
c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]"
    vrun --debug run --bundle "$WORK/v" vf5
    vt_assert_status 0
    ! grep -q "vfork launch" <<<"$stderr" || vt_fail "a user namespace took a vfork launch"
    vt_assert_no_leaks
}

@test "exec: runs in the container's namespaces, exit code, env, cwd, user" {
    vq run -d --bundle "$WORK/b" --pid-file "$WORK/pid" c1
    pid=$(cat "$WORK/pid")
    run vessel exec -e FOO=bar --cwd /tmp -u 1000:1000 c1 sh -c 'echo $FOO; pwd; id -u; id -g; hostname; exit 3'
    vt_assert_status 3
    vt_assert_output "bar
/tmp
1000
1000
vessel-bundle"
    for ns in pid mnt net ipc uts; do
        run vessel exec c1 readlink /proc/self/ns/$ns
        [ "$output" = "$(readlink /proc/$pid/ns/$ns)" ]
    done
    run vessel exec c1 sh -c 'echo $$'
    [ "$output" -gt 1 ]
    [ "$output" -lt 100 ]
}

@test "exec -p process.json, -d with --pid-file, a missing command" {
    vq run -d --bundle "$WORK/b" c1
    printf '%s\n' '{"args": ["sh", "-c", "echo from-process-json; exit 4"], "cwd": "/",' \
        '"env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}}' >"$WORK/process.json"
    run vessel exec -p "$WORK/process.json" c1
    vt_assert_status 4
    vt_assert_output from-process-json
    vessel exec -d --pid-file "$WORK/epid" c1 sleep 30 </dev/null >/dev/null 2>&1
    epid=$(cat "$WORK/epid")
    [ "$(cat /proc/$epid/comm)" = sleep ]
    run vessel ps --format json c1
    vt_assert_match "$epid"
    run -127 --separate-stderr vessel exec c1 nosuchcmd
    vt_assert_status 127
    vt_assert_vessel_error "exec 'nosuchcmd': executable file not found"
    run --separate-stderr vessel exec --apparmor foo c1 true
    [ "$status" -ne 0 ]
    vt_assert_vessel_error "AppArmor is not supported"
}

@test "ps lists the container's processes" {
    vq run -d --bundle "$WORK/b" --pid-file "$WORK/pid" c1
    run vessel ps c1
    vt_assert_match 'PID'
    vt_assert_match "sleep 60"
    run vessel ps -f json c1
    vt_assert_output "[$(cat "$WORK/pid")]"
}

@test "update changes the pids limit; events --stats reports" {
    vq run -d --bundle "$WORK/b" c1
    vessel update --pids-limit 42 c1
    cg=$("$VT_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["cgroupPath"])' "$STATE/c1/state.json")
    [ "$(cat /sys/fs/cgroup/pids$cg/pids.max 2>/dev/null || cat /sys/fs/cgroup$cg/pids.max)" = 42 ]
    echo '{"pids": {"limit": 43}}' | vessel update -r - c1
    [ "$(cat /sys/fs/cgroup/pids$cg/pids.max 2>/dev/null || cat /sys/fs/cgroup$cg/pids.max)" = 43 ]
    run vessel events --stats c1
    vt_assert_status 0
    "$VT_PY" -c 'import json,sys; e=json.loads(sys.argv[1]); assert e["type"]=="stats" and e["id"]=="c1"' "$output"
}

@test "features lists what works, as JSON" {
    run vessel features
    vt_assert_status 0
    "$VT_PY" -c '
import json, sys
f = json.loads(sys.argv[1])
assert "createRuntime" in f["hooks"]
assert "pid" in f["linux"]["namespaces"]
assert f["linux"]["apparmor"]["enabled"] is False' "$output"
}

@test "run -d returns at once; the friendly run still works" {
    vq run -d --bundle "$WORK/b" c1
    run vessel state c1
    vt_assert_match '"status": "running"'
    run vessel run --rm "$ROOT" echo friendly
    vt_assert_status 0
    vt_assert_output friendly
}

@test "exec joins the user namespace of a container that has one" {
    chown -R 100000:100000 "$WORK/b/rootfs"
    chmod 755 "$VT_DIR" "$WORK" "$WORK/b" # the mapped root must reach its rootfs
    vt_json_edit "$WORK/b/config.json" '
c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    vq run -d --bundle "$WORK/b" --pid-file "$WORK/pid" c1
    run vessel exec c1 cat /proc/self/uid_map
    vt_assert_status 0
    vt_assert_match '^ +0 +100000 +65536$'
    [ "$(stat -c %u /proc/$(cat "$WORK/pid"))" = 100000 ]
}

# The mount points (mountinfo's 5th field) a container's /probe mounts printed to FILE, sorted.
mount_points() {
    awk '{print $5}' "$1" | sort
}

# created_output OUT ARGS...: create ARGS... c1, start it, wait until its process is done and
# delete it; the process's stdout ends up in $WORK/OUT.
created_output() {
    local out=$1 n=0
    shift
    vessel create "$@" --bundle "$WORK/b" c1 </dev/null >"$WORK/$out" 2>>"$WORK/ctr.err"
    vessel start c1
    until vessel state c1 | grep -q '"status": "stopped"'; do
        ((n++ < 100)) || vt_fail "c1 did not stop"
        sleep 0.1
    done
    vessel delete c1
}

@test "create --no-pivot: the root is moved onto / and chrooted; the container sees the same" {
    vt_json_edit "$WORK/b/config.json" 'c["process"]["args"] = ["/probe", "mounts"]'
    created_output pivot.out
    created_output nopivot.out --no-pivot
    # the root is "/", the container's own mounts are there, and nothing of the host: the same
    # mount points as with pivot_root, none of them a host path like the bundle's directory
    run awk '$5 == "/" {print $5}' "$WORK/nopivot.out"
    vt_assert_output "/"
    grep -q ' /proc .* - proc ' "$WORK/nopivot.out"
    grep -q ' /dev/pts .* - devpts ' "$WORK/nopivot.out"
    [ "$(mount_points "$WORK/nopivot.out")" = "$(mount_points "$WORK/pivot.out")" ]
    [ -z "$(awk '{print $5}' "$WORK/nopivot.out" | grep -F "$VT_DIR")" ]
    # the container works, and runc run's foreground form takes the flag too
    vt_json_edit "$WORK/b/config.json" 'c["process"]["args"] = ["sh", "-c", "echo no-pivot-ok; /probe ps; exit 0"]'
    run vessel run --no-pivot --bundle "$WORK/b" c1
    vt_assert_status 0
    vt_assert_match 'no-pivot-ok'
    grep -qx '1 sh' <<<"$output"
}

@test "a new session keyring per container; --no-new-keyring keeps the caller's" {
    host=$("$PROBE_BIN" keyring)
    [ -n "$host" ]
    vt_json_edit "$WORK/b/config.json" 'c["process"]["args"] = ["/probe", "keyring"]'
    run vessel run --bundle "$WORK/b" c1
    vt_assert_status 0
    [ -n "$output" ]
    [ "$output" != "$host" ]
    run vessel run --no-new-keyring --bundle "$WORK/b" c1
    vt_assert_status 0
    vt_assert_output "$host"
    # create + start: the same
    created_output created.out
    [ -s "$WORK/created.out" ]
    [ "$(cat "$WORK/created.out")" != "$host" ]
    created_output kept.out --no-new-keyring
    [ "$(cat "$WORK/kept.out")" = "$host" ]
    # the friendly run gets its own too (docker's default profile refuses keyctl: unconfined)
    run vessel run --rm --security-opt seccomp=unconfined "$ROOT" /probe keyring
    vt_assert_status 0
    [ "$output" != "$host" ]
    run vessel run --rm --no-new-keyring --security-opt seccomp=unconfined "$ROOT" /probe keyring
    vt_assert_status 0
    vt_assert_output "$host"
}

@test "the state keeps the bundle's config.json as written; a relative root is saved resolved" {
    # relative root (the bundle's "rootfs"): saved as a spec with the absolute path
    vq create --bundle "$WORK/b" c1
    run python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['root']['path'])" "$STATE/c1/config.json"
    vt_assert_output "$WORK/b/rootfs"
    vq delete --force c1
    # absolute root: byte for byte the bundle's text, spacing and unknown keys included
    vt_json_edit "$WORK/b/config.json" "c['root']['path'] = '$WORK/b/rootfs'; c['x-vessel-test'] = {'kept': 1}"
    printf '\n\n' >>"$WORK/b/config.json"
    vq create --bundle "$WORK/b" c1
    cmp "$WORK/b/config.json" "$STATE/c1/config.json"
    vq start c1
    run vessel exec c1 echo exec-ok
    vt_assert_output "exec-ok"
}
