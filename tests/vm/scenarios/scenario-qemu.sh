#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 14: a stock QEMU (Debian's, nested in the test VM under TCG) on a
# leased monitor through directflip-qemu. One boot of the nested VM serves
# the picture, input, hotplug and QEMU-killed (keep) checks; a second,
# short one the on-vm-exit = black check. vm2 (a stand-in) is checked
# untouched after each step.
set -eu
. "$(dirname "$0")/../harness/lib.sh"
. "$VM_DIR/harness/nested-qemu.sh"

BRIDGE="$DF_BUILD/qemu/directflip-qemu"
CHECK="$DF_BUILD/tests/vm/input-check"
USER_=nobody
T0=$(date +%s)
step() {
	echo "--- $* ($(($(date +%s) - T0)) s)"
}

# The bridge, QEMU and their bus run as the VM's owner, not root.
RUN="$WORK/run"
owned_dir $USER_ "$RUN"
NESTED=$RUN

# vm1 is shown by the bridge, its lessee: no source, no stand-in; the
# seat's keyboard goes to it.
VM1_SOURCE=
two_vm_preamble
layout() { # $1 = vm1's on-vm-exit
	VM1_KEYS="owner = $USER_
scaling = center
on-vm-exit = $1
input = desk"
	two_vm_layout
	echo "[seat.desk]"
	ini input ID_INPUT_KEYBOARD=1
}
layout keep >"$WORK/layout.ini"
start_daemon_granted 2

nested_bus $USER_
nested_qemu_start $USER_
nested_wait_bus $USER_

start_bridge() {
	# Not through a shell function: $! would be the subshell running it,
	# not the bridge.
	setpriv --reuid="$(id -u $USER_)" --regid="$(id -g $USER_)" --clear-groups \
		"$BRIDGE" --vm vm1 >"$WORK/bridge.log" 2>&1 &
	BRIDGE_PID=$!
	CHILDREN="$CHILDREN $BRIDGE_PID"
}
start_bridge

# head_is_qemu SECONDS WHAT: head 1 holds, in its centre, exactly what
# QEMU's own screendump shows (both taken on each try: the cursor blinks).
head_is_qemu() {
	_end=$(($(date +%s) + $1))
	while :; do
		head_is_nested 1 "$RUN/qemu.ppm" && break
		[ "$(date +%s)" -lt "$_end" ] || {
			cat "$WORK/bridge.log" >&2
			fail "head 1: $2: $(cat "$WORK/centred.err")"
		}
		sleep 0.5
	done
	ok "head 1: $2 ($($IMG size "$RUN/qemu.ppm" | tr ' ' x) from QEMU's own screendump, pixel for pixel, centred)"
}
vm2_untouched() {
	expect_frac 2 $BLUE ">" 0.85 "vm2 untouched ($1)"
}

step picture
nested_wait_text 120 "Press ESC for boot menu"
# Each comparison holds a still picture (nested_still): the text cursor
# blinks every 266 ms and a dump takes seconds on a loaded host, so a
# running VM's dumps and head 1's can each catch another phase.
nested_still
head_is_qemu 30 "SeaBIOS's \"Press ESC for boot menu.\""
[ "$($IMG size "$RUN/qemu.ppm")" = "720 400" ] || fail "QEMU's screen is $($IMG size "$RUN/qemu.ppm"), not 720x400"
vm2_untouched "picture"
nested_go

step input
"$CHECK" tap /run/directflip/input/vm1-keyboard esc || fail "ESC on the seat did not reach vm1's keyboard"
wait_for 30 nested_text_has "Select boot device" ||
	fail "ESC pressed on the seat never reached the nested VM: $(nested_text); bridge: $(cat "$WORK/bridge.log")"
ok "ESC on the seat's keyboard reached SeaBIOS through directflipd and the bridge"
nested_still
head_is_qemu 30 "SeaBIOS's boot menu"
vm2_untouched "input"

