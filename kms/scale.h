/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdint.h>

enum kms_scaling {
	KMS_SCALE_FIT = 0,  /* keep aspect, letterbox or pillarbox */
	KMS_SCALE_STRETCH,  /* fill, aspect lost */
	KMS_SCALE_CENTER,   /* 1:1, centred, cropped when larger */
	KMS_SCALE_NONE,     /* 1:1 at top-left, cropped when larger */
};

struct kms_rect {
	int32_t x, y;
	uint32_t w, h;
};

/* Source rectangle (in fb pixels) and destination (on the CRTC) for an
 * fb of src_w x src_h on a mode of dst_w x dst_h. Pure. */
void kms_scale(enum kms_scaling policy, uint32_t src_w, uint32_t src_h, uint32_t dst_w,
	       uint32_t dst_h, struct kms_rect *src, struct kms_rect *dst);
