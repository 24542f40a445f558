# SPDX-License-Identifier: MIT
# Shared helpers for guest-side scenarios. Source it; needs DF_BUILD.
# shellcheck shell=sh

: "${DF_BUILD:?DF_BUILD must name the meson build directory}"
# VM_DIR is tests/vm; a scenario is in tests/vm/scenarios.
VM_DIR=${VM_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
VMCTL="$VM_DIR/harness/vmctl"
# The Debian interpreter: a pyenv shim on PATH takes seconds to start in the guest.
PY=/usr/bin/python3
IMG="$PY $VM_DIR/harness/imgcheck.py"
DAEMON="$DF_BUILD/daemon/directflipd"
STANDIN="$DF_BUILD/tests/vm/vgpu-standin"
INSPECT="$DF_BUILD/tests/vm/lease-inspect"
WORK=$(mktemp -d /tmp/scenario.XXXXXX)
CHILDREN=""

fail() {
	echo "FAIL: $*" >&2
	if [ -f "$WORK/daemon.log" ]; then
		echo "--- daemon log ---" >&2
		cat "$WORK/daemon.log" >&2
	fi
	exit 1
}

ok() {
	echo "ok: $*"
}

cleanup() {
	for p in $CHILDREN; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
}
trap cleanup EXIT

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds or
# SECONDS of wall time pass (commands can be slow under emulation).
wait_for() {
	_deadline=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$_deadline" ] || return 1
		sleep 0.1
	done
	return 0
}

# count_in_log PATTERN: how many daemon log lines match.
log_count() {
	grep -c -- "$1" "$WORK/daemon.log" 2>/dev/null || true
}

log_has_n() {
	[ "$(log_count "$1")" -ge "$2" ]
}

# start_standin NAME RRGGBB [ARGS...]: a simulated vGPU publishing in $WORK/NAME.
start_standin() {
	_name=$1 _color=$2
	shift 2
	mkdir -p "$WORK/$_name"
	"$STANDIN" --dir "$WORK/$_name" --color "$_color" "$@" >"$WORK/$_name.log" 2>&1 &
	CHILDREN="$CHILDREN $!"
	wait_for 20 test -s "$WORK/$_name/plane0" || fail "stand-in $_name published no framebuffer"
}

# start_daemon CONFIG: directflipd on the noop seat, log in $WORK/daemon.log.
start_daemon() {
	LIBSEAT_BACKEND=noop "$DAEMON" -c "$1" >"$WORK/daemon.log" 2>&1 &
	DAEMON_PID=$!
	CHILDREN="$CHILDREN $DAEMON_PID"
}

# frac HEAD COLOUR: fraction of head HEAD's screendump showing COLOUR.
frac() {
	_f="$WORK/head$1-$(date +%s%N).ppm"
	"$VMCTL" screendump "$1" "$_f" || fail "screendump of head $1 failed"
	$IMG frac "$_f" "$2"
}

# expect_frac HEAD COLOUR OP VALUE WHAT: awk comparison of the fraction.
expect_frac() {
	_v=$(frac "$1" "$2")
	awk -v v="$_v" -v t="$4" "BEGIN { exit !(v $3 t) }" ||
		fail "head $1: $5 (colour $2 covers $_v, wanted $3 $4)"
	ok "head $1: $5 ($2 covers $_v)"
}

RED=ff2020
BLUE=2060ff

# The layout most scenarios start from: vm1 on Virtual-2, vm2 on Virtual-3.
two_vm_layout() {
	cat <<INI
[monitor.left]
connector = Virtual-2

[monitor.right]
connector = Virtual-3

[vm.vm1]
monitor = left
source.0 = fb:$WORK/vm1/plane0

[vm.vm2]
monitor = right
source.0 = fb:$WORK/vm2/plane0
INI
}

# start_two_vms [STAND-IN ARGS...]: plugs heads 1 and 2, starts stand-ins
# vm1 (red) and vm2 (blue) and directflipd with two_vm_layout, and returns
# once both leases are granted.
start_two_vms() {
	"$VMCTL" plug 1 1024 768 || fail "plug head 1"
	"$VMCTL" plug 2 1024 768 || fail "plug head 2"
	start_standin vm1 $RED --size 1024x768 "$@"
	start_standin vm2 $BLUE --size 1024x768 "$@"
	two_vm_layout >"$WORK/layout.ini"
	start_daemon "$WORK/layout.ini"
	wait_for 30 log_has_n "action=lease-granted" 2 || fail "two leases were not granted"
}
