#!/bin/sh
# SPDX-License-Identifier: MIT
# The README's main job, guest side: two monitors plugged; vm1 a stock QEMU
# (Debian's, nested here under TCG) shown by directflip-qemu, vm2 a
# simulated vGPU; directflipd with tests/vm/scenarios/demo-layout.ini; a PNG per
# head.
set -eu
. "$(dirname "$0")/../harness/lib.sh"
. "$VM_DIR/harness/nested-qemu.sh"
REPO=$(cd "$VM_DIR/../.." && pwd)
OUT=${DF_VM_SHARE:?}
OWNER=nobody # vm1's owner= in demo-layout.ini: QEMU and directflip-qemu run as it

"$VMCTL" plug 1 1024 768 || fail "plug head 1"
"$VMCTL" plug 2 1024 768 || fail "plug head 2"
for i in 1 2 3 4 5 6; do
	echo "directflip demo: this is the host console on head 0" >/dev/tty1
done
SRC=/run/directflip/vgpu
start_standin vm2 $BLUE --size 1024x768

start_daemon "$REPO/tests/vm/scenarios/demo-layout.ini"
wait_for 30 log_has_n "action=lease-granted" 2 || fail "the two VMs were not given their monitors"

NESTED="$WORK/qemu"
owned_dir "$OWNER" "$NESTED"
nested_bus "$OWNER"
nested_qemu_start "$OWNER"
nested_wait_bus "$OWNER"
setpriv --reuid="$(id -u $OWNER)" --regid="$(id -g $OWNER)" --clear-groups \
	"$DF_BUILD/qemu/directflip-qemu" --vm vm1 >"$WORK/bridge.log" 2>&1 &
BRIDGE_PID=$!
CHILDREN="$CHILDREN $BRIDGE_PID"
nested_wait_text 120 "Press ESC for boot menu"
shown() {
	head_is_nested 1 "$NESTED/qemu.ppm"
}
wait_for 30 shown || { cat "$WORK/bridge.log"; fail "head 1 does not show QEMU's screen: $(cat "$WORK/centred.err")"; }
cat "$WORK/daemon.log" "$WORK/bridge.log"
for head in 0 1 2; do
	"$VMCTL" screendump "$head" "$OUT/head$head.png" || fail "screendump head $head"
done
kill -TERM "$BRIDGE_PID" "$QEMU_PID"
wait "$BRIDGE_PID" || fail "directflip-qemu exited with status $?"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $?"
echo "demo: wrote head0.png (host console), head1.png (vm1: stock QEMU's SeaBIOS, as QEMU's own screendump shows it), head2.png (vm2)"
