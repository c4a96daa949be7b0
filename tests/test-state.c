// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The card record and the name registry: parsing as tables of documents
 * (each row one cmocka test), then the in-memory operations, bounds and
 * round trips.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "state/state.h"
#include "state/state-private.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- card documents, built from fields so each row changes one ---------- */

#define F_FORMAT "\"format\": \"ocxlpmemd-card-state\", "
#define F_VERSION "\"version\": 1, "
#define F_SERIAL "\"serial\": \"42\", "
#define F_NAME "\"name\": \"ocxlpmem3\", "
#define F_TOTALS "\"errlog_total\": [\"1\", \"0\", \"0\", \"0\", \"18446744073709551615\"], "
#define F_SEEN "\"seen_ids\": [5, 7, 4294967295], "
#define F_ALERTS "\"alerts\": [" GOOD_ALERT ", " ALERT_2 "], "
/* Every document ends with a field no version knows: it must be ignored. */
#define CARD(format, version, serial, name, totals, seen, history, alerts) \
	"{" format version serial name totals seen history alerts "\"comment\": {\"x\": [true]}}"

#define R_ID "\"id\": 7, "
#define R_TYPE "\"type\": 4, "
#define R_ACTION "\"action_flags\": 4294967295, "
#define R_PRC "\"program_reference_code\": 305419896, "
#define R_POS "\"power_on_seconds\": 3600, "
#define R_TS "\"timestamp_ns\": \"18446744073709551615\", "
#define R_WWID "\"wwid\": [\"1\", \"2\"], "
#define R_FW "\"fw_revision\": \"01.02.03\", "
#define R_RECV "\"received_us\": \"1700000000000000\", "
#define R_NEEDED "\"data_needed\": 6, "
#define R_DATA "\"data\": \"deadBEEF\", "
#define R_ALERTED "\"alerted\": true, "
#define REC(id, type, action, prc, pos, ts, wwid, fw, recv, needed, data, alerted) \
	"{" id type action prc pos ts wwid fw recv needed data alerted "\"later\": 1}"
#define GOOD_REC \
	REC(R_ID, R_TYPE, R_ACTION, R_PRC, R_POS, R_TS, R_WWID, R_FW, R_RECV, R_NEEDED, R_DATA, \
	    R_ALERTED)
#define REC_5                                                                                 \
	"{\"id\": 5, \"type\": 0, \"action_flags\": 0, \"program_reference_code\": 0, "       \
	"\"power_on_seconds\": 0, \"timestamp_ns\": \"0\", \"wwid\": [\"0\", \"0\"], "        \
	"\"fw_revision\": \"\", \"received_us\": \"0\", \"data_needed\": 0, \"data\": \"\", " \
	"\"alerted\": false}"
#define F_HISTORY "\"history\": [" REC_5 ", " GOOD_REC "], "

#define A_KEY "\"key\": \"temperature-critical\", "
#define A_ACTIVE "\"active\": true, "
#define A_SINCE "\"since_us\": \"1700000000000001\", "
#define A_LAST "\"last_sent_us\": \"1700000000000002\", "
#define A_REM "\"reminders\": 4294967295, "
#define A_DETAIL "\"detail\": \"92 C >= 85 C \\/ \\u00e9\", "
#define ALERT(key, active, since, last, rem, detail) \
	"{" key active since last rem detail "\"x\": null}"
#define GOOD_ALERT ALERT(A_KEY, A_ACTIVE, A_SINCE, A_LAST, A_REM, A_DETAIL)
#define ALERT_2 ALERT("\"key\": \"life\", ", "\"active\": false, ", "\"since_us\": \"0\", ", \
		      "\"last_sent_us\": \"0\", ", "\"reminders\": 0, ", "\"detail\": \"\", ")

#define GOOD_CARD CARD(F_FORMAT, F_VERSION, F_SERIAL, F_NAME, F_TOTALS, F_SEEN, F_HISTORY, F_ALERTS)
/* The good card with one history entry (id 7) replaced. */
#define CARD_REC(rec) \
	CARD(F_FORMAT, F_VERSION, F_SERIAL, F_NAME, F_TOTALS, F_SEEN, "\"history\": [" rec "], ", \
	     F_ALERTS)
#define CARD_ALERT(alert) \
	CARD(F_FORMAT, F_VERSION, F_SERIAL, F_NAME, F_TOTALS, F_SEEN, F_HISTORY, \
	     "\"alerts\": [" alert "], ")
#define REC_FIELD(field, value) REC_WITH_##field(value)
#define REC_WITH_ID(v) REC(v, R_TYPE, R_ACTION, R_PRC, R_POS, R_TS, R_WWID, R_FW, R_RECV, R_NEEDED, R_DATA, R_ALERTED)
#define REC_WITH_TYPE(v) REC(R_ID, v, R_ACTION, R_PRC, R_POS, R_TS, R_WWID, R_FW, R_RECV, R_NEEDED, R_DATA, R_ALERTED)
#define REC_WITH_ACTION(v) REC(R_ID, R_TYPE, v, R_PRC, R_POS, R_TS, R_WWID, R_FW, R_RECV, R_NEEDED, R_DATA, R_ALERTED)
#define REC_WITH_PRC(v) REC(R_ID, R_TYPE, R_ACTION, v, R_POS, R_TS, R_WWID, R_FW, R_RECV, R_NEEDED, R_DATA, R_ALERTED)
#define REC_WITH_POS(v) REC(R_ID, R_TYPE, R_ACTION, R_PRC, v, R_TS, R_WWID, R_FW, R_RECV, R_NEEDED, R_DATA, R_ALERTED)
#define REC_WITH_TS(v) REC(R_ID, R_TYPE, R_ACTION, R_PRC, R_POS, v, R_WWID, R_FW, R_RECV, R_NEEDED, R_DATA, R_ALERTED)
#define REC_WITH_WWID(v) REC(R_ID, R_TYPE, R_ACTION, R_PRC, R_POS, R_TS, v, R_FW, R_RECV, R_NEEDED, R_DATA, R_ALERTED)
#define REC_WITH_FW(v) REC(R_ID, R_TYPE, R_ACTION, R_PRC, R_POS, R_TS, R_WWID, v, R_RECV, R_NEEDED, R_DATA, R_ALERTED)
#define REC_WITH_RECV(v) REC(R_ID, R_TYPE, R_ACTION, R_PRC, R_POS, R_TS, R_WWID, R_FW, v, R_NEEDED, R_DATA, R_ALERTED)
#define REC_WITH_NEEDED(v) REC(R_ID, R_TYPE, R_ACTION, R_PRC, R_POS, R_TS, R_WWID, R_FW, R_RECV, v, R_DATA, R_ALERTED)
#define REC_WITH_DATA(v) REC(R_ID, R_TYPE, R_ACTION, R_PRC, R_POS, R_TS, R_WWID, R_FW, R_RECV, R_NEEDED, v, R_ALERTED)
#define REC_WITH_ALERTED(v) REC(R_ID, R_TYPE, R_ACTION, R_PRC, R_POS, R_TS, R_WWID, R_FW, R_RECV, R_NEEDED, R_DATA, v)
#define BAD_REC(field, value) CARD_REC(REC_FIELD(field, value))
#define ALERT_WITH_KEY(v) ALERT(v, A_ACTIVE, A_SINCE, A_LAST, A_REM, A_DETAIL)
#define ALERT_WITH_ACTIVE(v) ALERT(A_KEY, v, A_SINCE, A_LAST, A_REM, A_DETAIL)
#define ALERT_WITH_SINCE(v) ALERT(A_KEY, A_ACTIVE, v, A_LAST, A_REM, A_DETAIL)
#define ALERT_WITH_LAST(v) ALERT(A_KEY, A_ACTIVE, A_SINCE, v, A_REM, A_DETAIL)
#define ALERT_WITH_REM(v) ALERT(A_KEY, A_ACTIVE, A_SINCE, A_LAST, v, A_DETAIL)
#define ALERT_WITH_DETAIL(v) ALERT(A_KEY, A_ACTIVE, A_SINCE, A_LAST, A_REM, v)
#define BAD_ALERT(field, value) CARD_ALERT(ALERT_WITH_##field(value))
#define CARD_WITH(field, value) CARD_WITH_##field(value)
#define CARD_WITH_FORMAT(v) CARD(v, F_VERSION, F_SERIAL, F_NAME, F_TOTALS, F_SEEN, F_HISTORY, F_ALERTS)
#define CARD_WITH_VERSION(v) CARD(F_FORMAT, v, F_SERIAL, F_NAME, F_TOTALS, F_SEEN, F_HISTORY, F_ALERTS)
#define CARD_WITH_SERIAL(v) CARD(F_FORMAT, F_VERSION, v, F_NAME, F_TOTALS, F_SEEN, F_HISTORY, F_ALERTS)
#define CARD_WITH_NAME(v) CARD(F_FORMAT, F_VERSION, F_SERIAL, v, F_TOTALS, F_SEEN, F_HISTORY, F_ALERTS)
#define CARD_WITH_TOTALS(v) CARD(F_FORMAT, F_VERSION, F_SERIAL, F_NAME, v, F_SEEN, F_HISTORY, F_ALERTS)
#define CARD_WITH_SEEN(v) CARD(F_FORMAT, F_VERSION, F_SERIAL, F_NAME, F_TOTALS, v, F_HISTORY, F_ALERTS)
#define CARD_WITH_HISTORY(v) CARD(F_FORMAT, F_VERSION, F_SERIAL, F_NAME, F_TOTALS, F_SEEN, v, F_ALERTS)
#define CARD_WITH_ALERTS(v) CARD(F_FORMAT, F_VERSION, F_SERIAL, F_NAME, F_TOTALS, F_SEEN, F_HISTORY, v)

