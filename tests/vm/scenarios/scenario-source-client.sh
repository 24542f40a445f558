#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 7: the `client` source. A VMM pushes dma-bufs over the control
# socket; each is imported once and shown on update; a new size is
# remapped with the scaling applied again; the client going away leaves
# the monitor black. SIMULATION: tests/vm/tools/dmabuf-client plays the VMM,
# with dumb buffers exported by drmPrimeHandleToFD.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

CLIENT="$DF_BUILD/tests/vm/dmabuf-client"

# One VM is enough: the simulated VMM sends its frames.
plug_heads 1
VM1_SOURCE=client
VM1_KEYS="scaling = center"
one_vm_layout >"$WORK/layout.ini"
start_daemon_granted 1
expect_frac 1 $RED "==" 0 "nothing shown before the client sends a frame"

# 10 buffers into a cache of 8, then 120 flips between the 8 kept.
"$CLIENT" --vm vm1 --color $RED --size 1024x768 --buffers 10 --updates 120 \
	--resize 1280x960 --resize-color $BLUE >"$WORK/client.log" 2>&1 &
CLIENT_PID=$!
CHILDREN="$CHILDREN $CLIENT_PID"
# ready, or gone: either ends the wait.
client_says() {
	grep -q "^$1" "$WORK/client.log" || ! kill -0 "$CLIENT_PID"
}
wait_for 90 client_says ready
grep -q '^ready' "$WORK/client.log" || fail "client: $(cat "$WORK/client.log")"
cat "$WORK/client.log"
n=$(log_count "action=dmabuf-imported")
[ "$n" -eq 10 ] || fail "$n imports for 10 buffers and 120 updates; want each imported once"
grep -q "kept=8" "$WORK/client.log" || fail "the cache does not stop at 8 buffers"
grep -q "^evicted: buffers 1..2" "$WORK/client.log" || fail "the oldest buffers were not evicted"
ok "10 buffers imported once each, cache bounded at 8, 120 updates shown from the cache"
expect_frac 1 $RED ">" 0.95 "the client's frame"

"$CLIENT" --vm vm1 --color $BLUE --expect-busy >"$WORK/busy.log" 2>&1 ||
	fail "a second client was not refused: $(cat "$WORK/busy.log")"
ok "a second connection cannot feed the plane: $(cat "$WORK/busy.log")"
expect_frac 1 $RED ">" 0.95 "the first client's frame is untouched"

# 1280x960: blue in the centred 1024x768, red around it. Centre scaling
# shows exactly the blue part; the old mapping (source at 0,0) would show
# a red band at the top and left.
kill -USR1 "$CLIENT_PID"
wait_for 30 client_says resized
grep -q '^resized' "$WORK/client.log" || fail "client: $(cat "$WORK/client.log")"
expect_frac 1 $BLUE ">" 0.99 "the 1280x960 frame, remapped: its centre fills the monitor"
expect_frac 1 $RED "==" 0 "nothing of the old frame or of the new frame's border"

kill -TERM "$CLIENT_PID"
wait "$CLIENT_PID" || fail "the client exited with status $?"
wait_for 20 log_has_n "action=client-gone" 1 || fail "the daemon did not notice the client leave"
expect_frac 1 $BLUE "==" 0 "black after the client went away"
expect_frac 1 $RED "==" 0 "no stale frame after the client went away"
"$VA" vms --json >"$WORK/vms.json" || fail "vgpu-assign vms failed"
$PY - "$WORK/vms.json" <<'PY' || fail "vm1 should stay leased, without error"
import json, sys
vm = [v for v in json.load(open(sys.argv[1]))["vms"] if v["name"] == "vm1"][0]
assert vm["state"] == "leased", vm
assert not vm["error"], vm
PY
ok "vm1 keeps its lease with nothing on its plane"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "directflipd exited with status $? on SIGTERM"
echo "PASS source-client"
