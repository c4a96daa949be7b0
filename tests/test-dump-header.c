// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dump file header (daemon/jobs/dump-header.c): format and parse round
 * trips, a table of damaged headers with the answer each must get, the
 * metas the formatter must refuse, and dump file names.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jobs/dump-file.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#define MAGIC DUMP_FILE_MAGIC
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* The good header's meta, and its JSON line exactly as formatted. */
static const struct dump_meta good = {
	.serial = 1234567890123,
	.card_name = "ocxlpmem0",
	.firmware_version = "01.02.03",
	.dump_id = 7,
	.origin = "card",
	.trigger = "card-event",
	.requested_usec = 1700000000000000,
	.started_usec = 1700000000100000,
	.finished_usec = 1700000001200000,
	.size = 1048576,
	.sha256 = SHA_EMPTY,
};

#define GOOD_JSON                                                                          \
	"{\"format\":1,\"serial\":\"1234567890123\",\"card\":\"ocxlpmem0\","              \
	"\"firmware_version\":\"01.02.03\",\"dump_id\":7,\"origin\":\"card\","            \
	"\"trigger\":\"card-event\",\"requested_usec\":1700000000000000,"                  \
	"\"started_usec\":1700000000100000,\"finished_usec\":1700000001200000,"            \
	"\"size\":1048576,\"sha256\":\"" SHA_EMPTY "\",\"data_offset\":4096}"

/* The same members, for rows that change one of them. */
static const char *const good_members[][2] = {
	{ "format", "1" },
	{ "serial", "\"1234567890123\"" },
	{ "card", "\"ocxlpmem0\"" },
	{ "firmware_version", "\"01.02.03\"" },
	{ "dump_id", "7" },
	{ "origin", "\"card\"" },
	{ "trigger", "\"card-event\"" },
	{ "requested_usec", "1700000000000000" },
	{ "started_usec", "1700000000100000" },
	{ "finished_usec", "1700000001200000" },
	{ "size", "1048576" },
	{ "sha256", "\"" SHA_EMPTY "\"" },
	{ "data_offset", "4096" },
};

static void assert_meta_equal(const struct dump_meta *a, const struct dump_meta *b)
{
	assert_int_equal(a->serial, b->serial);
	assert_string_equal(a->card_name, b->card_name);
	assert_string_equal(a->firmware_version, b->firmware_version);
	assert_int_equal(a->dump_id, b->dump_id);
	assert_string_equal(a->origin, b->origin);
	assert_string_equal(a->trigger, b->trigger);
	assert_int_equal(a->requested_usec, b->requested_usec);
	assert_int_equal(a->started_usec, b->started_usec);
	assert_int_equal(a->finished_usec, b->finished_usec);
	assert_int_equal(a->size, b->size);
	assert_string_equal(a->sha256, b->sha256);
}

/* ---- round trips ------------------------------------------------------------- */

static void test_good_is_canonical(void **state)
{
	static const char want[] = MAGIC GOOD_JSON "\n";
	uint8_t block[DUMP_FILE_HEADER_SIZE];

	assert_int_equal(dump_header_format(&good, block), 0);
	assert_memory_equal(block, want, sizeof(want) - 1);
	for (size_t i = sizeof(want) - 1; i < sizeof(block); i++)
		assert_int_equal(block[i], 0);
}

