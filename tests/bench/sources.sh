#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark (not a pass/fail test): daemon work per guest frame for every
# plane source and the lease path, side by side in one boot.
# Runs in the VM: tests/vm/harness/run -- tests/bench/sources.sh
#   fb      the vGPU stand-in draws FRAMES frames in place (flushed through
#           the daemon's lessee file, see tests/vm/stand-ins/inplace-frames.h)
#   client  a simulated VMM (tests/vm/tools/dmabuf-client) sends update-dmabuf
#           for FRAMES frames, flipping between 2 imported buffers
#   gvt     a simulated GVT-g sysfs (tests/vm/stand-ins/gvt-fuse-standin) flips plane
#           0 FRAMES times between 2 framebuffer ids at 60 fps, signalling
#           each as a change (POLLPRI)
#   gvt_inplace  the same stand-in plays FRAMES frames inside plane 0's
#           framebuffer, its id kept (GVT-g v1's model), signalling nothing
#   vfio_a  a simulated vGPU (tests/vm/stand-ins/vfio-cuse-standin, DRM plane type)
#           does the same through VFIO_DEVICE_QUERY_GFX_PLANE
#   vfio_a_inplace  and the same in place
#   lease   a VMM holding the lease fd (tests/vm/tools/lessee-demo, through
#           vgpu-assign exec) page-flips FRAMES frames itself
#   vfio_c  a simulated vGPU (tests/vm/stand-ins/vfio-cuse-standin, GET_GFX_DMABUF
#           through seccomp) flips FRAMES times between 2 dmabuf_ids at
#           60 fps; a second daemon polls it at the monitor's refresh rate
# The first five paths share one daemon; vfio_c needs a second one.
# Each is run twice: once counted (context switches from /proc/PID/status,
# CPU time in ns from /proc/PID/schedstat), once under strace -c.
# Prints one JSON object, also written to $DF_VM_SHARE/sources.json.
set -eu
VM_DIR=$(cd "$(dirname "$0")/../vm" && pwd)
. "$VM_DIR/harness/lib.sh"
FRAMES=${DF_BENCH_FRAMES:-600}
VA="$DF_BUILD/cli/vgpu-assign"
CLIENT="$DF_BUILD/tests/vm/dmabuf-client"

"$VMCTL" plug 1 1024 768 || fail "plug head 1"
start_standin vm1 $RED --size 1024x768 --frames "$FRAMES" --on-signal \
	--flush-pid-file "$WORK/daemon.pid"
S1=$(echo $CHILDREN | awk '{ print $NF }')
cat >"$WORK/layout.ini" <<INI
[monitor.left]
connector = Virtual-2

[vm.vm1]
monitor = left
source.0 = fb:$WORK/vm1/plane0
INI
start_daemon "$WORK/layout.ini"
echo "$DAEMON_PID" >"$WORK/daemon.pid"
wait_for 30 log_has_n "action=lease-granted" 1 || fail "vm1's lease was not granted"

