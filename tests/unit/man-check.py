#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that the man pages (docs/man/*.scd) cover what the code offers.

  man-check.py options PAGE PROGRAM
      every option in PROGRAM --help appears in PAGE; for a program whose help
      lists "Commands:", every command, and every option of COMMAND --help
  man-check.py keys PAGE KEYS_C
      every key of the schema in KEYS_C (config/keys.c) appears as *key=*
      (or *source.*K, *hotkey.focus.*VM) in its section's part of PAGE
  man-check.py sections PAGE
      PAGE has EXAMPLES, FILES and EXIT STATUS

Prints each thing missing and exits 1 when anything is.
"""
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")


def run_help(argv):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    return r.stdout + r.stderr


def page_text(path):
    with open(path) as f:
        return f.read()


def bold(text, word):
    """word appears in bold (*word*), alone or starting a bold run."""
    return re.search(r"\*" + re.escape(word) + r"(\*|[ =])", text) is not None


def check_options(page, program):
    text = page_text(page)
    missing = []
    main = run_help([program, "--help"])
    for opt in sorted(set(OPTION.findall(main))):
        if not bold(text, opt):
            missing.append("option %s (%s --help)" % (opt, program))
    m = re.search(r"^Commands:\n((?:  .*\n)+)", main, re.M)
    for line in (m.group(1).splitlines() if m else []):
        cmd = line.split()[0]
        if not bold(text, cmd):
            missing.append("command %s" % cmd)
        sub = run_help([program, cmd, "--help"])
        for opt in sorted(set(OPTION.findall(sub))):
            if not bold(text, opt):
                missing.append("option %s (%s %s --help)" % (opt, program, cmd))
    return missing


SECTIONS = {"daemon_keys": "# [daemon]", "monitor_keys": "# [monitor.NAME]",
            "vm_keys": "# [vm.NAME]", "seat_keys": "# [seat.NAME]"}


def check_keys(page, keys_c):
    text = page_text(page)
    src = page_text(keys_c)
    missing = []
    tables = re.findall(r"static const struct key_def (\w+)\[\] = \{(.*?)\n\};", src, re.S)
    if not tables:
        return ["no key tables found in %s" % keys_c]
    for table, body in tables:
        heading = SECTIONS.get(table)
        if heading is None:
            missing.append("a section for %s (new table in %s?)" % (table, keys_c))
            continue
        start = text.find("\n" + heading + "\n")
        if start < 0:
            missing.append("section %s" % heading)
            continue
        end = text.find("\n# ", start + 1)
        part = text[start:end if end > 0 else len(text)]
        for name, indexed in re.findall(r'\{ "([^"]+)", \w+, \w+, (true|false) \}', body):
            want = "*" + name + ("*" if indexed == "true" else "=*")
            if want not in part:
                missing.append("key %s in %s" % (want, heading))
    return missing


def check_sections(page):
    text = page_text(page)
    return ["section %s" % s for s in ("EXAMPLES", "FILES", "EXIT STATUS")
            if "\n# " + s + "\n" not in text]


def main(argv):
    if len(argv) == 4 and argv[1] == "options":
        missing = check_options(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "keys":
        missing = check_keys(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "sections":
        missing = check_sections(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for m in missing:
        print("%s: missing %s" % (argv[2], m))
    if not missing:
        print("%s: complete" % argv[2])
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
