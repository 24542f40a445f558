#!/bin/sh
# SPDX-License-Identifier: MIT
# Self-test of the VM harness; runs INSIDE the guest:
#   tests/vm/harness/run --outputs 3 -- tests/vm/harness/selftest.sh
# Checks the KMS device, real monitor hotplug through vmctl, screendumps and
# the shared directory.  Stops at the first failure with a message.
set -u

VMCTL="$(cd "$(dirname "$0")" && pwd)/vmctl"
WORK=$(mktemp -d /tmp/selftest.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

ok() {
	echo "ok: $*"
}

: "${DF_VM_SHARE:?FAIL: DF_VM_SHARE is not set (run me through tests/vm/harness/run)}"

# snapshot: run `modetest -c` once; connector() reads from the snapshot.
snapshot() {
	modetest -M virtio_gpu -c 2>"$WORK/modetest.err" >"$WORK/modetest" ||
		fail "modetest -M virtio_gpu -c failed: $(cat "$WORK/modetest.err")"
}

# connector NAME status|modes: the status ("connected") or the mode names
# of connector NAME in the last snapshot.
connector() {
	awk -v want="$1" -v what="$2" '
		/^[0-9]+\t/ { cur = ($4 == want); if (cur && what == "status") print $3; next }
		cur && what == "modes" && /^  #[0-9]+ / { print $2 }
		/^[A-Z][a-z]+:/ { cur = 0 }
	' "$WORK/modetest"
}

# png_size FILE: "W H" from a PNG's IHDR, or nothing when FILE is not a PNG.
png_size() {
	# shellcheck disable=SC2046
	set -- $(od -A n -t u1 -N 24 "$1")
	[ $# -eq 24 ] || return 0
	[ "$1 $2 $3 $4 $5 $6 $7 $8" = "137 80 78 71 13 10 26 10" ] || return 0
	[ "${13} ${14} ${15} ${16}" = "73 72 68 82" ] || return 0 # IHDR
	echo "$(((${17} << 24) | (${18} << 16) | (${19} << 8) | ${20}))" \
		"$(((${21} << 24) | (${22} << 16) | (${23} << 8) | ${24}))"
}

# 1. the device
[ -c /dev/dri/card0 ] || fail "/dev/dri/card0 does not exist"
ok "/dev/dri/card0 exists"

# 2. three connectors, only the first one connected
snapshot
n=$(grep -cE '^[0-9]+	.*	Virtual-[0-9]+' "$WORK/modetest")
[ "$n" -eq 3 ] || fail "modetest lists $n Virtual-N connectors, expected 3"
for i in 1 2 3; do
	grep -qE "^[0-9]+	.*	Virtual-$i([^0-9]|$)" "$WORK/modetest" ||
		fail "connector Virtual-$i is missing"
done
st=$(connector Virtual-1 status)
[ "$st" = connected ] || fail "Virtual-1 is '$st' at boot, expected connected"
for i in 2 3; do
	st=$(connector Virtual-$i status)
	[ "$st" = disconnected ] || fail "Virtual-$i is '$st' at boot, expected disconnected"
done
mode0=$(connector Virtual-1 modes | head -n1)
[ -n "$mode0" ] || fail "Virtual-1 has no modes"
ok "3 connectors Virtual-1..3, only Virtual-1 connected (preferred mode $mode0)"

# 3. hotplug head 1
"$VMCTL" plug 1 1024 768 || fail "vmctl plug 1 1024 768 failed"
snapshot
st=$(connector Virtual-2 status)
[ "$st" = connected ] || fail "Virtual-2 is '$st' after plug, expected connected"
connector Virtual-2 modes | grep -qx 1024x768 ||
	fail "Virtual-2 lists no 1024x768 mode after plug: $(connector Virtual-2 modes | tr '\n' ' ')"
ok "vmctl plug 1 1024 768: Virtual-2 connected with a 1024x768 mode"

"$VMCTL" unplug 1 || fail "vmctl unplug 1 failed"
snapshot
st=$(connector Virtual-2 status)
[ "$st" = disconnected ] || fail "Virtual-2 is '$st' after unplug, expected disconnected"
ok "vmctl unplug 1: Virtual-2 disconnected"

# 4. screendump of head 0
png="$DF_VM_SHARE/head0.png"
"$VMCTL" screendump 0 "$png" || fail "vmctl screendump 0 failed"
[ -s "$png" ] || fail "$png is missing or empty"
size=$(png_size "$png")
[ -n "$size" ] || fail "$png is not a PNG: $(od -A n -t x1 -N 16 "$png")"
[ "$(echo "$size" | tr ' ' x)" = "$mode0" ] ||
	fail "head 0 screendump is $(echo "$size" | tr ' ' x), Virtual-1's mode is $mode0"
ok "screendump of head 0 is a ${mode0} PNG"

ppm="$WORK/head0.ppm"
"$VMCTL" screendump 0 "$ppm" || fail "vmctl screendump 0 (ppm) failed"
[ "$(head -c 2 "$ppm")" = P6 ] || fail "$ppm is not a PPM"
ok "screendump to a .ppm file outside the shared dir"

# 5. the shared directory carries files to the host
marker="$DF_VM_SHARE/selftest-marker"
echo "written by the guest at $(cat /proc/uptime)" >"$marker" || fail "cannot write $marker"
want="$(wc -c <"$marker" | tr -d ' ') $(sha256sum "$marker" | cut -d' ' -f1)"
got=$("$VMCTL" hoststat "$marker") || fail "vmctl hoststat failed"
[ "$got" = "$want" ] || fail "the host sees '$got' for $marker, the guest wrote '$want'"
ok "a file written to \$DF_VM_SHARE is visible on the host"

echo "PASS selftest"
