#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 8, under systemd as PID 1 (tests/vm/harness/run --systemd): the unit as
# meson installs it, readiness, STATUS=, journal fields, reload, and
# leases that survive a crash, a restart and a watchdog kill through the
# file descriptor store. Issue 15: the fresh start (no layout file, no
# card yet), socket activation (directflipd.socket), and clients that
# connect during a restart waiting in the socket.
set -eu
. "$(dirname "$0")/../harness/lib.sh"
[ "${DF_VM_MODE:-}" = systemd ] || fail "run me with tests/vm/harness/run --systemd"

meson install -C "$DF_BUILD" --no-rebuild --quiet >"$WORK/install.log" 2>&1 ||
	{ cat "$WORK/install.log"; fail "meson install failed"; }
unit=/lib/systemd/system/directflipd.service
[ -f "$unit" ] || unit=/usr/local/lib/systemd/system/directflipd.service
[ -f "$unit" ] || fail "meson did not install directflipd.service"
sock_unit=${unit%.service}.socket
[ -f "$sock_unit" ] || fail "meson did not install directflipd.socket"
# The package's postinst does this: the socket's group.
systemd-sysusers "$VM_DIR/../../systemd/directflip.sysusers" || fail "systemd-sysusers"
systemd-analyze verify "$unit" "$sock_unit" >"$WORK/verify.log" 2>&1 || { cat "$WORK/verify.log"; fail "systemd-analyze verify"; }
ok "units installed by meson, systemd-analyze verify clean"
systemctl daemon-reload
# Reported in docs/service.md (a figure, not a pass/fail check).
systemd-analyze security directflipd --no-pager >"$WORK/security.txt" 2>&1 || true
echo "exposure: $(tail -n 1 "$WORK/security.txt")"
grep "✗" "$WORK/security.txt" | head -n 40 || true

# socket-group without directflipd.socket, under the unit's own filter and
# capability set: chown is forbidden, and the one line says so.
printf '[daemon]\nsocket-group = directflip\n' >"$WORK/chown.ini"
systemd-run --quiet --wait --pipe -p 'SystemCallFilter=@system-service' \
	-p 'SystemCallFilter=~@privileged @resources' -p SystemCallErrorNumber=EPERM \
	-p CapabilityBoundingSet= -p Environment=LIBSEAT_BACKEND=noop \
	"$DAEMON" -c "$WORK/chown.ini" --socket /run/dfchown/control >"$WORK/chown.log" 2>&1 &&
	fail "the daemon started though it could not chown its socket"
grep -q "/run/dfchown/control: cannot chown the socket to group directflip (\[daemon\] socket-group): Operation not permitted" "$WORK/chown.log" ||
	{ cat "$WORK/chown.log"; fail "the chown failure does not name chown and the group"; }
ok "socket-group under the unit's sandbox, no socket unit: $(grep -o 'cannot chown.*' "$WORK/chown.log")"
rm -rf /run/dfchown

# ---- A fresh machine: no layout file, and no card until udev brings one.
rm -rf /etc/directflip
dev=$(readlink -f /sys/class/drm/card0/device)
echo 1 >"$dev/remove"
wait_for 30 sh -c '! ls /dev/dri/card* >/dev/null 2>&1' || fail "card0 did not go away"
systemctl start directflipd.socket || fail "systemctl start directflipd.socket"
[ "$(stat -c '%U:%G %a' /run/directflip/control)" = "root:directflip 660" ] ||
	fail "socket is $(stat -c '%U:%G %a' /run/directflip/control), want root:directflip 660"
