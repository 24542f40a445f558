#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 6 (libseat disable/enable) and issue 10 (session loss): a VT switch
# away takes DRM master from directflipd through libseat's builtin seatd; the
# console then owns the display. Leases are kept (same lessees), clients get
# seat-disabled; a monitor unplugged meanwhile is dealt with on return. On
# the switch back every kept lease's picture is committed again, with no
# command given, and clients get seat-enabled. The seat's keyboard (a
# simulated one, made with uinput) goes with it: a key held at the switch
# is released on the VM, keys typed while away reach no VM, and typing
# reaches the VM again after the switch back.
set -eu
. "$(dirname "$0")/../harness/lib.sh"
CHECK="$DF_BUILD/tests/vm/input-check"
SOCK="$WORK/control"
chvt() { busybox chvt "$1"; }
active_vt() { cat /sys/class/tty/tty0/active; }
lessees() { "$INSPECT" "$DAEMON_PID" | sed -n 's/.*"lessees":\[\([0-9,]*\)\].*/\1/p'; }
# The CRTCs the lessee files still hold (GET_LEASE works without master;
# LIST_LESSEES, on the lessor, does not).
leased_crtcs() { "$INSPECT" "$DAEMON_PID" | grep -o '"crtcs":\[[0-9]\+\]' | tr '\n' ' '; }

[ "$(active_vt)" = tty1 ] || fail "the guest's active VT is $(active_vt), not tty1"
# The shared preamble; the seat's keyboard goes to vm1.
VM1_KEYS="input = desk"
two_vm_preamble
{
	echo "[seat.desk]"
	ini input ID_INPUT_KEYBOARD=1
} >>"$WORK/layout.ini"
# builtin: libseat's embedded seatd, which does VT switching for real.
LIBSEAT_BACKEND=builtin "$DAEMON" -c "$WORK/layout.ini" --socket "$SOCK" >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
CHILDREN="$CHILDREN $DAEMON_PID"
wait_for 30 log_has_n "action=lease-granted" 2 || fail "two leases were not granted"
grep -q "seat=seat0" "$WORK/daemon.log" || fail "not on seatd's seat0"
"$VA" --socket "$SOCK" --json watch >"$WORK/events.log" 2>"$WORK/watch.err" &
CHILDREN="$CHILDREN $!"
wait_for 10 grep -q watching "$WORK/watch.err" || fail "vgpu-assign watch did not start"
expect_frac 1 $RED ">" 0.85 "vm1 before the switch"
expect_frac 2 $BLUE ">" 0.85 "vm2 before the switch"
# A key goes down on vm1 and stays down across the switch.
mkfifo "$WORK/kbd-in"
"$CHECK" seat-switch "$WORK/input/vm1-keyboard" <"$WORK/kbd-in" >"$WORK/kbd-out" 2>&1 &
KBD=$!
CHILDREN="$CHILDREN $KBD"
exec 3>"$WORK/kbd-in"
wait_for 40 grep -q held "$WORK/kbd-out" || fail "input-check: $(cat "$WORK/kbd-out")"
before=$(lessees)
crtcs_before=$(leased_crtcs)
[ -n "$crtcs_before" ] || fail "lease-inspect sees no leased CRTC"

chvt 2
wait_for 20 log_has_n "seat disabled" 1 || fail "no seat disable after chvt 2"
wait_for 10 grep -q '"seat-disabled"' "$WORK/events.log" || fail "no seat-disabled event"
[ "$(active_vt)" = tty2 ] || fail "the VT did not switch"
# The console owns the display now: the test would prove nothing otherwise.
expect_frac 1 $RED "<" 0.05 "the console took head 1 while the seat is away"
[ "$(leased_crtcs)" = "$crtcs_before" ] || fail "leases changed while away: $crtcs_before -> $(leased_crtcs)"
ok "seat away: both lessee files still hold their CRTCs ($crtcs_before), seat-disabled sent"
echo away >&3
wait_for 20 grep -q typed "$WORK/kbd-out" || fail "input while away: $(cat "$WORK/kbd-out")"
ok "seat away: the key held on vm1 was released there, and keys typed now reach no VM"
"$VMCTL" unplug 2 || fail "unplug head 2"
sleep 1
log_has_n "vm=vm2 .*action=lease-revoked" 1 && fail "acted on a hotplug without master"

chvt 1
wait_for 20 log_has_n "action=lease-restored" 1 || fail "nothing restored after chvt 1"
wait_for 10 grep -q '"seat-enabled"' "$WORK/events.log" || fail "no seat-enabled event"
wait_for 20 log_has_n "vm=vm2 .*action=lease-revoked" 1 || fail "vm2's lease was not revoked on return (its monitor left)"
expect_frac 1 $RED ">" 0.85 "vm1's picture is back after the switch, with no command given"
echo back >&3
wait "$KBD" || fail "input after the switch back: $(cat "$WORK/kbd-out")"
exec 3>&-
ok "seat back: typing reaches vm1 again"
grep -q "vm=vm1 .*action=lease-restored" "$WORK/daemon.log" || fail "vm1 was not restored"
case ",$(lessees)," in
*",${before%%,*},"*) ok "vm1 kept its lease through the switch (lessees now $(lessees))" ;;
*) fail "vm1's lessee ${before%%,*} is gone: $(lessees)" ;;
esac
"$VMCTL" plug 2 1024 768 || fail "plug head 2"
wait_for 30 log_has_n "vm=vm2 .*action=lease-granted" 2 || fail "vm2 not granted after replug"
expect_frac 2 $BLUE ">" 0.85 "vm2 back after its monitor returned"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS seat-switch"
