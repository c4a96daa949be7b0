/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state of one config_load() call, shared by the loader (config.c)
 * and the checks between keys (config-relations.c).  Private to
 * daemon/config/.
 */
#ifndef OCXLPMEMD_CONFIG_LOADER_H
#define OCXLPMEMD_CONFIG_LOADER_H

#include "config/config-keys.h"

/* Where a value came from, for messages about it later. */
struct origin {
	unsigned int file; /* 1-based index into loader.paths; 0: built-in */
	unsigned int line;
	bool rejected;     /* a value was refused, so relations prove nothing */
};

struct card_origin {
	struct origin header; /* the last [card SERIAL] line naming it */
	struct origin key[CONFIG_NKEYS];
};

struct loader {
	struct config *c;
	struct config_errors *errors;
	size_t nerrors; /* found, whether kept or not */
	int error;      /* first failure other than a configuration problem */
	char **paths;
	size_t npaths;
	struct origin key[CONFIG_NKEYS];
	struct origin section[SEC_MAX];
	struct card_origin *cards; /* parallel to c->cards */
	size_t cards_cap;          /* room in both arrays */
	/*
	 * c->cards by serial, open addressing: index + 1, 0 for empty; a
	 * power of two at least twice ncards.  Hundreds of thousands of
	 * [card] sections must load in linear time, not a scan per header.
	 */
	size_t *card_slots;
	size_t nslots;
};

/* "FILE:LINE: message" (line 0: "FILE: message") into l->errors. */
__attribute__((format(printf, 4, 5)))
void loader_add_error(struct loader *l, unsigned int file, unsigned int line, const char *fmt,
		      ...);
/* The path of file (1-based), "(built-in)" for 0. */
const char *loader_path(const struct loader *l, unsigned int file);

/* Add the problems of the relations between keys to l (config-relations.c). */
void config_check_relations(struct loader *l);

#endif /* OCXLPMEMD_CONFIG_LOADER_H */
