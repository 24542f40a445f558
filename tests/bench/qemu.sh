#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark (not a pass/fail test): directflip-qemu's work per frame, and
# what -display dbus with the bridge costs a stock QEMU. One boot, one
# monitor (Virtual-2, 1024x768), vm1 leased to the bridge, side by side:
#   pixels  the test peer (tests/vm/tools/qemu-peer.c, a fake QEMU on the bridge's
#           --qmp p2p connection) sends FRAMES 64x64 Updates at 60 fps, a
#           block moving 8 right and 4 down each frame (16 KiB damaged)
#   dmabuf  the peer sends FRAMES ScanoutDMABUF + UpdateDMABUF pairs over
#           two PRIME-exported dumb buffers, each answered before the next
#           as QEMU waits (a SIMULATION of QEMU's gl=on side)
#   idle    the same bridge and peer, no frames, for as long as pixels took
#   qemu    Debian's stock QEMU 7.2 nested in this VM at SeaBIOS's boot
#           menu (its text cursor blinks), for SECONDS: with -display dbus
#           and the bridge, then the same guest with -display none -vnc
#           and no VNC client
# Counters: context switches of every thread (/proc/PID/task/*/status),
# CPU (/proc/PID/stat utime+stime, all threads, 10 ms ticks), the bridge's
# syscalls (strace -c -f, a second run of the same frames), and the
# bridge's own counters (SIGUSR1: commits, damaged, copied, catch-up bytes).
# Prints one JSON object, also written to $DF_VM_SHARE/qemu.json.
# Every wait is bounded: a hang ends the run with a FAIL line, not silence.
set -eu
VM_DIR=$(cd "$(dirname "$0")/../vm" && pwd)
. "$VM_DIR/harness/lib.sh"
. "$VM_DIR/harness/nested-qemu.sh"
FRAMES=${DF_BENCH_FRAMES:-300}
SECONDS_=${DF_BENCH_SECONDS:-20}
BRIDGE="$DF_BUILD/qemu/directflip-qemu"
PEER="$DF_BUILD/tests/vm/qemu-peer"
USER_=nobody
RUN="$WORK/run"
owned_dir $USER_ "$RUN"
NESTED=$RUN
RES="$WORK/res"
mkdir -p "$RES"
say() { echo "bench: $*" >&2; }

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

