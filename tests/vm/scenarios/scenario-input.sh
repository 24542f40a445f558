#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 9: a seat's keyboard and mouse follow the VM in focus. The
# "physical" devices are uinput devices made by input-check (a
# simulation); what reaches each VM is read back from its virtual devices.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

CHECK="$DF_BUILD/tests/vm/input-check"
PEER="$DF_BUILD/tests/vm/qemu-input-peer"
LINKS=/run/directflip/input

# Another layout: only input is checked, so two VMs on no monitor, one seat.
cat >"$WORK/layout.ini" <<INI
[vm.vm1]
source.0 = client
input = desk
owner = 4321

[vm.vm2]
source.0 = client
input = desk

[seat.desk]
input = ID_INPUT_KEYBOARD=1
input = ID_INPUT_MOUSE=1
hotkey.next = ctrl+alt+right
hotkey.release = ctrl+alt+f12
hotkey.focus.vm1 = ctrl+alt+1
INI

# The umask of the systemd unit (UMask=0077): the links must still be
# reachable by a VMM that is not root.
umask 077
start_daemon "$WORK/layout.ini"
umask 022
wait_for 30 test -S /run/directflip/control || fail "no control socket"
for vm in vm1 vm2; do
	for kind in keyboard pointer tablet; do
		wait_for 10 test -c "$LINKS/$vm-$kind" || fail "no $LINKS/$vm-$kind"
	done
done
ok "virtual devices linked in $LINKS: $(ls "$LINKS" | tr '\n' ' ')"
setpriv --reuid=65534 --regid=65534 --clear-groups test -L "$LINKS/vm1-keyboard" ||
	fail "a non-root user cannot reach $LINKS/vm1-keyboard (directory mode $(stat -c %a "$LINKS"))"
ok "a non-root user reaches the links under umask 077 (directory mode $(stat -c %a "$LINKS"))"

# owner= reaches the device nodes (a POSIX ACL entry): vm1's owner opens
# them, another user does not, and vm2 (no owner) stays root's and group
# input's.
opens() { # uid node
	setpriv --reuid="$1" --regid="$1" --clear-groups sh -c 'exec 3<"$1"' - "$2" 2>/dev/null
}
for kind in keyboard pointer tablet; do
	opens 4321 "$LINKS/vm1-$kind" ||
		fail "vm1's owner (uid 4321) cannot open $LINKS/vm1-$kind ($(stat -L -c '%U:%G %a' "$LINKS/vm1-$kind"))"
	! opens 65534 "$LINKS/vm1-$kind" || fail "nobody opens $LINKS/vm1-$kind"
	! opens 4321 "$LINKS/vm2-$kind" || fail "vm1's owner opens vm2's $LINKS/vm2-$kind"
done
stat -L -c '%G %a' "$LINKS/vm2-keyboard" | grep -qx "input 660" ||
	fail "vm2's keyboard is not input 660: $(stat -L -c '%U:%G %a' "$LINKS/vm2-keyboard")"
ok "vm1's owner (uid 4321) opens vm1's three nodes; nobody does not, nor does 4321 open vm2's"

"$VA" status >"$WORK/status" || fail "vgpu-assign status failed"
grep -q "^focus  *desk=vm1$" "$WORK/status" || fail "status does not show desk=vm1: $(cat "$WORK/status")"
ok "status: $(grep ^focus "$WORK/status")"
"$VA" vms --json | $PY -c '
import json, os, sys
v = {x["name"]: x for x in json.load(sys.stdin)["vms"]}
for name in ("vm1", "vm2"):
    i = v[name]["input"]
    assert i["seat"] == "desk", i
    for kind in ("keyboard", "pointer", "tablet"):
        assert os.path.realpath(i[kind]["link"]) == i[kind]["device"], i
assert v["vm1"]["input"]["focused"] and not v["vm2"]["input"]["focused"], v
' || fail "vms --json does not report the input devices"
"$VA" vms | grep -q "^vm1 input: seat desk (focused), keyboard $LINKS/vm1-keyboard" ||
	fail "vms does not show vm1's input devices: $("$VA" vms)"
ok "vms reports each VM's device links"

"$VA" watch --json --count 3 --timeout 120 >"$WORK/events.json" 2>"$WORK/watch.err" &
WATCH=$!
CHILDREN="$CHILDREN $WATCH"
wait_for 10 grep -q watching "$WORK/watch.err" || fail "the watcher did not subscribe"

"$CHECK" scenario "$LINKS/vm1-keyboard" "$LINKS/vm1-pointer" "$LINKS/vm2-keyboard" \
	"$LINKS/vm2-pointer" || fail "input-check scenario failed"

wait "$WATCH" || fail "watch: status $? ($(cat "$WORK/watch.err"))"
$PY - "$WORK/events.json" <<'PY' || fail "wrong focus events: $(cat "$WORK/events.json")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
got = [(e["event"], e["seat"], e["vm"], e["previous"]) for e in ev]
assert got == [("focus-changed", "desk", "vm2", "vm1"),
               ("focus-changed", "desk", "vm1", "vm2"),
               ("focus-changed", "desk", None, "vm1")], got
PY
ok "focus-changed events: vm2, vm1, host"
"$VA" status | grep -q "^focus  *desk=host$" || fail "status does not show desk=host"
ok "status shows the host has the seat"
grep -q "seat=desk device added: df-test physical keyboard" "$WORK/daemon.log" ||
	fail "the daemon did not log the keyboard"

