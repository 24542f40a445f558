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
# A still picture (nested_still): QEMU sends no Update while it holds, so
# what head 1 shows after the restart is what survived it, not a redraw.
nested_still
nested_screendump "$NESTED/still.ppm"
wait_for 30 head_holds 1 "$NESTED/still.ppm" ||
	{ cat "$WORK/bridge.log"; fail "head 1 never showed QEMU's picture: $(cat "$WORK/centred.err")"; }
ok "head 1 holds QEMU's own screendump of SeaBIOS (paused), centred"

old=$(systemctl show -p MainPID --value directflipd)
systemctl restart directflipd || fail "systemctl restart"
new=$(systemctl show -p MainPID --value directflipd)
[ "$new" != "$old" ] || fail "the daemon's pid did not change"
ok "directflipd restarted ($old -> $new)"
# Type=notify: the new daemon has adopted the leases and made its first
# pass when systemctl returns. Once, not waited for: nobody would redraw.
head_holds 1 "$NESTED/still.ppm" ||
	{ cat "$WORK/bridge.log"; fail "head 1 lost the picture on the daemon's restart: $(cat "$WORK/centred.err")"; }
ok "after the restart head 1 still holds the picture, with no redraw"
journalctl -u directflipd --no-pager | grep -q "vm=vm1 .*action=lease-adopted" || fail "vm1's lease was not adopted from the fd store"
ok "the leases were adopted from the fd store"
wait_for 10 grep -q "action=lease-kept" "$WORK/bridge.log" ||
	{ cat "$WORK/bridge.log"; fail "the bridge did not find its lease again after the restart"; }
kill -0 "$BRIDGE_PID" || { cat "$WORK/bridge.log"; fail "the bridge exited on the daemon's restart"; }
ok "the bridge lives on with the lease it had: $(grep "action=lease-kept" "$WORK/bridge.log")"

# The bridge still follows QEMU: ESC (QMP send-key) opens SeaBIOS's boot menu.
nested_go
$QMP "$NESTED/qmp.sock" key esc || fail "QMP send-key failed"
nested_wait_text 30 "Select boot device"
nested_still
nested_screendump "$NESTED/menu.ppm"
wait_for 30 head_holds 1 "$NESTED/menu.ppm" ||
	{ cat "$WORK/bridge.log"; fail "after the restart head 1 did not follow QEMU to the boot menu: $(cat "$WORK/centred.err")"; }
ok "after the restart head 1 follows QEMU: SeaBIOS's boot menu, pixel for pixel"
expect_frac 2 $BLUE ">" 0.85 "vm2 untouched"