static void test_round_trip(void **state)
{
	const struct dump_meta metas[] = {
		good,
		/* Every number at its largest, every string at its longest. */
		{
			.serial = UINT64_MAX,
			.card_name = "abcdefghijklmnopqrstuvwxyz01234",
			.firmware_version = "FFFFFFFF",
			.dump_id = UINT32_MAX,
			.origin = "host",
			.trigger = "abcdefghijklmno",
			.requested_usec = INT64_MAX,
			.started_usec = INT64_MAX,
			.finished_usec = INT64_MAX,
			.size = UINT32_MAX,
			.sha256 = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		},
		/* Every number at its smallest, every string empty. */
		{
			.serial = 1,
			.origin = "card",
			.sha256 = "0000000000000000000000000000000000000000000000000000000000000000",
		},
		/* Characters JSON escapes, and ones it need not. */
		{
			.serial = 10,
			.card_name = "a\"b\\c/d e~{}[]:,",
			.firmware_version = "\\\"\\\"\\\"\\\"",
			.dump_id = 0x80000000u,
			.origin = "host",
			.trigger = "user",
			.requested_usec = 1,
			.started_usec = 2,
			.finished_usec = 3,
			.size = 4096,
			.sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		},
	};

	for (size_t i = 0; i < ELEMENTSOF(metas); i++) {
		uint8_t block[DUMP_FILE_HEADER_SIZE], again[DUMP_FILE_HEADER_SIZE];
		struct dump_meta back, back2;
		const char *nl;

		assert_int_equal(dump_header_format(&metas[i], block), 0);
		assert_int_equal(dump_header_parse(block, sizeof(block), &back), 0);
		assert_meta_equal(&metas[i], &back);
		/* Formatting what was parsed gives the same block. */
		assert_int_equal(dump_header_format(&back, again), 0);
		assert_memory_equal(block, again, sizeof(block));
		/* A buffer that ends right after the newline is enough ... */
		nl = memchr(block, '\n', sizeof(block));
		nl = memchr(nl + 1, '\n', sizeof(block) - (size_t)(nl + 1 - (const char *)block));
		assert_non_null(nl);
		assert_int_equal(dump_header_parse(block, (size_t)(nl + 1 - (const char *)block),
						   &back2), 0);
		assert_meta_equal(&metas[i], &back2);
		/* ... one without it is not. */
		assert_int_equal(dump_header_parse(block, (size_t)(nl - (const char *)block), &back2),
				 -EBADMSG);
	}
}

/* ---- the table of damaged headers --------------------------------------------- */

enum edit {
	SET_MEMBER,  /* the good header with key's value replaced by value */
	DROP_MEMBER, /* ... without key */
	ADD_MEMBER,  /* ... with "key":value appended (a duplicate or an extra) */
	JSON_LINE,   /* magic, value as the JSON line, newline */
	RAW_BLOCK,   /* value's bytes as they are */
};

struct bad_header {
	enum edit edit;
	const char *key;
	const char *value;
	size_t value_len; /* RAW_BLOCK: bytes of value */
	size_t len;       /* RAW_BLOCK: bytes given to the parser; 0: the whole block */
	int want;
};

#define SET(k, v, w) { SET_MEMBER, k, v, 0, 0, w }
#define DROP(k) { DROP_MEMBER, k, NULL, 0, 0, -EBADMSG }
#define ADD(k, v, w) { ADD_MEMBER, k, v, 0, 0, w }
#define LINE(v, w) { JSON_LINE, NULL, v, 0, 0, w }
#define RAW(v, n, w) { RAW_BLOCK, NULL, v, sizeof(v) - 1, n, w }

