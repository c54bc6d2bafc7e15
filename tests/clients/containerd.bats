#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# containerd with vessel as the runc shim's binary (`ctr run --runc-binary`): a containerd of the
# test's own (config, socket, root and state under one temp directory, killed in teardown), an
# image imported from a docker-archive built here from a busybox root. The shim
# (containerd-shim-runc-v2) drives vessel's create, start, state, exec -d, ps, pause, kill, delete.

load helpers

setup_file() {
    ct_need containerd ctr containerd-shim-runc-v2 python3
    CT=$(mktemp -d /tmp/vessel-containerd.XXXXXX)
    export CT
    cat >"$CT/config.toml" <<EOF
version = 2
root = "$CT/root"
state = "$CT/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
                    "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
                    "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$CT/containerd.sock"
[ttrpc]
  address = "$CT/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
    containerd --config "$CT/config.toml" >"$CT/containerd.log" 2>&1 3>&- &
    echo $! >"$CT/containerd.pid"
    for _ in $(seq 100); do
        [ -S "$CT/containerd.sock" ] && break
        sleep 0.1
    done
    [ -S "$CT/containerd.sock" ]
    ct_make_root "$CT/rootfs"
    make_archive "$CT/rootfs" "$CT/image.tar"
    c images import "$CT/image.tar" >/dev/null
}

teardown_file() {
    [ -n "${CT:-}" ] || return 0
    local id
    for id in $(c tasks ls -q 2>/dev/null); do
        c tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
        sleep 0.2
        c tasks delete -f "$id" >/dev/null 2>&1 || true
    done
    for id in $(c containers ls -q 2>/dev/null); do
        c containers delete "$id" >/dev/null 2>&1 || true
    done
    if [ -s "$CT/containerd.pid" ]; then
        kill "$(cat "$CT/containerd.pid")" 2>/dev/null || true
        sleep 0.5
    fi
    ct_remove_tree "$CT"
    # what the shim makes outside our directories (fixed paths in containerd 1.6): only empty
    # directories, removed only if empty
    rmdir /run/containerd/runc/default /run/containerd/runc /run/containerd/s \
        /run/containerd/fifo /run/containerd 2>/dev/null || true
}

c() {
    timeout -k 5 "$CT_TIMEOUT" ctr --address "$CT/containerd.sock" "$@"
}

# A docker-archive (docker save's format) of one layer: ROOTFS as localhost/vsl-busybox:latest.
make_archive() {
    python3 - "$1" "$2" <<'EOF'
import hashlib, io, json, sys, tarfile
root, out = sys.argv[1], sys.argv[2]
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w") as t:
    t.add(root, arcname=".")
layer = layer.getvalue()
diff = hashlib.sha256(layer).hexdigest()
config = json.dumps({
    "architecture": "amd64", "os": "linux",
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
               "Cmd": ["sh"]},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff]},
}).encode()
cid = hashlib.sha256(config).hexdigest()
manifest = json.dumps([{"Config": cid + ".json", "RepoTags": ["localhost/vsl-busybox:latest"],
                        "Layers": [diff + "/layer.tar"]}]).encode()
with tarfile.open(out, "w") as t:
    for name, data in ((cid + ".json", config), (diff + "/layer.tar", layer),
                       ("manifest.json", manifest)):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
EOF
}

IMG=localhost/vsl-busybox:latest

@test "ctr run --rm: output and exit code" {
    run c run --rm --runc-binary "$VESSEL_BIN" "$IMG" r1 sh -c 'echo hello from vessel; exit 3'
    ct_assert_status 3
    [ "$output" = "hello from vessel" ]
}

@test "ctr run -d, exec, ps, pause, resume, kill, delete" {
    run c run -d --runc-binary "$VESSEL_BIN" "$IMG" r2 sleep 100
    ct_assert_status 0
    run c tasks ls
    ct_assert_match 'r2 +[0-9]+ +RUNNING'
    run c tasks exec --exec-id e1 r2 sh -c 'echo in-exec; exit 6'
    ct_assert_status 6
    [ "$output" = in-exec ]
    run c tasks ps r2
    ct_assert_status 0
    [ "$(echo "$output" | grep -c '^[0-9]')" -ge 1 ]
    c tasks pause r2
    run c tasks ls
    ct_assert_match 'r2 +[0-9]+ +PAUSED'
    c tasks resume r2
    run c tasks ls
    ct_assert_match 'r2 +[0-9]+ +RUNNING'
    c tasks kill -s SIGKILL r2
    for _ in $(seq 50); do
        c tasks ls | grep -q 'r2 .*STOPPED' && break
        sleep 0.1
    done
    run c tasks ls
    ct_assert_match 'r2 +[0-9]+ +STOPPED'
    run c tasks delete r2
    ct_assert_status 0
    run c containers delete r2
    ct_assert_status 0
}

@test "ctr run -t: a terminal over the console socket" {
    run ct_tty "ctr --address $CT/containerd.sock run -t --rm --runc-binary $VESSEL_BIN $IMG r3 sh -c 'tty; exit 2'"
    ct_assert_status 2
    ct_assert_match '/dev/pts/0'
}

@test "the container runs in its own cgroup" {
    run c run --rm --runtime io.containerd.runc.v2 --runc-binary "$VESSEL_BIN" "$IMG" r4 cat /proc/self/cgroup
    ct_assert_status 0
    ct_assert_match 'r4'
}
