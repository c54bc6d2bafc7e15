#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# vessel run's security flags and the stages behind them: capabilities (five sets, kept across the
# user switch), no_new_privs, seccomp (built-in profile, files, --seccomp-allow, NOTIFY),
# masked paths and unmask, --privileged, --userns auto (idmapped root and volumes) and Landlock.
# Needs root.

load helpers

setup_file() { vt_setup_file; }
teardown_file() { vt_teardown_file; }
setup() { vt_setup; }
teardown() { vt_teardown; }

DOCKER_CAPS=00000000a80425fb

# ---- capabilities

@test "caps: vessel run gives docker's default set" {
    vrun run "$ROOT" /probe caps
    vt_assert_status 0
    vt_assert_line "CapBnd:	$DOCKER_CAPS"
    vt_assert_line "CapEff:	$DOCKER_CAPS"
    vt_assert_line "CapInh:	0000000000000000"
}

@test "caps: --cap-drop ALL --cap-add with and without CAP_, any case, comma lists" {
    vrun run --cap-drop ALL --cap-add net_admin,CAP_CHOWN --cap-add SYS_TIME "$ROOT" /probe caps
    vt_assert_status 0
    # CHOWN (0), NET_ADMIN (12), SYS_TIME (25)
    vt_assert_line "CapEff:	0000000002001001"
    vt_assert_line "CapBnd:	0000000002001001"
    vrun run --cap-drop NET_RAW,MKNOD "$ROOT" /probe caps
    vt_assert_line "CapEff:	00000000a00405fb"
}

@test "caps: an unknown capability is refused before anything runs" {
    vrun run --cap-add CAP_FLY "$ROOT" /probe caps
    vt_assert_status 125
    vt_assert_vessel_error "unknown capability 'CAP_FLY'"
}

@test "caps: all five sets are kept across the switch to the container's user" {
    local b=$WORK/bundle
    vt_make_bundle "$b" /probe caps
    vt_json_edit "$b/config.json" '
p = c["process"]; p["user"] = {"uid": 1000, "gid": 1000}
s = ["CAP_NET_BIND_SERVICE", "CAP_KILL"]
p["capabilities"] = {"bounding": s + ["CAP_CHOWN"], "effective": s, "permitted": s,
                     "inheritable": s, "ambient": ["CAP_NET_BIND_SERVICE"]}'
    vrun run --bundle "$b" capset
    vt_assert_status 0
    # execve as uid 1000 keeps what the kernel keeps for a non-root user: the ambient set
    # (NET_BIND_SERVICE) in permitted and effective; inheritable and bounding as given
    vt_assert_line "CapBnd:	0000000000000421"
    vt_assert_line "CapInh:	0000000000000420"
    vt_assert_line "CapAmb:	0000000000000400"
    vt_assert_line "CapPrm:	0000000000000400"
    vt_assert_line "CapEff:	0000000000000400"
}

@test "caps: a non-root -u user gets the bounding set, no effective caps (as docker)" {
    vrun run -u 1000 --cap-drop ALL --cap-add KILL "$ROOT" /probe caps
    vt_assert_status 0
    vt_assert_line "CapBnd:	0000000000000020"
    vt_assert_line "CapEff:	0000000000000000"
}

# ---- no_new_privs

@test "no_new_privs: off by default, on with --security-opt no-new-privileges" {
    vrun run "$ROOT" /probe seccomp
    vt_assert_line "NoNewPrivs:	0"
    vrun run --security-opt no-new-privileges "$ROOT" /probe seccomp
    vt_assert_line "NoNewPrivs:	1"
    vt_assert_line "Seccomp:	2"
}

# ---- seccomp