static const struct bad_header bad_headers[] = {
	/* The table's own check: no edit, the good header. */
	LINE(GOOD_JSON, 0),

	/* ---- the block around the JSON ---- */
	/* All NUL: a file of zeros (a crash before the header was written). */
	RAW("", 0, -EBADMSG),
	/* Shorter than the magic. */
	RAW("OCXLPMEM-DUMP/", 14, -EBADMSG),
	/* The magic without its newline. */
	RAW("OCXLPMEM-DUMP/1", 15, -EBADMSG),
	/* The magic and nothing else. */
	RAW(MAGIC, 16, -EBADMSG),
	/* The magic, then an empty line. */
	RAW(MAGIC "\n", 0, -EBADMSG),
	/* No magic: the JSON line on its own. */
	RAW(GOOD_JSON "\n", 0, -EBADMSG),
	/* The magic in lower case. */
	RAW("ocxlpmem-dump/1\n" GOOD_JSON "\n", 0, -EBADMSG),
	/* The magic line is fixed; versions are told by "format". */
	RAW("OCXLPMEM-DUMP/2\n" GOOD_JSON "\n", 0, -EBADMSG),
	/* A CRLF after the magic (a file edited on another system). */
	RAW("OCXLPMEM-DUMP/1\r\n" GOOD_JSON "\n", 0, -EBADMSG),
	/* Something before the magic. */
	RAW(" " MAGIC GOOD_JSON "\n", 0, -EBADMSG),
	/* No newline after the JSON: NUL padding follows the object. */
	RAW(MAGIC GOOD_JSON, 0, -EBADMSG),
	/* Blanks around the object, a CR before the newline included, are
	 * JSON whitespace (json-c consumes them): accepted. */
	RAW(MAGIC GOOD_JSON "\r\n", 0, 0),
	RAW(MAGIC " \t" GOOD_JSON " \n", 0, 0),
	/* A NUL inside the JSON. */
	RAW(MAGIC "{\"format\":1,\0\"serial\":\"1\"}\n", 0, -EBADMSG),
	/* A short read that ends inside the JSON (no newline seen). */
	RAW(MAGIC GOOD_JSON "\n", 16 + 100, -EBADMSG),
	/* A short read that ends right after the newline is complete. */
	RAW(MAGIC GOOD_JSON "\n", sizeof(MAGIC GOOD_JSON "\n") - 1, 0),

	/* ---- the JSON line is not one object ---- */
	LINE("[1]", -EBADMSG),
	LINE("\"" SHA_EMPTY "\"", -EBADMSG),
	LINE("1", -EBADMSG),
	LINE("null", -EBADMSG),
	/* An object with none of the members. */
	LINE("{}", -EBADMSG),
	/* Trailing garbage after the object. */
	LINE(GOOD_JSON "x", -EBADMSG),
	/* A second object after the first. */
	LINE(GOOD_JSON "{}", -EBADMSG),
	/* A trailing comma (not strict JSON). */
	LINE("{\"format\":1,}", -EBADMSG),
	/* A comment (not strict JSON). */
	LINE("/* x */" GOOD_JSON, -EBADMSG),
	/* Truncated: the closing brace is missing. */
	LINE("{\"format\":1,\"serial\":\"1234567890123\"", -EBADMSG),
	/* Unquoted member names. */
	LINE("{format:1}", -EBADMSG),
	/* Blanks between the tokens are JSON too: accepted. */
	LINE("{ \"format\" : 1 , \"serial\" : \"1234567890123\", \"card\" : \"ocxlpmem0\", "
	     "\"firmware_version\" : \"01.02.03\", \"dump_id\" : 7, \"origin\" : \"card\", "
	     "\"trigger\" : \"card-event\", \"requested_usec\" : 1700000000000000, "
	     "\"started_usec\" : 1700000000100000, \"finished_usec\" : 1700000001200000, "
	     "\"size\" : 1048576, \"sha256\" : \"" SHA_EMPTY "\", \"data_offset\" : 4096 }",
	     0),

	/* ---- format ---- */
	SET("format", "0", -EBADMSG),
	/* A newer format: nothing else is looked at. */
	SET("format", "2", -EPROTONOSUPPORT),
	SET("format", "2147483647", -EPROTONOSUPPORT),
	LINE("{\"format\":2}", -EPROTONOSUPPORT),
	/* Beyond the range a format number has: not a dump header. */
	SET("format", "2147483648", -EBADMSG),
	SET("format", "-1", -EBADMSG),
	SET("format", "1.0", -EBADMSG),
	SET("format", "\"1\"", -EBADMSG),

	/* ---- each required member missing ---- */
	DROP("format"),
	DROP("serial"),
	DROP("card"),
	DROP("firmware_version"),
	DROP("dump_id"),
	DROP("origin"),
	DROP("trigger"),
	DROP("requested_usec"),
	DROP("started_usec"),
	DROP("finished_usec"),
	DROP("size"),
	DROP("sha256"),
	DROP("data_offset"),

	/* ---- each member of the wrong type ---- */
	/* The serial is a string: a JSON number cannot hold every u64 safely. */
	SET("serial", "1234567890123", -EBADMSG),
	SET("card", "5", -EBADMSG),
	SET("firmware_version", "null", -EBADMSG),
	SET("dump_id", "\"7\"", -EBADMSG),
	SET("origin", "true", -EBADMSG),
	SET("trigger", "[]", -EBADMSG),
	SET("requested_usec", "1.5", -EBADMSG),
	SET("started_usec", "\"0\"", -EBADMSG),
	SET("finished_usec", "{}", -EBADMSG),
	/* Integral, but written as a double. */
	SET("size", "1e6", -EBADMSG),
	SET("size", "NaN", -EBADMSG),
	SET("sha256", "0", -EBADMSG),
	SET("data_offset", "\"4096\"", -EBADMSG),

	/* ---- numbers out of range ---- */
	SET("dump_id", "-1", -EBADMSG),
	SET("dump_id", "4294967295", 0),
	SET("dump_id", "4294967296", -EBADMSG),
	/* A leading zero is not JSON. */
	SET("dump_id", "07", -EBADMSG),
	SET("size", "-1", -EBADMSG),
	SET("size", "4294967295", 0),
	SET("size", "4294967296", -EBADMSG),
	SET("requested_usec", "-1", -EBADMSG),
	SET("requested_usec", "9223372036854775807", 0),
	/* json-c holds these as uint64_t and json_object_get_int64() clamps
	 * them to INT64_MAX without a word: they must not read as INT64_MAX. */
	SET("requested_usec", "9223372036854775808", -EBADMSG),
	SET("started_usec", "18446744073709551615", -EBADMSG),
	/* Past UINT64_MAX too (json-c clamps again, to UINT64_MAX). */
	SET("finished_usec", "99999999999999999999", -EBADMSG),
	SET("finished_usec", "-9223372036854775809", -EBADMSG),

	/* ---- serial ---- */
	SET("serial", "\"18446744073709551615\"", 0),
	SET("serial", "\"1\"", 0),
	SET("serial", "\"0\"", -EBADMSG),
	SET("serial", "\"0123\"", -EBADMSG),
	SET("serial", "\"12a4\"", -EBADMSG),
	SET("serial", "\"\"", -EBADMSG),
	SET("serial", "\" 123\"", -EBADMSG),
	SET("serial", "\"+123\"", -EBADMSG),
	SET("serial", "\"-1\"", -EBADMSG),
	/* 20 digits past UINT64_MAX. */
	SET("serial", "\"18446744073709551616\"", -EBADMSG),
	/* 21 digits. */
	SET("serial", "\"123456789012345678901\"", -EBADMSG),

	/* ---- sha256 ---- */
	SET("sha256", "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85\"", -EBADMSG),
	SET("sha256", "\"" SHA_EMPTY "5\"", -EBADMSG),
	SET("sha256", "\"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\"",
	    -EBADMSG),
	SET("sha256", "\"g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"",
	    -EBADMSG),
	SET("sha256", "\"\"", -EBADMSG),

	/* ---- origin ---- */
	SET("origin", "\"host\"", 0),
	SET("origin", "\"user\"", -EBADMSG),
	SET("origin", "\"Card\"", -EBADMSG),
	SET("origin", "\"cardx\"", -EBADMSG),
	SET("origin", "\"\"", -EBADMSG),

	/* ---- data_offset ---- */
	SET("data_offset", "4095", -EBADMSG),
	SET("data_offset", "8192", -EBADMSG),
	SET("data_offset", "0", -EBADMSG),

	/* ---- strings: length, characters, encoding ---- */
	SET("card", "\"abcdefghijklmnopqrstuvwxyz01234\"", 0),      /* 31 chars */
	SET("card", "\"abcdefghijklmnopqrstuvwxyz012345\"", -EBADMSG), /* 32 */
	SET("firmware_version", "\"12345678\"", 0),
	SET("firmware_version", "\"123456789\"", -EBADMSG),
	SET("trigger", "\"abcdefghijklmno\"", 0),
	SET("trigger", "\"abcdefghijklmnop\"", -EBADMSG),
	/* Longer than any buffer: must not be cut to fit. */
	SET("trigger", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
	    -EBADMSG),
	/* Control characters, escaped and raw (json-c takes a raw tab). */
	SET("card", "\"a\\tb\"", -EBADMSG),
	SET("card", "\"a\tb\"", -EBADMSG),
	SET("trigger", "\"user\\u001b[31m\"", -EBADMSG),
	SET("firmware_version", "\"1.0\\u007f\"", -EBADMSG),
	/* An escaped NUL: the C string would end early. */
	SET("card", "\"ocxl\\u0000pmem0\"", -EBADMSG),
	/* An escaped plain character is the character. */
	SET("card", "\"\\u006fcxlpmem0\"", 0),
	/* Not UTF-8. */
	SET("card", "\"ocxl\xffpmem0\"", -EBADMSG),
	/* An overlong encoding of '/' (json-c's UTF-8 check lets it through). */
	SET("card", "\"a\xc0\xaf\"", -EBADMSG),
	/* Valid UTF-8, but not plain ASCII. */
	SET("card", "\"caf\xc3\xa9\"", -EBADMSG),
	/* A lone surrogate (json-c makes it U+FFFD). */
	SET("card", "\"a\\ud800\"", -EBADMSG),
	/* Non-UTF-8 in a member name. */
	ADD("x\xfe", "1", -EBADMSG),

	/* ---- members twice, or unknown ---- */
	/* Duplicate keys: json-c keeps the last one and the parser sees only
	 * that, validated as any other (test_duplicate_key checks the value).
	 * Only a hand edit makes a duplicate; what is read is still a
	 * complete, valid header. */
	ADD("serial", "\"42\"", 0),
	ADD("serial", "\"0\"", -EBADMSG),
	ADD("format", "2", -EPROTONOSUPPORT),
	ADD("data_offset", "0", -EBADMSG),
	/* Members a later version 1 writer may add are ignored ... */
	ADD("comment", "{\"x\":[true,null]}", 0),
	/* ... but nesting deeper than the parser allows is refused. */
	ADD("comment", "[[[[[[[[[1]]]]]]]]]", -EBADMSG),
};

