/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <json-c/json.h>

#include "check.h"
#include "directflip/protocol.h"

static int decode(const char *s, struct df_msg *m, char *err)
{
	return df_msg_decode(s, strlen(s), m, err, 256);
}

static void request_roundtrip(void)
{
	struct json_object *params = json_object_new_object();
	json_object_object_add(params, "vm", json_object_new_string("vm1"));
	char *text = NULL;
	CHECK_EQ_INT(df_encode_request(7, "get-lease", params, &text), 0);
	json_object_put(params);
	struct df_msg m;
	char err[256];
	CHECK_EQ_INT(decode(text, &m, err), 0);
	free(text);
	CHECK_EQ_INT(m.kind, DF_MSG_REQUEST);
	CHECK_EQ_INT(m.id, 7);
	CHECK_EQ_STR(m.name, "get-lease");
	const char *vm = NULL;
	CHECK_EQ_INT(df_param_string(m.body, "vm", true, &vm, err, sizeof(err)), 0);
	CHECK_EQ_STR(vm, "vm1");
	df_msg_clear(&m);
	CHECK(m.root == NULL);
}

static void request_without_params_gets_empty_object(void)
{
	struct df_msg m;
	char err[256];
	CHECK_EQ_INT(decode("{\"id\":0,\"method\":\"status\"}", &m, err), 0);
	CHECK(m.body != NULL);
	CHECK(json_object_is_type(m.body, json_type_object));
	CHECK_EQ_INT(json_object_object_length(m.body), 0);
	df_msg_clear(&m);
}

static void reply_error_event_roundtrip(void)
{
	struct json_object *res = json_object_new_object();
	json_object_object_add(res, "version", json_object_new_int(1));
	char *text = NULL;
	struct df_msg m;
	char err[256];
	CHECK_EQ_INT(df_encode_reply(3, res, &text), 0);
	json_object_put(res);
	CHECK_EQ_INT(decode(text, &m, err), 0);
	free(text);
	CHECK_EQ_INT(m.kind, DF_MSG_REPLY);
	CHECK_EQ_INT(m.id, 3);
	df_msg_clear(&m);

	CHECK_EQ_INT(df_encode_error(-1, -EPERM, "no \"lease\" for you", &text), 0);
	CHECK_EQ_INT(decode(text, &m, err), 0);
	free(text);
	CHECK_EQ_INT(m.kind, DF_MSG_ERROR);
	CHECK_EQ_INT(m.id, -1);
	CHECK_EQ_INT(m.code, -EPERM);
	CHECK_EQ_STR(m.message, "no \"lease\" for you");
	df_msg_clear(&m);

	struct json_object *f = json_object_new_object();
	json_object_object_add(f, "vm", json_object_new_string("vm2"));
	json_object_object_add(f, "event", json_object_new_string("spoofed"));
	CHECK_EQ_INT(df_encode_event("lease-granted", f, &text), 0);
	json_object_put(f);
	CHECK_EQ_INT(decode(text, &m, err), 0);
	free(text);
	CHECK_EQ_INT(m.kind, DF_MSG_EVENT);
	CHECK_EQ_STR(m.name, "lease-granted");
	struct json_object *vm;
	CHECK(json_object_object_get_ex(m.body, "vm", &vm));
	CHECK_EQ_STR(json_object_get_string(vm), "vm2");
	df_msg_clear(&m);
}

static void bad_json_is_ebadmsg(void)
{
	static const char *const bad[] = {
		"", "{", "{\"id\":1,\"method\":\"hello\"", "[1,2]", "42", "\"str\"", "null",
		"{\"id\":1,}", "{\"id\":1} {\"id\":2}", "\xff\xfe{}", "{\"a\":\"\xc3\x28\"}",
		"{\"id\":1}x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct df_msg m;
		char err[256] = "";
		int r = decode(bad[i], &m, err);
		if (r != -EBADMSG)
			fprintf(stderr, "case %zu: %d (%s)\n", i, r, err);
		CHECK_EQ_INT(r, -EBADMSG);
		CHECK(err[0] != '\0');
		CHECK(m.root == NULL);
	}
}

static void truncated_says_so(void)
{
	struct df_msg m;
	char err[256];
	CHECK_EQ_INT(decode("{\"id\":1,\"method\":\"hel", &m, err), -EBADMSG);
	CHECK(strstr(err, "truncated") != NULL);
}