/* Version 2: "seen" lists entry keys (the table above is version 1). */
#define F_VERSION2 "\"version\": 2, "
#define K_5 "{\"id\": 5, \"power_on_seconds\": 0, \"timestamp_ns\": \"0\"}"
#define K_7 "{\"id\": 7, \"power_on_seconds\": 3600, \"timestamp_ns\": \"18446744073709551615\"}"
#define K_MAX "{\"id\": 4294967295, \"power_on_seconds\": 1, \"timestamp_ns\": \"2\", \"x\": 0}"
#define F_SEEN2 "\"seen\": [" K_5 ", " K_7 ", " K_MAX "], "
#define CARD2(seen, history) \
	CARD(F_FORMAT, F_VERSION2, F_SERIAL, F_NAME, F_TOTALS, seen, history, F_ALERTS)
#define SEEN2(keys) CARD2("\"seen\": [" keys "], ", F_HISTORY)
#define GOOD_CARD2 CARD2(F_SEEN2, F_HISTORY)
#define V2_WITH_VERSION1 CARD(F_FORMAT, F_VERSION, F_SERIAL, F_NAME, F_TOTALS, F_SEEN2, F_HISTORY, F_ALERTS)
#define REC_7_AGAIN \
	REC(R_ID, R_TYPE, R_ACTION, R_PRC, "\"power_on_seconds\": 10, ", "\"timestamp_ns\": \"5\", ", \
	    R_WWID, R_FW, R_RECV, R_NEEDED, R_DATA, R_ALERTED)
#define K_7_AGAIN "{\"id\": 7, \"power_on_seconds\": 10, \"timestamp_ns\": \"5\"}"

/* 4096 bytes of data as hex: the most an entry carries. */
#define HEX16 "000102030405060708090a0b0c0d0e0f"
#define HEX64 HEX16 HEX16 HEX16 HEX16
#define HEX256 HEX64 HEX64 HEX64 HEX64
#define HEX1K HEX256 HEX256 HEX256 HEX256
#define HEX4K HEX1K HEX1K HEX1K HEX1K
/* 47 and 48 characters; 159 and 160. */
#define KEY47 "k2345678901234567890123456789012345678901234567"
#define KEY48 KEY47 "7"
#define DEC10 "0123456789"
#define DETAIL159 DEC10 DEC10 DEC10 DEC10 DEC10 DEC10 DEC10 DEC10 DEC10 DEC10 DEC10 DEC10 DEC10 \
	DEC10 DEC10 "012345678"
#define DETAIL160 DETAIL159 "x"

struct card_row {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
	int want;
	void (*check)(const struct card_state *s);
};

#define KEY(i, p, t) (&(struct errlog_key){ .id = (i), .power_on_seconds = (p), .timestamp_ns = (t) })

/*
 * A version 1 file lists ids: the history's entries become the seen keys
 * and an id without its entry (4294967295) is dropped, as a version 2
 * file written from it says.
 */
static void check_good_seen(const struct card_state *s)
{
	assert_int_equal(s->nseen, 2);
	assert_int_equal(s->seen[0].id, 5);
	assert_int_equal(s->seen[1].id, 7);
	assert_true(card_state_seen(s, KEY(5, 0, 0)));
	assert_true(card_state_seen(s, KEY(7, 3600, UINT64_MAX)));
	/* The same id at another card time is another entry. */
	assert_false(card_state_seen(s, KEY(7, 3600, 0)));
	assert_false(card_state_seen(s, KEY(7, 3601, UINT64_MAX)));
	assert_false(card_state_seen(s, KEY(UINT32_MAX, 0, 0)));
	assert_false(card_state_seen(s, KEY(6, 0, 0)));
	assert_false(card_state_seen(s, KEY(0, 0, 0)));
}

/* Version 2: the keys as listed, one without its entry too. */
static void check_good_v2(const struct card_state *s)
{
	assert_int_equal(s->nseen, 3);
	assert_int_equal(s->nhistory, 2);
	assert_true(card_state_seen(s, KEY(5, 0, 0)));
	assert_true(card_state_seen(s, KEY(7, 3600, UINT64_MAX)));
	assert_true(card_state_seen(s, KEY(UINT32_MAX, 1, 2)));
	assert_false(card_state_seen(s, KEY(7, 3600, 0)));
	assert_non_null(card_state_find_errlog((struct card_state *)s, KEY(7, 3600, UINT64_MAX)));
	assert_null(card_state_find_errlog((struct card_state *)s, KEY(UINT32_MAX, 1, 2)));
}

/* One id twice, at two card times: two entries. */
static void check_reused_id(const struct card_state *s)
{
	assert_int_equal(s->nseen, 2);
	assert_int_equal(s->nhistory, 2);
	assert_int_equal(s->history[0].id, 7);
	assert_int_equal(s->history[1].id, 7);
	assert_ptr_equal(card_state_find_errlog((struct card_state *)s, KEY(7, 3600, UINT64_MAX)),
			 &s->history[0]);
	assert_ptr_equal(card_state_find_errlog((struct card_state *)s, KEY(7, 10, 5)),
			 &s->history[1]);
}

static void check_good(const struct card_state *s)
{
	const struct errlog_record *h;
	const struct alert_record *a;
	static const uint8_t data[] = { 0xde, 0xad, 0xbe, 0xef };

	assert_int_equal(s->serial, 42);
	assert_string_equal(s->name, "ocxlpmem3");
	assert_int_equal(s->errlog_total[0], 1);
	assert_int_equal(s->errlog_total[1], 0);
	assert_true(s->errlog_total[4] == UINT64_MAX);
	check_good_seen(s);

	assert_int_equal(s->nhistory, 2);
	h = &s->history[0];
	assert_int_equal(h->id, 5);
	assert_null(h->data);
	assert_int_equal(h->data_size, 0);
	assert_false(h->alerted);
	assert_string_equal(h->fw_revision, "");
	h = &s->history[1];
	assert_int_equal(h->id, 7);
	assert_int_equal(h->type, 4);
	assert_int_equal(h->action_flags, UINT32_MAX);
	assert_int_equal(h->program_reference_code, 0x12345678);
	assert_int_equal(h->power_on_seconds, 3600);
	assert_true(h->timestamp_ns == UINT64_MAX);
	assert_int_equal(h->wwid[0], 1);
	assert_int_equal(h->wwid[1], 2);
	assert_string_equal(h->fw_revision, "01.02.03");
	assert_true(h->received_us == UINT64_C(1700000000000000));
	assert_int_equal(h->data_size, 4);
	assert_int_equal(h->data_needed, 6);
	assert_memory_equal(h->data, data, sizeof(data));
	assert_true(h->alerted);

	assert_int_equal(s->nalerts, 2);
	a = &s->alerts[0];
	assert_string_equal(a->key, "temperature-critical");
	assert_true(a->active);
	assert_true(a->since_us == UINT64_C(1700000000000001));
	assert_true(a->last_sent_us == UINT64_C(1700000000000002));
	assert_int_equal(a->reminders, UINT32_MAX);
	assert_string_equal(a->detail, "92 C >= 85 C / \xc3\xa9");
	assert_string_equal(s->alerts[1].key, "life");
	assert_false(s->alerts[1].active);
}

static void check_empty(const struct card_state *s)
{
	assert_int_equal(s->serial, 0);
	assert_string_equal(s->name, "ocxlpmem0");
	assert_int_equal(s->nseen, 0);
	assert_int_equal(s->nhistory, 0);
	assert_int_equal(s->nalerts, 0);
	assert_false(card_state_seen(s, KEY(0, 0, 0)));
	assert_false(card_state_seen(s, KEY(UINT32_MAX, 0, 0)));
}

static void check_max_serial(const struct card_state *s)
{
	assert_true(s->serial == UINT64_MAX);
}

static void check_big_data(const struct card_state *s)
{
	assert_int_equal(s->nhistory, 1);
	assert_int_equal(s->history[0].data_size, 4096);
	assert_int_equal(s->history[0].data[0], 0x00);
	assert_int_equal(s->history[0].data[4095], 0x0f);
}

static void check_no_alerts(const struct card_state *s)
{
	assert_int_equal(s->nalerts, 0);
	assert_null(card_state_find_errlog((struct card_state *)s, KEY(6, 0, 0)));
}

