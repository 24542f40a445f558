/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * evdev key codes to QEMU key numbers ("qnum"): the PC keyboard's XT scan
 * code set 1, with an E0-prefixed key written as 0x80 | code (KEY_KPENTER,
 * E0 1C, is 0x9c). org.qemu.Display1.Keyboard.Press/Release take these.
 */
#include <stdint.h>

/* The key's qnum, or -ENOENT for a code QEMU has no key number for. */
int keymap_qnum(uint16_t evdev_code);