/* The JSON line of row t, for the edits of the good header. */
static void edit_line(const struct bad_header *t, char *line, size_t cap)
{
	size_t n = 0;

	n += (size_t)snprintf(line + n, cap - n, "{");
	for (size_t i = 0; i < ELEMENTSOF(good_members); i++) {
		const char *value = good_members[i][1];

		if (t->key && strcmp(t->key, good_members[i][0]) == 0) {
			if (t->edit == DROP_MEMBER)
				continue;
			if (t->edit == SET_MEMBER)
				value = t->value;
		}
		n += (size_t)snprintf(line + n, cap - n, "%s\"%s\":%s", n > 1 ? "," : "",
				      good_members[i][0], value);
	}
	if (t->edit == ADD_MEMBER)
		n += (size_t)snprintf(line + n, cap - n, ",\"%s\":%s", t->key, t->value);
	snprintf(line + n, cap - n, "}");
	assert_true(n + 1 < cap);
}

/* Row t's block; returns the length handed to the parser. */
static size_t build_block(const struct bad_header *t, uint8_t block[DUMP_FILE_HEADER_SIZE])
{
	char line[2048];
	size_t magic = strlen(MAGIC), n;

	memset(block, 0, DUMP_FILE_HEADER_SIZE);
	if (t->edit == RAW_BLOCK) {
		assert_true(t->value_len <= DUMP_FILE_HEADER_SIZE);
		memcpy(block, t->value, t->value_len);
		return t->len ? t->len : DUMP_FILE_HEADER_SIZE;
	}
	if (t->edit == JSON_LINE)
		snprintf(line, sizeof(line), "%s", t->value);
	else
		edit_line(t, line, sizeof(line));
	n = strlen(line);
	assert_true(magic + n + 1 <= DUMP_FILE_HEADER_SIZE);
	memcpy(block, MAGIC, magic);
	memcpy(block + magic, line, n);
	block[magic + n] = '\n';
	return DUMP_FILE_HEADER_SIZE;
}

