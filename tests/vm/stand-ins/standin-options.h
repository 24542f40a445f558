/* SPDX-License-Identifier: MIT */
/*
 * The command-line options that the FUSE and CUSE stand-ins
 * (SIMULATION of a vGPU driver's interface) share: the host card and the
 * guest plane's size, colours and frames. Test tools only.
 */
#ifndef DF_TESTS_STANDIN_OPTIONS_H
#define DF_TESTS_STANDIN_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

struct standin_options {
	const char *card;          /* --card PATH: /dev/dri/card0 */
	uint32_t w, h;             /* --size WxH: 1024x768 */
	uint32_t color;            /* --color RRGGBB, required */
	bool have_color;
	uint32_t rw, rh, rcolor;   /* --resize WxH, --resize-color RRGGBB */
	uint32_t fcolor;           /* --flip-color RRGGBB */
	bool have_flip;
	uint32_t frames, frame_ms; /* --frames N, --frame-ms MS (1..1000): 16 */
	const char *pid_file;      /* --flush-pid-file FILE */
};

void standin_options_init(struct standin_options *o);

/* Option a with its value v (NULL: a is the last argument): 1 when a is
 * one of these and taken, 0 when a is none of these, -EINVAL when its
 * value is missing or bad. */
int standin_options_take(struct standin_options *o, const char *a, const char *v);

#endif
