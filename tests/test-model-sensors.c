// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * SMART and controller statistics of the card model: plausible values,
 * bounded deterministic drift driven by the seed and the clock, forced
 * values, attributes an older firmware lacks, counters that grow.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ocxlpmem/codec.h>
#include <ocxlpmem/model.h>

#define MIN_MS 60000ull
#define HOUR_MS 3600000ull
#define VENDOR_ID 0xF5

struct env {
	struct ocxlpmem_model *m;
	uint64_t now_ms;
};

static uint64_t test_clock(void *userdata)
{
	return *(uint64_t *)userdata;
}

static struct ocxlpmem_model *model_new(uint64_t seed, uint64_t *clock)
{
	struct ocxlpmem_model_config cfg = {
		.seed = seed,
		.clock_ms = test_clock,
		.clock_userdata = clock,
	};
	struct ocxlpmem_model *m = NULL;

	assert_int_equal(ocxlpmem_model_new(&cfg, &m), 0);
	return m;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	e->now_ms = 1000;
	e->m = model_new(42, &e->now_ms);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	ocxlpmem_model_free(e->m);
	free(e);
	return 0;
}

/* SMART through the wire: raw reply bytes in raw (when not NULL). */
static struct ocxlpmem_smart get_smart_raw(struct ocxlpmem_model *m, uint8_t *raw,
					   size_t *ret_len)
{
	uint8_t out[8 + 16 + 16 * OCXLPMEM_SMART_MAX_ATTRS];
	struct ocxlpmem_reply rep;
	struct ocxlpmem_smart s;
	size_t fw_size = 0;

	assert_int_equal(ocxlpmem_model_call(m, OCXLPMEM_FN_SMART, NULL, 0, out, sizeof(out),
					     &fw_size),
			 0);
	assert_true(fw_size <= sizeof(out));
	assert_int_equal(ocxlpmem_reply_decode(out, fw_size, &rep), 0);
	assert_int_equal(rep.card_status, OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_smart_decode(rep.data, rep.data_len, &s), 0);
	if (raw) {
		memcpy(raw, out, fw_size);
		*ret_len = fw_size;
	}
	return s;
}

static struct ocxlpmem_smart get_smart(struct ocxlpmem_model *m)
{
	return get_smart_raw(m, NULL, NULL);
}

static int temperature(struct ocxlpmem_model *m)
{
	struct ocxlpmem_smart s = get_smart(m);
	int t = -1000;

	assert_true(ocxlpmem_smart_temperature_c(&s, &t));
	return t;
}

static struct ocxlpmem_stats get_stats(struct ocxlpmem_model *m)
{
	uint8_t out[8 + 112];
	struct ocxlpmem_reply rep;
	struct ocxlpmem_stats st;
	size_t fw_size = 0;

	assert_int_equal(ocxlpmem_model_call(m, OCXLPMEM_FN_CONTROLLER_STATS, NULL, 0, out,
					     sizeof(out), &fw_size),
			 0);
	assert_int_equal(fw_size, sizeof(out));
	assert_int_equal(ocxlpmem_reply_decode(out, fw_size, &rep), 0);
	assert_int_equal(rep.card_status, OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_stats_decode(rep.data, rep.data_len, &st), 0);
	return st;
}

/* Field by field: the structs have padding. */
static void stats_equal(const struct ocxlpmem_stats *a, const struct ocxlpmem_stats *b)
{
	assert_int_equal(a->reset_count, b->reset_count);
	assert_int_equal(a->reset_uptime_s, b->reset_uptime_s);
	assert_int_equal(a->power_on_uptime_s, b->power_on_uptime_s);
	assert_int_equal(a->life_remaining_pct, b->life_remaining_pct);
	assert_int_equal(a->critical_resource_utilization_pct,
			 b->critical_resource_utilization_pct);
	assert_int_equal(a->host_load_count, b->host_load_count);
	assert_int_equal(a->host_store_count, b->host_store_count);
	assert_int_equal(a->host_load_duration_ns, b->host_load_duration_ns);
	assert_int_equal(a->host_store_duration_ns, b->host_store_duration_ns);
	assert_int_equal(a->media_read_count, b->media_read_count);
	assert_int_equal(a->media_write_count, b->media_write_count);
	assert_int_equal(a->media_read_duration_ns, b->media_read_duration_ns);
	assert_int_equal(a->media_write_duration_ns, b->media_write_duration_ns);
	assert_int_equal(a->cache_read_hit_count, b->cache_read_hit_count);
	assert_int_equal(a->cache_write_hit_count, b->cache_write_hit_count);
	assert_int_equal(a->fast_write_count, b->fast_write_count);
}