# The first client starts the daemon (socket activation).
timeout 60 "$VA" status >"$WORK/fresh-status.txt" || { journalctl -u directflipd --no-pager | tail -20; fail "vgpu-assign status on a fresh start"; }
grep -q "^card *-" "$WORK/fresh-status.txt" || { cat "$WORK/fresh-status.txt"; fail "status shows a card"; }
[ "$(systemctl is-active directflipd)" = active ] || fail "not active without a card"
systemctl status directflipd --no-pager >"$WORK/status.txt" 2>&1 || true
grep -q 'Status: "waiting for a DRM card' "$WORK/status.txt" || { cat "$WORK/status.txt"; fail "no waiting STATUS"; }
journalctl -u directflipd --no-pager >"$WORK/journal.txt"
grep -q "/etc/directflip/directflip.ini: no such file; running with an empty layout" "$WORK/journal.txt" ||
	{ tail -20 "$WORK/journal.txt"; fail "no line about the empty layout"; }
grep -q "control socket=/run/directflip/control (socket activation)" "$WORK/journal.txt" ||
	fail "the daemon did not take the socket from systemd"
ok "started by a client with no layout file and no card: $(grep Status: "$WORK/status.txt" | sed 's/^ *//')"
echo 1 >/sys/bus/pci/rescan
wait_for 60 sh -c 'journalctl -u directflipd --no-pager | grep -q "card=/dev/dri/card[0-9]* driver=virtio_gpu added"' ||
	{ journalctl -u directflipd --no-pager | tail; fail "the card that came did not get opened"; }
