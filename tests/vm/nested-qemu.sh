# SPDX-License-Identifier: MIT
# Helpers for scenarios that run a stock QEMU nested in the test VM, the
# VMM whose picture directflip-qemu shows. Source after lib.sh. Its files
# (bus, QMP socket, QEMU's screendumps) go to $NESTED, by default $WORK;
# make it a directory the given user owns when QEMU runs as that user.
# Recipe and timings: tests/vm/README.md ("A stock QEMU inside the VM").
# shellcheck shell=sh

QMP="$PY $VM_DIR/qmp.py"
NESTED=${NESTED:-$WORK}

# owned_dir USER DIR: DIR (under $WORK) made for USER; $WORK itself is
# mode 0700 from mktemp and becomes traversable (0711), no more.
owned_dir() {
	chmod 711 "$WORK"
	mkdir -p "$2"
	chown "$1" "$2"
}

# nested_bus: a session dbus-daemon for the nested QEMU (exports
# DBUS_SESSION_BUS_ADDRESS). The bus is world-connectable only by its
# address file's owner; run QEMU and the bridge as the same user.
nested_bus() {
	_user=${1:-root}
	# The session policy lets only the daemon's uid connect: start it as the user.
	setpriv --reuid="$(id -u "$_user")" --regid="$(id -g "$_user")" --clear-groups \
		dbus-daemon --session --fork --print-address=1 --print-pid=1 \
		--address="unix:path=$NESTED/bus" >"$NESTED/bus.info" ||
		fail "no session dbus-daemon"
	{ read -r DBUS_SESSION_BUS_ADDRESS; read -r _bus_pid; } <"$NESTED/bus.info"
	export DBUS_SESSION_BUS_ADDRESS
	CHILDREN="$CHILDREN $_bus_pid"
}

# nested_qemu_start USER [QEMU ARGS...]: the nested VM (std VGA, SeaBIOS
# waiting 60 s for ESC) on the session bus, QMP at $NESTED/qmp.sock, run
# as USER; sets QEMU_PID. Its log is $NESTED/qemu.log.
nested_qemu_start() {
	_user=$1
	shift
	rm -f "$NESTED/qmp.sock"
	setpriv --reuid="$(id -u "$_user")" --regid="$(id -g "$_user")" --clear-groups \
		qemu-system-x86_64 -machine pc -accel tcg -m 64 -display dbus -vga std \
		-boot menu=on,splash-time=60000 -qmp "unix:$NESTED/qmp.sock,server=on,wait=off" \
		-serial none -monitor none -parallel none "$@" >"$NESTED/qemu.log" 2>&1 &
	QEMU_PID=$!
	CHILDREN="$CHILDREN $QEMU_PID"
	wait_for 60 test -S "$NESTED/qmp.sock" || fail "the nested QEMU made no QMP socket: $(cat "$NESTED/qemu.log")"
}

# nested_text: the nested VM's VGA text screen.
nested_text() {
	$QMP "$NESTED/qmp.sock" text "$NESTED/vga.text"
}

nested_text_has() {
	nested_text | grep -q -- "$1"
}

# nested_wait_text SECONDS TEXT: until the nested screen shows TEXT.
nested_wait_text() {
	wait_for "$1" nested_text_has "$2" ||
		fail "the nested VM never showed '$2'; its screen: $(nested_text)"
	ok "the nested VM shows '$2'"
}

# nested_screendump FILE: QEMU's own PPM of the nested console.
nested_screendump() {
	$QMP "$NESTED/qmp.sock" screendump "$1" || fail "QMP screendump failed"
}

# head_holds HEAD REF: head HEAD's screendump holds REF exactly in its
# centre, black around it (scaling = center).
head_holds() {
	_f="$WORK/head$1-$(date +%s%N).ppm"
	"$VMCTL" screendump "$1" "$_f" || return 1
	$IMG centred "$_f" "$2" 2>"$WORK/centred.err"
}

# expect_head_holds SECONDS HEAD REF WHAT
expect_head_holds() {
	wait_for "$1" head_holds "$2" "$3" || fail "head $2: $4: $(cat "$WORK/centred.err")"
	ok "head $2: $4"
}
