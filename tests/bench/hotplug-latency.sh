#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark (not a pass/fail test): how long after a monitor is plugged in
# its VM's picture is back, against the least any program must do for the
# same (tests/bench/bare-modeset.c), in one boot. Runs in the VM:
#   tests/vm/harness/run -- tests/bench/hotplug-latency.sh
#
# Phase "daemon": vm1 is bound to head 1; CYCLES times head 1 is unplugged
# (until vm1's lease is revoked) and plugged back (until it is granted).
# Phase "bare": directflipd is stopped and bare-modeset, DRM master, lights
# head 1 on each plug. ROUNDS rounds (default 5) of one daemon phase and
# one bare phase, CYCLES plugs each (default 10): drift in the emulator hits
# both sides of a round alike, and the per-round ratios show the noise. Times are CLOCK_MONOTONIC, from the kernel's HOTPLUG=1 uevent
# (as `udevadm monitor --kernel` received it) to "done":
#   directflipd  the lease-granted event's time_us, taken after the commit
#                of the restored lease returned;
#   bare         after its modeset commit returned.
# Both programs read udevd's copy of the uevent, so udevd's time is in both;
# bare-modeset also reports its own udev-event-to-commit time.
# Prints one JSON object, also written to $DF_VM_SHARE/hotplug-latency.json.
set -eu
VM_DIR=$(cd "$(dirname "$0")/../vm" && pwd)
. "$VM_DIR/harness/lib.sh"
CYCLES=${DF_BENCH_CYCLES:-10}
ROUNDS=${DF_BENCH_ROUNDS:-5}
BARE="$DF_BUILD/tests/bench/bare-modeset"
VA="$DF_BUILD/cli/vgpu-assign"
SOCK="$WORK/control"

"$VMCTL" plug 1 1024 768 || fail "plug head 1"
start_standin vm1 $RED --size 1024x768
cat >"$WORK/layout.ini" <<INI
[monitor.left]
connector = Virtual-2
[vm.vm1]
monitor = left
source.0 = fb:$WORK/vm1/plane0
INI

udevadm monitor --kernel --udev --property --subsystem-match=drm >"$WORK/uevents.log" 2>&1 &
CHILDREN="$CHILDREN $!"
sleep 1
uptime_s() { cut -d' ' -f1 /proc/uptime; }

run_daemon_phase() { # $1 = phase number
	LIBSEAT_BACKEND=noop "$DAEMON" -c "$WORK/layout.ini" --socket "$SOCK" >"$WORK/daemon.log" 2>&1 &
	DAEMON_PID=$!
	wait_for 30 log_has_n "vm=vm1 .*action=lease-granted" 1 || fail "vm1's lease was not granted"
	"$VA" --socket "$SOCK" --json watch >"$WORK/events$1.log" 2>"$WORK/watch$1.err" &
	_watch=$!
	wait_for 10 grep -q watching "$WORK/watch$1.err" || fail "vgpu-assign watch did not start"
	_i=1
	while [ $_i -le "$CYCLES" ]; do
		_g=$(log_count "vm=vm1 .*action=lease-granted")
		_r=$(log_count "vm=vm1 .*action=lease-revoked")
		"$VMCTL" unplug 1 || fail "unplug head 1"
		wait_for 30 log_has_n "vm=vm1 .*action=lease-revoked" $((_r + 1)) || fail "no revoke (cycle $_i)"
		echo "daemon $1 $(uptime_s)" >>"$WORK/plugs.log"
		"$VMCTL" plug 1 1024 768 || fail "plug head 1"
		wait_for 30 log_has_n "vm=vm1 .*action=lease-granted" $((_g + 1)) || fail "no grant (cycle $_i)"
		_i=$((_i + 1))
	done
	expect_frac 1 $RED ">" 0.85 "daemon phase $1: vm1 back on head 1"
	kill "$_watch"
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || fail "directflipd exited with status $?"
}

