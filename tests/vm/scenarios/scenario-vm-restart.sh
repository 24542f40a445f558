#!/bin/sh
# SPDX-License-Identifier: MIT
# A VM's VMM restarts without blanking its monitor (issue 10, item 3,
# on-vm-exit=keep|black for fb: sources). SIMULATION: tests/vm/stand-ins/vgpu-standin
# plays the vGPU of the VMM; each generation draws its own colour.
#
# vm1 (on-vm-exit=keep, the default): the stand-in exits and a new one
# starts, 10 times. Head 1 is sampled by screendump every 50 ms (plus the
# screendump's own time) across each restart. Every sample shows the old or
# the new generation's frame, never black; samples between the exit and the
# next publish show the old frame (the daemon's mirror of its buffer); the
# new generation's frame shows after each restart. The number of
# framebuffers (debugfs) is the same after restart 1 and restart 10, and
# the daemon holds exactly one (its mirror).
# vm2 (on-vm-exit=black): one exit turns head 2 black, and the daemon says so.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

RESTARTS=10
# One colour per generation, none black or white.
COLOURS="ff2020 2060ff 20c020 c020c0 20c0c0 c0c020 ff8000 8000ff 00ff80 804000 ff80c0"
colour() { echo $COLOURS | cut -d' ' -f$(($1 + 1)); }
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
fbs() { grep -c "^framebuffer\[" /sys/kernel/debug/dri/0/framebuffer; }
daemon_fbs() { grep -c "allocated by = directflipd" /sys/kernel/debug/dri/0/framebuffer || true; }

# The shared layout; the stand-ins are started below, one generation at a time.
plug_heads 1 2
VM2_KEYS="on-vm-exit = black"
two_vm_layout >"$WORK/layout.ini"

# start_gen N: stand-in generation N of vm1; sets GEN_PID.
start_gen() {
	start_standin vm1 "$(colour "$1")" --size 1024x768
	GEN_PID=$!
}

start_gen 0
start_standin vm2 $BLUE --size 1024x768
VM2_PID=$!
start_daemon_granted 2
expect_frac 1 "$(colour 0)" ">" 0.85 "generation 0 shows"
[ "$(daemon_fbs)" -eq 1 ] || fail "the daemon holds $(daemon_fbs) framebuffers, want 1 (vm1's mirror)"

# sampler DIR: screendumps of head 1 named by CLOCK_REALTIME ns, until DIR/stop.
sampler() {
	while [ ! -e "$1/stop" ]; do
		"$VMCTL" screendump 1 "$1/tmp.ppm" && mv "$1/tmp.ppm" "$1/$(date +%s%N).ppm"
		sleep 0.05
	done
}

# has_samples DIR T N: DIR holds N samples taken after T (ns).
has_samples() {
	[ "$(ls "$1" | awk -F. -v t="$2" '$2 == "ppm" && $1 + 0 > t + 0' | wc -l)" -ge "$3" ]
}

i=1
while [ $i -le $RESTARTS ]; do
	old=$(colour $((i - 1)))
	new=$(colour $i)
	S="$WORK/samples$i"
	mkdir -p "$S"
	sampler "$S" &
	SAMPLER=$!
	sleep 0.3
	kill -TERM "$GEN_PID"
	wait "$GEN_PID" || fail "stand-in generation $((i - 1)) exited with status $?"
	t_exit=$(date +%s%N)
	wait_for 20 log_has_n "vm=vm1 .*on-vm-exit=keep action=source-gone" $i ||
		fail "restart $i: the daemon did not notice the stand-in exit"
	# Longer than the 0.3 s the monitor took to go black before keep, and
	# long enough for two samples however slow screendumps are.
	sleep 0.5
	wait_for 60 has_samples "$S" "$t_exit" 2 || fail "restart $i: no samples after the exit"
	t_pub=$(date +%s%N)
	start_gen $i
	wait_for 20 log_has_n "vm=vm1 .*action=planes-mapped" $i ||
		fail "restart $i: the daemon did not map generation $i"
	t_map=$(date +%s%N)
	wait_for 60 has_samples "$S" "$t_map" 2 || fail "restart $i: no samples after the mapping"
	touch "$S/stop"
	wait "$SAMPLER"
	$PY - "$VM_DIR/harness" "$S" "$old" "$new" "$t_exit" "$t_pub" "$i" <<'PY' || fail "restart $i: see above"
import os, sys
sys.path.insert(0, sys.argv[1])
from imgcheck import load, frac as img_frac
d, old, new = sys.argv[2], bytes.fromhex(sys.argv[3]), bytes.fromhex(sys.argv[4])
t_exit, t_pub, gen = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]

def frac(pix, w, h, bpp, want):
    return img_frac(w, h, bpp, pix, want, step=16)

names = sorted(n for n in os.listdir(d) if n.endswith(".ppm") and n != "tmp.ppm")
assert len(names) >= 3, f"only {len(names)} samples"
gap, last = 0, None
for n in names:
    w, h, bpp, pix = load(os.path.join(d, n))
    t = int(n[:-4])
    fo, fn, fb = (frac(pix, w, h, bpp, c) for c in (old, new, b"\0\0\0"))
    assert fb < 0.05, f"sample at {t}: black covers {fb:.2f}"
    assert fo + fn > 0.85, f"sample at {t}: old {fo:.2f} + new {fn:.2f}, neither frame"
    if t_exit < t < t_pub:
        assert fo > 0.85, f"sample at {t}, after the exit: old frame covers {fo:.2f}"
        gap += 1
    last = fn
# The second of them was taken wholly after the exit.
assert gap >= 2, f"{gap} samples between the exit and the next publish"
assert last > 0.85, f"the last sample shows generation {gen} on {last:.2f}"
span = (int(names[-1][:-4]) - int(names[0][:-4])) / 1e9
print(f"restart {gen}: {len(names)} samples over {span:.2f} s (one per {span / max(len(names) - 1, 1) * 1000:.0f} ms), {gap} while no VMM ran, none black")
PY
	rm -rf "$S"
	if [ $i -eq 1 ]; then
		fb1=$(fbs)
	fi
	i=$((i + 1))
done
ok "$RESTARTS restarts: never black, the old frame kept, each generation shown"

fbn=$(fbs)
echo "framebuffers after restart 1: $fb1, after restart $RESTARTS: $fbn"
[ "$fbn" -eq "$fb1" ] || fail "framebuffer count went from $fb1 to $fbn"
[ "$(daemon_fbs)" -eq 1 ] || fail "the daemon holds $(daemon_fbs) framebuffers, want 1 (vm1's mirror)"
ok "no framebuffer leak over $RESTARTS restarts"

# on-vm-exit=black: the plane shows the VM's own framebuffer, which the
# kernel takes down with the stand-in's file.
expect_frac 2 $BLUE ">" 0.85 "vm2's frame"
kill -TERM "$VM2_PID"
wait "$VM2_PID" || fail "vm2's stand-in exited with status $?"
wait_for 20 log_has_n "vm=vm2 .*on-vm-exit=black action=source-gone" 1 ||
	fail "the daemon did not notice vm2's stand-in exit"
expect_frac 2 000000 ">" 0.99 "black after vm2's VMM exit with on-vm-exit=black"
expect_frac 1 "$(colour $RESTARTS)" ">" 0.85 "vm1 still shows its last generation"

kill -0 "$DAEMON_PID" || fail "directflipd died"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS vm-restart"
