/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * The org.qemu.Display1.Listener object QEMU draws into: a socketpair, one
 * end sent with Console.RegisterListener, a p2p D-Bus connection (client
 * side) on the other, both on the one event loop. QEMU 7.2 authenticates
 * its end while RegisterListener is still running, so the call is sent
 * asynchronously and our side of the authentication runs meanwhile.
 *
 * Messages are only unpacked here (types checked by sd-bus); what they say
 * is checked by the receiver (qemu/check.h): every field is untrusted.
 * Optional interface opted in through the Interfaces property:
 * org.qemu.Display1.Listener.Unix.Map (ScanoutMap/UpdateMap, QEMU 9.2+).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

struct listener;

struct listener_ops {
	void (*scanout)(void *d, uint32_t w, uint32_t h, uint32_t stride, uint32_t pixman,
			const uint8_t *data, size_t len);
	void (*update)(void *d, int32_t x, int32_t y, int32_t w, int32_t h, uint32_t stride,
		       uint32_t pixman, const uint8_t *data, size_t len);
	/* fd borrowed: dup it to keep it. */
	void (*scanout_dmabuf)(void *d, int fd, uint32_t w, uint32_t h, uint32_t stride,
			       uint32_t fourcc, uint64_t modifier, bool y0_top);
	/* Answer with listener_ack_update_dmabuf (QEMU waits for it). */
	void (*update_dmabuf)(void *d, int32_t x, int32_t y, int32_t w, int32_t h);
	void (*scanout_map)(void *d, int memfd, uint32_t offset, uint32_t w, uint32_t h,
			    uint32_t stride, uint32_t pixman);
	void (*update_map)(void *d, int32_t x, int32_t y, int32_t w, int32_t h);
	void (*disable)(void *d);
	void (*mouse_set)(void *d, int32_t x, int32_t y, int32_t on);
	void (*cursor_define)(void *d, int32_t w, int32_t h, int32_t hot_x, int32_t hot_y,
			      const uint8_t *data, size_t len);
	/* QEMU accepted RegisterListener: it draws into us from now on. */
	void (*registered)(void *d);
	/* The listener connection is gone, or QEMU refused RegisterListener
	 * (why says which). */
	void (*closed)(void *d, const char *why);
};

/* bus reaches the console (dest "org.qemu" on a bus, NULL on p2p). */
int listener_new(sd_event *ev, sd_bus *bus, const char *dest, const char *console_path,
		 const struct listener_ops *ops, void *data, struct listener **out);
struct listener *listener_free(struct listener *l);
/* Replies to the UpdateDMABUF held since update_dmabuf; false: none held. */
bool listener_ack_update_dmabuf(struct listener *l);
