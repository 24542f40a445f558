/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the EDID parser: a monitor (or a VM's virtual
 * monitor, or a KVM switch) hands the daemon any bytes as its EDID blob.
 * The first input byte is a flag: when its low bit is set the target fixes
 * the base block's checksum, so that mutations reach the descriptors
 * instead of stopping at the checksum test. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kms/edid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	uint8_t flag = data[0];
	size_t len = size - 1;
	/* A copy of exactly len bytes, so that ASan sees any read past the blob. */
	uint8_t *blob = malloc(len ? len : 1);
	if (!blob)
		return 0;
	memcpy(blob, data + 1, len);
	if ((flag & 1) && len >= 128) {
		uint8_t sum = 0;
		for (size_t i = 0; i < 127; i++)
			sum = (uint8_t)(sum + blob[i]);
		blob[127] = (uint8_t)(0x100 - sum);
	}
	struct kms_edid_id id;
	if (kms_edid_parse(blob, len, &id) == 0) {
		/* What a consumer reads: the strings must be terminated. */
		if (strlen(id.vendor) != 3 || strlen(id.name) > 13 || strlen(id.serial_str) > 13)
			abort();
	}
	free(blob);
	return 0;
}
