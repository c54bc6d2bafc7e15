#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Exit statuses of `vessel run` (docker's convention: the command's code, 128+N for signal N, 125
# vessel's own failure, 126 cannot execute, 127 not found), signal forwarding, and that no failure
# leaves state, mounts or loop devices behind. Needs root.
#
# The kernel never lets a pid namespace's init kill itself with a signal it has no handler for, except
# a real fault; so the tests of signals that are not faults run the probe with --pid host, or send the
# signal from the host.

load helpers

setup_file() { vt_setup_file; }
teardown_file() { vt_teardown_file; }
setup() { vt_setup; }
teardown() { vt_teardown; }

# ---- the command's own status

@test "exit: status 0 passes through" {
    vrun run "$ROOT" /probe exit 0
    vt_assert_status 0
}

@test "exit: status 3 passes through" {
    vrun run "$ROOT" /probe exit 3
    vt_assert_status 3
}

@test "exit: status 255 passes through" {
    vrun run "$ROOT" /probe exit 255
    vt_assert_status 255
}

@test "exit: a shell's exit status passes through" {
    vrun run "$ROOT" /bin/sh -c 'exit 42'
    vt_assert_status 42
}

# ---- killed by a signal

@test "signal: killed by SIGKILL is 137" {
    vrun run --pid host "$ROOT" /probe kill-self 9
    vt_assert_status 137
}

@test "signal: killed by SIGTERM is 143" {
    vrun run --pid host "$ROOT" /probe kill-self 15
    vt_assert_status 143
}

@test "signal: pid 1 dying of a fault (SIGSEGV) is 139" {
    vrun run "$ROOT" /probe kill-self 11
    vt_assert_status 139
}

@test "signal: a child of the init killed by SIGKILL, status passed on by sh" {
    vrun run "$ROOT" /bin/sh -c '/probe kill-self 9; exit $?'
    vt_assert_status 137
}

@test "signal: the container's init killed from the host is 137" {
    vt_bg ctr run "$ROOT" /probe trap 30
    vt_wait_line "$WORK/ctr.out" ready || vt_bg_abort ctr "the container did not start"
    local init
    init=$(vt_container_pid "$(cat "$WORK/ctr.pid")") || vt_fail "no container init below vessel"
    kill -KILL "$init"
    vt_bg_wait ctr
    vt_assert_status 137
}

# ---- signal forwarding: vessel passes signals to the container's init

vt_forwarding_test() {
    local sig=$1 num=$2
    vt_bg ctr run "$ROOT" /probe trap 30
    vt_wait_line "$WORK/ctr.out" ready || vt_bg_abort ctr "the container did not start"
    kill -"$sig" "$(cat "$WORK/ctr.pid")"
    vt_bg_wait ctr 10 || vt_fail "vessel did not exit after SIG$sig"
    vt_assert_status $((100 + num))
    vt_assert_line "signal=$num"
}

@test "forward: SIGTERM to vessel reaches the container" {
    vt_forwarding_test TERM 15
}

@test "forward: SIGINT to vessel reaches the container" {
    vt_forwarding_test INT 2
}

@test "forward: SIGHUP to vessel reaches the container" {
    vt_forwarding_test HUP 1
}

@test "forward: SIGUSR1 to vessel reaches the container" {
    vt_forwarding_test USR1 10
}

@test "forward: SIGTERM to vessel with --pid host reaches the command" {
    vt_bg ctr run --pid host "$ROOT" /probe trap 30
    vt_wait_line "$WORK/ctr.out" ready || vt_bg_abort ctr "the container did not start"
    kill -TERM "$(cat "$WORK/ctr.pid")"
    vt_bg_wait ctr 10 || vt_fail "vessel did not exit after SIGTERM"
    vt_assert_status 115
}

# ---- the command cannot run

@test "exec: a command not found is 127 and named" {
    vrun -127 run "$ROOT" no-such-command
    vt_assert_status 127
    vt_assert_stderr_match 'no-such-command'
    vt_assert_no_leaks
}

@test "exec: a command not found, twenty times in a row: 127 and its name every time" {
    # the init fails before it reads the START vessel queued for it: vessel still gets its error
    for i in $(seq 20); do
        vrun -127 run "$ROOT" no-such-command
        vt_assert_status 127
        vt_assert_stderr_match "exec 'no-such-command': executable file not found"
    done
    vt_assert_no_leaks
}

@test "exec: an absolute path not found is 127 and named" {
    vrun -127 run "$ROOT" /no/such/file
    vt_assert_status 127
    vt_assert_stderr_match '/no/such/file'
    vt_assert_no_leaks
}

@test "exec: a file without the x bit is 126" {
    vrun run "$ROOT" /noexec.sh
    vt_assert_status 126
    vt_assert_stderr_match 'noexec.sh'
    vt_assert_output ""
    vt_assert_no_leaks
}

@test "exec: an executable file the kernel cannot run is 126, with the kernel's reason" {
    # it passes every check before the execve (regular, x bit): the execve itself fails, in the
    # init or in the sealed trampoline, and the message still reaches vessel's stderr
    vt_copy_root "$WORK/root"
    printf 'not a program\n' >"$WORK/root/garbage"
    chmod 0755 "$WORK/root/garbage"
    vrun run "$WORK/root" /garbage
    vt_assert_status 126
    vt_assert_stderr_match "exec '/garbage': Exec format error"
    vt_assert_output ""
    vrun run --pid host "$WORK/root" /garbage
    vt_assert_status 126
    vt_assert_stderr_match "exec '/garbage': Exec format error"
    vt_assert_no_leaks
}

