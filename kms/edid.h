/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Monitor identity from an EDID base block: what a layout binds to
 * when the port a monitor sits on is not stable. */
struct kms_edid_id {
	char vendor[4];        /* PNP id, e.g. "RHT" */
	uint16_t product;
	uint32_t serial;
	char name[14];         /* display product name descriptor, may be "" */
	char serial_str[14];   /* serial number descriptor, may be "" */
};

/* 0, -EINVAL (short, bad header) or -EBADMSG (checksum). */
int kms_edid_parse(const uint8_t *blob, size_t len, struct kms_edid_id *out);
