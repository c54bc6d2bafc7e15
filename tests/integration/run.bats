#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# `vessel run`'s options, one behaviour per test: command and stdin, environment, user, working
# directory, volumes, tmpfs, read-only and ephemeral roots, --print-spec, the built-in busybox image,
# OCI bundles and `vessel spec`, container names. Needs root.

load helpers

setup_file() { vt_setup_file; }
teardown_file() { vt_teardown_file; }
setup() { vt_setup; }
teardown() { vt_teardown; }

# vt_in_dir DIR CMD...: CMD with DIR as working directory (run it under `run`: a subshell).
vt_in_dir() {
    cd "$1" || return 1
    shift
    "$@"
}

# ---- command and stdin

@test "command: the default command is /bin/sh" {
    run --separate-stderr vt_pipe 'echo hi from $0' vessel run -i "$ROOT"
    vt_assert_status 0
    vt_assert_output "hi from /bin/sh"
}

@test "command: arguments pass through unchanged, flags included" {
    vrun run "$ROOT" /bin/sh -c 'printf "[%s]\n" "$@"' argv0 "a b" "" "c'd" '$HOME' -h --rm -e X=1
    vt_assert_status 0
    vt_assert_output "[a b]
[]
[c'd]
[\$HOME]
[-h]
[--rm]
[-e]
[X=1]"
}

@test "command: a command name is looked up in PATH" {
    vrun run "$ROOT" probe pid
    vt_assert_status 0
    vt_assert_output "pid=1"
}

@test "stdin: -i passes stdin to the command" {
    run --separate-stderr vt_pipe "hello stdin" vessel run -i "$ROOT" cat
    vt_assert_status 0
    vt_assert_output "hello stdin"
}

@test "stdin: --interactive with the long spelling" {
    run --separate-stderr vt_pipe "hello long" vessel run --interactive "$ROOT" cat
    vt_assert_status 0
    vt_assert_output "hello long"
}

@test "stdin: not attached without -i" {
    run --separate-stderr vt_pipe "should not arrive" vessel run "$ROOT" cat
    vt_assert_status 0
    vt_assert_output ""
}

@test "stdout and stderr stay apart" {
    vrun run "$ROOT" /bin/sh -c 'echo out; echo err >&2'
    vt_assert_status 0
    vt_assert_output "out"
    [ "$stderr" = "err" ] || vt_fail "expected 'err' on stderr"
}

# ---- environment, working directory, user

@test "env: -e and --env set variables" {
    vrun run -e FOO=bar -e EMPTY= --env BAZ=qu=ux "$ROOT" /probe env
    vt_assert_status 0
    vt_assert_line "FOO=bar"
    vt_assert_line "EMPTY="
    vt_assert_line "BAZ=qu=ux"
    vt_assert_match '(^|'$'\n'')PATH=[^'$'\n'']*/bin'
}

@test "env: --env-file reads KEY=VALUE lines, skipping comments and blank lines" {
    printf 'A=1\n# a comment\n\nB=two words\nC=x=y\n' >"$WORK/env"
    vrun run --env-file "$WORK/env" "$ROOT" /probe env
    vt_assert_status 0
    vt_assert_line "A=1"
    vt_assert_line "B=two words"
    vt_assert_line "C=x=y"
    ! grep -q 'comment' <<<"$output" || vt_fail "the comment became a variable"
}

@test "env: -e after --env-file wins" {
    printf 'A=from-file\n' >"$WORK/env"
    vrun run --env-file "$WORK/env" -e A=from-flag "$ROOT" /probe env
    vt_assert_status 0
    vt_assert_line "A=from-flag"
    vt_refute_line "A=from-file"
}

@test "workdir: -w sets the working directory" {
    vrun run -w /tmp "$ROOT" /probe cwd
    vt_assert_status 0
    vt_assert_output "cwd=/tmp"
}

@test "workdir: --workdir with the long spelling" {
    vrun run --workdir /home/tester "$ROOT" /probe cwd
    vt_assert_status 0
    vt_assert_output "cwd=/home/tester"
}

@test "workdir: the default is /" {
    vrun run "$ROOT" /probe cwd
    vt_assert_status 0
    vt_assert_output "cwd=/"
}

@test "user: root by default" {
    vrun run "$ROOT" /probe ids
    vt_assert_status 0
    vt_assert_line "uid=0"
    vt_assert_line "gid=0"
}

@test "user: -u UID:GID" {
    vrun run -u 1000:1000 "$ROOT" /probe ids
    vt_assert_status 0
    vt_assert_line "uid=1000"
    vt_assert_line "euid=1000"
    vt_assert_line "gid=1000"
    vt_assert_line "egid=1000"
    local groups
    groups=$(vt_value groups)
    [[ ,$groups, != *,0,* ]] || vt_fail "root's group 0 stayed a supplementary group"
}

@test "user: -u UID alone" {
    vrun run -u 1000 "$ROOT" /probe ids
    vt_assert_status 0
    vt_assert_line "uid=1000"
    vt_assert_line "euid=1000"
}

@test "user: --user with the long spelling" {
    vrun run --user 1000:1000 "$ROOT" /probe ids
    vt_assert_status 0
    vt_assert_line "uid=1000"
    vt_assert_line "gid=1000"
}

# ---- volumes and tmpfs

@test "volume: a host directory, read-write: writes inside show on the host" {
    mkdir "$WORK/vol"
    echo "from host" >"$WORK/vol/in"
    vrun run -v "$WORK/vol:/data" "$ROOT" /bin/sh -c '/probe read /data/in && /probe write /data/out "from container"'
    vt_assert_status 0
    vt_assert_output "from host"
    [ "$(cat "$WORK/vol/out")" = "from container" ] || vt_fail "the host does not see the write"
}

@test "volume: :rw is read-write" {
    mkdir "$WORK/vol"
    vrun run -v "$WORK/vol:/data:rw" "$ROOT" /probe write /data/out yes
    vt_assert_status 0
    [ "$(cat "$WORK/vol/out")" = "yes" ] || vt_fail "the host does not see the write"
}

@test "volume: :ro is read-only" {
    mkdir "$WORK/vol"
    echo "keep" >"$WORK/vol/file"
    vrun run -v "$WORK/vol:/data:ro" "$ROOT" /bin/sh -c '/probe read /data/file; /probe write /data/file changed'
    vt_assert_status 1
    vt_assert_output "keep"
    vt_assert_stderr_match 'Read-only file system'
    [ "$(cat "$WORK/vol/file")" = "keep" ] || vt_fail "the read-only volume was written"
    [ ! -e "$WORK/vol/new" ]
}

@test "volume: --volume with the long spelling" {
    mkdir "$WORK/vol"
    echo "long" >"$WORK/vol/file"
    vrun run --volume "$WORK/vol:/data" "$ROOT" /probe read /data/file
    vt_assert_status 0
    vt_assert_output "long"
}

@test "volume: a single file" {
    echo "one file" >"$WORK/file.txt"
    vrun run -v "$WORK/file.txt:/etc/vol-file.txt" "$ROOT" /bin/sh -c '/probe read /etc/vol-file.txt && /probe stat /etc/vol-file.txt'
    vt_assert_status 0
    vt_assert_line "one file"
    vt_assert_line "type=reg"
}

@test "volume: a single file, writes reach the host file" {
    echo "before" >"$WORK/file.txt"
    vrun run -v "$WORK/file.txt:/etc/vol-file.txt" "$ROOT" /probe write /etc/vol-file.txt after
    vt_assert_status 0
    [ "$(cat "$WORK/file.txt")" = "after" ] || vt_fail "the host file holds '$(cat "$WORK/file.txt")'"
}

@test "volume: a missing destination is created, nested" {
    mkdir "$WORK/vol"
    echo deep >"$WORK/vol/f"
    vrun run -v "$WORK/vol:/a/b/c" "$ROOT" /probe read /a/b/c/f
    vt_assert_status 0
    vt_assert_output "deep"
}

@test "tmpfs: --tmpfs mounts a writable tmpfs" {
    vrun run --tmpfs /scratch "$ROOT" /bin/sh -c '/probe write /scratch/f hi && /probe read /scratch/f && /probe mounts'
    vt_assert_status 0
    vt_assert_line "hi"
    vt_assert_match ' /scratch [^'$'\n'']* - tmpfs '
    [ ! -e "$ROOT/scratch/f" ] || vt_fail "the tmpfs file reached the root directory"
}

# ---- the root filesystem

@test "root: a directory root persists writes" {
    vt_copy_root "$WORK/root"
    vrun run "$WORK/root" /probe write /persist.txt kept
    vt_assert_status 0
    [ "$(cat "$WORK/root/persist.txt")" = "kept" ] || vt_fail "the write is not in the directory"
    vrun run "$WORK/root" /probe read /persist.txt
    vt_assert_status 0
    vt_assert_output "kept"
}

@test "root: --read-only: writing to / fails" {
    vt_copy_root "$WORK/root"
    vrun run --read-only "$WORK/root" /probe write /ro.txt x
    vt_assert_status 1
    vt_assert_stderr_match 'Read-only file system'
    [ ! -e "$WORK/root/ro.txt" ] || vt_fail "the file was created"
}

@test "root: --read-only: a --tmpfs stays writable" {
    vt_copy_root "$WORK/root"
    vrun run --read-only --tmpfs /scratch "$WORK/root" /bin/sh -c '/probe write /scratch/x ok && /probe read /scratch/x'
    vt_assert_status 0
    vt_assert_output "ok"
}

@test "root: --read-only: /dev stays writable" {
    vrun run --read-only "$ROOT" /probe write /dev/null x
    vt_assert_status 0
}

@test "root: --ephemeral throws writes away" {
    vt_copy_root "$WORK/root"
    vrun run --ephemeral "$WORK/root" /bin/sh -c '/probe write /eph.txt gone && /probe read /eph.txt && rm /etc/group && /probe read /etc/passwd'
    vt_assert_status 0
    vt_assert_line "gone"
    vt_assert_line "tester:x:1000:1000:tester:/home/tester:/bin/sh"
    [ ! -e "$WORK/root/eph.txt" ] || vt_fail "the write reached the directory"
    [ -e "$WORK/root/etc/group" ] || vt_fail "the removal reached the directory"
    vrun run "$WORK/root" /probe read /eph.txt
    vt_assert_status 1
}

# ---- the defaults a container gets (docker's)

@test "defaults: /proc/sys is read-only" {
    # kernel/domainname is per UTS namespace: harmless to the host should the write go through.
    vrun run "$ROOT" /probe write /proc/sys/kernel/domainname vsl-test
    vt_assert_status 1
    vt_assert_stderr_match 'Read-only file system'
}

@test "defaults: masked paths read empty" {
    [ -e /proc/timer_list ] || skip "no /proc/timer_list on this kernel"
    vrun run "$ROOT" /bin/sh -c '/probe read /proc/timer_list | wc -c; ls /sys/firmware | wc -l'
    vt_assert_status 0
    vt_assert_output "0
0"
}

@test "defaults: /sys is read-only" {
    vrun run "$ROOT" /bin/sh -c 'grep " /sys " /proc/self/mountinfo'
    vt_assert_status 0
    vt_assert_match ' /sys ro[, ]'
}

# ---- --print-spec

@test "print-spec: prints valid JSON and runs nothing" {
    vrun run --print-spec "$ROOT" /probe write /printed x
    vt_assert_status 0
    "$VT_PY" -m json.tool <<<"$output" >/dev/null || vt_fail "not valid JSON"
    [ ! -e "$ROOT/printed" ] || vt_fail "the command ran"
}

@test "print-spec: shows the mapping of the options" {
    mkdir "$WORK/vol"
    vrun run --print-spec -h spec-host -e FOO=bar -w /tmp -u 1000:1000 -v "$WORK/vol:/data:ro" \
        --tmpfs /scratch --read-only --network none --pid host "$ROOT" /probe env
    vt_assert_status 0
    printf '%s\n' "$output" >"$WORK/spec.json"
    "$VT_PY" - "$WORK/vol" "$WORK/spec.json" <<'EOF' || vt_fail "the spec does not show the options"
import json, sys
vol = sys.argv[1]
c = json.load(open(sys.argv[2]))
def check(cond, what):
    if not cond:
        print("spec check failed:", what, file=sys.stderr)
        sys.exit(1)
p = c["process"]
check(c.get("hostname") == "spec-host", "hostname")
check("FOO=bar" in p.get("env", []), "env FOO=bar")
check(p.get("args") == ["/probe", "env"], "args")
check(p.get("cwd") == "/tmp", "cwd")
check(p["user"].get("uid") == 1000 and p["user"].get("gid") == 1000, "user")
check(c["root"].get("readonly") is True, "root.readonly")
mounts = {m["destination"]: m for m in c.get("mounts", [])}
data = mounts.get("/data")
check(data is not None and data.get("source") == vol and "ro" in data.get("options", []), "volume /data ro")
check("bind" in data.get("options", []) or "rbind" in data.get("options", []) or data.get("type") == "bind", "volume is a bind")
check(mounts.get("/scratch", {}).get("type") == "tmpfs", "tmpfs /scratch")
ns = {n["type"]: n for n in c["linux"]["namespaces"]}
check("network" in ns and "path" not in ns["network"], "a new network namespace")
check("pid" not in ns, "--pid host: no pid namespace")
check("mount" in ns, "a mount namespace")
EOF
}

@test "print-spec: --uts host and --ipc host drop those namespaces, --network host too" {
    vrun run --print-spec --uts host --ipc host --network host --cgroupns host "$ROOT"
    vt_assert_status 0
    "$VT_PY" -c '
import json, sys
c = json.load(sys.stdin)
types = {n["type"] for n in c["linux"]["namespaces"]}
sys.exit(1 if types & {"uts", "ipc", "network", "cgroup"} or "pid" not in types else 0)' <<<"$output" ||
        vt_fail "unexpected namespaces"
    "$VT_PY" -c '
import json, sys
c = json.load(sys.stdin)
sys.exit(0 if c["process"]["args"] == ["/bin/sh"] else 1)' <<<"$output" || vt_fail "the default command is not /bin/sh"
}

# ---- the built-in busybox image

@test "image: the built-in busybox image" {
    vrun run busybox busybox echo ok
    vt_assert_status 0
    vt_assert_output "ok"
}

# ---- OCI bundles and vessel spec

@test "spec: writes config.json in the working directory" {
    mkdir "$WORK/b"
    run --separate-stderr vt_in_dir "$WORK/b" vessel spec
    vt_assert_status 0
    "$VT_PY" -c 'import json, sys; c = json.load(open(sys.argv[1])); assert c["ociVersion"] and c["process"]["args"]' \
        "$WORK/b/config.json" || vt_fail "no valid config.json"
}

@test "spec: --bundle DIR writes DIR/config.json" {
    mkdir "$WORK/b"
    vrun spec --bundle "$WORK/b"
    vt_assert_status 0
    "$VT_PY" -m json.tool "$WORK/b/config.json" >/dev/null || vt_fail "no valid config.json"
}

@test "spec: refuses to overwrite config.json" {
    mkdir "$WORK/b"
    echo '{"mine": true}' >"$WORK/b/config.json"
    vrun spec --bundle "$WORK/b"
    [ "$status" -ne 0 ] || vt_fail "overwrote config.json"
    vt_assert_stderr_match 'exist'
    [ "$(cat "$WORK/b/config.json")" = '{"mine": true}' ] || vt_fail "config.json changed"
}

@test "spec: --rootless maps the user in a user namespace" {
    mkdir "$WORK/b"
    vrun spec --rootless --bundle "$WORK/b"
    vt_assert_status 0
    "$VT_PY" -c '
import json, sys
c = json.load(open(sys.argv[1]))
types = {n["type"] for n in c["linux"]["namespaces"]}
assert "user" in types and c["linux"]["uidMappings"] and c["linux"]["gidMappings"]' "$WORK/b/config.json" ||
        vt_fail "no user namespace with mappings in $(cat "$WORK/b/config.json")"
}

@test "bundle: run --bundle DIR ID runs a config.json made by vessel spec" {
    mkdir "$WORK/b"
    vrun spec --bundle "$WORK/b"
    vt_assert_status 0
    vt_copy_root "$WORK/b/rootfs"
    vt_json_edit "$WORK/b/config.json" '
c["process"]["args"] = ["/probe", "hostname"]
c["process"]["terminal"] = False
c["root"]["path"] = "rootfs"
c["hostname"] = "from-bundle"'
    vrun run --bundle "$WORK/b" "vt-bundle-$$"
    vt_assert_status 0
    vt_assert_line "hostname=from-bundle"
}

@test "bundle: the process's exit status comes back" {
    vt_make_bundle "$WORK/b" /probe exit 7
    vrun run --bundle "$WORK/b" "vt-bundle-exit-$$"
    vt_assert_status 7
}

# ---- names

@test "name: a second container with a running one's name fails 125" {
    local name=vt-busy-$$ first
    vt_bg first run --name "$name" "$ROOT" /probe trap 30
    vt_wait_line "$WORK/first.out" ready || vt_bg_abort first "the first container did not start"
    vrun run --name "$name" "$ROOT" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error '(exist|busy|in use)'
    [ -z "$output" ] || vt_fail "the second container ran"
    first=$(cat "$WORK/first.pid")
    kill -0 "$first" || vt_fail "the first container's vessel is gone"
    [ -d "$STATE/$name" ] || vt_fail "the first container's state is gone"
    kill -TERM "$(vt_container_pid "$first")"
    vt_bg_wait first
    vt_assert_status 115
}

@test "name: the name is free again once its container exited" {
    local name=vt-again-$$
    vrun run --name "$name" "$ROOT" /probe pid
    vt_assert_status 0
    vrun run --name "$name" "$ROOT" /probe pid
    vt_assert_status 0
    vt_assert_output "pid=1"
}

@test "name: --rm runs and leaves nothing" {
    vrun run --rm --name "vt-rm-$$" "$ROOT" /probe pid
    vt_assert_status 0
    vt_assert_output "pid=1"
    # shared by all containers: .seccomp, the cache of compiled filters, and .empty, the second
    # layer of vessel's sealed overlay (src/lib/selfclone.c)
    [ -z "$(ls -A "$STATE" | grep -vxE '\.seccomp|\.empty')" ] || vt_fail "state left: $(ls -A "$STATE")"
}
