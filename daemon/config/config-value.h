/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The value syntax of ocxlpmemd.conf: numbers, durations, sizes, booleans,
 * listen addresses, group names.  Pure functions, shared by the key table
 * in config.c and by the command line.  0 or -errno for parsers; checkers
 * return whether the text is acceptable.
 */
#ifndef OCXLPMEMD_CONFIG_VALUE_H
#define OCXLPMEMD_CONFIG_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#define MINUTE 60ULL
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define KIB 1024ULL
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define TIB (1024 * GIB)

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Values go into messages: printable, on one line, shortened if long. */
const char *value_quote(const char *s, char *buf, size_t size);
int value_parse_digits(const char *s, const char **ret_end, uint64_t *ret);
int value_parse_scaled(const char *s, const char *units, const uint64_t *factors, uint64_t *ret);
/* "30s", "5m", "1h", "2d" or plain seconds / "64K", "16M" or plain bytes. */
int value_parse_duration(const char *s, uint64_t *ret_seconds);
int value_parse_size(const char *s, uint64_t *ret_bytes);
const char *value_format_scaled(uint64_t v, const char *units, const uint64_t *factors,
				size_t nunits, const char *plain_unit, char *buf, size_t size);
const char *value_format_duration(uint64_t v, char *buf, size_t size);
const char *value_format_size(uint64_t v, char *buf, size_t size);
int value_parse_int(const char *s, int64_t *ret);
int value_parse_bool(const char *s, bool *ret);
bool value_check_absolute_path(const char *v);
bool value_check_listen(const char *v);
bool value_check_group(const char *v);

#endif /* OCXLPMEMD_CONFIG_VALUE_H */
