/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdint.h>
#include <systemd/sd-event.h>

struct focus_ops;

/* The focus module's callbacks for a seat (data: struct seat). */
extern const struct focus_ops route_focus_ops;
/* The seat's libinput fd is readable (data: struct seat); also called
 * with src NULL to drain what a device change queued. */
int route_on_libinput(sd_event_source *src, int fd, uint32_t revents, void *data);
