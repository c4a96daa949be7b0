// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Loading /etc/ocxlpmemd.conf and its drop-ins: what the tokens of each
 * file (config-lexer.c) mean.  It tracks the section a key is in, finds
 * [card SERIAL] sections, refuses sections and keys repeated in one file,
 * parses each value by the key table (config-keys.c) and, once every file
 * is read, checks the values against each other (config-relations.c).
 * Nothing is applied unless everything is right; every problem is
 * reported, with its file and line.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config-lexer.h"
#include "config/config-loader.h"
#include "config/config-value.h"

/* Past this many, problems are counted but not kept: a binary file given
 * as --config would otherwise flood the journal. */
#define ERRORS_SHOWN_MAX 50

unsigned long config_card_probes;

enum context {
	CTX_NONE,    /* no header yet */
	CTX_SECTION, /* in section pf->section */
	CTX_CARD,    /* in [card SERIAL], card pf->card */
	CTX_IGNORE,  /* after a bad header, already reported: skip its keys */
};

/* One file being read. */
struct parse_file {
	struct loader *l;
	unsigned int file;
	unsigned int lineno; /* of the token at hand */
	enum context ctx;
	enum section section;
	size_t card;
};

static void set_error(struct loader *l, int r)
{
	/* Running out of memory trumps everything: nothing else is reliable. */
	if (!l->error || r == -ENOMEM)
		l->error = r;
}

const char *loader_path(const struct loader *l, unsigned int file)
{
	return file ? l->paths[file - 1] : "(built-in)";
}

void loader_add_error(struct loader *l, unsigned int file, unsigned int line, const char *fmt,
		      ...)
{
	struct config_error *v;
	char *msg, *full;
	va_list ap;
	int n;

	if (l->nerrors++ >= ERRORS_SHOWN_MAX)
		return;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto oom;
	if (line)
		n = asprintf(&full, "%s:%u: %s", loader_path(l, file), line, msg);
	else
		n = asprintf(&full, "%s: %s", loader_path(l, file), msg);
	free(msg);
	if (n < 0)
		goto oom;

	v = reallocarray(l->errors->v, l->errors->n + 1, sizeof(*v));
	if (!v) {
		free(full);
		goto oom;
	}
	l->errors->v = v;
	v[l->errors->n++].message = full;
	return;
oom:
	set_error(l, -ENOMEM);
}

void config_errors_clear(struct config_errors *errors)
{
	if (!errors)
		return;
	for (size_t i = 0; i < errors->n; i++)
		free(errors->v[i].message);
	free(errors->v);
	*errors = (struct config_errors){ 0 };
}

/* splitmix64's finaliser: serials are often consecutive. */
static size_t serial_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x;
}

/* The slot of serial in the index: its card's, or the empty one to take. */
static size_t *card_slot(const struct loader *l, uint64_t serial)
{
	size_t mask = l->nslots - 1;

	for (size_t h = serial_hash(serial) & mask;; h = (h + 1) & mask) {
		size_t *slot = &l->card_slots[h];

		if (!*slot)
			return slot;
		config_card_probes++;
		if (l->c->cards[*slot - 1].serial == serial)
			return slot;
	}
}

static int grow_card_index(struct loader *l)
{
	size_t n = l->nslots ? l->nslots * 2 : 64, *old = l->card_slots;

	l->card_slots = calloc(n, sizeof(*l->card_slots));
	if (!l->card_slots) {
		l->card_slots = old;
		return -ENOMEM;
	}
	l->nslots = n;
	for (size_t i = 0; i < l->c->ncards; i++)
		*card_slot(l, l->c->cards[i].serial) = i + 1;
	free(old);
	return 0;
}

