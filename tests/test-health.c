// SPDX-License-Identifier: GPL-2.0-or-later
/* The health rules, as a table: inputs -> state and reason codes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/health.h"

static const struct thresholds thr = {
	.temperature_warning_c = 70,
	.temperature_critical_c = 85,
	.life_warning_pct = 20,
	.life_critical_pct = 5,
	.error_log_window_s = 86400,
};

/* SMART with temperature (or none when temp == INT32_MIN) and life. */
static struct ocxlpmem_smart make_smart(int temp, int life)
{
	struct ocxlpmem_smart s = { 0 };

	if (temp != INT32_MIN) {
		s.attrs[s.count].id = OCXLPMEM_SMART_TEMPERATURE;
		s.attrs[s.count].current = 100;
		s.attrs[s.count].raw = (uint64_t)(uint16_t)(int16_t)temp;
		s.count++;
	}
	if (life >= 0) {
		s.attrs[s.count].id = OCXLPMEM_SMART_LIFE_REMAINING;
		s.attrs[s.count].current = (uint8_t)life;
		s.attrs[s.count].raw = (uint64_t)life;
		s.count++;
	}
	return s;
}

#define READY (OCXLPMEM_HEALTH_READY | OCXLPMEM_HEALTH_MEMORY_AVAILABLE)
#define NOSMART INT32_MIN

struct row {
	const char *name;
	bool absent, fatal_hw, fatal_fw, unresponsive, no_data;
	int temp, life;
	uint32_t ctl;
	unsigned int errlog[5];
	uint32_t actions;
	uint8_t resource_pct;
	enum card_health want;
	const char *codes; /* space-separated, in order */
};

static const struct row rows[] = {
	{ "all well", .temp = 40, .life = 90, .ctl = READY, .want = HEALTH_OK, .codes = "" },
	{ "no data yet", .no_data = true, .want = HEALTH_UNKNOWN, .codes = "" },
	{ "temperature at warning", .temp = 70, .life = 90, .ctl = READY, .want = HEALTH_WARNING, .codes = "temperature" },
	{ "temperature below warning", .temp = 69, .life = 90, .ctl = READY, .want = HEALTH_OK, .codes = "" },
	{ "temperature critical", .temp = 85, .life = 90, .ctl = READY, .want = HEALTH_CRITICAL, .codes = "temperature" },
	{ "negative temperature is fine", .temp = -10, .life = 90, .ctl = READY, .want = HEALTH_OK, .codes = "" },
	{ "temperature unsupported: no verdict", .temp = NOSMART, .life = 90, .ctl = READY, .want = HEALTH_OK, .codes = "" },
	{ "life at warning", .temp = 40, .life = 20, .ctl = READY, .want = HEALTH_WARNING, .codes = "life-remaining" },
	{ "life critical", .temp = 40, .life = 5, .ctl = READY, .want = HEALTH_CRITICAL, .codes = "life-remaining" },
	{ "life unsupported", .temp = 40, .life = -1, .ctl = READY, .want = HEALTH_OK, .codes = "" },
	{ "not ready", .temp = 40, .life = 90, .ctl = OCXLPMEM_HEALTH_MEMORY_AVAILABLE, .want = HEALTH_CRITICAL, .codes = "controller-not-ready" },
	{ "memory unavailable", .temp = 40, .life = 90, .ctl = OCXLPMEM_HEALTH_READY, .want = HEALTH_CRITICAL, .codes = "memory-unavailable" },
	{ "warning and critical: critical wins", .temp = 75, .life = 3, .ctl = READY, .want = HEALTH_CRITICAL, .codes = "temperature life-remaining" },
	{ "data loss logged", .temp = 40, .life = 90, .ctl = READY, .errlog = { [3] = 1 }, .want = HEALTH_CRITICAL, .codes = "error-log-data-loss" },
	{ "predictive failure logged", .temp = 40, .life = 90, .ctl = READY, .errlog = { [1] = 2 }, .want = HEALTH_WARNING, .codes = "error-log-predictive-failure" },
	{ "thermal warning logged", .temp = 40, .life = 90, .ctl = READY, .errlog = { [2] = 1 }, .want = HEALTH_WARNING, .codes = "error-log-thermal-warning" },
	{ "general entry alone is no verdict", .temp = 40, .life = 90, .ctl = READY, .errlog = { [0] = 4 }, .want = HEALTH_OK, .codes = "" },
	{ "health/perf entry is no verdict", .temp = 40, .life = 90, .ctl = READY, .errlog = { [4] = 4 }, .want = HEALTH_OK, .codes = "" },
	{ "replace asked", .temp = 40, .life = 90, .ctl = READY, .errlog = { [0] = 1 }, .actions = OCXLPMEM_ACTION_REPLACE, .want = HEALTH_CRITICAL, .codes = "error-log-replace" },
	{ "check firmware asked", .temp = 40, .life = 90, .ctl = READY, .errlog = { [0] = 1 }, .actions = OCXLPMEM_ACTION_CHKFW, .want = HEALTH_WARNING, .codes = "error-log-check-firmware" },
	{ "resource utilisation", .temp = 40, .life = 90, .ctl = READY, .resource_pct = 95, .want = HEALTH_WARNING, .codes = "resource-utilization" },
	{ "absent", .absent = true, .want = HEALTH_OFFLINE, .codes = "card-offline" },
	{ "unresponsive", .unresponsive = true, .temp = 99, .want = HEALTH_UNRESPONSIVE, .codes = "card-unresponsive" },
	{ "hardware fatal", .fatal_hw = true, .temp = 40, .life = 90, .ctl = READY, .want = HEALTH_FATAL, .codes = "card-fatal" },
	{ "firmware fatal and gone", .fatal_fw = true, .absent = true, .want = HEALTH_FATAL, .codes = "card-fatal card-offline" },
};

