#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reads meson's testlog.json files for tools/test.sh.

  testlog.py failed-vm LOG        names of failed tests in the 'vm' suite
  testlog.py record NAME OK|FAIL LOGFILE
                                  prints one testlog line for a step that is
                                  not a meson test (the clang build, the .deb)
  testlog.py summary FIRST RETRY [FIRST RETRY ...]
                                  prints failures (with their output's tail),
                                  flaky tests, and last the line
                                  "N passed, N failed, N skipped"

A failed VM test whose guest kernel reported a soft lockup, a hung task or
an oops (tests/vm/harness/run's "guest kernel report") gets that stack printed above
its output's tail.

A VM test that failed and then passed its one retry counts as passed and is
listed as flaky; one that failed twice counts as failed. RETRY may be '-'.
"""
import json
import sys

TAIL = 25


def load(path):
    """Returns {name: record} in run order, or None when the log is missing."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    out = {}
    for line in lines:
        r = json.loads(line)
        out[r["name"]] = r
    return out


def ok(r):
    return r["result"] in ("OK", "EXPECTEDFAIL")


def tail(r):
    text = (r.get("stdout") or "") + (r.get("stderr") or "")
    return text.splitlines()[-TAIL:]


def kernel_report(r):
    """The lines of tests/vm/harness/run's guest kernel report block, or []."""
    text = (r.get("stdout") or "") + (r.get("stderr") or "")
    out, inside = [], False
    for line in text.splitlines():
        if line.startswith("run: ---- guest kernel report ----"):
            out, inside = [line], True
        elif inside and line.startswith("  | "):
            out.append(line)
        elif inside:
            if line.startswith("run: the guest kernel panicked"):
                out.append(line)
            inside = False
    return out


def failed_vm(path):
    log = load(path)
    for name, r in (log or {}).items():
        if not ok(r) and r["result"] != "SKIP" and " vm/" in name and ":vm " in name:
            # meson test takes the name without the project prefix.
            print(name.split(" / ", 1)[1])


def summary(pairs):
    passed = failed = skipped = 0
    failures, flaky = [], []
    for first_path, retry_path in pairs:
        first = load(first_path)
        if first is None:
            failed += 1
            failures.append((first_path, None, ["missing: the suite did not run"]))
            continue
        retry = load(retry_path) if retry_path != "-" else {}
        retry = retry or {}
        for name, r in first.items():
            again = retry.get(name)
            if ok(r):
                passed += 1
            elif r["result"] == "SKIP":
                skipped += 1
            elif again is not None and ok(again):
                passed += 1
                flaky.append((first_path, name, r))
            else:
                failed += 1
                last = again or r
                failures.append((first_path, name, kernel_report(last) + tail(last)))
    for path, name, r in flaky:
        print(f"flaky (failed, then passed its retry): {name} [{path}]: "
              f"{r['result']}: {(tail(r) or ['no output'])[-1]}")
    for path, name, lines in failures:
        print(f"---- FAILED: {name or path} [{path}]")
        for line in lines:
            print(f"     {line}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


def record(name, result, logfile):
    try:
        with open(logfile, errors="replace") as f:
            out = f.read()
    except OSError as e:
        out, result = str(e), "FAIL"
    print(json.dumps({"name": name, "result": "OK" if result == "OK" else "FAIL",
                      "stdout": out}))


def main(argv):
    if len(argv) == 5 and argv[1] == "record":
        record(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 3 and argv[1] == "failed-vm":
        failed_vm(argv[2])
        return 0
    if len(argv) >= 4 and argv[1] == "summary" and len(argv) % 2 == 0:
        args = argv[2:]
        return summary(list(zip(args[0::2], args[1::2])))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
