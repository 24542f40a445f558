#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark (not a pass/fail test): directflip-qemu's work per frame, and
# what -display dbus costs a stock QEMU. One boot, side by side.
# Runs in the VM: tests/vm/run -- tests/bench/qemu.sh
#   pixels  the test peer (tests/vm/qemu-peer, a fake QEMU) sends FRAMES
#           64x64 Updates at 60 fps (16 KiB damaged each)
#   dmabuf  the peer sends FRAMES ScanoutDMABUF + UpdateDMABUF pairs over
#           two PRIME-exported dumb buffers (a SIMULATION of gl=on),
#           each answered before the next, as QEMU waits
#   qemu    Debian's QEMU nested in this VM at SeaBIOS's boot menu (the
#           text cursor blinks), for SECONDS: with -display dbus and the
#           bridge, then with -display vnc and no client
# Per phase: directflipd's and the bridge's context switches (/proc/PID/
# status), the bridge's syscalls (strace -c, a second run), and its
# counters at exit (damaged and copied bytes, dma-buf imports).
# Prints one JSON object, also written to $DF_VM_SHARE/qemu.json.
set -eu
VM_DIR=$(cd "$(dirname "$0")/../vm" && pwd)
. "$VM_DIR/lib.sh"
. "$VM_DIR/nested-qemu.sh"
FRAMES=${DF_BENCH_FRAMES:-300}
SECONDS_=${DF_BENCH_SECONDS:-20}
BRIDGE="$DF_BUILD/qemu/directflip-qemu"
PEER="$DF_BUILD/tests/vm/qemu-peer"
USER_=nobody
RUN="$WORK/run"
owned_dir $USER_ "$RUN"
NESTED=$RUN

"$VMCTL" plug 1 1024 768 || fail "plug head 1"
cat >"$WORK/layout.ini" <<INI
[monitor.left]
connector = Virtual-2
[vm.vm1]
monitor = left
owner = $USER_
scaling = center
INI
start_daemon "$WORK/layout.ini"
wait_for 30 log_has_n "action=lease-granted" 1 || fail "vm1's lease was not granted"

ctx() { awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$1/status"; }
cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }
as_owner() { setpriv --reuid="$(id -u $USER_)" --regid="$(id -g $USER_)" --clear-groups "$@"; }

# peer_phase NAME STEP: a fresh peer and bridge; STEP counted, then again
# under strace; the bridge's counters at its exit. Prints JSON fields.
peer_phase() {
	rm -f "$WORK/peer.in" "$WORK/peer.out"
	mkfifo "$WORK/peer.in"
	"$PEER" --qmp "$RUN/qmp.sock" --out "$WORK" <"$WORK/peer.in" >"$WORK/peer.out" \
		2>"$WORK/peer-$1.log" &
	_peer=$!
	exec 3>"$WORK/peer.in"
	wait_for 20 grep -q '^listening' "$WORK/peer.out" || fail "$1: the peer did not start"
	as_owner "$BRIDGE" --vm vm1 --qmp "$RUN/qmp.sock" >"$WORK/bridge-$1.log" 2>&1 &
	_br=$!
	wait_for 30 grep -q '^listener' "$WORK/peer.out" || fail "$1: no listener"
	_go() {
		echo "$1" >&3
		wait_for 300 grep -q "^\(done\|fail\) $1\$" "$WORK/peer.out" || fail "peer: $1 never finished"
		! grep -q "^fail $1" "$WORK/peer.out" || fail "peer: $(grep "^fail" "$WORK/peer.out")"
	}
	_go good
	sleep 1
	_d0=$(ctx "$DAEMON_PID") _b0=$(ctx $_br) _c0=$(cpu_ns $_br)
	_go "$2"
	_d1=$(ctx "$DAEMON_PID") _b1=$(ctx $_br) _c1=$(cpu_ns $_br)
	strace -c -f -p $_br -o "$WORK/strace-$1.txt" 2>/dev/null &
	_st=$!
	wait_for 10 grep -q "TracerPid:[[:space:]]*[1-9]" "/proc/$_br/status" || fail "strace did not attach"
	_go "$2"
	kill -INT $_st
	wait $_st 2>/dev/null || true
	# strace -c's last line: "100.00 SECONDS USECS/CALL CALLS [ERRORS] total".
	_sys=$(awk '$NF == "total" { print $4 }' "$WORK/strace-$1.txt")
	kill -TERM $_br
	wait $_br 2>/dev/null || true
	exec 3>&-
	wait $_peer 2>/dev/null || true
	_cnt=$(grep "action=counters" "$WORK/bridge-$1.log" | tail -n 1)
	printf '"%s": {"frames": %s, "daemon_ctx": %s, "bridge_ctx": %s, "bridge_cpu_ns": %s, "bridge_syscalls": %s, "counters": "%s"}' \
		"$1" "$FRAMES" $((_d1 - _d0)) $((_b1 - _b0)) $((_c1 - _c0)) "${_sys:-0}" "${_cnt#*action=counters }"
}

pixels=$(peer_phase pixels "anim $FRAMES")
dmabuf=$(peer_phase dmabuf "dmabuf-anim $FRAMES")

# qemu_phase NAME DISPLAY [bridge]: QEMU's CPU over SECONDS at the menu.
qemu_phase() {
	nested_qemu_start $USER_ -display "$2"
	_br=
	if [ "${3:-}" = bridge ]; then
		as_owner "$BRIDGE" --vm vm1 >"$WORK/bridge-$1.log" 2>&1 &
		_br=$!
	fi
	nested_wait_text 180 "Press ESC for boot menu" >/dev/null
	$QMP "$NESTED/qmp.sock" key esc
	nested_wait_text 60 "Select boot device" >/dev/null
	sleep 2
	_q0=$(cpu_ns $QEMU_PID) _d0=$(ctx "$DAEMON_PID")
	sleep "$SECONDS_"
	_q1=$(cpu_ns $QEMU_PID) _d1=$(ctx "$DAEMON_PID")
	$QMP "$NESTED/qmp.sock" quit || true
	wait $QEMU_PID 2>/dev/null || true
	if [ -n "$_br" ]; then
		wait $_br 2>/dev/null || true
	fi
	printf '"%s": {"seconds": %s, "qemu_cpu_ns": %s, "daemon_ctx": %s, "bridge": "%s"}' "$1" "$SECONDS_" \
		$((_q1 - _q0)) $((_d1 - _d0)) \
		"$(grep "action=counters" "$WORK/bridge-$1.log" 2>/dev/null | tail -n 1 | sed 's/.*action=counters //')"
}
nested_bus $USER_
# Later -display options win over the helper's -display dbus.
qdbus=$(qemu_phase qemu_dbus dbus bridge)
qvnc=$(qemu_phase qemu_vnc "vnc=unix:$RUN/vnc.sock")

echo "{$pixels, $dmabuf, $qdbus, $qvnc}" | tee "$DF_VM_SHARE/qemu.json"
