#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark (not a pass/fail test): how much work directflipd does per guest
# frame. Runs in the VM: tests/vm/harness/run -- tests/bench/frame-work.sh
#
# Two simulated VMs are bound to two monitors. Then three windows of equal
# length are measured on the daemon's process, side by side in one boot:
#   idle    no frames at all
#   frames  both stand-ins draw and flush 600 frames each (60 fps)
#   strace  the same 600+600 frames again with strace -c attached, for syscalls
#   relay   vm1's plane 0 mapped to a client (tests/vm/tools/dmabuf-client.c, a
#           simulated VMM) that sends FRAMES update-dmabuf requests, with
#           strace -c attached: the ioctls per relayed frame (the atomic
#           commit, and a TEST_ONLY commit before it where the daemon makes one)
# Counters: voluntary+involuntary context switches (/proc/PID/status),
# user+system CPU ticks (/proc/PID/stat), and syscalls (strace -c -f).
# Prints one JSON object, also written to $DF_VM_SHARE/frame-work.json.
set -eu
VM_DIR=$(cd "$(dirname "$0")/../vm" && pwd)
. "$VM_DIR/harness/lib.sh"
FRAMES=${DF_BENCH_FRAMES:-600}

start_two_vms --frames "$FRAMES" --on-signal --flush-pid-file "$WORK/daemon.pid"
echo "$DAEMON_PID" >"$WORK/daemon.pid"
# The stand-ins are the last two children started before the daemon.
S1=$(echo $CHILDREN | awk '{ print $(NF - 2) }')
S2=$(echo $CHILDREN | awk '{ print $(NF - 1) }')

ctx() { awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$DAEMON_PID/status"; }
cpu() { awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat"; }

# One SIGUSR1 = one run of FRAMES frames in each bound stand-in, flushed
# through the daemon's lessee files (see tests/vm/stand-ins/inplace-frames.h).
animate() {
	kill -USR1 "$S1" "$S2"
	for _vm in vm1 vm2; do
		wait_for 300 log_lines "$WORK/$_vm.log" animated "$1" ||
			fail "$_vm stand-in did not finish run $1"
		grep animated "$WORK/$_vm.log" | tail -n 1 | grep -q "flushed=$FRAMES\$" ||
			fail "$_vm: frames not all flushed: $(cat "$WORK/$_vm.log")"
	done
}
log_lines() { [ "$(grep -c "$2" "$1")" -ge "$3" ]; }

# Frames window.
c0=$(ctx); t0=$(cpu); s0=$(date +%s%N)
animate 1
c1=$(ctx); t1=$(cpu); s1=$(date +%s%N)
len_ns=$((s1 - s0))

# Idle window of the same length.
c2=$(ctx); t2=$(cpu)
sleep "$(awk -v n="$len_ns" 'BEGIN { printf "%.3f", n / 1e9 }')"
c3=$(ctx); t3=$(cpu)

if grep -q "DIRTYFB" "$WORK/vm1.log"; then
	fail "frames were not flushed: $(grep DIRTYFB "$WORK/vm1.log")"
fi

# Syscalls: strace's attach stops the process once; count what the daemon
# does while the stand-ins flush another 2 x FRAMES frames.
strace -c -f -p "$DAEMON_PID" -o "$WORK/strace.txt" 2>"$WORK/strace.err" &
st=$!
wait_for 10 grep -q "TracerPid:[[:space:]]*[1-9]" "/proc/$DAEMON_PID/status" || fail "strace did not attach"
animate 2
kill -INT "$st"
wait "$st" 2>/dev/null || true
calls=$(awk '$NF == "total" { print (NF >= 5 ? $4 : $3) }' "$WORK/strace.txt")
[ -n "$calls" ] || calls=0

"$VMCTL" screendump 1 "$DF_VM_SHARE/bench-head1.png"

# Relay: one ioctl row of strace -c is what each relayed frame costs in
# KMS calls.
"$DF_BUILD/cli/vgpu-assign" map vm1 0 client >/dev/null || fail "map vm1 0 client"
wait_for 30 log_has_n "vm=vm1 .*action=lease-granted" 2 || fail "vm1 was not granted again"
strace -c -f -p "$DAEMON_PID" -o "$WORK/strace-relay.txt" 2>"$WORK/strace.err" &
st=$!
wait_for 10 grep -q "TracerPid:[[:space:]]*[1-9]" "/proc/$DAEMON_PID/status" || fail "strace did not attach"
# The client's two imports are in the window too: a few ioctls for 600 frames.
"$DF_BUILD/tests/vm/dmabuf-client" --vm vm1 --color $BLUE --buffers 2 --updates "$FRAMES" \
	>"$WORK/client.log" 2>&1 &
CP=$!
CHILDREN="$CHILDREN $CP"
wait_for 300 grep -q "^updates ok" "$WORK/client.log" || fail "client: $(cat "$WORK/client.log")"
kill -INT "$st"
wait "$st" 2>/dev/null || true
relay_ioctls=$(awk '$NF == "ioctl" { print $4 }' "$WORK/strace-relay.txt")
[ -n "$relay_ioctls" ] || relay_ioctls=0

json=$(printf '{"frames_per_vm":%s,"window_s":%s,"frames":{"ctx_switches":%s,"cpu_ticks":%s},"idle":{"ctx_switches":%s,"cpu_ticks":%s},"syscalls_during_frames":%s,"relay":{"frames":%s,"ioctls":%s,"ioctls_per_frame":%s}}' \
	"$FRAMES" "$(awk -v n="$len_ns" 'BEGIN { printf "%.2f", n / 1e9 }')" \
	$((c1 - c0)) $((t1 - t0)) $((c3 - c2)) $((t3 - t2)) "$calls" \
	"$FRAMES" "$relay_ioctls" "$(awk -v a="$relay_ioctls" -v f="$FRAMES" 'BEGIN { printf "%.2f", a / f }')")
echo "$json" | tee "$DF_VM_SHARE/frame-work.json"
cat "$WORK/strace.txt" "$WORK/strace-relay.txt"
