// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Varlink client (shared/varlink/varlink-client.c, varlink-reply.c) as
 * tables.  Replies: bytes -> parsed or refused with a reason.  Sessions:
 * the client on one end of a socketpair, the test playing the server on
 * the other: what the server writes and when, what each read returns
 * (framing, partial messages kept across a timeout, replies split or
 * packed together, EOF, a reply over the limit).  Calls: what the client
 * puts on the wire, byte for byte.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "shared/varlink/varlink-client.h"

/* Bytes with their length, so rows can hold NULs. */
#define B(s) s, sizeof(s) - 1

/* ---- varlink_reply_parse() ------------------------------------------------ */

struct reply_row {
	const char *name;
	const char *bytes;
	size_t len;
	int ret;
	const char *reason;  /* on failure */
	const char *error;   /* on success: the error name, or NULL */
	bool continues;
	const char *params;  /* on success: the parameters, plain JSON */
};

#define GOOD(err, cont, p) .ret = 0, .error = (err), .continues = (cont), .params = (p)
#define BAD(why) .ret = -EBADMSG, .reason = (why)

static const struct reply_row reply_rows[] = {
	{ "plain reply", B("{\"parameters\":{\"a\":1}}"), GOOD(NULL, false, "{\"a\":1}") },
	{ "no parameters", B("{}"), GOOD(NULL, false, "{}") },
	{ "null parameters", B("{\"parameters\":null}"), GOOD(NULL, false, "{}") },
	{ "continues", B("{\"parameters\":{},\"continues\":true}"), GOOD(NULL, true, "{}") },
	{ "continues false", B("{\"continues\":false}"), GOOD(NULL, false, "{}") },
	{ "continues null", B("{\"continues\":null}"), GOOD(NULL, false, "{}") },
	{ "error with parameters",
	  B("{\"error\":\"org.varlink.service.InvalidParameter\",\"parameters\":{\"parameter\":\"card\"}}"),
	  GOOD("org.varlink.service.InvalidParameter", false, "{\"parameter\":\"card\"}") },
	{ "error alone", B("{\"error\":\"io.ocxlpmem.Manager.NoSuchCard\"}"),
	  GOOD("io.ocxlpmem.Manager.NoSuchCard", false, "{}") },
	{ "null error is none", B("{\"error\":null,\"parameters\":{}}"), GOOD(NULL, false, "{}") },
	{ "unknown members ignored", B("{\"parameters\":{},\"x\":[1]}"), GOOD(NULL, false, "{}") },
	{ "whitespace inside", B("{ \"parameters\" : { } }"), GOOD(NULL, false, "{}") },
	{ "unicode", B("{\"parameters\":{\"s\":\"\xc3\xa9\"}}"), GOOD(NULL, false, "{\"s\":\"\xc3\xa9\"}") },

	{ "empty", B(""), BAD("not valid JSON") },
	{ "truncated", B("{\"parameters\":{"), BAD("not valid JSON") },
	{ "trailing bytes", B("{}x"), BAD("not valid JSON") },
	{ "two objects", B("{}{}"), BAD("not valid JSON") },
	{ "unquoted key", B("{parameters:{}}"), BAD("not valid JSON") },
	{ "NUL inside", B("{\"parameters\":{}}\0{}"), BAD("NUL inside the reply") },
	{ "not UTF-8", B("{\"parameters\":{\"s\":\"\xff\"}}"), BAD("not valid JSON") },
	{ "an array", B("[]"), BAD("not a JSON object") },
	{ "a string", B("\"x\""), BAD("not a JSON object") },
	{ "error a number", B("{\"error\":5}"), BAD("error is not interface.Error") },
	{ "error unqualified", B("{\"error\":\"Failed\"}"), BAD("error is not interface.Error") },
	{ "error with a space", B("{\"error\":\"a.B C\"}"), BAD("error is not interface.Error") },
	{ "error with a NUL", B("{\"error\":\"a.B\\u0000\"}"), BAD("error is not interface.Error") },
	{ "error ends in a dot", B("{\"error\":\"a.\"}"), BAD("error is not interface.Error") },
	{ "parameters an array", B("{\"parameters\":[]}"), BAD("parameters is not an object") },
	{ "parameters a string", B("{\"parameters\":\"x\"}"), BAD("parameters is not an object") },
	{ "continues a string", B("{\"continues\":\"yes\"}"), BAD("continues is not a boolean") },
	{ "continues a number", B("{\"continues\":1}"), BAD("continues is not a boolean") },
	{ "continues with an error", B("{\"error\":\"a.B\",\"continues\":true}"),
	  BAD("continues together with an error") },
};

