#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# `vessel run -t` driven through a pseudo-terminal (python's pty module): the container gets a
# terminal of its own on 0, 1 and 2, with the outer terminal's window size; input and ^C are relayed,
# the exit status comes back, and the outer terminal is restored. Needs root.

load helpers

setup_file() {
    vt_setup_file
    vt_write_pty_driver
}
teardown_file() { vt_teardown_file; }
setup() { vt_setup; }
teardown() { vt_teardown; }

# vt_pty [--rows R] [--cols C] [--expect REGEX] [--send TEXT] [--resize RxC] [--sleep S] -- CMD...
# Runs CMD on a new pty, then the steps in order; prints the transcript (\r\n as \n) and exits with
# CMD's status. On stderr: "termios=same|changed" (the outer terminal's mode after CMD vs before) and
# any step that timed out.
vt_pty() {
    "$VT_PY" "$VT_DIR/vt_pty_driver.py" "$@"
}

vt_write_pty_driver() {
    cat >"$VT_DIR/vt_pty_driver.py" <<'EOF'
import codecs, fcntl, os, pty, re, select, signal, struct, sys, termios, time

def winsz(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

args = sys.argv[1:]
rows, cols, timeout, steps = 24, 80, 30.0, []
while args and args[0] != "--":
    a = args.pop(0)
    if a == "--rows":
        rows = int(args.pop(0))
    elif a == "--cols":
        cols = int(args.pop(0))
    elif a == "--timeout":
        timeout = float(args.pop(0))
    elif a == "--expect":
        steps.append(("expect", args.pop(0)))
    elif a == "--send":
        steps.append(("send", codecs.decode(args.pop(0), "unicode_escape").encode()))
    elif a == "--resize":
        r, c = args.pop(0).split("x")
        steps.append(("resize", int(r), int(c)))
    elif a == "--sleep":
        steps.append(("sleep", float(args.pop(0))))
    else:
        sys.exit(f"vt_pty: unknown option {a}")
args = args[1:]

pid, fd = pty.fork()
if pid == 0:
    winsz(0, rows, cols)
    os.execvp(args[0], args)

before = termios.tcgetattr(fd)
deadline = time.monotonic() + timeout
buf, pos, eof, failed = b"", 0, False, False

def pump(wait):
    global buf, eof
    if eof:
        time.sleep(wait)
        return
    r, _, _ = select.select([fd], [], [], wait)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            eof = True
        buf += data

for step in steps:
    if step[0] == "expect":
        rx = re.compile(step[1].encode())
        while not (m := rx.search(buf, pos)):
            if eof or time.monotonic() > deadline:
                print(f"vt_pty: timed out waiting for /{step[1]}/", file=sys.stderr)
                failed = True
                break
            pump(0.1)
        if m:
            pos = m.end()
        if failed:
            break
    elif step[0] == "send":
        os.write(fd, step[1])
    elif step[0] == "resize":
        winsz(fd, step[1], step[2])
    elif step[0] == "sleep":
        end = time.monotonic() + step[1]
        while time.monotonic() < end:
            pump(0.05)

while not eof and time.monotonic() < deadline:
    pump(0.1)
status = None
while time.monotonic() < deadline:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        break
    time.sleep(0.05)
if status is None:
    print("vt_pty: timed out, killing the command", file=sys.stderr)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    code = 124
else:
    code = os.waitstatus_to_exitcode(status)
    code = 128 - code if code < 0 else code
try:
    after = termios.tcgetattr(fd)
    print("termios=" + ("same" if after[:4] == before[:4] else "changed"), file=sys.stderr)
except termios.error as e:
    print(f"termios=unknown ({e})", file=sys.stderr)
sys.stdout.write(buf.decode(errors="replace").replace("\r\n", "\n").replace("\r", ""))
sys.stdout.flush()
sys.exit(1 if failed and code == 0 else code)
EOF
}

@test "tty: -t gives the command a terminal on 0, 1 and 2" {
    run --separate-stderr vt_pty -- "$VESSEL_BIN" --root "$STATE" run -t "$ROOT" /probe tty
    vt_assert_status 0
    vt_assert_line "isatty0=1"
    vt_assert_line "isatty1=1"
    vt_assert_line "isatty2=1"
    vt_assert_match $'(^|\n)ttyname=/dev/pts/[0-9]+'
}

@test "tty: --tty with the long spelling" {
    run --separate-stderr vt_pty -- "$VESSEL_BIN" --root "$STATE" run --tty "$ROOT" /probe tty
    vt_assert_status 0
    vt_assert_line "isatty1=1"
}

@test "tty: the outer terminal's window size is seen inside" {
    run --separate-stderr vt_pty --rows 30 --cols 100 -- "$VESSEL_BIN" --root "$STATE" run -t "$ROOT" /probe tty
    vt_assert_status 0
    vt_assert_line "rows=30"
    vt_assert_line "cols=100"
}

@test "tty: a window size change reaches the container" {
    run --separate-stderr vt_pty --rows 30 --cols 100 --expect '# ' --resize 40x120 --sleep 0.5 \
        --send 'probe tty\n' --expect 'cols=[0-9]+' --send 'exit\n' \
        -- "$VESSEL_BIN" --root "$STATE" run -it "$ROOT"
    vt_assert_status 0
    vt_assert_line "rows=40"
    vt_assert_line "cols=120"
}

@test "tty: an interactive shell: input, output and the exit status" {
    run --separate-stderr vt_pty --expect '# ' --send 'echo $((6*7))\n' --expect '42' --send 'exit 5\n' \
        -- "$VESSEL_BIN" --root "$STATE" run -it "$ROOT" /bin/sh
    vt_assert_status 5
    vt_assert_line "42"
}

@test "tty: ^C goes to the container's foreground process" {
    run --separate-stderr vt_pty --expect '# ' --send 'probe trap 20\n' --expect 'ready' --send '\x03' \
        --expect 'signal=' --send 'exit $?\n' \
        -- "$VESSEL_BIN" --root "$STATE" run -it "$ROOT" /bin/sh
    # The inner terminal echoes ^C in front of the probe's line.
    vt_assert_match $'(^|\n)(\\^C)?signal=2(\n|$)'
    vt_assert_status 102
}

@test "tty: the exit status of a command comes back" {
    run --separate-stderr vt_pty -- "$VESSEL_BIN" --root "$STATE" run -t "$ROOT" /probe exit 3
    vt_assert_status 3
}

@test "tty: the outer terminal's mode is restored" {
    run --separate-stderr vt_pty --expect '# ' --send 'exit 0\n' \
        -- "$VESSEL_BIN" --root "$STATE" run -it "$ROOT" /bin/sh
    vt_assert_status 0
    [[ $stderr == *termios=same* ]] || vt_fail "the outer terminal was left changed"
}

@test "tty: /dev/console exists inside with -t" {
    run --separate-stderr vt_pty -- "$VESSEL_BIN" --root "$STATE" run -t "$ROOT" /probe stat /dev/console
    vt_assert_status 0
    vt_assert_line "type=chr"
}

@test "tty: -t without -i does not read the outer terminal's input" {
    run --separate-stderr vt_pty --sleep 0.5 --send 'typed\n' --sleep 0.5 \
        -- "$VESSEL_BIN" --root "$STATE" run -t "$ROOT" /bin/sh -c 'sleep 1.5; cat </dev/null; read -t 1 x && echo "got $x"; true'
    vt_assert_status 0
    vt_refute_line "got typed"
}
