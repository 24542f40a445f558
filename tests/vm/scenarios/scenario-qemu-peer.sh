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
peer_step() {
	echo "$1" >&3
	wait_for 120 grep -q "^\(done\|fail\) $1\b" "$WORK/peer.out" || bridge_fail "the peer never finished $1"
	if grep -q "^fail $1\b" "$WORK/peer.out"; then
		bridge_fail "peer: $(grep "^fail $1\b" "$WORK/peer.out")"
	fi
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

# y0_top = true: GL's origin, rows bottom-up (QEMU's ui/gtk-egl.c flips
# when y0_top is false). Shown mirrored where the primary plane can
# reflect-y, otherwise refused with a log line and the frame stays.
before=$(bridge_lines)
peer_step dmabuf-bottom-up
sleep 0.5
if head_holds_ref "$OUT/dmabuf-bottom-up.ppm"; then
	ok "y0_top = true shown reflected, pixel for pixel"
else
	head_holds_ref "$OUT/dmabuf.ppm" || bridge_fail "y0_top = true: neither reflected nor the last frame kept: $(cat "$WORK/centred.err")"
	[ "$(bridge_lines)" -gt "$before" ] || bridge_fail "y0_top = true refused without a log line"
	ok "y0_top = true refused (no reflect-y on this plane), the last frame stays: $(sed -n "$((before + 1))p" "$WORK/bridge.log")"
fi

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