static void embedded_nul(void)
{
	struct df_msg m;
	char err[256];
	static const char msg[] = "{\"id\":1,\"method\":\"hello\"}\0junk";
	CHECK_EQ_INT(df_msg_decode(msg, sizeof(msg) - 1, &m, err, sizeof(err)), -EBADMSG);
	CHECK(strstr(err, "NUL") != NULL);
}

static void wrong_shapes_keep_id(void)
{
	struct df_msg m;
	char err[256];
	CHECK_EQ_INT(decode("{\"id\":5,\"method\":7}", &m, err), -EPROTO);
	CHECK_EQ_INT(m.id, 5);
	CHECK(strstr(err, "method") != NULL);
	CHECK_EQ_INT(decode("{\"id\":6,\"method\":\"bind\",\"params\":[1]}", &m, err), -EPROTO);
	CHECK_EQ_INT(m.id, 6);
	CHECK_EQ_INT(decode("{\"id\":\"6\",\"method\":\"bind\"}", &m, err), -EPROTO);
	CHECK_EQ_INT(m.id, -1);
	CHECK_EQ_INT(decode("{\"id\":-1,\"method\":\"bind\"}", &m, err), -EPROTO);
	CHECK_EQ_INT(decode("{\"id\":1.5,\"method\":\"bind\"}", &m, err), -EPROTO);
	CHECK_EQ_INT(decode("{\"id\":9007199254740993,\"method\":\"bind\"}", &m, err), -EPROTO);
	CHECK_EQ_INT(decode("{\"id\":99999999999999999999999,\"method\":\"x\"}", &m, err), -EPROTO);
	CHECK_EQ_INT(decode("{\"id\":8,\"method\":\"\"}", &m, err), -EPROTO);
	CHECK_EQ_INT(decode("{\"id\":9,\"method\":\"hello\",\"extra\":1}", &m, err), -EPROTO);
	CHECK_EQ_INT(m.id, 9);
	CHECK_EQ_INT(decode("{\"id\":10}", &m, err), -EPROTO);
	CHECK_EQ_INT(m.id, 10);
	CHECK_EQ_INT(decode("{}", &m, err), -EPROTO);
	CHECK_EQ_INT(decode("{\"event\":3}", &m, err), -EPROTO);
	CHECK_EQ_INT(decode("{\"id\":1,\"result\":{},\"error\":{}}", &m, err), -EPROTO);
	CHECK_EQ_INT(decode("{\"id\":1,\"error\":{\"code\":5,\"message\":\"x\"}}", &m, err), -EPROTO);
	CHECK_EQ_INT(decode("{\"result\":{}}", &m, err), -EPROTO);
}

static void long_method_name(void)
{
	char buf[256];
	char name[DF_MAX_NAME + 2];
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(buf, sizeof(buf), "{\"id\":1,\"method\":\"%s\"}", name);
	struct df_msg m;
	char err[256];
	CHECK_EQ_INT(decode(buf, &m, err), -EPROTO);
	name[DF_MAX_NAME] = '\0';
	snprintf(buf, sizeof(buf), "{\"id\":1,\"method\":\"%s\"}", name);
	CHECK_EQ_INT(decode(buf, &m, err), 0);
	df_msg_clear(&m);
}

