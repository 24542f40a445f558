#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 6: real monitor hotplug through QEMU's D-Bus display. Unplugging
# vm1's monitor revokes its lease and leaves vm2 alone; plugging it back
# brings vm1's picture back with nobody acting. Then CYCLES more cycles,
# after which the daemon's fds, lessees, framebuffers and RSS are back to
# their values after the first cycle.
set -eu
. "$(dirname "$0")/../harness/lib.sh"
CYCLES=${DF_HOTPLUG_CYCLES:-50}

start_two_vms

mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
fbs() { grep -c "^framebuffer\[" /sys/kernel/debug/dri/0/framebuffer; }
fds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }
# RssAnon: heap and anonymous maps. File-backed pages (libraries paged in
# on first use of a code path) are not leaks and jump in steps.
rss() { awk '/^RssAnon/ { print $2 }' "/proc/$DAEMON_PID/status"; }
lessees() {
	"$INSPECT" "$DAEMON_PID" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["lessees"]))'
}

# One cycle: unplug head 1, see vm1's lease go, plug it back, see it return.
cycle() {
	_granted=$(log_count "vm=vm1 .*action=lease-granted")
	_revoked=$(log_count "vm=vm1 .*action=lease-revoked")
	"$VMCTL" unplug 1 || fail "unplug head 1"
	wait_for 30 log_has_n "vm=vm1 .*action=lease-revoked" $((_revoked + 1)) ||
		fail "vm1's lease was not revoked on unplug (cycle $1)"
	[ "$1" -gt 1 ] || {
		[ "$(lessees)" -eq 1 ] || fail "after unplug, want 1 lessee"
		ok "unplug: vm1's lease revoked, 1 lessee left"
		expect_frac 2 $BLUE ">" 0.85 "vm2 untouched while vm1's monitor is away"
	}
	"$VMCTL" plug 1 1024 768 || fail "plug head 1"
	wait_for 30 log_has_n "vm=vm1 .*action=lease-granted" $((_granted + 1)) ||
		fail "vm1's lease did not come back on replug (cycle $1)"
}

cycle 1
expect_frac 1 $RED ">" 0.85 "vm1's pattern is back after replug, with no command given"
fd1=$(fds); fb1=$(fbs); rss1=$(rss); les1=$(lessees)
echo "after cycle 1: fds=$fd1 framebuffers=$fb1 rss_kib=$rss1 lessees=$les1"
[ "$les1" -eq 2 ] || fail "want 2 lessees after replug, have $les1"

i=2
while [ $i -le "$CYCLES" ]; do
	cycle $i
	[ -z "${DF_HOTPLUG_TRACE:-}" ] || echo "cycle $i: fds=$(fds) fbs=$(fbs) rss=$(rss)"
	i=$((i + 1))
done
fdn=$(fds); fbn=$(fbs); rssn=$(rss); lesn=$(lessees)
echo "after cycle $CYCLES: fds=$fdn framebuffers=$fbn rss_kib=$rssn lessees=$lesn"
[ "$fdn" -eq "$fd1" ] || fail "fd count went from $fd1 to $fdn"
[ "$fbn" -eq "$fb1" ] || fail "framebuffer count went from $fb1 to $fbn"
[ "$lesn" -eq "$les1" ] || fail "lessee count went from $les1 to $lesn"
# The heap's high-water mark settles once, in cycle 2 (measured: +88 KiB,
# then flat). 128 KiB of slack over 49 cycles still catches 2.7 KiB or more
# lost per cycle; LeakSanitizer in the ASan run catches the smaller ones.
case "${DF_SANITIZE:-none}" in
*address*)
	ok "RSS not compared under ASan (its quarantine keeps freed memory); LeakSanitizer checks at exit"
	;;
*)
	[ "$rssn" -le $((rss1 + 128)) ] || fail "anonymous RSS grew from $rss1 KiB to $rssn KiB"
	;;
esac
ok "no leak over $CYCLES cycles (fds, framebuffers, lessees, RSS)"
expect_frac 1 $RED ">" 0.85 "vm1 shown after the last cycle"
expect_frac 2 $BLUE ">" 0.85 "vm2 shown after the last cycle"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS hotplug"