"$VMCTL" plug 1 1024 768 || fail "plug head 1"
wait_for 30 sh -c "'$VA' monitors | grep -q '^Virtual-2 *connected'" || fail "Virtual-2 not connected"
# Stand-ins publish under /run: the service has a private /tmp.
SRC=/run/dftest
start_standin fresh $RED --size 1024x768
FRESH_STANDIN=${CHILDREN##* }
"$VA" bind fresh Virtual-2 --permanent || fail "bind --permanent on an empty layout"
grep -q "^\[vm.fresh\]" /etc/directflip/directflip.d/90-vgpu-assign-fresh.ini || fail "no drop-in written"
"$VA" map fresh 0 fb:/run/dftest/fresh/plane0 || fail "map fresh"
wait_for 30 sh -c "'$VA' leases | grep -q '^fresh *Virtual-2'" || { "$VA" vms; fail "no lease for the new vm"; }
expect_frac 1 $RED ">" 0.85 "a vm bound on the fresh start shows on head 1"
systemctl is-active directflipd >/dev/null || fail "the daemon is gone"
ok "the card came through udev; a vm bound at run time (--permanent wrote the drop-in) shows"
systemctl stop directflipd.socket directflipd
kill "$FRESH_STANDIN" 2>/dev/null || true
rm -rf /etc/directflip /run/dftest

two_vm_preamble
mkdir -p /etc/directflip
# The shared layout, and a third monitor for vm2 to move to; vm1 has an
# owner, a socket and the seat's keyboard. virtio-gpu cannot scale: vm2's
# mode must match the 1024x768 framebuffer.
layout() { # $1 = vm2's monitor
	VM1_KEYS="owner = 4321
input = desk
socket = yes"
	VM2_MONITOR=$1
	VM2_KEYS="mode = 1024x768"
	two_vm_layout
	monitor_ini far Virtual-1
	echo "[seat.desk]"
	ini input ID_INPUT_KEYBOARD=1
}
layout right >/etc/directflip/directflip.ini

systemctl start directflipd || { journalctl -u directflipd --no-pager | tail -20; fail "systemctl start"; }
# start returns once READY=1 came, and READY comes after the first reconcile.
[ "$(systemctl is-active directflipd)" = active ] || fail "not active after start"
pid=$(systemctl show -p MainPID --value directflipd)
# Lessee count as the kernel reports it to the lessor file of process $1
# (no python here: sampling must be quick under emulation).
# Fails when the process cannot be inspected (say, it is exiting), which is
# not the same as a card with no lessees.
lessees() {
	_out=$("$INSPECT" "$1" 2>/dev/null) || return 1
	printf '%s\n' "$_out" | sed -n 's/.*"lessees":\[\([0-9,]*\)\].*/\1/p' | awk -F, '{ print ($0 == "" ? 0 : NF) } END { if (NR == 0) print 0 }'
}
[ "$(lessees "$pid")" -eq 2 ] || fail "want 2 lessees as soon as the unit is active"
ok "active only after READY, with both leases in place"
# The hardened unit still gives vm1's owner its input devices (an ACL
# written with setxattr, docs/seat.md).
kbd=/run/directflip/input/vm1-keyboard
wait_for 10 test -c $kbd || fail "no $kbd under the unit"
setpriv --reuid=4321 --regid=4321 --clear-groups sh -c 'exec 3<"$1"' - $kbd ||
	fail "under the unit, vm1's owner (uid 4321) cannot open $kbd: $(journalctl -u directflipd --no-pager | grep 'input devices' | tail -n 2)"
! setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'exec 3<"$1"' - $kbd 2>/dev/null ||
	fail "under the unit, nobody opens $kbd"
ok "under the unit, vm1's owner opens its keyboard node, nobody does not"
expect_frac 1 $RED ">" 0.85 "vm1 on head 1"
expect_frac 2 $BLUE ">" 0.85 "vm2 on head 2"

systemctl status directflipd --no-pager >"$WORK/status.txt" 2>&1 || true
grep -q "Status: \"2 VMs on 2 of 3 monitors\"" "$WORK/status.txt" || { cat "$WORK/status.txt"; fail "no STATUS line"; }
ok "systemctl status shows: $(grep Status: "$WORK/status.txt" | sed 's/^ *//')"
journalctl -u directflipd -o export --no-pager >"$WORK/journal.txt"
grep -q "^VM=vm1$" "$WORK/journal.txt" && grep -q "^CONNECTOR=Virtual-2$" "$WORK/journal.txt" &&
	grep -q "^ACTION=lease-granted$" "$WORK/journal.txt" || fail "no structured journal fields"
ok "journal entries carry VM=, MONITOR=, CONNECTOR=, ACTION="
# A VM's own socket beside the activated control socket.
[ -S /run/directflip/vm/vm1.sock ] || fail "no /run/directflip/vm/vm1.sock"
"$VA" --socket /run/directflip/vm/vm1.sock exec vm1 -- sh -c 'test -e /proc/self/fd/3' ||
	fail "exec through vm1's own socket"
ok "vm1's own socket serves exec under socket activation"

# A VMM holding vm1's lease fd across everything below.
mkfifo "$WORK/hold"
"$INSPECT" "$pid" --hold "$WORK/hold" >"$WORK/held.json" &
HOLDER=$!
CHILDREN="$CHILDREN $HOLDER"
wait_for 10 test -s "$WORK/held.json" || fail "the VMM stand-in did not take the lease fds"

# Samples the lessee count of whichever process holds the card: the daemon
# or, while it is down, systemd's fd store (PID 1).
sample_until_new_pid() { # $1 = old pid, $2 = what
	_n=0 _zero=0
	while :; do
		_p=$(systemctl show -p MainPID --value directflipd)
		_c=$(lessees "${_p:-0}" 2>/dev/null || echo x)
		[ "$_p" != 0 ] && [ "$_c" != x ] || _c=$(lessees 1 2>/dev/null || echo 0)
		[ "$_c" -ge 1 ] || _zero=$((_zero + 1))
		_n=$((_n + 1))
		if [ "$_p" != 0 ] && [ "$_p" != "$1" ] && [ "$(systemctl is-active directflipd)" = active ]; then
			break
		fi
		[ $_n -lt 600 ] || fail "$2: the daemon did not come back"
		sleep 0.05
	done
	[ $_zero -eq 0 ] || fail "$2: the lessee count was 0 in $_zero of $_n samples"
	ok "$2: $_n samples, lessee count never 0"
}

for how in segv restart watchdog; do
	old=$(systemctl show -p MainPID --value directflipd)
	case $how in
	segv) kill -SEGV "$old" ;;
	restart) systemctl restart --no-block directflipd ;;
	watchdog)
		mkdir -p /run/systemd/system/directflipd.service.d
		printf '[Service]\nEnvironment=DIRECTFLIP_DEBUG_HANG=1\nWatchdogSec=3\n' \
			>/run/systemd/system/directflipd.service.d/hang.conf
		systemctl daemon-reload
		systemctl restart directflipd
		old=$(systemctl show -p MainPID --value directflipd)
		kill -USR2 "$old"
		;;
	esac
	sample_until_new_pid "$old" "$how"
	new=$(systemctl show -p MainPID --value directflipd)
	[ "$(lessees "$new")" -eq 2 ] || fail "$how: want 2 lessees after, have $(lessees "$new")"
	expect_frac 1 $RED ">" 0.85 "$how: vm1 still on head 1"
	expect_frac 2 $BLUE ">" 0.85 "$how: vm2 still on head 2"
