#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Times a bind until the plane is committed, for tests/bench/reconcile-cost.sh.

usage: bind-latency.py daemon SOCKET COUNT
       bind-latency.py bare BARE-MODESET COUNT

daemon: one client of directflipd's control socket, subscribed to events.
COUNT times: unbind vm1, let the pass after it run, then bind vm1 to m1;
the time runs from just before the bind request is sent to the time_us of
vm1's lease-granted event (taken after the commit returned).
bare: bare-modeset --commands Virtual-2; COUNT times "on" (timed from just
before the command is written to the commit's return), then "off".
Prints the COUNT times in milliseconds, one a line. Both clocks are
CLOCK_MONOTONIC.
"""
import json
import socket
import subprocess
import sys
import time


def now_us():
    return time.monotonic_ns() // 1000


def daemon(path, count):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    ids = iter(range(1, 1 << 30))

    def call(method, params):
        rid = next(ids)
        s.send(json.dumps({"id": rid, "method": method, "params": params}).encode())
        return rid

    def until(pred):
        while True:
            m = json.loads(s.recv(1 << 16))
            if "error" in m:
                sys.exit("error: %s" % m["error"])
            if pred(m):
                return m

    rid = call("subscribe", {})
    until(lambda m: m.get("id") == rid)
    for _ in range(count):
        rid = call("unbind", {"vm": "vm1"})
        until(lambda m: m.get("id") == rid)
        time.sleep(0.3)
        t0 = now_us()
        rid = call("bind", {"vm": "vm1", "monitor": "m1"})
        m = until(lambda m: m.get("event") == "lease-granted" and m.get("vm") == "vm1")
        print("%.3f" % ((m["time_us"] - t0) / 1e3))
        time.sleep(0.3)


def bare(path, count):
    p = subprocess.Popen([path, "--commands", "Virtual-2"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    if p.stdout.readline().strip() != "ready":
        sys.exit("bare-modeset did not start")
    for _ in range(count):
        t0 = now_us()
        p.stdin.write("on\n")
        p.stdin.flush()
        done = json.loads(p.stdout.readline())["t_done_us"]
        print("%.3f" % ((done - t0) / 1e3))
        time.sleep(0.3)
        p.stdin.write("off\n")
        p.stdin.flush()
        if p.stdout.readline().strip() != "off":
            sys.exit("bare-modeset did not turn the head off")
        time.sleep(0.3)
    p.stdin.close()
    p.wait()


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("daemon", "bare"):
        sys.exit(__doc__)
    (daemon if sys.argv[1] == "daemon" else bare)(sys.argv[2], int(sys.argv[3]))
