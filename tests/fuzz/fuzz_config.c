/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the layout parser and validator: any text must
 * give a layout or messages, never a crash or a leak. Built with replay.c,
 * it replays config-corpus/ as a normal test. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Past a few lines of the longest kind, more input finds nothing new. */
	if (size > 64 * 1024)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	struct config_diags diags = { 0 };
	struct config *cfg = NULL;
	if (config_load_string(text, "fuzz.ini", &cfg, &diags) == 0) {
		/* Touch what a consumer reads. */
		for (size_t i = 0; i < cfg->n_vms; i++)
			if (cfg->vms[i].monitor)
				(void)config_monitor_by_name(cfg, cfg->vms[i].monitor);
		config_free(cfg);
	}
	for (size_t i = 0; i < diags.n; i++)
		free(config_diag_format(&diags.items[i]));
	config_diags_clear(&diags);
	free(text);
	return 0;
}
