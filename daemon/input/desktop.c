/* SPDX-License-Identifier: MIT */
#include "daemon/input/desktop.h"

#include <errno.h>

void desktop_init(struct desktop *d)
{
	*d = (struct desktop){ 0 };
}

int desktop_add(struct desktop *d, int64_t x, int64_t y, int64_t w, int64_t h, int vm)
{
	if (w <= 0 || h <= 0)
		return -EINVAL;
	if (d->n == CONFIG_MAX_MONITORS)
		return -ENOSPC;
	d->rects[d->n].x = x;
	d->rects[d->n].y = y;
	d->rects[d->n].w = w;
	d->rects[d->n].h = h;
	d->rects[d->n].vm = vm;
	if (d->n++ == 0)
		desktop_warp_to_vm(d, vm);
	return 0;
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int desktop_move(struct desktop *d, double dx, double dy)
{
	if (d->n == 0)
		return -1;
	int64_t x0 = d->rects[0].x, y0 = d->rects[0].y;
	int64_t x1 = x0 + d->rects[0].w, y1 = y0 + d->rects[0].h;
	for (size_t i = 1; i < d->n; i++) {
		x0 = d->rects[i].x < x0 ? d->rects[i].x : x0;
		y0 = d->rects[i].y < y0 ? d->rects[i].y : y0;
		x1 = d->rects[i].x + d->rects[i].w > x1 ? d->rects[i].x + d->rects[i].w : x1;
		y1 = d->rects[i].y + d->rects[i].h > y1 ? d->rects[i].y + d->rects[i].h : y1;
	}
	/* The last pixel row and column are inside; x1 and y1 are not. */
	d->px = clamp(d->px + dx, (double)x0, (double)x1 - 1);
	d->py = clamp(d->py + dy, (double)y0, (double)y1 - 1);
	for (size_t i = 0; i < d->n; i++)
		if (d->px >= (double)d->rects[i].x && d->px < (double)(d->rects[i].x + d->rects[i].w) &&
		    d->py >= (double)d->rects[i].y && d->py < (double)(d->rects[i].y + d->rects[i].h))
			return d->rects[i].vm;
	return -1;
}

void desktop_warp_to_vm(struct desktop *d, int vm)
{
	for (size_t i = 0; vm >= 0 && i < d->n; i++) {
		if (d->rects[i].vm == vm) {
			d->px = (double)d->rects[i].x + (double)d->rects[i].w / 2;
			d->py = (double)d->rects[i].y + (double)d->rects[i].h / 2;
			return;
		}
	}
}
