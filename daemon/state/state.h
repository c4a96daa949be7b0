/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's persistent state, under the state directory:
 *
 *   names.json            serial -> stable card name (ocxlpmem0, ...)
 *   cards/SERIAL.json     one record per card serial
 *
 * Every file is JSON with {"format": "ocxlpmemd-...", "version": N} and is
 * written crash-safely (temp file, fsync, rename, fsync of the directory),
 * so a reader sees the old or the new file, never a mix.  A file that does
 * not parse, has a newer version than this build knows, or is larger than
 * any we write, is renamed aside to NAME.corrupt-<unix time> (or
 * NAME.future-, NAME.too-large-) and reported; the daemon carries on with a
 * fresh record and never crashes on it.  A file that cannot be read (an
 * I/O error, no permission, a symlink) is left alone: see card-record.c.
 * doc/state-format.md (and ocxlpmemd(8), FILES) describes the format.
 */
#ifndef OCXLPMEMD_STATE_H
#define OCXLPMEMD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 2: "seen" holds entry keys, not ids (doc/state-format.md). */
#define STATE_CARD_VERSION 2
#define STATE_NAMES_VERSION 1

/* Bounds: the newest entries win. */
#define STATE_SEEN_IDS_MAX 4096
#define STATE_HISTORY_MAX 256
#define STATE_ALERTS_MAX 64

/*
 * What tells one error-log entry from another.  The id alone does not: a
 * card that loses its volatile state (a power cycle) hands out its ids
 * again.  An entry read twice (the daemon died before acknowledging it)
 * comes back with the same card times; a new entry under an old id has
 * other ones (ocxlpmem-abi(7), DECISIONS).
 */
struct errlog_key {
	uint32_t id;
	uint32_t power_on_seconds;
	uint64_t timestamp_ns;
};

/* One error-log entry as the daemon stored it. */
struct errlog_record {
	uint32_t id;
	uint8_t type;
	uint32_t action_flags;
	uint32_t program_reference_code;
	uint32_t power_on_seconds;
	uint64_t timestamp_ns;     /* card's, since IPL */
	uint64_t wwid[2];
	char fw_revision[9];
	uint64_t received_us;      /* CLOCK_REALTIME when the daemon read it */
	uint16_t data_size;
	uint16_t data_needed;
	uint8_t *data;             /* data_size bytes (hex in the file), may be NULL */
	bool alerted;              /* false: stored, alert not yet confirmed sent */
};

/* The latched state of one alert condition of a card. */
struct alert_record {
	char key[48];              /* e.g. "temperature-critical" */
	bool active;
	uint64_t since_us;         /* CLOCK_REALTIME of the transition */
	uint64_t last_sent_us;
	unsigned int reminders;    /* reminders sent since the transition */
	uint8_t level;             /* enum card_health of the condition (2..6) */
	char detail[160];          /* the values that tripped it */
};

struct card_state {
	uint64_t serial;
	char name[32];
	/* Keys of every entry stored (history may be shorter); oldest first. */
	struct errlog_key *seen;
	size_t nseen;
	struct errlog_record *history; /* oldest first */
	size_t nhistory;
	struct alert_record *alerts;
	size_t nalerts;
	uint64_t errlog_total[5];  /* entries ever seen, by type */
};

/* A fresh record for serial with no history. */
int card_state_new(uint64_t serial, const char *name, struct card_state **ret);
struct card_state *card_state_free(struct card_state *s);

/* The key of a stored entry. */
struct errlog_key errlog_record_key(const struct errlog_record *rec);
bool card_state_seen(const struct card_state *s, const struct errlog_key *key);
/* Append to history and the seen set (copies data); evicts the oldest. */
int card_state_add_errlog(struct card_state *s, const struct errlog_record *rec);
/* The history record with this key, or NULL. */
struct errlog_record *card_state_find_errlog(struct card_state *s, const struct errlog_key *key);
/* The alert record for key, created inactive if missing (NULL: -ENOMEM or full). */
struct alert_record *card_state_alert(struct card_state *s, const char *key);

/*
 * Load cards/SERIAL.json from the state directory (dirfd).  Returns 0 with
 * *ret set; -ENOENT when there is none; -EBADMSG / -EPROTONOSUPPORT /
 * -EFBIG when it was corrupt / from the future / too large (never read)
 * and has been set aside (ret_setaside gets the new name when not NULL,
 * caller frees).  Any other -errno: it could not be read and is still
 * there, untouched.
 */
int card_state_load(int dirfd, uint64_t serial, struct card_state **ret, char **ret_setaside);
/* For the log: why a load set the file aside ("corrupt", "too large
 * (over 16 MiB), not read", ...), or NULL when it did not. */
const char *state_set_aside_text(int load_result);
/* Write cards/SERIAL.json crash-safely (creates cards/). */
int card_state_save(int dirfd, const struct card_state *s);
/* Does cards/SERIAL.json exist (as anything: an unreadable record is a
 * record)?  1 yes, 0 no, or -errno when that cannot be told. */
int card_state_exists(int dirfd, uint64_t serial);
/*
 * Remove cards/SERIAL.json and fsync cards/, so that the removal is
 * durable when this returns 0.  -ENOENT: there was none.  Any other
 * -errno: the unlink failed (the record is still there), or only the
 * fsync did (it is gone but maybe not durably: save it again to be sure).
 */
int card_state_remove(int dirfd, uint64_t serial);
/* Parse a card state document from memory (the loader and the fuzzer). */
int card_state_parse(const char *text, size_t len, struct card_state **ret);
/* Serialise (the saver and the tests); caller frees. */
char *card_state_format(const struct card_state *s);

/* Stable names: ocxlpmemN assigned per serial, never reused. */
struct name_registry;

/* An empty registry (no names.json yet, or it was set aside). */
int names_new(struct name_registry **ret);
/* names.json; returns as card_state_load() does (-ENOENT: none yet). */
int names_load(int dirfd, struct name_registry **ret, char **ret_setaside);
int names_save(int dirfd, const struct name_registry *r);
struct name_registry *names_free(struct name_registry *r);
/* The name of serial, assigning the lowest free ocxlpmemN when new
 * (*ret_new tells); NULL on -ENOMEM. */
const char *names_assign(struct name_registry *r, uint64_t serial, bool *ret_new);
/* serial of a name, or 0. */
uint64_t names_lookup(const struct name_registry *r, const char *name);
/* The name of serial, or NULL when it has none. */
const char *names_find(const struct name_registry *r, uint64_t serial);
/* The registry in index order: entries 0 .. names_count() - 1. */
size_t names_count(const struct name_registry *r);
void names_get(const struct name_registry *r, size_t i, uint64_t *ret_serial,
	       const char **ret_name);
/*
 * Drop serial's entry (ocxlpmemctl forget): 0, or -ENOENT when it has
 * none.  Its index stays below "next", so the name is retired, never given
 * again; the serial, should it come back, is a new card with a new name.
 * Pointers to the dropped name are invalid after this.
 */
int names_forget(struct name_registry *r, uint64_t serial);
int names_parse(const char *text, size_t len, struct name_registry **ret);

/*
 * Write len bytes to dirfd/path crash-safely: path.tmp-XXXXXX, fsync,
 * rename over path, fsync the directory.  On any failure nothing at path
 * changes and the temp file is removed.  0 or -errno.
 */
int atomic_write_file(int dirfd, const char *path, const void *buf, size_t len, unsigned int mode);

#endif /* OCXLPMEMD_STATE_H */
