#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The OCI lifecycle (runtime-spec runtime.md, "Lifecycle" and "Operations") step by step: each
# operation in each state, what must succeed, and what must fail, with a runc-like message on one
# stderr line and exit status 1.

load helpers

# VESSEL=path/to/vessel runs another build (e.g. build/oci/vessel).
[ -z "${VESSEL:-}" ] || VESSEL_BIN=$VESSEL

setup_file() { vt_setup_file; }
teardown_file() { vt_teardown_file; }
setup() {
    vt_setup
    vt_make_bundle "$WORK/b" sleep 60
    vt_defer "vessel delete --force c1 c2"
}
teardown() { vt_teardown; }

# The container's stdio is the creating command's (as runc's): quiet runs keep it in files, so
# nothing waits for the container to close a pipe.
vq() {
    vessel "$@" </dev/null >>"$WORK/ctr.out" 2>>"$WORK/ctr.err"
}

status_of() {
    vessel state "$1" | "$VT_PY" -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}

wait_status() {
    local id=$1 want=$2 i
    for i in $(seq 50); do
        [ "$(status_of "$id" 2>/dev/null)" = "$want" ] && return 0
        sleep 0.1
    done
    echo "container $id never reached $want (now $(status_of "$id"))" >&2
    return 1
}

@test "state of a container that does not exist fails" {
    run --separate-stderr vessel state nosuch
    vt_assert_status 1
    vt_assert_vessel_error "container 'nosuch' does not exist"
}

@test "create with a bad id fails" {
    run --separate-stderr vessel create --bundle "$WORK/b" '../x'
    vt_assert_status 1
    vt_assert_vessel_error "container id '../x' is not valid"
    run --separate-stderr vessel create --bundle "$WORK/b"
    vt_assert_status 1
    vt_assert_vessel_error "expected a container id"
}

@test "create with a missing bundle fails and leaves nothing" {
    run --separate-stderr vessel create --bundle "$WORK/nosuch" c1
    vt_assert_status 1
    vt_assert_vessel_error "bundle '.*nosuch'"
    [ ! -e "$STATE/c1" ]
}

@test "create: state says created, the pid file names the init, which waits" {
    vq create --bundle "$WORK/b" --pid-file "$WORK/pid" c1
    [ "$(status_of c1)" = created ]
    pid=$(cat "$WORK/pid")
    run vessel state c1
    vt_assert_match "\"pid\": $pid"
    vt_assert_match "\"bundle\": \"$WORK/b\""
    vt_assert_match '"ociVersion": "1\.'
    vt_assert_match '"created": "[0-9]{4}-'
    vt_assert_match '"owner": ""'
    # the user's process has not run: the init still waits in exec.fifo
    [ "$(cat /proc/$pid/comm)" = exec.fifo ]
    [ -p "$STATE/c1/exec.fifo" ]
}

@test "start runs the process; a second start fails" {
    vq create --bundle "$WORK/b" --pid-file "$WORK/pid" c1
    run --separate-stderr vessel start c1
    vt_assert_status 0
    [ "$(status_of c1)" = running ]
    [ "$(cat /proc/$(cat "$WORK/pid")/comm)" = sleep ]
    run --separate-stderr vessel start c1
    vt_assert_status 1
    vt_assert_vessel_error "container 'c1' is running: only a created container can be started"
}

@test "create twice with one id fails" {
    vq create --bundle "$WORK/b" c1
    run --separate-stderr vessel create --bundle "$WORK/b" c1
    vt_assert_status 1
    vt_assert_vessel_error "container 'c1' already exists"
}

@test "delete refuses a running container, --force kills it" {
    vq run -d --bundle "$WORK/b" --pid-file "$WORK/pid" c1
    pid=$(cat "$WORK/pid")
    run --separate-stderr vessel delete c1
    vt_assert_status 1
    vt_assert_vessel_error "cannot delete container 'c1' that is not stopped: running"
    run --separate-stderr vessel delete --force c1
    vt_assert_status 0
    [ ! -e "$STATE/c1" ]
    [ ! -e "/proc/$pid/comm" ] || [ "$(cut -d' ' -f3 /proc/$pid/stat)" = Z ]
}

