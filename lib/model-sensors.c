// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the card measures: SMART attributes and controller statistics.
 *
 * Every value is a function of the seed and the model's clock (plus the
 * values a scenario forces), so two models with the same seed read at the
 * same clock give the same bytes, and a test can step the clock and know
 * what the card must say.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model-private.h"
#include "private.h"

#define MS_PER_HOUR 3600000ull

/*
 * Temperature: a random walk of one step per minute of card time, each step
 * -1, 0 or +1 degree, pulled towards 40 C and clamped, so it wanders like a
 * real sensor without ever leaving [34, 46].
 */
#define TEMP_STEP_MS 60000ull
#define TEMP_CENTER 40
#define TEMP_MIN 34
#define TEMP_MAX 46
/* SMART's normalised temperature: 100 up to 40 C, one point less per degree
 * above; the threshold is crossed at 95 C. */
#define TEMP_NORM_BASE 140
#define TEMP_CRITICAL_C 95

/* Wear: life remaining falls one percent per 1000 power-on hours. */
#define LIFE_HOURS_PER_PCT 1000
#define LIFE_THRESHOLD_PCT 10

#define SMART_VENDOR_ID 0xF5 /* corrected media errors, vendor-specific */

/* ATA-style attribute flags: bit 0 pre-failure, bit 1 online, bit 4 event count. */
#define FLAGS_POWER_ON_HOURS 0x0012
#define FLAGS_TEMPERATURE 0x0022
#define FLAGS_LIFE_REMAINING 0x0013
#define FLAGS_VENDOR 0x0012

static void walk_to(struct ocxlpmem_model *m, uint64_t step)
{
	uint64_t key = model_stream_key(m->seed, MODEL_STREAM_TEMP);

	/* walk_temp 0 is "not started"; a clock that went back replays. */
	if (!m->walk_temp || step < m->walk_step) {
		m->walk_step = 0;
		m->walk_temp = TEMP_CENTER - 2 + (int)(key % 5);
		m->walk_max = m->walk_temp;
	}
	while (m->walk_step < step) {
		unsigned int u, down, up;
		int t = m->walk_temp;

		m->walk_step++;
		u = (unsigned int)(model_rand(key, m->walk_step) % 8);
		down = 2 + (t > TEMP_CENTER);
		up = 2 + (t < TEMP_CENTER);
		if (u < down)
			t--;
		else if (u >= 8 - up)
			t++;
		t = MAX(TEMP_MIN, MIN(TEMP_MAX, t));
		m->walk_temp = t;
		m->walk_max = MAX(m->walk_max, t);
	}
}

int model_temperature_locked(struct ocxlpmem_model *m)
{
	walk_to(m, model_uptime_ms(m) / TEMP_STEP_MS);
	return m->temp_forced >= 0 ? m->temp_forced : m->walk_temp;
}

static uint8_t temp_norm(int celsius)
{
	int v = TEMP_NORM_BASE - celsius;

	return (uint8_t)MAX(1, MIN(100, v));
}

unsigned int model_life_locked(struct ocxlpmem_model *m)
{
	uint64_t start = 90 + model_stream_key(m->seed, MODEL_STREAM_LIFE) % 11;
	uint64_t worn = model_uptime_ms(m) / MS_PER_HOUR / LIFE_HOURS_PER_PCT;

	if (m->life_forced >= 0)
		return (unsigned int)m->life_forced;
	return worn >= start ? 0 : (unsigned int)(start - worn);
}

/*
 * The card is powered while it boots: every power cycle adds its
 * readiness time, so entries on either side of one never share a
 * power-on second, however quickly a test makes them.
 */
uint64_t model_power_on_seconds_locked(struct ocxlpmem_model *m)
{
	return m->poh_base_hours * 3600 + model_uptime_ms(m) / 1000 +
	       (uint64_t)m->power_cycles * MODEL_READINESS_TIMEOUT_S;
}

static bool attr_dropped(const struct ocxlpmem_model *m, uint8_t id)
{
	return m->dropped[id / 8] & (1u << (id % 8));
}

static void attr_add(const struct ocxlpmem_model *m, struct ocxlpmem_smart *s,
		     const struct ocxlpmem_smart_attr *a)
{
	if (!attr_dropped(m, a->id) && s->count < OCXLPMEM_SMART_MAX_ATTRS)
		s->attrs[s->count++] = *a;
}

