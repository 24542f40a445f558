#!/bin/sh
# SPDX-License-Identifier: MIT
# directflipd --probe on a machine without any DRM card: exit 1 and one line.
# Where the host has cards, /sys/class/drm is hidden in a private mount namespace.
set -eu
daemon=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if [ -d /sys/class/drm ] && [ -n "$(ls /sys/class/drm 2>/dev/null)" ]; then
	# Hiding the cards needs a mount namespace: a package build as non-root
	# has none, so skip there.
	unshare -m true 2>/dev/null || { echo "SKIP: cannot hide /sys/class/drm (unshare -m)"; exit 77; }
	status=0
	unshare -m sh -c 'mount -t tmpfs none /sys/class/drm && exec "$0" --probe' "$daemon" \
		>"$out" 2>&1 || status=$?
else
	status=0
	"$daemon" --probe >"$out" 2>&1 || status=$?
fi
cat "$out"
[ "$status" -eq 1 ] || { echo "FAIL: exit status $status, want 1"; exit 1; }
[ "$(wc -l <"$out")" -eq 1 ] || { echo "FAIL: want exactly one line of explanation"; exit 1; }
grep -q "no DRM card" "$out" || { echo "FAIL: the line does not say that there is no card"; exit 1; }
echo "ok"
