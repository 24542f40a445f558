/* SPDX-License-Identifier: MIT */
/* Test tools only: see standin-options.h. */
#include "standin-options.h"

#include <errno.h>
#include <string.h>

#include "args.h"

void standin_options_init(struct standin_options *o)
{
	*o = (struct standin_options){ .card = "/dev/dri/card0", .w = 1024, .h = 768,
				       .frame_ms = 16 };
}

int standin_options_take(struct standin_options *o, const char *a, const char *v)
{
	int bad;
	if (!strcmp(a, "--card"))
		bad = !v, o->card = v ? v : o->card;
	else if (!strcmp(a, "--color"))
		bad = args_color(v, &o->color), o->have_color = !bad;
	else if (!strcmp(a, "--flip-color"))
		bad = args_color(v, &o->fcolor), o->have_flip = !bad;
	else if (!strcmp(a, "--frames"))
		bad = args_u32(v, 10, 1000000, &o->frames);
	else if (!strcmp(a, "--flush-pid-file"))
		bad = !v, o->pid_file = v;
	else if (!strcmp(a, "--frame-ms"))
		bad = args_u32(v, 10, 1000, &o->frame_ms) || !o->frame_ms;
	else if (!strcmp(a, "--resize-color"))
		bad = args_color(v, &o->rcolor);
	else if (!strcmp(a, "--size"))
		bad = args_size(v, 8192, &o->w, &o->h);
	else if (!strcmp(a, "--resize"))
		bad = args_size(v, 8192, &o->rw, &o->rh);
	else
		return 0;
	return bad ? -EINVAL : 1;
}
