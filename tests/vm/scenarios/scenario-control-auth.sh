#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 4: get-lease goes only to the vm's owner or an admin (root or the
# socket group); others get EPERM with a message that says why; changes
# need an admin; anyone may list.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

# uid 1234: nobody in particular; uid 4321 owns vm1; gid 4000 is the admin group.
AS_OTHER="setpriv --reuid 1234 --regid 1234 --clear-groups"
AS_OWNER="setpriv --reuid 4321 --regid 4321 --clear-groups"
AS_GROUP="setpriv --reuid 1234 --regid 1234 --groups 4000"

# One VM on a monitor is enough, and vm2 with no owner and no monitor.
plug_heads 1
start_standin vm1 $RED --size 1024x768
{
	echo "[daemon]"
	ini socket-group 4000
	VM1_KEYS="owner = 4321"
	one_vm_layout
	echo "[vm.vm2]"
} >"$WORK/layout.ini"
start_daemon_granted 1
[ "$(stat -c %a /run/directflip/control)" = 666 ] || fail "socket mode $(stat -c %a /run/directflip/control)"
[ "$(stat -c %g /run/directflip/control)" = 4000 ] || fail "socket group $(stat -c %g /run/directflip/control)"
ok "socket mode 666, group 4000"

expect_status 4 "uid 1234 asks for vm1's lease" $AS_OTHER "$VA" exec vm1 -- true
grep -q "uid 1234 may not take vm vm1's lease: it belongs to owner 4321 (uid 4321)" "$WORK/err" ||
	fail "the refusal does not say why: $(cat "$WORK/err")"
grep -q "(EPERM)" "$WORK/err" || fail "the refusal is not EPERM"
grep -q "action=lease-fd-sent" "$WORK/daemon.log" && fail "an fd went out to uid 1234"

expect_status 4 "uid 1234 asks for vm2's lease (no owner)" $AS_OTHER "$VA" exec vm2 -- true
grep -q "no owner= in the layout, so only administrators (root or group 4000)" "$WORK/err" ||
	fail "unclear refusal: $(cat "$WORK/err")"

# The same refusal through the library's plain call, as a VMM sees it.
$AS_OTHER $PY - <<'PY' || fail "raw get-lease as uid 1234 was not EPERM"
import json, socket, errno
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect("/run/directflip/control")
s.send(json.dumps({"id": 1, "method": "get-lease", "params": {"vm": "vm1"}}).encode())
msg, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(4 * 4))
r = json.loads(msg)
assert r["id"] == 1 and r["error"]["code"] == -errno.EPERM, r
assert not anc, "an fd came with the refusal"
print("raw refusal:", r["error"]["message"])
PY

expect_status 0 "the owner (uid 4321) gets vm1's lease" $AS_OWNER "$VA" exec vm1 -- sh -c 'readlink /proc/self/fd/3'
grep -q "^/dev/dri/card" "$WORK/out" || fail "the owner's fd 3 is $(cat "$WORK/out")"
expect_status 0 "root (admin) gets vm1's lease" "$VA" exec vm1 -- sh -c 'readlink /proc/self/fd/3'
expect_status 0 "a member of group 4000 (admin) gets vm1's lease" $AS_GROUP "$VA" exec vm1 -- sh -c 'readlink /proc/self/fd/3'
grep -q "^/dev/dri/card" "$WORK/out" || fail "the group member's fd 3 is $(cat "$WORK/out")"
[ "$(grep -c "action=lease-fd-sent" "$WORK/daemon.log")" -eq 3 ] || fail "lease fds sent: $(grep -c "action=lease-fd-sent" "$WORK/daemon.log"), wanted 3"

# Changes need an admin; the owner of a vm is not one.
expect_status 4 "uid 1234 may not bind" $AS_OTHER "$VA" bind vm2 left
grep -q "bind needs an administrator: root or a member of group 4000 (this is uid 1234)" "$WORK/err" ||
	fail "unclear refusal: $(cat "$WORK/err")"
expect_status 4 "the owner may not unbind" $AS_OWNER "$VA" unbind vm1
expect_status 4 "uid 1234 may not reload" $AS_OTHER "$VA" reload
expect_status 0 "uid 1234 may list vms" $AS_OTHER "$VA" vms
expect_status 0 "uid 1234 may list leases" $AS_OTHER "$VA" leases --json
expect_status 0 "uid 1234 may read the status" $AS_OTHER "$VA" status

# None of that touched the lease or the picture.
"$VA" leases | grep -q "^vm1 .*Virtual-2" || fail "vm1's lease changed"
expect_frac 1 $RED ">" 0.85 "vm1 still shown"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"

# Socket activation: the listening socket comes from the service manager
# (named "control"); the daemon starts on the first connection, uses that
# socket, and leaves the file to its owner at exit.
mkdir -p "$WORK/act"
systemd-socket-activate --seqpacket -l "$WORK/act/control" --fdname=control \
	-E LIBSEAT_BACKEND=noop "$DAEMON" -c "$WORK/layout.ini" --socket "$WORK/act/control" \
	>"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
CHILDREN="$CHILDREN $DAEMON_PID"
wait_for 10 test -S "$WORK/act/control" || fail "systemd-socket-activate did not listen"
"$VA" --socket "$WORK/act/control" status >"$WORK/out" || fail "no answer through the activated socket"
grep -q "control socket=$WORK/act/control (socket activation)" "$WORK/daemon.log" ||
	fail "the daemon did not take the activated socket"
ok "socket activation: $(grep "control socket=" "$WORK/daemon.log")"
wait_for 30 log_has_n "action=lease-granted" 1 || fail "no lease under socket activation"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
test -S "$WORK/act/control" || fail "the daemon removed a socket it did not create"
ok "the activated socket file is left to its owner"
echo "PASS control-auth"
