# SPDX-License-Identifier: MIT
# Helpers for scenarios that run a stock QEMU nested in the test VM, the
# VMM whose picture directflip-qemu shows. Source after lib.sh. Its files
# (bus, QMP socket, QEMU's screendumps) go to $NESTED, by default $WORK;
# make it a directory the given user owns when QEMU runs as that user.
# Recipe and timings: tests/vm/README.md ("A stock QEMU inside the VM").
# shellcheck shell=sh

QMP="$PY $VM_DIR/harness/qmp.py"
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

# nested_on_bus USER: QEMU owns org.qemu on the session bus (about 4 s
# after start); asked as USER, whom the session bus admits.
nested_on_bus() {
	setpriv --reuid="$(id -u "$1")" --regid="$(id -g "$1")" --clear-groups \
		busctl --address="$DBUS_SESSION_BUS_ADDRESS" call org.freedesktop.DBus \
		/org/freedesktop/DBus org.freedesktop.DBus NameHasOwner s org.qemu 2>/dev/null |
		grep -q true
}

# nested_wait_bus USER: until QEMU owns its name, so a bridge started
# next finds it.
nested_wait_bus() {
	wait_for 60 nested_on_bus "$1" || fail "the nested QEMU never took org.qemu on its bus"
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

# nested_still: a picture that does not change: the nested VM paused
# (its virtual clock, which blinks the text cursor, stops with it) and the
# cursor moved off the screen (CRTC registers 0x0e/0x0f, written with the
# human monitor's `o`). QEMU then sends no Update at all, not even the
# cursor cell it redraws on every refresh.
nested_still() {
	$QMP "$NESTED/qmp.sock" stop || fail "QMP stop failed"
	nested_crtc 0x0e 0xff && nested_crtc 0x0f 0xff ||
		fail "moving the nested VM's text cursor away failed"
}

# nested_crtc REG VALUE: writes one of the nested VGA's CRTC registers
# (index port 0x3d4, data port 0x3d5) with the human monitor's `o`.
nested_crtc() {
	$QMP "$NESTED/qmp.sock" hmp "o /b 0x3d4 $1" "o /b 0x3d5 $2"
}

# nested_go: the nested VM runs again.
nested_go() {
	$QMP "$NESTED/qmp.sock" cont || fail "QMP cont failed"
}

# head_holds HEAD REF: head HEAD's screendump holds REF exactly in its
# centre, black around it (scaling = center).
head_holds() {
	_f="$WORK/head$1-$(date +%s%N).ppm"
	"$VMCTL" screendump "$1" "$_f" || return 1
	$IMG centred "$_f" "$2" 2>"$WORK/centred.err"
}

# head_is_nested HEAD REF: head HEAD holds, centred and pixel for pixel,
# QEMU's own screendump taken just before or just after it (kept as REF).
# Each dump takes a second or more here and the text cursor blinks in
# between, so one dump on each side of the head's.
head_is_nested() {
	nested_screendump "$2.before" || return 1
	_f="$WORK/head$1-$(date +%s%N).ppm"
	"$VMCTL" screendump "$1" "$_f" || return 1
	nested_screendump "$2" || return 1
	$IMG centred "$_f" "$2" 2>"$WORK/centred.err" && return 0
	$IMG centred "$_f" "$2.before" 2>>"$WORK/centred.err" || return 1
	mv "$2.before" "$2"
}

# expect_head_holds SECONDS HEAD REF WHAT
expect_head_holds() {
	wait_for "$1" head_holds "$2" "$3" || fail "head $2: $4: $(cat "$WORK/centred.err")"
	ok "head $2: $4"
}
