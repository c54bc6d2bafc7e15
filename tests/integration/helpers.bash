# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared by every tests/integration/*.bats file: a busybox root built once per file, a private state
# root under /run per file, a work directory per test, `vessel` bounded in time, and a leak check
# after every test (and every file) that names what a test left behind — mounts, loop devices,
# state directories, processes, cgroups, network links, network namespaces — and then removes it.
#
# A file uses it like this:
#   load helpers
#   setup_file() { vt_setup_file; }     teardown_file() { vt_teardown_file; }
#   setup() { vt_setup; }               teardown() { vt_teardown; }

bats_require_minimum_version 1.5.0

REPO=$(cd "$(dirname "$BATS_TEST_FILENAME")/../.." && pwd)
# VESSEL_BUILD=DIR takes vessel and the probe from another build directory (make BUILD=DIR).
VESSEL_BUILD=${VESSEL_BUILD:-$REPO/build}
VESSEL_BIN=$VESSEL_BUILD/vessel
PROBE_BIN=$VESSEL_BUILD/probe
# Debian's python3 directly: a version manager's shim in PATH can cost half a second per call.
if [ -x /usr/bin/python3 ]; then VT_PY=/usr/bin/python3; else VT_PY=python3; fi
# Seconds any single vessel invocation may take; then TERM, and KILL 5 s later.
VT_TIMEOUT=${VT_TIMEOUT:-60}
# What a container started by the tests runs while the test looks at it from the host: it waits for
# the host to create /sync/go (a volume), at most 30 s.
VT_WAIT_GO='i=0; while [ ! -e /sync/go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done'

# ---------------------------------------------------------------------------------------------------
# setup and teardown

vt_setup_file() {
    local name
    name=$(basename "$BATS_TEST_FILENAME" .bats)
    if [ "$(id -u)" != 0 ]; then
        echo "integration tests need root" >&2
        return 1
    fi
    if [ ! -x "$VESSEL_BIN" ] || [ ! -x "$PROBE_BIN" ]; then
        echo "missing $VESSEL_BIN or $PROBE_BIN: run 'make' first" >&2
        return 1
    fi
    VT_DIR=$(mktemp -d "/tmp/vessel-it-$name.XXXXXX")
    STATE=$(mktemp -d "/run/vessel-test-$$-$name.XXXXXX")
    ROOT=$VT_DIR/root
    export VT_DIR STATE ROOT
    vt_make_root "$ROOT"
    vt_write_leak_script
    vt_leaks snapshot "$VT_DIR/snapshot.file"
}

vt_teardown_file() {
    local rc=0
    [ -n "${VT_DIR:-}" ] || return 0
    if ! vt_leaks check "$VT_DIR/snapshot.file" --clean; then
        echo "leaks found after the last test of the file (listed above)" >&2
        rc=1
    fi
    vt_remove_tree "$VT_DIR" || rc=1
    if [ -n "${STATE:-}" ] && [ -d "$STATE" ]; then
        rm -rf --one-file-system "$STATE" || rc=1
    fi
    return $rc
}

vt_setup() {
    WORK=$VT_DIR/t$BATS_TEST_NUMBER
    rm -rf --one-file-system "$WORK"
    mkdir -p "$WORK"
    VT_DEFERRED=()
    VT_BG_PIDS=()
    vt_leaks snapshot "$WORK/.snapshot"
}