@test "seccomp: the built-in profile is in the spec and loaded" {
    vrun run --print-spec "$ROOT"
    vt_assert_status 0
    local got
    got=$(printf '%s' "$output" | "$VT_PY" -c '
import json, sys
s = json.load(sys.stdin)["linux"]["seccomp"]
names = [n for r in s["syscalls"] for n in r["names"]]
print(s["defaultAction"], "keyctl" in names, "read" in names)')
    [ "$got" = "SCMP_ACT_ERRNO False True" ] || vt_fail "linux.seccomp: $got"
    vrun run "$ROOT" /probe seccomp
    vt_assert_line "Seccomp:	2"
}

@test "seccomp: unconfined and --privileged load no filter" {
    vrun run --security-opt seccomp=unconfined "$ROOT" /probe seccomp
    vt_assert_line "Seccomp:	0"
    vrun run --privileged "$ROOT" /probe seccomp
    vt_assert_line "Seccomp:	0"
}

@test "seccomp: --seccomp-allow adds syscalls by name or number" {
    vrun run "$ROOT" /probe attack keyctl
    vt_assert_match 'blocked: keyctl: Operation not permitted'
    vrun run --seccomp-allow keyctl "$ROOT" /probe attack keyctl
    [[ $output != *"Operation not permitted"* ]] || vt_fail "keyctl still refused"
    vrun run --seccomp-allow 250 "$ROOT" /probe attack keyctl
    [[ $output != *"Operation not permitted"* ]] || vt_fail "keyctl (250) still refused"
    vrun run --seccomp-allow no_such_call "$ROOT" /bin/true
    vt_assert_status 125
    vt_assert_vessel_error "unknown syscall 'no_such_call'"
}

@test "seccomp: a profile file with an errno and an argument condition" {
    cat >"$WORK/profile.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28},
              {"names": ["no_such_syscall_anywhere"], "action": "SCMP_ACT_KILL"}]}
JSON
    vrun run --security-opt "seccomp=$WORK/profile.json" "$ROOT" /bin/sh -c 'mkdir /tmp/d'
    [ "$status" -ne 0 ]
    vt_assert_stderr_match 'No space left on device'
    echo '{"defaultAction": "SCMP_ACT_WHATEVER"}' >"$WORK/bad.json"
    vrun run --security-opt "seccomp=$WORK/bad.json" "$ROOT" /bin/true
    vt_assert_status 125
    vt_assert_vessel_error "unknown action 'SCMP_ACT_WHATEVER'"
}

@test "seccomp: SCMP_ACT_NOTIFY sends the listener fd and the state to listenerPath" {
    local b=$WORK/bundle sock=$WORK/notify.sock
    vt_make_bundle "$b" /bin/sh -c 'mkdir /tmp/n 2>&1; echo done'
    vt_json_edit "$b/config.json" "
c['root']['readonly'] = False
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$sock',
  'listenerMetadata': 'meta-42',
  'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'}]}"
    # the listener takes the fd and the state, then closes the fd: the notified syscalls fail
    "$VT_PY" - "$sock" "$WORK/state.json" <<'PY' &
import socket, sys, array, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
msg, anc, _, _ = c.recvmsg(65536, socket.CMSG_SPACE(4))
fds = array.array("i"); [fds.frombytes(d[:4]) for (l, t, d) in anc]
open(sys.argv[2], "wb").write(msg)
os.close(fds[0])
PY
    VT_BG_PIDS+=($!)
    for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
    vrun run --bundle "$b" notify1
    vt_assert_status 0
    vt_assert_match 'done'
    [[ $output == *"Function not implemented"* ]] || vt_fail "mkdir was not notified: $output"
    grep -q '"seccompFd"' "$WORK/state.json"
    grep -q '"meta-42"' "$WORK/state.json"
    grep -q '"id": *"notify1"' "$WORK/state.json"
}

# ---- masked and read-only paths

@test "masked paths: docker's defaults; unmask=PATH and unmask=ALL" {
    vrun run --print-spec "$ROOT"
    for p in /proc/asound /proc/acpi /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list \
        /proc/timer_stats /proc/sched_debug /proc/scsi /sys/firmware /sys/devices/virtual/powercap; do
        [[ $output == *"\"$p\""* ]] || vt_fail "$p is not masked"
    done
    vrun run "$ROOT" /bin/sh -c 'cat /proc/keys | wc -c'
    vt_assert_output 0
    vrun run --security-opt unmask=/proc/keys "$ROOT" /bin/sh -c 'cat /proc/keys | wc -c'
    [ "$output" -gt 0 ] || vt_fail "/proc/keys is still masked"
    vrun run --security-opt unmask=ALL "$ROOT" /bin/sh -c 'grep -c " /proc/sys .*ro," /proc/self/mountinfo'
    vt_assert_output 0
}

