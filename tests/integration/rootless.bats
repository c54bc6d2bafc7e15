#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Rootless: `vessel run` and the OCI path as an ordinary user the test creates (with /etc/subuid and
# /etc/subgid ranges) and removes. The user is root in the container through its user namespace,
# state is under $XDG_RUNTIME_DIR/vessel, seccomp and capabilities are as for root, the network is
# private, cgroups are skipped quietly when not delegated. Needs root (to create the user).

load helpers

VT_USER=vsl-rootless-$$
VT_SUB=3400000

setup_file() {
    vt_setup_file
    useradd -M -d "$VT_DIR/home" -s /bin/sh "$VT_USER"
    VT_UID=$(id -u "$VT_USER")
    VT_GID=$(id -g "$VT_USER")
    export VT_UID VT_GID
    local f
    for f in /etc/subuid /etc/subgid; do
        [ -e "$f" ] || touch "$f.vt-created"
        touch "$f"
        sed -i "/^$VT_USER:/d" "$f" # useradd may have given the user a range already
        echo "$VT_USER:$VT_SUB:65536" >>"$f"
    done
    # everything the user needs must be reachable by it: a home, a runtime dir, its own root
    chmod 0755 "$VT_DIR"
    mkdir -p "$VT_DIR/home" "$VT_DIR/xdg" "$VT_DIR/uroot"
    cp -a "$ROOT/." "$VT_DIR/uroot/"
    chown -R "$VT_UID:$VT_GID" "$VT_DIR/home" "$VT_DIR/xdg" "$VT_DIR/uroot"
    chmod 0700 "$VT_DIR/xdg"
}

teardown_file() {
    local f
    for f in /etc/subuid /etc/subgid; do
        sed -i "/^$VT_USER:/d" "$f"
        if [ -e "$f.vt-created" ]; then
            rm -f "$f.vt-created"
            [ -s "$f" ] || rm -f "$f"
        fi
        rm -f "$f-"
    done
    pkill -KILL -u "$VT_USER" 2>/dev/null || true
    userdel "$VT_USER" 2>/dev/null || true
    vt_teardown_file
}

setup() { vt_setup; }
teardown() { vt_teardown; }

# uvessel ARGS...: vessel as the test user, with its own environment
uvessel() {
    timeout -k 5 "$VT_TIMEOUT" setpriv --reuid="$VT_UID" --regid="$VT_GID" --init-groups \
        env -i PATH=/usr/bin:/bin HOME="$VT_DIR/home" XDG_RUNTIME_DIR="$VT_DIR/xdg" \
        "$VESSEL_BIN" "$@"
}

urun() {
    run --separate-stderr uvessel "$@"
}

@test "rootless: the user is root in the container, its subordinate ids fill the rest" {
    urun run "$VT_DIR/uroot" /bin/sh -c 'cat /proc/self/uid_map; id -u; touch /tmp/t && echo writable'
    vt_assert_status 0
    vt_assert_match "0 +$VT_UID +1"
    vt_assert_match "1 +$VT_SUB +65535"
    vt_assert_line 0
    vt_assert_line writable
    [ "$(stat -c %u "$VT_DIR/uroot/tmp/t")" = "$VT_UID" ] || vt_fail "not the user's file"
}

@test "rootless: state under \$XDG_RUNTIME_DIR/vessel, removed afterwards" {
    urun run --name rl1 "$VT_DIR/uroot" /bin/sh -c 'echo ok'
    vt_assert_status 0
    [ -d "$VT_DIR/xdg/vessel" ] || vt_fail "no state root under XDG_RUNTIME_DIR"
    [ ! -e "$VT_DIR/xdg/vessel/rl1" ] || vt_fail "the container's state was left behind"
}

@test "rootless: seccomp, capabilities and masked paths as for root" {
    urun run "$VT_DIR/uroot" /bin/sh -c 'probe seccomp; probe caps; cat /proc/keys | wc -c; probe attack keyctl'
    vt_assert_status 0
    vt_assert_line "Seccomp:	2"
    vt_assert_line "CapEff:	00000000a80425fb"
    vt_assert_line 0
    vt_assert_match 'blocked: keyctl'
}

@test "rootless: --userns keep-id: the user's own uid inside" {
    urun run --userns keep-id "$VT_DIR/uroot" /bin/sh -c 'id -u; id -g'
    vt_assert_status 0
    vt_assert_output "$VT_UID
$VT_GID"
}

@test "rootless: a private network has only loopback" {
    urun run --network private "$VT_DIR/uroot" /probe netdevs
    vt_assert_status 0
    vt_assert_output "lo up"
}

@test "rootless: the host's user namespace is refused with a clear message" {
    urun run --userns host "$VT_DIR/uroot" /bin/true
    vt_assert_status 125
    vt_assert_vessel_error "only root can run without a user namespace"
}

@test "rootless: an OCI bundle from 'vessel spec --rootless'" {
    local b=$VT_DIR/ubundle
    mkdir -p "$b"
    cp -a "$VT_DIR/uroot" "$b/rootfs"
    chown "$VT_UID:$VT_GID" "$b"
    (cd "$b" && uvessel spec --rootless)
    vt_json_edit "$b/config.json" 'c["process"]["args"] = ["/probe", "ids"]; c["process"]["terminal"] = False'
    urun run --bundle "$b" rl2
    vt_assert_status 0
    vt_assert_match 'uid=0'
}
