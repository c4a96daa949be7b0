// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The card model's non-volatile state: a table of documents for the parser
 * (all or nothing), and a model that survives being freed and re-made.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model-private.h"

#define HDR "ocxlpmem-model-nv 1\nserial 77\nids 10 20 3\nfw 1.0.0000 -\ndump 0 0 0 0\n"

static const struct {
	const char *name;
	const char *text;
	int want;
	unsigned int entries;
} rows[] = {
	{ "minimal", HDR, 0, 0 },
	{ "one entry with data", HDR "errlog 9 3 0 7 100 5000 1.0.0000 2 abcd\n", 0, 1 },
	{ "generated data", HDR "errlog 9 0 8388609 7 100 5000 - 64 -\n", 0, 1 },
	{ "held dump", "ocxlpmem-model-nv 1\nserial 77\nids 1 2 0\nfw 2.0 3.0\ndump 1 5 4096 1\n", 0, 0 },
	{ "power cycles", "ocxlpmem-model-nv 1\nserial 77\nids 1 2 0 4\nfw 1 -\ndump 0 0 0 0\n", 0, 0 },
	{ "power cycles overflow",
	  "ocxlpmem-model-nv 1\nserial 77\nids 1 2 0 4294967296\nfw 1 -\ndump 0 0 0 0\n", -EBADMSG, 0 },
	{ "ids: a word too many",
	  "ocxlpmem-model-nv 1\nserial 77\nids 1 2 0 4 5\nfw 1 -\ndump 0 0 0 0\n", -EBADMSG, 0 },
	{ "ids: a word too few", "ocxlpmem-model-nv 1\nserial 77\nids 1 2\nfw 1 -\ndump 0 0 0 0\n",
	  -EBADMSG, 0 },
	{ "no magic", "serial 77\n", -EBADMSG, 0 },
	{ "other version", "ocxlpmem-model-nv 2\nserial 77\nids 1 2 0\nfw 1 -\ndump 0 0 0 0\n", -EBADMSG, 0 },
	{ "other serial", "ocxlpmem-model-nv 1\nserial 78\nids 1 2 0\nfw 1 -\ndump 0 0 0 0\n", -EBADMSG, 0 },
	{ "missing dump", "ocxlpmem-model-nv 1\nserial 77\nids 1 2 0\nfw 1 -\n", -EBADMSG, 0 },
	{ "duplicate serial", HDR "serial 77\n", -EBADMSG, 0 },
	{ "leading zero", "ocxlpmem-model-nv 1\nserial 077\nids 1 2 0\nfw 1 -\ndump 0 0 0 0\n", -EBADMSG, 0 },
	{ "id overflow", "ocxlpmem-model-nv 1\nserial 77\nids 4294967296 2 0\nfw 1 -\ndump 0 0 0 0\n", -EBADMSG, 0 },
	{ "empty running version", "ocxlpmem-model-nv 1\nserial 77\nids 1 2 0\nfw - -\ndump 0 0 0 0\n", -EBADMSG, 0 },
	{ "version too long", "ocxlpmem-model-nv 1\nserial 77\nids 1 2 0\nfw 123456789 -\ndump 0 0 0 0\n", -EBADMSG, 0 },
	{ "unaligned dump", "ocxlpmem-model-nv 1\nserial 77\nids 1 2 0\nfw 1 -\ndump 1 5 4095 1\n", -EBADMSG, 0 },
	{ "held dump without origin", "ocxlpmem-model-nv 1\nserial 77\nids 1 2 0\nfw 1 -\ndump 1 5 8 0\n", -EBADMSG, 0 },
	{ "bad type", HDR "errlog 9 5 0 7 100 5000 - 0 -\n", -EBADMSG, 0 },
	{ "unknown action bit", HDR "errlog 9 0 2 7 100 5000 - 0 -\n", -EBADMSG, 0 },
	{ "hex length mismatch", HDR "errlog 9 0 0 7 100 5000 - 2 abc\n", -EBADMSG, 0 },
	{ "upper-case hex", HDR "errlog 9 0 0 7 100 5000 - 1 AB\n", -EBADMSG, 0 },
	{ "data too long", HDR "errlog 9 0 0 7 100 5000 - 4097 -\n", -EBADMSG, 0 },
	{ "short errlog line", HDR "errlog 9 0 0 7 100 5000 -\n", -EBADMSG, 0 },
	{ "double space", HDR "errlog 9  0 0 7 100 5000 - 0 -\n", -EBADMSG, 0 },
	{ "unknown record", HDR "colour blue\n", -EBADMSG, 0 },
};