static void test_reply_row(void **state)
{
	const struct reply_row *row = *state;
	struct varlink_reply r, untouched;
	const char *why = NULL;
	char *copy = malloc(row->len ? row->len : 1);
	int ret;

	/* Exactly len bytes, no NUL after them: an overread shows in ASan. */
	assert_non_null(copy);
	memcpy(copy, row->bytes, row->len);
	memset(&r, 0x5a, sizeof(r));
	untouched = r;
	ret = varlink_reply_parse(copy, row->len, &r, &why);
	free(copy);
	if (ret != row->ret)
		fail_msg("%s: returned %d (%s), expected %d", row->name, ret, why ? why : "-",
			 row->ret);
	if (ret < 0) {
		assert_non_null(why);
		if (strcmp(why, row->reason) != 0)
			fail_msg("%s: reason '%s', expected '%s'", row->name, why, row->reason);
		assert_memory_equal(&r, &untouched, sizeof(r));
		return;
	}
	assert_true(json_object_is_type(r.object, json_type_object));
	if (row->error)
		assert_string_equal(r.error, row->error);
	else
		assert_null(r.error);
	assert_int_equal(r.continues, row->continues);
	assert_string_equal(json_object_to_json_string_ext(r.parameters, JSON_C_TO_STRING_PLAIN),
			    row->params);
	varlink_reply_clear(&r);
	varlink_reply_clear(&r); /* twice is fine */
}

static void test_reply_limits(void **state)
{
	struct varlink_reply r;
	const char *why = NULL;
	char deep[2 * VARLINK_REPLY_DEPTH_MAX + 64];
	size_t n = 0;

	/* {"parameters":{"a":[[[...]]]}}: depth 3 + k. */
	n += (size_t)sprintf(deep, "{\"parameters\":{\"a\":");
	for (int i = 0; i < VARLINK_REPLY_DEPTH_MAX; i++)
		deep[n++] = '[';
	for (int i = 0; i < VARLINK_REPLY_DEPTH_MAX; i++)
		deep[n++] = ']';
	n += (size_t)sprintf(deep + n, "}}");
	assert_int_equal(varlink_reply_parse(deep, n, &r, &why), -EBADMSG);
	assert_string_equal(why, "nested too deep");
	assert_int_equal(varlink_reply_parse("{}", VARLINK_REPLY_MAX + 1, &r, &why), -EBADMSG);
	assert_string_equal(why, "reply too large");
}

/* ---- Sessions over a socketpair ---------------------------------------------- */

enum op {
	END = 0,
	WRITE,   /* the server writes bytes/len */
	CLOSE,   /* the server closes its end */
	READ,    /* the client reads: timeout, then ret and the reply's shape */
	RAW,     /* the client reads raw: timeout, then ret and the bytes */
};

struct step {
	enum op op;
	const char *bytes;
	size_t len;
	int timeout_ms;
	int ret;
	const char *error;
	bool continues;
	const char *params;
};

struct session_row {
	const char *name;
	size_t reply_max;    /* 0: the default */
	struct step steps[8];
};

#define W(s) { WRITE, B(s) }
#define R(t, e, cont, p) { READ, .timeout_ms = (t), .ret = 0, .error = (e), .continues = (cont), \
			   .params = (p) }
#define RFAIL(t, r) { READ, .timeout_ms = (t), .ret = (r) }
#define CL { CLOSE }
#define RAWOK(t, s) { RAW, B(s), .timeout_ms = (t) }

