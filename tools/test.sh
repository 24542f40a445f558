#!/bin/sh
# The whole test suite: unit and VM tests, in a plain build and in an
# ASan+UBSan build. Ends with one line "N passed, N failed".
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
	# Failures are counted from the log below; a failing suite must not stop the other.
	meson test -C "$dir" --print-errorlogs --num-processes 2 || true
}

run_suite build
run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false

python3 - build/meson-logs/testlog.json build-asan/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        failed += 1
        print(f"{path}: missing: the suite did not run", file=sys.stderr)
        continue
    for line in lines:
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