static const struct card_row card_rows[] = {
	{ "good", GOOD_CARD, 0, 0, check_good },
	{ "good, surrounded by whitespace", "\n\t " GOOD_CARD " \r\n", 0, 0, check_good },
	{ "good, fields in another order",
	  "{\"alerts\": [], \"history\": [], \"seen_ids\": [], \"errlog_total\": [\"0\", \"0\", "
	  "\"0\", \"0\", \"0\"], \"name\": \"ocxlpmem0\", \"serial\": \"0\", \"version\": 1, "
	  "\"format\": \"ocxlpmemd-card-state\"}",
	  0, 0, check_empty },
	{ "good, largest serial", CARD_WITH(SERIAL, "\"serial\": \"18446744073709551615\", "), 0, 0,
	  check_max_serial },
	{ "entry data_needed below 4096 bytes of data", BAD_REC(DATA, "\"data\": \"" HEX4K "\", "),
	  0, -EBADMSG },
	{ "good, 4096 bytes of data",
	  CARD_REC(REC(R_ID, R_TYPE, R_ACTION, R_PRC, R_POS, R_TS, R_WWID, R_FW, R_RECV,
		       "\"data_needed\": 4096, ", "\"data\": \"" HEX4K "\", ", R_ALERTED)),
	  0, 0, check_big_data },
	{ "good, no alerts", CARD_WITH(ALERTS, "\"alerts\": [], "), 0, 0, check_no_alerts },
	{ "good, 47-character key", BAD_ALERT(KEY, "\"key\": \"" KEY47 "\", "), 0, 0, NULL },
	{ "good, 159-character detail", BAD_ALERT(DETAIL, "\"detail\": \"" DETAIL159 "\", "), 0, 0,
	  NULL },
	{ "good, largest name", CARD_WITH(NAME, "\"name\": \"ocxlpmem4294967294\", "), 0, 0, NULL },

	{ "empty input", "", 0, -EBADMSG },
	{ "not JSON", "ocxlpmemd", 0, -EBADMSG },
	{ "truncated", "{\"format\": \"ocxlpmemd-card-state\", \"version\": 1", 0, -EBADMSG },
	{ "null", "null", 0, -EBADMSG },
	{ "array", "[" GOOD_CARD "]", 0, -EBADMSG },
	{ "string", "\"ocxlpmemd-card-state\"", 0, -EBADMSG },
	{ "trailing garbage", GOOD_CARD " x", 0, -EBADMSG },
	{ "two documents", GOOD_CARD GOOD_CARD, 0, -EBADMSG },
	{ "NUL inside", GOOD_CARD "\0 ", sizeof(GOOD_CARD) + 1, -EBADMSG },

	{ "format missing", CARD_WITH(FORMAT, ""), 0, -EBADMSG },
	{ "format of names.json", CARD_WITH(FORMAT, "\"format\": \"ocxlpmemd-names\", "), 0, -EBADMSG },
	{ "format a prefix", CARD_WITH(FORMAT, "\"format\": \"ocxlpmemd-card\", "), 0, -EBADMSG },
	{ "format not a string", CARD_WITH(FORMAT, "\"format\": 1, "), 0, -EBADMSG },
	{ "format with NUL", CARD_WITH(FORMAT, "\"format\": \"ocxlpmemd-card-state\\u0000\", "), 0,
	  -EBADMSG },
	{ "version missing", CARD_WITH(VERSION, ""), 0, -EBADMSG },
	{ "version 0", CARD_WITH(VERSION, "\"version\": 0, "), 0, -EBADMSG },
	{ "version negative", CARD_WITH(VERSION, "\"version\": -1, "), 0, -EBADMSG },
	{ "version a string", CARD_WITH(VERSION, "\"version\": \"1\", "), 0, -EBADMSG },
	{ "version a double", CARD_WITH(VERSION, "\"version\": 1.0, "), 0, -EBADMSG },
	{ "version null", CARD_WITH(VERSION, "\"version\": null, "), 0, -EBADMSG },
	{ "version from the future", CARD_WITH(VERSION, "\"version\": 3, "), 0, -EPROTONOSUPPORT },
	{ "version 1 with seen (a version 2 field)", V2_WITH_VERSION1, 0, -EBADMSG },
	{ "future version, the rest not looked at",
	  "{\"format\": \"ocxlpmemd-card-state\", \"version\": 7, \"serial\": 42}", 0,
	  -EPROTONOSUPPORT },
	{ "future version, beyond 64 bits", CARD_WITH(VERSION, "\"version\": 99999999999999999999, "),
	  0, -EPROTONOSUPPORT },

	{ "serial missing", CARD_WITH(SERIAL, ""), 0, -EBADMSG },
	{ "serial a number", CARD_WITH(SERIAL, "\"serial\": 42, "), 0, -EBADMSG },
	{ "serial empty", CARD_WITH(SERIAL, "\"serial\": \"\", "), 0, -EBADMSG },
	{ "serial negative", CARD_WITH(SERIAL, "\"serial\": \"-1\", "), 0, -EBADMSG },
	{ "serial signed", CARD_WITH(SERIAL, "\"serial\": \"+1\", "), 0, -EBADMSG },
	{ "serial leading zero", CARD_WITH(SERIAL, "\"serial\": \"042\", "), 0, -EBADMSG },
	{ "serial hex", CARD_WITH(SERIAL, "\"serial\": \"0x2a\", "), 0, -EBADMSG },
	{ "serial with space", CARD_WITH(SERIAL, "\"serial\": \"42 \", "), 0, -EBADMSG },
	{ "serial beyond 64 bits", CARD_WITH(SERIAL, "\"serial\": \"18446744073709551616\", "), 0,
	  -EBADMSG },
	{ "serial with NUL", CARD_WITH(SERIAL, "\"serial\": \"4\\u00002\", "), 0, -EBADMSG },

	{ "name missing", CARD_WITH(NAME, ""), 0, -EBADMSG },
	{ "name a number", CARD_WITH(NAME, "\"name\": 3, "), 0, -EBADMSG },
	{ "name without number", CARD_WITH(NAME, "\"name\": \"ocxlpmem\", "), 0, -EBADMSG },
	{ "name of another kind", CARD_WITH(NAME, "\"name\": \"nvme0\", "), 0, -EBADMSG },
	{ "name with leading zero", CARD_WITH(NAME, "\"name\": \"ocxlpmem03\", "), 0, -EBADMSG },
	{ "name with suffix", CARD_WITH(NAME, "\"name\": \"ocxlpmem3a\", "), 0, -EBADMSG },
	{ "name index too large", CARD_WITH(NAME, "\"name\": \"ocxlpmem4294967295\", "), 0, -EBADMSG },
	{ "name too long", CARD_WITH(NAME, "\"name\": \"ocxlpmem1111111111111111111111111\", "), 0,
	  -EBADMSG },

	{ "errlog_total missing", CARD_WITH(TOTALS, ""), 0, -EBADMSG },
	{ "errlog_total an object", CARD_WITH(TOTALS, "\"errlog_total\": {}, "), 0, -EBADMSG },
	{ "errlog_total short", CARD_WITH(TOTALS, "\"errlog_total\": [\"0\", \"0\", \"0\", \"0\"], "),
	  0, -EBADMSG },
	{ "errlog_total long",
	  CARD_WITH(TOTALS, "\"errlog_total\": [\"0\", \"0\", \"0\", \"0\", \"0\", \"0\"], "), 0,
	  -EBADMSG },
	{ "errlog_total of numbers", CARD_WITH(TOTALS, "\"errlog_total\": [0, 0, 0, 0, 0], "), 0,
	  -EBADMSG },

	{ "seen_ids missing", CARD_WITH(SEEN, ""), 0, -EBADMSG },
	{ "seen_ids an object", CARD_WITH(SEEN, "\"seen_ids\": {}, "), 0, -EBADMSG },
	{ "seen id a string", CARD_WITH(SEEN, "\"seen_ids\": [5, \"7\"], "), 0, -EBADMSG },
	{ "seen id a double", CARD_WITH(SEEN, "\"seen_ids\": [5, 7.0], "), 0, -EBADMSG },
	{ "seen id negative", CARD_WITH(SEEN, "\"seen_ids\": [-5, 7], "), 0, -EBADMSG },
	{ "seen id beyond 32 bits", CARD_WITH(SEEN, "\"seen_ids\": [5, 7, 4294967296], "), 0,
	  -EBADMSG },
	{ "seen id twice", CARD_WITH(SEEN, "\"seen_ids\": [5, 7, 5], "), 0, -EBADMSG },
	{ "history entry not seen", CARD_WITH(SEEN, "\"seen_ids\": [5], "), 0, -EBADMSG },

	{ "v2 good", GOOD_CARD2, 0, 0, check_good_v2 },
	{ "v2 good, one id at two card times",
	  CARD2("\"seen\": [" K_7 ", " K_7_AGAIN "], ", "\"history\": [" GOOD_REC ", " REC_7_AGAIN "], "),
	  0, 0, check_reused_id },
	{ "v2 good, empty", CARD2("\"seen\": [], ", "\"history\": [], "), 0, 0, NULL },
	{ "v2 seen missing", CARD2("", F_HISTORY), 0, -EBADMSG },
	{ "v2 with seen_ids instead", CARD2(F_SEEN, F_HISTORY), 0, -EBADMSG },
	{ "v2 seen an object", CARD2("\"seen\": {}, ", F_HISTORY), 0, -EBADMSG },
	{ "v2 seen key a number", SEEN2(K_5 ", " K_7 ", 9"), 0, -EBADMSG },
	{ "v2 seen key without id",
	  SEEN2(K_5 ", " K_7 ", {\"power_on_seconds\": 0, \"timestamp_ns\": \"0\"}"), 0, -EBADMSG },
	{ "v2 seen key without power_on_seconds",
	  SEEN2(K_5 ", " K_7 ", {\"id\": 9, \"timestamp_ns\": \"0\"}"), 0, -EBADMSG },
	{ "v2 seen key without timestamp_ns",
	  SEEN2(K_5 ", " K_7 ", {\"id\": 9, \"power_on_seconds\": 0}"), 0, -EBADMSG },
	{ "v2 seen timestamp_ns a number",
	  SEEN2(K_5 ", " K_7 ", {\"id\": 9, \"power_on_seconds\": 0, \"timestamp_ns\": 0}"), 0,
	  -EBADMSG },
	{ "v2 seen id beyond 32 bits",
	  SEEN2(K_5 ", " K_7 ", {\"id\": 4294967296, \"power_on_seconds\": 0, \"timestamp_ns\": \"0\"}"),
	  0, -EBADMSG },
	{ "v2 seen power_on_seconds negative",
	  SEEN2(K_5 ", " K_7 ", {\"id\": 9, \"power_on_seconds\": -1, \"timestamp_ns\": \"0\"}"), 0,
	  -EBADMSG },
	{ "v2 seen key twice", SEEN2(K_5 ", " K_7 ", " K_5), 0, -EBADMSG },
	{ "v2 history entry not seen", SEEN2(K_5), 0, -EBADMSG },
	{ "v2 history entry seen under its id only",
	  SEEN2(K_5 ", {\"id\": 7, \"power_on_seconds\": 3600, \"timestamp_ns\": \"0\"}"), 0,
	  -EBADMSG },
	{ "v2 history out of seen order", SEEN2(K_7 ", " K_5), 0, -EBADMSG },

	{ "history missing", CARD_WITH(HISTORY, ""), 0, -EBADMSG },
	{ "history an object", CARD_WITH(HISTORY, "\"history\": {}, "), 0, -EBADMSG },
	{ "history entry not an object", CARD_WITH(HISTORY, "\"history\": [7], "), 0, -EBADMSG },
	{ "history out of seen order",
	  CARD_WITH(SEEN, "\"seen_ids\": [7, 5, 4294967295], "), 0, -EBADMSG },
	{ "history entry twice", CARD_WITH(HISTORY, "\"history\": [" GOOD_REC ", " GOOD_REC "], "), 0,
	  -EBADMSG },

	{ "entry id missing", BAD_REC(ID, ""), 0, -EBADMSG },
	{ "entry type missing", BAD_REC(TYPE, ""), 0, -EBADMSG },
	{ "entry action_flags missing", BAD_REC(ACTION, ""), 0, -EBADMSG },
	{ "entry program_reference_code missing", BAD_REC(PRC, ""), 0, -EBADMSG },
	{ "entry power_on_seconds missing", BAD_REC(POS, ""), 0, -EBADMSG },
	{ "entry timestamp_ns missing", BAD_REC(TS, ""), 0, -EBADMSG },
	{ "entry wwid missing", BAD_REC(WWID, ""), 0, -EBADMSG },
	{ "entry fw_revision missing", BAD_REC(FW, ""), 0, -EBADMSG },
	{ "entry received_us missing", BAD_REC(RECV, ""), 0, -EBADMSG },
	{ "entry data_needed missing", BAD_REC(NEEDED, ""), 0, -EBADMSG },
	{ "entry data missing", BAD_REC(DATA, ""), 0, -EBADMSG },
	{ "entry alerted missing", BAD_REC(ALERTED, ""), 0, -EBADMSG },

	{ "entry id a string", BAD_REC(ID, "\"id\": \"7\", "), 0, -EBADMSG },
	{ "entry type a string", BAD_REC(TYPE, "\"type\": \"4\", "), 0, -EBADMSG },
	{ "entry action_flags a bool", BAD_REC(ACTION, "\"action_flags\": true, "), 0, -EBADMSG },
	{ "entry program_reference_code a double", BAD_REC(PRC, "\"program_reference_code\": 1.5, "),
	  0, -EBADMSG },
	{ "entry power_on_seconds null", BAD_REC(POS, "\"power_on_seconds\": null, "), 0, -EBADMSG },
	{ "entry timestamp_ns a number", BAD_REC(TS, "\"timestamp_ns\": 5, "), 0, -EBADMSG },
	{ "entry wwid a string", BAD_REC(WWID, "\"wwid\": \"1\", "), 0, -EBADMSG },
	{ "entry wwid of numbers", BAD_REC(WWID, "\"wwid\": [1, 2], "), 0, -EBADMSG },
	{ "entry fw_revision a number", BAD_REC(FW, "\"fw_revision\": 1, "), 0, -EBADMSG },
	{ "entry received_us a number", BAD_REC(RECV, "\"received_us\": 1700000000000000, "), 0,
	  -EBADMSG },
	{ "entry data_needed a string", BAD_REC(NEEDED, "\"data_needed\": \"6\", "), 0, -EBADMSG },
	{ "entry data an array", BAD_REC(DATA, "\"data\": [222, 173], "), 0, -EBADMSG },
	{ "entry alerted a number", BAD_REC(ALERTED, "\"alerted\": 1, "), 0, -EBADMSG },

	{ "entry id beyond 32 bits", BAD_REC(ID, "\"id\": 4294967296, "), 0, -EBADMSG },
	{ "entry id negative", BAD_REC(ID, "\"id\": -7, "), 0, -EBADMSG },
	{ "entry type 5", BAD_REC(TYPE, "\"type\": 5, "), 0, -EBADMSG },
	{ "entry type 256", BAD_REC(TYPE, "\"type\": 256, "), 0, -EBADMSG },
	{ "entry type negative", BAD_REC(TYPE, "\"type\": -1, "), 0, -EBADMSG },
	{ "entry action_flags beyond 32 bits", BAD_REC(ACTION, "\"action_flags\": 4294967296, "), 0,
	  -EBADMSG },
	{ "entry program_reference_code negative", BAD_REC(PRC, "\"program_reference_code\": -1, "),
	  0, -EBADMSG },
	{ "entry power_on_seconds beyond 32 bits",
	  BAD_REC(POS, "\"power_on_seconds\": 9223372036854775807, "), 0, -EBADMSG },
	{ "entry timestamp_ns beyond 64 bits",
	  BAD_REC(TS, "\"timestamp_ns\": \"18446744073709551616\", "), 0, -EBADMSG },
	{ "entry wwid of one", BAD_REC(WWID, "\"wwid\": [\"1\"], "), 0, -EBADMSG },
	{ "entry wwid of three", BAD_REC(WWID, "\"wwid\": [\"1\", \"2\", \"3\"], "), 0, -EBADMSG },
	{ "entry wwid not decimal", BAD_REC(WWID, "\"wwid\": [\"1\", \"ff\"], "), 0, -EBADMSG },
	{ "entry fw_revision of 9", BAD_REC(FW, "\"fw_revision\": \"012345678\", "), 0, -EBADMSG },
	{ "entry fw_revision control character", BAD_REC(FW, "\"fw_revision\": \"01\\n02\", "), 0,
	  -EBADMSG },
	{ "entry fw_revision not ASCII", BAD_REC(FW, "\"fw_revision\": \"\\u00e9\", "), 0,
	  -EBADMSG },
	{ "entry data_needed beyond 16 bits", BAD_REC(NEEDED, "\"data_needed\": 65536, "), 0,
	  -EBADMSG },
	{ "entry data_needed below the data", BAD_REC(NEEDED, "\"data_needed\": 3, "), 0, -EBADMSG },
	{ "entry received_us negative", BAD_REC(RECV, "\"received_us\": \"-1\", "), 0, -EBADMSG },
	{ "entry data odd length", BAD_REC(DATA, "\"data\": \"deadbee\", "), 0, -EBADMSG },
	{ "entry data not hex", BAD_REC(DATA, "\"data\": \"deadbeeg\", "), 0, -EBADMSG },
	{ "entry data with space", BAD_REC(DATA, "\"data\": \"dead beef\", "), 0, -EBADMSG },
	{ "entry data 4097 bytes",
	  CARD_REC(REC(R_ID, R_TYPE, R_ACTION, R_PRC, R_POS, R_TS, R_WWID, R_FW, R_RECV,
		       "\"data_needed\": 8000, ", "\"data\": \"" HEX4K "00\", ", R_ALERTED)),
	  0, -EBADMSG },

	{ "alerts missing", CARD_WITH(ALERTS, ""), 0, -EBADMSG },
	{ "alerts an object", CARD_WITH(ALERTS, "\"alerts\": {}, "), 0, -EBADMSG },
	{ "alert not an object", CARD_ALERT("\"temperature\""), 0, -EBADMSG },
	{ "alert key twice", CARD_ALERT(GOOD_ALERT ", " GOOD_ALERT), 0, -EBADMSG },
	{ "alert key missing", BAD_ALERT(KEY, ""), 0, -EBADMSG },
	{ "alert active missing", BAD_ALERT(ACTIVE, ""), 0, -EBADMSG },
	{ "alert since_us missing", BAD_ALERT(SINCE, ""), 0, -EBADMSG },
	{ "alert last_sent_us missing", BAD_ALERT(LAST, ""), 0, -EBADMSG },
	{ "alert reminders missing", BAD_ALERT(REM, ""), 0, -EBADMSG },
	{ "alert detail missing", BAD_ALERT(DETAIL, ""), 0, -EBADMSG },
	{ "alert key a number", BAD_ALERT(KEY, "\"key\": 1, "), 0, -EBADMSG },
	{ "alert key empty", BAD_ALERT(KEY, "\"key\": \"\", "), 0, -EBADMSG },
	{ "alert key of 48", BAD_ALERT(KEY, "\"key\": \"" KEY48 "\", "), 0, -EBADMSG },
	{ "alert active a string", BAD_ALERT(ACTIVE, "\"active\": \"true\", "), 0, -EBADMSG },
	{ "alert since_us a number", BAD_ALERT(SINCE, "\"since_us\": 0, "), 0, -EBADMSG },
	{ "alert last_sent_us a bool", BAD_ALERT(LAST, "\"last_sent_us\": false, "), 0, -EBADMSG },
	{ "alert reminders negative", BAD_ALERT(REM, "\"reminders\": -1, "), 0, -EBADMSG },
	{ "alert reminders beyond 32 bits", BAD_ALERT(REM, "\"reminders\": 4294967296, "), 0,
	  -EBADMSG },
	{ "alert detail of 160", BAD_ALERT(DETAIL, "\"detail\": \"" DETAIL160 "\", "), 0, -EBADMSG },
	{ "alert detail with NUL", BAD_ALERT(DETAIL, "\"detail\": \"a\\u0000b\", "), 0, -EBADMSG },
	{ "alert level in range", BAD_ALERT(DETAIL, "\"level\": 6, " A_DETAIL), 0, 0 },
	{ "alert level out of range", BAD_ALERT(DETAIL, "\"level\": 7, " A_DETAIL), 0, -EBADMSG },
	{ "alert level a string", BAD_ALERT(DETAIL, "\"level\": \"3\", " A_DETAIL), 0, -EBADMSG },
	{ "alert level negative", BAD_ALERT(DETAIL, "\"level\": -1, " A_DETAIL), 0, -EBADMSG },
};