static void test_smart_attributes(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_smart s = get_smart(e->m);
	const struct ocxlpmem_smart_attr *a;
	unsigned int life = 0;
	uint64_t hours = 0;
	int t = 0;

	assert_int_equal(s.count, 4);
	assert_true(ocxlpmem_smart_temperature_c(&s, &t));
	assert_in_range(t, 34, 46);
	assert_true(ocxlpmem_smart_life_remaining_pct(&s, &life));
	assert_in_range(life, 90, 100);
	assert_true(ocxlpmem_smart_power_on_hours(&s, &hours));
	assert_in_range(hours, 1000, 21000);

	a = ocxlpmem_smart_find(&s, OCXLPMEM_SMART_TEMPERATURE);
	assert_non_null(a);
	assert_int_equal(a->raw >> 16, 0);
	/* Normalised: 100 at 40 C or below, the threshold is 95 C. */
	assert_int_equal(a->current, t <= 40 ? 100 : 140 - t);
	assert_int_equal(a->threshold, 45);
	assert_true(a->worst <= a->current);
	assert_true(a->current > a->threshold);

	a = ocxlpmem_smart_find(&s, OCXLPMEM_SMART_LIFE_REMAINING);
	assert_non_null(a);
	assert_int_equal(a->current, a->raw);
	assert_int_equal(a->threshold, 10);
	assert_int_equal(a->worst, a->current);

	a = ocxlpmem_smart_find(&s, OCXLPMEM_SMART_POWER_ON_HOURS);
	assert_non_null(a);
	assert_int_equal(a->current, 100);
	assert_int_equal(a->worst, 100);

	a = ocxlpmem_smart_find(&s, VENDOR_ID);
	assert_non_null(a);
	assert_int_equal(a->threshold, 0);
}

/* Power-on hours follow the clock; life falls 1 % per 1000 hours. */
static void test_smart_clock(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_smart s = get_smart(e->m);
	unsigned int life0 = 0, life1 = 0;
	uint64_t h0 = 0, h1 = 0;

	assert_true(ocxlpmem_smart_power_on_hours(&s, &h0));
	assert_true(ocxlpmem_smart_life_remaining_pct(&s, &life0));
	e->now_ms += 5 * HOUR_MS;
	s = get_smart(e->m);
	assert_true(ocxlpmem_smart_power_on_hours(&s, &h1));
	assert_int_equal(h1, h0 + 5);
	assert_true(ocxlpmem_smart_life_remaining_pct(&s, &life1));
	assert_int_equal(life1, life0);

	e->now_ms += 2000 * HOUR_MS;
	s = get_smart(e->m);
	assert_true(ocxlpmem_smart_life_remaining_pct(&s, &life1));
	assert_int_equal(life1, life0 - 2);
	assert_true(ocxlpmem_smart_power_on_hours(&s, &h1));
	assert_int_equal(h1, h0 + 2005);

	/* Worn out: life stops at 0, never wraps. */
	e->now_ms += 200000 * HOUR_MS;
	s = get_smart(e->m);
	assert_true(ocxlpmem_smart_life_remaining_pct(&s, &life1));
	assert_int_equal(life1, 0);
}

/* A week of minutes: the walk moves, stays in bounds, centres near 40. */
static void test_temperature_drift_bounded(void **state)
{
	struct env *e = *state;
	bool seen[64] = { false };
	unsigned int distinct = 0, changes = 0;
	long sum = 0;
	int prev = temperature(e->m);
	const int steps = 7 * 24 * 60;

	for (int i = 0; i < steps; i++) {
		int t;

		e->now_ms += MIN_MS;
		t = temperature(e->m);
		assert_in_range(t, 34, 46);
		/* One step at a time: never a jump. */
		assert_true(t - prev <= 1 && prev - t <= 1);
		changes += t != prev;
		if (!seen[t]) {
			seen[t] = true;
			distinct++;
		}
		sum += t;
		prev = t;
	}
	assert_true(distinct >= 4);
	assert_true(changes >= (unsigned int)steps / 4);
	assert_in_range(sum / steps, 37, 43);
}

