/* SPDX-License-Identifier: MIT */
/*
 * A mapped dumb buffer with a framebuffer: what the test tools draw guest
 * and lessee frames into. 32 bits a pixel. Test tools only.
 */
#ifndef DF_TESTS_DUMB_BUFFER_H
#define DF_TESTS_DUMB_BUFFER_H

#include <stdint.h>

struct dumb_buffer {
	int fd;
	uint32_t handle, pitch, width, height;
	uint32_t fb_id; /* 0 until dumb_buffer_add_fb */
	uint64_t size;
	uint32_t *map;  /* NULL when not mapped */
};

/* The card at path as a plain client: never master (the daemon must get
 * it), which is enough for dumb buffers and reading planes. An fd, or
 * -errno. */
int dumb_buffer_open_card(const char *path);

/* A w x h buffer on fd, mapped. On failure *b holds what was made, for
 * dumb_buffer_destroy (or for the file's close to free). */
int dumb_buffer_create(int fd, uint32_t w, uint32_t h, struct dumb_buffer *b);

/* The buffer behind fb_id (single-plane, 32 bits a pixel), mapped: GETFB2
 * hands its handle only to a master or CAP_SYS_ADMIN. b->fb_id stays 0,
 * so dumb_buffer_destroy drops the mapping and this handle, not fb_id. */
int dumb_buffer_map_fb(int fd, uint32_t fb_id, struct dumb_buffer *b);

/* A framebuffer of format (one plane at offset 0) over b. */
int dumb_buffer_add_fb(struct dumb_buffer *b, uint32_t format);

/* outer everywhere, inner in the centred iw x ih area (0 x 0: none). */
void dumb_buffer_fill(struct dumb_buffer *b, uint32_t outer, uint32_t inner, uint32_t iw,
		      uint32_t ih);

/* color in the w x h rectangle at x, y, clipped to b. */
void dumb_buffer_rect(struct dumb_buffer *b, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		      uint32_t color);

/* Drops the mapping; the buffer and its framebuffer stay. */
void dumb_buffer_unmap(struct dumb_buffer *b);

/* Removes the framebuffer, the mapping and the buffer. */
void dumb_buffer_destroy(struct dumb_buffer *b);

#endif
