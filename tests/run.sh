#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The test driver `make check` calls after building: the unit tests (build/tests/unit/test_*, TAP)
# and, as root, the integration tests (tests/integration/*.bats, each file bounded to 600 s), the
# client tests (tests/clients: podman, containerd), each under prove, and the cgroup v2 suite in a
# qemu VM (tests/vm). Ends with one line "N passed, M failed" counting the test points of all, and
# exits non-zero when anything failed.
#
# Usage: tests/run.sh [BATS_FILE...]   (default: everything; naming files runs only those)
# Environment: VESSEL_SKIP_UNIT=1, VESSEL_SKIP_INTEGRATION=1, VESSEL_SKIP_CLIENTS=1,
# VESSEL_SKIP_VM=1 leave a part out.

set -u
cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
rc=0
log=$(mktemp /tmp/vessel-check.XXXXXX)
trap 'rm -f "$log" "$log.exec"' EXIT

# count LOG: adds the TAP test points of a prove -v log to the totals ("ok" lines, skips and TODOs
# included, pass; "not ok" fail unless marked TODO).
count() {
    local p f
    p=$(grep -cE '^ *ok [0-9]+' "$1")
    f=$(grep -E '^ *not ok [0-9]+' "$1" | grep -vcE '# *TODO')
    passed=$((passed + p))
    failed=$((failed + f))
}

# run_prove NAME PROVE-ARGS...: one prove run; a failing run with no failing test point (a file that
# crashed or stopped early) still counts as one failure.
run_prove() {
    local name=$1 before=$failed status
    shift
    echo "=== $name"
    prove "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    count "$log"
    if [ "$status" -ne 0 ]; then
        rc=1
        if [ "$failed" -eq "$before" ]; then
            echo "$name: prove failed (status $status) without a failing test point: counted as one failure"
            failed=$((failed + 1))
        fi
    fi
}

if [ "${VESSEL_SKIP_UNIT:-0}" != 1 ]; then
    shopt -s nullglob
    units=(build/tests/unit/test_*)
    shopt -u nullglob
    units=($(for u in "${units[@]}"; do [ -x "$u" ] && [ "${u%.d}" = "$u" ] && [ "${u%.o}" = "$u" ] && echo "$u"; done))
    if [ ${#units[@]} -gt 0 ]; then
        run_prove "unit tests" -v "${units[@]}"
    else
        echo "=== unit tests: none built"
    fi
fi

if [ "${VESSEL_SKIP_INTEGRATION:-0}" != 1 ]; then
    if [ $# -gt 0 ]; then
        files=("$@")
    else
        files=(tests/integration/*.bats)
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "=== integration tests skipped: they need root (mounts, namespaces, loop devices)"
    elif ! command -v bats >/dev/null; then
        echo "=== integration tests skipped: bats is not installed (make deps)"
        failed=$((failed + 1))
        rc=1
    elif [ ! -x build/vessel ] || [ ! -x build/probe ]; then
        echo "=== integration tests: build/vessel or build/probe missing (run make)"
        failed=$((failed + 1))
        rc=1
    else
        # prove splits --exec on spaces: a wrapper bounds each file's run.
        cat >"$log.exec" <<'EOF'
#!/bin/sh
exec timeout -k 10 600 bats --tap "$@"
EOF
        chmod +x "$log.exec"
        run_prove "integration tests" -v --timer --exec "$log.exec" "${files[@]}"
    fi
fi

# Real clients (tests/clients/*.bats: podman, containerd) with build/vessel as their OCI runtime;
# VESSEL_SKIP_CLIENTS=1 leaves them out, and so does naming BATS_FILEs.
if [ "${VESSEL_SKIP_CLIENTS:-0}" != 1 ] && [ $# -eq 0 ] && [ "$(id -u)" = 0 ] &&
    command -v bats >/dev/null && [ -x build/vessel ]; then
    printf '#!/bin/sh\nexec timeout -k 10 600 bats --tap "$@"\n' >"$log.exec"
    chmod +x "$log.exec"
    run_prove "client tests" -v --timer --exec "$log.exec" tests/clients/*.bats
fi

# cgroup v2 in a qemu VM (tests/vm: the same cgroup.bats); VESSEL_SKIP_VM=1 leaves it out, and so
# does naming BATS_FILEs. Its counts join the totals.
if [ $# -eq 0 ] && [ "$(id -u)" = 0 ]; then
    bash tests/vm/check.sh build 2>&1 | tee "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
    vm=$(grep -oE '^=== VM tests: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -n "$vm" ]; then
        read -r p f < <(echo "$vm" | sed -E 's/.* ([0-9]+) passed, ([0-9]+) failed/\1 \2/')
        passed=$((passed + p))
        failed=$((failed + f))
    elif [ "$rc" -ne 0 ]; then
        failed=$((failed + 1))
    fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]