/* ---- helpers ----------------------------------------------------------------- */

static bool errlog_equal(const struct errlog_record *a, const struct errlog_record *b)
{
	return a->id == b->id && a->type == b->type && a->action_flags == b->action_flags &&
	       a->program_reference_code == b->program_reference_code &&
	       a->power_on_seconds == b->power_on_seconds && a->timestamp_ns == b->timestamp_ns &&
	       a->wwid[0] == b->wwid[0] && a->wwid[1] == b->wwid[1] &&
	       strcmp(a->fw_revision, b->fw_revision) == 0 && a->received_us == b->received_us &&
	       a->data_size == b->data_size && a->data_needed == b->data_needed &&
	       (!a->data_size || memcmp(a->data, b->data, a->data_size) == 0) &&
	       a->alerted == b->alerted;
}

static void assert_card_equal(const struct card_state *a, const struct card_state *b)
{
	assert_true(a->serial == b->serial);
	assert_string_equal(a->name, b->name);
	assert_memory_equal(a->errlog_total, b->errlog_total, sizeof(a->errlog_total));
	assert_int_equal(a->nseen, b->nseen);
	if (a->nseen)
		assert_memory_equal(a->seen, b->seen, a->nseen * sizeof(*a->seen));
	assert_int_equal(a->nhistory, b->nhistory);
	for (size_t i = 0; i < a->nhistory; i++)
		assert_true(errlog_equal(&a->history[i], &b->history[i]));
	assert_int_equal(a->nalerts, b->nalerts);
	for (size_t i = 0; i < a->nalerts; i++) {
		const struct alert_record *x = &a->alerts[i], *y = &b->alerts[i];

		assert_string_equal(x->key, y->key);
		assert_int_equal(x->active, y->active);
		assert_true(x->since_us == y->since_us);
		assert_true(x->last_sent_us == y->last_sent_us);
		assert_int_equal(x->reminders, y->reminders);
		assert_string_equal(x->detail, y->detail);
	}
}