# A reload keeps the VMs' virtual devices (a VMM holds them open) and
# gives the focus to the first VM again.
# The reload also hands vm1 to another owner: access follows owner=.
before=$(readlink "$LINKS/vm1-keyboard") || fail "no vm1 keyboard link before reload"
sed -i 's/^owner = 4321$/owner = 4322/' "$WORK/layout.ini"
"$VA" reload || fail "reload failed"
after=$(readlink "$LINKS/vm1-keyboard") || fail "no vm1 keyboard link after reload"
[ "$before" = "$after" ] || fail "vm1's keyboard changed on reload: $before -> $after"
"$VA" status | grep -q "^focus  *desk=vm1$" || fail "status after reload: $("$VA" status)"
ok "reload kept vm1's keyboard at $after; the focus is on vm1 again"
opens 4322 "$LINKS/vm1-keyboard" || fail "vm1's new owner (uid 4322) cannot open its keyboard"
! opens 4321 "$LINKS/vm1-keyboard" || fail "vm1's old owner (uid 4321) still opens its keyboard"
ok "after owner = 4322 and a reload: 4322 opens vm1's keyboard, 4321 no longer does"
"$CHECK" reaches "$LINKS/vm1-keyboard" || fail "a keyboard plugged after the reload does not reach vm1"
ok "a keyboard plugged after the reload reaches vm1"

# directflip-qemu's input half (qemu/input.c) against a fake QEMU console:
# qemu-input-peer serves org.qemu.Display1.Keyboard and Mouse on a p2p
# connection (a simulation of QEMU's side) and prints each call. It runs as
# vm1's owner, and its mouse is relative like QEMU 7.2's with a PS/2 mouse.
setpriv --reuid=4322 --regid=4322 --clear-groups "$PEER" --relative-mouse "$LINKS" vm1 \
	>>"$WORK/peer.out" 2>"$WORK/peer.err" &
PEER_PID=$!
CHILDREN="$CHILDREN $PEER_PID"
wait_for 10 grep -q "action=input-open device=tablet" "$WORK/peer.err" ||
	fail "the peer does not read vm1's devices: $(cat "$WORK/peer.err")"
"$CHECK" reaches "$LINKS/vm1-keyboard" || fail "a key through the seat does not reach vm1"
wait_for 10 grep -q "^Keyboard.Release 0x2c$" "$WORK/peer.out" ||
	fail "KEY_Z through the seat did not reach the console as qnum 0x2c: $(cat "$WORK/peer.out")"
grep -q "^Keyboard.Press 0x2c$" "$WORK/peer.out" || fail "no Keyboard.Press 0x2c: $(cat "$WORK/peer.out")"
ok "KEY_Z typed on the seat reached the console as Keyboard.Press/Release 0x2c"
: >"$WORK/peer.out"
# Frames written straight into vm1's nodes (root may): keypad Enter, motion
# in two frames, the right button, a wheel notch down, a tablet position.
inject() { # node type code value ...: one frame
	$PY - "$LINKS/vm1-$1" "$@" <<'PY' || fail "cannot write into vm1's $1"
import os, struct, sys
a = [int(x) for x in sys.argv[3:]]
ev = [struct.pack("qqHHi", 0, 0, *a[i:i + 3]) for i in range(0, len(a), 3)]
fd = os.open(sys.argv[1], os.O_WRONLY)
os.write(fd, b"".join(ev) + struct.pack("qqHHi", 0, 0, 0, 0, 0))
PY
	sleep 0.2
}
inject keyboard 1 96 1
inject keyboard 1 96 0
inject pointer 2 0 5 2 1 -3
inject pointer 2 0 2
inject pointer 1 273 1
inject pointer 1 273 0
inject pointer 2 8 -1
inject tablet 3 0 16384 3 1 32767
wait_for 10 grep -q "action=abs-refused" "$WORK/peer.err" ||
	fail "the bridge did not take QEMU's refusal of SetAbsPosition: $(cat "$WORK/peer.err")"
inject tablet 3 0 0 3 1 0
wait_for 10 grep -q "RelMotion -359" "$WORK/peer.out" || true
$PY - "$WORK/peer.out" <<'PY' || fail "wrong calls at the console: $(cat "$WORK/peer.out")"
import sys
got = open(sys.argv[1]).read().split("\n")[:-1]
want = ["Keyboard.Press 0x9c", "Keyboard.Release 0x9c",
        "Mouse.RelMotion 5 -3", "Mouse.RelMotion 2 0",
        "Mouse.Press 2", "Mouse.Release 2", "Mouse.Press 4", "Mouse.Release 4",
        "Mouse.SetAbsPosition 359 399 (refused)", "Mouse.RelMotion -359 -399"]
assert got == want, got
PY
ok "keypad Enter 0x9c, motion per frame, right button 2, wheel down 4, tablet at 720x400 then relative after QEMU refused it"

# The virtual devices go away with the daemon.
kill "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with $? on SIGTERM"
[ ! -e "$LINKS/vm1-keyboard" ] || fail "$LINKS/vm1-keyboard is left behind"
ok "links removed at exit"
wait_for 10 grep -q "action=input-lost device=keyboard path=$LINKS/vm1-keyboard why=\"gone\"" "$WORK/peer.err" ||
	fail "the peer did not see vm1's keyboard go: $(cat "$WORK/peer.err")"
ok "the bridge saw vm1's devices go and looks for them again"
