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
# Where stand-ins publish their framebuffers. A scenario whose daemon is a
# systemd service sets it under /run: the service has a private /tmp.
SRC=$WORK
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

# start_standin NAME RRGGBB [ARGS...]: a simulated vGPU publishing in $SRC/NAME.
start_standin() {
	_name=$1 _color=$2
	shift 2
	mkdir -p "$SRC/$_name"
	"$STANDIN" --dir "$SRC/$_name" --color "$_color" "$@" >"$WORK/$_name.log" 2>&1 &
	CHILDREN="$CHILDREN $!"
	wait_for 20 test -s "$SRC/$_name/plane0" || fail "stand-in $_name published no framebuffer"
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

# expect_status STATUS WHAT CMD...: CMD exits with STATUS; its stdout and
# stderr are left in $WORK/out and $WORK/err.
expect_status() {
	want=$1 what=$2
	shift 2
	set +e
	"$@" >"$WORK/out" 2>"$WORK/err"
	st=$?
	set -e
	[ "$st" -eq "$want" ] || fail "$what: exit $st, wanted $want: $(cat "$WORK/err")"
	ok "$what: exit $st $(head -c 300 "$WORK/err")"
}

VA="$DF_BUILD/cli/vgpu-assign"
RED=ff2020
BLUE=2060ff
GREEN=20c040

# ini KEY VALUE: one layout line, none when VALUE is empty.
ini() {
	[ -z "$2" ] || printf '%s = %s\n' "$1" "$2"
}

# monitor_ini NAME CONNECTOR [LINES]: a [monitor.NAME] section.
monitor_ini() {
	echo "[monitor.$1]"
	ini connector "$2"
	[ -z "${3:-}" ] || echo "$3"
}

# vm_ini NAME MONITOR SOURCE [LINES]: a [vm.NAME] section with source.0;
# no monitor or source line when that argument is empty.
vm_ini() {
	echo "[vm.$1]"
	ini monitor "$2"
	ini source.0 "$3"
	[ -z "${4:-}" ] || echo "$4"
}

# The layout most scenarios start from: vm1 on monitor left (Virtual-2),
# vm2 on monitor right (Virtual-3), each shown from its stand-in's file.
# A scenario varies it with variables, set before the call:
#   VM1_MONITOR, VM2_MONITOR  the monitor (default left, right; empty: none)
#   VM1_SOURCE, VM2_SOURCE    source.0 (default fb:$SRC/vmN/plane0; empty: none)
#   VM1_KEYS, VM2_KEYS        more lines for [vm.vm1], [vm.vm2]
#   LEFT_KEYS, RIGHT_KEYS     more lines for [monitor.left], [monitor.right]
# and adds sections after it ([daemon], [seat.*], more monitors and VMs).
two_vm_layout() {
	one_vm_layout
	monitor_ini right Virtual-3 "${RIGHT_KEYS:-}"
	vm_ini vm2 "${VM2_MONITOR-right}" "${VM2_SOURCE-fb:$SRC/vm2/plane0}" "${VM2_KEYS:-}"
}

# one_vm_layout: its first half, monitor left and vm1, for a scenario that
# needs only one VM.
one_vm_layout() {
	monitor_ini left Virtual-2 "${LEFT_KEYS:-}"
	vm_ini vm1 "${VM1_MONITOR-left}" "${VM1_SOURCE-fb:$SRC/vm1/plane0}" "${VM1_KEYS:-}"
}

# plug_heads HEAD...: plugs each head at 1024x768.
plug_heads() {
	for _h in "$@"; do
		"$VMCTL" plug "$_h" 1024 768 || fail "plug head $_h"
	done
}

# two_vm_preamble [STAND-IN ARGS...]: the shared start: heads 1 and 2
# plugged, stand-ins vm1 (red) and vm2 (blue) at 1024x768 (none for a VM
# whose VMn_SOURCE is set), and two_vm_layout in $WORK/layout.ini, to be
# added to before the daemon starts.
two_vm_preamble() {
	plug_heads 1 2
	[ -n "${VM1_SOURCE+set}" ] || start_standin vm1 $RED --size 1024x768 "$@"
	[ -n "${VM2_SOURCE+set}" ] || start_standin vm2 $BLUE --size 1024x768 "$@"
	two_vm_layout >"$WORK/layout.ini"
}

# start_daemon_granted N: start_daemon with $WORK/layout.ini, then waits
# until N leases are granted and the control socket is there.
start_daemon_granted() {
	start_daemon "$WORK/layout.ini"
	wait_for 30 log_has_n "action=lease-granted" "$1" || fail "$1 lease(s) were not granted"
	wait_for 10 test -S /run/directflip/control || fail "no control socket"
}

# start_two_vms [STAND-IN ARGS...]: two_vm_preamble, then the daemon; returns
# once both leases are granted.
start_two_vms() {
	two_vm_preamble "$@"
	start_daemon_granted 2
}