static void test_bad_headers(void **state)
{
	static const char *const edits[] = { "set", "drop", "add", "line", "raw" };

	assert_true(ELEMENTSOF(bad_headers) >= 40);
	for (size_t i = 0; i < ELEMENTSOF(bad_headers); i++) {
		const struct bad_header *t = &bad_headers[i];
		uint8_t block[DUMP_FILE_HEADER_SIZE];
		struct dump_meta m, poison;
		size_t len = build_block(t, block);
		int r;

		memset(&poison, 0x5a, sizeof(poison));
		m = poison;
		r = dump_header_parse(block, len, &m);
		if (r != t->want)
			fail_msg("row %zu (%s %s): got %d, want %d", i, edits[t->edit],
				 t->key ? t->key : "", r, t->want);
		/* A refused header leaves the output alone. */
		if (r < 0)
			assert_memory_equal(&m, &poison, sizeof(m));
	}
}

static void test_duplicate_key(void **state)
{
	const struct bad_header t = ADD("serial", "\"42\"", 0);
	uint8_t block[DUMP_FILE_HEADER_SIZE];
	struct dump_meta m;

	assert_int_equal(dump_header_parse(block, build_block(&t, block), &m), 0);
	assert_int_equal(m.serial, 42);
}

static void test_short_lengths(void **state)
{
	uint8_t block[DUMP_FILE_HEADER_SIZE];
	struct dump_meta m;

	assert_int_equal(dump_header_format(&good, block), 0);
	assert_int_equal(dump_header_parse(block, 0, &m), -EBADMSG);
	assert_int_equal(dump_header_parse(NULL, 0, &m), -EBADMSG);
	for (size_t len = 1; len <= strlen(MAGIC) + strlen(GOOD_JSON); len++)
		assert_int_equal(dump_header_parse(block, len, &m), -EBADMSG);
	assert_int_equal(dump_header_parse(block, strlen(MAGIC) + strlen(GOOD_JSON) + 1, &m), 0);
}

