#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 6: the card itself goes away (PCI remove) and comes back (PCI
# rescan). The daemon survives, ends every lease on it cleanly, finds the
# card again and restores the bindings with nobody acting.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

start_two_vms
dev=$(readlink -f /sys/class/drm/card0/device)
[ -e "$dev/remove" ] || fail "no PCI device behind card0"
echo "card0 is $dev"

# The stand-ins' framebuffers die with the card; stop them first so that
# new ones can be made on the card that comes back.
for p in $CHILDREN; do
	[ "$p" = "$DAEMON_PID" ] || kill "$p" 2>/dev/null || true
done
CHILDREN="$DAEMON_PID"
echo 1 >"$dev/remove"
wait_for 30 log_has_n "card=/dev/dri/card0 removed" 1 || fail "the daemon did not see the card go"
wait_for 30 log_has_n "reason=\"card removed\"" 2 || fail "the leases were not forgotten"
kill -0 "$DAEMON_PID" || fail "the daemon died with the card"
ok "card removed: daemon alive, both leases ended"

echo 1 >/sys/bus/pci/rescan
# The DRM minor is not reused while anything holds the old one: expect cardN.
wait_for 60 sh -c 'ls /dev/dri/card* >/dev/null 2>&1' || fail "the card did not come back"
ls /dev/dri
wait_for 60 sh -c 'ls -d /sys/class/drm/card*-Virtual-3 >/dev/null 2>&1' || fail "no connectors after rescan"
udevadm settle || true
# New stand-ins (the old framebuffers died with the old card) publish into
# the files the layout points at, before the monitors come back.
rm -f "$WORK/vm1/plane0" "$WORK/vm2/plane0"
start_standin vm1 $RED --size 1024x768
start_standin vm2 $BLUE --size 1024x768
grants=$(log_count "action=lease-granted")
"$VMCTL" plug 1 1024 768 || fail "plug head 1 after rescan"
"$VMCTL" plug 2 1024 768 || fail "plug head 2 after rescan"
wait_for 60 log_has_n "action=lease-granted" $((grants + 2)) || fail "bindings not restored"
wait_for 30 log_has_n "card=/dev/dri/card[0-9]* driver=virtio_gpu added" 1 || fail "card not re-opened"
expect_frac 1 $RED ">" 0.85 "vm1 back after rescan"
expect_frac 2 $BLUE ">" 0.85 "vm2 back after rescan"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS card-removal"
