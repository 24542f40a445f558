#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 7: the vfio source, form (b): dma-buf planes with the mdev's
# enable_direct_flip (GVT-g direct flip v2, never upstream). SIMULATION:
# tests/vm/stand-ins/vfio-cuse-standin is the VFIO device (dma-buf planes only; its
# GET_GFX_DMABUF answered through seccomp, tests/vm/tools/seccomp-launch), and
# tests/vm/stand-ins/gvt-fuse-standin, mounted where the mdev directory would be,
# has the enable_direct_flip attribute and logs each write. The daemon
# imports the plane once, shows it, writes 1 once, and asks nothing more:
# from then on the kernel would commit the guest's flips (the simulation
# does not). A vanished device still turns the monitor black.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

CUSE="$DF_BUILD/tests/vm/vfio-cuse-standin"
FUSE="$DF_BUILD/tests/vm/gvt-fuse-standin"
LAUNCH="$DF_BUILD/tests/vm/seccomp-launch"
DEV=/dev/vfio-standin-flip
SOCK="$WORK/supervisor.sock"
MDEV="$WORK/mdev"
LOG="$WORK/vfio.log"
plug_heads 1

mkdir -p "$MDEV"
"$FUSE" --mount "$MDEV" --color $BLUE >"$WORK/mdev.log" 2>&1 &
CHILDREN="$CHILDREN $!"
wait_for 20 test -f "$MDEV/enable_direct_flip" || fail "mdev stand-in: $(cat "$WORK/mdev.log")"
"$CUSE" --name "${DEV#/dev/}" --offer dmabuf --color $RED --flip-color $GREEN \
	--seccomp-socket "$SOCK" >"$LOG" 2>&1 &
CUSE_PID=$!
CHILDREN="$CHILDREN $CUSE_PID"
wait_for 20 test -c "$DEV" || fail "stand-in: $(cat "$LOG")"
wait_for 20 test -S "$SOCK" || fail "stand-in socket: $(cat "$LOG")"
[ "$(cat "$MDEV/enable_direct_flip")" = 0 ] || fail "enable_direct_flip starts at $(cat "$MDEV/enable_direct_flip")"

# report: the stand-in's query count now.
report() {
	n=$(grep -c '^report ' "$LOG" || true)
	kill -WINCH "$CUSE_PID"
	wait_for 20 sh -c "[ \$(grep -c '^report ' '$LOG') -gt $n ]" || fail "no report from the stand-in"
	grep '^report ' "$LOG" | tail -n 1 | sed -n 's/^report queries=\([0-9]*\).*/\1/p'
}

# One VM is enough, shown from the VFIO device and its mdev.
VM1_SOURCE="vfio:$DEV#$MDEV"
one_vm_layout >"$WORK/layout.ini"
LIBSEAT_BACKEND=noop "$LAUNCH" "$SOCK" "$DAEMON" -c "$WORK/layout.ini" >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
CHILDREN="$CHILDREN $DAEMON_PID"
wait_for 30 log_has_n "action=lease-granted" 1 || fail "the lease was not granted"
expect_frac 1 $RED ">" 0.95 "the guest's plane, imported and shown once (form (b))"
wait_for 20 grep -q '^enable_direct_flip=1 writes=1$' "$WORK/mdev.log" ||
	fail "1 was not written to enable_direct_flip: $(cat "$WORK/mdev.log")"
[ "$(cat "$MDEV/enable_direct_flip")" = 1 ] || fail "enable_direct_flip reads $(cat "$MDEV/enable_direct_flip")"
[ "$(grep -c '^get-dmabuf id=1 ' "$LOG")" -eq 1 ] || fail "the plane's dma-buf was fetched $(grep -c '^get-dmabuf' "$LOG") times"
ok "enable_direct_flip written 1, the dma-buf fetched once"

# The kernel flips from now on: the daemon asks the device nothing, not
# on a timer and not when the guest flips.
q0=$(report)
sleep 3
kill -HUP "$CUSE_PID"
wait_for 20 grep -q '^flip id=2' "$LOG" || fail "the guest did not flip"
sleep 2
q1=$(report)
[ "$q1" -eq "$q0" ] || fail "the daemon asked the device $((q1 - q0)) times after enable_direct_flip"
[ "$(grep -c '^enable_direct_flip=' "$WORK/mdev.log")" -eq 1 ] ||
	fail "enable_direct_flip written more than once: $(cat "$WORK/mdev.log")"
[ "$(grep -c '^get-dmabuf' "$LOG")" -eq 1 ] || fail "dma-bufs fetched after enable_direct_flip"
ok "no query in 5 s and a guest flip after the switch ($q0 queries in all); one write"
expect_frac 1 $RED ">" 0.95 "the daemon committed nothing for the flip (the kernel would)"

# The vGPU goes: the daemon hears the device's error and blacks the monitor.
kill -TERM "$CUSE_PID"
wait "$CUSE_PID" || fail "the stand-in exited with status $?"
wait_for 20 log_has_n "vm=vm1 connector=Virtual-2 fb0=0 .*action=planes-mapped" 1 ||
	fail "the daemon did not notice the device vanish"
expect_frac 1 $RED "==" 0 "black once the vGPU is gone"
kill -0 "$DAEMON_PID" || fail "directflipd died"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS source-vfio-flip"
