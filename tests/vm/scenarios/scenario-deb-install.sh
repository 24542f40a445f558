#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 15, point 5, under systemd as PID 1 (tests/vm/harness/run --systemd): the
# Debian packages that tools/build-deb.sh made, installed as an
# administrator would (dpkg -i on the guest's writable overlay), start with
# nothing configured but the shipped default layout: directflipd.socket
# starts the daemon, a VM is bound with `vgpu-assign bind --permanent`, and
# after a restart, and after a stop that loses /run as a reboot would, the
# binding is kept and the VM's picture is on the monitor. Simulated: the
# vGPU (tests/vm/stand-ins/vgpu-standin publishes the VM's framebuffer).
set -eu
. "$(dirname "$0")/../harness/lib.sh"
[ "${DF_VM_MODE:-}" = systemd ] || fail "run me with tests/vm/harness/run --systemd"
DEBS=${DF_DEBS:-$PWD/build-deb}
# The packaged CLI, not the build tree's.
VA=/usr/bin/vgpu-assign

set -- "$DEBS"/directflip_*.deb "$DEBS"/libdirectflip-client0_*.deb \
	"$DEBS"/libdirectflip-client-dev_*.deb
for deb; do
	if [ ! -f "$deb" ]; then
		[ "${CI:-}" = true ] && fail "no $deb: tools/build-deb.sh did not run"
		echo "SKIP: no $deb (run tools/build-deb.sh first)"
		exit 77
	fi
done

# ---- Install. man-db would rebuild its whole index under emulation.
rm -f /var/lib/man-db/auto-update
DEBIAN_FRONTEND=noninteractive dpkg -i "$@" >"$WORK/dpkg.log" 2>&1 ||
	{ cat "$WORK/dpkg.log"; fail "dpkg -i"; }
for p in directflip libdirectflip-client0 libdirectflip-client-dev; do
	dpkg-query -W -f='${Status}' "$p" | grep -q "install ok installed" || fail "$p is not installed"
done
[ -f /etc/directflip/directflip.ini ] || fail "no default layout /etc/directflip/directflip.ini"
dpkg-query -W -f='${Conffiles}\n' directflip | grep -q " /etc/directflip/directflip.ini " ||
	fail "the default layout is not a conffile"
getent group directflip >/dev/null || fail "the postinst made no directflip group (sysusers.d)"
for page in man8/directflipd.8 man1/vgpu-assign.1 man5/directflip.ini.5; do
	[ -f "/usr/share/man/$page.gz" ] || fail "no man page $page"
done
/usr/sbin/directflipd --check-config /etc/directflip/directflip.ini >"$WORK/check.txt" 2>&1 ||
	{ cat "$WORK/check.txt"; fail "the shipped layout does not pass --check-config"; }
ok "dpkg -i: 3 packages, default layout (a conffile), directflip group, man pages"

# The -dev package: a program built with pkg-config links the .so.0.
cat >"$WORK/client.c" <<'C'
#include <directflip/client.h>
#include <stdio.h>
int main(void)
{
	struct df_client *c;
	int r = df_client_connect(NULL, &c);
	if (r == 0)
		df_client_close(c);
	printf("%d\n", r);
	return 0;
}
C
# shellcheck disable=SC2046 # pkg-config's words
cc -o "$WORK/client" "$WORK/client.c" $(pkg-config --cflags --libs directflip-client) ||
	fail "cannot build against the -dev package"
# Merged /usr: the loader may name it /lib/... or /usr/lib/...
ldd "$WORK/client" | grep -Eq "libdirectflip-client\.so\.0 => /(usr/)?lib/" ||
	fail "the program does not link the packaged libdirectflip-client.so.0: $(ldd "$WORK/client" | grep directflip)"
ok "pkg-config directflip-client builds a program against libdirectflip-client.so.0"

# ---- Socket activation with the shipped default layout.
"$VMCTL" plug 1 1024 768 || fail "plug head 1"
systemctl start directflipd.socket || fail "systemctl start directflipd.socket"
[ "$(stat -c '%U:%G %a' /run/directflip/control)" = "root:directflip 660" ] ||
	fail "socket is $(stat -c '%U:%G %a' /run/directflip/control), want root:directflip 660"
timeout 60 "$VA" status >"$WORK/status.txt" ||
	{ journalctl -u directflipd --no-pager | tail -20; fail "vgpu-assign status through the socket"; }
[ "$(systemctl is-active directflipd)" = active ] || fail "the first client did not start directflipd"
journalctl -u directflipd --no-pager | grep -q "(socket activation)" ||
	fail "the daemon did not take its socket from systemd"
ok "directflipd.socket started the daemon with the default layout"

# ---- A stand-in VM: its source described in a drop-in, its monitor bound
# with --permanent.
SRC=/run/dftest
start_standin vm1 $RED --size 1024x768
printf '[vm.vm1]\nsource.0 = fb:%s/vm1/plane0\n' "$SRC" >/etc/directflip/directflip.d/50-vm1.ini
"$VA" reload || fail "vgpu-assign reload"
"$VA" bind vm1 Virtual-2 --permanent || fail "vgpu-assign bind --permanent"
grep -q "^monitor" /etc/directflip/directflip.d/90-vgpu-assign-vm1.ini || fail "--permanent wrote no drop-in"
wait_for 30 sh -c "'$VA' leases | grep -q '^vm1 .*Virtual-2'" || { "$VA" vms; fail "vm1 got no lease"; }
expect_frac 1 $RED ">" 0.85 "vm1 bound with --permanent shows"

# ---- A restart: the fd store keeps the lease, the layout keeps the binding.
old=$(systemctl show -p MainPID --value directflipd)
timeout 60 systemctl restart directflipd || fail "systemctl restart directflipd"
[ "$(systemctl show -p MainPID --value directflipd)" != "$old" ] || fail "the daemon did not restart"
wait_for 30 sh -c "'$VA' leases | grep -q '^vm1 .*Virtual-2'" || { "$VA" vms; fail "vm1 lost its lease in the restart"; }
expect_frac 1 $RED ">" 0.85 "after systemctl restart vm1 still shows"

# ---- A stop that loses everything but /etc: the fd store closes (every
# lease revoked) and /run/directflip goes as at a reboot. The drop-ins alone
# bring vm1 back when a client starts the daemon through the socket.
systemctl stop directflipd.socket directflipd || fail "systemctl stop"
rm -rf /run/directflip
systemctl start directflipd.socket || fail "systemctl start directflipd.socket again"
timeout 60 "$VA" vms >"$WORK/vms.txt" || fail "vgpu-assign vms after the stop"
wait_for 30 sh -c "'$VA' leases | grep -q '^vm1 .*Virtual-2'" || { "$VA" vms; fail "vm1 not bound again from its drop-in"; }
expect_frac 1 $RED ">" 0.85 "after a stop and a start with an empty /run vm1 shows again"
ok "the --permanent binding is kept across a restart and a stop"

timeout 60 systemctl stop directflipd.socket directflipd || fail "systemctl stop at the end"
echo "PASS deb-install"
