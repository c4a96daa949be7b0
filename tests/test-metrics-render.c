// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus renderer without a daemon: a fixed set of card reports
 * (healthy, critical with reasons, offline, stale readings, unsupported
 * functions, a label that needs escaping) rendered in both formats and
 * compared byte for byte with tests/golden/.
 *
 * After an intended change of the exposition, regenerate the files and
 * review the diff before committing it:
 *
 *     OCXLPMEM_GOLDEN_UPDATE=1 make check TESTS=tests/test-metrics-render
 *     git diff tests/golden/
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/card-report.h"
#include "metrics/metrics-render.h"
#include "state/state.h"
#include "shared/util/json-blob.h"

#define T0 1700000000000000ull   /* CLOCK_REALTIME, us */
#define ALL_FUNCTIONS OCXLPMEM_FN_ALL_MASK

static const struct metrics_head head = {
	.version = "golden",         /* not PACKAGE_VERSION: a release must not move the files */
	.abi_version = 1,
	.backend = "sim",
	.have_renders = true,
	.renders = 7,
	.have_sim_bytes = true,
	.sim_bytes = 123456,
};

/* ---- The cards ------------------------------------------------------------ */

static struct ocxlpmem_capabilities caps = {
	.fw_version = "1.2.3",
	.memory_size = 1ull << 36,
	.functions = ALL_FUNCTIONS,
};

static struct ocxlpmem_smart smart_fine = {
	.count = 3,
	.attrs = {
		{ .id = OCXLPMEM_SMART_TEMPERATURE, .current = 100, .raw = 41 },
		{ .id = OCXLPMEM_SMART_LIFE_REMAINING, .current = 97, .raw = 97 },
		{ .id = OCXLPMEM_SMART_POWER_ON_HOURS, .current = 100, .raw = 1234 },
	},
};

static struct ocxlpmem_smart smart_hot = {
	.count = 2,
	.attrs = {
		{ .id = OCXLPMEM_SMART_TEMPERATURE, .current = 100, .raw = 91 },
		{ .id = OCXLPMEM_SMART_LIFE_REMAINING, .current = 4, .raw = 4 },
	},
};

static struct ocxlpmem_health ctl_ready = { .flags = OCXLPMEM_HEALTH_READY };

static struct ocxlpmem_stats stats = {
	.reset_count = 2,
	.critical_resource_utilization_pct = 35,
	.host_load_count = 1000,
	.host_store_count = 2000,
	.host_load_duration_ns = 1500000000ull,
	.host_store_duration_ns = 2500000,
	.media_read_count = 300,
	.media_write_count = 400,
	.media_read_duration_ns = 7,
	.media_write_duration_ns = 123456789012ull,
	.cache_read_hit_count = 50,
	.cache_write_hit_count = 60,
	.fast_write_count = 70,
};

static struct ocxlpmem_firmware_info fw = {
	.running_version = "1.2.4",
	.staged_version = "1.3.0",
	.update_state = OCXLPMEM_FW_RECEIVING,
	.max_image_size = 1 << 20,
};

static struct health_report health_ok = { .state = HEALTH_OK };
static struct health_report health_critical = {
	.state = HEALTH_CRITICAL,
	.nreasons = 2,
	.reasons = {
		{ .code = "temperature", .level = HEALTH_CRITICAL,
		  .text = "temperature 91 C at or above critical 85 C", .has_value = true,
		  .value = 91, .threshold = 85 },
		{ .code = "life-remaining", .level = HEALTH_WARNING,
		  .text = "life remaining 4% at or below 10%", .has_value = true, .value = 4,
		  .threshold = 10 },
	},
};
static struct health_report health_offline = {
	.state = HEALTH_OFFLINE,
	.nreasons = 1,
	.reasons = { { .code = "card-offline", .level = HEALTH_OFFLINE, .text = "card is gone" } },
};
static struct health_report health_unknown = { .state = HEALTH_UNKNOWN };

static struct alert_record alerts_critical[] = {
	{ .key = "temperature", .active = true, .level = HEALTH_CRITICAL, .since_us = T0 },
	{ .key = "life-remaining", .active = true, .level = HEALTH_WARNING, .since_us = T0 },
	{ .key = "card-unresponsive", .active = false, .level = HEALTH_UNRESPONSIVE },
};
static struct alert_record alerts_offline[] = {
	{ .key = "card-offline", .active = true, .level = HEALTH_OFFLINE, .since_us = T0 },
	{ .key = "temperature", .active = true, .level = HEALTH_WARNING, .since_us = T0 },
};

