#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 7: the vfio source, form (a). SIMULATION: tests/vm/stand-ins/vfio-cuse-standin
# is a CUSE character device answering VFIO_DEVICE_QUERY_GFX_PLANE with the
# never-upstream DRM plane type (a host framebuffer id) over real
# framebuffers on the card. The daemon asks once at bind time and again only
# when the device raises POLLPRI: a change is followed and remapped, an
# all-zero answer switches the plane off, and a stopped device leaves the
# monitor black. A device offering only upstream dma-buf planes is read
# with form (c) (vm/source-vfio-dmabuf); without the seccomp supervisor
# that test adds, its VFIO_DEVICE_GET_GFX_DMABUF reaches CUSE, which cannot
# return an fd and says ENOTTY: named as vm2's error.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

CUSE="$DF_BUILD/tests/vm/vfio-cuse-standin"
DEV=/dev/vfio-standin-a
DEV_C=/dev/vfio-standin-c
plug_heads 1 2

"$CUSE" --name "${DEV#/dev/}" --offer both --color $RED --size 1024x768 \
	--resize 1280x960 --resize-color $BLUE --cursor 100,80,4,2 --cursor-color ffff00 \
	>"$WORK/vfio-a.log" 2>&1 &
A_PID=$!
"$CUSE" --name "${DEV_C#/dev/}" --offer dmabuf --color $BLUE >"$WORK/vfio-c.log" 2>&1 &
C_PID=$!
CHILDREN="$CHILDREN $A_PID $C_PID"
wait_for 20 test -c "$DEV" || fail "stand-in (a): $(cat "$WORK/vfio-a.log")"
wait_for 20 test -c "$DEV_C" || fail "stand-in (c): $(cat "$WORK/vfio-c.log")"
fb=$(sed -n 's/^plane0 fb=\([0-9]*\).*/\1/p' "$WORK/vfio-a.log")

# The ioctl by hand, through CUSE's unrestricted-ioctl retry: the number is
# _IO, so the device must ask the kernel for the caller's struct.
$PY - "$DEV" "$DEV_C" "$fb" <<'PY' || fail "VFIO_DEVICE_QUERY_GFX_PLANE through CUSE"
import fcntl, os, struct, sys
QUERY = (ord(';') << 8) | (100 + 14)          # _IO(VFIO_TYPE, VFIO_BASE + 14)
FMT = "=IIIIQIIIIIIIII4x"                     # struct vfio_device_gfx_plane_info
PROBE, DMABUF, DRM = 1, 2, 8                  # DRM: not upstream
def query(path, flags, plane=1):
    fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    try:
        buf = bytearray(struct.pack(FMT, 64, flags, plane, *[0] * 11))
        fcntl.ioctl(fd, QUERY, buf, True)
        return struct.unpack(FMT, buf)
    finally:
        os.close(fd)
a, c, fb = sys.argv[1], sys.argv[2], int(sys.argv[3])
query(a, PROBE | DRM)
query(a, PROBE | DMABUF)
try:
    query(c, PROBE | DRM)
    sys.exit("the dma-buf-only device admits to the DRM plane type")
except OSError as e:
    assert e.errno == 22, e
info = query(a, DRM)
assert info[5:7] == (1024, 768) and info[13] == fb, info
assert query(c, DMABUF, plane=2)[3:] == (0,) * 11, "a cursor that is off is all zero"
info = query(c, DMABUF)
assert info[5:7] == (1024, 768) and info[13] == 1, info
print("fb", info[13], "through CUSE")
PY
ok "stand-in: the primary plane is fb $fb"

# The shared layout, shown from the two VFIO devices.
VM1_SOURCE=vfio:$DEV
VM1_KEYS="scaling = center"
VM2_SOURCE=vfio:$DEV_C
two_vm_layout >"$WORK/layout.ini"
start_daemon_granted 2
expect_frac 1 $RED ">" 0.95 "vm1's pattern through VFIO_DEVICE_QUERY_GFX_PLANE (DRM plane type)"
expect_frac 2 $BLUE "==" 0 "vm2's dma-buf-only device shows nothing"
"$DF_BUILD/cli/vgpu-assign" vms --json >"$WORK/vms.json" || fail "vgpu-assign vms failed"
$PY - "$WORK/vms.json" "$DEV_C" <<'PY' || fail "vm2's error does not name its device"
import json, sys
vms = {v["name"]: v for v in json.load(open(sys.argv[1]))["vms"]}
assert not vms["vm1"]["error"], vms["vm1"]
e = vms["vm2"]["error"]
assert e and "plane source 0" in e and sys.argv[2] in e and "Inappropriate ioctl" in e, vms["vm2"]
print("vm2:", e)
PY
ok "a dma-buf device whose GET_GFX_DMABUF fails is vm2's error"

