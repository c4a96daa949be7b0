// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Checks between keys: pairs of values that must stay ordered, for the
 * global values and for each card's effective ones.  They run once every
 * file is read, so that a drop-in may move both ends of a pair.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

#include "config/config-loader.h"
#include "config/config-value.h"

/*
 * Pairs that must stay ordered: lo < hi (or lo <= hi when !strict).  Both
 * keys have the same type.  Checked for the global values and, for keys a
 * card may override, for each card's effective values.
 */
static const struct relation {
	enum section section;
	const char *lo, *hi;
	bool strict;
} relations[] = {
	{ SEC_THRESHOLDS, "temperature_warning", "temperature_critical", true },
	{ SEC_THRESHOLDS, "life_critical", "life_warning", true },
	{ SEC_DUMPS, "max_bytes_per_card", "max_bytes_total", false },
};

static bool later(const struct origin *a, const struct origin *b)
{
	return a->file != b->file ? a->file > b->file : a->line > b->line;
}

static void describe_origin(const struct loader *l, const struct origin *o, char *buf, size_t size)
{
	if (o->file)
		snprintf(buf, size, "set at %s:%u", loader_path(l, o->file), o->line);
	else
		snprintf(buf, size, "the default");
}

/* One side of a relation: a value and where it was set. */
struct side {
	const struct key *key;
	union value value;
	const struct origin *origin;
	bool card; /* set in the card's own section */
};

static struct side make_side(const struct key *k, const void *base, size_t offset,
			     const struct origin *origin, bool card)
{
	return (struct side){ k, config_key_load(k, base, offset), origin, card };
}

/*
 * Blame the later of the two settings: it is the one that broke an order
 * that held before it.  card_title is NULL for the global values.
 */
static void check_pair(struct loader *l, const struct relation *rel, const struct side *lo,
		       const struct side *hi, const char *card_title)
{
	char a[32], b[32], title[64], where[PATH_MAX + 32];
	const struct side *bad, *other;
	bool ok, blame_lo;

	if (lo->origin->rejected || hi->origin->rejected)
		return;
	if (lo->key->type == KEY_INT)
		ok = rel->strict ? lo->value.i < hi->value.i : lo->value.i <= hi->value.i;
	else
		ok = rel->strict ? lo->value.u < hi->value.u : lo->value.u <= hi->value.u;
	if (ok)
		return;

	blame_lo = later(lo->origin, hi->origin);
	bad = blame_lo ? lo : hi;
	other = blame_lo ? hi : lo;
	if (bad->card)
		snprintf(title, sizeof(title), "%s", card_title);
	else
		snprintf(title, sizeof(title), "[%s]", config_section_names[rel->section]);
	describe_origin(l, other->origin, where, sizeof(where));
	loader_add_error(l, bad->origin->file, bad->origin->line,
			 "%s %s: %s must be %s %s%s%s (%s, %s)", title, bad->key->name,
			 config_key_format(bad->key, bad->value, a, sizeof(a)),
			 blame_lo ? (rel->strict ? "below" : "at most") :
				    (rel->strict ? "above" : "at least"),
			 other->key->name, card_title && !bad->card ? " of " : "",
			 card_title && !bad->card ? card_title : "",
			 config_key_format(other->key, other->value, b, sizeof(b)), where);
}

void config_check_relations(struct loader *l)
{
	const struct config *c = l->c;
	char title[64];

	for (size_t r = 0; r < ELEMENTSOF(relations); r++) {
		const struct relation *rel = &relations[r];
		size_t ilo = 0, ihi = 0;
		const struct key *klo = config_key_find(rel->section, rel->lo, &ilo);
		const struct key *khi = config_key_find(rel->section, rel->hi, &ihi);
		struct side lo, hi;

		if (!klo || !khi)
			continue;
		lo = make_side(klo, c, klo->offset, &l->key[ilo], false);
		hi = make_side(khi, c, khi->offset, &l->key[ihi], false);
		check_pair(l, rel, &lo, &hi, NULL);

		if (!klo->card_bit || !khi->card_bit)
			continue;
		for (size_t i = 0; i < c->ncards; i++) {
			const struct card_config *card = &c->cards[i];
			const struct card_origin *co = &l->cards[i];
			bool lo_card = card->set_mask & klo->card_bit;
			bool hi_card = card->set_mask & khi->card_bit;
			struct card_config eff;

			/* With neither key overridden the global check said it all. */
			if (!lo_card && !hi_card)
				continue;
			config_card_effective(c, card, &eff);
			lo = make_side(klo, &eff, klo->card_offset,
				       lo_card ? &co->key[ilo] : &l->key[ilo], lo_card);
			hi = make_side(khi, &eff, khi->card_offset,
				       hi_card ? &co->key[ihi] : &l->key[ihi], hi_card);
			snprintf(title, sizeof(title), "[card %" PRIu64 "]", card->serial);
			check_pair(l, rel, &lo, &hi, title);
		}
	}
}
