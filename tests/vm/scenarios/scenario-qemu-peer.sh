#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 14: what the QEMU side sends is untrusted. A fake QEMU (qemu-peer)
# serves directflip-qemu --qmp and plays good frames, each bad input the
# issue lists, and real dma-bufs (dumb buffers exported from the card: a
# SIMULATION of QEMU's gl=on side, which needs GL this VM lacks). After
# each step: the bridge is alive, logged the refusal, and head 1 still
# holds the last good frame, pixel for pixel, centred. Then the peer
# goes away and comes back: the bridge (--reconnect) shows the next
# "QEMU"'s picture. Last, bridges that must not start: a VM the daemon
# does not have (status 5) and a VM of another owner (status 6).
set -eu
. "$(dirname "$0")/../harness/lib.sh"

BRIDGE="$DF_BUILD/qemu/directflip-qemu"
PEER="$DF_BUILD/tests/vm/qemu-peer"
USER_=nobody
RUN="$WORK/run"
OUT="$WORK/peer"
mkdir -p "$OUT"
chmod 711 "$WORK"
mkdir -p "$RUN"
chown "$USER_" "$RUN"

# vm1 is shown by the bridge, its lessee: no source, no stand-in.
VM1_SOURCE=
VM1_KEYS="owner = $USER_
scaling = center"
two_vm_preamble
start_daemon_granted 2

# The peer reads its steps from a fifo and answers "done STEP" or "fail
# STEP: why" in peer.out. It runs as root: GETFB2 hands out handles only
# to root, and it reads the plane as a plain client would.
mkfifo "$WORK/peer.in"
"$PEER" --qmp "$RUN/qmp.sock" --out "$OUT" --connector Virtual-2 <"$WORK/peer.in" \
	>"$WORK/peer.out" 2>"$WORK/peer.log" &
CHILDREN="$CHILDREN $!"
exec 3>"$WORK/peer.in"
wait_for 20 grep -q '^listening' "$WORK/peer.out" || fail "the peer did not start: $(cat "$WORK/peer.log")"

setpriv --reuid="$(id -u $USER_)" --regid="$(id -g $USER_)" --clear-groups \
	"$BRIDGE" --vm vm1 --qmp "$RUN/qmp.sock" --reconnect >"$WORK/bridge.log" 2>&1 &
BRIDGE_PID=$!
CHILDREN="$CHILDREN $BRIDGE_PID"
wait_for 30 grep -q '^listener' "$WORK/peer.out" ||
	fail "the bridge registered no listener: $(cat "$WORK/bridge.log") / $(cat "$WORK/peer.log")"
ok "the bridge connected through QMP getfd + add_client and registered its listener"

bridge_fail() {
	echo "--- bridge log ---" >&2
	cat "$WORK/bridge.log" >&2
	echo "--- peer log ---" >&2
	cat "$WORK/peer.log" >&2
	fail "$@"
}

# peer_step STEP: one step of the peer's script, which must succeed.
# Steps repeat (good, restart): wait for this run's line, not an earlier one.
peer_results() {
	grep "^\(done\|fail\) $1\b" "$WORK/peer.out" || true
}
peer_finished() { # STEP N: the peer answered STEP N times
	[ "$(peer_results "$1" | wc -l)" -ge "$2" ]
}
peer_step() {
	_n=$(($(peer_results "$1" | wc -l) + 1))
	echo "$1" >&3
	wait_for 120 peer_finished "$1" "$_n" || bridge_fail "the peer never finished $1 (run $_n)"
	_r=$(peer_results "$1" | sed -n "${_n}p")
	case $_r in
	fail*) bridge_fail "peer: $_r" ;;
	esac
}

bridge_lines() {
	wc -l <"$WORK/bridge.log"
}

holds() { # REF WHAT
	_end=$(($(date +%s) + 20))
	until head_holds_ref "$1"; do
		[ "$(date +%s)" -lt "$_end" ] || bridge_fail "head 1: $2: $(cat "$WORK/centred.err")"
		sleep 0.3
	done
	ok "head 1: $2"
}
head_holds_ref() {
	_f="$WORK/head1-$(date +%s%N).ppm"
	"$VMCTL" screendump 1 "$_f" || return 1
	$IMG centred "$_f" "$1" 2>"$WORK/centred.err"
}

