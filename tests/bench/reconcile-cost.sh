#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark (not a pass/fail test): what a `vgpu-assign unbind` + `bind` of
# one VM costs the daemon with 2 VMs bound and with 15 VMs bound, and how
# long a `bind` takes until the plane is committed, against the least any
# program must do for the same modeset (tests/bench/bare-modeset.c
# --commands). One boot of tests/vm/harness/run --outputs 16:
#   tests/vm/harness/run --outputs 16 -- tests/bench/reconcile-cost.sh
#
# Heads 1..15 are plugged (head 0 stays the console's), 15 simulated vGPUs
# (tests/vm/stand-ins/vgpu-standin.c) publish one framebuffer each, and the layout has
# vm1..vm15 with an fb: source each; vm1 and vm2 are bound, the others are
# bound and unbound at run time with vgpu-assign. ROUNDS rounds (default
# 2), each:
#   2 bound   OPS (default 10) times `vgpu-assign unbind vm1` then `bind vm1
#             m1` until vm1's lease is granted again; the daemon's CPU time
#             over them (utime+stime ticks from /proc/PID/stat, and
#             nanoseconds from /proc/PID/schedstat); then an idle window as
#             long; then OPS binds timed by a client of the control socket
#             (tests/bench/bind-latency.py) from the request to the
#             lease-granted event's time_us;
#   15 bound  vm3..vm15 bound, and the same again;
#   and vm3..vm15 unbound again.
# Then directflipd stops and bare-modeset, DRM master, lights Virtual-2 OPS
# times on command (timed by the same client, from its command to the
# commit's return). Prints one JSON object, also written to
# $DF_VM_SHARE/reconcile-cost.json.
set -eu
VM_DIR=$(cd "$(dirname "$0")/../vm" && pwd)
. "$VM_DIR/harness/lib.sh"
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
N=$((${DF_VM_OUTPUTS:-16} - 1))
OPS=${DF_BENCH_OPS:-10}
ROUNDS=${DF_BENCH_ROUNDS:-2}
VA="$DF_BUILD/cli/vgpu-assign"
BARE="$DF_BUILD/tests/bench/bare-modeset"
SOCK="$WORK/control"
[ "$N" -ge 3 ] || fail "needs at least 4 outputs (tests/vm/harness/run --outputs 16)"

h=1
while [ $h -le "$N" ]; do
	"$VMCTL" plug $h 640 480 || fail "plug head $h"
	h=$((h + 1))
done
: >"$WORK/layout.ini"
k=1
while [ $k -le "$N" ]; do
	[ $k -eq 1 ] && c=$RED || c=$BLUE
	mkdir -p "$WORK/vm$k"
	"$STANDIN" --dir "$WORK/vm$k" --color $c --size 640x480 >"$WORK/vm$k.log" 2>&1 &
	CHILDREN="$CHILDREN $!"
	wait_for 60 test -s "$WORK/vm$k/plane0" || fail "stand-in vm$k: $(cat "$WORK/vm$k.log")"
	printf '[monitor.m%s]\nconnector = Virtual-%s\n\n' $k $((k + 1)) >>"$WORK/layout.ini"
	k=$((k + 1))
done
k=1
while [ $k -le "$N" ]; do
	printf '[vm.vm%s]\nsource.0 = fb:%s/vm%s/plane0\n' $k "$WORK" $k >>"$WORK/layout.ini"
	[ $k -gt 2 ] || printf 'monitor = m%s\n' $k >>"$WORK/layout.ini"
	echo >>"$WORK/layout.ini"
	k=$((k + 1))
done

LIBSEAT_BACKEND=noop "$DAEMON" -c "$WORK/layout.ini" --socket "$SOCK" >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
CHILDREN="$CHILDREN $DAEMON_PID"
wait_for 60 log_has_n "action=lease-granted" 2 || fail "vm1 and vm2 were not granted"