int model_smart(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len, struct model_reply *r)
{
	uint64_t hours = model_uptime_ms(m) / MS_PER_HOUR;
	int temp = model_temperature_locked(m);
	int hottest = MAX(m->walk_max, MAX(m->temp_forced_max, temp));
	unsigned int life = model_life_locked(m);
	struct ocxlpmem_smart s = { .count = 0 };
	ssize_t n;

	attr_add(m, &s, &(struct ocxlpmem_smart_attr){
		.id = OCXLPMEM_SMART_POWER_ON_HOURS,
		.flags = FLAGS_POWER_ON_HOURS,
		.current = 100,
		.threshold = 0,
		.worst = 100,
		.raw = m->poh_base_hours + hours,
	});
	attr_add(m, &s, &(struct ocxlpmem_smart_attr){
		.id = OCXLPMEM_SMART_TEMPERATURE,
		.flags = FLAGS_TEMPERATURE,
		.current = temp_norm(temp),
		.threshold = temp_norm(TEMP_CRITICAL_C),
		.worst = temp_norm(hottest),
		.raw = (uint16_t)(int16_t)temp,
	});
	attr_add(m, &s, &(struct ocxlpmem_smart_attr){
		.id = OCXLPMEM_SMART_LIFE_REMAINING,
		.flags = FLAGS_LIFE_REMAINING,
		.current = (uint8_t)life,
		.threshold = LIFE_THRESHOLD_PCT,
		.worst = (uint8_t)MIN(life, (unsigned int)m->life_forced_min),
		.raw = life,
	});
	attr_add(m, &s, &(struct ocxlpmem_smart_attr){
		.id = SMART_VENDOR_ID,
		.flags = FLAGS_VENDOR,
		.current = 100,
		.threshold = 0,
		.worst = 100,
		.raw = model_stream_key(m->seed, MODEL_STREAM_VENDOR) % 50 + hours / 24,
	});

	n = ocxlpmem_smart_encode(&s, r->buf + REPLY_HDR_SIZE, r->data_cap);
	if (n < 0)
		return (int)n;
	r->data_len = (size_t)n;
	return 0;
}

/*
 * Controller statistics: traffic at seeded steady rates since power-on, a
 * cache that serves most of it, and the durations that go with the card's
 * latencies.
 */
int model_stats(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len, struct model_reply *r)
{
	uint64_t key = model_stream_key(m->seed, MODEL_STREAM_STATS);
	uint64_t up_ms = model_uptime_ms(m);
	uint64_t load_rate = 40000 + model_rand(key, 0) % 20000; /* per second */
	uint64_t store_rate = 15000 + model_rand(key, 1) % 10000;
	uint64_t loads = load_rate * up_ms / 1000;
	uint64_t stores = store_rate * up_ms / 1000;
	unsigned int life = model_life_locked(m);
	struct ocxlpmem_stats s = {
		.reset_count = m->reset_count,
		.reset_uptime_s = (uint32_t)(model_ipl_ms(m) / 1000),
		.power_on_uptime_s = (uint32_t)(up_ms / 1000),
		.life_remaining_pct = (uint8_t)life,
		.critical_resource_utilization_pct = (uint8_t)(100 - life),
		.host_load_count = loads,
		.host_store_count = stores,
		.host_load_duration_ns = loads * MODEL_READ_LATENCY_NS,
		.host_store_duration_ns = stores * 180,
		.cache_read_hit_count = loads / 8 * 7,
		.cache_write_hit_count = stores / 4 * 3,
		.fast_write_count = stores / 2,
	};
	ssize_t n;

	s.media_read_count = loads - s.cache_read_hit_count;
	s.media_write_count = stores - s.cache_write_hit_count;
	s.media_read_duration_ns = s.media_read_count * 1200;
	s.media_write_duration_ns = s.media_write_count * 2000;

	n = ocxlpmem_stats_encode(&s, r->buf + REPLY_HDR_SIZE, r->data_cap);
	if (n < 0)
		return (int)n;
	r->data_len = (size_t)n;
	return 0;
}

/* ---- Scenario controls -------------------------------------------------- */

OCXLPMEM_EXPORT void ocxlpmem_model_set_temperature(struct ocxlpmem_model *m, int celsius)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	/* raw carries a signed 16-bit value. */
	m->temp_forced = celsius < 0 ? -1 : MIN(celsius, INT16_MAX);
	m->temp_forced_max = MAX(m->temp_forced_max, m->temp_forced);
	pthread_mutex_unlock(&m->lock);
}

OCXLPMEM_EXPORT void ocxlpmem_model_set_life_remaining(struct ocxlpmem_model *m, int pct)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->life_forced = pct < 0 ? -1 : MIN(pct, 100);
	if (m->life_forced >= 0)
		m->life_forced_min = MIN(m->life_forced_min, m->life_forced);
	pthread_mutex_unlock(&m->lock);
}

OCXLPMEM_EXPORT void ocxlpmem_model_drop_smart_attr(struct ocxlpmem_model *m, uint8_t id)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->dropped[id / 8] |= (uint8_t)(1u << (id % 8));
	pthread_mutex_unlock(&m->lock);
}