peer_step good
holds "$OUT/good.ppm" "the peer's 640x480 frame, pixel for pixel, centred"

# ---- the cursor on the leased cursor plane (qbench block) ----
# CursorDefine (24x20, hot spot 5,7) and MouseSet go on vm1's cursor
# plane, placed like the frame: the 640x480 frame is centred at 192,144
# of the 1024x768 mode, so surface point X,Y puts the cursor's top-left at
# 192+X-5, 144+Y-7. Read back from the kernel: plane-state for the
# plane's fb, CRTC and position; the peer maps its fb for the pixels.
PLANES="$DF_BUILD/tests/vm/plane-state"
CURSOR_PLANE=$(sed -n 's/.*action=lease-taken .* cursor=\([0-9]*\) .*/\1/p' "$WORK/bridge.log" | tail -n 1)
LEASE_CRTC=$(sed -n 's/.*action=lease-taken .* crtc=\([0-9]*\) .*/\1/p' "$WORK/bridge.log" | tail -n 1)
[ -n "$CURSOR_PLANE" ] && [ "$CURSOR_PLANE" != 0 ] || bridge_fail "vm1's lease has no cursor plane"
cursor_plane() { # prints "fb crtc x y w h" of vm1's cursor plane
	"$PLANES" | awk -v id="$CURSOR_PLANE" '$1 == "plane" && $2 == id {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["fb"], v["crtc"], v["x"], v["y"], v["w"], v["h"] }'
}
cursor_at() { # X Y: on vm1's CRTC at X,Y with a framebuffer of at least 24x20
	cursor_plane >"$WORK/cursor.txt"
	read -r _fb _crtc _x _y _w _h <"$WORK/cursor.txt"
	[ "$_fb" -gt 0 ] && [ "$_crtc" = "$LEASE_CRTC" ] && [ "$_x" = "$1" ] && [ "$_y" = "$2" ] &&
		[ "$_w" -ge 24 ] && [ "$_h" -ge 20 ]
}
expect_cursor_at() { # X Y WHAT
	wait_for 10 cursor_at "$1" "$2" ||
		bridge_fail "cursor plane $CURSOR_PLANE: $3: wanted crtc $LEASE_CRTC at $1,$2, got fb crtc x y w h = $(cat "$WORK/cursor.txt")"
	ok "cursor plane $CURSOR_PLANE: $3 (fb crtc x y w h = $(cat "$WORK/cursor.txt"))"
}
peer_step "cursor 100 50"
expect_cursor_at 287 187 "MouseSet 100,50 with hot spot 5,7, placed like the centred frame"
peer_step cursor-check
ok "the cursor plane's framebuffer holds CursorDefine's 24x20 ARGB image, transparent around it"
peer_step "cursor 300 200"
expect_cursor_at 487 337 "MouseSet 300,200: the cursor follows"
peer_step cursor-off
cursor_off() {
	cursor_plane >"$WORK/cursor.txt"
	read -r _fb _rest <"$WORK/cursor.txt"
	[ "$_fb" = 0 ]
}
wait_for 10 cursor_off || bridge_fail "MouseSet on=0: cursor plane $CURSOR_PLANE still shows: $(cat "$WORK/cursor.txt")"
ok "MouseSet on=0: the cursor plane is off"
holds "$OUT/good.ppm" "the frame itself unchanged by the cursor"
# ---- end of the cursor block ----

# Each bad input: refused with a log line; the bridge lives on; the good
# frame stays. The flood is legal traffic (the good frame's own corner):
# it must not pile up or change the picture, a log line is not required.
for bad in stride-short data-short size-zero size-huge format-unknown update-outside \
	memfd-dmabuf fourcc-unknown flood; do
	before=$(bridge_lines)
	peer_step $bad
	sleep 0.5
	kill -0 "$BRIDGE_PID" 2>/dev/null || bridge_fail "the bridge died on $bad"
	after=$(bridge_lines)
	if [ $bad != flood ] && [ "$after" -le "$before" ]; then
		bridge_fail "$bad: the bridge logged nothing"
	fi
	head_holds_ref "$OUT/good.ppm" || bridge_fail "after $bad head 1 lost the good frame: $(cat "$WORK/centred.err")"
	ok "$bad refused, the good frame stays: $(sed -n "$((before + 1))p" "$WORK/bridge.log")"
done
expect_frac 2 $BLUE ">" 0.85 "vm2 untouched by the bad input"