/* Format s, parse the text, compare; the text formats to itself again. */
static void assert_round_trip(const struct card_state *s)
{
	struct card_state *back = NULL;
	char *text, *again;

	text = card_state_format(s);
	assert_non_null(text);
	assert_int_equal(card_state_parse(text, strlen(text), &back), 0);
	assert_card_equal(s, back);
	again = card_state_format(back);
	assert_non_null(again);
	assert_string_equal(text, again);
	free(again);
	free(text);
	card_state_free(back);
}

static struct errlog_record make_rec(uint32_t id, uint8_t type, uint8_t *data, uint16_t size)
{
	struct errlog_record rec = {
		.id = id,
		.type = type,
		.action_flags = id * 3,
		.program_reference_code = ~id,
		.power_on_seconds = id + 1,
		.timestamp_ns = (uint64_t)id << 33,
		.wwid = { UINT64_MAX - id, id },
		.fw_revision = "FW 1.0",
		.received_us = UINT64_C(1700000000000000) + id,
		.data_size = size,
		.data_needed = size,
		.data = data,
		.alerted = id % 2,
	};

	return rec;
}

/* Whether the entry make_rec(id) made is seen / stored. */
static bool seen_rec(const struct card_state *s, uint32_t id)
{
	struct errlog_key k = { .id = id, .power_on_seconds = id + 1,
				.timestamp_ns = (uint64_t)id << 33 };

	return card_state_seen(s, &k);
}

static struct errlog_record *find_rec(struct card_state *s, uint32_t id)
{
	struct errlog_key k = { .id = id, .power_on_seconds = id + 1,
				.timestamp_ns = (uint64_t)id << 33 };

	return card_state_find_errlog(s, &k);
}

/* ---- card parse rows ------------------------------------------------------- */

static void test_card_row(void **state)
{
	const struct card_row *row = *state;
	struct card_state *s = (struct card_state *)&s, *before = s;
	size_t len = row->len ? row->len : strlen(row->text);
	int r;

	r = card_state_parse(row->text, len, &s);
	if (r != row->want)
		fail_msg("%s: card_state_parse() = %d (%s), want %d", row->name, r, strerror(-r),
			 row->want);
	if (r < 0) {
		/* Output parameters are set only on success. */
		assert_ptr_equal(s, before);
		return;
	}
	if (row->check)
		row->check(s);
	assert_round_trip(s);
	card_state_free(s);
}

/* ---- names parse rows ------------------------------------------------------------ */

#define NAMES(format, version, names, next) "{" format version names next "\"x\": 0}"
#define N_FORMAT "\"format\": \"ocxlpmemd-names\", "
#define N_VERSION "\"version\": 1, "
#define N_NAMES "\"names\": {\"42\": \"ocxlpmem0\", \"18446744073709551615\": \"ocxlpmem2\"}, "
#define N_NEXT "\"next\": 3, "
#define NAMES_WITH_NAMES(v) NAMES(N_FORMAT, N_VERSION, v, N_NEXT)

struct names_row {
	const char *name;
	const char *text;
	int want;
	void (*check)(struct name_registry *r);
};

static void check_names_good(struct name_registry *r)
{
	bool is_new = true;

	assert_true(names_lookup(r, "ocxlpmem0") == 42);
	assert_true(names_lookup(r, "ocxlpmem2") == UINT64_MAX);
	assert_true(names_lookup(r, "ocxlpmem1") == 0);
	assert_string_equal(names_assign(r, 42, &is_new), "ocxlpmem0");
	assert_false(is_new);
	/* ocxlpmem1 was used by a card now gone: never again. */
	assert_string_equal(names_assign(r, 7, &is_new), "ocxlpmem3");
	assert_true(is_new);
}

/* Forgetting a card retires its name: the index is never given again,
 * the others keep theirs and their order. */
static void check_names_forget(struct name_registry *r)
{
	uint64_t serial;
	const char *name;
	bool is_new;

	assert_int_equal(names_count(r), 2);
	assert_string_equal(names_find(r, 42), "ocxlpmem0");
	assert_null(names_find(r, 7));
	assert_int_equal(names_forget(r, 7), -ENOENT);
	assert_int_equal(names_forget(r, 42), 0);
	assert_int_equal(names_forget(r, 42), -ENOENT);
	assert_int_equal(names_count(r), 1);
	assert_null(names_find(r, 42));
	assert_true(names_lookup(r, "ocxlpmem0") == 0);
	names_get(r, 0, &serial, &name);
	assert_true(serial == UINT64_MAX);
	assert_string_equal(name, "ocxlpmem2");
	/* The serial back is a new card, past every index used. */
	assert_string_equal(names_assign(r, 42, &is_new), "ocxlpmem3");
	assert_true(is_new);
	names_get(r, 1, &serial, &name);
	assert_true(serial == 42);
	assert_string_equal(name, "ocxlpmem3");
}

static void check_names_empty(struct name_registry *r)
{
	assert_string_equal(names_assign(r, 7, NULL), "ocxlpmem0");
}

static void check_names_raised(struct name_registry *r)
{
	/* "next" 1 but ocxlpmem5 in use: next is past it. */
	assert_string_equal(names_assign(r, 7, NULL), "ocxlpmem6");
}

static void check_names_full(struct name_registry *r)
{
	assert_null(names_assign(r, 7, NULL));
	assert_string_equal(names_assign(r, 42, NULL), "ocxlpmem4294967294");
}

