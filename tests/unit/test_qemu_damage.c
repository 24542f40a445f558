/* SPDX-License-Identifier: MIT */
/* qemu/damage.c: what a pixel buffer lacks, exactly (the catch-up's size). */
#include "check.h"
#include "qemu/damage.h"

#define R(x, y, w, h) (&(struct check_rect){ (x), (y), (w), (h) })

static void moving_block_leaves_an_l(void)
{
	/* The benchmark's 64x64 block moved by 8, 4: the back buffer lacks
	 * the last frame's block minus this frame's, a 64x4 strip and an
	 * 8x60 one. */
	struct damage d = { 0 };
	struct check_rect last = { 0, 0, 64, 64 }, now = { 8, 4, 64, 64 }, p[DAMAGE_MAX * 4];
	int n;
	damage_add(&d, &last);
	CHECK(damage_subtract(&d, &now, p, &n));
	CHECK_EQ_INT(d.n, 2);
	CHECK_EQ_INT(damage_bytes(&d), (64 * 4 + 8 * 60) * 4);
	/* Written wholly: nothing lacks. */
	CHECK(damage_subtract(&d, R(0, 0, 100, 100), p, &n));
	CHECK_EQ_INT(d.n, 0);
	CHECK_EQ_INT(damage_bytes(&d), 0);
}

static void text_bands_join(void)
{
	/* VGA text mode redrawn: 25 bands of 720x16, one rectangle. */
	struct damage d = { 0 };
	for (uint32_t y = 0; y < 400; y += 16)
		damage_add(&d, R(0, y, 720, 16));
	CHECK_EQ_INT(d.n, 1);
	CHECK_EQ_INT(damage_bytes(&d), 720 * 400 * 4);
}

static void overlaps_counted_once(void)
{
	struct damage d = { 0 };
	damage_add(&d, R(0, 0, 64, 64));
	damage_add(&d, R(32, 32, 64, 64));
	damage_add(&d, R(10, 10, 4, 4)); /* covered */
	CHECK_EQ_INT(damage_bytes(&d), (64 * 64 * 2 - 32 * 32) * 4);
	damage_add(&d, R(0, 0, 200, 200)); /* covers all */
	CHECK_EQ_INT(d.n, 1);
	CHECK_EQ_INT(damage_bytes(&d), 200 * 200 * 4);
}

static void full_list_becomes_a_box(void)
{
	/* Far-apart dots past DAMAGE_MAX: one bounding box, never less. */
	struct damage d = { 0 };
	for (uint32_t i = 0; i < DAMAGE_MAX + 1; i++)
		damage_add(&d, R(i * 10, i * 10, 1, 1));
	CHECK_EQ_INT(d.n, 1);
	CHECK_EQ_INT(d.r[0].x, 0);
	CHECK_EQ_INT(d.r[0].w, DAMAGE_MAX * 10 + 1);
	/* A subtraction that splits past DAMAGE_MAX leaves d as it was and
	 * hands out the pieces. */
	struct damage e = { 0 };
	for (uint32_t i = 0; i < DAMAGE_MAX; i++)
		damage_add(&e, R(0, i * 20, 10, 10));
	struct check_rect p[DAMAGE_MAX * 4];
	int n;
	CHECK(!damage_subtract(&e, R(4, 0, 2, 10000), p, &n));
	CHECK_EQ_INT(e.n, DAMAGE_MAX);
	CHECK_EQ_INT(n, DAMAGE_MAX * 2);
}

static const struct test_case cases[] = {
	{ "moving_block_leaves_an_l", moving_block_leaves_an_l },
	{ "text_bands_join", text_bands_join },
	{ "overlaps_counted_once", overlaps_counted_once },
	{ "full_list_becomes_a_box", full_list_becomes_a_box },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