step hotplug
# A still picture, so that the one change made after the replug is the
# only Update QEMU sends: a frame that outlived the bridge (with keep, the
# lease file the daemon holds keeps its framebuffers) cannot pass for the
# bridge's work.
nested_still
nested_screendump "$RUN/still.ppm"
granted=$(log_count "vm=vm1.*action=lease-granted")
"$VMCTL" unplug 1 || fail "unplug head 1"
"$VMCTL" plug 1 1024 768 || fail "replug head 1"
wait_for 30 log_has_n "vm=vm1.*action=lease-granted" $((granted + 1)) || fail "vm1's lease was not granted again"
expect_head_holds 30 1 "$RUN/still.ppm" "the picture came back after unplug and replug, nobody acting"
# The text scrolled up a row (CRTC start address, 80 characters): QEMU
# redraws the whole screen and only a live bridge can show it.
nested_crtc 0x0d 0x50 || fail "scrolling the nested VM's text failed"
nested_screendump "$RUN/scrolled.ppm"
! cmp -s "$RUN/still.ppm" "$RUN/scrolled.ppm" || fail "scrolling did not change QEMU's picture"
expect_head_holds 30 1 "$RUN/scrolled.ppm" "the bridge shows QEMU's next frame on the new lease (the text scrolled a row)"
nested_crtc 0x0d 0x00 || fail "scrolling the nested VM's text back failed"
nested_go
kill -0 "$BRIDGE_PID" || fail "the bridge exited on hotplug: $(cat "$WORK/bridge.log")"
vm2_untouched "hotplug"

step "QEMU killed (on-vm-exit = keep)"
# QEMU's own pictures over about 2 s, for both phases of the blinking
# text cursor: the frame kept is one of them.
for i in 1 2 3 4 5 6; do
	nested_screendump "$RUN/last$i.ppm"
done
kill -9 "$QEMU_PID"
wait_for 20 sh -c "! kill -0 $BRIDGE_PID" || fail "the bridge did not exit after QEMU was killed"
set +e
wait "$BRIDGE_PID"
rc=$?
set -e
[ "$rc" = 7 ] || fail "the bridge exited with $rc, wanted 7 (QEMU went away): $(cat "$WORK/bridge.log")"
ok "the bridge exited with 7: $(tail -n 1 "$WORK/bridge.log")"
sleep 1
kept() {
	"$VMCTL" screendump 1 "$WORK/kept.ppm" || return 1
	for i in 1 2 3 4 5 6; do
		$IMG centred "$WORK/kept.ppm" "$RUN/last$i.ppm" 2>"$WORK/centred.err" && return 0
	done
	return 1
}
kept || fail "head 1 did not keep the last frame: $(cat "$WORK/centred.err")"
sleep 1
kept || fail "head 1's kept frame changed: $(cat "$WORK/centred.err")"
ok "head 1 keeps QEMU's last frame"
kill -0 "$DAEMON_PID" || fail "directflipd died"
vm2_untouched "QEMU killed"

step "QEMU killed (on-vm-exit = black)"
layout black >"$WORK/layout.ini"
kill -HUP "$DAEMON_PID"
wait_for 30 grep -q "reload" "$WORK/daemon.log" || true
nested_qemu_start $USER_
nested_wait_bus $USER_
start_bridge
# A full screen of text on head 1 first: a first, sparse frame kept
# (a cursor cell) would pass for black at 0.999.
nested_wait_text 120 "Press ESC for boot menu"
nested_still
head_is_qemu 30 "a second QEMU's \"Press ESC for boot menu.\""
kill -9 "$QEMU_PID"
wait_for 20 sh -c "! kill -0 $BRIDGE_PID" || fail "the bridge did not exit after the second QEMU was killed"
expect_frac 1 000000 ">" 0.999 "black after QEMU was killed with on-vm-exit = black"
kill -0 "$DAEMON_PID" || fail "directflipd died"
vm2_untouched "the second QEMU killed"
step done