# Runs the test's own cleanups (newest first), then the leak check against the snapshot taken in
# setup. A leak fails the test with one line per leaked object, and is removed afterwards.
vt_teardown() {
    local rc=0 i
    for ((i = ${#VT_DEFERRED[@]} - 1; i >= 0; i--)); do
        eval "${VT_DEFERRED[$i]}" >/dev/null 2>&1 || true
    done
    vt_reap_bg
    if ! vt_leaks check "$WORK/.snapshot" --clean; then
        echo "test '$BATS_TEST_DESCRIPTION' leaked the objects listed above" >&2
        rc=1
    fi
    vt_remove_tree "$WORK" || rc=1
    return $rc
}

# Registers a shell command run at teardown, even when the test fails half way.
vt_defer() {
    VT_DEFERRED+=("$1")
}

# rm -rf that refuses to cross into anything still mounted below DIR.
vt_remove_tree() {
    local dir=$1
    [ -d "$dir" ] || return 0
    if grep -qF " $dir/" /proc/self/mountinfo; then
        echo "not removing $dir: something is still mounted below it:" >&2
        grep -F " $dir/" /proc/self/mountinfo >&2
        return 1
    fi
    rm -rf --one-file-system "$dir"
}

# ---------------------------------------------------------------------------------------------------
# running vessel

# vessel ARGS...: the binary with this file's state root, bounded in time.
vessel() {
    timeout -k 5 "$VT_TIMEOUT" "$VESSEL_BIN" --root "$STATE" "$@"
}

# vrun [-N] ARGS...: `run` vessel with stderr apart ($output: stdout, $stderr: stderr); -N (the
# expected status) is run's own check, needed for 127 which bats otherwise warns about.
vrun() {
    if [[ ${1:-} =~ ^-[0-9]+$ ]]; then
        local expect=$1
        shift
        run "$expect" --separate-stderr vessel "$@"
    else
        run --separate-stderr vessel "$@"
    fi
}

# vt_pipe TEXT CMD...: CMD with TEXT and a newline on its stdin.
vt_pipe() {
    local text=$1
    shift
    printf '%s\n' "$text" | "$@"
}

# vt_bg NAME VESSEL-ARGS...: starts vessel in the background (no timeout wrapper, so signals sent to
# $WORK/NAME.pid reach vessel itself); stdout and stderr go to $WORK/NAME.out and NAME.err.
vt_bg() {
    local name=$1
    shift
    "$VESSEL_BIN" --root "$STATE" "$@" </dev/null >"$WORK/$name.out" 2>"$WORK/$name.err" &
    echo $! >"$WORK/$name.pid"
    VT_BG_PIDS+=($!)
}

# vt_bg_wait NAME [SECS]: waits for a background vessel to exit and sets $status to its exit status,
# $output and $stderr to what it printed; after SECS (default 20) it is killed and the test fails.
vt_bg_wait() {
    local name=$1 secs=${2:-20} pid n=0
    pid=$(cat "$WORK/$name.pid")
    while kill -0 "$pid" 2>/dev/null; do
        if [ -z "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null | grep -v Z)" ]; then
            break # a zombie: exited, not reaped yet
        fi
        if ((n >= secs * 10)); then
            echo "vessel '$name' (pid $pid) still running after ${secs}s; killing it" >&2
            vt_kill_tree "$pid"
            wait "$pid" 2>/dev/null
            return 1
        fi
        sleep 0.1
        n=$((n + 1))
    done
    status=0
    wait "$pid" || status=$?
    output=$(cat "$WORK/$name.out")
    stderr=$(cat "$WORK/$name.err")
    return 0
}

# vt_bg_abort NAME MESSAGE: stops a background vessel that did not get where the test wanted and
# fails with MESSAGE and what the container printed.
vt_bg_abort() {
    vt_bg_wait "$1" 5 || true
    output=$(cat "$WORK/$1.out" 2>/dev/null)
    stderr=$(cat "$WORK/$1.err" 2>/dev/null)
    vt_fail "$2"
}

# Kills PID and everything below it.
vt_kill_tree() {
    local pid=$1 child
    for child in $(vt_children "$pid"); do
        vt_kill_tree "$child"
    done
    kill -KILL "$pid" 2>/dev/null || true
}

vt_children() {
    local pid=$1
    cat /proc/"$pid"/task/*/children 2>/dev/null
}

# vt_wait_children NAME: waits (5 s at most) until the background vessel NAME (vt_bg) has a child.
vt_wait_children() {
    local pid
    pid=$(cat "$WORK/$1.pid")
    for _ in $(seq 50); do
        [ -n "$(vt_children "$pid")" ] && return 0
        sleep 0.1
    done
    return 1
}

# Kills background vessels a test left running (their containers are found by the leak check).
vt_reap_bg() {
    local pid
    for pid in "${VT_BG_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            vt_kill_tree "$pid"
        fi
        wait "$pid" 2>/dev/null || true
    done
    VT_BG_PIDS=()
}

# vt_wait_file FILE [SECS]: waits until FILE exists.
vt_wait_file() {
    local file=$1 secs=${2:-20} n=0
    while [ ! -e "$file" ]; do
        if ((n >= secs * 10)); then
            echo "timed out after ${secs}s waiting for $file" >&2
            return 1
        fi
        sleep 0.1
        n=$((n + 1))
    done
}

# vt_wait_line FILE LINE [SECS]: waits until FILE holds LINE.
vt_wait_line() {
    local file=$1 line=$2 secs=${3:-20} n=0
    while ! grep -qxF -- "$line" "$file" 2>/dev/null; do
        if ((n >= secs * 10)); then
            echo "timed out after ${secs}s waiting for '$line' in $file; it holds:" >&2
            cat "$file" >&2 2>/dev/null
            return 1
        fi
        sleep 0.1
        n=$((n + 1))
    done
}

# The host pid of the container init below vessel PID: the descendant that is pid 1 of its own pid
# namespace.
vt_container_pid() {
    local pid=$1 child
    local -a nspid
    for child in $(vt_children "$pid"); do
        read -r -a nspid < <(grep '^NSpid:' "/proc/$child/status" 2>/dev/null)
        if [ "${#nspid[@]}" -gt 2 ] && [ "${nspid[-1]}" = 1 ]; then
            echo "$child"
            return 0
        fi
        if vt_container_pid "$child"; then
            return 0
        fi
    done
    return 1
}

# ---------------------------------------------------------------------------------------------------
# roots, images, bundles

# vt_make_root DIR: busybox with its applets as relative links in /bin, the probe as /probe and
# /bin/probe, /etc/passwd and /etc/group with root and tester (1000), a file without x bit.
vt_make_root() {
    local r=$1 applet
    mkdir -p "$r"/{bin,etc,proc,sys,dev,tmp,root,home/tester,mnt,var,run}
    chmod 1777 "$r/tmp"
    cp /bin/busybox "$r/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ -e "$r/bin/$applet" ] || ln -s busybox "$r/bin/$applet"
    done
    cp "$PROBE_BIN" "$r/probe"
    cp "$PROBE_BIN" "$r/bin/probe"
    cat >"$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
tester:x:1000:1000:tester:/home/tester:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
    cat >"$r/etc/group" <<'EOF'
root:x:0:
tester:x:1000:
nogroup:x:65534:
EOF
    chown 1000:1000 "$r/home/tester"
    printf '#!/bin/sh\necho should not run\n' >"$r/noexec.sh"
    chmod 0644 "$r/noexec.sh"
}

# vt_copy_root DST: a private copy of the file's root, for tests that write into it.
vt_copy_root() {
    cp -a "$ROOT" "$1"
}

# Filesystem images of a root directory (default: the file's root).
vt_mk_ext4() { mke2fs -q -F -t ext4 -d "${2:-$ROOT}" "$1" 64M; }
vt_mk_squashfs() { mksquashfs "${2:-$ROOT}" "$1" -quiet -noappend >/dev/null; }
vt_mk_erofs() { mkfs.erofs -q "$1" "${2:-$ROOT}" >/dev/null 2>&1 || mkfs.erofs "$1" "${2:-$ROOT}" >/dev/null; }

# vt_mk_disk DISK LABEL LAYOUT: an 80 MiB disk image partitioned by sfdisk (LABEL gpt or dos,
# LAYOUT sfdisk's partition lines, with \n escapes).
vt_mk_disk() {
    rm -f "$1"
    truncate -s 80M "$1"
    printf 'label: %s\n%b' "$2" "$3" | sfdisk -q "$1" >/dev/null
}

# vt_write_part DISK N FSFILE: copies FSFILE to partition N's offset; it must fit.
vt_write_part() {
    local disk=$1 part=$2 fs=$3 start size
    read -r start size < <(vt_partition "$disk" "$part")
    if [ -z "$start" ]; then
        echo "no partition $part in $disk" >&2
        return 1
    fi
    if (($(stat -c %s "$fs") > size * 512)); then
        echo "$fs does not fit partition $part ($size sectors)" >&2
        return 1
    fi
    dd if="$fs" of="$disk" bs=512 seek="$start" conv=notrunc status=none
}

# vt_partition DISK N: "START SIZE" in 512-byte sectors, from sfdisk -J.
vt_partition() {
    sfdisk -J "$1" | "$VT_PY" -c '
import json, sys
parts = json.load(sys.stdin)["partitiontable"]["partitions"]
n = int(sys.argv[1])
if n <= len(parts):
    print(parts[n - 1]["start"], parts[n - 1]["size"])
' "$2"
}

# vt_part_kib DISK N: partition N's size in KiB (to size the filesystem made for it).
vt_part_kib() {
    local start size
    read -r start size < <(vt_partition "$1" "$2")
    echo $((size / 2))
}

# vt_make_bundle DIR ARGS...: DIR/rootfs (a copy of the file's root) and DIR/config.json with
# runc's default spec running ARGS; edit it further with vt_json_edit.
vt_make_bundle() {
    local dir=$1
    shift
    mkdir -p "$dir"
    vt_copy_root "$dir/rootfs"
    "$VT_PY" - "$dir/config.json" "$@" <<'EOF'
import json, sys
caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
config = {
    "ociVersion": "1.0.2",
    "process": {
        "terminal": False,
        "user": {"uid": 0, "gid": 0},
        "args": sys.argv[2:],
        "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
        "cwd": "/",
        "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
        "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
        "noNewPrivileges": True,
    },
    "root": {"path": "rootfs", "readonly": True},
    "hostname": "vessel-bundle",
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", "ro"]},
    ],
    "linux": {
        "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount", "cgroup")],
        "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                        "/sys/firmware", "/proc/scsi"],
        "readonlyPaths": ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                          "/proc/sysrq-trigger"],
    },
}
with open(sys.argv[1], "w") as f:
    json.dump(config, f, indent=2)
EOF
}

# vt_json_edit FILE PYTHON: runs PYTHON with the document as `c`, writes it back.
vt_json_edit() {
    "$VT_PY" - "$1" "$2" <<'EOF'
import json, sys
path, code = sys.argv[1], sys.argv[2]
with open(path) as f:
    c = json.load(f)
exec(code)
with open(path, "w") as f:
    json.dump(c, f, indent=2)
EOF
}

# ---------------------------------------------------------------------------------------------------
# assertions: each prints what it expected and what it got

vt_fail() {
    {
        echo "$@"
        echo "--- command: ${BATS_RUN_COMMAND:-?}"
        echo "--- status: ${status:-?}"
        echo "--- stdout:"
        printf '%s\n' "${output:-}"
        echo "--- stderr:"
        printf '%s\n' "${stderr:-}"
    } >&2
    return 1
}

vt_assert_status() {
    [ "$status" -eq "$1" ] || vt_fail "expected exit status $1, got $status"
}

# vt_assert_line LINE: stdout has exactly this line.
vt_assert_line() {
    grep -qxF -- "$1" <<<"$output" || vt_fail "expected the line '$1' in stdout"
}

vt_refute_line() {
    ! grep -qxF -- "$1" <<<"$output" || vt_fail "did not expect the line '$1' in stdout"
}

# vt_assert_output TEXT: stdout is exactly TEXT.
vt_assert_output() {
    [ "$output" = "$1" ] || vt_fail "expected stdout to be exactly:
$1"
}

vt_assert_match() {
    [[ $output =~ $1 ]] || vt_fail "expected stdout to match /$1/"
}

vt_assert_stderr_match() {
    [[ $stderr =~ $1 ]] || vt_fail "expected stderr to match /$1/"
}

# vt_assert_vessel_error [REGEX]: vessel's own failure: one line on stderr, "vessel: ...".
vt_assert_vessel_error() {
    local n
    n=$(printf '%s\n' "$stderr" | grep -c .)
    [ "$n" -eq 1 ] || vt_fail "expected exactly one line on stderr, got $n"
    [[ $stderr == "vessel: "* ]] || vt_fail "expected stderr to start with 'vessel: '"
    if [ $# -gt 0 ]; then
        vt_assert_stderr_match "$1"
    fi
}

# vt_value KEY: the value of a KEY=VALUE line of stdout.
vt_value() {
    sed -n "s/^$1=//p" <<<"$output" | head -n 1
}

# Fails the test now (without cleaning) when anything leaked since the test's setup.
vt_assert_no_leaks() {
    vt_leaks check "$WORK/.snapshot" || vt_fail "leaks found (listed above)"
}

# ---------------------------------------------------------------------------------------------------
# the leak check

# vt_leaks snapshot FILE | vt_leaks check FILE [--clean]
vt_leaks() {
    VT_PATTERNS="$VT_DIR:$STATE:/run/vessel/:/var/lib/vessel" VT_STATE="$STATE" \
        "$VT_PY" "$VT_DIR/leaks.py" "$@"
}

vt_write_leak_script() {
    cat >"$VT_DIR/leaks.py" <<'EOF'
# Lists what the integration tests may leave behind, compares it with a snapshot, and optionally
# removes the difference. Patterns (VT_PATTERNS, ':'-separated path prefixes) name the test's files.
import json, os, re, shutil, signal, subprocess, sys, time

PATTERNS = [p for p in os.environ["VT_PATTERNS"].split(":") if p]
STATE = os.environ["VT_STATE"]


def unescape(s):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), s)


def ours(text):
    return any(p in text for p in PATTERNS)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def loops():
    """{'/dev/loopN': backing file} for loop devices backed by one of the tests' files."""
    found = {}
    for name in os.listdir("/sys/block"):
        if not name.startswith("loop"):
            continue
        back = read(f"/sys/block/{name}/loop/backing_file").strip()
        if back and ours(back):
            found["/dev/" + name] = back
    return found


def mounts(test_loops):
    """{key: mountpoint} for mounts of the host namespace that involve the tests' paths or loops."""
    found = {}
    for line in read("/proc/self/mountinfo").splitlines():
        f = line.split()
        sep = f.index("-")
        root, mnt = unescape(f[3]), unescape(f[4])
        fstype, src, sopts = f[sep + 1], unescape(f[sep + 2]), f[sep + 3]
        if ours(mnt) or ours(root) or ours(sopts) or ours(src) or src in test_loops:
            found[f"{mnt} ({fstype} from {src}, root {root})"] = mnt
    return found


def state():
    try:
        names = os.listdir(STATE)
    except FileNotFoundError:
        return {}
    return {f"{STATE}/{n}": f"{STATE}/{n}" for n in names if not n.startswith(".")}


def ancestors():
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        m = re.search(r"^PPid:\s*(\d+)", read(f"/proc/{pid}/status"), re.M)
        pid = int(m.group(1)) if m else 0
    return pids


def binaries():
    """(dev, ino) of every probe and busybox under the tests' directories."""
    ids = set()
    for top in PATTERNS:
        if not os.path.isdir(top) or top.startswith("/run/vessel") and top != STATE:
            continue
        for d, dirs, files in os.walk(top):
            dirs[:] = [x for x in dirs if not os.path.ismount(os.path.join(d, x))]
            for n in files:
                if n in ("probe", "busybox"):
                    try:
                        st = os.lstat(os.path.join(d, n))
                        ids.add((st.st_dev, st.st_ino))
                    except OSError:
                        pass
    return ids


def procs(test_loops):
    """Processes started from the tests' roots, images, or with their paths on the command line."""
    found, skip, bins = {}, ancestors(), binaries()
    my_mntns = os.readlink("/proc/self/ns/mnt")
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in skip:
            continue
        pid = int(name)
        why = None
        try:
            st = os.stat(f"/proc/{pid}/exe")
            if (st.st_dev, st.st_ino) in bins:
                why = "runs a binary of the test root"
        except OSError:
            pass
        cmdline = read(f"/proc/{pid}/cmdline").replace("\0", " ").strip()
        if not why and ours(cmdline):
            why = "command line names a test path"
        if not why:
            try:
                if os.readlink(f"/proc/{pid}/ns/mnt") != my_mntns:
                    for line in read(f"/proc/{pid}/mountinfo").splitlines():
                        f = line.split()
                        if len(f) > 4 and f[4] == "/":
                            sep = f.index("-")
                            if ours(line) or unescape(f[sep + 2]) in test_loops:
                                why = "its root is a test root or image"
                            break
            except OSError:
                pass
        if why:
            comm = read(f"/proc/{pid}/comm").strip()
            found[f"pid {pid} ({comm}: {cmdline[:120]}): {why}"] = pid
    return found


def cgroups():
    found = {}
    for hier in os.listdir("/sys/fs/cgroup"):
        top = os.path.join("/sys/fs/cgroup", hier)
        if not os.path.isdir(top) or os.path.islink(top):
            continue
        # every cgroup below the top (a bundle's is /<id>, vessel run's /vessel/<id>): the
        # diff against the snapshot finds the new ones; a systemd slice is the manager's to
        # keep (it makes system.slice for the first scope and leaves it), a scope is not
        for d, dirs, files in os.walk(top):
            depth = d[len(top):].count("/")
            if depth >= 4:
                dirs[:] = []
            if depth >= 1 and not d.endswith(".slice"):
                found[d] = d
    return found


def links():
    return {n: n for n in os.listdir("/sys/class/net")}


def netns():
    try:
        return {n: n for n in os.listdir("/run/netns")}
    except FileNotFoundError:
        return {}


def collect():
    test_loops = loops()
    return {
        "process": procs(test_loops),
        "mount": mounts(test_loops),
        "loop device": {f"{dev} (backed by {back})": dev for dev, back in test_loops.items()},
        "state entry": state(),
        "cgroup": cgroups(),
        "network link": links(),
        "network namespace": netns(),
    }


def diff(snap, now):
    leaks = {}
    for kind, items in now.items():
        new = {k: v for k, v in items.items() if k not in snap.get(kind, {})}
        if new:
            leaks[kind] = new
    return leaks


def clean(leaks):
    for key, pid in leaks.get("process", {}).items():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    time.sleep(0.3)
    # Deepest first; lazily, as a busy mount must not keep the next ones from going.
    for mnt in sorted(set(leaks.get("mount", {}).values()), key=len, reverse=True):
        subprocess.run(["umount", "-l", mnt], stderr=subprocess.DEVNULL)
    for dev in leaks.get("loop device", {}).values():
        subprocess.run(["losetup", "-d", dev], stderr=subprocess.DEVNULL)
    for path in leaks.get("state entry", {}).values():
        if os.path.isdir(path) and not os.path.islink(path):
            subprocess.run(["rm", "-rf", "--one-file-system", path])
        else:
            try:
                os.unlink(path)
            except OSError:
                pass
    for d in sorted(leaks.get("cgroup", {}).values(), key=len, reverse=True):
        try:
            os.rmdir(d)
        except OSError:
            pass
    for link in leaks.get("network link", {}):
        subprocess.run(["ip", "link", "del", link], stderr=subprocess.DEVNULL)
    for ns in leaks.get("network namespace", {}):
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "snapshot":
        with open(path, "w") as f:
            json.dump(collect(), f)
        return 0
    with open(path) as f:
        snap = json.load(f)
    # Teardown in the kernel (a namespace's mounts, autoclear loops) may finish just after vessel
    # exits: give it 3 s before calling anything a leak.
    deadline = time.monotonic() + 3
    while True:
        leaks = diff(snap, collect())
        if not leaks or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for kind, items in leaks.items():
        for what in items:
            print(f"leaked {kind}: {what}", file=sys.stderr)
    if leaks and "--clean" in sys.argv[3:]:
        clean(leaks)
        rest = diff(snap, collect())
        for kind, items in rest.items():
            for what in items:
                print(f"could not remove leaked {kind}: {what}", file=sys.stderr)
    return 1 if leaks else 0


sys.exit(main())
EOF
}
