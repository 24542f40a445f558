#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 4: bad input on the control socket. Each case below must leave the
# daemon running, other clients served, and the leases and pixels as they
# were; the daemon must not leak a file descriptor. The socket is at a
# non-default path (--socket).
set -eu
. "$(dirname "$0")/../harness/lib.sh"

SOCK=$WORK/ctl/control

two_vm_preamble
echo "[vm.vm3]" >>"$WORK/layout.ini"

# Anything but a stale socket at the path is refused, and left alone.
mkdir -p "$WORK/ctl"
echo "not a socket" >"$SOCK"
set +e
LIBSEAT_BACKEND=noop "$DAEMON" -c "$WORK/layout.ini" --socket "$SOCK" >"$WORK/refused.log" 2>&1
st=$?
set -e
[ $st -ne 0 ] && grep -q "exists and is not a socket" "$WORK/refused.log" || fail "a regular file at the socket path was not refused: $(cat "$WORK/refused.log")"
[ "$(cat "$SOCK")" = "not a socket" ] || fail "the file at the socket path was touched"
ok "a regular file at the socket path is refused and kept"
rm "$SOCK"
# A stale socket (nobody listening) is replaced.
$PY -c 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.bind(sys.argv[1])' "$SOCK"
test -S "$SOCK" || fail "could not make a stale socket"

LIBSEAT_BACKEND=noop "$DAEMON" -c "$WORK/layout.ini" --socket "$SOCK" >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
CHILDREN="$CHILDREN $DAEMON_PID"
wait_for 30 log_has_n "action=lease-granted" 2 || fail "two leases were not granted"
wait_for 10 grep -q "control socket=$SOCK" "$WORK/daemon.log" || fail "the stale socket was not replaced"
ok "a stale socket is replaced"

# A second daemon on a live socket is refused.
set +e
LIBSEAT_BACKEND=noop "$DAEMON" -c "$WORK/layout.ini" --socket "$SOCK" >"$WORK/second.log" 2>&1
st=$?
set -e
[ $st -ne 0 ] && grep -q "another directflipd is listening" "$WORK/second.log" || fail "a live socket was not refused: $(cat "$WORK/second.log")"
ok "a live socket is refused"
kill -0 "$DAEMON_PID" || fail "the first daemon died"

"$INSPECT" "$DAEMON_PID" >"$WORK/before.json" || fail "lease-inspect failed"
expect_frac 1 $RED ">" 0.85 "vm1 before"
expect_frac 2 $BLUE ">" 0.85 "vm2 before"

$PY - "$SOCK" "$DAEMON_PID" <<'PY' || fail "bad-input cases failed"
import errno, json, os, socket, sys, time

SOCK, PID = sys.argv[1], int(sys.argv[2])
MAX_PACKET = 64 * 1024
cases = 0

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(SOCK)          # blocking: a full backlog waits, it does not fail
    s.settimeout(10)
    return s

def recv(s):
    msg, anc, flags, addr = s.recvmsg(MAX_PACKET + 1, socket.CMSG_SPACE(4 * 8))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            raise AssertionError("the daemon sent an fd with %r" % msg)
    return json.loads(msg) if msg else None

def request(s, obj):
    s.send(json.dumps(obj).encode())
    return recv(s)

def daemon_fds():
    return len(os.listdir("/proc/%d/fd" % PID))

def healthy(what):
    """The daemon is alive and a fresh client is served; counts a case."""
    global cases
    os.kill(PID, 0)
    c = connect()
    r = request(c, {"id": 1, "method": "list-leases"})
    c.close()
    assert "result" in r and len(r["result"]["leases"]) == 2, r
    cases += 1
    print("ok case %d: %s" % (cases, what), flush=True)

def expect_error(s, payload, code, text=None, want_id=None, what=""):
    s.send(payload)
    r = recv(s)
    assert r is not None, "%s: connection closed" % what
    assert "error" in r, "%s: %r" % (what, r)
    assert r["error"]["code"] == -code, "%s: %r" % (what, r)
    if text:
        assert text in r["error"]["message"], "%s: %r" % (what, r)
    assert r["id"] == want_id, "%s: id %r" % (what, r["id"])
    # Not abuse: the same connection is still served.
    assert "result" in request(s, {"id": 99, "method": "hello"}), what
    healthy("%s -> %s: %s" % (what, errno.errorcode[code], r["error"]["message"]))

def wait_clients(n):
    """Until the daemon has let go of every client but n (closes are async)."""
    deadline = time.time() + 10
    while True:
        c = connect()
        r = request(c, {"id": 1, "method": "status"})
        c.close()
        if "result" in r and r["result"]["clients"] <= n + 1:
            return
        assert time.time() < deadline, r
        time.sleep(0.05)

def expect_closed(s, what):
    s.settimeout(10)
    while True:
        try:
            r = recv(s)
        except ConnectionResetError:
            break
        if r is None:
            break
    s.close()

fds0 = daemon_fds()
other = connect()          # an innocent client that stays connected throughout
assert request(other, {"id": 1, "method": "hello", "params": {"version": 1}})["result"]["version"] == 1

