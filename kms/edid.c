/* SPDX-License-Identifier: MIT */
#include "kms/edid.h"

#include <errno.h>
#include <string.h>

#define EDID_BLOCK 128

static const uint8_t edid_header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };

/* Descriptor text ends at 0x0a and is padded with spaces. */
static void copy_descriptor_text(char dst[14], const uint8_t *text)
{
	size_t n = 0;
	while (n < 13 && text[n] != 0x0a && text[n] != 0x00) {
		uint8_t c = text[n];
		dst[n] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		n++;
	}
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

int kms_edid_parse(const uint8_t *blob, size_t len, struct kms_edid_id *out)
{
	if (!blob || len < EDID_BLOCK || memcmp(blob, edid_header, sizeof(edid_header)) != 0)
		return -EINVAL;

	uint8_t sum = 0;
	for (size_t i = 0; i < EDID_BLOCK; i++)
		sum = (uint8_t)(sum + blob[i]);
	if (sum != 0)
		return -EBADMSG;

	struct kms_edid_id id = { 0 };
	/* Three 5-bit letters, 1 = 'A', big-endian. */
	uint16_t pnp = (uint16_t)(blob[8] << 8 | blob[9]);
	id.vendor[0] = (char)('A' - 1 + ((pnp >> 10) & 0x1f));
	id.vendor[1] = (char)('A' - 1 + ((pnp >> 5) & 0x1f));
	id.vendor[2] = (char)('A' - 1 + (pnp & 0x1f));
	for (int i = 0; i < 3; i++)
		if (id.vendor[i] < 'A' || id.vendor[i] > 'Z')
			return -EINVAL;
	id.product = (uint16_t)(blob[10] | blob[11] << 8);
	id.serial = (uint32_t)blob[12] | (uint32_t)blob[13] << 8 | (uint32_t)blob[14] << 16 |
		    (uint32_t)blob[15] << 24;

	for (size_t off = 54; off + 18 <= 126; off += 18) {
		const uint8_t *d = blob + off;
		if (d[0] != 0 || d[1] != 0)
			continue; /* detailed timing, not a descriptor */
		if (d[3] == 0xfc)
			copy_descriptor_text(id.name, d + 5);
		else if (d[3] == 0xff)
			copy_descriptor_text(id.serial_str, d + 5);
	}
	*out = id;
	return 0;
}