static const struct session_row session_rows[] = {
	{ "one reply", 0, { W("{\"parameters\":{\"v\":\"1\"}}\0"), R(1000, NULL, false, "{\"v\":\"1\"}") } },
	{ "a more call's replies, packed in one write", 0,
	  { W("{\"parameters\":{\"n\":1},\"continues\":true}\0{\"parameters\":{\"n\":2},\"continues\":true}\0"
	      "{\"parameters\":{\"n\":3}}\0"),
	    R(1000, NULL, true, "{\"n\":1}"), R(1000, NULL, true, "{\"n\":2}"),
	    R(1000, NULL, false, "{\"n\":3}") } },
	{ "a reply split over writes, a timeout between", 0,
	  { W("{\"parame"), RFAIL(50, -ETIMEDOUT), W("ters\":{\"x\":"), RFAIL(0, -ETIMEDOUT),
	    W("true}}\0"), R(0, NULL, false, "{\"x\":true}") } },
	{ "an error by name", 0,
	  { W("{\"error\":\"org.varlink.service.MethodNotFound\",\"parameters\":{\"method\":\"a.B\"}}\0"),
	    R(1000, "org.varlink.service.MethodNotFound", false, "{\"method\":\"a.B\"}") } },
	{ "nothing yet, then timeout 0 returns at once", 0, { RFAIL(0, -ETIMEDOUT) } },
	{ "server closes", 0, { CL, RFAIL(1000, -ECONNRESET) } },
	{ "server closes mid-reply", 0, { W("{\"parameters\":"), CL, RFAIL(1000, -ECONNRESET) } },
	{ "replies before the close are read first", 0,
	  { W("{}\0"), CL, R(1000, NULL, false, "{}"), RFAIL(1000, -ECONNRESET) } },
	{ "a bad reply is skipped", 0,
	  { W("[1]\0{\"parameters\":{}}\0"), RFAIL(1000, -EBADMSG), R(1000, NULL, false, "{}") } },
	{ "an empty message", 0, { W("\0"), RFAIL(1000, -EBADMSG) } },
	{ "reply at the limit", 17, { W("{\"parameters\":{}}\0"), R(1000, NULL, false, "{}") } },
	{ "reply one over the limit", 16, { W("{\"parameters\":{}}\0"), RFAIL(1000, -EMSGSIZE) } },
	{ "no NUL within the limit", 15, { W("{\"parameters\":{}"), RFAIL(1000, -EMSGSIZE) } },
	{ "raw messages, as they came", 0,
	  { W("not json\0{\"a\":1}\0"), RAWOK(1000, "not json"), RAWOK(1000, "{\"a\":1}"),
	    RFAIL(0, -ETIMEDOUT) } },
};

static void test_session(void **state)
{
	const struct session_row *row = *state;
	struct varlink_client *c;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(varlink_client_new_fd(sv[0], &c), 0);
	assert_int_equal(varlink_client_fd(c), sv[0]);
	if (row->reply_max)
		varlink_client_set_reply_max(c, row->reply_max);
	for (const struct step *s = row->steps; s->op != END; s++) {
		struct varlink_reply r;
		const char *msg;
		size_t len;
		int ret;

		switch (s->op) {
		case WRITE:
			assert_int_equal(write(sv[1], s->bytes, s->len), (ssize_t)s->len);
			break;
		case CLOSE:
			close(sv[1]);
			sv[1] = -1;
			break;
		case READ:
			ret = varlink_client_read(c, s->timeout_ms, &r);
			if (ret != s->ret)
				fail_msg("%s, step %td: read returned %d, expected %d", row->name,
					 s - row->steps, ret, s->ret);
			if (ret < 0)
				break;
			if (s->error)
				assert_string_equal(r.error, s->error);
			else
				assert_null(r.error);
			assert_int_equal(r.continues, s->continues);
			assert_string_equal(json_object_to_json_string_ext(r.parameters,
									   JSON_C_TO_STRING_PLAIN),
					    s->params);
			varlink_reply_clear(&r);
			break;
		case RAW:
			assert_int_equal(varlink_client_read_raw(c, s->timeout_ms, &msg, &len), 0);
			assert_int_equal(len, s->len);
			assert_memory_equal(msg, s->bytes, len);
			assert_int_equal(msg[len], '\0');
			break;
		case END:
			break;
		}
	}
	varlink_client_free(c);
	if (sv[1] >= 0)
		close(sv[1]);
}