/*
 * The JSON is padded with blanks (valid JSON) so that its newline falls on
 * the block's last byte, then one byte further: the parser looks at no
 * more than DUMP_FILE_HEADER_SIZE bytes however long the buffer.
 */
static void test_block_edge(void **state)
{
	static const char json[] = GOOD_JSON;
	size_t magic = strlen(MAGIC), n = strlen(json);
	uint8_t *buf = calloc(1, 2 * DUMP_FILE_HEADER_SIZE);
	struct dump_meta m;

	assert_non_null(buf);
	for (size_t nl = DUMP_FILE_HEADER_SIZE - 2; nl <= DUMP_FILE_HEADER_SIZE + 1; nl++) {
		size_t pad = nl - magic - n;

		memset(buf, 0, 2 * DUMP_FILE_HEADER_SIZE);
		memcpy(buf, MAGIC, magic);
		buf[magic] = '{';
		memset(buf + magic + 1, ' ', pad);
		memcpy(buf + magic + 1 + pad, json + 1, n - 1);
		buf[nl] = '\n';
		assert_int_equal(dump_header_parse(buf, 2 * DUMP_FILE_HEADER_SIZE, &m),
				 nl < DUMP_FILE_HEADER_SIZE ? 0 : -EBADMSG);
		assert_int_equal(dump_header_parse(buf, SIZE_MAX, &m),
				 nl < DUMP_FILE_HEADER_SIZE ? 0 : -EBADMSG);
	}
	free(buf);
}

