#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 4: `vgpu-assign exec vm1 -- lessee-demo` hands the lease fd to a
# program that flips its own frames on vm1's monitor, with no daemon work.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

DEMO="$DF_BUILD/tests/vm/lessee-demo"

start_two_vms
expect_frac 1 $RED ">" 0.85 "vm1's stand-in before the demo"

# The command sees fd 3 and DIRECTFLIP_LEASE_FD=3, and nothing else leaks.
"$VA" exec vm1 -- sh -c 'test "$DIRECTFLIP_LEASE_FD" = 3 && readlink /proc/self/fd/3' >"$WORK/fd3" ||
	fail "exec: the command did not get fd 3"
grep -q "^/dev/dri/card" "$WORK/fd3" || fail "fd 3 is $(cat "$WORK/fd3"), not the DRM device"
ok "exec: fd 3 is $(cat "$WORK/fd3")"
"$VA" exec vm1 -- sh -c 'ls /proc/$$/fd' >"$WORK/fds"
[ "$(tr '\n' ' ' <"$WORK/fds")" = "0 1 2 3 " ] || fail "exec leaked fds: $(tr '\n' ' ' <"$WORK/fds")"
ok "exec: the command inherits fds 0-3 only"
set +e
"$VA" exec vm1 -- /nonexistent/program 2>"$WORK/err"; st=$?
set -e
[ $st -eq 127 ] || fail "exec of a missing program: status $st"
ok "exec of a missing program: exit 127"

"$VA" exec vm1 -- "$DEMO" >"$WORK/demo.log" 2>&1 &
DEMO_PID=$!
CHILDREN="$CHILDREN $DEMO_PID"
wait_for 30 grep -q "frame 1" "$WORK/demo.log" || { cat "$WORK/demo.log"; fail "lessee-demo did not flip"; }
wakeups_before=$(grep -c . "$WORK/daemon.log")
expect_frac 1 $GREEN ">" 0.85 "lessee-demo's green on vm1's monitor"
expect_frac 1 $RED "<" 0.01 "the stand-in's red is replaced by the demo"
expect_frac 2 $BLUE ">" 0.85 "vm2's monitor untouched"
expect_frac 2 $GREEN "==" 0 "no demo pixel on vm2's monitor"
expect_frac 0 $GREEN "==" 0 "no demo pixel on the host console"
[ "$(grep -c . "$WORK/daemon.log")" -eq "$wakeups_before" ] || fail "the daemon logged while the demo flipped"
kill -0 "$DEMO_PID" || fail "lessee-demo exited early"
kill -TERM "$DEMO_PID"
wait "$DEMO_PID" || fail "lessee-demo exited with status $?"
cat "$WORK/demo.log"
frames=$(sed -n 's/^lessee-demo: \([0-9]*\) frames$/\1/p' "$WORK/demo.log")
[ "${frames:-0}" -ge 2 ] || fail "lessee-demo flipped ${frames:-0} frames"
ok "lessee-demo flipped $frames frames by itself"
"$VA" leases | grep -q "^vm1 " || fail "vm1's lease is gone after the demo exited"
ok "vm1's lease outlives the demo"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS control-exec"
