#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 4: `vgpu-assign bind` and `unbind` change what a head shows and
# what `leases` lists; a runtime binding survives a daemon restart (state
# file), a connector name works as MONITOR, and refusals have exit codes.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

# vm1 is in the layout but bound to nothing; vm2 is on the right monitor.
VM1_MONITOR=
two_vm_preamble
start_daemon_granted 1

# leases_are "vm2=Virtual-3 ...": what `leases --json` lists, sorted.
leases_are() {
	"$VA" leases --json >"$WORK/leases.json" || fail "vgpu-assign leases failed"
	got=$($PY -c 'import json,sys; print(" ".join(sorted(l["vm"]+"="+l["connector"] for l in json.load(open(sys.argv[1]))["leases"])))' "$WORK/leases.json")
	[ "$got" = "$1" ] || fail "leases: got '$got', wanted '$1'"
	ok "leases: $1"
}

leases_are "vm2=Virtual-3"
expect_frac 1 $RED "==" 0 "left monitor shows no vm1 before bind"

# A subscriber sees the bind as events.
"$VA" watch --json --count 2 --timeout 60 >"$WORK/events1.json" 2>"$WORK/watch1.err" &
WATCH=$!
wait_for 10 grep -q watching "$WORK/watch1.err" || fail "the watcher did not subscribe"
"$VA" bind vm1 left || fail "bind vm1 left failed ($?)"
wait_for 30 log_has_n "vm=vm1 .*action=lease-granted" 1 || fail "bind did not lead to a lease"
leases_are "vm1=Virtual-2 vm2=Virtual-3"
wait "$WATCH" || fail "watch: status $? ($(cat "$WORK/watch1.err"))"
$PY - "$WORK/events1.json" <<'PY2' || fail "wrong events for bind: $(cat "$WORK/events1.json")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert [e["event"] for e in ev] == ["binding-changed", "lease-granted"], ev
assert all(e["vm"] == "vm1" and e["monitor"] == "left" for e in ev), ev
assert ev[1]["detail"] == "Virtual-2", ev
PY2
ok "watch saw binding-changed and lease-granted for vm1"
expect_frac 1 $RED ">" 0.85 "vm1 shown after bind"
expect_frac 2 $BLUE ">" 0.85 "vm2 untouched by vm1's bind"
"$VA" vms | grep -q "^vm1 .*leased .*left\*" || fail "vms does not show vm1's runtime binding"
ok "vms marks the runtime binding"

# The human table and --json come from the same answer.
"$VA" vms --json | $PY -c 'import json,sys; v={x["name"]:x for x in json.load(sys.stdin)["vms"]}; assert v["vm1"]["runtime"] and v["vm1"]["lease"]["connector"]=="Virtual-2", v' ||
	fail "vms --json disagrees"

# Refusals: a taken monitor, an unknown vm, an unknown monitor, bad usage.
set +e
"$VA" bind vm2 left 2>"$WORK/err"; st=$?
set -e
[ $st -eq 6 ] && grep -q "monitor left is bound to vm vm1" "$WORK/err" || fail "bind to a taken monitor: status $st: $(cat "$WORK/err")"
ok "bind to a taken monitor: exit 6, $(cat "$WORK/err")"
set +e
"$VA" unbind nosuchvm 2>"$WORK/err"; st=$?
set -e
[ $st -eq 5 ] && grep -q "no vm named 'nosuchvm'" "$WORK/err" || fail "unknown vm: status $st"
ok "unknown vm: exit 5"
# bind makes a VM the layout lacks (issue 15's fresh start), but not with a
# name a layout could not write.
set +e
"$VA" bind 'no/such' left 2>"$WORK/err"; st=$?
set -e
[ $st -eq 1 ] && grep -q "'no/such' is not a vm name" "$WORK/err" || fail "bad vm name: status $st: $(cat "$WORK/err")"
ok "bind with a bad vm name: exit 1"
"$VA" bind newvm Virtual-1 || fail "bind of a vm the layout lacks: status $?"
wait_for 30 log_has_n "vm=newvm .*action=lease-granted" 1 || fail "the new vm got no lease"
leases_are "newvm=Virtual-1 vm1=Virtual-2 vm2=Virtual-3"
"$VA" vms | grep -q "^newvm .*leased" || fail "vms does not list the new vm"
"$VA" unbind newvm || fail "unbind newvm: status $?"
leases_are "vm1=Virtual-2 vm2=Virtual-3"
! "$VA" vms | grep -q "^newvm " || fail "the vm a binding made stays after unbind"
ok "bind made vm newvm on Virtual-1 (no layout entry); unbind removed it"
set +e
"$VA" bind vm1 HDMI-A-9 2>"$WORK/err"; st=$?
set -e
[ $st -eq 5 ] && grep -q "no monitor or connector named 'HDMI-A-9'" "$WORK/err" || fail "unknown monitor: status $st"
ok "unknown monitor: exit 5"
set +e
"$VA" bind vm1 left --scaling sideways 2>"$WORK/err"; st=$?
set -e
[ $st -eq 2 ] || fail "bad --scaling: status $st"
ok "bad --scaling: exit 2"