@test "a created container can be killed and deleted" {
    vq create --bundle "$WORK/b" c1
    run --separate-stderr vessel kill c1 KILL
    vt_assert_status 0
    wait_status c1 stopped
    run --separate-stderr vessel start c1
    vt_assert_status 1
    vt_assert_vessel_error "container 'c1' is stopped"
    vessel delete c1
    [ ! -e "$STATE/c1" ]
}

@test "a created container can be deleted without --force" {
    vq create --bundle "$WORK/b" c1
    run --separate-stderr vessel delete c1
    vt_assert_status 0
    [ ! -e "$STATE/c1" ]
}

@test "the process exits: stopped; kill and exec then fail; delete works" {
    vt_json_edit "$WORK/b/config.json" 'c["process"]["args"] = ["true"]'
    vq create --bundle "$WORK/b" c1
    vessel start c1
    wait_status c1 stopped
    run --separate-stderr vessel kill c1 TERM
    vt_assert_status 1
    vt_assert_vessel_error "container 'c1' is not running"
    run --separate-stderr vessel exec c1 true
    [ "$status" -ne 0 ]
    vt_assert_vessel_error "cannot exec in a stopped container 'c1'"
    run --separate-stderr vessel delete c1
    vt_assert_status 0
}

@test "kill takes names and numbers, refuses unknown signals" {
    vt_json_edit "$WORK/b/config.json" 'c["process"]["args"] = ["sh", "-c", "trap \"exit 0\" USR1; while :; do sleep 0.1; done"]'
    vq run -d --bundle "$WORK/b" c1
    run --separate-stderr vessel kill c1 NOSUCH
    vt_assert_status 1
    vt_assert_vessel_error "unknown signal 'NOSUCH'"
    run --separate-stderr vessel kill c1 SIGUSR1
    vt_assert_status 0
    wait_status c1 stopped
    vessel delete c1
    vq run -d --bundle "$WORK/b" c2
    vessel kill c2 9
    wait_status c2 stopped
}

@test "pause and resume: paused, running; pause twice and resume twice fail" {
    vq run -d --bundle "$WORK/b" c1
    vessel pause c1
    [ "$(status_of c1)" = paused ]
    run --separate-stderr vessel pause c1
    vt_assert_status 1
    vt_assert_vessel_error "container 'c1' is paused"
    vessel resume c1
    [ "$(status_of c1)" = running ]
    run --separate-stderr vessel resume c1
    vt_assert_status 1
    vt_assert_vessel_error "it is not paused"
}

@test "exec into a paused container: refused, or with --ignore-paused it waits for resume" {
    vq run -d --bundle "$WORK/b" c1
    vessel pause c1
    run --separate-stderr vessel exec c1 /bin/true
    vt_assert_status 125
    vt_assert_vessel_error "cannot exec in a paused container 'c1' .resume it, or exec --ignore-paused."
    vt_bg x exec --ignore-paused c1 /bin/sh -c 'echo exec-ran'
    sleep 0.5
    kill -0 "$(cat "$WORK/x.pid")" || vt_fail "exec finished in a frozen container: $(cat "$WORK/x.err")"
    [ ! -s "$WORK/x.out" ] || vt_fail "the process ran while paused"
    vessel resume c1
    vt_bg_wait x
    vt_assert_status 0
    vt_assert_output "exec-ran"
}

