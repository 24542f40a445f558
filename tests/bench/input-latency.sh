#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark (not a pass/fail test): the latency directflipd adds to each
# forwarded input event. Runs in the VM: tests/vm/harness/run -- tests/bench/input-latency.sh
#
# A simulated "physical" keyboard (uinput, made by tests/vm/tools/input-check)
# types N key events one at a time; each is timed from just before its
# write to the kernel timestamp of the same event on vm1's virtual
# keyboard, which the daemon's uinput write sets. Prints median, p99 and max.
set -eu
VM_DIR=$(cd "$(dirname "$0")/../vm" && pwd)
. "$VM_DIR/harness/lib.sh"
N=${DF_BENCH_EVENTS:-10000}

cat >"$WORK/layout.ini" <<INI
[vm.vm1]
source.0 = client
input = desk

[seat.desk]
input = ID_INPUT_KEYBOARD=1
hotkey.release = ctrl+alt+f12
INI
start_daemon "$WORK/layout.ini"
wait_for 30 test -c /run/directflip/input/vm1-keyboard || fail "no virtual keyboard for vm1"
"$DF_BUILD/tests/vm/input-check" bench "$N" /run/directflip/input/vm1-keyboard ||
	fail "input-check bench failed"
