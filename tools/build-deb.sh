#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the Debian packages from this tree (the files git knows, committed
# or not) in build-deb/, then runs lintian on them. Exit status 0 only when
# dpkg-buildpackage succeeds and lintian reports no error; lintian's
# warnings are printed and allowed.
#
#   tools/build-deb.sh [OUTDIR]      default build-deb
set -eu
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-build-deb}")
rm -rf "$out/src" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$out/src"
# The source as git sees it, without build directories or earlier outputs.
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$out/src" -xf -
else
	# Not a git checkout (a release tarball): everything but build trees.
	tar --exclude='./build*' --exclude='./demo-out' -cf - . | tar -C "$out/src" -xf -
fi
cd "$out/src"
dpkg-buildpackage -us -uc -b
cd "$out"
ls -1 ./*.deb
lintian --fail-on error --tag-display-limit 0 ./*.changes
echo "lintian: no errors"
