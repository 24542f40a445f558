#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 5: live reload (SIGHUP) with two VMs on two monitors.
#   1. a layout that moves vm2 from Virtual-3 to Virtual-4: vm2 moves;
#   2. a layout with errors: rejected whole, every error logged, nothing moves;
#   3. the same layout again: nothing changes.
# Throughout, vm1's lessee keeps its id and its pixels.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

two_vm_preamble
plug_heads 3
# The shared layout and a third monitor, far, for vm2 to move to.
layout() { # $1 = vm2's monitor
	VM2_MONITOR=$1
	two_vm_layout
	monitor_ini far Virtual-4
}
layout right >"$WORK/layout.ini"
start_daemon_granted 2

# vm1's lessee: its CRTC as the kernel reports it through the lease fd.
vm1_lease() {
	"$INSPECT" "$DAEMON_PID" | $PY -c '
import json, sys
doc = json.load(sys.stdin)
print(" ".join(str(l["crtcs"][0]) for l in doc["leases"]), len(doc["lessees"]))'
}
lessee_id() { sed -n "s/.*vm=$1 .*lessee=\([0-9]*\) action=lease-granted.*/\1/p" "$WORK/daemon.log" | tail -n 1; }
vm1_id=$(lessee_id vm1)
grants=$(log_count "action=lease-granted")
echo "before: vm1 lessee=$vm1_id leases=$(vm1_lease)"

vm1_crtc=$(vm1_lease | cut -d' ' -f1)
check_vm1() {
	[ "$(log_count "vm=vm1 .*action=lease-revoked")" -eq 0 ] || fail "vm1's lease was revoked ($1)"
	# The daemon's lease fd for vm1 still reaches vm1's CRTC.
	vm1_lease | grep -qw "$vm1_crtc" || fail "vm1's lessee fd lost CRTC $vm1_crtc ($1)"
	[ "$(lessee_id vm1)" = "$vm1_id" ] || fail "vm1 got a new lessee ($1)"
	expect_frac 1 $RED ">" 0.85 "vm1 untouched: $1"
}

# 1. Move vm2.
layout far >"$WORK/layout.ini"
kill -HUP "$DAEMON_PID"
wait_for 30 log_has_n "vm=vm2 monitor=far connector=Virtual-4 .*action=lease-granted" 1 ||
	fail "vm2 did not move to Virtual-4"
grep -q "vm=vm2 .*action=lease-revoked reason=\"binding changed\"" "$WORK/daemon.log" ||
	fail "vm2's old lease was not revoked as a binding change"
expect_frac 3 $BLUE ">" 0.85 "vm2 moved to head 3"
expect_frac 2 $BLUE "==" 0 "vm2 left head 2"
check_vm1 "after moving vm2"

# 2. A layout with three errors: all reported with file:line, nothing changes.
cat >"$WORK/layout.ini" <<INI
[monitor.left]
connector = Virtual-2
[vm.vm1]
monitor = left
planes = 99
source.0 = fb:$WORK/vm1/plane0
[vm.vm2]
monitor = nowhere
scalling = fit
INI
grants=$(log_count "action=lease-granted")
revokes=$(log_count "action=lease-revoked")
kill -HUP "$DAEMON_PID"
wait_for 30 log_has_n "reload failed; the running layout is kept" 1 || fail "bad layout not rejected"
grep -q "layout.ini:5: error: \[vm.vm1\] planes '99'" "$WORK/daemon.log" || fail "planes error not reported"
grep -q "layout.ini:8: error: \[vm.vm2\] monitor 'nowhere' is not defined" "$WORK/daemon.log" ||
	fail "undefined monitor not reported"
grep -q "layout.ini:9: error: unknown key 'scalling' in \[vm.vm2\]; did you mean 'scaling'?" \
	"$WORK/daemon.log" || fail "unknown key not reported"
[ "$(log_count "action=lease-granted")" -eq "$grants" ] || fail "the bad layout granted a lease"
[ "$(log_count "action=lease-revoked")" -eq "$revokes" ] || fail "the bad layout revoked a lease"
expect_frac 3 $BLUE ">" 0.85 "vm2 stays on head 3 after the bad layout"
check_vm1 "after the bad layout"
ok "bad layout rejected whole with every error"

# 3. The same good layout again: no lease changes at all.
layout far >"$WORK/layout.ini"
kill -HUP "$DAEMON_PID"
wait_for 30 log_has_n "reloaded " 2 || fail "third reload not seen"
[ "$(log_count "action=lease-granted")" -eq "$grants" ] || fail "an unchanged layout granted a lease"
[ "$(log_count "action=lease-revoked")" -eq "$revokes" ] || fail "an unchanged layout revoked a lease"
check_vm1 "after an unchanged reload"
expect_frac 3 $BLUE ">" 0.85 "vm2 unchanged"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS reload"
