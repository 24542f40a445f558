/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A VM's virtual input devices, made with uinput: a keyboard, a relative
 * pointer (buttons, motion, wheel) and an absolute "tablet" for devices
 * that report positions. The VMM reads them as evdev devices (QEMU:
 * -object input-linux,evdev=PATH). Each gets a stable symlink,
 * LINK_DIR/VM-keyboard, -pointer and -tablet, to its /dev/input/eventN.
 */
struct uinput_vm;

enum uinput_kind {
	UINPUT_KEYBOARD,
	UINPUT_POINTER,
	UINPUT_TABLET,
	UINPUT_KINDS,
};

#define UINPUT_ABS_MAX 32767   /* the tablet's axes run 0..UINPUT_ABS_MAX */
#define UINPUT_NAME_PREFIX "directflip " /* how the seat tells our devices from physical ones */

/* -errno; a link that cannot be made is an error too (the VMM needs it). */
int uinput_vm_create(const char *vm, const char *link_dir, struct uinput_vm **out);
/* Removes the links as well. NULL is fine. */
void uinput_vm_destroy(struct uinput_vm *u);
/* Read and write access to the device nodes for the VM's owner= (its VMM
 * or directflip-qemu runs as that user), through a POSIX ACL entry; without
 * an owner, the entry goes. Root and group input keep theirs. -errno. */
int uinput_vm_set_owner(struct uinput_vm *u, bool has_owner, uid_t uid);
const char *uinput_vm_name(const struct uinput_vm *u);
const char *uinput_vm_link(const struct uinput_vm *u, enum uinput_kind kind);
const char *uinput_vm_devnode(const struct uinput_vm *u, enum uinput_kind kind);
/* A key goes to the keyboard, a mouse button (BTN_MOUSE..BTN_TASK) to the pointer. */
int uinput_vm_key(struct uinput_vm *u, uint16_t code, bool pressed);
int uinput_vm_motion(struct uinput_vm *u, int32_t dx, int32_t dy);
/* Hi-res wheel units (120 per notch, positive up or right); whole notches
 * also go out as REL_WHEEL/REL_HWHEEL. */
int uinput_vm_wheel(struct uinput_vm *u, int32_t v120, bool horizontal);
int uinput_vm_absolute(struct uinput_vm *u, int32_t x, int32_t y);
