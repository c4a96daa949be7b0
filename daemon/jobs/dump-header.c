// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dump file header (see dump-file.h and doc/dump-format.md): formatting
 * and a strict parser.  The parser reads files a crash, a full disk or a
 * person may have damaged, so anything unexpected is -EBADMSG, never a
 * guess.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "jobs/dump-file.h"

#define FORMAT_VERSION 1

/* Printable ASCII only: these strings end up in file names, logs, JSON. */
static bool plain_text(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static bool hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool origin_valid(const char *s)
{
	return strcmp(s, "card") == 0 || strcmp(s, "host") == 0;
}

int dump_header_format(const struct dump_meta *meta, uint8_t buf[DUMP_FILE_HEADER_SIZE])
{
	struct json_object *o;
	const char *text;
	char serial[24];
	size_t magic = strlen(DUMP_FILE_MAGIC), n;
	int r = 0;

	if (!plain_text(meta->card_name, sizeof(meta->card_name) - 1) ||
	    !plain_text(meta->firmware_version, sizeof(meta->firmware_version) - 1) ||
	    !plain_text(meta->origin, sizeof(meta->origin) - 1) ||
	    !plain_text(meta->trigger, sizeof(meta->trigger) - 1) || !hex64(meta->sha256))
		return -EINVAL;
	/* Nothing the parser would refuse: a header is written to be read. */
	if (!meta->serial || !origin_valid(meta->origin) || meta->requested_usec > INT64_MAX ||
	    meta->started_usec > INT64_MAX || meta->finished_usec > INT64_MAX ||
	    meta->size > UINT32_MAX)
		return -EINVAL;
	snprintf(serial, sizeof(serial), "%" PRIu64, meta->serial);
	o = json_object_new_object();
	json_object_object_add(o, "format", json_object_new_int(FORMAT_VERSION));
	json_object_object_add(o, "serial", json_object_new_string(serial));
	json_object_object_add(o, "card", json_object_new_string(meta->card_name));
	json_object_object_add(o, "firmware_version", json_object_new_string(meta->firmware_version));
	json_object_object_add(o, "dump_id", json_object_new_int64(meta->dump_id));
	json_object_object_add(o, "origin", json_object_new_string(meta->origin));
	json_object_object_add(o, "trigger", json_object_new_string(meta->trigger));
	json_object_object_add(o, "requested_usec", json_object_new_int64((int64_t)meta->requested_usec));
	json_object_object_add(o, "started_usec", json_object_new_int64((int64_t)meta->started_usec));
	json_object_object_add(o, "finished_usec", json_object_new_int64((int64_t)meta->finished_usec));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)meta->size));
	json_object_object_add(o, "sha256", json_object_new_string(meta->sha256));
	json_object_object_add(o, "data_offset", json_object_new_int(DUMP_FILE_HEADER_SIZE));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	n = strlen(text);
	/* Magic, JSON, newline and at least one NUL. */
	if (magic + n + 2 > DUMP_FILE_HEADER_SIZE) {
		r = -EINVAL;
		goto out;
	}
	memset(buf, 0, DUMP_FILE_HEADER_SIZE);
	memcpy(buf, DUMP_FILE_MAGIC, magic);
	memcpy(buf + magic, text, n);
	buf[magic + n] = '\n';
out:
	json_object_put(o);
	return r;
}

/* A required member of the given type. */
static struct json_object *member(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

static bool get_u64(struct json_object *o, const char *key, uint64_t max, uint64_t *ret)
{
	struct json_object *v = member(o, key, json_type_int);
	int64_t x;

	if (!v)
		return false;
	errno = 0;
	x = json_object_get_int64(v);
	/* json-c holds a number above INT64_MAX as a uint64_t, and
	 * json_object_get_int64() clamps it to INT64_MAX without an errno:
	 * compare with the unsigned reading to see it. */
	if (errno || x < 0 || (uint64_t)x > max || json_object_get_uint64(v) != (uint64_t)x)
		return false;
	*ret = (uint64_t)x;
	return true;
}

static bool get_str(struct json_object *o, const char *key, char *buf, size_t cap)
{
	struct json_object *v = member(o, key, json_type_string);
	const char *s;

	if (!v)
		return false;
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != strlen(s) || !plain_text(s, cap - 1))
		return false;
	snprintf(buf, cap, "%s", s);
	return true;
}

