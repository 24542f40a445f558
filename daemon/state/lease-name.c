/* SPDX-License-Identifier: MIT */
#include "daemon/state/lease-name.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/number.h"

#define PREFIX "lease."

int lease_name_format(const char *vm, uint32_t lessee, const struct kms_alloc_result *alloc,
		      char name[LEASE_NAME_MAX])
{
	size_t len = (size_t)snprintf(name, LEASE_NAME_MAX, PREFIX "%s.%u", vm, lessee);
	for (size_t k = 1; k < alloc->n_planes && k < KMS_ALLOC_MAX_PLANES && len < LEASE_NAME_MAX;
	     k++)
		len += (size_t)snprintf(name + len, LEASE_NAME_MAX - len, "%s%u", k == 1 ? ".o" : ",",
					alloc->planes[k]);
	return len < LEASE_NAME_MAX ? 0 : -ENAMETOOLONG;
}

/* "ID,ID,..." into out; -EINVAL on anything else. */
static int parse_overlays(const char *s, size_t len, struct lease_name *out)
{
	char buf[LEASE_NAME_MAX];
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* strtok_r would skip empty fields: "1,,2" and ",1" are not ours. */
	if (buf[0] == ',' || buf[len - 1] == ',' || strstr(buf, ",,"))
		return -EINVAL;
	out->n_overlays = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (out->n_overlays == KMS_ALLOC_MAX_PLANES - 1 ||
		    config_parse_u32_dec(tok, 1, UINT32_MAX, &out->overlays[out->n_overlays]) < 0)
			return -EINVAL;
		out->n_overlays++;
	}
	return out->n_overlays ? 0 : -EINVAL;
}

int lease_name_parse(const char *name, struct lease_name *out)
{
	*out = (struct lease_name){ 0 };
	size_t plen = strlen(PREFIX);
	if (strncmp(name, PREFIX, plen) != 0)
		return -EINVAL;
	const char *vm = name + plen;
	const char *end = vm + strlen(vm);
	const char *dot = strrchr(vm, '.');
	/* A trailing ".o..." is the overlay order; the VM name may hold dots
	 * itself, so the fields are taken from the right. */
	if (dot && dot[1] == 'o') {
		if (parse_overlays(dot + 2, (size_t)(end - dot - 2), out) < 0)
			return -EINVAL;
		end = dot;
		dot = NULL;
		for (const char *c = vm; c < end; c++)
			if (*c == '.')
				dot = c;
	}
	if (!dot || dot == vm)
		return -EINVAL;
	char num[16];
	size_t nlen = (size_t)(end - dot - 1);
	if (nlen == 0 || nlen >= sizeof(num))
		return -EINVAL;
	memcpy(num, dot + 1, nlen);
	num[nlen] = '\0';
	if (config_parse_u32_dec(num, 1, UINT32_MAX, &out->lessee) < 0)
		return -EINVAL;
	out->vm = vm;
	out->vm_len = (size_t)(dot - vm);
	return 0;
}