# The guest's cursor (the stand-in's own framebuffer) on vm1's cursor
# plane at pointer 100,80 less hotspot 4,2. QEMU's screendump leaves the
# hardware cursor out, so the plane's state is read back from the kernel.
"$DF_BUILD/tests/vm/plane-state" >"$WORK/planes.txt" || fail "plane-state failed"
grep ' type=cursor ' "$WORK/planes.txt" | grep -v ' fb=0 ' | grep -q ' x=96 y=78 w=64 h=64$' ||
	fail "vm1's cursor is not at 96,78: $(cat "$WORK/planes.txt")"
ok "vm1's cursor plane at 96,78 (CRTC_X/Y read back)"

# The guest switches its plane off: an all-zero answer, the monitor black.
sleep 2
kill -USR2 "$A_PID"
wait_for 20 grep -q '^off' "$WORK/vfio-a.log" || fail "stand-in did not switch off"
# Queries so far (probes not counted): 2 by hand and the daemon's one at
# bind time. Nothing was asked while nothing changed.
q=$(sed -n 's/^off queries=\([0-9]*\).*/\1/p' "$WORK/vfio-a.log")
[ "$q" -le 3 ] || fail "the daemon asked the device $q times (counting 2 by hand) without a change"
ok "no query without a change signal ($q queries, 2 of them by hand)"
wait_for 20 log_has_n "vm=vm1 connector=Virtual-2 fb0=0 .*action=planes-mapped" 1 ||
	fail "the daemon did not follow the plane going off"
expect_frac 1 $RED "==" 0 "black while the guest plane is off"

# The change: the plane is back as 1280x960, blue in the centred 1024x768.
# Centre scaling applied again shows only blue; the old mapping would
# leave a red band at the top and left.
kill -USR1 "$A_PID"
wait_for 20 grep -q '^resized' "$WORK/vfio-a.log" || fail "stand-in did not resize: $(cat "$WORK/vfio-a.log")"
nfb=$(sed -n 's/^resized fb=\([0-9]*\).*/\1/p' "$WORK/vfio-a.log")
wait_for 20 log_has_n "vm=vm1 connector=Virtual-2 fb0=$nfb .*action=planes-mapped" 1 ||
	fail "the daemon did not follow the change to fb $nfb"
expect_frac 1 $BLUE ">" 0.99 "the 1280x960 plane, remapped: its centre fills the monitor"
expect_frac 1 $RED "==" 0 "nothing of the old frame or of the new frame's border"

# The vGPU stops: its framebuffers die with its card file, the device goes.
kill -TERM "$A_PID"
wait "$A_PID" || fail "the stand-in exited with status $?"
expect_frac 1 $BLUE "==" 0 "black once the vGPU is gone"
expect_frac 1 $RED "==" 0 "no stale frame once the vGPU is gone"
wait_for 20 log_has_n "vm=vm1 connector=Virtual-2 fb0=0 .*action=planes-mapped" 2 ||
	fail "the daemon did not notice the device vanish"
kill -0 "$DAEMON_PID" || fail "directflipd died"
"$DF_BUILD/cli/vgpu-assign" vms --json >"$WORK/vms.json" || fail "vgpu-assign vms failed"
$PY - "$WORK/vms.json" "$DEV" <<'PY' || fail "vm1's error does not name its vanished device"
import json, sys
vm = [v for v in json.load(open(sys.argv[1]))["vms"] if v["name"] == "vm1"][0]
assert vm["state"] == "leased", vm
assert vm["error"] and "plane source 0" in vm["error"] and sys.argv[2] in vm["error"], vm
print("vm1:", vm["error"])
PY
ok "the vanished device is vm1's error; the lease stays"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS source-vfio"