ctx() { cat /proc/"$1"/task/*/status | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Not a shell function: started in the background, a function runs in a
# forked shell and $! would be that shell's pid, not the bridge's.
AS_OWNER="setpriv --reuid=$(id -u $USER_) --regid=$(id -g $USER_) --clear-groups"
# fail, with the bridge's, the peer's and QEMU's logs.
lib_fail() {
	for _f in "$WORK"/bridge-*.log "$WORK/peer.log" "$NESTED/qemu.log"; do
		[ -f "$_f" ] && { echo "--- $_f (end) ---"; tail -n 30 "$_f"; } >&2
	done
	fail "$@"
}

# stop PID: TERM, then KILL after 10 s; never waits longer.
stop() {
	kill -TERM "$1" 2>/dev/null || return 0
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# counters PID LOG NAME: the bridge's counters now, as "key=value ..." in $RES/NAME.
counters() {
	_n=$(grep -c "action=counters" "$2" || true)
	kill -USR1 "$1"
	wait_for 10 log_lines_ge "$2" "action=counters" $((_n + 1)) || lib_fail "the bridge printed no counters"
	grep "action=counters" "$2" | tail -n 1 | sed 's/.*action=counters //' >"$RES/$3"
}
log_lines_ge() { [ "$(grep -c "$2" "$1" || true)" -ge "$3" ]; }

strace_on() { # PID NAME
	strace -c -f -p "$1" -o "$RES/strace-$2.txt" 2>"$RES/strace-$2.err" 3>&- &
	ST=$!
	wait_for 10 grep -q "TracerPid:[[:space:]]*[1-9]" "/proc/$1/status" || lib_fail "strace did not attach"
}
strace_off() { # NAME: prints the total syscalls
	kill -INT "$ST" 2>/dev/null || true
	wait_for 20 sh -c "! kill -0 $ST" || kill -KILL "$ST" 2>/dev/null || true
	wait "$ST" 2>/dev/null || true
	awk '$NF == "total" { print (NF >= 5 ? $4 : $3) }' "$RES/strace-$1.txt" | grep . || echo 0
}

# ---- the bridge against the test peer: pixels, then dma-bufs ----------------

mkfifo "$WORK/peer.in"
"$PEER" --qmp "$RUN/qmp.sock" --out "$WORK" --connector Virtual-2 <"$WORK/peer.in" \
	>"$WORK/peer.out" 2>"$WORK/peer.log" &
PEER_PID=$!
CHILDREN="$CHILDREN $PEER_PID"
exec 3>"$WORK/peer.in"
wait_for 20 grep -q '^listening' "$WORK/peer.out" || lib_fail "the peer did not start: $(cat "$WORK/peer.log")"
$AS_OWNER "$BRIDGE" --vm vm1 --qmp "$RUN/qmp.sock" >"$WORK/bridge-peer.log" 2>&1 3>&- &
BR=$!
CHILDREN="$CHILDREN $BR"
wait_for 30 grep -q '^listener' "$WORK/peer.out" || lib_fail "no listener: $(cat "$WORK/bridge-peer.log")"

# go STEP: one peer step, which must succeed within 300 s. Steps repeat,
# so the answer looked for is the one after those already there.
answers() { grep -c "^\(done\|fail\) $1\$" "$WORK/peer.out" || true; }
answered() { [ "$(answers "$1")" -gt "$2" ]; }
go() {
	_seen=$(answers "$1")
	echo "$1" >&3
	wait_for 300 answered "$1" "$_seen" ||
		lib_fail "peer: '$1' never finished: $(tail -n 5 "$WORK/peer.log")"
	! grep -q "^fail $1" "$WORK/peer.out" || lib_fail "peer: $(grep "^fail" "$WORK/peer.out")"
}

# counted NAME STEP: STEP counted (daemon and bridge context switches and
# CPU, wall time, the bridge's counters before and after), then again under
# strace -c (syscalls only).
counted() {
	counters $BR "$WORK/bridge-peer.log" "$1.c0"
	_d0=$(ctx "$DAEMON_PID") _dt0=$(ticks "$DAEMON_PID") _b0=$(ctx $BR) _t0=$(ticks $BR)
	_s0=$(date +%s%N)
	go "$2"
	_s1=$(date +%s%N)
	_d1=$(ctx "$DAEMON_PID") _dt1=$(ticks "$DAEMON_PID") _b1=$(ctx $BR) _t1=$(ticks $BR)
	counters $BR "$WORK/bridge-peer.log" "$1.c1"
	strace_on $BR "$1"
	go "$2"
	_sys=$(strace_off "$1")
	echo "\"$1\": {\"frames\": $FRAMES, \"wall_ns\": $((_s1 - _s0)), \"daemon_ctx\": $((_d1 - _d0)), \"daemon_ticks\": $((_dt1 - _dt0)), \"bridge_ctx\": $((_b1 - _b0)), \"bridge_ticks\": $((_t1 - _t0)), \"bridge_syscalls_traced\": $_sys, \"counters_before\": \"$(cat "$RES/$1.c0")\", \"counters_after\": \"$(cat "$RES/$1.c1")\"}" >"$RES/$1.json"
	LAST_WALL_NS=$((_s1 - _s0))
	say "$1: $(cat "$RES/$1.json")"
}

go good
sleep 2
counted pixels "anim $FRAMES"
# What the pixel frames left on the monitor: the peer's good frame with
# the block's last position painted; seen once (not a pass/fail check).
"$VMCTL" screendump 1 "$RES/pixels-head1.ppm" || true

# idle: the same processes, no frames, for as long as the pixel run took.
_d0=$(ctx "$DAEMON_PID") _b0=$(ctx $BR)
sleep "$(awk -v n="$LAST_WALL_NS" 'BEGIN { printf "%.3f", n / 1e9 }')"
echo "\"idle\": {\"wall_ns\": $LAST_WALL_NS, \"daemon_ctx\": $(($(ctx "$DAEMON_PID") - _d0)), \"bridge_ctx\": $(($(ctx $BR) - _b0))}" >"$RES/idle.json"
say "idle: $(cat "$RES/idle.json")"

counted dmabuf "dmabuf-anim $FRAMES"

stop $BR
exec 3>&-
stop $PEER_PID

# ---- QEMU's own CPU: -display dbus + bridge against -display none -vnc -------

# qemu_phase NAME [QEMU ARGS...]: QEMU's CPU over SECONDS at SeaBIOS's boot
# menu; with NAME qemu_dbus the bridge shows it on head 1.
qemu_phase() {
	_name=$1
	shift
	nested_qemu_start $USER_ "$@"
	_br=
	if [ "$_name" = qemu_dbus ]; then
		nested_wait_bus $USER_
		$AS_OWNER "$BRIDGE" --vm vm1 >"$WORK/bridge-$_name.log" 2>&1 3>&- &
		_br=$!
		CHILDREN="$CHILDREN $_br"
	fi
	wait_for 240 nested_text_has "Press ESC for boot menu" ||
		lib_fail "$_name: the nested VM never showed SeaBIOS: $(cat "$NESTED/qemu.log")"
	timeout 30 $QMP "$NESTED/qmp.sock" key esc || lib_fail "$_name: QMP key esc"
	wait_for 120 nested_text_has "Select boot device" ||
		lib_fail "$_name: no boot menu; the nested screen: $(nested_text)"
	sleep 3
	[ -z "$_br" ] || counters "$_br" "$WORK/bridge-$_name.log" "$_name.c0"
	_q0=$(ticks $QEMU_PID) _d0=$(ctx "$DAEMON_PID")
	_b0=0 _bt0=0
	[ -z "$_br" ] || { _b0=$(ctx "$_br"); _bt0=$(ticks "$_br"); }
	sleep "$SECONDS_"
	_q1=$(ticks $QEMU_PID) _d1=$(ctx "$DAEMON_PID")
	_b1=0 _bt1=0
	[ -z "$_br" ] || { _b1=$(ctx "$_br"); _bt1=$(ticks "$_br"); }
	_cnt0= _cnt1=
	if [ -n "$_br" ]; then
		counters "$_br" "$WORK/bridge-$_name.log" "$_name.c1"
		_cnt0=$(cat "$RES/$_name.c0") _cnt1=$(cat "$RES/$_name.c1")
		"$VMCTL" screendump 1 "$RES/$_name-head1.ppm" || true
	fi
	timeout 30 $QMP "$NESTED/qmp.sock" quit || true
	stop $QEMU_PID
	[ -z "$_br" ] || stop "$_br"
	echo "\"$_name\": {\"seconds\": $SECONDS_, \"qemu_ticks\": $((_q1 - _q0)), \"daemon_ctx\": $((_d1 - _d0)), \"bridge_ctx\": $((_b1 - _b0)), \"bridge_ticks\": $((_bt1 - _bt0)), \"counters_before\": \"$_cnt0\", \"counters_after\": \"$_cnt1\"}" >"$RES/$_name.json"
	say "$_name: $(cat "$RES/$_name.json")"
}

nested_bus $USER_
qemu_phase qemu_dbus
# -display none replaces the helper's -display dbus (the last -display
# wins); -vnc adds the VNC server, which no client ever connects to.
qemu_phase qemu_vnc -display none -vnc "unix:$RUN/vnc.sock"

{
	printf '{"frames": %s, ' "$FRAMES"
	printf '%s, ' "$(cat "$RES/pixels.json")" "$(cat "$RES/idle.json")" "$(cat "$RES/dmabuf.json")" \
		"$(cat "$RES/qemu_dbus.json")"
	printf '%s}\n' "$(cat "$RES/qemu_vnc.json")"
} | tee "$DF_VM_SHARE/qemu.json"
cp "$RES"/*.ppm "$DF_VM_SHARE/" 2>/dev/null || true