/* Index of the card with this serial in l->c, added if new; -ENOMEM. */
static int loader_card(struct loader *l, uint64_t serial, size_t *ret)
{
	struct config *c = l->c;
	struct card_config *cards;
	struct card_origin *origins;
	size_t *slot, cap;

	if (2 * (c->ncards + 1) > l->nslots && grow_card_index(l) < 0)
		return -ENOMEM;
	slot = card_slot(l, serial);
	if (*slot) {
		*ret = *slot - 1;
		return 0;
	}
	if (c->ncards == l->cards_cap) {
		cap = l->cards_cap ? l->cards_cap * 2 : 16;
		cards = reallocarray(c->cards, cap, sizeof(*cards));
		if (!cards)
			return -ENOMEM;
		c->cards = cards;
		origins = reallocarray(l->cards, cap, sizeof(*origins));
		if (!origins)
			return -ENOMEM;
		l->cards = origins;
		l->cards_cap = cap;
	}
	c->cards[c->ncards] = (struct card_config){ .serial = serial };
	l->cards[c->ncards] = (struct card_origin){ 0 };
	*slot = c->ncards + 1;
	*ret = c->ncards++;
	return 0;
}

/* The serial exactly as sysfs prints it: no sign, no leading zeros. */
static int parse_serial(const char *s, uint64_t *ret)
{
	const char *end;

	if (s[0] == '0' && s[1])
		return -EINVAL;
	if (value_parse_digits(s, &end, ret) < 0 || *end)
		return -EINVAL;
	return 0;
}

/*
 * name: a header's, trimmed and not empty (the lexer sees to both); raw:
 * as written between the brackets, for the message about an unknown one.
 */
static void enter_section(struct parse_file *pf, const char *name, const char *raw)
{
	struct loader *l = pf->l;
	char q[256], qarg[256];
	struct origin *seen;
	const char *arg;
	uint64_t serial;

	pf->ctx = CTX_IGNORE;

	for (size_t i = 0; i < SEC_MAX; i++) {
		if (!streq(name, config_section_names[i]))
			continue;
		/* Its keys are still checked: the problems in them are worth knowing. */
		seen = &l->section[i];
		if (seen->file == pf->file)
			loader_add_error(l, pf->file, pf->lineno,
				  "[%s]: section repeated, first at line %u (expected each section once per file)",
				  name, seen->line);
		else
			*seen = (struct origin){ .file = pf->file, .line = pf->lineno };
		pf->ctx = CTX_SECTION;
		pf->section = (enum section)i;
		return;
	}

	if (strncmp(name, "card", 4) != 0 || (name[4] && name[4] != ' ' && name[4] != '\t'))
		goto unknown;
	arg = name + 4 + strspn(name + 4, " \t");
	if (!*arg) {
		loader_add_error(l, pf->file, pf->lineno, "[card]: missing serial (expected [card SERIAL])");
		return;
	}
	if (parse_serial(arg, &serial) < 0) {
		loader_add_error(l, pf->file, pf->lineno,
			  "[%s]: '%s' is not a card serial (expected decimal digits without leading zeros, as sysfs shows it)",
			  value_quote(name, q, sizeof(q)), value_quote(arg, qarg, sizeof(qarg)));
		return;
	}
	if (loader_card(l, serial, &pf->card) < 0) {
		set_error(l, -ENOMEM);
		return;
	}
	seen = &l->cards[pf->card].header;
	if (seen->file == pf->file)
		loader_add_error(l, pf->file, pf->lineno,
			  "[card %" PRIu64 "]: section repeated, first at line %u (expected each card once per file)",
			  serial, seen->line);
	else
		*seen = (struct origin){ .file = pf->file, .line = pf->lineno };
	pf->ctx = CTX_CARD;
	return;

unknown:
	loader_add_error(l, pf->file, pf->lineno,
		  "[%s]: unknown section (expected poll, thresholds, alerts, paths, metrics, access, dumps, simulator, kernel or card SERIAL)",
		  value_quote(raw, q, sizeof(q)));
}