static const uint64_t errlog_none[CARD_ERRLOG_TYPES];
static const uint64_t errlog_some[CARD_ERRLOG_TYPES] = { 3, 0, 1, 0, 2 };

static uint64_t commands_busy[OCXLPMEM_FN_MAX + 1];
static uint64_t commands_none[OCXLPMEM_FN_MAX + 1];

static void polls(struct card_report *r, uint64_t total, uint64_t failed, unsigned int failures)
{
	for (unsigned int k = 0; k < POLL_KINDS; k++)
		r->polls[k] = (struct card_poll_report){
			.interval_s = 60,
			.last_ok_us = total > failed ? T0 + k * 1000 : 0,
			.last_duration_ms = 12 + k,
			.consecutive_failures = failures,
			.total = total + k,
			.failed = failed,
		};
}

/* A card seen at its best: every reading, every function. */
static struct card_report healthy(void)
{
	struct card_report r = {
		.name = "ocxlpmem0",
		.serial = 1001,
		.present = true,
		.backend_id = "sim0",
		.transport = "sim",
		.fw_version_hint = "1.2.3",
		.identified = true,
		.functions = ALL_FUNCTIONS,
		.caps = &caps,
		.smart = &smart_fine,
		.ctl = &ctl_ready,
		.stats = &stats,
		.fw = &fw,
		.health = &health_ok,
		.errlog_total = errlog_some,
		.commands = commands_busy,
		.dumps_saved = 1,
		.dumps_stored_bytes = 4096,
		.fw_updates = { 1, 0, 0 },
	};

	for (unsigned int k = 0; k < READING_KINDS; k++)
		r.reading_ok_us[k] = T0 + k;
	polls(&r, 10, 0, 0);
	return r;
}

/* Hot, worn and holding a dump; a collection and firmware updates ran. */
static struct card_report critical(void)
{
	struct card_report r = healthy();

	r.name = "ocxlpmem1";
	r.serial = 1002;
	r.backend_id = "sim1";
	/* A card of the v4 driver: the transport label says so. */
	r.transport = "chardev";
	r.smart = &smart_hot;
	r.fw = NULL;
	r.health = &health_critical;
	r.alerts = alerts_critical;
	r.nalerts = sizeof(alerts_critical) / sizeof(alerts_critical[0]);
	r.events = OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE;
	r.dump_running = true;
	r.dumps_saved = 2;
	r.dumps_failed = 1;
	r.dumps_stored_bytes = 1ull << 33;
	r.fw_update_state = "failed";
	r.fw_updates[CARD_FW_FAILED] = 2;
	r.fw_updates[CARD_FW_CANCELLED] = 1;
	return r;
}

/* Gone: its last readings are kept but none is shown; its alerts stay. */
static struct card_report offline(void)
{
	struct card_report r = healthy();

	r.name = "ocxlpmem2";
	r.serial = 1003;
	r.present = false;
	r.backend_id = NULL;
	r.transport = NULL;
	r.fw_version_hint = "";
	r.health = &health_offline;
	r.alerts = alerts_offline;
	r.nalerts = sizeof(alerts_offline) / sizeof(alerts_offline[0]);
	r.errlog_total = errlog_none;
	polls(&r, 20, 5, 3);
	return r;
}

/* Present, but its last SMART and stats reads failed: history, not a
 * reading; the health poll keeps failing. */
static struct card_report stale(void)
{
	struct card_report r = healthy();

	r.name = "ocxlpmem3";
	r.serial = 1004;
	r.backend_id = "sim3";
	r.health = &health_unknown;
	r.unresponsive = true;
	r.reading_stale[READING_SMART] = true;
	r.reading_stale[READING_STATS] = true;
	r.last_error = "smart: Connection timed out";
	polls(&r, 8, 2, 2);
	return r;
}

/* A card without dumps or firmware updates, whose firmware version needs
 * escaping in a label; and one never identified. */
static struct card_report unsupported(void)
{
	static struct ocxlpmem_capabilities odd_caps = { .fw_version = "v\"2\\x" };
	struct card_report r = {
		.name = "ocxlpmem10",
		.serial = 18446744073709551615ull,
		.present = true,
		.backend_id = "sim10",
		.transport = "tunnel",
		.fw_version_hint = "",
		.identified = true,
		.functions = ALL_FUNCTIONS &
			     ~(1u << OCXLPMEM_FN_DUMP_START | 1u << OCXLPMEM_FN_DUMP_DATA |
			       1u << OCXLPMEM_FN_DUMP_COMPLETE | 1u << OCXLPMEM_FN_FW_UPDATE_START |
			       1u << OCXLPMEM_FN_FW_UPDATE_BLOCK | 1u << OCXLPMEM_FN_FW_UPDATE_FINISH |
			       1u << OCXLPMEM_FN_FW_UPDATE_ABORT | 1u << OCXLPMEM_FN_CONTROLLER_STATS),
		.caps = &odd_caps,
		.smart = &smart_fine,
		.health = &health_ok,
		.errlog_total = errlog_none,
		.commands = commands_none,
	};