static bool parse_serial(const char *s, uint64_t *ret)
{
	char *end;

	if (!*s || strlen(s) > 20 || s[0] < '1' || s[0] > '9')
		return false;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	errno = 0;
	*ret = strtoull(s, &end, 10);
	return !errno && !*end;
}

int dump_header_parse(const void *buf, size_t len, struct dump_meta *ret)
{
	const char *p = buf, *nl;
	size_t magic = strlen(DUMP_FILE_MAGIC), json_len;
	struct json_tokener *tok;
	struct json_object *o;
	struct dump_meta m = { 0 };
	uint64_t v, format;
	char serial[24];
	int r = -EBADMSG;

	if (len > DUMP_FILE_HEADER_SIZE)
		len = DUMP_FILE_HEADER_SIZE;
	if (len < magic + 2 || memcmp(p, DUMP_FILE_MAGIC, magic) != 0)
		return -EBADMSG;
	nl = memchr(p + magic, '\n', len - magic);
	if (!nl)
		return -EBADMSG;
	json_len = (size_t)(nl - (p + magic));
	if (memchr(p + magic, '\0', json_len))
		return -EBADMSG;

	tok = json_tokener_new_ex(8);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, p + magic, (int)json_len);
	/* All of the line is one object: nothing before or after it. */
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != json_len || !json_object_is_type(o, json_type_object))
		goto out;
	if (!get_u64(o, "format", INT32_MAX, &format))
		goto out;
	if (format > FORMAT_VERSION) {
		r = -EPROTONOSUPPORT;
		goto out;
	}
	if (format != FORMAT_VERSION ||
	    !get_str(o, "serial", serial, sizeof(serial)) || !parse_serial(serial, &m.serial) ||
	    !get_str(o, "card", m.card_name, sizeof(m.card_name)) ||
	    !get_str(o, "firmware_version", m.firmware_version, sizeof(m.firmware_version)) ||
	    !get_u64(o, "dump_id", UINT32_MAX, &v))
		goto out;
	m.dump_id = (uint32_t)v;
	if (!get_str(o, "origin", m.origin, sizeof(m.origin)) ||
	    !get_str(o, "trigger", m.trigger, sizeof(m.trigger)) ||
	    !get_u64(o, "requested_usec", INT64_MAX, &m.requested_usec) ||
	    !get_u64(o, "started_usec", INT64_MAX, &m.started_usec) ||
	    !get_u64(o, "finished_usec", INT64_MAX, &m.finished_usec) ||
	    !get_u64(o, "size", UINT32_MAX, &m.size) ||
	    !get_str(o, "sha256", m.sha256, sizeof(m.sha256)) || !hex64(m.sha256) ||
	    !get_u64(o, "data_offset", DUMP_FILE_HEADER_SIZE, &v) || v != DUMP_FILE_HEADER_SIZE)
		goto out;
	if (!origin_valid(m.origin))
		goto out;
	*ret = m;
	r = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return r;
}

int dump_file_name(uint64_t serial, uint64_t usec, uint32_t dump_id, char *buf, size_t cap)
{
	time_t t = (time_t)(usec / 1000000u);
	struct tm tm;
	char when[32];
	int n;

	if (!serial || !gmtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm))
		return -EINVAL;
	n = snprintf(buf, cap, "%" PRIu64 "-%s-%08" PRIx32 DUMP_FILE_SUFFIX, serial, when, dump_id);
	return n < 0 || (size_t)n >= cap ? -EINVAL : 0;
}

bool dump_file_name_valid(const char *name)
{
	size_t n = strnlen(name, DUMP_FILE_NAME_MAX), sfx = strlen(DUMP_FILE_SUFFIX);

	if (n == 0 || n >= DUMP_FILE_NAME_MAX || name[0] == '.' || n <= sfx ||
	    strcmp(name + n - sfx, DUMP_FILE_SUFFIX) != 0)
		return false;
	for (size_t i = 0; i < n - sfx; i++) {
		char c = name[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-' || c == 'T' ||
		      c == 'Z'))
			return false;
	}
	return true;
}
