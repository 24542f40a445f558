/* SPDX-License-Identifier: MIT */
#include "kms/scale.h"

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

void kms_scale(enum kms_scaling policy, uint32_t src_w, uint32_t src_h, uint32_t dst_w,
	       uint32_t dst_h, struct kms_rect *src, struct kms_rect *dst)
{
	*src = (struct kms_rect){ 0, 0, src_w, src_h };
	*dst = (struct kms_rect){ 0, 0, dst_w, dst_h };
	if (src_w == 0 || src_h == 0 || dst_w == 0 || dst_h == 0)
		return;

	switch (policy) {
	case KMS_SCALE_STRETCH:
		return;
	case KMS_SCALE_FIT: {
		/* Compare src_w/src_h with dst_w/dst_h without floating point. */
		uint64_t lhs = (uint64_t)src_w * dst_h, rhs = (uint64_t)dst_w * src_h;
		if (lhs > rhs) { /* wider than the mode: bars top and bottom */
			dst->h = (uint32_t)(((uint64_t)dst_w * src_h + src_w / 2) / src_w);
			dst->y = (int32_t)((dst_h - dst->h) / 2);
		} else if (lhs < rhs) { /* narrower: bars left and right */
			dst->w = (uint32_t)(((uint64_t)dst_h * src_w + src_h / 2) / src_h);
			dst->x = (int32_t)((dst_w - dst->w) / 2);
		}
		return;
	}
	case KMS_SCALE_CENTER:
	case KMS_SCALE_NONE: {
		uint32_t w = min_u32(src_w, dst_w), h = min_u32(src_h, dst_h);
		src->w = dst->w = w;
		src->h = dst->h = h;
		if (policy == KMS_SCALE_CENTER) {
			src->x = (int32_t)((src_w - w) / 2);
			src->y = (int32_t)((src_h - h) / 2);
			dst->x = (int32_t)((dst_w - w) / 2);
			dst->y = (int32_t)((dst_h - h) / 2);
		}
		return;
	}
	}
}