done
journalctl -u directflipd --no-pager | grep -q "action=lease-adopted" || fail "no lease was adopted"
journalctl -u directflipd --no-pager | grep -qi "watchdog" || fail "no watchdog kill in the journal"
rm -rf /run/systemd/system/directflipd.service.d && systemctl daemon-reload

# A client that connects while the daemon restarts waits in the socket
# systemd holds. ExecStartPre= widens the gap to 3 s so that the client
# surely comes while no daemon runs.
mkdir -p /run/systemd/system/directflipd.service.d
printf '[Service]\nExecStartPre=/bin/sleep 3\n' >/run/systemd/system/directflipd.service.d/slow.conf
systemctl daemon-reload
old=$(systemctl show -p MainPID --value directflipd)
systemctl restart --no-block directflipd
wait_for 20 sh -c "[ \"\$(systemctl show -p MainPID --value directflipd)\" != $old ]" || fail "the old daemon did not stop"
state=$(systemctl is-active directflipd || true)
[ "$state" != active ] || fail "the daemon is up again already; the gap is missed"
t0=$(date +%s%N)
timeout 60 "$VA" vms >"$WORK/vms-restart.txt" 2>"$WORK/vms-restart.err" ||
	{ cat "$WORK/vms-restart.err"; fail "vgpu-assign vms during systemctl restart failed"; }
t1=$(date +%s%N)
grep -q "^vm1 " "$WORK/vms-restart.txt" || { cat "$WORK/vms-restart.txt"; fail "vms during the restart: no vm1"; }
ok "vgpu-assign vms during systemctl restart ($state) waited $(( (t1 - t0) / 1000000 )) ms in the socket and succeeded"
wait_for 30 sh -c '[ "$(systemctl is-active directflipd)" = active ]' || fail "not active after the slow restart"
rm -rf /run/systemd/system/directflipd.service.d && systemctl daemon-reload

echo go >"$WORK/hold"
wait "$HOLDER" || fail "the VMM stand-in failed"
$PY - "$WORK/held.json" <<'PY' || fail "the VMM's lease fd taken before the crash no longer works"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
before, after = docs[0], docs[-1]
assert len(docs) == 2, docs
crtcs = lambda d: sorted(l["crtcs"][0] for l in d["leases"] if l["crtcs"])
assert crtcs(before) == crtcs(after) and len(crtcs(after)) == 2, (before, after)
print("held lease fds still reach CRTCs", crtcs(after))
PY
ok "a lease fd taken before the crash still works after three restarts"

# Reload applies a change: vm2 moves to Virtual-1 (head 0).
layout far >/etc/directflip/directflip.ini
timeout 60 systemctl reload directflipd || { systemctl status directflipd --no-pager | tail; fail "systemctl reload"; }
wait_for 30 sh -c "journalctl -u directflipd --no-pager | grep -q 'vm=vm2 monitor=far connector=Virtual-1 .*action=lease-granted'" ||
	{ journalctl -u directflipd --no-pager | tail -15; fail "reload did not move vm2"; }
expect_frac 0 $BLUE ">" 0.8 "after reload vm2 is on head 0"
ok "systemctl reload applied the change"

timeout 60 systemctl stop directflipd directflipd.socket || fail "systemctl stop"
echo "PASS systemd"
