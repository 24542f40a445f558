#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every source file carries an SPDX-License-Identifier line near its top:
C and C++ files and headers, meson files, shell and python scripts, scdoc
pages and executable scripts. Prints each file without one; exit 1 if any.

  spdx-check.py SOURCE_ROOT
"""
import os
import sys

SKIP_DIRS = {".git", "subprojects", "corpus", "demo-out"}
EXTS = (".c", ".h", ".cpp", ".sh", ".py", ".scd", ".map")
NAMES = {"meson.build", "meson_options.txt", "rules"}


def wanted(path, name):
    if name.endswith(EXTS) or name in NAMES:
        return True
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1]
    missing, seen = [], 0
    for d, dirs, files in os.walk(root):
        rel = os.path.relpath(d, root)
        # build trees, package builds and their copies of the source
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS and not x.startswith(("build", "obj-"))
                   and not (rel == "debian" and x not in ("source",))]
        for name in files:
            path = os.path.join(d, name)
            if not os.path.isfile(path) or not wanted(path, name):
                continue
            seen += 1
            with open(path, errors="replace") as f:
                head = f.read(400)
            if "SPDX-License-Identifier:" not in head:
                missing.append(os.path.relpath(path, root))
    for m in sorted(missing):
        print("no SPDX-License-Identifier line: %s" % m)
    print("%d files checked, %d without SPDX" % (seen, len(missing)))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