ctx() { awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$DAEMON_PID/status"; }
cpu_ns() { awk '{ print $1 }' "/proc/$DAEMON_PID/schedstat"; }
log_lines() { [ "$(grep -c "$2" "$1")" -ge "$3" ]; }
strace_on() {
	strace -c -f -p "$DAEMON_PID" -o "$WORK/strace-$1.txt" 2>"$WORK/strace.err" &
	ST=$!
	wait_for 10 grep -q "TracerPid:[[:space:]]*[1-9]" "/proc/$DAEMON_PID/status" ||
		fail "strace did not attach"
}
strace_off() {
	kill -INT "$ST"
	wait "$ST" 2>/dev/null || true
	awk '$NF == "total" { print (NF >= 5 ? $4 : $3) }' "$WORK/strace-$1.txt" | grep . || echo 0
}

# fb: counted run, then traced run.
fb_run() {
	kill -USR1 "$S1"
	wait_for 300 log_lines "$WORK/vm1.log" animated "$1" || fail "stand-in did not finish run $1"
	grep animated "$WORK/vm1.log" | tail -n 1 | grep -q "flushed=$FRAMES\$" ||
		fail "frames not all flushed: $(cat "$WORK/vm1.log")"
}
# Settle: the plug's udev events and the first passes are not frame work.
sleep 5
c0=$(ctx); t0=$(cpu_ns); s0=$(date +%s%N)
fb_run 1
fb_ctx=$(($(ctx) - c0)); fb_ns=$(($(cpu_ns) - t0)); len_ns=$(($(date +%s%N) - s0))
# An idle window of the same length: what the daemon does without frames.
c0=$(ctx); t0=$(cpu_ns)
sleep "$(awk -v n="$len_ns" 'BEGIN { printf "%.3f", n / 1e9 }')"
idle_ctx=$(($(ctx) - c0)); idle_ns=$(($(cpu_ns) - t0))
strace_on fb
fb_run 2
fb_calls=$(strace_off fb)

# client: the plane now takes its frames from a client.
"$VA" map vm1 0 client >/dev/null || fail "map vm1 0 client"
wait_for 30 log_has_n "action=lease-granted" 2 || fail "vm1 was not granted again"
client_run() {
	"$CLIENT" --vm vm1 --color $BLUE --buffers 2 --updates "$FRAMES" >"$WORK/client$1.log" 2>&1 &
	CP=$!
	wait_for 60 grep -q "^buffer 2" "$WORK/client$1.log" || fail "client: $(cat "$WORK/client$1.log")"
	c0=$(ctx); t0=$(cpu_ns)
	wait_for 300 grep -q "^updates ok" "$WORK/client$1.log" || fail "client: $(cat "$WORK/client$1.log")"
	CL_CTX=$(($(ctx) - c0)); CL_NS=$(($(cpu_ns) - t0))
	kill -TERM "$CP"
	wait "$CP" || true
}
client_run 1
cl_ctx=$CL_CTX; cl_ns=$CL_NS
strace_on client
client_run 2
cl_calls=$(strace_off client)

# vf_report LOG PID: the vfio stand-in's query count now.
vf_report() {
	_n=$(grep -c '^report ' "$1" || true)
	kill -WINCH "$2"
	wait_for 20 log_lines "$1" '^report ' $((_n + 1)) || fail "no report from the vfio stand-in"
	sed -n 's/^report queries=\([0-9]*\).*/\1/p' "$1" | tail -n 1
}
commits() { grep -c "action=planes-mapped" "$WORK/daemon.log" || true; }

# inplace_run LOG PID N: the stand-in's Nth run of FRAMES frames drawn in
# place (SIGTTOU); every frame must have been flushed to the plane, and
# the last one must be on the monitor: 600 = bits 3, 4, 6 and 9 of the
# counter band (tests/vm/stand-ins/inplace-frames.h), so bar 3 black, bar 0 white.
inplace_run() {
	kill -TTOU "$2"
	wait_for 300 log_lines "$1" "^inplace" "$3" || fail "no in-place run $3: $(cat "$1")"
	grep "^inplace" "$1" | tail -n 1 | grep -q " flushed=$FRAMES " ||
		fail "in-place frames not all flushed: $(cat "$1")"
	[ "$FRAMES" != 600 ] && return 0
	"$VMCTL" screendump 1 "$WORK/inplace.ppm" || fail "screendump of head 1 failed"
	_b3=$("$VM_DIR/harness/imgcheck.py" at "$WORK/inplace.ppm" 116 32)
	_b0=$("$VM_DIR/harness/imgcheck.py" at "$WORK/inplace.ppm" 20 32)
	[ "$_b3" = 000000 ] && [ "$_b0" = ffffff ] ||
		fail "frame 600 is not on head 1 (bar 3 $_b3, bar 0 $_b0)"
}
inplace_count() { sed -n "s/^inplace .*$2=\([0-9]*\).*/\1/p" "$1" | tail -n 1; }

# gvt-sysfs: vm1's plane now reads plane_id_index; each guest flip is a
# change of framebuffer id, which the daemon follows (docs/sources.md).
GVT="$DF_BUILD/tests/vm/gvt-fuse-standin"
MDEV="$WORK/mdev/a297db4a-f4c2-11e6-90f6-d3b88d6c9525"
mkdir -p "$MDEV"
"$GVT" --mount "$MDEV" --color $RED --flip-color $BLUE --frames "$FRAMES" --frame-ms 16 \
	--flush-pid-file "$WORK/daemon.pid" >"$WORK/gvt.log" 2>&1 &
GP=$!
CHILDREN="$CHILDREN $GP"
wait_for 20 test -e "$MDEV/intel_vgpu/plane_id_index" || fail "gvt stand-in: $(cat "$WORK/gvt.log")"
"$VA" map vm1 0 "gvt-sysfs:$MDEV#0" >/dev/null || fail "map vm1 0 gvt-sysfs"
wait_for 30 log_has_n "action=lease-granted" 3 || fail "vm1 was not granted for gvt-sysfs"
sleep 3
gvt_run() {
	kill -ALRM "$GP"
	wait_for 300 log_lines "$WORK/gvt.log" "^animated" "$1" || fail "gvt stand-in did not finish run $1"
}
m0=$(commits); c0=$(ctx); t0=$(cpu_ns)
gvt_run 1
gv_ctx=$(($(ctx) - c0)); gv_ns=$(($(cpu_ns) - t0)); gv_commits=$(($(commits) - m0))
gv_reads=$(sed -n 's/^animated .*reads=\([0-9]*\).*/\1/p' "$WORK/gvt.log" | tail -n 1)
strace_on gvt
gvt_run 2
gv_calls=$(strace_off gvt)
gv_reads2=$(sed -n 's/^animated .*reads=\([0-9]*\).*/\1/p' "$WORK/gvt.log" | tail -n 1)

# gvt-sysfs, the guest flipping inside one framebuffer id.
sleep 3
m0=$(commits); c0=$(ctx); t0=$(cpu_ns)
inplace_run "$WORK/gvt.log" "$GP" 1
gi_ctx=$(($(ctx) - c0)); gi_ns=$(($(cpu_ns) - t0)); gi_commits=$(($(commits) - m0))
gi_reads=$(inplace_count "$WORK/gvt.log" reads)
strace_on gvt-inplace
inplace_run "$WORK/gvt.log" "$GP" 2
gi_calls=$(strace_off gvt-inplace)

# vfio form (a): the DRM plane type, POLLPRI on each flip; no seccomp
# needed (no dma-buf is fetched).
CUSE="$DF_BUILD/tests/vm/vfio-cuse-standin"
"$CUSE" --name vfio-bench-a --offer drm --color $RED --flip-color $BLUE --frames "$FRAMES" \
	--frame-ms 16 --flush-pid-file "$WORK/daemon.pid" >"$WORK/vfio-a.log" 2>&1 &
AP=$!
CHILDREN="$CHILDREN $AP"
wait_for 20 test -c /dev/vfio-bench-a || fail "vfio (a) stand-in: $(cat "$WORK/vfio-a.log")"
"$VA" map vm1 0 vfio:/dev/vfio-bench-a >/dev/null || fail "map vm1 0 vfio (a)"
wait_for 30 log_has_n "action=lease-granted" 4 || fail "vm1 was not granted for vfio (a)"
sleep 3
va_run() {
	kill -ALRM "$AP"
	wait_for 300 log_lines "$WORK/vfio-a.log" "^animated" "$1" || fail "vfio (a) stand-in did not finish run $1"
}
q0=$(vf_report "$WORK/vfio-a.log" "$AP"); m0=$(commits); c0=$(ctx); t0=$(cpu_ns)
va_run 1
va_ctx=$(($(ctx) - c0)); va_ns=$(($(cpu_ns) - t0)); va_commits=$(($(commits) - m0))
va_queries=$(($(vf_report "$WORK/vfio-a.log" "$AP") - q0))
strace_on vfio-a
va_run 2
va_calls=$(strace_off vfio-a)

# vfio (a), the guest flipping inside one framebuffer id.
sleep 3
m0=$(commits); c0=$(ctx); t0=$(cpu_ns)
inplace_run "$WORK/vfio-a.log" "$AP" 1
ai_ctx=$(($(ctx) - c0)); ai_ns=$(($(cpu_ns) - t0)); ai_commits=$(($(commits) - m0))
ai_queries=$(inplace_count "$WORK/vfio-a.log" queries)
strace_on vfio-a-inplace
inplace_run "$WORK/vfio-a.log" "$AP" 2
ai_calls=$(strace_off vfio-a-inplace)

# The lease path: a VMM takes vm1's lease fd (get-lease, through
# vgpu-assign exec) and flips FRAMES frames itself. The daemon hears of
# the request; the sleep puts that outside the window. The counted window
# runs from the first frame to the demo's exit; the traced one starts a
# few idle seconds earlier (strace must attach before the first frame).
DEMO="$DF_BUILD/tests/vm/lessee-demo"
lease_run() {
	"$VA" exec vm1 -- sh -c "echo ready; sleep 5; exec '$DEMO' --frames $FRAMES" \
		>"$WORK/demo$1.log" 2>&1 &
	DP=$!
	wait_for 30 grep -q "^ready" "$WORK/demo$1.log" || fail "exec: $(cat "$WORK/demo$1.log")"
	[ "$1" = 1 ] || strace_on lease
	wait_for 30 grep -q "frame 1" "$WORK/demo$1.log" || fail "lessee-demo: $(cat "$WORK/demo$1.log")"
	c0=$(ctx); t0=$(cpu_ns)
	wait "$DP" || fail "lessee-demo exited with $?: $(cat "$WORK/demo$1.log")"
	LS_CTX=$(($(ctx) - c0)); LS_NS=$(($(cpu_ns) - t0))
	grep -q "^lessee-demo: $FRAMES frames" "$WORK/demo$1.log" || fail "lessee-demo: $(cat "$WORK/demo$1.log")"
}
lease_run 1
ls_ctx=$LS_CTX; ls_ns=$LS_NS
lease_run 2
ls_calls=$(strace_off lease)

# vfio form (c): a new daemon, started by the seccomp launcher so that the
# simulated vGPU answers its VFIO_DEVICE_GET_GFX_DMABUF (docs/sources.md);
# the first daemon ran without the filter, so the paths above are unaffected.
# Another vm name: vm1's runtime binding (vfio (a)) is kept in state.json.
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
SOCK="$WORK/supervisor.sock"
"$CUSE" --name vfio-bench --offer dmabuf --color $RED --flip-color $BLUE --frames "$FRAMES" \
	--frame-ms 16 --seccomp-socket "$SOCK" >"$WORK/vfio.log" 2>&1 &
VP=$!
CHILDREN="$CHILDREN $VP"
wait_for 20 test -c /dev/vfio-bench || fail "vfio stand-in: $(cat "$WORK/vfio.log")"
wait_for 20 test -S "$SOCK" || fail "vfio stand-in: $(cat "$WORK/vfio.log")"
cat >"$WORK/layout-vfio.ini" <<INI
[monitor.left]
connector = Virtual-2

[vm.vfio1]
monitor = left
source.0 = vfio:/dev/vfio-bench
INI
: >"$WORK/daemon.log"
LIBSEAT_BACKEND=noop "$DF_BUILD/tests/vm/seccomp-launch" "$SOCK" "$DAEMON" -c "$WORK/layout-vfio.ini" \
	>"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
CHILDREN="$CHILDREN $DAEMON_PID"
wait_for 30 log_has_n "action=lease-granted" 1 || fail "vfio1 was not granted"
wait_for 30 grep -q '^get-dmabuf id=1 ' "$WORK/vfio.log" || fail "vfio: no frame: $(cat "$WORK/daemon.log")"
sleep 5
vfio_run() {
	kill -ALRM "$VP"
	wait_for 300 log_lines "$WORK/vfio.log" "^animated" "$1" || fail "vfio stand-in did not finish run $1"
}
q0=$(vf_report "$WORK/vfio.log" "$VP"); m0=$(grep -c "action=planes-mapped" "$WORK/daemon.log" || true)
c0=$(ctx); t0=$(cpu_ns); s0=$(date +%s%N)
vfio_run 1
vf_ctx=$(($(ctx) - c0)); vf_ns=$(($(cpu_ns) - t0)); vf_len_ns=$(($(date +%s%N) - s0))
vf_queries=$(($(vf_report "$WORK/vfio.log" "$VP") - q0))
vf_gets=$(sed -n 's/^animated .*gets=\([0-9]*\).*/\1/p' "$WORK/vfio.log" | tail -n 1)
vf_commits=$(($(grep -c "action=planes-mapped" "$WORK/daemon.log" || true) - m0))
strace_on vfio
vfio_run 2
vf_calls=$(strace_off vfio)

json=$(printf '{"frames":%s,"idle":{"ctx_switches":%s,"cpu_ns":%s},"fb":{"ctx_switches":%s,"cpu_ns":%s,"syscalls":%s},"client":{"ctx_switches":%s,"cpu_ns":%s,"syscalls":%s},"gvt":{"ctx_switches":%s,"cpu_ns":%s,"syscalls":%s,"reads":%s,"reads_traced":%s,"commits":%s},"gvt_inplace":{"ctx_switches":%s,"cpu_ns":%s,"syscalls":%s,"reads":%s,"commits":%s},"vfio_a":{"ctx_switches":%s,"cpu_ns":%s,"syscalls":%s,"queries":%s,"commits":%s},"vfio_a_inplace":{"ctx_switches":%s,"cpu_ns":%s,"syscalls":%s,"queries":%s,"commits":%s},"lease":{"ctx_switches":%s,"cpu_ns":%s,"syscalls":%s},"vfio_c":{"ctx_switches":%s,"cpu_ns":%s,"syscalls":%s,"window_ns":%s,"queries":%s,"gets":%s,"commits":%s}}' \
	"$FRAMES" "$idle_ctx" "$idle_ns" "$fb_ctx" "$fb_ns" "$fb_calls" "$cl_ctx" "$cl_ns" "$cl_calls" \
	"$gv_ctx" "$gv_ns" "$gv_calls" "$gv_reads" "$gv_reads2" "$gv_commits" \
	"$gi_ctx" "$gi_ns" "$gi_calls" "$gi_reads" "$gi_commits" \
	"$va_ctx" "$va_ns" "$va_calls" "$va_queries" "$va_commits" \
	"$ai_ctx" "$ai_ns" "$ai_calls" "$ai_queries" "$ai_commits" "$ls_ctx" "$ls_ns" "$ls_calls" \
	"$vf_ctx" "$vf_ns" "$vf_calls" "$vf_len_ns" "$vf_queries" "$vf_gets" "$vf_commits")
echo "$json" | tee "$DF_VM_SHARE/sources.json"
for f in client gvt gvt-inplace vfio-a vfio-a-inplace lease; do cat "$WORK/strace-$f.txt"; done
cat "$WORK/strace-vfio.txt"
