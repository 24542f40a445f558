/* SPDX-License-Identifier: MIT */
#include "qemu/damage.h"

static bool covers(const struct check_rect *o, const struct check_rect *i)
{
	return i->x >= o->x && i->y >= o->y && (uint64_t)i->x + i->w <= (uint64_t)o->x + o->w &&
	       (uint64_t)i->y + i->h <= (uint64_t)o->y + o->h;
}

/* a and b joined into one rectangle with nothing extra: same columns and
 * touching or overlapping rows, or the other way round. */
static bool joins(const struct check_rect *a, const struct check_rect *b, struct check_rect *out)
{
	if (a->x == b->x && a->w == b->w && (uint64_t)a->y <= (uint64_t)b->y + b->h &&
	    (uint64_t)b->y <= (uint64_t)a->y + a->h) {
		*out = check_union(*a, *b);
		return true;
	}
	if (a->y == b->y && a->h == b->h && (uint64_t)a->x <= (uint64_t)b->x + b->w &&
	    (uint64_t)b->x <= (uint64_t)a->x + a->w) {
		*out = check_union(*a, *b);
		return true;
	}
	return false;
}

/* a minus b: up to 4 pieces (above, below, left, right of the overlap). */
static int minus(const struct check_rect *a, const struct check_rect *b, struct check_rect *out)
{
	uint64_t ax1 = (uint64_t)a->x + a->w, ay1 = (uint64_t)a->y + a->h;
	uint64_t bx1 = (uint64_t)b->x + b->w, by1 = (uint64_t)b->y + b->h;
	uint64_t x0 = a->x > b->x ? a->x : b->x, y0 = a->y > b->y ? a->y : b->y;
	uint64_t x1 = ax1 < bx1 ? ax1 : bx1, y1 = ay1 < by1 ? ay1 : by1;
	if (x0 >= x1 || y0 >= y1) {
		out[0] = *a;
		return 1;
	}
	int n = 0;
	if (y0 > a->y)
		out[n++] = (struct check_rect){ a->x, a->y, a->w, (uint32_t)(y0 - a->y) };
	if (y1 < ay1)
		out[n++] = (struct check_rect){ a->x, (uint32_t)y1, a->w, (uint32_t)(ay1 - y1) };
	if (x0 > a->x)
		out[n++] = (struct check_rect){ a->x, (uint32_t)y0, (uint32_t)(x0 - a->x),
						(uint32_t)(y1 - y0) };
	if (x1 < ax1)
		out[n++] = (struct check_rect){ (uint32_t)x1, (uint32_t)y0, (uint32_t)(ax1 - x1),
						(uint32_t)(y1 - y0) };
	return n;
}

/* Appends n, which overlaps no rectangle of d, joined with those it
 * extends exactly. */
static void put(struct damage *d, struct check_rect n)
{
	for (int i = 0; i < d->n;) {
		struct check_rect j;
		if (joins(&d->r[i], &n, &j)) {
			n = j;
			d->r[i] = d->r[--d->n];
			i = 0; /* the grown n may join an earlier one now */
			continue;
		}
		i++;
	}
	if (d->n < DAMAGE_MAX) {
		d->r[d->n++] = n;
		return;
	}
	for (int i = 0; i < d->n; i++)
		n = check_union(n, d->r[i]);
	d->r[0] = n;
	d->n = 1;
}

#define ADD_PIECES 16

void damage_add(struct damage *d, const struct check_rect *r)
{
	if (!r->w || !r->h)
		return;
	for (int i = 0; i < d->n;) {
		if (covers(&d->r[i], r))
			return;
		if (covers(r, &d->r[i]))
			d->r[i] = d->r[--d->n];
		else
			i++;
	}
	/* Only what d lacks yet, so no pixel is caught up twice. */
	struct check_rect a[ADD_PIECES * 4], b[ADD_PIECES * 4];
	struct check_rect *cur = a, *next = b;
	int n = 1;
	cur[0] = *r;
	for (int i = 0; i < d->n && n; i++) {
		int m = 0;
		for (int k = 0; k < n && m <= ADD_PIECES; k++)
			m += minus(&cur[k], &d->r[i], next + m);
		if (m > ADD_PIECES) {
			/* Too split up: r whole, overlapping (copied twice there). */
			cur[0] = *r;
			n = 1;
			break;
		}
		struct check_rect *t = cur;
		cur = next;
		next = t;
		n = m;
	}
	for (int k = 0; k < n; k++)
		put(d, cur[k]);
}

bool damage_subtract(struct damage *d, const struct check_rect *r,
		     struct check_rect pieces[DAMAGE_MAX * 4], int *n_pieces)
{
	int n = 0;
	for (int i = 0; i < d->n; i++)
		n += minus(&d->r[i], r, pieces + n);
	*n_pieces = n;
	if (n > DAMAGE_MAX)
		return false;
	for (int i = 0; i < n; i++)
		d->r[i] = pieces[i];
	d->n = n;
	return true;
}

uint64_t damage_bytes(const struct damage *d)
{
	uint64_t b = 0;
	for (int i = 0; i < d->n; i++)
		b += (uint64_t)d->r[i].w * d->r[i].h * 4;
	return b;
}