# dma-bufs (simulated gl=on): ten frames, each UpdateDMABUF answered only
# once the plane shows the buffer just sent (the peer checks the primary
# plane's framebuffer against its dma-buf's inode at each answer).
peer_step dmabuf
ok "ten UpdateDMABUF answers, each after the flip to the buffer sent"
holds "$OUT/dmabuf.ppm" "the dma-buf frame (top-down rows, y0_top = false), pixel for pixel"

# y0_top, both values (QEMU's source: y0_top true means the rows run
# bottom-up, docs/qemu.md). false was the step above, shown as sent.
# true: virtio-gpu's planes have no rotation property, so no reflect-y:
# refused with a log line (at most one a second: the peer sends ten),
# nothing else logged, and the last good frame stays.
before=$(bridge_lines)
peer_step dmabuf-bottom-up
sleep 0.5
head_holds_ref "$OUT/dmabuf.ppm" || bridge_fail "y0_top = true: the last frame did not stay: $(cat "$WORK/centred.err")"
sed -n "$((before + 1)),\$p" "$WORK/bridge.log" >"$WORK/bottom-up.log"
grep -q 'action=refuse msg=ScanoutDMABUF .*why="y0_top: the rows run bottom-up' "$WORK/bottom-up.log" ||
	bridge_fail "y0_top = true was not refused with its log line"
if grep -v 'why="y0_top: the rows run bottom-up' "$WORK/bottom-up.log" | grep -q .; then
	bridge_fail "y0_top = true: other lines than its refusal: $(cat "$WORK/bottom-up.log")"
fi
ok "y0_top = true refused (no reflect-y on virtio-gpu), the last frame stays: $(head -n 1 "$WORK/bottom-up.log")"

peer_step good
holds "$OUT/good.ppm" "pixels again after dma-bufs"
kill -0 "$BRIDGE_PID" || bridge_fail "the bridge died"
kill -0 "$DAEMON_PID" || fail "directflipd died"
expect_frac 2 $BLUE ">" 0.85 "vm2 untouched"

# --reconnect: this "QEMU" goes away (every connection closed) and the
# next one serves the same QMP socket. The bridge waits, keeps the last
# frame meanwhile (on-vm-exit = keep), and shows the next one's picture.
peer_step restart
wait_for 20 grep -q "action=qemu-gone.*--reconnect" "$WORK/bridge.log" ||
	bridge_fail "the bridge did not notice that QEMU went away"
kill -0 "$BRIDGE_PID" || bridge_fail "the bridge exited although --reconnect"
head_holds_ref "$OUT/good.ppm" || bridge_fail "while waiting for the next QEMU head 1 lost the last frame: $(cat "$WORK/centred.err")"
ok "QEMU gone: the bridge waits (--reconnect), head 1 keeps the last frame"
wait_for 30 test "$(grep -c '^listener' "$WORK/peer.out")" -ge 2 ||
	bridge_fail "the bridge did not register with the next QEMU"
peer_step other
holds "$OUT/other.ppm" "the next QEMU's picture, after --reconnect"

# Bridges that must not start, each with one line naming the VM: they
# talk to a fresh "QEMU" (restart) and then to the daemon.
kill "$BRIDGE_PID"
wait "$BRIDGE_PID" 2>/dev/null || true
refused() { # STATUS USER VM WHAT
	peer_step restart
	set +e
	setpriv --reuid="$(id -u "$2")" --regid="$(id -g "$2")" --clear-groups \
		"$BRIDGE" --vm "$3" --qmp "$RUN/qmp.sock" >"$WORK/refused.log" 2>&1
	rc=$?
	set -e
	[ "$rc" = "$1" ] || bridge_fail "$4: exit status $rc, wanted $1: $(cat "$WORK/refused.log")"
	[ "$(grep -c "action=exit" "$WORK/refused.log")" = 1 ] && grep "action=exit" "$WORK/refused.log" | grep -q "$3" ||
		bridge_fail "$4: not one exit line naming $3: $(cat "$WORK/refused.log")"
	ok "$4: status $rc, $(grep "action=exit" "$WORK/refused.log")"
}
refused 5 $USER_ nosuchvm "a VM the daemon does not have"
refused 6 daemon vm1 "vm1 run by a user who is not its owner"
kill -0 "$DAEMON_PID" || fail "directflipd died"