run_bare_phase() { # $1 = phase number
	"$BARE" Virtual-2 "$CYCLES" >"$WORK/bare$1.log" 2>&1 &
	_bare=$!
	CHILDREN="$CHILDREN $_bare"  # it waits to be killed, even on failure
	wait_for 10 grep -q ready "$WORK/bare$1.log" || fail "bare-modeset: $(cat "$WORK/bare$1.log")"
	_i=1
	while [ $_i -le "$CYCLES" ]; do
		_on=$(grep -c t_done "$WORK/bare$1.log" || true)
		_off=$(grep -c '^off' "$WORK/bare$1.log" || true)
		"$VMCTL" unplug 1 || fail "unplug head 1"
		[ $_i -eq 1 ] || wait_for 30 log_lines "$WORK/bare$1.log" '^off' $((_off + 1)) ||
			fail "bare-modeset did not turn head 1 off (cycle $_i)"
		echo "bare $1 $(uptime_s)" >>"$WORK/plugs.log"
		"$VMCTL" plug 1 1024 768 || fail "plug head 1"
		wait_for 30 log_lines "$WORK/bare$1.log" t_done $((_on + 1)) ||
			fail "bare-modeset did not light head 1 (cycle $_i): $(cat "$WORK/bare$1.log")"
		_i=$((_i + 1))
	done
	expect_frac 1 $RED ">" 0.85 "bare phase $1: head 1 lit"
	kill "$_bare"
	wait "$_bare" 2>/dev/null || true
}
log_lines() { [ "$(grep -c "$2" "$1")" -ge "$3" ]; }

_p=1
while [ $_p -le "$ROUNDS" ]; do
	run_daemon_phase $_p
	run_bare_phase $_p
	_p=$((_p + 1))
done

$PY - "$WORK" "$CYCLES" "$ROUNDS" "${DF_VM_SHARE:-$WORK}/hotplug-latency.json" <<'PY'
import json, re, statistics, sys
work, cycles, rounds, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
# Kernel uevents with HOTPLUG=1 (not LEASE=1), as udevadm received them.
kernel = []
head = None
for line in open(work + "/uevents.log"):
    m = re.match(r"(KERNEL|UDEV)\s*\[(\d+\.\d+)\]\s+change\s", line)
    if m:
        head = float(m.group(2)) if m.group(1) == "KERNEL" else None
    elif line.strip() == "HOTPLUG=1" and head is not None:
        kernel.append(head)
        head = None
plugs = [l.split() for l in open(work + "/plugs.log")]
done, bare_own = {}, []
for phase in [str(p) for p in range(1, rounds + 1)]:
    done[("daemon", phase)] = [json.loads(l)["time_us"] / 1e6 for l in open(work + "/events%s.log" % phase)
                               if '"lease-granted"' in l]
    rows = [json.loads(l) for l in open(work + "/bare%s.log" % phase) if "t_done" in l]
    done[("bare", phase)] = [r["t_done_us"] / 1e6 for r in rows]
    bare_own += [(r["t_done_us"] - r["t_udev_us"]) / 1e3 for r in rows]
first_after = lambda seq, t: next(x for x in seq if x >= t)
lat = {"daemon": [], "bare": []}
for who, phase, t in plugs:
    k = first_after(kernel, float(t) - 0.01)  # /proc/uptime has 10 ms steps
    lat[who].append((first_after(done[(who, phase)], k) - k) * 1e3)
med = lambda v: round(statistics.median(v), 2)
p90 = lambda v: round(sorted(v)[int(0.9 * (len(v) - 1))], 2)
res = {"cycles_per_phase": cycles, "phases_each": rounds, "unit": "ms"}
for who, v in lat.items():
    res[who + "_median"], res[who + "_p90"] = med(v), p90(v)
res["ratio_median"] = round(res["daemon_median"] / res["bare_median"], 3)
res["daemon_share_median"] = round(res["daemon_median"] - res["bare_median"], 2)
res["bare_udev_to_done_median"] = med(bare_own)
# Per round (one daemon phase and the bare phase right after it): drift in
# the emulator moves both sides of a round alike.
res["ratio_rounds"] = []
for h in range(rounds):
    sl = slice(h * cycles, (h + 1) * cycles)
    res["ratio_rounds"].append(round(statistics.median(lat["daemon"][sl]) / statistics.median(lat["bare"][sl]), 3))
res["ratio_rounds_median"] = round(statistics.median(res["ratio_rounds"]), 3)
res["raw"] = {who: [round(x, 2) for x in v] for who, v in lat.items()}
text = json.dumps(res, indent=1)
print(text)
open(out, "w").write(text + "\n")
PY
echo "PASS hotplug-latency"