# ---- --privileged

@test "privileged: all capabilities, host devices, writable /sys, no masks" {
    local dev
    dev=$(ls /dev | grep -E '^(vda|sda|nvme0n1|loop0)$' | head -1)
    vrun run --privileged "$ROOT" /bin/sh -c "probe caps; ls /dev/$dev; grep ' /sys ' /proc/self/mountinfo; cat /proc/keys | wc -c"
    vt_assert_status 0
    vt_assert_line "CapEff:	$(grep CapBnd /proc/self/status | cut -f2)"
    vt_assert_match "/dev/$dev"
    [[ $output != *" /sys ro,"* ]] || vt_fail "/sys is read-only"
}

# ---- user namespaces

vt_subid_add() {
    local f
    for f in /etc/subuid /etc/subgid; do
        [ -e "$f" ] || { : >"$f" && vt_defer "[ -s $f ] || rm -f $f"; }
        echo "vessel:$1:$2" >>"$f"
        vt_defer "sed -i '/^vessel:$1:$2\$/d' $f"
    done
}

@test "userns auto: two running containers get different ranges; the root is idmapped" {
    vt_subid_add 3100000 131072
    vt_defer "rm -f /var/lib/vessel/userns/3100000:3100000 /var/lib/vessel/userns/3165536:3165536"
    # a volume's source must be reachable by the namespace's root (the test's work dir is 0700)
    local sync
    sync=$(mktemp -d /tmp/vessel-sec-sync.XXXXXX)
    chmod 0755 "$sync"
    vt_defer "rm -rf '$sync'"
    vt_copy_root "$sync/root"
    vt_bg a run --userns auto -v "$sync:/sync" "$sync/root" /bin/sh -c \
        "cat /proc/self/uid_map; echo started; $VT_WAIT_GO"
    vt_wait_line "$WORK/a.out" started
    vrun run --userns auto "$sync/root" /bin/sh -c 'cat /proc/self/uid_map; ls -ln /bin/busybox; touch /tmp/t && echo writable'
    local second=$output
    touch "$sync/go"
    vt_bg_wait a
    read -r _ a_host _ <"$WORK/a.out"
    output=$second
    [[ $output =~ 0[[:space:]]+([0-9]+)[[:space:]]+65536 ]] || vt_fail "no auto mapping: $output"
    [ "${BASH_REMATCH[1]}" != "$a_host" ] || vt_fail "both containers got $a_host"
    vt_assert_match ' 0 +0 .*/bin/busybox'
    vt_assert_match 'writable'
    [ "$(stat -c %u "$sync/root/tmp/t")" = 0 ] || vt_fail "a file the container made is not root's"
}

