// SPDX-License-Identifier: GPL-2.0-or-later
/* The value syntax of ocxlpmemd.conf (see config-value.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "config/config-value.h"

/* Values go into messages: keep them printable and on one line. */
const char *value_quote(const char *s, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *s && o + 5 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch >= 0x20 && ch < 0x7f) {
			buf[o++] = (char)ch;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[ch >> 4];
			buf[o++] = hex[ch & 0xf];
		}
	}
	if (*s && o + 3 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/*
 * Leading decimal digits of s.  -EINVAL without any, -ERANGE past
 * UINT64_MAX (after consuming every digit, so the caller still sees what
 * follows).
 */
int value_parse_digits(const char *s, const char **ret_end, uint64_t *ret)
{
	uint64_t v = 0;
	bool overflow = false;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	if (p == s)
		return -EINVAL;
	*ret_end = p;
	if (overflow)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* A number with an optional one-letter unit from units[]; 0, -EINVAL or -ERANGE. */
int value_parse_scaled(const char *s, const char *units, const uint64_t *factors, uint64_t *ret)
{
	const char *end, *u;
	uint64_t v = 0;
	int r;

	r = value_parse_digits(s, &end, &v);
	if (r == -EINVAL)
		return r;
	if (*end) {
		u = strchr(units, *end);
		if (!u || end[1])
			return -EINVAL;
		if (r == 0 && v > UINT64_MAX / factors[u - units])
			r = -ERANGE;
		v *= factors[u - units];
	}
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

static const char duration_units[] = "smhd";
static const uint64_t duration_factors[] = { 1, MINUTE, HOUR, DAY };
static const char size_units[] = "KMGT";
static const uint64_t size_factors[] = { KIB, MIB, GIB, TIB };

int value_parse_duration(const char *s, uint64_t *ret_seconds)
{
	return value_parse_scaled(s, duration_units, duration_factors, ret_seconds);
}

int value_parse_size(const char *s, uint64_t *ret_bytes)
{
	return value_parse_scaled(s, size_units, size_factors, ret_bytes);
}

int config_parse_duration(const char *s, unsigned int *ret_seconds)
{
	uint64_t v;

	if (value_parse_scaled(s, duration_units, duration_factors, &v) < 0 || v > UINT_MAX)
		return -EINVAL;
	*ret_seconds = (unsigned int)v;
	return 0;
}

int config_parse_size(const char *s, uint64_t *ret_bytes)
{
	return value_parse_scaled(s, size_units, size_factors, ret_bytes);
}

/* The largest unit that divides v exactly, so defaults print as written. */
const char *value_format_scaled(uint64_t v, const char *units, const uint64_t *factors,
				 size_t nunits, const char *plain_unit, char *buf, size_t size)
{
	for (size_t i = nunits; i-- > 0;) {
		if (v && factors[i] > 1 && v % factors[i] == 0) {
			snprintf(buf, size, "%" PRIu64 "%c", v / factors[i], units[i]);
			return buf;
		}
	}
	snprintf(buf, size, "%" PRIu64 "%s", v, v ? plain_unit : "");
	return buf;
}

const char *value_format_duration(uint64_t v, char *buf, size_t size)
{
	return value_format_scaled(v, duration_units, duration_factors, ELEMENTSOF(duration_factors), "s",
			     buf, size);
}

const char *value_format_size(uint64_t v, char *buf, size_t size)
{
	return value_format_scaled(v, size_units, size_factors, ELEMENTSOF(size_factors), "", buf, size);
}

int value_parse_int(const char *s, int64_t *ret)
{
	bool neg = *s == '-';
	const char *end;
	uint64_t v = 0;
	int r;

	r = value_parse_digits(s + neg, &end, &v);
	if (r == -EINVAL || *end)
		return -EINVAL;
	if (r < 0 || v > (uint64_t)INT64_MAX)
		return -ERANGE;
	*ret = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int value_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

bool value_check_absolute_path(const char *v)
{
	/* The line length limit keeps this far below PATH_MAX. */
	return v[0] == '/';
}

/* Syntax only: whether the address is local is for the listener to find out. */
int config_listen_parse(const char *v, struct listen_address *ret)
{
	struct listen_address a = { 0 };
	unsigned char addr[sizeof(struct in6_addr)];
	const char *colon, *end, *port;
	uint64_t n;
	size_t len;

	if (streq(v, "off")) {
		*ret = (struct listen_address){ .off = true };
		return 0;
	}
	if (v[0] == '[') {
		end = strchr(v, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		len = (size_t)(end - v - 1);
		if (!len || len >= sizeof(a.host))
			return -EINVAL;
		memcpy(a.host, v + 1, len);
		if (inet_pton(AF_INET6, a.host, addr) != 1)
			return -EINVAL;
		port = end + 2;
	} else {
		colon = strrchr(v, ':');
		if (!colon)
			return -EINVAL;
		len = (size_t)(colon - v);
		port = colon + 1;
		if (len == strlen("localhost") && strncmp(v, "localhost", len) == 0) {
			/* The loopback address itself, not a name lookup. */
			strcpy(a.host, "127.0.0.1");
		} else {
			if (!len || len >= INET_ADDRSTRLEN)
				return -EINVAL;
			memcpy(a.host, v, len);
			if (inet_pton(AF_INET, a.host, addr) != 1)
				return -EINVAL;
		}
	}
	if (value_parse_digits(port, &end, &n) < 0 || *end || n < 1 || n > 65535)
		return -EINVAL;
	a.port = (uint16_t)n;
	*ret = a;
	return 0;
}

bool value_check_listen(const char *v)
{
	struct listen_address a;

	return config_listen_parse(v, &a) == 0;
}

/* The portable name set (useradd's default NAME_REGEX); existence is checked on use. */
bool value_check_group(const char *v)
{
	size_t n = strlen(v);

	if (n < 1 || n > 32)
		return false;
	if (!((v[0] >= 'a' && v[0] <= 'z') || v[0] == '_'))
		return false;
	return strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}
