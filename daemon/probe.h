/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stdio.h>

struct udev;
struct json_object;

/* `directflipd --probe`: every card's connectors, CRTCs and planes.
 * The table and --json are two renderings of one JSON document. */

/* Fills *out with {"cards": [...]}; per-card failures are recorded in the
 * card's "error" member. -ENODEV when there is no card at all. */
int probe_collect(struct udev *udev, struct json_object **out);
void probe_print_table(struct json_object *doc, FILE *f);
/* 0 when every card could be read, 1 otherwise (exit status). */
int probe_main(bool json);