/* ---- metas the formatter refuses ------------------------------------------------ */

static void test_format_refuses(void **state)
{
	static const struct {
		size_t off, cap;
		const char *text; /* as many bytes as fit, NUL-terminated if it fits */
		int want;
	} strs[] = {
#define S(field) offsetof(struct dump_meta, field), sizeof(((struct dump_meta *)0)->field)
		{ S(card_name), "ocxl\tpmem0", -EINVAL },
		{ S(card_name), "ocxl\npmem0", -EINVAL },
		{ S(card_name), "ocxl\x7fpmem0", -EINVAL },
		{ S(card_name), "caf\xc3\xa9", -EINVAL },
		/* All 32 bytes used: no terminating NUL. */
		{ S(card_name), "abcdefghijklmnopqrstuvwxyz012345", -EINVAL },
		{ S(card_name), "abcdefghijklmnopqrstuvwxyz01234", 0 },
		{ S(card_name), "", 0 },
		{ S(firmware_version), "123456789", -EINVAL },
		{ S(firmware_version), "1.0\x1b", -EINVAL },
		{ S(origin), "user", -EINVAL },
		{ S(origin), "", -EINVAL },
		{ S(origin), "host", 0 },
		{ S(origin), "card\r", -EINVAL },
		{ S(trigger), "user\n", -EINVAL },
		{ S(trigger), "", 0 },
		{ S(sha256), "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
		  -EINVAL },
		{ S(sha256), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
		  -EINVAL },
		{ S(sha256), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g",
		  -EINVAL },
		{ S(sha256), "", -EINVAL },
#undef S
	};
	static const struct {
		size_t off;
		uint64_t value;
		int want;
	} nums[] = {
		/* Values the parser would refuse: the header could not be read. */
		{ offsetof(struct dump_meta, serial), 0, -EINVAL },
		{ offsetof(struct dump_meta, serial), UINT64_MAX, 0 },
		{ offsetof(struct dump_meta, requested_usec), INT64_MAX, 0 },
		{ offsetof(struct dump_meta, requested_usec), (uint64_t)INT64_MAX + 1, -EINVAL },
		{ offsetof(struct dump_meta, started_usec), UINT64_MAX, -EINVAL },
		{ offsetof(struct dump_meta, finished_usec), (uint64_t)INT64_MAX + 1, -EINVAL },
		{ offsetof(struct dump_meta, size), UINT32_MAX, 0 },
		{ offsetof(struct dump_meta, size), (uint64_t)UINT32_MAX + 1, -EINVAL },
		{ offsetof(struct dump_meta, size), UINT64_MAX, -EINVAL },
	};
	uint8_t block[DUMP_FILE_HEADER_SIZE], before[DUMP_FILE_HEADER_SIZE];
	struct dump_meta back;

	for (size_t i = 0; i < ELEMENTSOF(strs); i++) {
		struct dump_meta m = good;
		size_t n = strlen(strs[i].text);
		char *field = (char *)&m + strs[i].off;
		int r;

		memcpy(field, strs[i].text, n < strs[i].cap ? n + 1 : strs[i].cap);
		memset(block, 0xa5, sizeof(block));
		memcpy(before, block, sizeof(block));
		r = dump_header_format(&m, block);
		if (r != strs[i].want)
			fail_msg("string row %zu: got %d, want %d", i, r, strs[i].want);
		if (r < 0)
			assert_memory_equal(block, before, sizeof(block));
		else
			assert_int_equal(dump_header_parse(block, sizeof(block), &back), 0);
	}
	for (size_t i = 0; i < ELEMENTSOF(nums); i++) {
		struct dump_meta m = good;
		int r;

		memcpy((char *)&m + nums[i].off, &nums[i].value, sizeof(uint64_t));
		r = dump_header_format(&m, block);
		if (r != nums[i].want)
			fail_msg("number row %zu: got %d, want %d", i, r, nums[i].want);
		/* What is written can be read back. */
		if (r == 0) {
			assert_int_equal(dump_header_parse(block, sizeof(block), &back), 0);
			assert_meta_equal(&m, &back);
		}
	}
}