static void deep_nesting_refused(void)
{
	char buf[512];
	size_t n = 0;
	n += (size_t)snprintf(buf, sizeof(buf), "{\"id\":1,\"method\":\"x\",\"params\":{\"a\":");
	for (int i = 0; i < 40; i++)
		buf[n++] = '[';
	for (int i = 0; i < 40; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	buf[n++] = '}';
	buf[n] = '\0';
	struct df_msg m;
	char err[256];
	CHECK_EQ_INT(decode(buf, &m, err), -EBADMSG);
}

static void oversized(void)
{
	size_t len = DF_MAX_PACKET + 1;
	char *big = malloc(len);
	CHECK(big);
	memset(big, ' ', len);
	struct df_msg m;
	char err[256];
	CHECK_EQ_INT(df_msg_decode(big, len, &m, err, sizeof(err)), -EMSGSIZE);
	free(big);

	/* Encoding refuses to produce what the peer would refuse. */
	char *s = malloc(DF_MAX_PACKET + 1);
	CHECK(s);
	memset(s, 'x', DF_MAX_PACKET);
	s[DF_MAX_PACKET] = '\0';
	char *out = NULL;
	CHECK_EQ_INT(df_encode_error(1, -EINVAL, s, &out), -EMSGSIZE);
	CHECK(out == NULL);
	free(s);
}

static void params_typed(void)
{
	struct df_msg m;
	char err[256];
	CHECK_EQ_INT(decode("{\"id\":1,\"method\":\"bind\",\"params\":{\"vm\":3,\"planes\":\"2\","
			    "\"n\":9,\"permanent\":1,\"empty\":\"\"}}",
			    &m, err),
		     0);
	const char *s = "untouched";
	uint32_t u = 77;
	bool b = false;
	CHECK_EQ_INT(df_param_string(m.body, "vm", true, &s, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "\"vm\" must be a string, not an integer") != NULL);
	CHECK_EQ_STR(s, "untouched");
	CHECK_EQ_INT(df_param_string(m.body, "monitor", true, &s, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "\"monitor\" is missing") != NULL);
	CHECK_EQ_INT(df_param_string(m.body, "monitor", false, &s, err, sizeof(err)), -ENOENT);
	CHECK_EQ_INT(df_param_string(m.body, "empty", false, &s, err, sizeof(err)), -EINVAL);
	CHECK_EQ_INT(df_param_uint(m.body, "planes", true, 1, 8, &u, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "not a string") != NULL);
	CHECK_EQ_INT(df_param_uint(m.body, "n", true, 1, 8, &u, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "is 9") != NULL);
	CHECK_EQ_INT(u, 77);
	CHECK_EQ_INT(df_param_uint(m.body, "n", true, 1, 9, &u, err, sizeof(err)), 0);
	CHECK_EQ_INT(u, 9);
	CHECK_EQ_INT(df_param_bool(m.body, "permanent", false, &b, err, sizeof(err)), -EINVAL);
	static const char *const known[] = { "vm", "planes", "n", "permanent", NULL };
	CHECK_EQ_INT(df_params_only(m.body, known, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "\"empty\"") != NULL);
	df_msg_clear(&m);
}

static void names_tables(void)
{
	enum df_method meth;
	for (int i = 0; i < DF_METHOD_COUNT; i++) {
		CHECK(df_method_name((enum df_method)i) != NULL);
		CHECK_EQ_INT(df_method_lookup(df_method_name((enum df_method)i), &meth), 0);
		CHECK_EQ_INT(meth, i);
	}
	CHECK_EQ_INT(df_method_lookup("rm -rf", &meth), -ENOENT);
	CHECK(df_method_name(DF_METHOD_COUNT) == NULL);
	enum df_event ev;
	CHECK_EQ_INT(df_event_lookup("lease-revoked", &ev), 0);
	CHECK_EQ_INT(ev, DF_EVENT_LEASE_REVOKED);
	CHECK_EQ_INT(df_event_lookup("nope", &ev), -ENOENT);
	CHECK_EQ_STR(df_error_name(-EPERM), "EPERM");
	CHECK_EQ_STR(df_error_name(-12345), "E?");
}

static void encoders_reject_bad_arguments(void)
{
	char *out = NULL;
	CHECK_EQ_INT(df_encode_request(-1, "x", NULL, &out), -EINVAL);
	CHECK_EQ_INT(df_encode_request(1, "", NULL, &out), -EINVAL);
	CHECK_EQ_INT(df_encode_error(1, 0, "x", &out), -EINVAL);
	CHECK_EQ_INT(df_encode_event("", NULL, &out), -EINVAL);
	struct json_object *arr = json_object_new_array();
	CHECK_EQ_INT(df_encode_request(1, "x", arr, &out), -EINVAL);
	json_object_put(arr);
	CHECK(out == NULL);
}

static const struct test_case cases[] = {
	{ "request_roundtrip", request_roundtrip },
	{ "request_without_params_gets_empty_object", request_without_params_gets_empty_object },
	{ "reply_error_event_roundtrip", reply_error_event_roundtrip },
	{ "bad_json_is_ebadmsg", bad_json_is_ebadmsg },
	{ "truncated_says_so", truncated_says_so },
	{ "embedded_nul", embedded_nul },
	{ "wrong_shapes_keep_id", wrong_shapes_keep_id },
	{ "long_method_name", long_method_name },
	{ "deep_nesting_refused", deep_nesting_refused },
	{ "oversized", oversized },
	{ "params_typed", params_typed },
	{ "names_tables", names_tables },
	{ "encoders_reject_bad_arguments", encoders_reject_bad_arguments },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