/* Same seed and clock, same bytes; reading in between changes nothing;
 * a clock that goes back replays. */
static void test_temperature_deterministic(void **state)
{
	struct env *e = *state;
	uint64_t clock2 = e->now_ms, clock3 = e->now_ms;
	struct ocxlpmem_model *m2 = model_new(42, &clock2);
	struct ocxlpmem_model *m3 = model_new(43, &clock3);
	uint8_t a[512], b[512];
	size_t la = 0, lb = 0;
	int differ = 0;

	for (int i = 0; i < 500; i++) {
		e->now_ms += 7 * MIN_MS;
		clock2 = clock3 = e->now_ms;
		get_smart_raw(e->m, a, &la);
		get_smart_raw(m2, b, &lb);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		differ += temperature(e->m) != temperature(m3);
	}
	/* Another seed walks another way. */
	assert_true(differ > 0);

	/* A model read only once, at the end, agrees with one read all along. */
	ocxlpmem_model_free(m2);
	clock2 = 1000;
	m2 = model_new(42, &clock2);
	clock2 = e->now_ms;
	assert_int_equal(temperature(m2), temperature(e->m));

	/* Back in time: the walk is replayed from power-on. */
	e->now_ms = 1000 + 90 * MIN_MS;
	clock3 = 1000;
	ocxlpmem_model_free(m3);
	m3 = model_new(42, &clock3);
	clock3 = e->now_ms;
	assert_int_equal(temperature(e->m), temperature(m3));

	ocxlpmem_model_free(m2);
	ocxlpmem_model_free(m3);
}

static void test_forced_temperature(void **state)
{
	struct env *e = *state;
	const struct ocxlpmem_smart_attr *a;
	struct ocxlpmem_smart s;
	int natural = temperature(e->m);

	ocxlpmem_model_set_temperature(e->m, 97);
	s = get_smart(e->m);
	a = ocxlpmem_smart_find(&s, OCXLPMEM_SMART_TEMPERATURE);
	assert_non_null(a);
	assert_int_equal(a->raw, 97);
	/* Past the threshold, as a real overheating card reports. */
	assert_int_equal(a->current, 43);
	assert_true(a->current <= a->threshold);
	assert_int_equal(a->worst, 43);

	ocxlpmem_model_set_temperature(e->m, -1);
	assert_int_equal(temperature(e->m), natural);
	s = get_smart(e->m);
	a = ocxlpmem_smart_find(&s, OCXLPMEM_SMART_TEMPERATURE);
	/* The worst value remembers the heat. */
	assert_int_equal(a->worst, 43);
	assert_true(a->current > a->threshold);

	/* 0 C is a value, not "resume". */
	ocxlpmem_model_set_temperature(e->m, 0);
	assert_int_equal(temperature(e->m), 0);
}

static void test_forced_life(void **state)
{
	struct env *e = *state;
	const struct ocxlpmem_smart_attr *a;
	struct ocxlpmem_smart s;
	unsigned int pct = 0;

	ocxlpmem_model_set_life_remaining(e->m, 5);
	s = get_smart(e->m);
	assert_true(ocxlpmem_smart_life_remaining_pct(&s, &pct));
	assert_int_equal(pct, 5);
	a = ocxlpmem_smart_find(&s, OCXLPMEM_SMART_LIFE_REMAINING);
	assert_true(a->current < a->threshold);
	assert_int_equal(get_stats(e->m).life_remaining_pct, 5);
	assert_int_equal(get_stats(e->m).critical_resource_utilization_pct, 95);

	ocxlpmem_model_set_life_remaining(e->m, 250);
	s = get_smart(e->m);
	assert_true(ocxlpmem_smart_life_remaining_pct(&s, &pct));
	assert_int_equal(pct, 100);
	a = ocxlpmem_smart_find(&s, OCXLPMEM_SMART_LIFE_REMAINING);
	assert_int_equal(a->worst, 5);

	ocxlpmem_model_set_life_remaining(e->m, -1);
	s = get_smart(e->m);
	assert_true(ocxlpmem_smart_life_remaining_pct(&s, &pct));
	assert_in_range(pct, 90, 100);
}

