#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 10, item 3: a takeover by a second client of the same vm
# (take-lease, docs/protocol.md). SIMULATION: tests/vm/tools/takeover-client
# plays both VMMs: A holds vm1's lease and shows red through it; B, through
# vm1's own socket, sends a blue first frame (a dumb buffer exported as a
# dma-buf) with take-lease, then flips its own green frame through the
# lease fd it got back.
#
# A non-owner's takeover is refused with the reason and changes nothing,
# and so is the owner's with a frame the plane cannot show. After the
# owner's takeover: A's fd has no objects (drmModeGetLease on A's fd); when
# A saw them go, the plane already showed B's first frame; the daemon's
# events say the frame was up before the old lease was revoked, and the new
# lease was granted after; screendumps taken as fast as the harness allows
# across the switch are never black, and the last is green. The daemon's
# copy of B's first frame goes once unused.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

TC="$DF_BUILD/tests/vm/takeover-client"
AS_OTHER="setpriv --reuid 1234 --regid 1234 --clear-groups"
AS_OWNER="setpriv --reuid 4321 --regid 4321 --clear-groups"
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
daemon_fbs() { grep -c "allocated by = directflipd" /sys/kernel/debug/dri/0/framebuffer || true; }
# The clients run as plain users and make their dumb buffers on the card
# (not as master: directflipd is); in the guest only root may open it.
chmod 0666 /dev/dri/card0

# One VM is enough: its two VMMs take the lease from each other.
plug_heads 1
VM1_SOURCE=
VM1_KEYS="owner = 4321
socket = yes"
one_vm_layout >"$WORK/layout.ini"
start_daemon_granted 1
"$VA" watch --json --timeout 500 >"$WORK/events.json" 2>"$WORK/watch.err" &
CHILDREN="$CHILDREN $!"
wait_for 10 grep -q watching "$WORK/watch.err" || fail "the watcher did not subscribe"

# field FILE PREFIX KEY: KEY=VALUE from the last line of FILE starting with PREFIX.
field() {
	grep "^$2" "$1" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}

$AS_OWNER "$TC" hold --vm vm1 --color $RED >"$WORK/a.log" 2>&1 &
A_PID=$!
CHILDREN="$CHILDREN $A_PID"
wait_for 30 grep -q '^shown' "$WORK/a.log" || fail "A: $(cat "$WORK/a.log")"
A_FB=$(field "$WORK/a.log" shown fb)
A_OBJ=$(field "$WORK/a.log" shown objects)
[ "$A_OBJ" -ge 3 ] || fail "A's lease has $A_OBJ objects, want connector, CRTC and planes"
expect_frac 1 $RED ">" 0.85 "A's frame through its lease ($A_OBJ objects)"

# a_objects: A's fd's object count and the plane's fb now, as "N FB".
a_objects() {
	_n=$(grep -c '^objects' "$WORK/a.log" || true)
	kill -USR1 "$A_PID"
	wait_for 10 sh -c "[ \$(grep -c '^objects' '$WORK/a.log') -gt $_n ]" || fail "A did not answer"
	grep '^objects' "$WORK/a.log" | tail -n 1 | awk '{ sub("plane_fb=", "", $3); print $2, $3 }'
}

# A non-owner: refused with the reason; A keeps everything.
$AS_OTHER "$TC" take --vm vm1 --color $BLUE --expect-refused >"$WORK/other.log" 2>&1 ||
	fail "uid 1234's takeover: $(cat "$WORK/other.log")"
grep -q "code=-1 uid 1234 may not take over vm vm1's lease: it belongs to owner 4321 (uid 4321)" \
	"$WORK/other.log" || fail "unclear refusal: $(cat "$WORK/other.log")"
set -- $(a_objects)
[ "$1" = "$A_OBJ" ] && [ "$2" = "$A_FB" ] ||
	fail "after the refused takeover A's fd has $1 objects (want $A_OBJ), the plane fb $2 (want A's $A_FB)"
! grep -q '^lost' "$WORK/a.log" || fail "A lost its lease to a refused takeover"
! grep -q '"lease-takeover"' "$WORK/events.json" || fail "a refused takeover was announced"
expect_frac 1 $RED ">" 0.85 "A's frame after the refused takeover"
ok "uid 1234's take-lease refused: $(cat "$WORK/other.log"); A keeps $A_OBJ objects and its frame"

