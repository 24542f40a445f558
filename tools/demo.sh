#!/bin/sh
# SPDX-License-Identifier: MIT
# The main job on the embedded default: build, boot the test VM, bind two
# simulated VMs to two monitors, and save a PNG of each monitor in demo-out/.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build
rm -rf demo-out
mkdir -p demo-out
DF_BUILD=$(pwd)/build tests/vm/harness/run --outputs 3 --keep-share "$(pwd)/demo-out" -- tests/vm/scenarios/demo-guest.sh
ls -l demo-out/*.png