@test "userns auto: a volume is idmapped: host root's files are the container's root's, never chowned" {
    vt_subid_add 3400000 65536
    vt_defer "rm -f /var/lib/vessel/userns/3400000:3400000"
    # the host's real filesystem (tmpfs is idmappable only from Linux 6.3); searchable by the
    # namespace's root, which reaches the root directory by path
    local d
    d=$(mktemp -d /var/tmp/vessel-sec-vol.XXXXXX)
    chmod 0755 "$d"
    vt_defer "rm -rf '$d'"
    [ "$(stat -f -c %T "$d")" != tmpfs ] || skip "/var/tmp is a tmpfs"
    vt_copy_root "$d/root"
    mkdir "$d/data"
    echo hi >"$d/data/file"
    vrun run --userns auto -v "$d/data:/data" "$d/root" /bin/sh -c \
        'cat /proc/self/uid_map; stat -c "file %u:%g" /data/file; echo x >/data/new && echo wrote'
    vt_assert_status 0
    vt_assert_match '0 +3400000 +65536'
    vt_assert_line 'file 0:0'
    vt_assert_line wrote
    [ "$(stat -c %u:%g "$d/data/file")" = 0:0 ] || vt_fail "the volume was chowned"
    [ "$(stat -c %u:%g "$d/data/new")" = 0:0 ] || vt_fail "a file the container wrote is not root's"
    vrun run --print-spec --userns auto -v "$d/data:/data" "$d/root"
    vt_assert_match '"idmap"'

    # :noidmap: a plain bind, whose files belong to nobody inside
    vrun run --userns auto -v "$d/data:/data:noidmap" "$d/root" /bin/sh -c \
        'stat -c "file %u:%g" /data/file; echo x >/data/no || echo refused'
    vt_assert_status 0
    vt_assert_line 'file 65534:65534'
    vt_assert_line refused
    [ ! -e "$d/data/no" ] || vt_fail "the container's root wrote into host root's directory"

    # a filesystem that cannot be idmapped (sysfs): the volume is named, :noidmap suggested
    vrun run --userns auto -v /sys/kernel:/k "$d/root" /bin/true
    vt_assert_status 125
    vt_assert_vessel_error "mount of '/sys/kernel' on '/k': its filesystem or this kernel cannot idmap it \(vessel run: add ':noidmap' to the volume\)"
    # without a user namespace there is nothing to map into
    vrun run -v "$d/data:/data:idmap" "$d/root" /bin/true
    vt_assert_status 125
    vt_assert_vessel_error "idmap needs a new user namespace"
}

@test "userns auto: a clear error without subordinate ids" {
    [ ! -s /etc/subuid ] || ! grep -q '^vessel:\|^root:' /etc/subuid || skip "the host has ranges"
    vrun run --userns auto "$ROOT" /bin/true
    vt_assert_status 125
    vt_assert_vessel_error "no range for 'vessel' or 'root'"
}

# ---- Landlock

vt_has_landlock() {
    vessel run --landlock-ro / "$ROOT" /bin/true 2>&1 | grep -q 'no Landlock' && return 1
    return 0
}

@test "landlock: read-only and read-write paths; everything else refused" {
    vt_has_landlock || skip "no Landlock in this kernel"
    vrun run --landlock-ro / --landlock-rw /tmp "$ROOT" /bin/sh -c \
        'echo x >/tmp/ok && echo tmp-ok; echo x >/root/no || echo root-refused; cat /etc/passwd >/dev/null && echo read-ok'
    vt_assert_status 0
    vt_assert_line tmp-ok
    vt_assert_line root-refused
    vt_assert_line read-ok
    vrun run --landlock-rw /tmp "$ROOT" /bin/true
    [ "$status" -ne 0 ] || vt_fail "/bin/true ran without being allowed"
}

@test "landlock: TCP bind and connect ports; the annotation is in the spec" {
    vt_has_landlock || skip "no Landlock in this kernel"
    vrun run --landlock-ro / --landlock-tcp-connect 81 "$ROOT" /bin/sh -c \
        'probe attack tcp-connect 80; probe attack tcp-connect 81; probe attack tcp-bind 8080'
    vt_assert_line 'blocked: connect port 80: Permission denied'
    vt_assert_line 'ESCAPED: connect port 81: Connection refused'
    vt_assert_line 'blocked: bind port 8080: Permission denied'
    vrun run --print-spec --landlock-ro /usr --landlock-tcp-bind 80 "$ROOT"
    vt_assert_match '"run.vessel.landlock": "\{\\"ro\\":\[\\"/usr\\"\].*\\"tcp_bind\\":\[80\]'
    vt_assert_match '"noNewPrivileges": true'
}

@test "landlock: a bad annotation in a bundle is refused" {
    local b=$WORK/bundle
    vt_make_bundle "$b" /bin/true
    vt_json_edit "$b/config.json" 'c["annotations"] = {"run.vessel.landlock": "{\"ro\": [\"relative\"]}"}'
    vrun run --bundle "$b" ll1
    [ "$status" -ne 0 ]
    vt_assert_stderr_match "ro\\[0\\]: not an absolute path"
}