@test "exec: a directory is 126" {
    vrun run "$ROOT" /etc
    vt_assert_status 126
    vt_assert_stderr_match '/etc'
    vt_assert_no_leaks
}

@test "exec: a command found as another user without permission is 126" {
    vt_copy_root "$WORK/root"
    chmod 0700 "$WORK/root/probe"
    vrun run -u 1000:1000 "$WORK/root" /probe pid
    vt_assert_status 126
    vt_assert_no_leaks
}

# ---- vessel's own failures: 125, one line on stderr, nothing left behind

@test "error: a missing root is 125 with one line" {
    vrun run "$WORK/no-such-root" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error 'no-such-root'
    vt_assert_no_leaks
}

@test "error: an unknown flag is 125 with one line" {
    vrun run --no-such-flag "$ROOT" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error 'no-such-flag'
    vt_assert_output ""
    vt_assert_no_leaks
}

@test "error: a flag without its value is 125 with one line" {
    vrun -127 run "$ROOT" --hostname
    # "--hostname" here is the command (options stop at the root): not found.
    vt_assert_status 127
    vrun run --hostname
    vt_assert_status 125
    vt_assert_vessel_error
    vt_assert_no_leaks
}

@test "error: no root given is 125" {
    vrun run
    vt_assert_status 125
    vt_assert_vessel_error
}

@test "error: a bad --network value is 125 with one line" {
    vrun run --network bogus "$ROOT" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error 'bogus'
    vt_assert_no_leaks
}

@test "error: a bad --time-offset is 125 with one line" {
    vrun run --time-offset realtime=5 "$ROOT" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error 'realtime'
}

@test "error: an invalid --name is 125 with one line" {
    vrun run --name '../escape' "$ROOT" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error 'escape'
    [ ! -e "$STATE/../escape" ] || { rm -rf "$STATE/../escape"; vt_fail "created a state dir outside the root"; }
    vt_assert_no_leaks
}

@test "error: a config.json with a syntax error names config.json and the line" {
    vt_make_bundle "$WORK/b" /probe pid
    # Line 4 holds the error.
    printf '{\n  "ociVersion": "1.0.2",\n  "process": {\n    "args": ["/probe",, "pid"]\n  }\n}\n' >"$WORK/b/config.json"
    vrun run --bundle "$WORK/b" "vt-badjson-$$"
    vt_assert_status 125
    vt_assert_vessel_error 'config\.json'
    vt_assert_stderr_match '(line 4|:4[^0-9])'
    vt_assert_no_leaks
}

@test "error: a config.json with a wrong type names the JSON path" {
    vt_make_bundle "$WORK/b" /probe pid
    vt_json_edit "$WORK/b/config.json" 'c["process"]["args"] = "/probe pid"'
    vrun run --bundle "$WORK/b" "vt-badtype-$$"
    vt_assert_status 125
    vt_assert_vessel_error 'process\.args'
    vt_assert_no_leaks
}

@test "error: a config.json with an unknown namespace names it" {
    vt_make_bundle "$WORK/b" /probe pid
    vt_json_edit "$WORK/b/config.json" 'c["linux"]["namespaces"].append({"type": "bogusns"})'
    vrun run --bundle "$WORK/b" "vt-badns-$$"
    vt_assert_status 125
    vt_assert_vessel_error 'bogusns'
    vt_assert_stderr_match 'linux\.namespaces'
    vt_assert_no_leaks
}

@test "error: a bundle without config.json is 125" {
    mkdir -p "$WORK/b"
    vrun run --bundle "$WORK/b" "vt-noconfig-$$"
    vt_assert_status 125
    vt_assert_vessel_error 'config\.json'
    vt_assert_no_leaks
}

@test "error: a bundle whose root is missing is 125 and leaves nothing" {
    vt_make_bundle "$WORK/b" /probe pid
    rm -rf "$WORK/b/rootfs"
    vrun run --bundle "$WORK/b" "vt-noroot-$$"
    vt_assert_status 125
    vt_assert_vessel_error
    vt_assert_no_leaks
}

@test "error: an image file with no filesystem is 125 and leaves no loop device" {
    head -c 8M /dev/urandom >"$WORK/junk.img"
    vrun run "$WORK/junk.img" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error
    [ -z "$(losetup -j "$WORK/junk.img")" ] || vt_fail "loop device left: $(losetup -j "$WORK/junk.img")"
    vt_assert_no_leaks
}

@test "error: an empty image file is 125" {
    : >"$WORK/empty.img"
    vrun run "$WORK/empty.img" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error
    vt_assert_no_leaks
}

@test "error: a failing volume after other mounts leaves nothing behind" {
    mkdir "$WORK/vol"
    # The second volume's destination is below a regular file of the root: it cannot be mounted.
    vrun run -v "$WORK/vol:/data" --tmpfs /scratch -v "$WORK/vol:/etc/passwd/sub" "$ROOT" /probe pid
    vt_assert_status 125
    vt_assert_vessel_error
    vt_assert_output ""
    vt_assert_no_leaks
}
