/* SPDX-License-Identifier: MIT */
/* libFuzzer target for directflip-qemu's checks of QEMU's Listener
 * messages (qemu/check.c): a guest-controlled QEMU picks every size,
 * stride, format, length, hot spot and update rectangle. The input is a
 * sequence of records: one byte picks the message, the next bytes are its
 * arguments (little-endian; missing bytes read as 0). Each accepted message
 * must satisfy what the bridge then relies on, or the target aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const uint8_t *p;
	size_t n;
};

static uint32_t u32(struct in *in)
{
	uint8_t b[4] = { 0 };
	size_t k = in->n < 4 ? in->n : 4;
	memcpy(b, in->p, k);
	in->p += k;
	in->n -= k;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t u64(struct in *in)
{
	uint64_t lo = u32(in);
	return lo | (uint64_t)u32(in) << 32;
}

static void need(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	char why[128];
	struct check_rect damage = { 0 };
	while (in.n > 0) {
		uint8_t op = in.p[0];
		in.p++;
		in.n--;
		switch (op % 6) {
		case 0: { /* Scanout / ScanoutMap */
			uint32_t w = u32(&in), h = u32(&in), stride = u32(&in), fmt = u32(&in);
			uint64_t len = u64(&in);
			if (check_pixels(w, h, stride, fmt, len, why, sizeof(why)) == 0) {
				need(w > 0 && h > 0 && w <= CHECK_MAX_SIDE && h <= CHECK_MAX_SIDE);
				need((uint64_t)stride >= (uint64_t)w * 4);
				need(len >= (uint64_t)h * stride);
			} else {
				need(memchr(why, '\0', sizeof(why)) != NULL && why[0]);
			}
			break;
		}
		case 1: { /* ScanoutDMABUF */
			uint32_t w = u32(&in), h = u32(&in), stride = u32(&in), fourcc = u32(&in);
			if (check_dmabuf(w, h, stride, fourcc, why, sizeof(why)) == 0)
				need(w > 0 && h > 0 && w <= CHECK_MAX_SIDE && h <= CHECK_MAX_SIDE &&
				     (uint64_t)stride >= (uint64_t)w * 4 && check_fourcc(fourcc) == 0);
			break;
		}
		case 2: { /* CursorDefine */
			int32_t w = (int32_t)u32(&in), h = (int32_t)u32(&in);
			int32_t hx = (int32_t)u32(&in), hy = (int32_t)u32(&in);
			uint64_t len = u64(&in);
			uint32_t max = u32(&in) % (CHECK_MAX_CURSOR + 1);
			if (check_cursor(w, h, hx, hy, len, max, why, sizeof(why)) == 0)
				need(w > 0 && h > 0 && (uint32_t)w <= max && (uint32_t)h <= max &&
				     hx >= 0 && hy >= 0 && hx < w && hy < h &&
				     len >= (uint64_t)w * (uint64_t)h * 4);
			break;
		}
		case 3: { /* Update against a surface; damage accumulates */
			int32_t x = (int32_t)u32(&in), y = (int32_t)u32(&in);
			int32_t w = (int32_t)u32(&in), h = (int32_t)u32(&in);
			uint32_t sw = u32(&in) % (CHECK_MAX_SIDE + 1), sh = u32(&in) % (CHECK_MAX_SIDE + 1);
			struct check_rect r;
			enum check_clip c = check_clip(x, y, w, h, sw, sh, &r);
			if (c != CHECK_CLIP_OUTSIDE) {
				need(r.w > 0 && r.h > 0 && (uint64_t)r.x + r.w <= sw &&
				     (uint64_t)r.y + r.h <= sh);
				struct check_rect u = check_union(damage, r);
				need(u.x <= r.x && u.y <= r.y && (uint64_t)u.x + u.w >= (uint64_t)r.x + r.w &&
				     (uint64_t)u.y + u.h >= (uint64_t)r.y + r.h);
				damage = u;
			}
			break;
		}
		case 4: { /* the pixman format of a Scanout */
			uint32_t fourcc = 0;
			if (check_pixman_format(u32(&in), &fourcc) == 0)
				need(check_fourcc(fourcc) == 0);
			break;
		}
		case 5: { /* MouseSet: the cursor's place on the CRTC */
			struct kms_rect src = { (int32_t)(u32(&in) % CHECK_MAX_SIDE),
						(int32_t)(u32(&in) % CHECK_MAX_SIDE),
						u32(&in) % (CHECK_MAX_SIDE + 1), u32(&in) % (CHECK_MAX_SIDE + 1) };
			struct kms_rect dst = { (int32_t)(u32(&in) % CHECK_MAX_SIDE),
						(int32_t)(u32(&in) % CHECK_MAX_SIDE),
						u32(&in) % (CHECK_MAX_SIDE + 1), u32(&in) % (CHECK_MAX_SIDE + 1) };
			int32_t x = (int32_t)u32(&in), y = (int32_t)u32(&in);
			int32_t hx = (int32_t)(u32(&in) % CHECK_MAX_CURSOR);
			int32_t hy = (int32_t)(u32(&in) % CHECK_MAX_CURSOR);
			int32_t cx, cy;
			check_cursor_place(&src, &dst, x, y, hx, hy, &cx, &cy);
			break;
		}
		}
	}
	return 0;
}