static void test_drop_attr(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_smart s;
	unsigned int pct;
	uint64_t hours;
	int t;

	ocxlpmem_model_drop_smart_attr(e->m, OCXLPMEM_SMART_TEMPERATURE);
	s = get_smart(e->m);
	assert_int_equal(s.count, 3);
	assert_false(ocxlpmem_smart_temperature_c(&s, &t));
	assert_true(ocxlpmem_smart_life_remaining_pct(&s, &pct));
	assert_true(ocxlpmem_smart_power_on_hours(&s, &hours));

	ocxlpmem_model_drop_smart_attr(e->m, OCXLPMEM_SMART_LIFE_REMAINING);
	ocxlpmem_model_drop_smart_attr(e->m, OCXLPMEM_SMART_POWER_ON_HOURS);
	ocxlpmem_model_drop_smart_attr(e->m, VENDOR_ID);
	/* An id the card never had: nothing changes. */
	ocxlpmem_model_drop_smart_attr(e->m, 0x01);
	s = get_smart(e->m);
	assert_int_equal(s.count, 0);
	assert_false(ocxlpmem_smart_life_remaining_pct(&s, &pct));
	assert_false(ocxlpmem_smart_power_on_hours(&s, &hours));
}

static void test_stats(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_stats a = get_stats(e->m), b;
	uint64_t clock2 = 1000;
	struct ocxlpmem_model *m2;

	/* At power-on nothing has happened yet. */
	assert_int_equal(a.reset_count, 0);
	assert_int_equal(a.power_on_uptime_s, 0);
	assert_int_equal(a.host_load_count, 0);

	e->now_ms += 3600 * 1000;
	a = get_stats(e->m);
	assert_int_equal(a.power_on_uptime_s, 3600);
	assert_int_equal(a.reset_uptime_s, 3600);
	assert_in_range(a.host_load_count, 40000ull * 3600, 60000ull * 3600);
	assert_in_range(a.host_store_count, 15000ull * 3600, 25000ull * 3600);
	assert_int_equal(a.cache_read_hit_count + a.media_read_count, a.host_load_count);
	assert_int_equal(a.cache_write_hit_count + a.media_write_count, a.host_store_count);
	assert_true(a.host_load_duration_ns >= a.host_load_count);
	assert_true(a.fast_write_count <= a.host_store_count);
	assert_int_equal(a.life_remaining_pct + a.critical_resource_utilization_pct, 100);

	e->now_ms += 60 * 1000;
	b = get_stats(e->m);
	assert_true(b.host_load_count > a.host_load_count);
	assert_true(b.host_store_count > a.host_store_count);
	assert_true(b.media_read_count >= a.media_read_count);
	assert_true(b.media_write_duration_ns >= a.media_write_duration_ns);

	/* Deterministic: another model with the same seed agrees. */
	m2 = model_new(42, &clock2);
	clock2 = e->now_ms;
	a = get_stats(m2);
	stats_equal(&a, &b);
	ocxlpmem_model_free(m2);

	/* A reset counts, and restarts reset_uptime only. */
	ocxlpmem_model_reset(e->m);
	e->now_ms += 10 * 1000;
	a = get_stats(e->m);
	assert_int_equal(a.reset_count, 1);
	assert_int_equal(a.reset_uptime_s, 10);
	assert_int_equal(a.power_on_uptime_s, 3670);
}

/* A test clock that runs backwards must not make the card's time wrap. */
static void test_clock_before_power_on(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_stats st;

	e->now_ms = 0;
	st = get_stats(e->m);
	assert_int_equal(st.power_on_uptime_s, 0);
	assert_int_equal(st.reset_uptime_s, 0);
	assert_in_range(temperature(e->m), 34, 46);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_smart_attributes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smart_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_temperature_drift_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_temperature_deterministic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forced_temperature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forced_life, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_attr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_before_power_on, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