# The owner, with a first frame the plane cannot show (virtio-gpu's primary
# plane does not scale): the kernel refuses the commit, nothing changes.
$AS_OWNER "$TC" take --vm vm1 --color $BLUE --size 64x64 --expect-refused >"$WORK/small.log" 2>&1 ||
	fail "the owner's takeover with a 64x64 frame: $(cat "$WORK/small.log")"
grep -q "the kernel refused the frame on plane .*; the lease stays with its holder" "$WORK/small.log" ||
	fail "unclear refusal: $(cat "$WORK/small.log")"
set -- $(a_objects)
[ "$1" = "$A_OBJ" ] && [ "$2" = "$A_FB" ] ||
	fail "after the failed takeover A's fd has $1 objects (want $A_OBJ), the plane fb $2 (want A's $A_FB)"
! grep -q '^lost' "$WORK/a.log" || fail "A lost its lease to a failed takeover"
! grep -q '"lease-takeover"' "$WORK/events.json" || fail "a failed takeover was announced"
[ "$(daemon_fbs)" -eq 0 ] || fail "the refused frame's framebuffer was kept ($(daemon_fbs))"
expect_frac 1 $RED ">" 0.85 "A's frame after the failed takeover"
ok "a frame the plane cannot show: $(cat "$WORK/small.log"); A keeps everything"

# sampler DIR: screendumps of head 1 named by CLOCK_REALTIME ns, until DIR/stop.
sampler() {
	while [ ! -e "$1/stop" ]; do
		"$VMCTL" screendump 1 "$1/tmp.ppm" && mv "$1/tmp.ppm" "$1/$(date +%s%N).ppm"
	done
}
# has_samples DIR T N: DIR holds N samples taken after T (ns).
has_samples() {
	[ "$(ls "$1" | awk -F. -v t="$2" '$2 == "ppm" && $1 + 0 > t + 0' | wc -l)" -ge "$3" ]
}
S="$WORK/samples"
mkdir -p "$S"
sampler "$S" &
SAMPLER=$!
CHILDREN="$CHILDREN $SAMPLER"
wait_for 60 has_samples "$S" 0 2 || fail "no samples before the takeover"

# The owner's second client takes over with a blue first frame, through
# vm1's own socket (what a sandboxed VMM has).
$AS_OWNER "$TC" take --vm vm1 --socket /run/directflip/vm/vm1.sock --size 1024x768 \
	--color $BLUE --then $GREEN >"$WORK/b.log" 2>&1 &
B_PID=$!
CHILDREN="$CHILDREN $B_PID"
wait_for 60 grep -q '^took' "$WORK/b.log" || fail "B: $(cat "$WORK/b.log")"
wait_for 10 grep -q '^lost' "$WORK/a.log" || fail "A's fd kept its objects after the takeover"
cat "$WORK/b.log" "$WORK/a.log"
B_FB=$(field "$WORK/b.log" took fb)
B_LESSEE=$(field "$WORK/b.log" took lessee)
B_OBJ=$(field "$WORK/b.log" took objects)
T_LOST=$(field "$WORK/a.log" lost t_us)
LOST_FB=$(field "$WORK/a.log" lost plane_fb)
[ "$B_OBJ" = "$A_OBJ" ] || fail "B's lease has $B_OBJ objects, A's had $A_OBJ"
[ "$LOST_FB" = "$B_FB" ] ||
	fail "when A's fd lost its objects the plane showed fb $LOST_FB, not B's first frame $B_FB (A's is $A_FB)"
ok "A's fd lost its objects while the plane showed B's first frame (fb $B_FB)"
[ "$(daemon_fbs)" -eq 1 ] || fail "the daemon holds $(daemon_fbs) framebuffers, want 1 (B's first frame)"

t_blue=$(date +%s%N)
wait_for 60 has_samples "$S" "$t_blue" 2 || fail "no samples of B's first frame"
kill -USR1 "$B_PID"
wait_for 30 grep -q '^flipped' "$WORK/b.log" || fail "B: $(cat "$WORK/b.log")"
t_green=$(date +%s%N)
wait_for 60 has_samples "$S" "$t_green" 2 || fail "no samples after B's flip"
touch "$S/stop"
wait "$SAMPLER" || true

$PY - "$VM_DIR/harness" "$S" "$RED" "$BLUE" "$GREEN" <<'PY' || fail "screendumps across the takeover: see above"
import os, sys
sys.path.insert(0, sys.argv[1])
from imgcheck import load, frac as img_frac
d = sys.argv[2]
red, blue, green = (bytes.fromhex(c) for c in sys.argv[3:6])