static void assign(struct parse_file *pf, const char *name, const char *value)
{
	struct loader *l = pf->l;
	char title[64], keylist[512], why[512], q[128];
	const struct key *k = NULL;
	struct origin *origin = NULL;
	union value v = { 0 };
	void *base = NULL;
	size_t idx = 0, offset = 0;
	int r;

	switch (pf->ctx) {
	case CTX_IGNORE:
		return;
	case CTX_NONE:
		loader_add_error(l, pf->file, pf->lineno,
			  "%s: key outside of any section (expected a [section] line first)",
			  value_quote(name, q, sizeof(q)));
		return;
	case CTX_SECTION:
		snprintf(title, sizeof(title), "[%s]", config_section_names[pf->section]);
		k = config_key_find(pf->section, name, &idx);
		if (k) {
			origin = &l->key[idx];
			base = l->c;
			offset = k->offset;
		}
		break;
	case CTX_CARD:
	default:
		snprintf(title, sizeof(title), "[card %" PRIu64 "]", l->c->cards[pf->card].serial);
		k = config_key_find_card(name, &idx);
		if (k) {
			origin = &l->cards[pf->card].key[idx];
			base = &l->c->cards[pf->card];
			offset = k->card_offset;
		}
		break;
	}
	if (!k) {
		config_keys_list(pf->ctx == CTX_CARD, pf->section, keylist, sizeof(keylist));
		loader_add_error(l, pf->file, pf->lineno, "%s %s: unknown key (expected one of %s)", title,
			  value_quote(name, q, sizeof(q)), keylist);
		return;
	}

	if (origin->file == pf->file) {
		loader_add_error(l, pf->file, pf->lineno, "%s %s: duplicate key, first set at line %u",
			  title, k->name, origin->line);
		return;
	}
	*origin = (struct origin){ .file = pf->file, .line = pf->lineno };

	r = config_key_parse(k, value, &v, why, sizeof(why));
	if (r == -ENOMEM) {
		set_error(l, r);
		return;
	}
	if (r < 0) {
		origin->rejected = true;
		loader_add_error(l, pf->file, pf->lineno, "%s %s: %s", title, k->name, why);
		return;
	}
	config_key_store(k, base, offset, &v);
	if (pf->ctx == CTX_CARD)
		l->c->cards[pf->card].set_mask |= k->card_bit;
}

static int add_path(struct loader *l, const char *path, unsigned int *ret)
{
	char **paths, *copy;

	if (l->npaths >= UINT_MAX - 1)
		return -E2BIG;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	paths = reallocarray(l->paths, l->npaths + 1, sizeof(*paths));
	if (!paths) {
		free(copy);
		return -ENOMEM;
	}
	l->paths = paths;
	paths[l->npaths++] = copy;
	*ret = (unsigned int)l->npaths;
	return 0;
}

/* Read one open file; problems go to l. */
static void load_stream(struct loader *l, FILE *f, const char *path)
{
	struct parse_file pf = { .l = l, .ctx = CTX_NONE };
	struct config_lexer lx;
	struct config_token t;
	int r;

	r = add_path(l, path, &pf.file);
	if (r < 0) {
		set_error(l, r);
		return;
	}
	config_lexer_init(&lx, f);
	/* Every problem is worth knowing, not only the first. */
	while ((r = config_lexer_next(&lx, &t)) > 0 && l->error != -ENOMEM) {
		pf.lineno = t.line;
		switch (t.kind) {
		case CONFIG_TOKEN_SECTION:
			enter_section(&pf, t.name, t.raw);
			break;
		case CONFIG_TOKEN_PAIR:
			assign(&pf, t.key, t.value);
			break;
		case CONFIG_TOKEN_ERROR:
			loader_add_error(l, pf.file, t.line, "%s", t.message);
			/* A broken header: its keys must not land in the section before it. */
			if (t.header)
				pf.ctx = CTX_IGNORE;
			break;
		}
	}
	config_lexer_done(&lx);
	if (r < 0) {
		loader_add_error(l, pf.file, 0, "cannot read: %s", strerror(-r));
		set_error(l, r);
	}
}

