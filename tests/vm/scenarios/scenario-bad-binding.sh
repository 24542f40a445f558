#!/bin/sh
# SPDX-License-Identifier: MIT
# A binding that cannot be met gets a clear error naming the vm, the
# monitor and the reason, and leaves the other bindings untouched:
#   vm2 asks for a mode its monitor lacks;
#   vm3 shares vm1's monitor (share = failover) and must wait for it.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

LEFT_KEYS="share = failover"
VM2_KEYS="mode = 1234x567"
two_vm_preamble
start_standin vm3 $GREEN --size 1024x768
vm_ini vm3 left "fb:$SRC/vm3/plane0" >>"$WORK/layout.ini"

start_daemon "$WORK/layout.ini"
wait_for 30 log_has_n "action=lease-granted" 1 || fail "vm1 was not granted"
wait_for 30 log_has_n "vm=vm2 .*state=failed" 1 || fail "vm2's bad mode was not reported"
wait_for 30 log_has_n "vm=vm3 .*state=waiting" 1 || fail "vm3 was not told to wait"
grep "vm=vm2" "$WORK/daemon.log"
grep "vm=vm3" "$WORK/daemon.log"
grep -q 'vm=vm2 monitor=right state=failed reason="connector Virtual-3 offers no mode 1234x567"' \
	"$WORK/daemon.log" || fail "vm2's message does not name the monitor, connector and mode"
grep -q 'vm=vm3 monitor=left state=waiting reason="monitor left (Virtual-2) is shown by vm vm1"' \
	"$WORK/daemon.log" || fail "vm3's message does not say who holds the monitor"
[ "$(log_count "action=lease-granted")" -eq 1 ] || fail "more than one lease was granted"
ok "errors name vm, monitor and reason"

expect_frac 1 $RED ">" 0.85 "vm1 is shown in spite of the others' failures"
expect_frac 1 $GREEN "==" 0 "vm3 does not steal vm1's monitor"
expect_frac 2 $BLUE "==" 0 "vm2 shows nothing with a bad mode"

"$INSPECT" "$DAEMON_PID" >"$WORK/inspect.json" || fail "lease-inspect failed"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["lessees"]) == 1, d' \
	"$WORK/inspect.json" || fail "want exactly one lessee"
ok "exactly one lease"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS bad-binding"
