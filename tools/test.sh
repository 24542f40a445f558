#!/bin/sh
# SPDX-License-Identifier: MIT
# The whole test suite: unit and VM tests, in a plain build and in an
# ASan+UBSan build; the fuzzers (suite 'fuzz': 20 s each, with a coverage
# floor) in a clang build instrumented for libFuzzer; a compile-only clang
# build of everything; the Debian packages with lintian (tools/build-deb.sh).
# Ends with one line "N passed, N failed, N skipped", where the clang build
# and the packages count as one test each.
#
# A failed VM test runs once more, alone. If it passes then, it counts as
# passed and is listed as flaky above the summary line; the VM tests run a
# real kernel under TCG on a shared machine and a rare timeout there is not
# a product failure. A second failure counts.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh

run_suite() {
	dir=$1
	shift
	if [ ! -d "$dir" ]; then
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir"
	logs=$dir/meson-logs
	rm -f "$logs/testlog.json" "$logs/testlog-first.json" "$logs/testlog-retry.json"
	# Failures are counted from the logs below; a failing suite must not stop the other.
	meson test -C "$dir" --print-errorlogs --num-processes 2 || true
	[ -f "$logs/testlog.json" ] || return 0
	mv "$logs/testlog.json" "$logs/testlog-first.json"
	again=$(python3 tools/testlog.py failed-vm "$logs/testlog-first.json")
	if [ -n "$again" ]; then
		echo "retrying once, alone: $again"
		# shellcheck disable=SC2086 # one word per test name
		meson test -C "$dir" --print-errorlogs --num-processes 1 $again || true
		mv "$logs/testlog.json" "$logs/testlog-retry.json" 2>/dev/null || true
	fi
}

# Only the fuzzers and their libraries are built here; each runs for a fixed
# time (tests/fuzz/README.md).
run_fuzz() {
	dir=build-fuzz
	if [ ! -d "$dir" ]; then
		CC=clang meson setup "$dir" -Dfuzzing=true -Db_sanitize=address,undefined \
			-Db_lundef=false >/dev/null
	fi
	targets=$(meson introspect --targets "$dir" | python3 -c '
import json, os, sys
for t in json.load(sys.stdin):
    if t["name"].startswith("fuzz-"):
        print(os.path.relpath(t["filename"][0], sys.argv[1]))' "$dir")
	# shellcheck disable=SC2086 # one word per target
	ninja -C "$dir" $targets
	logs=$dir/meson-logs
	rm -f "$logs/testlog.json" "$logs/testlog-first.json"
	meson test -C "$dir" --no-rebuild --print-errorlogs --suite fuzz || true
	mv "$logs/testlog.json" "$logs/testlog-first.json" 2>/dev/null || true
}

# One counted line for a step that is not a meson test: step NAME DIR CMD...
# writes DIR/meson-logs/testlog-first.json.
step() {
	name=$1
	logs=$2/meson-logs
	shift 2
	mkdir -p "$logs"
	if "$@" >"$logs/step.log" 2>&1; then res=OK; else res=FAIL; fi
	python3 tools/testlog.py record "$name" "$res" "$logs/step.log" >"$logs/testlog-first.json"
	echo "$name: $res"
}
clang_build() {
	[ -f build-clang/build.ninja ] || CC=clang meson setup build-clang >/dev/null
	nice ninja -C build-clang
}

# Compile-only with clang, and the Debian packages with lintian (whose .debs
# vm/deb-install installs), at low priority beside the plain gcc build.
step "directflip:build / clang" build-clang clang_build &
clang_pid=$!
step "directflip:package / deb-lintian" build-deb nice tools/build-deb.sh build-deb &
deb_pid=$!
[ -d build ] || meson setup build >/dev/null
ninja -C build || true
wait "$clang_pid"
wait "$deb_pid"
run_suite build
run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false
run_fuzz

exec python3 tools/testlog.py summary \
	build-clang/meson-logs/testlog-first.json - \
	build-deb/meson-logs/testlog-first.json - \
	build/meson-logs/testlog-first.json build/meson-logs/testlog-retry.json \
	build-asan/meson-logs/testlog-first.json build-asan/meson-logs/testlog-retry.json \
	build-fuzz/meson-logs/testlog-first.json -