static void load_path(struct loader *l, const char *path, bool missing_ok)
{
	unsigned int file;
	FILE *f;
	int r;

	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		if (r == -ENOENT && missing_ok)
			return;
		if (add_path(l, path, &file) < 0) {
			set_error(l, -ENOMEM);
			return;
		}
		loader_add_error(l, file, 0, "cannot open: %s", strerror(-r));
		set_error(l, r);
		return;
	}
	load_stream(l, f, path);
	fclose(f);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dropin_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > strlen(".conf") && streq(name + n - strlen(".conf"), ".conf");
}

static void load_dropins(struct loader *l, const char *dir)
{
	char **names = NULL, **grown, *path;
	size_t n = 0;
	struct dirent *de;
	unsigned int file;
	struct stat st;
	DIR *d;
	FILE *f;
	int fd, r;

	d = opendir(dir);
	if (!d) {
		r = -errno;
		if (r == -ENOENT)
			return;
		goto fail_dir;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			r = errno ? -errno : 0;
			break;
		}
		if (!is_dropin_name(de->d_name))
			continue;
		grown = reallocarray(names, n + 1, sizeof(*names));
		if (!grown || !(grown[n] = strdup(de->d_name))) {
			names = grown ? grown : names;
			r = -ENOMEM;
			break;
		}
		names = grown;
		n++;
	}
	if (r < 0)
		goto fail_dir;
	/* qsort() wants a pointer even for nothing to sort. */
	if (n)
		qsort(names, n, sizeof(*names), compare_names);

	for (size_t i = 0; i < n; i++) {
		if (asprintf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
			     names[i]) < 0) {
			set_error(l, -ENOMEM);
			break;
		}
		/* O_NONBLOCK: a FIFO named x.conf must not hang the daemon. */
		fd = openat(dirfd(d), names[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			r = -errno;
			/* Gone since readdir, or a dangling symlink: nothing to read. */
			if (r != -ENOENT && add_path(l, path, &file) == 0) {
				loader_add_error(l, file, 0, "cannot open: %s", strerror(-r));
				set_error(l, r);
			}
			free(path);
			continue;
		}
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			free(path);
			continue;
		}
		f = fdopen(fd, "r");
		if (!f) {
			close(fd);
			free(path);
			set_error(l, -ENOMEM);
			break;
		}
		load_stream(l, f, path);
		fclose(f);
		free(path);
	}
	goto out;

fail_dir:
	if (add_path(l, dir, &file) == 0)
		loader_add_error(l, file, 0, "cannot read drop-in directory: %s", strerror(-r));
	set_error(l, r);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
}
int config_load(const char *path, bool missing_ok, const char *dropin_dir, struct config **ret,
		struct config_errors *errors)
{
	struct config_errors local = { 0 };
	struct loader l = { .errors = errors ? errors : &local };
	size_t shown;
	int r;

	r = config_new_default(&l.c);
	if (r < 0)
		return r;

	if (path)
		load_path(&l, path, missing_ok);
	if (dropin_dir && *dropin_dir && l.error != -ENOMEM)
		load_dropins(&l, dropin_dir);
	/* Values that were refused are skipped there, so this adds no noise. */
	if (!l.error)
		config_check_relations(&l);

	if (l.nerrors > ERRORS_SHOWN_MAX) {
		shown = l.nerrors;
		l.nerrors = 0; /* so that this one is kept */
		loader_add_error(&l, (unsigned int)l.npaths, 0, "%zu more problems not shown",
				 shown - ERRORS_SHOWN_MAX);
		l.nerrors = shown;
	}
	l.errors->found += l.nerrors;

	r = l.error ? l.error : l.nerrors ? -EINVAL : 0;
	if (r == 0) {
		*ret = l.c;
		l.c = NULL;
	}

	config_free(l.c);
	for (size_t i = 0; i < l.npaths; i++)
		free(l.paths[i]);
	free(l.paths);
	free(l.cards);
	free(l.card_slots);
	config_errors_clear(&local);
	return r;
}

bool config_listen_valid(const char *v)
{
	return value_check_listen(v);
}
