#!/bin/sh
# SPDX-License-Identifier: MIT
# directflip-qemu's exit statuses with nothing to talk to (docs/qemu.md,
# "Exit statuses"): 4 with no QEMU, 3 with no directflipd, each with one
# line naming what is missing. 5 and 6 need a daemon: vm/qemu-peer.
# Usage: qemu-exit.sh DIRECTFLIP_QEMU CASE
set -u
BRIDGE=$1 CASE=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# expect STATUS TEXT ARGS...: the status, and one exit line holding TEXT.
expect() {
	_want=$1 _text=$2
	shift 2
	"$BRIDGE" "$@" >"$T/out" 2>"$T/err"
	st=$?
	[ "$st" -eq "$_want" ] || fail "directflip-qemu $*: exit $st, want $_want: $(cat "$T/err")"
	[ "$(grep -c "action=exit" "$T/err")" -eq 1 ] ||
		fail "directflip-qemu $*: not one exit line: $(cat "$T/err")"
	grep "action=exit" "$T/err" | grep -qF -- "$_text" ||
		fail "directflip-qemu $*: the exit line does not name $_text: $(cat "$T/err")"
	echo "ok: status $st: $(grep "action=exit" "$T/err")"
}

case $CASE in
no_qemu)
	# QEMU is asked first, before anything is taken from the daemon.
	expect 4 "$T/vm1.qmp" --vm vm1 --qmp "$T/vm1.qmp" --socket "$T/control"
	expect 4 "$T/vm1.bus" --vm vm1 --address "unix:path=$T/vm1.bus" --socket "$T/control"
	;;
no_daemon)
	# --reconnect waits for QEMU, so the daemon is asked.
	expect 3 "$T/control" --vm vm1 --qmp "$T/vm1.qmp" --reconnect --socket "$T/control"
	;;
*)
	fail "unknown case $CASE"
	;;
esac
