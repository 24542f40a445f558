#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 14 under systemd as PID 1 (tests/vm/harness/run --systemd): directflipd
# restarts (its unit, with the fd store) while directflip-qemu shows a
# nested stock QEMU's SeaBIOS on head 1. The bridge's picture stays, and
# the bridge lives on.
set -eu
. "$(dirname "$0")/../harness/lib.sh"
. "$VM_DIR/harness/nested-qemu.sh"
[ "${DF_VM_MODE:-}" = systemd ] || fail "run me with tests/vm/harness/run --systemd"

BRIDGE="$DF_BUILD/qemu/directflip-qemu"
USER_=nobody
meson install -C "$DF_BUILD" --no-rebuild --quiet >"$WORK/install.log" 2>&1 ||
	{ cat "$WORK/install.log"; fail "meson install failed"; }
# The package's postinst does this: the control socket's group.
systemd-sysusers "$VM_DIR/../../systemd/directflip.sysusers" || fail "systemd-sysusers"
systemctl daemon-reload

# The shared preamble, the stand-in under /run (the service has a private
# /tmp). vm1 is shown by the bridge, its lessee: no source, no stand-in. The
# control socket is root:directflip 0660 under systemd: the owner, in no
# such group, uses the VM's own socket.
SRC=/run/dftest
VM1_SOURCE=
VM1_KEYS="owner = $USER_
scaling = center
socket = yes"
two_vm_preamble
mkdir -p /etc/directflip
cp "$WORK/layout.ini" /etc/directflip/directflip.ini
systemctl start directflipd || { journalctl -u directflipd --no-pager | tail -20; fail "systemctl start"; }

NESTED=/run/dfqemu
mkdir -p $NESTED
chown $USER_ $NESTED
nested_bus $USER_
nested_qemu_start $USER_
nested_wait_bus $USER_
setpriv --reuid="$(id -u $USER_)" --regid="$(id -g $USER_)" --clear-groups \
	"$BRIDGE" --vm vm1 --socket /run/directflip/vm/vm1.sock >"$WORK/bridge.log" 2>&1 &
BRIDGE_PID=$!
CHILDREN="$CHILDREN $BRIDGE_PID"

nested_wait_text 120 "Press ESC for boot menu"
# Both pictures taken on each try: the text cursor blinks.
is_qemu() {
	head_is_nested 1 "$NESTED/qemu.ppm"
}
wait_for 30 is_qemu || { cat "$WORK/bridge.log"; fail "head 1 never showed QEMU's picture: $(cat "$WORK/centred.err")"; }
ok "head 1 holds QEMU's own screendump of SeaBIOS, centred"

old=$(systemctl show -p MainPID --value directflipd)
systemctl restart directflipd || fail "systemctl restart"
new=$(systemctl show -p MainPID --value directflipd)
[ "$new" != "$old" ] || fail "the daemon's pid did not change"
ok "directflipd restarted ($old -> $new)"
# The picture right after the restart: no one re-drew it from scratch.
sleep 1
kill -0 "$BRIDGE_PID" || { cat "$WORK/bridge.log"; fail "the bridge exited on the daemon's restart"; }
wait_for 20 is_qemu || { cat "$WORK/bridge.log"; fail "head 1 lost QEMU's picture after the restart: $(cat "$WORK/centred.err")"; }
ok "after the restart head 1 still holds QEMU's picture; the bridge lives on"
expect_frac 2 $BLUE ">" 0.85 "vm2 untouched"
journalctl -u directflipd --no-pager | grep -q "action=lease-adopted" || fail "no lease was adopted from the fd store"
ok "the leases were adopted from the fd store"
grep -i "lease" "$WORK/bridge.log" | tail -n 3 || true
