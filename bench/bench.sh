#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vessel against crun and runc (and the kernel's floor) on the same busybox OCI bundle, in one
# session, interleaved (floor vessel crun runc floor vessel crun runc ...), as medians and ratios.
# Usage: bench/bench.sh BUILD_DIR      (make bench does this: BUILD_DIR holds vessel and
#                                       bench/{runner,nsrun,floor})
# Environment: RUNS (counted runs per row and runtime, default 30), WARMUP (default 3),
#   BATCH_RUNS (counted runs of the 50-container rows, default RUNS), ROWS (space-separated
#   subset of: run create limits seq50 par50 exec friendly; default all), OUT (default
#   bench/results).
# Writes OUT/results.md (the tables), OUT/results.png (gnuplot chart), OUT/raw/ (one line per run:
# wall_us cpu_us maxrss_kb failures). Leaves no container, state dir, cgroup or mount behind.
# Runtime command lines ("crun --root DIR", "nsrun -r") are split on purpose; paths have no spaces.
# shellcheck disable=SC2206,SC2046,SC2044,SC2086
set -euo pipefail

BUILD=${1:?usage: bench/bench.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
BATCH_RUNS=${BATCH_RUNS:-$RUNS}
ROWS=${ROWS:-"run create limits seq50 par50 exec friendly"}
OUT=${OUT:-$SRC/bench/results}
VESSEL=$BUILD/vessel
RUNNER=$BUILD/bench/runner
NSRUN=$BUILD/bench/nsrun
FLOOR=$BUILD/bench/floor
CRUN=/usr/bin/crun
RUNC=/usr/sbin/runc
TAG=vb$$ # every container id starts with this, so cleanup finds what is ours

die() {
    echo "bench: $*" >&2
    exit 1
}
log() { echo "bench: $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root"
for f in "$VESSEL" "$RUNNER" "$NSRUN" "$FLOOR"; do [ -x "$f" ] || die "missing $f (run: make bench)"; done

# ---- tools from Debian ----
need=()
command -v crun >/dev/null || need+=(crun)
command -v runc >/dev/null || need+=(runc)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
command -v podman >/dev/null || need+=(podman)
command -v jq >/dev/null || need+=(jq)
[ -x /bin/busybox ] || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2 ||
        { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends "${need[@]}" >&2; } ||
        log "could not install ${need[*]}: the rows that need them are marked"
fi
CRUN=$(command -v crun || echo /usr/bin/crun)
RUNC=$(command -v runc || echo /usr/sbin/runc)

WORK=$(mktemp -d /tmp/vessel-bench.XXXXXX)
touch "$WORK/.start"
# Every runtime keeps its state under a tmpfs of ours (--root), as /run is on a systemd host;
# on this machine /run is on ext4, where creating and removing the state files costs about 1 ms a
# container for each runtime.
RUNDIR=$WORK/run
STATE=$RUNDIR/vessel
CRUN_ROOT=$RUNDIR/crun
RUNC_ROOT=$RUNDIR/runc

cleanup() {
    set +eu
    for rt in "$CRUN --root $CRUN_ROOT" "$RUNC --root $RUNC_ROOT"; do
        for id in $($rt list -q 2>/dev/null | grep "^$TAG"); do
            timeout 20 "$NSRUN" $rt delete -f "$id" >/dev/null 2>&1
        done
    done
    for d in "$STATE"/*/; do
        [ -d "$d" ] && timeout 20 ${VNSRUN:-$NSRUN} "$VESSEL" --root "$STATE" delete -f "$(basename "$d")" >/dev/null 2>&1
    done
    if [ -n "${PODMAN_ROOT:-}" ]; then
        podman "${PODMAN_OPTS[@]}" rm -af >/dev/null 2>&1
        podman "${PODMAN_OPTS[@]}" system reset -f >/dev/null 2>&1
    fi
    # cgroups that crun, runc or vessel made for our containers (leaves first), and whatever
    # process a runtime that failed to delete left in them.
    for d in $(find /sys/fs/cgroup -type d -name "$TAG*" 2>/dev/null); do
        for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    done
    sleep 0.2
    find /sys/fs/cgroup -depth -type d -name "$TAG*" -exec rmdir {} \; 2>/dev/null
    find /sys/fs/cgroup -depth -type d -path "*libpod*" -newer "$WORK/.start" -exec rmdir {} \; 2>/dev/null
    awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/self/mounts | sort -r |
        while read -r m; do umount -l "$m"; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$RUNDIR" "$OUT/raw"
mount -t tmpfs -o mode=0700,size=64m vessel-bench "$RUNDIR"
mkdir -p "$STATE" "$CRUN_ROOT" "$RUNC_ROOT"
rm -f "$OUT"/raw/*

# ---- the bundle: busybox-static, runc's default config, /bin/true ----
ROOTFS=$WORK/rootfs
mkdir -p "$ROOTFS"/{bin,proc,sys,dev,etc,tmp}
cp /bin/busybox "$ROOTFS/bin/busybox"
for a in true sh sleep cat; do ln -s busybox "$ROOTFS/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOTFS/etc/passwd"
(cd "$WORK" && "$RUNC" spec)
# ociVersion: Debian 12's crun 1.8 refuses newer ones. The root is given by absolute path, so
# every bundle below shares the same tree (runc refuses a symlinked root).
jq --arg root "$ROOTFS" '.ociVersion="1.0.2" | .process.terminal=false |
    .process.args=["/bin/true"] | .root.path=$root' "$WORK/config.json" >"$WORK/base.json"
bundle() { # NAME JQ-FILTER
    mkdir -p "$WORK/$1"
    jq "$2" "$WORK/base.json" >"$WORK/$1/config.json"
}
bundle b-true '.'
bundle b-limits '.linux.resources.memory={"limit":67108864} | .linux.resources.pids={"limit":128} |
    .linux.resources.cpu={"shares":512,"quota":50000,"period":100000}'
bundle b-limits-check '.linux.resources.memory={"limit":67108864} | .linux.resources.pids={"limit":128} |
    .linux.resources.cpu={"shares":512,"quota":50000,"period":100000} |
    .process.args=["/bin/cat","/sys/fs/cgroup/memory/memory.limit_in_bytes","/sys/fs/cgroup/pids/pids.max"]'
bundle b-sleep '.process.args=["/bin/sleep","1000"]'
B=$WORK/b-true

# ---- what vessel can do today (its verbs and cgroups are being written) ----
# nsrun's tmpfs in place of the cgroup2 mount is writable for crun, which writes into it. If vessel
# stumbles over a writable one (it takes it for the hybrid host's cgroup2), it gets the read-only
# variant, which costs the same; the report says so.
VNSRUN=$NSRUN
NOTE=""
if ! timeout 20 "$NSRUN" "$VESSEL" --root "$STATE" run --bundle "$B" "${TAG}probe0" >/dev/null 2>"$WORK/v.err"; then
    if timeout 20 "$NSRUN" -r "$VESSEL" --root "$STATE" run --bundle "$B" "${TAG}probe0" >/dev/null 2>&1; then
        VNSRUN="$NSRUN -r"
        NOTE="vessel ran through \`nsrun -r\` (read-only tmpfs in place of the cgroup2 mount): with a writable one it fails: $(head -1 "$WORK/v.err")"
        log "$NOTE"
    else
        die "vessel cannot run the bundle: $(head -1 "$WORK/v.err")"
    fi
fi
V=($VNSRUN "$VESSEL" --root "$STATE")
declare -A NA=()
na() { NA[$1]="n/a ($2)"; }
if timeout 20 "${V[@]}" create --bundle "$B" "${TAG}probe" >/dev/null 2>&1 &&
    timeout 20 "${V[@]}" start "${TAG}probe" >/dev/null 2>&1; then
    sleep 0.2
    timeout 20 "${V[@]}" delete -f "${TAG}probe" >/dev/null 2>&1 || timeout 20 "${V[@]}" delete "${TAG}probe" >/dev/null 2>&1 || true
    if ! timeout 20 "${V[@]}" delete --help 2>&1 | grep -q -- '--force'; then na create "vessel delete has no --force"; fi
else
    timeout 20 "${V[@]}" delete -f "${TAG}probe" >/dev/null 2>&1 || true
    na create "not available"
fi
lim=$(timeout 20 "${V[@]}" run --bundle "$WORK/b-limits-check" "${TAG}lim" 2>/dev/null | tr '\n' ' ' || true)
[ "$lim" = "67108864 128 " ] || na limits "not available: limits not applied"
if [ -n "${NA[create]:-}" ] || ! timeout 20 "${V[@]}" exec --help >/dev/null 2>&1; then na exec "not available"; fi
command -v podman >/dev/null || na podman "podman is not installed"
for rt in crun runc; do
    [ -x "$(eval echo \$${rt^^})" ] || die "$rt is not installed"
done

# ---- podman (row f): a private storage, the bundle's root imported as an image ----
PODMAN_OPTS=()
# The bundle's limits; podman's defaults (nofile and nproc at the maximum) are refused here.
PODMAN_RUN=(--rm --network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096
    localhost/vbench-busybox)
if [ -z "${NA[podman]:-}" ]; then
    PODMAN_ROOT=$WORK/podman
    mkdir -p "$PODMAN_ROOT"/{root,tmp} "$RUNDIR/podman"
    PODMAN_OPTS=(--root "$PODMAN_ROOT/root" --runroot "$RUNDIR/podman" --tmpdir "$PODMAN_ROOT/tmp"
        --runtime "$CRUN" --cgroup-manager cgroupfs --events-backend file)
    PODMAN=$(command -v podman)
    if ! tar -C "$ROOTFS" -c . | podman "${PODMAN_OPTS[@]}" import - localhost/vbench-busybox \
        >"$WORK/podman.log" 2>&1; then
        na podman "podman import failed: $(tail -1 "$WORK/podman.log")"
    elif ! "$NSRUN" "$PODMAN" "${PODMAN_OPTS[@]}" run "${PODMAN_RUN[@]}" /bin/true >"$WORK/podman.log" 2>&1; then
        na podman "podman run failed: $(tail -1 "$WORK/podman.log")"
    fi
fi
# The built-in busybox image is built on first use: do it now, outside the measurement.
timeout 20 "${V[@]}" run --rm busybox true >/dev/null 2>&1 || log "vessel run --rm busybox true failed"

# ---- running containers for exec (row e) ----
RT_BIN() {
    case $1 in
    vessel) echo "$VESSEL --root $STATE" ;;
    crun) echo "$CRUN --root $CRUN_ROOT" ;;
    runc) echo "$RUNC --root $RUNC_ROOT" ;;
    esac
}
start_sleeper() { # RUNTIME ID
    case $1 in
    vessel) timeout 20 "${V[@]}" create --bundle "$WORK/b-sleep" "$2" </dev/null >/dev/null 2>&1 && timeout 20 "${V[@]}" start "$2" ;;
    *) timeout 20 "$NSRUN" $(RT_BIN "$1") run -d --bundle "$WORK/b-sleep" "$2" </dev/null >/dev/null 2>&1 ;;
    esac
}
stop_sleeper() {
    case $1 in
    vessel) timeout 20 "${V[@]}" delete -f "$2" ;;
    *) timeout 20 "$NSRUN" $(RT_BIN "$1") delete -f "$2" ;;
    esac >/dev/null 2>&1 || true
}

# ---- one measurement: ROW RUNTIME ROUND -> a line in raw/ROW.RUNTIME ----
measure() {
    local row=$1 rt=$2 id=$TAG-$2-$3-%i bin ns=$NSRUN
    local -a cmd
    bin=$(RT_BIN "$rt")
    [ "$rt" = vessel ] && ns=$VNSRUN
    case $row:$rt in
    run:floor | seq50:floor | par50:floor) cmd=(-- $ns "$FLOOR" "$ROOTFS") ;;
    run:* | seq50:* | par50:*) cmd=(-- $ns $bin run --bundle "$B" "$id") ;;
    limits:*) cmd=(-- $ns $bin run --bundle "$WORK/b-limits" "$id") ;;
    create:*) cmd=(-- $ns $bin create --bundle "$B" "$id" ";;" $ns $bin start "$id"
        ";;" $ns $bin delete -f "$id") ;;
    exec:*) cmd=(-- $ns $bin exec "$TAG-$rt-exec" /bin/true) ;;
    friendly:vessel) cmd=(-- $ns $bin run --rm busybox true) ;;
    friendly:podman) cmd=(-- $ns "$PODMAN" "${PODMAN_OPTS[@]}" run "${PODMAN_RUN[@]}" /bin/true) ;;
    esac
    case $row in
    seq50) cmd=(-n 50 "${cmd[@]}") ;;
    par50) cmd=(-n 25 -j 2 "${cmd[@]}") ;;
    esac
    "$RUNNER" -t 30 -e "$OUT/raw/errors.log" "${cmd[@]}"
}

row_runtimes() {
    case $1 in
    run | seq50 | par50) echo "floor vessel crun runc" ;;
    friendly) echo "vessel podman" ;;
    *) echo "vessel crun runc" ;;
    esac
}
row_title() {
    case $1 in
    run) echo "(a) run /bin/true" ;;
    create) echo "(b) create + start + delete" ;;
    limits) echo "(c) run with memory, pids, cpu limits" ;;
    seq50) echo "(d) 50 containers, one after another" ;;
    par50) echo "(d) 50 containers, 2 in parallel" ;;
    exec) echo "(e) exec /bin/true into a running container" ;;
    friendly) echo "(f) run --rm busybox true (vessel vs podman+crun)" ;;
    esac
}

for row in $ROWS; do
    runs=$RUNS
    case $row in seq50 | par50) runs=$BATCH_RUNS ;; esac
    rts=$(row_runtimes "$row")
    if [ "$row" = exec ]; then
        for rt in $rts; do
            [ "$rt" = vessel ] && [ -n "${NA[exec]:-}" ] && continue
            start_sleeper "$rt" "$TAG-$rt-exec" || log "could not start a container for exec with $rt"
        done
    fi
    log "$(row_title "$row"): $WARMUP warm-up + $runs counted runs each of: $rts"
    for ((i = 0; i < WARMUP + runs; i++)); do
        for rt in $rts; do
            [ "$rt" = vessel ] && [ -n "${NA[$row]:-}" ] && continue
            [ "$rt" = podman ] && [ -n "${NA[podman]:-}" ] && continue
            line=$(measure "$row" "$rt" "$i")
            [ $i -ge $WARMUP ] && echo "$line" >>"$OUT/raw/$row.$rt"
        done
    done
    if [ "$row" = exec ]; then
        for rt in $rts; do stop_sleeper "$rt" "$TAG-$rt-exec"; done
    fi
done

# ---- statistics and the report ----
# stats FILE COLUMN -> "median min max" (column: 1 wall us, 2 cpu us, 3 maxrss KB)
stats() {
    sort -n -k"$2","$2" "$1" | awk -v c="$2" '{v[NR]=$c} END {
        if (NR == 0) { print "- - -"; exit }
        m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
        print m, v[1], v[NR] }'
}
fails() { awk '{s+=$4} END {print s+0}' "$1"; }
ms() { awk -v x="$1" 'BEGIN { if (x == "-") print "-"; else printf "%.1f", x/1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f×", a/b }'; }
med() { [ -s "$OUT/raw/$1.$2" ] && stats "$OUT/raw/$1.$2" "$3" | cut -d' ' -f1 || echo "-"; }
cell() { # ROW RUNTIME -> wall median in ms, or the n/a reason
    local f=$OUT/raw/$1.$2
    if [ -s "$f" ]; then
        echo "$(ms "$(med "$1" "$2" 1)")$([ "$(fails "$f")" -gt 0 ] && echo " ($(fails "$f") commands failed)")"
    elif [ "$2" = vessel ] && [ -n "${NA[$1]:-}" ]; then
        echo "${NA[$1]}"
    elif [ "$2" = podman ] && [ -n "${NA[podman]:-}" ]; then echo "${NA[podman]}"; else echo "-"; fi
}

MD=$OUT/results.md
{
    echo "# vessel benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
    echo "vessel $("$VESSEL" --version | head -1 | awk '{print $3}') ($(cd "$SRC" && git describe --always --dirty 2>/dev/null || echo '?')),"
    echo "$("$CRUN" --version | head -1), $("$RUNC" --version | head -1)$(command -v podman >/dev/null && echo ", $(podman --version)")."
    echo "$RUNS counted runs per row and runtime ($BATCH_RUNS for the 50-container rows) after $WARMUP warm-up runs,"
    echo "interleaved; every command runs through bench/nsrun (private mount namespace without"
    echo "/sys/fs/cgroup/unified, which crun needs on this hybrid cgroup host); every runtime's state"
    echo "(--root) is on a tmpfs, as /run is on a systemd host."
    [ -n "$NOTE" ] && echo && echo "Note: $NOTE."
    echo
    echo "## Wall time, median (ms)"
    echo
    echo "| workload | floor | vessel | crun | runc | vessel/crun | vessel/runc | vessel/floor |"
    echo "|---|---|---|---|---|---|---|---|"
    for row in $ROWS; do
        [ "$row" = friendly ] && continue
        v=$(med "$row" vessel 1)
        echo "| $(row_title "$row") | $(cell "$row" floor) | $(cell "$row" vessel) | $(cell "$row" crun) | $(cell "$row" runc) | $(ratio "$v" "$(med "$row" crun 1)") | $(ratio "$v" "$(med "$row" runc 1)") | $(ratio "$v" "$(med "$row" floor 1)") |"
    done
    if [[ " $ROWS " == *" friendly "* ]]; then
        echo
        echo "| workload | vessel | podman (crun) | vessel/podman |"
        echo "|---|---|---|---|"
        echo "| $(row_title friendly) | $(cell friendly vessel) | $(cell friendly podman) | $(ratio "$(med friendly vessel 1)" "$(med friendly podman 1)") |"
    fi
    echo
    echo "## Every measurement: median (min–max)"
    echo
    echo "| workload | runtime | wall ms | user+sys CPU ms | peak RSS KB | failed |"
    echo "|---|---|---|---|---|---|"
    for row in $ROWS; do
        for rt in $(row_runtimes "$row"); do
            f=$OUT/raw/$row.$rt
            [ -s "$f" ] || continue
            read -r wm wl wh <<<"$(stats "$f" 1)"
            read -r cm cl ch <<<"$(stats "$f" 2)"
            read -r rm rl rh <<<"$(stats "$f" 3)"
            echo "| $(row_title "$row") | $rt | $(ms "$wm") ($(ms "$wl")–$(ms "$wh")) | $(ms "$cm") ($(ms "$cl")–$(ms "$ch")) | $rm ($rl–$rh) | $(fails "$f") |"
        done
    done
    echo
    echo "Peak RSS is the largest single process (the runtime or a process it waited for);"
    echo "for the 50-container rows wall and CPU are for all 50."
} >"$MD"

# ---- chart: wall-time medians per workload, one bar per runtime ----
DAT=$WORK/chart.dat
{
    echo "workload floor vessel crun runc podman"
    for row in $ROWS; do
        printf '"%s"' "$(row_title "$row" | cut -d' ' -f1-4)"
        for rt in floor vessel crun runc podman; do
            m=$(med "$row" "$rt" 1)
            [ "$m" = "-" ] && printf ' -' || printf ' %s' "$(ms "$m")"
        done
        echo
    done
} >"$DAT"
if command -v gnuplot >/dev/null; then
    gnuplot <<EOF || log "gnuplot failed"
set terminal pngcairo size 1100,600 noenhanced
set output "$OUT/results.png"
set title "Container start: median wall time (ms, log scale; lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set datafile missing "-"
set logscale y
set ylabel "ms"
set xtics rotate by -20
set key top left
plot for [c=2:6] "$DAT" using c:xtic(1) title columnheader
EOF
else
    log "gnuplot is not installed: no chart"
fi
cat "$MD"
[ -s "$OUT/raw/errors.log" ] && log "some commands failed: see $OUT/raw/errors.log"
log "wrote $MD${OUT:+ and $OUT/results.png}"