"$VA" unbind vm1 || fail "unbind vm1 failed"
wait_for 30 log_has_n "vm=vm1 .*action=lease-revoked" 1 || fail "unbind did not revoke vm1's lease"
leases_are "vm2=Virtual-3"
expect_frac 1 $RED "==" 0 "vm1 gone from the left monitor after unbind"
expect_frac 2 $BLUE ">" 0.85 "vm2 untouched by vm1's unbind"

# A connector name works too, and the binding outlives the daemon.
"$VA" bind vm1 Virtual-2 --scaling stretch || fail "bind vm1 Virtual-2 failed"
wait_for 30 log_has_n "vm=vm1 .*action=lease-granted" 2 || fail "second bind did not lead to a lease"
leases_are "vm1=Virtual-2 vm2=Virtual-3"
grep -q '"vm1"' /run/directflip/state.json || fail "state.json does not hold vm1"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
mv "$WORK/daemon.log" "$WORK/daemon-1.log"
start_daemon "$WORK/layout.ini"
wait_for 30 log_has_n "action=lease-granted" 2 || fail "after a restart, the runtime binding was not restored"
grep -q "1 runtime binding" "$WORK/daemon.log" || fail "the restarted daemon did not read state.json"
leases_are "vm1=Virtual-2 vm2=Virtual-3"
expect_frac 1 $RED ">" 0.85 "vm1 back on the left monitor after a daemon restart"

# Reload keeps runtime bindings on top of the layout.
"$VA" reload || fail "reload failed"
wait_for 10 grep -q "reloaded" "$WORK/daemon.log" || fail "reload not logged"
leases_are "vm1=Virtual-2 vm2=Virtual-3"

# unbind --reset drops the runtime binding: the layout (vm1 unbound) applies.
"$VA" unbind vm1 --reset || fail "unbind --reset failed"
wait_for 30 log_has_n "vm=vm1 .*action=lease-revoked" 1 || fail "reset did not revoke vm1's lease"
grep -q '"vm1"' /run/directflip/state.json && fail "state.json still holds vm1"
leases_are "vm2=Virtual-3"
"$VA" vms | grep -q "^vm1 .*unbound .*- " || fail "vm1 does not follow the layout after --reset"
ok "unbind --reset: vm1 follows the layout again"

# --permanent writes a drop-in file (the daemon needs a drop-in directory)
# and drops the runtime binding it replaces.
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
mv "$WORK/daemon.log" "$WORK/daemon-2.log"
mkdir -p "$WORK/dropin"
LIBSEAT_BACKEND=noop "$DAEMON" -c "$WORK/layout.ini" --dropin-dir "$WORK/dropin" >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
CHILDREN="$CHILDREN $DAEMON_PID"
wait_for 30 log_has_n "vm=vm2 .*action=lease-granted" 1 || fail "the daemon with a drop-in directory did not grant vm2's lease"
"$VA" map vm1 0 "fb:$WORK/vm1/plane0" || fail "map failed"
grep -q '"vm1"' /run/directflip/state.json || fail "map made no runtime binding"
"$VA" bind vm1 left --permanent || fail "bind --permanent failed"
grep -q "^monitor = left" "$WORK/dropin/90-vgpu-assign-vm1.ini" || fail "no drop-in file with vm1's binding"
wait_for 30 log_has_n "vm=vm1 .*action=lease-granted" 1 || fail "bind --permanent did not lead to a lease"
grep -q '"vm1"' /run/directflip/state.json && fail "the runtime binding of vm1 was kept"
leases_are "vm1=Virtual-2 vm2=Virtual-3"
"$VA" vms | grep -q "^vm1 .*leased .*left " || fail "vm1 is still marked as a runtime binding"
ok "bind --permanent: $(grep -c . "$WORK/dropin/90-vgpu-assign-vm1.ini") lines in 90-vgpu-assign-vm1.ini, runtime binding dropped"

# A monitor going away is an event, and so is the lease it ends.
"$VA" watch --json --count 2 --timeout 60 >"$WORK/events2.json" 2>"$WORK/watch2.err" &
WATCH=$!
wait_for 10 grep -q watching "$WORK/watch2.err" || fail "the watcher did not subscribe"
"$VMCTL" unplug 2 || fail "unplug head 2"
wait "$WATCH" || fail "watch: status $? ($(cat "$WORK/watch2.err"))"
$PY - "$WORK/events2.json" <<'PY2' || fail "wrong events for an unplug: $(cat "$WORK/events2.json")"
import json, sys
ev = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda e: e["event"])
assert [e["event"] for e in ev] == ["lease-revoked", "monitor-removed"], ev
assert ev[0]["vm"] == "vm2" and ev[1]["monitor"] == "Virtual-3", ev
PY2
ok "watch saw monitor-removed and lease-revoked for an unplug"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
[ ! -e /run/directflip/control ] || fail "the socket file was left behind"
ok "socket removed at exit"
echo "PASS control-bind"
