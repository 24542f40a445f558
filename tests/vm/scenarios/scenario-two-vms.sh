#!/bin/sh
# SPDX-License-Identifier: MIT
# Two simulated VMs on two monitors through real leases on virtio-gpu.
# Issue 3 acceptance: patterns per head, host console kept, lessee views,
# cross-lease commits refused, and no trace of a VM after it is dropped.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

# Something on the host console, so that head 0 is seen to keep it.
i=0
while [ $i -lt 30 ]; do
	echo "################ directflip host console ################" >/dev/tty1
	i=$((i + 1))
done

start_two_vms
grep -q "vm=vm1 monitor=left connector=Virtual-2" "$WORK/daemon.log" || fail "vm1 not on Virtual-2"
grep -q "vm=vm2 monitor=right connector=Virtual-3" "$WORK/daemon.log" || fail "vm2 not on Virtual-3"
ok "leases granted"

expect_frac 1 $RED ">" 0.85 "vm1's pattern"
expect_frac 1 $BLUE "==" 0 "no vm2 pixel on vm1's monitor"
expect_frac 2 $BLUE ">" 0.85 "vm2's pattern"
expect_frac 2 $RED "==" 0 "no vm1 pixel on vm2's monitor"
expect_frac 0 000000 "<" 0.99 "host console text still shown"
expect_frac 0 $RED "==" 0 "host console has no vm1 pixel"
expect_frac 0 $BLUE "==" 0 "host console has no vm2 pixel"

"$INSPECT" "$DAEMON_PID" --cross-commit >"$WORK/inspect.json" || fail "lease-inspect failed"
cat "$WORK/inspect.json"
$PY - "$WORK/inspect.json" <<'PY' || fail "lessee views are wrong"
import json, sys
doc = json.load(open(sys.argv[1]))
assert len(doc["lessees"]) == 2, f"lessor lists {len(doc['lessees'])} lessees, want 2"
assert len(doc["leases"]) == 2, f"daemon holds {len(doc['leases'])} lease fds, want 2"
seen = set()
for lease in doc["leases"]:
    assert len(lease["crtcs"]) == 1, lease
    assert len(lease["connectors"]) == 1, lease
    # virtio-gpu: the CRTC's primary plane and its cursor.
    assert len(lease["planes"]) == 2, lease
    for obj in lease["crtcs"] + lease["connectors"] + lease["planes"]:
        assert obj not in seen, f"object {obj} is in two leases"
        seen.add(obj)
    for attempt in lease["cross_commit"]:
        assert attempt["errno"] != 0, f"lessee could commit on another lease's CRTC: {attempt}"
print("lessee views ok")
PY
ok "each lessee sees only its own objects; cross commits refused"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
grep -q "vm=vm1 .*action=lease-revoked" "$WORK/daemon.log" || fail "vm1's lease was not revoked"
expect_frac 1 $RED "==" 0 "vm1's last frame is gone after the daemon dropped it"
expect_frac 2 $BLUE "==" 0 "vm2's last frame is gone after the daemon dropped it"
echo "PASS two-vms"