@test "exec --cgroup PATH: a sub-cgroup of the container's; missing, outside or per-controller refused" {
    local cg d subs=()
    vq run -d --bundle "$WORK/b" c1
    cg=$("$VT_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["cgroupPath"])' "$STATE/c1/state.json")
    run --separate-stderr vessel exec --cgroup sub c1 /bin/true
    vt_assert_status 125
    vt_assert_vessel_error "sub"
    run --separate-stderr vessel exec --cgroup ../x c1 /bin/true
    vt_assert_status 125
    vt_assert_vessel_error "must stay below the container's cgroup"
    run --separate-stderr vessel exec --cgroup cpu:sub c1 /bin/true
    vt_assert_status 125
    vt_assert_vessel_error "per-controller paths"
    for d in /sys/fs/cgroup/*"$cg" /sys/fs/cgroup"$cg"; do
        [ -d "$d" ] && [ ! -L "${d%"$cg"}" ] || continue
        mkdir "$d/sub"
        subs+=("$d/sub")
        if [ -f "$d/cpuset.cpus" ]; then # v1 cpuset: a new cgroup starts with no cpus, no mems
            cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus"
            cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
        fi
    done
    vt_defer "rmdir ${subs[*]} 2>/dev/null || true"
    run --separate-stderr vessel exec --cgroup /sub c1 /bin/cat /proc/self/cgroup
    vt_assert_status 0
    # every hierarchy: the sub-cgroup (seen from the container's cgroup namespace, or the host's)
    [ -n "$output" ] && ! grep -vE ":($cg)?/sub\$" <<<"$output" ||
        vt_fail "not in the sub-cgroup everywhere: $output"
    rmdir "${subs[@]}"
}

@test "a paused container can be deleted with --force" {
    vq run -d --bundle "$WORK/b" c1
    vessel pause c1
    run --separate-stderr vessel delete --force c1
    vt_assert_status 0
    [ ! -e "$STATE/c1" ]
}

@test "create fails at once for a command that is not in the container" {
    vt_json_edit "$WORK/b/config.json" 'c["process"]["args"] = ["nosuchcmd"]'
    run --separate-stderr vessel create --bundle "$WORK/b" c1
    vt_assert_status 1
    vt_assert_vessel_error "exec 'nosuchcmd': executable file not found in \\\$PATH"
    [ ! -e "$STATE/c1" ]
}

@test "create with a terminal and no console socket fails" {
    vt_json_edit "$WORK/b/config.json" 'c["process"]["terminal"] = True'
    run --separate-stderr vessel create --bundle "$WORK/b" c1
    vt_assert_status 1
    vt_assert_vessel_error "console-socket"
    [ ! -e "$STATE/c1" ]
}

@test "delete --force cleans up a container whose create was killed half-way" {
    mkdir -p "$STATE/c1"
    run --separate-stderr vessel state c1
    vt_assert_match '"status": "stopped"'
    run --separate-stderr vessel delete --force c1
    vt_assert_status 0
    [ ! -e "$STATE/c1" ]
    # and --force on what does not exist is not an error (runc's)
    run --separate-stderr vessel delete --force c1
    vt_assert_status 0
}

@test "list shows containers in table, quiet and json form" {
    vq create --bundle "$WORK/b" c1
    vq run -d --bundle "$WORK/b" c2
    run vessel list
    vt_assert_match 'ID +PID +STATUS +BUNDLE +CREATED +OWNER'
    vt_assert_match 'c1 +[0-9]+ +created'
    vt_assert_match 'c2 +[0-9]+ +running'
    run vessel list -q
    vt_assert_output "c1
c2"
    run vessel list --format json
    "$VT_PY" -c 'import json,sys; l=json.loads(sys.argv[1]); assert [c["id"] for c in l] == ["c1","c2"]' "$output"
}

@test "usage errors exit 1 with one line" {
    run --separate-stderr vessel start
    vt_assert_status 1
    vt_assert_vessel_error "start: expected a container id"
    run --separate-stderr vessel kill --nosuch c1
    vt_assert_status 1
    vt_assert_vessel_error "unknown flag: '--nosuch'"
    run --separate-stderr vessel nosuchverb
    vt_assert_status 1
    vt_assert_vessel_error "unknown command 'nosuchverb'"
}