@test "idmapped mounts: the idmap option and a mount's own uidMappings, nothing chowned" {
    local d b
    d=$(mktemp -d /tmp/vessel-sec-idmap.XXXXXX)
    chmod 0755 "$d"
    vt_defer "rm -rf '$d'"
    b=$d/bundle
    mkdir -p "$d/data"
    echo hi >"$d/data/f"
    vt_make_bundle "$b" /bin/sh -c 'ls -ln /data /data2 | grep " f$"; echo x >/data/g && echo wrote'
    vt_json_edit "$b/config.json" "
l = c['linux']; l['namespaces'].append({'type': 'user'})
l['uidMappings'] = [{'containerID': 0, 'hostID': 3200000, 'size': 65536}]
l['gidMappings'] = [{'containerID': 0, 'hostID': 3200000, 'size': 65536}]
c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/sys']
c['mounts'].append({'destination': '/data', 'type': 'bind', 'source': '$d/data',
                    'options': ['rbind', 'idmap']})
c['mounts'].append({'destination': '/data2', 'type': 'bind', 'source': '$d/data',
                    'options': ['rbind'],
                    'uidMappings': [{'containerID': 0, 'hostID': 3201000, 'size': 1}],
                    'gidMappings': [{'containerID': 0, 'hostID': 3201000, 'size': 1}]})"
    vrun run --bundle "$b" idm1
    vt_assert_status 0
    vt_assert_line wrote
    # /data: on-disk root is the container's root; /data2: on-disk 0 is host 3201000 = ctr 1000
    vt_assert_match '-rw-r--r-- +1 0 +0 +3 '
    vt_assert_match '-rw-r--r-- +1 1000 +1000 +3 '
    [ "$(stat -c %u:%g "$d/data/f")" = 0:0 ] || vt_fail "the source was chowned"
    [ "$(stat -c %u "$d/data/g")" = 0 ] || vt_fail "a file written through the idmap is not root's"
}

@test "idmapped mounts: refused for a non-bind mount" {
    local b=$WORK/bundle
    vt_make_bundle "$b" /bin/true
    vt_json_edit "$b/config.json" 'c["mounts"].append({"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]})'
    vrun run --bundle "$b" idm2
    [ "$status" -ne 0 ]
    vt_assert_stderr_match "idmapped mount of '/t' must be a bind mount"
}

@test "seccomp: a docker-format profile (archMap, includes, excludes) denies mkdir with EPERM" {
    # moby's profiles/seccomp/default.json format: resolved against the container's capabilities
    # (after --cap-add/--cap-drop), this machine's architecture and the running kernel
    cat >"$WORK/docker.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
             {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
               "comment": "no directories", "includes": {"minKernel": "3.0"}},
              {"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28,
               "excludes": {"caps": ["CAP_CHOWN"]}}]}
JSON
    cat >"$WORK/docker-open.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
             {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
 "syscalls": [{"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28,
               "excludes": {"caps": ["CAP_CHOWN"]}}]}
JSON
    vrun run --security-opt "seccomp=$WORK/docker.json" "$ROOT" /bin/busybox mkdir /x
    [ "$status" -ne 0 ] || vt_fail "mkdir /x passed the profile"
    vt_assert_stderr_match 'Operation not permitted'
    vrun run --security-opt "seccomp=$WORK/docker-open.json" "$ROOT" /bin/sh -c \
        'busybox mkdir /x && echo made && rmdir /x && echo removed'
    vt_assert_status 0
    vt_assert_line made
    vt_assert_line removed
    # the excluded rule applies once --cap-drop took CAP_CHOWN away
    vrun run --cap-drop CHOWN --security-opt "seccomp=$WORK/docker-open.json" "$ROOT" /bin/sh -c \
        'busybox mkdir /x && rmdir /x'
    [ "$status" -ne 0 ] || vt_fail "rmdir passed without CAP_CHOWN"
    vt_assert_stderr_match 'No space left on device'
    vrun run --print-spec --security-opt "seccomp=$WORK/docker.json" "$ROOT"
    [[ $output == *'"SCMP_ARCH_X32"'* || $output == *'"SCMP_ARCH_ARM"'* ]] ||
        vt_fail "archMap gave no architectures: $output"
    [[ $output != *'"comment"'* && $output != *'"archMap"'* ]] || vt_fail "docker members in the spec"
}