static void check_row(const struct row *row)
{
	struct ocxlpmem_smart smart = make_smart(row->temp, row->life);
	struct ocxlpmem_health ctl = { .flags = row->ctl };
	struct ocxlpmem_stats stats = { .critical_resource_utilization_pct = row->resource_pct };
	struct health_input in = {
		.present = !row->absent,
		.fatal_hardware = row->fatal_hw,
		.fatal_firmware = row->fatal_fw,
		.unresponsive = row->unresponsive,
		.smart = row->no_data ? NULL : &smart,
		.ctl = row->no_data ? NULL : &ctl,
		.stats = row->no_data ? NULL : &stats,
		.recent_actions = row->actions,
		.thresholds = &thr,
	};
	struct health_report rep;
	char codes[256] = "";

	memcpy(in.recent_errlog, row->errlog, sizeof(in.recent_errlog));
	health_evaluate(&in, &rep);
	for (unsigned int i = 0; i < rep.nreasons; i++) {
		if (i)
			strcat(codes, " ");
		strcat(codes, rep.reasons[i].code);
		assert_true(rep.reasons[i].text[0] != '\0');
		assert_true(rep.reasons[i].level >= HEALTH_WARNING);
	}
	if (rep.state != row->want || strcmp(codes, row->codes) != 0)
		fail_msg("%s: got %s [%s], want %s [%s]", row->name, card_health_name(rep.state),
			 codes, card_health_name(row->want), row->codes);
}

static void test_rules_table(void **state)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
}

static void test_values_kept_for_alerts(void **state)
{
	struct ocxlpmem_smart smart = make_smart(91, 90);
	struct ocxlpmem_health ctl = { .flags = READY };
	struct health_input in = { .present = true, .smart = &smart, .ctl = &ctl, .thresholds = &thr };
	struct health_report rep;
	const struct health_reason *t;

	health_evaluate(&in, &rep);
	t = health_report_find(&rep, "temperature");
	assert_non_null(t);
	assert_true(t->has_value);
	assert_int_equal(t->value, 91);
	assert_int_equal(t->threshold, 85);
	assert_non_null(strstr(t->text, "91 C"));
	assert_null(health_report_find(&rep, "life-remaining"));
}

static void test_names_round_trip(void **state)
{
	for (int h = 0; h <= HEALTH_STATE_MAX; h++)
		assert_int_equal(card_health_from_name(card_health_name(h)), h);
	assert_int_equal(card_health_from_name("sick"), -EINVAL);
	assert_string_equal(card_health_name(99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_table),
		cmocka_unit_test(test_values_kept_for_alerts),
		cmocka_unit_test(test_names_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