def frac(pix, w, h, bpp, want):
    return img_frac(w, h, bpp, pix, want, step=16)

names = sorted(n for n in os.listdir(d) if n.endswith(".ppm") and n != "tmp.ppm")
seen = []
for n in names:
    w, h, bpp, pix = load(os.path.join(d, n))
    fr, fbl, fg, fk = (frac(pix, w, h, bpp, c) for c in (red, blue, green, b"\0\0\0"))
    assert fk < 0.05, f"sample {n}: black covers {fk:.2f}"
    best = max((fr, "red"), (fbl, "blue"), (fg, "green"))
    assert best[0] > 0.85, f"sample {n}: red {fr:.2f} blue {fbl:.2f} green {fg:.2f}: no frame"
    seen.append(best[1])
assert seen[0] == "red", f"the first sample is {seen[0]}"
assert "blue" in seen, f"B's first frame never sampled: {seen}"
assert seen[-1] == "green", f"the last sample is {seen[-1]}"
order = [c for i, c in enumerate(seen) if i == 0 or seen[i - 1] != c]
assert order == ["red", "blue", "green"], f"frames in the order {order}"
span = (int(names[-1][:-4]) - int(names[0][:-4])) / 1e9
print(f"{len(names)} samples over {span:.2f} s (one per {span / max(len(names) - 1, 1) * 1000:.0f} ms): "
      f"{' '.join(seen)}; none black")
PY
ok "screendumps across the takeover: red, blue, green, never black"

# The order, on the events' clock (CLOCK_MONOTONIC, as A's reading).
$PY - "$WORK/events.json" "$T_LOST" <<'PY' || fail "event order: see above"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
t_lost = int(sys.argv[2])
vm1 = [e for e in evs if e.get("vm") == "vm1" and e["event"] in
       ("lease-takeover", "lease-revoked", "lease-granted")]
i = next(i for i, e in enumerate(vm1) if e["event"] == "lease-takeover")
seq = vm1[i:i + 3]
names = [e["event"] for e in seq]
assert names == ["lease-takeover", "lease-revoked", "lease-granted"], names
t_take, t_rev, t_grant = (e["time_us"] for e in seq)
assert t_take < t_rev < t_grant, (t_take, t_rev, t_grant)
# The frame was committed before the old lessee could see its objects go.
assert t_take < t_lost, f"A saw its objects go at {t_lost}, before the frame was up at {t_take}"
print("lease-takeover:", seq[0]["detail"])
print(f"frame up at {t_take}, A saw the loss {t_lost - t_take} us later, revoked event "
      f"+{t_rev - t_take} us, new lease +{t_grant - t_take} us")
PY
ok "events: the first frame was up before the old lease was revoked, then the new lease"

set -- $(a_objects)
[ "$1" = 0 ] || fail "A's fd has $1 objects after the takeover"
ok "A's fd has 0 objects"
expect_frac 1 $GREEN ">" 0.85 "B's own frame through the new lease"
"$VA" leases --json >"$WORK/leases.json" || fail "vgpu-assign leases"
grep -Eq "\"lessee\": *$B_LESSEE([^0-9]|\$)" "$WORK/leases.json" || fail "list-leases: $(cat "$WORK/leases.json")"
# get-lease keeps working for the owner: the current lease.
$AS_OWNER "$VA" exec vm1 -- sh -c 'readlink /proc/self/fd/3' >"$WORK/exec.out" 2>&1 ||
	fail "the owner's get-lease after the takeover: $(cat "$WORK/exec.out")"
grep -q "^/dev/dri/card" "$WORK/exec.out" || fail "get-lease gave fd 3 = $(cat "$WORK/exec.out")"
ok "list-leases names B's lessee $B_LESSEE; get-lease still serves the owner"

# B leaves with its own frame up: the daemon's copy of the first one goes,
# and the picture stays (the daemon keeps the lease file).
kill -TERM "$B_PID"
wait "$B_PID" || fail "B exited with status $?"
wait_for 20 log_has_n "action=takeover-frame-dropped" 1 || fail "B's first frame was not dropped"
[ "$(daemon_fbs)" -eq 0 ] || fail "the daemon holds $(daemon_fbs) framebuffers after B left, want 0"
expect_frac 1 $GREEN ">" 0.85 "B's frame after B left"

kill -TERM "$A_PID"
wait "$A_PID" || fail "A exited with status $?"
kill -0 "$DAEMON_PID" || fail "directflipd died"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS takeover"
