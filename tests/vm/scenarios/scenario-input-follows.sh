#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 9, optional part: focus follows the pointer across monitors laid
# out side by side. vm1's monitor is left of vm2's; the simulated mouse
# (input-check, a uinput stand-in for a real one) moves right and back.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

LINKS=/run/directflip/input
# Another layout: the VM has 2 outputs, so monitors on Virtual-1 and -2, side by side.
cat >"$WORK/layout.ini" <<INI
[monitor.left]
connector = Virtual-1
mode = 1024x768
position = 0,0

[monitor.right]
connector = Virtual-2
mode = 1024x768
position = 1024,0

[vm.vm1]
monitor = left
source.0 = client
input = desk

[vm.vm2]
monitor = right
source.0 = client
input = desk

[seat.desk]
monitors = left right
input = ID_INPUT_KEYBOARD=1
input = ID_INPUT_MOUSE=1
hotkey.next = ctrl+alt+right
focus-follows-pointer = yes
INI

start_daemon "$WORK/layout.ini"
wait_for 30 test -c "$LINKS/vm2-keyboard" || fail "no virtual keyboard for vm2"
"$DF_BUILD/tests/vm/input-check" follows "$LINKS/vm1-keyboard" "$LINKS/vm2-keyboard" ||
	fail "input-check follows failed"
grep -q "seat=desk focus=vm2 previous=vm1" "$WORK/daemon.log" || fail "no focus change logged"
ok "the daemon logged the focus changes"
