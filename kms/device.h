/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdint.h>

/* One KMS card as the daemon uses it: an fd with universal planes and
 * atomic enabled. The fd belongs to whoever opened it (libseat). */
struct kms_device;

/* -EOPNOTSUPP when the card has no atomic modesetting. */
int kms_device_create(int fd, const char *path, struct kms_device **out);
void kms_device_destroy(struct kms_device *dev);

int kms_device_fd(const struct kms_device *dev);
const char *kms_device_path(const struct kms_device *dev);
const char *kms_device_driver(const struct kms_device *dev);