/* ---- file names ------------------------------------------------------------------ */

static void test_file_name(void **state)
{
	char buf[DUMP_FILE_NAME_MAX];

	assert_int_equal(dump_file_name(42, 1700000000123456, 7, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "42-20231114T221320Z-00000007.ocxldump");
	assert_int_equal(dump_file_name(1, 0, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1-19700101T000000Z-00000000.ocxldump");
	assert_int_equal(dump_file_name(0, 0, 0, buf, sizeof(buf)), -EINVAL);
	/* Exactly the room it needs, and one byte less. */
	assert_int_equal(dump_file_name(42, 1700000000123456, 7, buf, 38), 0);
	assert_int_equal(dump_file_name(42, 1700000000123456, 7, buf, 37), -EINVAL);
}

static void test_file_name_valid(void **state)
{
	static const struct {
		uint64_t serial, usec;
		uint32_t dump_id;
	} made[] = {
		{ 1, 0, 0 },
		{ 42, 1700000000123456, 7 },
		{ UINT64_MAX, 1700000000123456, UINT32_MAX },
		{ 1234567890123, 253402300799000000, 0xabcdef01 }, /* 9999-12-31 */
		{ UINT64_MAX, UINT64_MAX, UINT32_MAX },            /* a six-digit year */
	};
	static const char *const invalid[] = {
		"",
		".ocxldump",
		".x.ocxldump",
		"../x.ocxldump",
		"..",
		"a/b.ocxldump",
		"42/20231114T221320Z-00000007.ocxldump",
		"/42-20231114T221320Z-00000007.ocxldump",
		/* The writer's temporary. */
		".42-20231114T221320Z-00000007.ocxldump.tmp",
		"42-20231114T221320Z-00000007.ocxldump.tmp",
		/* Upper-case hex. */
		"42-20231114T221320Z-0000ABCD.ocxldump",
		/* Wrong suffix. */
		"42-20231114T221320Z-00000007.ocxldum",
		"42-20231114T221320Z-00000007.OCXLDUMP",
		"42-20231114T221320Z-00000007.ocxldump ",
		"42-20231114T221320Z-00000007",
		/* Blanks, control characters, other letters. */
		"42 20231114T221320Z-00000007.ocxldump",
		"42-20231114T221320Z-0000000\n.ocxldump",
		"42-20231114t221320z-00000007.ocxldump",
		"x42-20231114T221320Z-00000007.ocxldump",
	};
	char buf[DUMP_FILE_NAME_MAX], *lng;

	for (size_t i = 0; i < ELEMENTSOF(made); i++) {
		assert_int_equal(dump_file_name(made[i].serial, made[i].usec, made[i].dump_id, buf,
						sizeof(buf)), 0);
		if (!dump_file_name_valid(buf))
			fail_msg("made name %zu: '%s' not valid", i, buf);
	}
	for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
		if (dump_file_name_valid(invalid[i]))
			fail_msg("'%s' valid", invalid[i]);

	/* DUMP_FILE_NAME_MAX characters and more: too long, whatever they are. */
	lng = malloc(300);
	assert_non_null(lng);
	for (size_t n = DUMP_FILE_NAME_MAX; n < 300; n += 50) {
		memset(lng, '1', n - strlen(DUMP_FILE_SUFFIX));
		strcpy(lng + n - strlen(DUMP_FILE_SUFFIX), DUMP_FILE_SUFFIX);
		assert_int_equal(strlen(lng), n);
		assert_false(dump_file_name_valid(lng));
	}
	free(lng);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_is_canonical),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_short_lengths),
		cmocka_unit_test(test_block_edge),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_file_name),
		cmocka_unit_test(test_file_name_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