s = connect()
expect_error(s, bytes(range(1, 256)) * 4, errno.EBADMSG, "not JSON", None, "garbage bytes")
expect_error(s, b'{"id":1,"method":"hel', errno.EBADMSG, "truncated", None, "truncated JSON")
expect_error(s, b'[1,2,3]', errno.EBADMSG, "not an object", None, "an array")
expect_error(s, b'{"id":1,"method":"hello"}\0tail', errno.EBADMSG, "NUL", None, "a NUL byte")
expect_error(s, b'{"id":1,"method":"\xc3\x28"}', errno.EBADMSG, None, None, "invalid UTF-8")
expect_error(s, b'{"id":1,"method":"x","params":{"a":' + b'[' * 100 + b']' * 100 + b'}}', errno.EBADMSG, None, None, "nesting 100 deep")
expect_error(s, b'{"id":"seven","method":"hello"}', errno.EPROTO, "id", None, "a string id")
expect_error(s, b'{"id":99999999999999999999,"method":"hello"}', errno.EPROTO, "id", None, "a huge id")
expect_error(s, b'{"id":3,"method":42}', errno.EPROTO, "method", 3, "a numeric method")
expect_error(s, b'{"id":4,"method":"bind","params":[1]}', errno.EPROTO, "params", 4, "params as an array")
expect_error(s, b'{"id":5,"method":"format-disk"}', errno.ENOSYS, "unknown method", 5, "an unknown method")
expect_error(s, b'{"id":6,"method":"bind","params":{"vm":1,"monitor":"left"}}', errno.EINVAL, '"vm" must be a string', 6, "a number for a string")
expect_error(s, b'{"id":7,"method":"bind","params":{"vm":"vm3","monitor":"left","planes":99}}', errno.EINVAL, "is 99", 7, "planes out of range")
expect_error(s, b'{"id":8,"method":"bind","params":{"vm":"vm3","monitor":"left","planes":"2"}}', errno.EINVAL, "integer", 8, "planes as a string")
expect_error(s, b'{"id":9,"method":"bind","params":{"vm":"vm3","monitor":"left","rm":"-rf"}}', errno.EINVAL, "unknown parameter", 9, "an unknown parameter")
expect_error(s, b'{"id":10,"method":"get-lease","params":{}}', errno.EINVAL, "missing", 10, "a missing parameter")
expect_error(s, b'{"id":11,"method":"get-lease","params":{"vm":"nope"}}', errno.ENOENT, "no vm named", 11, "an unknown vm")
expect_error(s, b'{"id":12,"method":"hello","params":{"version":99}}', errno.EPROTONOSUPPORT, "protocol version", 12, "a future protocol version")
expect_error(s, b'{"id":13,"result":{}}', errno.EPROTO, "requests", 13, "a reply sent to the daemon")
expect_error(s, b'{"event":"lease-granted","vm":"vm1"}', errno.EPROTO, "requests", None, "an event sent to the daemon")
expect_error(s, b'{"id":14,"method":"map-plane","params":{"vm":"vm3","plane":0,"source":"rm -rf /"}}', errno.EINVAL, "not fb:ID", 14, "a malformed source")

# Exactly the size limit is a message like any other.
pad = b'{"id":15,"method":"hello","params":{"pad":"' 
pad += b'x' * (MAX_PACKET - len(pad) - 3) + b'"}}'
assert len(pad) == MAX_PACKET
expect_error(s, pad, errno.EINVAL, "unknown parameter", 15, "a packet of exactly 64 KiB")

# One fd with a method that takes none: refused and closed, not kept.
r_fd, w_fd = os.pipe()
socket.send_fds(s, [b'{"id":16,"method":"status"}'], [r_fd])
os.close(r_fd)
r = recv(s)
assert r["error"]["code"] == -errno.EBADF and r["id"] == 16, r
os.close(w_fd)
healthy("an fd attached to status -> EBADF, closed")
s.close()

# Abuse: the connection is dropped, after an error that says why.
s = connect()
s.send(b'{"id":1,"method":"hello","params":{"pad":"' + b'x' * 70000 + b'"}}')
r = recv(s)
assert r["error"]["code"] == -errno.EMSGSIZE, r
expect_closed(s, "oversized")
healthy("an oversized packet (70 KB) -> EMSGSIZE, disconnected")

s = connect()
pipes = [os.pipe() for _ in range(50)]
fds = [fd for p in pipes for fd in p]
socket.send_fds(s, [b'{"id":1,"method":"status"}'], fds)
for fd in fds:
    os.close(fd)
r = recv(s)
assert r["error"]["code"] == -errno.EBADMSG and "file descriptors" in r["error"]["message"], r
expect_closed(s, "100 fds")
healthy("100 fds attached to one message -> EBADMSG, disconnected")

s = connect()
for i in range(8):
    s.send(b"garbage %d" % i)
expect_closed(s, "garbage repeated")
healthy("garbage 8 times in a row -> disconnected")

