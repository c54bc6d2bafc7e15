#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# A console socket as conmon and containerd-shim serve one: listen on SOCKET, take one pty master
# over SCM_RIGHTS, write "name=<data>" and then everything read from the pty into OUT (20 s max).
import array
import os
import socket
import sys
import time

sock_path, out_path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sock_path)
s.listen(1)
s.settimeout(30)
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(256, socket.CMSG_LEN(4))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[:4])
with open(out_path, "wb") as out:
    out.write(b"name=" + msg + b"\n")
    end = time.time() + 20
    while fds and time.time() < end:
        try:
            d = os.read(fds[0], 4096)
        except OSError:
            break
        if not d:
            break
        out.write(d)
        out.flush()