ticks() { awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat"; }
nsec() { awk '{ print $1 }' "/proc/$DAEMON_PID/schedstat"; }
va() { "$VA" --socket "$SOCK" "$@" >/dev/null || fail "vgpu-assign $*"; }
leased() { [ "$(grep -c "vm=vm[0-9]* .*action=lease-granted" "$WORK/daemon.log")" -ge "$1" ]; }

# One unbind + bind of vm1, back to granted.
cycle() {
	_g=$(log_count "vm=vm1 .*action=lease-granted")
	va unbind vm1
	va bind vm1 m1
	wait_for 30 log_has_n "vm=vm1 .*action=lease-granted" $((_g + 1)) || fail "vm1 not granted again"
}

# measure LABEL: OPS cycles, an idle window as long, OPS timed binds.
measure() {
	cycle  # warm-up
	_t0=$(ticks) _n0=$(nsec) _w0=$(date +%s%N)
	_i=1
	while [ $_i -le "$OPS" ]; do
		cycle
		_i=$((_i + 1))
	done
	_t1=$(ticks) _n1=$(nsec) _w1=$(date +%s%N)
	sleep "$(awk -v n="$((_w1 - _w0))" 'BEGIN { printf "%.3f", n / 1e9 }')"
	_t2=$(ticks) _n2=$(nsec)
	echo "$1 $((_t1 - _t0)) $((_n1 - _n0)) $((_t2 - _t1)) $((_n2 - _n1)) $((_w1 - _w0))" >>"$WORK/cpu.txt"
	$PY "$BENCH_DIR/bind-latency.py" daemon "$SOCK" "$OPS" >>"$WORK/latency-$1.txt" ||
		fail "timed binds ($1)"
	expect_frac 1 $RED ">" 0.85 "vm1 shown on head 1 ($1 bound)"
}

bind_others() { # bind|unbind
	_k=3
	while [ $_k -le "$N" ]; do
		if [ "$1" = bind ]; then va bind vm$_k m$_k; else va unbind vm$_k; fi
		_k=$((_k + 1))
	done
}

r=1
while [ $r -le "$ROUNDS" ]; do
	measure 2
	_g=$(grep -c "action=lease-granted" "$WORK/daemon.log")
	bind_others bind
	wait_for 120 leased $((_g + N - 2)) || fail "vm3..vm$N were not all granted"
	measure "$N"
	bind_others unbind
	r=$((r + 1))
done

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $?"
$PY "$BENCH_DIR/bind-latency.py" bare "$BARE" "$OPS" >"$WORK/latency-bare.txt" ||
	fail "bare-modeset: $(cat "$WORK/latency-bare.txt")"

$PY - "$WORK" "$N" "$OPS" "$ROUNDS" "${DF_VM_SHARE:-$WORK}/reconcile-cost.json" <<'PY'
import json, statistics, sys
work, n, ops, rounds, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
res = {"ops": ops, "rounds": rounds, "bound": {}}
for line in open(work + "/cpu.txt"):
    label, ticks, ns, idle_ticks, idle_ns, wall = line.split()
    b = res["bound"].setdefault(label, {"ticks": [], "cpu_ms_per_op": [], "idle_ticks": [],
                                        "idle_cpu_ms": [], "window_s": []})
    b["ticks"].append(int(ticks))
    b["cpu_ms_per_op"].append(round(int(ns) / 1e6 / ops, 2))
    b["idle_ticks"].append(int(idle_ticks))
    b["idle_cpu_ms"].append(round(int(idle_ns) / 1e6, 2))
    b["window_s"].append(round(int(wall) / 1e9, 2))
med = lambda v: round(statistics.median(v), 3)
for label in ("2", n, "bare"):
    lat = [float(x) for x in open(work + "/latency-%s.txt" % label).read().split()]
    if label in res["bound"]:
        res["bound"][label]["bind_ms"] = lat
        res["bound"][label]["bind_ms_median"] = med(lat)
    else:
        res["bare_ms"], res["bare_ms_median"] = lat, med(lat)
two, many = res["bound"]["2"], res["bound"][n]
res["ratio_cpu_%s_over_2" % n] = round(sum(many["cpu_ms_per_op"]) / sum(two["cpu_ms_per_op"]), 3)
res["ratio_ticks_%s_over_2" % n] = round(sum(many["ticks"]) / max(1, sum(two["ticks"])), 3)
for label in ("2", n):
    res["ratio_bind_%s_bound_over_bare" % label] = round(
        res["bound"][label]["bind_ms_median"] / res["bare_ms_median"], 3)
text = json.dumps(res, indent=1)
print(text)
open(out, "w").write(text + "\n")
PY
echo "PASS reconcile-cost"
