/* SPDX-License-Identifier: MIT */
/* Display modes as written in the config, and the scaling policy names. */
#include <errno.h>
#include <string.h>

#include "config/config.h"
#include "config/number.h"

/* "WxH" or "WxH@R", each part plain decimal. */
int config_parse_mode(const char *text, struct config_mode *out)
{
	char buf[64];
	if (!text || strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	uint32_t w, h, refresh = 0;
	char *at = strchr(buf, '@');
	if (at) {
		*at = '\0';
		if (config_parse_u32_dec(at + 1, 1, CONFIG_MAX_REFRESH, &refresh) < 0)
			return -EINVAL;
	}
	char *x = strchr(buf, 'x');
	if (!x)
		return -EINVAL;
	*x = '\0';
	if (config_parse_u32_dec(buf, 1, CONFIG_MAX_MODE_SIDE, &w) < 0 ||
	    config_parse_u32_dec(x + 1, 1, CONFIG_MAX_MODE_SIDE, &h) < 0)
		return -EINVAL;
	*out = (struct config_mode){ .set = true, .width = w, .height = h, .refresh = refresh };
	return 0;
}

static const char *const scaling_names[] = {
	[CONFIG_SCALING_FIT] = "fit",
	[CONFIG_SCALING_STRETCH] = "stretch",
	[CONFIG_SCALING_CENTER] = "center",
	[CONFIG_SCALING_NONE] = "none",
};

const char *config_scaling_name(enum config_scaling s)
{
	if ((size_t)s < sizeof(scaling_names) / sizeof(scaling_names[0]))
		return scaling_names[s];
	return "unknown";
}

int config_scaling_parse(const char *text, enum config_scaling *out)
{
	for (size_t i = 0; i < sizeof(scaling_names) / sizeof(scaling_names[0]); i++) {
		if (strcmp(text, scaling_names[i]) == 0) {
			*out = (enum config_scaling)i;
			return 0;
		}
	}
	return -EINVAL;
}