/* A read with a timeout waits about that long, not for ever, not at once. */
static void test_timeout(void **state)
{
	struct varlink_client *c;
	struct varlink_reply r;
	struct timespec t0, t1;
	long ms;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(varlink_client_new_fd(sv[0], &c), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(varlink_client_read(c, 200, &r), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_in_range(ms, 190, 5000);
	varlink_client_free(c);
	close(sv[1]);
}

/* ---- Calls on the wire ------------------------------------------------------- */

struct call_row {
	const char *name;
	const char *method;
	const char *params;  /* JSON, or NULL */
	unsigned int flags;
	int ret;
	const char *wire;    /* without the NUL, which must follow */
};

static const struct call_row call_rows[] = {
	{ "no parameters", "io.ocxlpmem.Manager.ListCards", NULL, 0, 0,
	  "{\"method\":\"io.ocxlpmem.Manager.ListCards\",\"parameters\":{}}" },
	{ "parameters", "a.b.C", "{\"card\":\"ocxlpmem0\",\"n\":3}", 0, 0,
	  "{\"method\":\"a.b.C\",\"parameters\":{\"card\":\"ocxlpmem0\",\"n\":3}}" },
	{ "more", "a.b.Monitor", NULL, VARLINK_CALL_MORE, 0,
	  "{\"method\":\"a.b.Monitor\",\"parameters\":{},\"more\":true}" },
	{ "oneway", "a.b.C", NULL, VARLINK_CALL_ONEWAY, 0,
	  "{\"method\":\"a.b.C\",\"parameters\":{},\"oneway\":true}" },
	{ "slashes are not escaped", "a.b.C", "{\"path\":\"/run/x\"}", 0, 0,
	  "{\"method\":\"a.b.C\",\"parameters\":{\"path\":\"/run/x\"}}" },
	{ "more with oneway refused", "a.b.C", "{}", VARLINK_CALL_MORE | VARLINK_CALL_ONEWAY,
	  -EINVAL, NULL },
};

static void test_call(void **state)
{
	const struct call_row *row = *state;
	struct varlink_client *c;
	char buf[512];
	ssize_t n;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(varlink_client_new_fd(sv[0], &c), 0);
	assert_int_equal(varlink_client_call(c, row->method,
					     row->params ? json_tokener_parse(row->params) : NULL,
					     row->flags),
			 row->ret);
	varlink_client_free(c); /* the peer sees what was sent, then EOF */
	n = read(sv[1], buf, sizeof(buf));
	if (!row->wire) {
		assert_int_equal(n, 0);
	} else {
		assert_int_equal(n, strlen(row->wire) + 1);
		assert_memory_equal(buf, row->wire, (size_t)n); /* with the NUL */
	}
	close(sv[1]);
}

/* Sending to a server that has gone is an error, not SIGPIPE. */
static void test_call_gone(void **state)
{
	struct varlink_client *c;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(varlink_client_new_fd(sv[0], &c), 0);
	close(sv[1]);
	assert_int_equal(varlink_client_call(c, "a.b.C", NULL, 0), -EPIPE);
	assert_int_equal(varlink_client_send(c, "{}", 2), -EPIPE);
	varlink_client_free(c);
}

static void test_connect(void **state)
{
	struct varlink_client *c = NULL;
	char longpath[200];

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(varlink_client_connect("", &c), -EINVAL);
	assert_int_equal(varlink_client_connect("unix:", &c), -EINVAL);
	assert_int_equal(varlink_client_connect(longpath, &c), -EINVAL);
	assert_int_equal(varlink_client_connect("unix:/nonexistent/varlink.sock", &c), -ENOENT);
	assert_null(c);
	assert_null(varlink_client_free(NULL));
}

int main(void)
{
	size_t nr = sizeof(reply_rows) / sizeof(reply_rows[0]);
	size_t ns = sizeof(session_rows) / sizeof(session_rows[0]);
	size_t nc = sizeof(call_rows) / sizeof(call_rows[0]);
	size_t n = 0, total = nr + ns + nc + 4;
	struct CMUnitTest *tests = calloc(total, sizeof(*tests));
	int r;

	if (!tests)
		return EXIT_FAILURE;
	for (size_t i = 0; i < nr; i++)
		tests[n++] = (struct CMUnitTest){ .name = reply_rows[i].name,
						  .test_func = test_reply_row,
						  .initial_state = (void *)&reply_rows[i] };
	for (size_t i = 0; i < ns; i++)
		tests[n++] = (struct CMUnitTest){ .name = session_rows[i].name,
						  .test_func = test_session,
						  .initial_state = (void *)&session_rows[i] };
	for (size_t i = 0; i < nc; i++)
		tests[n++] = (struct CMUnitTest){ .name = call_rows[i].name,
						  .test_func = test_call,
						  .initial_state = (void *)&call_rows[i] };
	tests[n++] = (struct CMUnitTest){ .name = "reply limits", .test_func = test_reply_limits };
	tests[n++] = (struct CMUnitTest){ .name = "timeout", .test_func = test_timeout };
	tests[n++] = (struct CMUnitTest){ .name = "server gone", .test_func = test_call_gone };
	tests[n++] = (struct CMUnitTest){ .name = "connect", .test_func = test_connect };
	r = _cmocka_run_group_tests("varlink_client", tests, n, NULL, NULL);
	free(tests);
	return r;
}