static struct ocxlpmem_model *fresh(const char *dir)
{
	struct ocxlpmem_model_config cfg = { .serial = 77, .nvram_dir = dir };
	struct ocxlpmem_model *m = NULL;

	assert_int_equal(ocxlpmem_model_new(&cfg, &m), 0);
	return m;
}

static void test_parse_table(void **state)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ocxlpmem_model *m = fresh(NULL);
		uint32_t next = m->next_log_id;
		int r = model_nv_parse(m, rows[i].text, strlen(rows[i].text));

		if (r != rows[i].want)
			fail_msg("%s: got %d want %d", rows[i].name, r, rows[i].want);
		if (r == 0) {
			assert_int_equal(m->errlog_count, rows[i].entries);
			/* Older files have no POWER_CYCLES: none. */
			assert_int_equal(m->power_cycles, strstr(rows[i].text, "ids 1 2 0 4\n") ? 4 : 0);
			assert_int_equal(m->serial, 77);
		} else {
			/* All or nothing: a refused document changes nothing. */
			assert_int_equal(m->next_log_id, next);
			assert_int_equal(m->errlog_count, 0);
		}
		ocxlpmem_model_free(m);
	}
}

static void test_round_trip(void **state)
{
	struct ocxlpmem_model *a = fresh(NULL), *b = fresh(NULL);
	char *t1, *t2;
	size_t l1, l2;

	assert_true(ocxlpmem_model_add_error_log(a, 3, OCXLPMEM_ACTION_DUMP, 9, "xyz12345", 8) > 0);
	assert_true(ocxlpmem_model_add_error_log(a, 1, 0, 2, NULL, 32) > 0);
	assert_int_equal(model_nv_format(a, &t1, &l1), 0);
	assert_int_equal(model_nv_parse(b, t1, l1), 0);
	assert_int_equal(model_nv_format(b, &t2, &l2), 0);
	assert_int_equal(l1, l2);
	assert_memory_equal(t1, t2, l1);
	free(t1);
	free(t2);
	ocxlpmem_model_free(a);
	ocxlpmem_model_free(b);
}

/* The point of it all: the card outlives the process that talked to it. */
static void test_survives_recreation(void **state)
{
	char dir[] = "/tmp/test-model-nv.XXXXXX";
	struct ocxlpmem_model *m;
	uint32_t dump_id, size;
	char path[128];
	int id1, id2;

	assert_non_null(mkdtemp(dir));
	m = fresh(dir);
	id1 = ocxlpmem_model_add_error_log(m, OCXLPMEM_ERRLOG_DATA_LOSS, 0, 1, "abcdefgh", 8);
	id2 = ocxlpmem_model_add_error_log(m, OCXLPMEM_ERRLOG_GENERAL, 0, 2, NULL, 16);
	assert_true(id1 > 0 && id2 > 0);
	assert_true(ocxlpmem_model_raise_dump(m, 4096) > 0);
	ocxlpmem_model_free(m);

	m = fresh(dir);
	assert_int_equal(ocxlpmem_model_error_log_pending(m), 2);
	assert_true(ocxlpmem_model_events(m) & OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE);
	assert_true(ocxlpmem_model_events(m) & OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE);
	assert_true(ocxlpmem_model_dump_held(m, &dump_id, &size));
	assert_int_equal(size, 4096);
	/* New entries continue the numbering, never reuse an id. */
	assert_true(ocxlpmem_model_add_error_log(m, 0, 0, 3, NULL, 0) > id2);
	/* A power cycle is remembered: the next dump's content depends on it. */
	ocxlpmem_model_power_cycle(m);
	assert_int_equal(m->power_cycles, 1);
	ocxlpmem_model_free(m);
	m = fresh(dir);
	assert_int_equal(m->power_cycles, 1);
	assert_int_equal(ocxlpmem_model_error_log_pending(m), 0);
	assert_false(ocxlpmem_model_dump_held(m, NULL, NULL));
	ocxlpmem_model_free(m);

	snprintf(path, sizeof(path), "%s/card-77.nv", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_survives_recreation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
