#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 10, capability sockets: [vm.NAME] socket=yes gives the vm its own
# socket, /run/directflip/vm/NAME.sock. Its owner gets the lease through
# it; nothing administrative is served there, not even to root; a
# non-owner is refused at connect with a code and a message; only that
# vm's events arrive; a reload that drops socket=yes removes it.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

DEMO="$DF_BUILD/tests/vm/lessee-demo"
SOCK=/run/directflip/vm/vm1.sock
AS_OTHER="setpriv --reuid 1234 --regid 1234 --clear-groups"
AS_OWNER="setpriv --reuid 4321 --regid 4321 --clear-groups"

two_vm_preamble
# The shared layout; uid 4321 owns both VMs, vm2 is on no monitor.
layout() { # $1 = vm1's socket
	echo "[daemon]"
	ini socket-group 4000
	VM1_KEYS="owner = 4321
socket = $1"
	VM2_MONITOR=
	VM2_KEYS="owner = 4321"
	two_vm_layout
}
layout yes >"$WORK/layout.ini"
start_daemon_granted 1
wait_for 10 test -S "$SOCK" || fail "no socket at $SOCK"
grep -q "vm=vm1 socket=$SOCK" "$WORK/daemon.log" || fail "the daemon did not log vm1's socket"
[ ! -e /run/directflip/vm/vm2.sock ] || fail "vm2 has a socket without socket=yes"
ok "vm1 has its socket at $SOCK, vm2 has none"

# The owner takes the lease through vm1's socket and flips on it.
expect_status 0 "the owner gets vm1's lease through $SOCK" \
	$AS_OWNER "$VA" --socket "$SOCK" exec vm1 -- sh -c 'readlink /proc/self/fd/3'
grep -q "^/dev/dri/card" "$WORK/out" || fail "the owner's fd 3 is $(cat "$WORK/out")"
$AS_OWNER "$VA" --socket "$SOCK" exec vm1 -- "$DEMO" >"$WORK/demo.log" 2>&1 &
DEMO_PID=$!
CHILDREN="$CHILDREN $DEMO_PID"
wait_for 30 grep -q "frame 1" "$WORK/demo.log" || { cat "$WORK/demo.log"; fail "lessee-demo did not flip"; }
expect_frac 1 $GREEN ">" 0.85 "the owner's lessee-demo, leased through vm1's socket, on vm1's monitor"
kill -TERM "$DEMO_PID"
wait "$DEMO_PID" || fail "lessee-demo exited with status $?"

# The vm is implied: a raw get-lease without params works, another vm does not.
$AS_OWNER $PY - "$SOCK" <<'PY' || fail "raw get-lease on vm1's socket"
import json, socket, errno, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(json.dumps({"id": 1, "method": "get-lease"}).encode())
msg, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(4 * 4))
r = json.loads(msg)
assert r["id"] == 1 and r["result"]["vm"] == "vm1", r
assert anc and anc[0][1] == socket.SCM_RIGHTS, "no fd with the lease"
s.send(json.dumps({"id": 2, "method": "get-lease", "params": {"vm": "vm2"}}).encode())
r = json.loads(s.recv(65536))
assert r["id"] == 2 and r["error"]["code"] == -errno.EACCES, r
print("vm2 through vm1's socket:", r["error"]["message"])
s.send(json.dumps({"id": 3, "method": "hello"}).encode())
r = json.loads(s.recv(65536))["result"]
assert r["vm"] == "vm1" and sorted(r["methods"]) == ["get-lease", "hello", "subscribe", "take-lease"], r
print("hello lists:", r["methods"])
PY
ok "get-lease on vm1's socket: vm implied; vm2 refused with EACCES; hello lists 4 methods"

# Nothing administrative, whoever asks; the refusal says where to go.
for cmd in "bind vm1 right" "unbind vm1" "reload" "vms" "leases" "status"; do
	# shellcheck disable=SC2086
	expect_status 4 "root: $cmd on vm1's socket" "$VA" --socket "$SOCK" $cmd
	grep -q "is not served on vm vm1's socket $SOCK: it serves only get-lease, take-lease, subscribe and hello" "$WORK/err" ||
		fail "unclear refusal of $cmd: $(cat "$WORK/err")"
	grep -q "(EACCES)" "$WORK/err" || fail "the refusal of $cmd is not EACCES"
done
expect_status 4 "the owner: bind on vm1's socket" $AS_OWNER "$VA" --socket "$SOCK" bind vm1 right
"$VA" leases | grep -q "^vm1 .*Virtual-2" || fail "vm1's lease changed"
[ "$(log_count "action=lease-revoked")" -eq 0 ] || fail "a refused method revoked a lease"

# A non-owner is refused at connect, with a reason; it never gets to ask.
expect_status 4 "uid 1234: exec vm1 on vm1's socket" $AS_OTHER "$VA" --socket "$SOCK" exec vm1 -- true
grep -q "uid 1234 may not use vm vm1's socket: it belongs to owner 4321 (uid 4321)" "$WORK/err" ||
	fail "unclear refusal: $(cat "$WORK/err")"
grep -q "(EPERM)" "$WORK/err" || fail "the refusal is not EPERM"
$AS_OTHER $PY - "$SOCK" <<'PY' || fail "raw connect as uid 1234"
import json, socket, errno, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
r = json.loads(s.recv(65536))
assert r["id"] is None and r["error"]["code"] == -errno.EPERM, r
assert s.recv(65536) == b"", "the connection stayed open"
print("refused before asking:", r["error"]["message"])
PY
ok "a non-owner gets EPERM and a message, then the socket closes"

# Events: vm2's do not reach vm1's socket, vm1's do.
$AS_OWNER "$VA" --socket "$SOCK" watch --json --count 1 --timeout 60 >"$WORK/events" 2>"$WORK/watch.err" &
WATCH=$!
CHILDREN="$CHILDREN $WATCH"
wait_for 20 grep -q "^watching" "$WORK/watch.err" || fail "watch on vm1's socket did not start: $(cat "$WORK/watch.err")"
"$VA" bind vm2 right || fail "bind vm2 right failed"
wait_for 20 log_has_n "vm=vm2 .*action=lease-granted" 1 || fail "vm2 was not granted"
sleep 1
[ ! -s "$WORK/events" ] || fail "vm2's event reached vm1's socket: $(cat "$WORK/events")"
"$VA" unbind vm1 || fail "unbind vm1 failed"
wait "$WATCH" || fail "watch on vm1's socket: $(cat "$WORK/watch.err")"
grep -q '"lease-revoked"' "$WORK/events" && grep -q '"vm":"vm1"' "$WORK/events" ||
	fail "vm1's event: $(cat "$WORK/events")"
ok "vm1's socket carried vm1's lease-revoked and not vm2's lease-granted"

# The socket follows the layout.
layout no >"$WORK/layout.ini"
"$VA" reload || fail "reload failed"
wait_for 10 sh -c "! test -e $SOCK" || fail "$SOCK is still there after socket=no"
ok "a reload with socket=no removes $SOCK"
layout yes >"$WORK/layout.ini"
"$VA" reload || fail "reload failed"
wait_for 10 test -S "$SOCK" || fail "$SOCK is not back after socket=yes"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
[ ! -e "$SOCK" ] || fail "$SOCK is left after the daemon stopped"
ok "the daemon removes vm1's socket when it stops"
echo "PASS vm-socket"
