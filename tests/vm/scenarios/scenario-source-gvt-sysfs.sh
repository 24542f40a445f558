#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 7: the gvt-sysfs source. SIMULATION: tests/vm/stand-ins/gvt-fuse-standin
# mounts a FUSE file system with the proposed (never upstream) GVT-g
# intel_vgpu/plane_id_index attribute over real framebuffers on the card.
# The daemon queries it at bind time, again when it signals a change
# (POLLPRI, as sysfs_notify). When it stops, vm1's last frame stays
# (on-vm-exit=keep, the default) and vm2's monitor goes black (black).
set -eu
. "$(dirname "$0")/../harness/lib.sh"

GVT="$DF_BUILD/tests/vm/gvt-fuse-standin"
MDEV="$WORK/mdev/a297db4a-f4c2-11e6-90f6-d3b88d6c9525"
MDEV2="$WORK/mdev/5b0ae5b4-8c1e-4b0e-9f0b-7d2f4a1c3e21"
mkdir -p "$MDEV" "$MDEV2"
plug_heads 1 2

"$GVT" --mount "$MDEV" --color $RED --size 1024x768 --resize 1280x960 --resize-color $BLUE \
	>"$WORK/gvt.log" 2>&1 &
GVT_PID=$!
CHILDREN="$CHILDREN $GVT_PID"
wait_for 20 test -e "$MDEV/intel_vgpu/plane_id_index" || fail "stand-in: $(cat "$WORK/gvt.log")"
fb=$(sed -n 's/^plane0 fb=\([0-9]*\).*/\1/p' "$WORK/gvt.log")
# The protocol by hand: write the plane number, read the framebuffer id.
got=$(exec 3<>"$MDEV/intel_vgpu/plane_id_index"; echo 0 >&3; cat "$MDEV/intel_vgpu/plane_id_index")
[ "$got" = "$fb" ] || fail "plane_id_index answers '$got', the stand-in made fb $fb"
[ "$(cat "$MDEV/enable_direct_flip")" = 0 ] || fail "enable_direct_flip does not start at 0"
ok "stand-in: plane 0 is fb $fb"
"$GVT" --mount "$MDEV2" --color $BLUE --size 1024x768 >"$WORK/gvt2.log" 2>&1 &
GVT2_PID=$!
CHILDREN="$CHILDREN $GVT2_PID"
wait_for 20 test -e "$MDEV2/intel_vgpu/plane_id_index" || fail "stand-in 2: $(cat "$WORK/gvt2.log")"

# The shared layout, shown from the two mdevs.
VM1_SOURCE="gvt-sysfs:$MDEV#0"
VM1_KEYS="scaling = center"
VM2_SOURCE="gvt-sysfs:$MDEV2#0"
VM2_KEYS="on-vm-exit = black"
two_vm_layout >"$WORK/layout.ini"
start_daemon_granted 2
expect_frac 1 $RED ">" 0.95 "vm1's pattern through plane_id_index"
expect_frac 2 $BLUE ">" 0.95 "vm2's pattern through its own plane_id_index"

# The change: plane 0 becomes 1280x960, blue in the centred 1024x768.
# Centre scaling applied again shows only blue; the old mapping would
# leave a red band at the top and left.
kill -USR1 "$GVT_PID"
wait_for 20 grep -q '^resized' "$WORK/gvt.log" || fail "stand-in did not resize: $(cat "$WORK/gvt.log")"
wait_for 20 log_has_n "vm=vm1 .*action=planes-mapped" 1 || fail "the daemon did not follow the change"
expect_frac 1 $BLUE ">" 0.99 "the 1280x960 plane, remapped: its centre fills the monitor"
expect_frac 1 $RED "==" 0 "nothing of the old frame or of the new frame's border"

# The vGPU stops: its framebuffers die with its card file, but with
# on-vm-exit=keep (the default) the daemon's mirror of the buffer stays up.
kill -TERM "$GVT_PID"
wait "$GVT_PID" || fail "the stand-in exited with status $?"
wait_for 20 log_has_n "on-vm-exit=keep action=source-gone" 1 ||
	fail "the daemon did not notice the source vanish"
expect_frac 1 $BLUE ">" 0.99 "the last frame stays once the vGPU is gone"
kill -0 "$DAEMON_PID" || fail "directflipd died"
"$DF_BUILD/cli/vgpu-assign" vms --json >"$WORK/vms.json" || fail "vgpu-assign vms failed"
$PY - "$WORK/vms.json" "$MDEV" <<'PY' || fail "vm1's error does not name its vanished source"
import json, sys
vm = [v for v in json.load(open(sys.argv[1]))["vms"] if v["name"] == "vm1"][0]
assert vm["state"] == "leased", vm
assert vm["error"] and "plane source 0" in vm["error"] and sys.argv[2] in vm["error"], vm
print("vm1:", vm["error"])
PY
ok "the vanished source is vm1's error; the lease stays"

# vm2's vGPU stops: with on-vm-exit=black the plane shows the source's own
# framebuffer, which dies with the stand-in's card file.
kill -TERM "$GVT2_PID"
wait "$GVT2_PID" || fail "stand-in 2 exited with status $?"
wait_for 20 log_has_n "vm=vm2 .*on-vm-exit=black action=source-gone" 1 ||
	fail "the daemon did not notice vm2's source vanish"
expect_frac 2 $BLUE "==" 0 "vm2's monitor black once its vGPU is gone"
expect_frac 1 $BLUE ">" 0.99 "vm1's kept frame is untouched"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS source-gvt-sysfs"
