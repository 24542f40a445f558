#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 9: a seat's keyboard and mouse follow the VM in focus. The
# "physical" devices are uinput devices made by input-check (a
# simulation); what reaches each VM is read back from its virtual devices.
set -eu
. "$(dirname "$0")/lib.sh"

VA="$DF_BUILD/cli/vgpu-assign"
CHECK="$DF_BUILD/tests/vm/input-check"
LINKS=/run/directflip/input

cat >"$WORK/layout.ini" <<INI
[vm.vm1]
source.0 = client
input = desk

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
before=$(readlink "$LINKS/vm1-keyboard") || fail "no vm1 keyboard link before reload"
"$VA" reload || fail "reload failed"
after=$(readlink "$LINKS/vm1-keyboard") || fail "no vm1 keyboard link after reload"
[ "$before" = "$after" ] || fail "vm1's keyboard changed on reload: $before -> $after"
"$VA" status | grep -q "^focus  *desk=vm1$" || fail "status after reload: $("$VA" status)"
ok "reload kept vm1's keyboard at $after; the focus is on vm1 again"
"$CHECK" reaches "$LINKS/vm1-keyboard" || fail "a keyboard plugged after the reload does not reach vm1"
ok "a keyboard plugged after the reload reaches vm1"

# The virtual devices go away with the daemon.
kill "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with $? on SIGTERM"
[ ! -e "$LINKS/vm1-keyboard" ] || fail "$LINKS/vm1-keyboard is left behind"
ok "links removed at exit"