	r.reading_ok_us[READING_SMART] = T0;
	polls(&r, 3, 0, 0);
	r.polls[POLL_STATS] = (struct card_poll_report){ .interval_s = 60 };
	return r;
}

static struct card_report unidentified(void)
{
	struct card_report r = {
		.name = "ocxlpmem11",
		.serial = 1011,
		.present = true,
		.backend_id = "sim11",
		.transport = "tunnel",
		.fw_version_hint = "",
		.functions = ALL_FUNCTIONS,
		.health = &health_unknown,
		.errlog_total = errlog_none,
		.commands = commands_none,
	};

	return r;
}

/* ---- Golden files ----------------------------------------------------------- */

static char *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, len = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (len + 4096 > cap) {
			char *n = realloc(buf, cap = cap * 2 + 4096);

			if (!n)
				break;
			buf = n;
		}
		size_t got = fread(buf + len, 1, cap - len, f);

		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	*ret_len = len;
	return buf;
}

/* The first line where want and got part, for the failure message. */
static void first_difference(const char *want, size_t wlen, const char *got, size_t glen)
{
	size_t at = 0, line = 1, bol = 0;

	while (at < wlen && at < glen && want[at] == got[at]) {
		if (want[at] == '\n') {
			line++;
			bol = at + 1;
		}
		at++;
	}
	print_message("first difference at line %zu:\n want: %.*s\n  got: %.*s\n", line,
		      (int)strcspn(want + bol, "\n"), want + bol, (int)strcspn(got + bol, "\n"),
		      got + bol);
}

static void check_golden(enum metrics_format format, const char *file)
{
	struct card_report reps[] = {
		healthy(), critical(), offline(), stale(), unsupported(), unidentified(),
	};
	struct json_blob *blob = NULL;
	char path[4096];
	size_t want_len = 0;
	char *want;

	for (unsigned int fn = OCXLPMEM_FN_MIN; fn <= OCXLPMEM_FN_MAX; fn++)
		commands_busy[fn] = fn * 3 % 5 ? 10u * fn : 0;
	assert_int_equal(metrics_render_reports(&head, reps, sizeof(reps) / sizeof(reps[0]), format,
						&blob),
			 0);
	snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, file);
	if (getenv("OCXLPMEM_GOLDEN_UPDATE")) {
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		assert_int_equal(fwrite(blob->text, 1, blob->len, f), blob->len);
		assert_int_equal(fclose(f), 0);
		print_message("wrote %s: review it with git diff\n", path);
		json_blob_unref(blob);
		return;
	}
	want = slurp(path, &want_len);
	if (!want)
		fail_msg("%s: %s (OCXLPMEM_GOLDEN_UPDATE=1 writes it)", path, strerror(errno));
	if (want_len != blob->len || memcmp(want, blob->text, want_len) != 0) {
		first_difference(want, want_len, blob->text, blob->len);
		fail_msg("%s: the rendered exposition differs (%zu bytes, want %zu); after an "
			 "intended change: OCXLPMEM_GOLDEN_UPDATE=1 make check "
			 "TESTS=tests/test-metrics-render", path, blob->len, want_len);
	}
	free(want);
	json_blob_unref(blob);
}

static void test_text(void **state)
{
	check_golden(METRICS_TEXT, "metrics-0.0.4.txt");
}

static void test_openmetrics(void **state)
{
	check_golden(METRICS_OPENMETRICS, "metrics-openmetrics.txt");
}

/* No cards: the exporter's own families and every header, nothing else. */
static void test_no_cards(void **state)
{
	struct json_blob *blob = NULL;

	assert_int_equal(metrics_render_reports(&head, NULL, 0, METRICS_OPENMETRICS, &blob), 0);
	assert_non_null(strstr(blob->text, "ocxlpmem_cards 0\n"));
	assert_non_null(strstr(blob->text, "# TYPE ocxlpmem_card_polls counter\n"));
	assert_null(strstr(blob->text, "{card="));
	assert_int_equal(strcmp(blob->text + blob->len - 6, "# EOF\n"), 0);
	json_blob_unref(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_openmetrics),
		cmocka_unit_test(test_no_cards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