static const struct names_row names_rows[] = {
	{ "good", NAMES(N_FORMAT, N_VERSION, N_NAMES, N_NEXT), 0, check_names_good },
	{ "good, then a card forgotten", NAMES(N_FORMAT, N_VERSION, N_NAMES, N_NEXT), 0,
	  check_names_forget },
	{ "good, empty", NAMES(N_FORMAT, N_VERSION, "\"names\": {}, ", "\"next\": 0, "), 0,
	  check_names_empty },
	{ "good, next below a name in use",
	  NAMES(N_FORMAT, N_VERSION, "\"names\": {\"1\": \"ocxlpmem5\"}, ", "\"next\": 1, "), 0,
	  check_names_raised },
	{ "good, every name used",
	  NAMES(N_FORMAT, N_VERSION, "\"names\": {\"42\": \"ocxlpmem4294967294\"}, ",
		"\"next\": 0, "),
	  0, check_names_full },
	{ "empty input", "", -EBADMSG },
	{ "not an object", "[]", -EBADMSG },
	{ "card format", NAMES("\"format\": \"ocxlpmemd-card-state\", ", N_VERSION, N_NAMES, N_NEXT),
	  -EBADMSG },
	{ "format missing", NAMES("", N_VERSION, N_NAMES, N_NEXT), -EBADMSG },
	{ "version missing", NAMES(N_FORMAT, "", N_NAMES, N_NEXT), -EBADMSG },
	{ "version a string", NAMES(N_FORMAT, "\"version\": \"1\", ", N_NAMES, N_NEXT), -EBADMSG },
	{ "version from the future", NAMES(N_FORMAT, "\"version\": 2, ", "", ""), -EPROTONOSUPPORT },
	{ "names missing", NAMES(N_FORMAT, N_VERSION, "", N_NEXT), -EBADMSG },
	{ "names an array", NAMES_WITH_NAMES("\"names\": [\"ocxlpmem0\"], "), -EBADMSG },
	{ "next missing", NAMES(N_FORMAT, N_VERSION, N_NAMES, ""), -EBADMSG },
	{ "next a string", NAMES(N_FORMAT, N_VERSION, N_NAMES, "\"next\": \"3\", "), -EBADMSG },
	{ "next negative", NAMES(N_FORMAT, N_VERSION, N_NAMES, "\"next\": -1, "), -EBADMSG },
	{ "next beyond 32 bits", NAMES(N_FORMAT, N_VERSION, N_NAMES, "\"next\": 4294967296, "),
	  -EBADMSG },
	{ "serial not decimal", NAMES_WITH_NAMES("\"names\": {\"0x2a\": \"ocxlpmem0\"}, "), -EBADMSG },
	{ "serial leading zero", NAMES_WITH_NAMES("\"names\": {\"042\": \"ocxlpmem0\"}, "), -EBADMSG },
	{ "serial beyond 64 bits",
	  NAMES_WITH_NAMES("\"names\": {\"18446744073709551616\": \"ocxlpmem0\"}, "), -EBADMSG },
	{ "name a number", NAMES_WITH_NAMES("\"names\": {\"42\": 0}, "), -EBADMSG },
	{ "name malformed", NAMES_WITH_NAMES("\"names\": {\"42\": \"ocxlpmem-0\"}, "), -EBADMSG },
	{ "name leading zero", NAMES_WITH_NAMES("\"names\": {\"42\": \"ocxlpmem00\"}, "), -EBADMSG },
	{ "name index too large",
	  NAMES_WITH_NAMES("\"names\": {\"42\": \"ocxlpmem4294967295\"}, "), -EBADMSG },
	{ "name given twice",
	  NAMES_WITH_NAMES("\"names\": {\"42\": \"ocxlpmem0\", \"43\": \"ocxlpmem0\"}, "), -EBADMSG },
};

static void test_names_row(void **state)
{
	const struct names_row *row = *state;
	struct name_registry *r = (struct name_registry *)&r, *before = r, *back = NULL;
	char *text, *again;
	int k;

	k = names_parse(row->text, strlen(row->text), &r);
	if (k != row->want)
		fail_msg("%s: names_parse() = %d (%s), want %d", row->name, k, strerror(-k),
			 row->want);
	if (k < 0) {
		assert_ptr_equal(r, before);
		return;
	}
	assert_int_equal(names_serialise(r, &text), 0);
	assert_int_equal(names_parse(text, strlen(text), &back), 0);
	assert_int_equal(names_serialise(back, &again), 0);
	assert_string_equal(text, again);
	free(text);
	free(again);
	names_free(back);
	if (row->check)
		row->check(r);
	names_free(r);
}

/* ---- in-memory operations ------------------------------------------------------ */

static void test_new(void **state)
{
	struct card_state *s = NULL;

	assert_int_equal(card_state_new(1, "nvme0", &s), -EINVAL);
	assert_int_equal(card_state_new(1, "ocxlpmem01", &s), -EINVAL);
	assert_int_equal(card_state_new(1, NULL, &s), -EINVAL);
	assert_null(s);
	assert_int_equal(card_state_new(UINT64_MAX, "ocxlpmem0", &s), 0);
	assert_true(s->serial == UINT64_MAX);
	assert_string_equal(s->name, "ocxlpmem0");
	assert_int_equal(s->nseen + s->nhistory + s->nalerts, 0);
	assert_false(seen_rec(s, 0));
	assert_null(find_rec(s, 0));
	assert_round_trip(s);
	assert_null(card_state_free(s));
	assert_null(card_state_free(NULL));
	assert_false(seen_rec(NULL, 0));
}

static void test_add_errlog(void **state)
{
	uint8_t data[] = { 1, 2, 3 };
	struct card_state *s;
	struct errlog_record rec, *found;

	assert_int_equal(card_state_new(9, "ocxlpmem1", &s), 0);
	rec = make_rec(100, 3, data, sizeof(data));
	assert_int_equal(card_state_add_errlog(s, &rec), 0);
	/* The data was copied. */
	data[0] = 0xff;
	found = find_rec(s, 100);
	assert_non_null(found);
	assert_ptr_not_equal(found->data, data);
	assert_int_equal(found->data[0], 1);
	assert_true(seen_rec(s, 100));
	assert_int_equal(s->errlog_total[3], 1);

	/* Stored twice would alert twice. */
	assert_int_equal(card_state_add_errlog(s, &rec), -EEXIST);
	assert_int_equal(s->nhistory, 1);

	/* What the parser would refuse is refused here. */
	rec = make_rec(101, 5, NULL, 0);
	assert_int_equal(card_state_add_errlog(s, &rec), -EINVAL);
	rec = make_rec(101, 0, NULL, 4);
	assert_int_equal(card_state_add_errlog(s, &rec), -EINVAL);
	rec = make_rec(101, 0, data, 3);
	rec.data_needed = 2;
	assert_int_equal(card_state_add_errlog(s, &rec), -EINVAL);
	rec = make_rec(101, 0, NULL, 0);
	strcpy(rec.fw_revision, "a\tb");
	assert_int_equal(card_state_add_errlog(s, &rec), -EINVAL);
	rec = make_rec(101, 0, NULL, 0);
	memset(rec.fw_revision, 'x', sizeof(rec.fw_revision));
	assert_int_equal(card_state_add_errlog(s, &rec), -EINVAL);
	assert_false(seen_rec(s, 101));
	assert_int_equal(s->nseen, 1);

	/* The sentinel value of the id set is an id like any other. */
	rec = make_rec(UINT32_MAX, 0, NULL, 0);
	assert_int_equal(card_state_add_errlog(s, &rec), 0);
	assert_true(seen_rec(s, UINT32_MAX));
	rec = make_rec(0, 0, NULL, 0);
	assert_int_equal(card_state_add_errlog(s, &rec), 0);
	assert_true(seen_rec(s, 0));
	assert_int_equal(s->errlog_total[0], 2);

	/* Marking an entry alerted goes through the pointer. */
	found = find_rec(s, UINT32_MAX);
	assert_non_null(found);
	found->alerted = true;
	assert_null(find_rec(s, 101));
	assert_round_trip(s);
	card_state_free(s);
}

