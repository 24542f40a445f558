#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A minimal QMP client for VM scenarios (talks to a nested stock QEMU).

  qmp.py SOCKET screendump FILE    QEMU's own PPM of console 0
  qmp.py SOCKET text               the VGA text screen (80x25 at 0xb8000), one line a row
  qmp.py SOCKET key NAME           press and release one key (QEMU qcode, e.g. esc)
  qmp.py SOCKET quit               ask QEMU to exit
Exit status 1 and one line on stderr when QEMU refuses or cannot be reached.
"""
import json
import socket
import sys


def command(sock, rfile, execute, arguments=None):
    msg = {"execute": execute}
    if arguments:
        msg["arguments"] = arguments
    sock.sendall(json.dumps(msg).encode() + b"\n")
    while True:
        line = rfile.readline()
        if not line:
            raise OSError("QMP connection closed")
        reply = json.loads(line)
        if "event" in reply:
            continue
        if "error" in reply:
            raise OSError("%s: %s" % (execute, reply["error"].get("desc")))
        return reply.get("return")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, cmd = argv[1], argv[2]
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(60)
        sock.connect(path)
        rfile = sock.makefile("rb")
        json.loads(rfile.readline())  # greeting
        command(sock, rfile, "qmp_capabilities")
        if cmd == "screendump":
            command(sock, rfile, "screendump", {"filename": argv[3]})
        elif cmd == "text":
            # pmemsave reads guest-physical memory through QEMU's memory API,
            # so it sees the VGA text buffer as the guest wrote it.
            tmp = argv[3] if len(argv) > 3 else path + ".text"
            command(sock, rfile, "pmemsave", {"val": 0xb8000, "size": 4000, "filename": tmp})
            with open(tmp, "rb") as f:
                cells = f.read()
            for row in range(25):
                line = cells[row * 160:(row + 1) * 160:2]
                print(line.decode("latin-1").rstrip())
        elif cmd == "key":
            command(sock, rfile, "send-key",
                    {"keys": [{"type": "qcode", "data": argv[3]}]})
        elif cmd == "quit":
            command(sock, rfile, "quit")
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (OSError, ValueError, IndexError) as e:
        print("qmp: %s: %s" % (path, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
