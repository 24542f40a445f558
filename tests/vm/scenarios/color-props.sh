#!/bin/sh
# SPDX-License-Identifier: MIT
# Not a test: prints what a QEMU display device's DRM driver exposes on its
# CRTCs, to find one with GAMMA_LUT for the lease-hygiene test (issue 10).
#   tests/vm/harness/run --outputs 1 --display-device cirrus-vga -- tests/vm/scenarios/color-props.sh cirrus cirrus
#   ... --display-device bochs-display|VGA -- tests/vm/scenarios/color-props.sh bochs bochs-drm
#   ... --display-device qxl -- tests/vm/scenarios/color-props.sh qxl qxl
# MODULE is loaded from the guest kernel's package; DRIVER is its DRM
# driver name for modetest -M. Results (kernel 6.1, QEMU 7.2) are in
# tests/vm/README.md, "Colour properties of QEMU's display devices".
set -eu
[ $# -eq 2 ] || { echo "usage: color-props.sh MODULE DRIVER" >&2; exit 2; }
modprobe -d "$DF_VM_KDIR" "$1"
udevadm settle
for c in /sys/class/drm/card?; do
	echo "$(basename "$c"): $(basename "$(readlink "$c/device/driver")")"
done
echo "CRTC properties of $2:"
modetest -M "$2" -p | sed -n '/^CRTCs:/,/^Planes:/p' | grep -v '^Planes:'
if modetest -M "$2" -p | grep -Eq '^[[:space:]]+[0-9]+ (GAMMA_LUT|DEGAMMA_LUT|CTM):'; then
	echo "$2 has colour properties"
else
	echo "$2 has no GAMMA_LUT, DEGAMMA_LUT or CTM"
fi
