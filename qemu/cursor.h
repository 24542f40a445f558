/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * QEMU's pointer image (CursorDefine, ARGB8888) in one dumb buffer of the
 * cursor plane's size on the lease fd; the image is kept so that a new
 * lease gets it again.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor;

int cursor_new(struct cursor **out);
struct cursor *cursor_free(struct cursor *c);
/* Keeps w x h ARGB8888 pixels (checked by the caller) and the hot spot. */
int cursor_set_image(struct cursor *c, int32_t w, int32_t h, int32_t hx, int32_t hy,
		     const uint8_t *argb);
/* The framebuffer of the image on fd, a size x size buffer made on first
 * use or when fd changes; 0 without an image or on failure. */
uint32_t cursor_fb(struct cursor *c, int fd, uint32_t size);
/* Drops the buffer (before its fd is closed). */
void cursor_drop_buffer(struct cursor *c);
void cursor_hot(const struct cursor *c, int32_t *hx, int32_t *hy);
