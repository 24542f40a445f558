#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs everything directflip needs to build and test on Debian 12.
# Safe to run again: apt-get skips what is there.
set -eu
PKGS="meson ninja-build pkg-config gcc g++ clang scdoc
libdrm-dev libudev-dev libseat-dev libinput-dev libevdev-dev libinih-dev libsystemd-dev libjson-c-dev
qemu-system-x86 qemu-system-gui busybox-static cpio kmod udev libdrm-tests
dbus libglib2.0-bin python3 util-linux strace systemd
libfuse3-dev fuse3
dpkg-dev debhelper lintian"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing:$missing"
$SUDO apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
