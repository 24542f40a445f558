/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the control protocol decoder: every packet a local
 * process can send goes through df_msg_decode, and a request's params go
 * through the typed accessors the daemon uses. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "directflip/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct df_msg m;
	char err[256];
	if (df_msg_decode(data, size, &m, err, sizeof(err)) < 0)
		return 0;
	char *out = NULL;
	const char *s;
	uint32_t u;
	bool b;
	enum df_method meth;
	switch (m.kind) {
	case DF_MSG_REQUEST:
		df_method_lookup(m.name, &meth);
		df_param_string(m.body, "vm", false, &s, err, sizeof(err));
		df_param_string(m.body, "monitor", false, &s, err, sizeof(err));
		df_param_uint(m.body, "planes", false, 1, 8, &u, err, sizeof(err));
		df_param_bool(m.body, "permanent", false, &b, err, sizeof(err));
		static const char *const known[] = { "vm", "monitor", "planes", NULL };
		df_params_only(m.body, known, err, sizeof(err));
		if (df_encode_request(m.id, m.name, m.body, &out) == 0)
			free(out);
		break;
	case DF_MSG_REPLY:
		if (df_encode_reply(m.id, m.body, &out) == 0)
			free(out);
		break;
	case DF_MSG_ERROR:
		df_error_name(m.code);
		if (df_encode_error(m.id, m.code, m.message, &out) == 0)
			free(out);
		break;
	case DF_MSG_EVENT:
		if (df_encode_event(m.name, m.body, &out) == 0)
			free(out);
		break;
	}
	df_msg_clear(&m);
	return 0;
}
