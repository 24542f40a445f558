#!/bin/sh
# SPDX-License-Identifier: MIT
# vgpu-assign's command-line contract without a daemon (vgpu-assign(1), docs/man/vgpu-assign.1.scd,
# "EXIT STATUS"), and directflipd --check-config on long and shipped files.
# Usage: cli-usage.sh VGPU_ASSIGN DIRECTFLIPD SOURCE_ROOT CASE
set -u
VA=$1 DAEMON=$2 ROOT=$3 CASE=$4
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export DIRECTFLIP_SOCKET="$T/no-daemon"
fail() { echo "FAIL: $*"; exit 1; }

# run ARGS...: status in $st, stdout in $T/out, stderr in $T/err.
run() { "$VA" "$@" >"$T/out" 2>"$T/err"; st=$?; }
expect() { # STATUS ARGS...
	_want=$1; shift
	run "$@"
	[ "$st" -eq "$_want" ] || fail "vgpu-assign $*: exit $st, want $_want: $(cat "$T/err")"
}
# Exactly one message: one line, plus the "Try ..." hint for usage errors.
one_message() {
	_lines=$(grep -vc "^Try 'vgpu-assign" "$T/err")
	[ "$_lines" -eq 1 ] || fail "vgpu-assign $*: $_lines message lines: $(cat "$T/err")"
	! grep -q "unrecognized\|invalid option" "$T/err" || fail "getopt's own message: $(cat "$T/err")"
}

COMMANDS="status monitors vms leases bind unbind map watch reload exec help"
case $CASE in
unknown_option)
	for c in $COMMANDS; do
		expect 2 $c --frob
		one_message $c --frob
		grep -q "unknown option '--frob'" "$T/err" || fail "$c --frob: $(cat "$T/err")"
		expect 2 $c -x
		one_message $c -x
	done
	expect 2 --frob status
	;;
extra_argument)
	for args in "status extra" "monitors extra" "vms extra" "leases extra" "reload extra" \
		"bind vm1 left extra" "unbind vm1 extra" "map vm1 0 fb:1 extra" "watch extra" \
		"help status extra"; do
		expect 2 $args
		one_message $args
		grep -q "unexpected argument 'extra'" "$T/err" || fail "$args: $(cat "$T/err")"
	done
	;;
missing_argument)
	for args in "bind vm1" "unbind" "map vm1 0" "exec vm1" "bind vm1 left --planes" \
		"bind vm1 left --planes 9" "bind vm1 left --mode 12" "bind vm1 left --scaling up" \
		"watch --count x" "map vm1 x fb:1" "--socket"; do
		expect 2 $args
		one_message $args
	done
	;;
version)
	expect 0 --version
	grep -qx "vgpu-assign (directflip) [0-9][0-9.]*, protocol [0-9][0-9]*" "$T/out" ||
		fail "--version: $(cat "$T/out")"
	;;
help_lines_whole)
	expect 0 --help
	# Every command's line in the list is a whole sentence.
	sed -n '/^Commands:/,/^$/p' "$T/out" | grep '^  [a-z]' >"$T/list"
	[ "$(wc -l <"$T/list")" -eq 11 ] || fail "want 11 commands listed: $(cat "$T/list")"
	! grep -v '\.$' "$T/list" || fail "a command's line is cut"
	for c in $COMMANDS; do
		expect 0 $c --help
		# A line may go on to the next one, but the last one ends a sentence.
		[ "$(tail -n 1 "$T/out" | tail -c 2)" = "." ] || fail "$c --help ends mid-sentence: $(cat "$T/out")"
	done
	;;
sources_listed)
	expect 0 map --help
	for s in fb:ID fb:PATH 'gvt-sysfs:PATH\[#PLANE\]' 'vfio:PATH\[#MDEV\]' client; do
		grep -q "$s" "$T/out" || fail "map --help leaves out $s"
		grep -q "$s" "$ROOT/docs/config.md" || fail "docs/config.md leaves out $s"
	done
	;;
json_errors)
	for args in "--json stauts" "--json status --frob" "--json status" "vms --json extra"; do
		run $args
		[ ! -s "$T/out" ] || fail "$args: stdout is for answers: $(cat "$T/out")"
		python3 - "$T/err" "$st" <<'PY' || fail "$args: not one JSON error: $(cat "$T/err")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
e = json.loads(lines[0])["error"]
assert e["exit"] == int(sys.argv[2]) and e["code"] and e["message"], e
PY
	done
	;;
did_you_mean)
	expect 2 stauts
	one_message stauts
	grep -q "unknown command 'stauts'; did you mean 'status'?" "$T/err" || fail "$(cat "$T/err")"
	expect 2 help lease
	grep -q "did you mean 'leases'?" "$T/err" || fail "$(cat "$T/err")"
	expect 2 frobnicate
	! grep -q "did you mean" "$T/err" || fail "a far word got a suggestion: $(cat "$T/err")"
	;;
no_daemon)
	for c in status monitors vms leases reload "bind vm1 left" "unbind vm1" "map vm1 0 fb:1" \
		watch "exec vm1 -- true"; do
		expect 3 $c
		one_message $c
	done
	;;
check_config_more_not_shown)
	printf '[vm.a]\n' >"$T/big.ini"
	i=0
	while [ $i -lt 1100 ]; do echo "bogus$i = 1"; i=$((i + 1)); done >>"$T/big.ini"
	"$DAEMON" --check-config "$T/big.ini" 2>"$T/err" && fail "1100 errors passed"
	[ "$(grep -c ": error: unknown key" "$T/err")" -eq 1000 ] || fail "want 1000 shown"
	tail -n 1 "$T/err" | grep -qx "101 more not shown" || fail "last line: $(tail -n 1 "$T/err")"
	;;
shipped_layouts)
	"$DAEMON" --check-config "$ROOT/docs/directflip.example.ini" || fail "the docs' example"
	"$DAEMON" --check-config "$ROOT/tests/vm/scenarios/demo-layout.ini" || fail "the demo's layout"
	# The default names the package's group, which a build machine lacks.
	grep -v '^socket-group' "$ROOT/systemd/directflip.ini" >"$T/default.ini"
	"$DAEMON" --check-config "$T/default.ini" || fail "the default layout"
	! grep -q '^\[vm\.' "$ROOT/systemd/directflip.ini" || fail "the default binds a vm"
	;;
*)
	fail "no case $CASE"
	;;
esac
echo "ok $CASE"
