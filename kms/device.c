/* SPDX-License-Identifier: MIT */
#include "kms/device.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xf86drm.h>

struct kms_device {
	int fd;
	char *path;
	char *driver;
};

int kms_device_create(int fd, const char *path, struct kms_device **out)
{
	/* Without UNIVERSAL_PLANES the kernel hides primary and cursor
	 * planes, and a lease could not list them. */
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) != 0)
		return -EOPNOTSUPP;
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) != 0)
		return -EOPNOTSUPP;

	struct kms_device *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->fd = fd;
	dev->path = strdup(path);
	drmVersion *ver = drmGetVersion(fd);
	dev->driver = strdup(ver && ver->name ? ver->name : "unknown");
	drmFreeVersion(ver);
	if (!dev->path || !dev->driver) {
		kms_device_destroy(dev);
		return -ENOMEM;
	}
	*out = dev;
	return 0;
}

void kms_device_destroy(struct kms_device *dev)
{
	if (!dev)
		return;
	free(dev->path);
	free(dev->driver);
	free(dev);
}

int kms_device_fd(const struct kms_device *dev)
{
	return dev->fd;
}

const char *kms_device_path(const struct kms_device *dev)
{
	return dev->path;
}

const char *kms_device_driver(const struct kms_device *dev)
{
	return dev->driver;
}
