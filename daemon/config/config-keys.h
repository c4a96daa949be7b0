/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table of every configuration key (config-keys.c) and what works
 * from it: parsing a value for a key, storing it, defaults, messages.
 * Private to daemon/config/.
 */
#ifndef OCXLPMEMD_CONFIG_KEYS_H
#define OCXLPMEMD_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

enum section {
	SEC_POLL,
	SEC_THRESHOLDS,
	SEC_ALERTS,
	SEC_PATHS,
	SEC_METRICS,
	SEC_ACCESS,
	SEC_DUMPS,
	SEC_SIMULATOR,
	SEC_KERNEL,
	SEC_DBUS,
	SEC_MAX,
};

extern const char *const config_section_names[SEC_MAX];

enum key_type {
	KEY_UINT,     /* decimal, into an unsigned field of 4 or 8 bytes */
	KEY_INT,      /* decimal with optional '-', into an int */
	KEY_DURATION, /* seconds with an optional s/m/h/d unit, into unsigned int */
	KEY_SIZE,     /* bytes with an optional K/M/G/T unit, 4 or 8 bytes */
	KEY_BOOL,
	KEY_ENUM,     /* an enum field (int-sized), by its names */
	KEY_STRING,   /* char *, accepted by ->check */
};

struct key {
	enum section section;
	const char *name;
	enum key_type type;
	size_t offset; /* in struct config */
	size_t width;  /* of the field, for the stores of unsigned values */
	/* KEY_UINT, KEY_DURATION, KEY_SIZE: inclusive bounds. */
	uint64_t min, max;
	/* KEY_INT: inclusive bounds. */
	int64_t imin, imax;
	uint64_t multiple_of;  /* KEY_SIZE, when not 0 */
	bool zero_disables;    /* KEY_DURATION: 0 is allowed below min */
	uint64_t def;          /* unsigned, bool (0/1) and enum defaults */
	int64_t idef;          /* KEY_INT default */
	const char *sdef;      /* KEY_STRING default, NULL for none */
	const char *const *names; /* KEY_ENUM, NULL-terminated, by value */
	bool (*check)(const char *value); /* KEY_STRING */
	const char *expected;             /* KEY_STRING: what check() wants */
	/* Keys a [card SERIAL] section may override. */
	size_t card_offset;
	uint32_t card_bit;
};

/* Every key, CONFIG_NKEYS of them (config-keys.c checks the count). */
#define CONFIG_NKEYS 27
extern const struct key *const config_keys;

union value {
	uint64_t u; /* KEY_UINT, KEY_DURATION, KEY_SIZE, KEY_BOOL, KEY_ENUM */
	int64_t i;  /* KEY_INT */
	char *s;    /* KEY_STRING, owned */
};

/*
 * Parse text for key k.  0 with *ret set, -EINVAL with why set to "what is
 * wrong (expected ...)", or -ENOMEM.
 */
int config_key_parse(const struct key *k, const char *text, union value *ret, char *why,
		     size_t whysize);
/* Store into the field at base + offset (v's string is taken). */
void config_key_store(const struct key *k, void *base, size_t offset, union value *v);
/* Numeric value of a field, for relations and their messages. */
union value config_key_load(const struct key *k, const void *base, size_t offset);
const char *config_key_format(const struct key *k, union value v, char *buf, size_t size);

/* The key of a section by name, its index in config_keys[] in *ret_index. */
const struct key *config_key_find(enum section section, const char *name, size_t *ret_index);
/* The same for the keys a [card SERIAL] section may set. */
const struct key *config_key_find_card(const char *name, size_t *ret_index);
/* "a, b, c": the keys of a section, or of a card, for messages. */
void config_keys_list(bool card, enum section section, char *buf, size_t size);

/* Defaults of c with the overrides of card (which may be NULL) on top. */
void config_card_effective(const struct config *c, const struct card_config *card,
			   struct card_config *eff);

#endif /* OCXLPMEMD_CONFIG_KEYS_H */
