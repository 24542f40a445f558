#!/bin/sh
# SPDX-License-Identifier: MIT
# The README's main job, guest side: two monitors plugged, two simulated
# vGPUs, directflipd with tests/vm/demo-layout.ini, a PNG per head.
set -eu
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$VM_DIR/../.." && pwd)
OUT=${DF_VM_SHARE:?}

"$VMCTL" plug 1 1024 768 || fail "plug head 1"
"$VMCTL" plug 2 1024 768 || fail "plug head 2"
for i in 1 2 3 4 5 6; do
	echo "directflip demo: this is the host console on head 0" >/dev/tty1
done
mkdir -p /run/directflip/vgpu
WORK_SAVE=$WORK
WORK=/run/directflip/vgpu
start_standin vm1 ff2020 --size 1024x768
start_standin vm2 2060ff --size 1024x768
WORK=$WORK_SAVE

start_daemon "$REPO/tests/vm/demo-layout.ini"
wait_for 30 log_has_n "action=lease-granted" 2 || fail "the two VMs were not shown"
cat "$WORK/daemon.log"
for head in 0 1 2; do
	"$VMCTL" screendump "$head" "$OUT/head$head.png" || fail "screendump head $head"
done
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $?"
echo "demo: wrote head0.png (host console), head1.png (vm1), head2.png (vm2)"
