/* SPDX-License-Identifier: MIT */
#include "qemu/dmabuf.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <xf86drmMode.h>

#include "kms/dmabuf.h"

int dmabuf_import(struct dmabuf *d, int card_fd)
{
	dmabuf_clear(d, true);
	struct kms_dmabuf k = {
		.width = d->w, .height = d->h, .format = d->fourcc, .modifier = d->modifier,
		.stride = d->stride, .offset = 0,
	};
	int r = kms_dmabuf_import(card_fd, d->fd, &k, &d->fb);
	if (r < 0) {
		d->fb = 0;
		return r;
	}
	d->card_fd = card_fd;
	return 0;
}

int dmabuf_set(struct dmabuf *d, int fd, uint32_t w, uint32_t h, uint32_t stride,
	       uint32_t fourcc, uint64_t modifier, bool y0_top, int card_fd)
{
	int own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (own < 0)
		return -errno;
	struct dmabuf n = { .fd = own, .w = w, .h = h, .stride = stride, .fourcc = fourcc,
			    .modifier = modifier, .y0_top = y0_top, .card_fd = -1 };
	if (card_fd >= 0) {
		int r = dmabuf_import(&n, card_fd);
		if (r < 0) {
			close(own);
			return r;
		}
	}
	dmabuf_clear(d, false);
	*d = n;
	return 0;
}

void dmabuf_clear(struct dmabuf *d, bool keep_fd)
{
	if (d->fb)
		drmModeRmFB(d->card_fd, d->fb);
	d->fb = 0;
	d->card_fd = -1;
	if (!keep_fd && d->fd >= 0) {
		close(d->fd);
		d->fd = -1;
	}
}