/* 300 entries: 256 kept, oldest gone, every id still seen; then past 4096. */
static void test_eviction(void **state)
{
	struct card_state *s, *back;
	uint8_t data[64];
	char *text;

	assert_int_equal(card_state_new(9, "ocxlpmem1", &s), 0);
	for (uint32_t id = 1000; id < 1300; id++) {
		struct errlog_record rec;

		memset(data, (int)id, sizeof(data));
		rec = make_rec(id, id % 5, data, (uint16_t)(id % 65));
		assert_int_equal(card_state_add_errlog(s, &rec), 0);
	}
	assert_int_equal(s->nhistory, STATE_HISTORY_MAX);
	assert_int_equal(s->history[0].id, 1300 - STATE_HISTORY_MAX);
	assert_int_equal(s->history[STATE_HISTORY_MAX - 1].id, 1299);
	assert_null(find_rec(s, 1000));
	assert_non_null(find_rec(s, 1300 - STATE_HISTORY_MAX));
	assert_int_equal(s->nseen, 300);
	for (uint32_t id = 1000; id < 1300; id++)
		assert_true(seen_rec(s, id));
	for (size_t i = 0; i < s->nseen; i++)
		assert_int_equal(s->seen[i].id, 1000 + i);
	for (size_t t = 0; t < 5; t++)
		assert_int_equal(s->errlog_total[t], 60);
	assert_round_trip(s);

	/* Past the seen bound: the oldest ids are forgotten, in order. */
	for (uint32_t id = 1300; id < 1000 + 3 * STATE_SEEN_IDS_MAX + 17; id++) {
		struct errlog_record rec = make_rec(id, 0, NULL, 0);

		assert_int_equal(card_state_add_errlog(s, &rec), 0);
		assert_int_equal(s->seen[s->nseen - 1].id, id);
		assert_int_equal(s->history[s->nhistory - 1].id, id);
	}
	assert_int_equal(s->nseen, STATE_SEEN_IDS_MAX);
	assert_int_equal(s->nhistory, STATE_HISTORY_MAX);
	for (size_t i = 0; i < s->nseen; i++)
		assert_int_equal(s->seen[i].id, 1000 + 2 * STATE_SEEN_IDS_MAX + 17 + i);
	assert_false(seen_rec(s, 1000));
	assert_false(seen_rec(s, 1000 + 2 * STATE_SEEN_IDS_MAX + 16));
	assert_true(seen_rec(s, 1000 + 2 * STATE_SEEN_IDS_MAX + 17));
	assert_true(seen_rec(s, 1000 + 3 * STATE_SEEN_IDS_MAX + 16));

	/* A full record loads back whole, and its set works after the load. */
	text = card_state_format(s);
	assert_non_null(text);
	assert_int_equal(card_state_parse(text, strlen(text), &back), 0);
	assert_card_equal(s, back);
	assert_false(seen_rec(back, 1000));
	assert_true(seen_rec(back, 1000 + 3 * STATE_SEEN_IDS_MAX + 16));
	{
		struct errlog_record rec = make_rec(7, 0, NULL, 0);

		assert_int_equal(card_state_add_errlog(back, &rec), 0);
		assert_int_equal(back->nseen, STATE_SEEN_IDS_MAX);
		assert_false(seen_rec(back, 1000 + 2 * STATE_SEEN_IDS_MAX + 17));
		assert_true(seen_rec(back, 7));
	}
	free(text);
	card_state_free(back);
	card_state_free(s);
}

/*
 * A card that lost its volatile state hands its ids out again: the same id
 * at another card time is a new entry, stored and found apart; the same
 * id at the same time is the entry read again, refused.
 */
static void test_reused_id(void **state)
{
	struct card_state *s, *back;
	struct errlog_record rec = make_rec(42, 3, NULL, 0), *first, *second;
	struct errlog_key k1, k2;
	char *text;

	assert_int_equal(card_state_new(1, "ocxlpmem0", &s), 0);
	assert_int_equal(card_state_add_errlog(s, &rec), 0);
	k1 = errlog_record_key(&rec);
	rec.timestamp_ns = 5;
	rec.power_on_seconds = 7;
	rec.program_reference_code = 0xd1ff;
	k2 = errlog_record_key(&rec);
	assert_false(card_state_seen(s, &k2));
	assert_int_equal(card_state_add_errlog(s, &rec), 0);
	assert_int_equal(card_state_add_errlog(s, &rec), -EEXIST);
	/* Only the time moved: still another entry. */
	rec.power_on_seconds = k1.power_on_seconds;
	rec.timestamp_ns = k1.timestamp_ns + 1;
	assert_int_equal(card_state_add_errlog(s, &rec), 0);
	assert_int_equal(s->nseen, 3);
	assert_int_equal(s->nhistory, 3);
	assert_int_equal(s->errlog_total[3], 3);
	first = card_state_find_errlog(s, &k1);
	second = card_state_find_errlog(s, &k2);
	assert_ptr_equal(first, &s->history[0]);
	assert_ptr_equal(second, &s->history[1]);
	assert_int_equal(second->program_reference_code, 0xd1ff);
	assert_round_trip(s);

	text = card_state_format(s);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"version\":2"));
	assert_int_equal(card_state_parse(text, strlen(text), &back), 0);
	assert_true(card_state_seen(back, &k1));
	assert_true(card_state_seen(back, &k2));
	free(text);
	card_state_free(back);
	card_state_free(s);
}

/* A version 1 file (ids only) migrates: history keys kept, bare ids dropped. */
static void test_v1_migration(void **state)
{
	static const char v1[] =
		"{\"format\": \"ocxlpmemd-card-state\", \"version\": 1, \"serial\": \"1\", "
		"\"name\": \"ocxlpmem0\", \"errlog_total\": [\"0\", \"0\", \"0\", \"2\", \"0\"], "
		"\"seen_ids\": [3, 9, 11], \"alerts\": [], \"history\": ["
		"{\"id\": 9, \"type\": 3, \"action_flags\": 0, \"program_reference_code\": 0, "
		"\"power_on_seconds\": 100, \"timestamp_ns\": \"200\", \"wwid\": [\"0\", \"0\"], "
		"\"fw_revision\": \"\", \"received_us\": \"0\", \"data_needed\": 0, \"data\": \"\", "
		"\"alerted\": false}]}";
	struct card_state *s;
	struct errlog_record rec = make_rec(3, 3, NULL, 0);
	char *text;

	assert_int_equal(card_state_parse(v1, strlen(v1), &s), 0);
	assert_int_equal(s->nseen, 1);
	assert_true(card_state_seen(s, KEY(9, 100, 200)));
	/* The unacknowledged entry read again: still recognised. */
	assert_false(s->history[0].alerted);
	assert_non_null(card_state_find_errlog(s, KEY(9, 100, 200)));
	/* Id 3 was acknowledged long ago: a new entry under it goes in. */
	assert_int_equal(card_state_add_errlog(s, &rec), 0);
	text = card_state_format(s);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"seen\":["));
	assert_null(strstr(text, "seen_ids"));
	free(text);
	assert_round_trip(s);
	card_state_free(s);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* seen_rec() agrees with the ids listed, for every probe. */
static void assert_set_matches(const struct card_state *s, uint32_t lo, uint32_t hi,
			       uint32_t step)
{
	uint32_t *sorted = malloc((s->nseen + 1) * sizeof(*sorted));

	assert_non_null(sorted);
	for (size_t i = 0; i < s->nseen; i++)
		sorted[i] = s->seen[i].id;
	qsort(sorted, s->nseen, sizeof(*sorted), cmp_u32);
	for (uint64_t id = lo; id <= hi; id += step) {
		uint32_t key = (uint32_t)id;
		bool listed = bsearch(&key, sorted, s->nseen, sizeof(*sorted), cmp_u32);

		assert_int_equal(seen_rec(s, key), listed);
	}
	free(sorted);
}

/* The set against the list, with ids that collide, wrap and get evicted. */
static void test_seen_set(void **state)
{
	struct card_state *s;
	uint32_t x = 12345;

	assert_int_equal(card_state_new(1, "ocxlpmem0", &s), 0);
	for (unsigned int n = 0; n < 3 * STATE_SEEN_IDS_MAX; n++) {
		struct errlog_record rec;
		uint32_t id;

		/* xorshift; ids from a small range and multiples of a large
		 * power of two, so probe chains form and wrap around. */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		id = n % 3 ? x % 9000 : (x % 64) << 20;
		rec = make_rec(id, 0, NULL, 0);
		if (card_state_add_errlog(s, &rec) == -EEXIST)
			assert_true(seen_rec(s, id));
		if (n % 512 == 0)
			assert_set_matches(s, 0, 9000, 1);
	}
	assert_set_matches(s, 0, 9000, 1);
	assert_set_matches(s, 0, 64u << 20, 1u << 20);
	card_state_free(s);
}

/*
 * A file may keep an entry as long as its key (history is a subsequence of
 * seen, in order): when the key is forgotten the entry goes too, so the
 * record still saves and loads.
 */
static void test_old_entry_evicted_with_id(void **state)
{
	static const char rec0[] =
		"{\"id\": 0, \"type\": 0, \"action_flags\": 0, \"program_reference_code\": 0, "
		"\"power_on_seconds\": 0, \"timestamp_ns\": \"0\", \"wwid\": [\"0\", \"0\"], "
		"\"fw_revision\": \"\", \"received_us\": \"0\", \"data_needed\": 1, "
		"\"data\": \"ab\", \"alerted\": true}";
	struct errlog_record rec = make_rec(99999, 0, NULL, 0);
	struct card_state *s;
	size_t cap = 96 * STATE_SEEN_IDS_MAX, len;
	char *text = malloc(cap);

	assert_non_null(text);
	len = (size_t)snprintf(text, cap,
			       "{\"format\": \"ocxlpmemd-card-state\", \"version\": 2, "
			       "\"serial\": \"1\", \"name\": \"ocxlpmem0\", \"errlog_total\": "
			       "[\"0\", \"0\", \"0\", \"0\", \"0\"], \"alerts\": [], "
			       "\"history\": [%s], \"seen\": [{\"id\": 0, \"power_on_seconds\": 0, "
			       "\"timestamp_ns\": \"0\"}",
			       rec0);
	for (uint32_t id = 1; id < STATE_SEEN_IDS_MAX; id++)
		len += (size_t)snprintf(text + len, cap - len,
					", {\"id\": %" PRIu32 ", \"power_on_seconds\": 0, "
					"\"timestamp_ns\": \"0\"}", id);
	snprintf(text + len, cap - len, "]}");
	assert_int_equal(card_state_parse(text, strlen(text), &s), 0);
	free(text);
	assert_int_equal(s->nhistory, 1);
	assert_int_equal(s->nseen, STATE_SEEN_IDS_MAX);

	assert_int_equal(card_state_add_errlog(s, &rec), 0);
	assert_false(card_state_seen(s, KEY(0, 0, 0)));
	assert_null(card_state_find_errlog(s, KEY(0, 0, 0)));
	assert_int_equal(s->nhistory, 1);
	assert_int_equal(s->history[0].id, 99999);
	assert_round_trip(s);

	/* Edited by the caller into what the parser refuses: not written. */
	s->history[0].id = 0;
	assert_null(card_state_format(s));
	card_state_free(s);
}