# Outstanding requests: a client that sends 70 requests with big replies
# before reading any gets EBUSY for those beyond the socket buffer plus 16,
# and keeps its connection. The pause lets the daemon read all 70 first:
# nothing outside the daemon can tell when it has.
s = connect()
for i in range(70):
    s.send(b'{"id":%d,"method":"list-monitors"}' % i)
time.sleep(3)
ok = busy = 0
for i in range(70):
    r = recv(s)
    assert r is not None and r["id"] == i, (i, r)
    if "result" in r:
        ok += 1
    else:
        assert r["error"]["code"] == -errno.EBUSY and "outstanding" in r["error"]["message"], r
        busy += 1
assert busy > 0 and ok >= 16, (ok, busy)
assert "result" in request(s, {"id": 100, "method": "hello"})
s.close()
healthy("70 requests before reading: %d answered, %d EBUSY, still connected" % (ok, busy))

# A client that sends and never reads is dropped once its queue is full.
s = connect()
s.setblocking(False)
sent = 0
deadline = time.time() + 20
closed = False
while time.time() < deadline and sent < 20000:
    try:
        s.send(b'{"id":%d,"method":"list-monitors"}' % sent)
        sent += 1
    except BlockingIOError:
        time.sleep(0.01)
    except (BrokenPipeError, ConnectionResetError):
        closed = True
        break
s.setblocking(True)
s.settimeout(10)
answered = 0
while True:
    try:
        r = recv(s)
    except ConnectionResetError:
        break
    if r is None:
        break
    answered += 1
s.close()
assert answered < sent, (sent, answered)
healthy("a client that never reads (%d sent, %d delivered) -> disconnected" % (sent, answered))

# A subscriber that never reads its events is dropped, not buffered forever.
sub = connect()
assert "result" in request(sub, {"id": 1, "method": "subscribe"})
admin = connect()
for i in range(600):
    r = request(admin, {"id": i, "method": "map-plane", "params": {"vm": "vm3", "plane": 0, "source": "fb:%d" % (100 + i % 2)}})
    assert "result" in r, r
admin.close()
drained = 0
try:
    while recv(sub) is not None:
        drained += 1
except ConnectionResetError:
    pass
sub.close()
assert drained < 600, drained
healthy("a subscriber that never reads 600 events -> disconnected after %d" % drained)

# Too many clients: the 65th is told so and closed; the others are fine.
wait_clients(1)
conns = [other] + [connect() for _ in range(63)]
extra = connect()
r = recv(extra)
assert r["error"]["code"] == -errno.EUSERS and "too many clients" in r["error"]["message"], r
extra.close()
for c in conns[1:]:
    c.close()
wait_clients(1)
healthy("a 65th client -> EUSERS: " + r["error"]["message"])

# Connect and close at once, many times.
for _ in range(200):
    connect().close()
healthy("200 connects closed at once")

# An idle client does not hold up others.
idle = connect()
healthy("an idle connected client")
idle.close()

assert request(other, {"id": 2, "method": "status"})["result"]["leased"] == 2
other.close()
wait_clients(0)
deadline = time.time() + 5
while daemon_fds() != fds0 and time.time() < deadline:
    time.sleep(0.05)
fds1 = daemon_fds()
assert fds1 == fds0, "daemon fds %d before, %d after" % (fds0, fds1)
print("ok: the daemon holds %d fds, as before" % fds1)
assert cases >= 20, cases
print("%d bad-input cases passed" % cases)
PY

# Per-uid limit for non-admins (who need a way to the socket first).
chmod 755 "$WORK" "$WORK/ctl"
setpriv --reuid 1234 --regid 1234 --clear-groups $PY - "$SOCK" <<'PY' || fail "per-uid limit"
import errno, json, socket, sys
conns = []
for i in range(16):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    conns.append(s)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(10)
s.connect(sys.argv[1])
r = json.loads(s.recv(65536))
assert r["error"]["code"] == -errno.EUSERS and "uid 1234" in r["error"]["message"], r
print("ok: 17th connection of uid 1234:", r["error"]["message"])
PY

kill -0 "$DAEMON_PID" || fail "the daemon died"
"$VA" --socket "$SOCK" status >/dev/null || fail "vgpu-assign cannot talk to the daemon afterwards"
"$INSPECT" "$DAEMON_PID" >"$WORK/after.json" || fail "lease-inspect failed"
$PY - "$WORK/before.json" "$WORK/after.json" <<'PY' || fail "the leases changed"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert sorted(a["lessees"]) == sorted(b["lessees"]), (a["lessees"], b["lessees"])
assert len(b["lessees"]) == 2
key = lambda l: (l["crtcs"], l["connectors"], l["planes"])
assert sorted(map(key, a["leases"])) == sorted(map(key, b["leases"])), (a, b)
print("same lessees:", b["lessees"])
PY
expect_frac 1 $RED ">" 0.85 "vm1 unchanged"
expect_frac 2 $BLUE ">" 0.85 "vm2 unchanged"
grep -q "disconnected: sent an oversized message" "$WORK/daemon.log" || fail "the drop was not logged"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS control-abuse"