/* A longer array than this build keeps: the newest are kept. */
static void test_parse_cuts_to_newest(void **state)
{
	struct card_state *s, *full;
	char *text;

	assert_int_equal(card_state_new(5, "ocxlpmem2", &s), 0);
	for (uint32_t id = 0; id < STATE_SEEN_IDS_MAX; id++) {
		struct errlog_record rec = make_rec(id, 1, NULL, 0);

		assert_int_equal(card_state_add_errlog(s, &rec), 0);
	}
	text = card_state_format(s);
	assert_non_null(text);
	card_state_free(s);

	/* Splice three older keys in front, as a build with a larger bound wrote. */
	{
		const char *at = strstr(text, "\"seen\":[");
		size_t head;
		char *big;

		assert_non_null(at);
		head = (size_t)(at - text) + strlen("\"seen\":[");
		assert_true(asprintf(&big, "%.*s {\"id\": 4000000001, \"power_on_seconds\": 0, "
				     "\"timestamp_ns\": \"0\"}, {\"id\": 4000000002, "
				     "\"power_on_seconds\": 0, \"timestamp_ns\": \"0\"}, "
				     "{\"id\": 4000000003, \"power_on_seconds\": 0, "
				     "\"timestamp_ns\": \"0\"},%s", (int)head, text, text + head) > 0);
		assert_int_equal(card_state_parse(big, strlen(big), &full), 0);
		free(big);
	}
	assert_int_equal(full->nseen, STATE_SEEN_IDS_MAX);
	assert_int_equal(full->seen[0].id, 0);
	assert_false(card_state_seen(full, KEY(4000000001u, 0, 0)));
	assert_true(seen_rec(full, STATE_SEEN_IDS_MAX - 1));
	card_state_free(full);
	free(text);
}

static void test_alerts(void **state)
{
	struct alert_record *a, *b, *first;
	struct card_state *s;
	char key[64];

	assert_int_equal(card_state_new(1, "ocxlpmem0", &s), 0);
	a = card_state_alert(s, "temperature-critical");
	assert_non_null(a);
	assert_string_equal(a->key, "temperature-critical");
	assert_false(a->active);
	assert_int_equal(a->reminders, 0);
	a->active = true;
	a->since_us = 17;
	strcpy(a->detail, "91 C");
	b = card_state_alert(s, "temperature-critical");
	assert_ptr_equal(a, b);
	assert_true(b->active);
	assert_int_equal(s->nalerts, 1);

	assert_null(card_state_alert(s, ""));
	assert_null(card_state_alert(s, KEY48));
	assert_non_null(card_state_alert(s, KEY47));
	assert_null(card_state_alert(NULL, "x"));

	/* Pointers stay valid as alerts are added, up to the bound. */
	first = a;
	for (unsigned int i = s->nalerts; i < STATE_ALERTS_MAX; i++) {
		snprintf(key, sizeof(key), "alert-%u", i);
		assert_non_null(card_state_alert(s, key));
	}
	assert_int_equal(s->nalerts, STATE_ALERTS_MAX);
	assert_null(card_state_alert(s, "one-too-many"));
	assert_ptr_equal(card_state_alert(s, "temperature-critical"), first);
	assert_string_equal(first->detail, "91 C");
	assert_round_trip(s);

	/* 65 alerts on disk are corrupt. */
	{
		char *text = card_state_format(s), *big, *at;
		struct card_state *t = NULL;

		assert_non_null(text);
		at = strstr(text, "\"alerts\":[");
		assert_non_null(at);
		at += strlen("\"alerts\":[");
		assert_true(asprintf(&big,
				     "%.*s{\"key\": \"extra\", \"active\": false, \"since_us\": \"0\", "
				     "\"last_sent_us\": \"0\", \"reminders\": 0, \"detail\": \"\"},%s",
				     (int)(at - text), text, at) > 0);
		assert_int_equal(card_state_parse(big, strlen(big), &t), -EBADMSG);
		assert_null(t);
		free(big);
		free(text);
	}
	card_state_free(s);
}

/* What would not load back is not written. */
static void test_format_refuses_invalid(void **state)
{
	struct card_state *s;
	char *text = NULL;

	assert_int_equal(card_state_new(1, "ocxlpmem0", &s), 0);
	strcpy(s->name, "nvme0");
	assert_null(card_state_format(s));
	assert_int_equal(card_state_serialise(s, &text), -EINVAL);
	assert_null(text);
	memset(s->name, 'x', sizeof(s->name));
	assert_null(card_state_format(s));
	strcpy(s->name, "ocxlpmem0");
	assert_non_null(card_state_alert(s, "k"));
	s->alerts[0].key[0] = '\0';
	assert_null(card_state_format(s));
	strcpy(s->alerts[0].key, "k");
	assert_non_null(card_state_alert(s, "j"));
	strcpy(s->alerts[1].key, "k");
	assert_null(card_state_format(s));
	strcpy(s->alerts[1].key, "j");
	/* An unterminated detail is cut, not overrun. */
	memset(s->alerts[0].detail, 'd', sizeof(s->alerts[0].detail));
	text = card_state_format(s);
	assert_non_null(text);
	free(text);
	card_state_free(s);
}

static void test_names_assign(void **state)
{
	struct name_registry *r = NULL;
	const char *first, *name;
	bool is_new = false;
	char want[32];

	assert_int_equal(names_new(&r), 0);
	assert_true(names_lookup(r, "ocxlpmem0") == 0);
	first = names_assign(r, 0x1111, &is_new);
	assert_string_equal(first, "ocxlpmem0");
	assert_true(is_new);
	name = names_assign(r, 0x1111, &is_new);
	assert_ptr_equal(name, first);
	assert_false(is_new);
	assert_string_equal(names_assign(r, 0x2222, &is_new), "ocxlpmem1");
	assert_true(is_new);
	assert_true(names_lookup(r, "ocxlpmem1") == 0x2222);
	assert_true(names_lookup(r, "ocxlpmem0") == 0x1111);
	assert_true(names_lookup(r, "ocxlpmem2") == 0);
	assert_true(names_lookup(r, NULL) == 0);

	/* Names stay where they were as the registry grows. */
	for (unsigned int i = 2; i < 100; i++) {
		snprintf(want, sizeof(want), "ocxlpmem%u", i);
		assert_string_equal(names_assign(r, 0x10000 + i, NULL), want);
	}
	assert_string_equal(first, "ocxlpmem0");

	/* A card removed from the file by hand: its name is still not reused. */
	{
		static const char doc[] = "{\"format\": \"ocxlpmemd-names\", \"version\": 1, "
					  "\"names\": {\"10\": \"ocxlpmem0\", \"12\": \"ocxlpmem2\"}, "
					  "\"next\": 3}";
		struct name_registry *p;

		assert_int_equal(names_parse(doc, strlen(doc), &p), 0);
		assert_true(names_lookup(p, "ocxlpmem1") == 0);
		assert_string_equal(names_assign(p, 11, NULL), "ocxlpmem3");
		assert_string_equal(names_assign(p, 13, NULL), "ocxlpmem4");
		assert_string_equal(names_assign(p, 12, NULL), "ocxlpmem2");
		names_free(p);
	}
	assert_null(names_free(r));
	assert_null(names_free(NULL));
	assert_null(names_assign(NULL, 1, NULL));
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_add_errlog),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_reused_id),
		cmocka_unit_test(test_v1_migration),
		cmocka_unit_test(test_seen_set),
		cmocka_unit_test(test_parse_cuts_to_newest),
		cmocka_unit_test(test_old_entry_evicted_with_id),
		cmocka_unit_test(test_alerts),
		cmocka_unit_test(test_format_refuses_invalid),
		cmocka_unit_test(test_names_assign),
	};
	struct CMUnitTest tests[ELEMENTSOF(card_rows) + ELEMENTSOF(names_rows) + ELEMENTSOF(fixed)];
	size_t n = 0;

	/* One test per row, named after it, so a failure names the document. */
	for (size_t i = 0; i < ELEMENTSOF(card_rows); i++)
		tests[n++] = (struct CMUnitTest){ .name = card_rows[i].name,
						  .test_func = test_card_row,
						  .initial_state = (void *)&card_rows[i] };
	for (size_t i = 0; i < ELEMENTSOF(names_rows); i++)
		tests[n++] = (struct CMUnitTest){ .name = names_rows[i].name,
						  .test_func = test_names_row,
						  .initial_state = (void *)&names_rows[i] };
	for (size_t i = 0; i < ELEMENTSOF(fixed); i++)
		tests[n++] = fixed[i];
	return _cmocka_run_group_tests("state", tests, n, NULL, NULL);
}
