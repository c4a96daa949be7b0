// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus exposition (text format 0.0.4, or OpenMetrics) of the
 * daemon's state.  Pure: it reads card reports (core/card-report.h) and
 * writes text; metrics-cards.c keeps each card's fragment cached and
 * metrics.c serves the text over HTTP.  tests/test-metrics-render.c
 * compares it with golden files.
 *
 * The text format wants each family's samples together, so a card's
 * samples are spread over every family.  Rendering them with stdio for
 * hundreds of cards on every change cost milliseconds, and with polls
 * finishing several times a second at 256 cards nearly every scrape paid
 * it.  So each card's samples are rendered once per change of the card
 * into one buffer with an offset per family (metrics_card_render()), and
 * the exposition is assembled from those fragments with memcpy
 * (metrics_assemble()): a poll that changed one card re-renders one card.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/card-report.h"
#include "metrics/metrics-render.h"
#include "state/state.h"
#include "shared/util/json-blob.h"

/* ---- Sample writers ------------------------------------------------------ */

/* Label values: backslash, double quote and newline escaped (0.0.4). */
static void put_label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*v, f);
	}
}

static void card_sample(FILE *f, const char *name, const struct card_report *rep, const char *extra,
			const char *value)
{
	fprintf(f, "%s{card=\"", name);
	put_label(f, rep->name);
	fputc('"', f);
	if (extra)
		fputs(extra, f);
	fprintf(f, "} %s\n", value);
}

static void card_u64(FILE *f, const char *name, const struct card_report *rep, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	card_sample(f, name, rep, NULL, buf);
}

static void card_double(FILE *f, const char *name, const struct card_report *rep, double v)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%.9g", v);
	card_sample(f, name, rep, NULL, buf);
}

static const char *fw_version_of(const struct card_report *rep)
{
	if (rep->fw && rep->fw->running_version[0])
		return rep->fw->running_version;
	if (rep->caps)
		return rep->caps->fw_version;
	return "";
}

/* ---- Per-card families --------------------------------------------------- */

struct family;
typedef void (*card_emit_fn)(FILE *f, const struct family *fam, const struct card_report *rep);

struct family {
	const char *name, *type, *help;
	card_emit_fn emit;
	size_t stat_offset;     /* emit_stat: the counter in struct ocxlpmem_stats */
	double stat_scale;      /* emit_stat: ns counters to seconds */
};

static const char *const poll_kind_names[POLL_KINDS] = { "health", "stats", "firmware" };

static void emit_info(FILE *f, const struct family *fam, const struct card_report *rep)
{
	fprintf(f, "%s{card=\"%s\",serial=\"%" PRIu64 "\",firmware_version=\"", fam->name, rep->name,
		rep->serial);
	put_label(f, fw_version_of(rep));
	/* Empty while the card is absent, as the version before it is read. */
	fputs("\",transport=\"", f);
	put_label(f, rep->transport ? rep->transport : "");
	fputs("\"} 1\n", f);
}

static void emit_up(FILE *f, const struct family *fam, const struct card_report *rep)
{
	card_u64(f, fam->name, rep, rep->present);
}

static void emit_health(FILE *f, const struct family *fam, const struct card_report *rep)
{
	for (int h = 0; h <= HEALTH_STATE_MAX; h++) {
		char extra[48];

		snprintf(extra, sizeof(extra), ",state=\"%s\"", card_health_name(h));
		card_sample(f, fam->name, rep, extra, rep->health->state == (enum card_health)h ? "1" : "0");
	}
}


/* Sensors: only what a present card reports now, its last read of them
 * succeeded (card_report_smart_now()).  No sample beats a stale or made-up
 * one; when the card cannot be read the rules see the daemon's latched
 * alerts instead. */
static void emit_temperature(FILE *f, const struct family *fam, const struct card_report *rep)
{
	const struct ocxlpmem_smart *smart = card_report_smart_now(rep);
	int t;

	if (smart && ocxlpmem_smart_temperature_c(smart, &t))
		card_double(f, fam->name, rep, t);
}

static void emit_life(FILE *f, const struct family *fam, const struct card_report *rep)
{
	const struct ocxlpmem_smart *smart = card_report_smart_now(rep);
	unsigned int l;

	if (smart && ocxlpmem_smart_life_remaining_pct(smart, &l))
		card_double(f, fam->name, rep, l / 100.0);
}

static void emit_power_on(FILE *f, const struct family *fam, const struct card_report *rep)
{
	const struct ocxlpmem_smart *smart = card_report_smart_now(rep);
	uint64_t hours;

	if (smart && ocxlpmem_smart_power_on_hours(smart, &hours))
		card_u64(f, fam->name, rep, hours * 3600u);
}

static void emit_resets(FILE *f, const struct family *fam, const struct card_report *rep)
{
	const struct ocxlpmem_stats *stats = card_report_stats_now(rep);

	if (stats)
		card_u64(f, fam->name, rep, stats->reset_count);
}

static void emit_critical_resource(FILE *f, const struct family *fam, const struct card_report *rep)
{
	const struct ocxlpmem_stats *stats = card_report_stats_now(rep);

	if (stats)
		card_double(f, fam->name, rep, stats->critical_resource_utilization_pct / 100.0);
}

/* Per-card counters and gauges from the controller statistics. */
static void emit_stat(FILE *f, const struct family *fam, const struct card_report *rep)
{
	const struct ocxlpmem_stats *stats = card_report_stats_now(rep);
	uint64_t v;

	if (!stats)
		return;
	memcpy(&v, (const char *)stats + fam->stat_offset, sizeof(v));
	if (fam->stat_scale == 1)
		card_u64(f, fam->name, rep, v);
	else
		card_double(f, fam->name, rep, (double)v * fam->stat_scale);
}

static void emit_errlog_entries(FILE *f, const struct family *fam, const struct card_report *rep)
{
	static const char *const types[] = {
		"general", "predictive-failure", "thermal-warning", "data-loss", "health-performance",
	};

	for (unsigned int t = 0; t < 5; t++) {
		char extra[48], v[24];

		snprintf(extra, sizeof(extra), ",type=\"%s\"", types[t]);
		snprintf(v, sizeof(v), "%" PRIu64, rep->errlog_total[t]);
		card_sample(f, fam->name, rep, extra, v);
	}
}

static void emit_alerts(FILE *f, const struct family *fam, const struct card_report *rep)
{
	for (size_t a = 0; a < rep->nalerts; a++) {
		const struct alert_record *rec = &rep->alerts[a];
		char extra[96];

		if (!rec->active)
			continue;
		snprintf(extra, sizeof(extra), ",condition=\"%s\"", rec->key);
		card_sample(f, fam->name, rep, extra, "1");
	}
}

static void emit_dump_available(FILE *f, const struct family *fam, const struct card_report *rep)
{
	card_u64(f, fam->name, rep, !!(rep->events & OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE));
}

static void emit_fw_in_progress(FILE *f, const struct family *fam, const struct card_report *rep)
{
	card_u64(f, fam->name, rep, rep->fw && rep->fw->update_state == OCXLPMEM_FW_RECEIVING);
}

static void emit_fw_updates(FILE *f, const struct family *fam, const struct card_report *rep)
{
	static const char *const results[CARD_FW_RESULTS] = { ",result=\"succeeded\"", ",result=\"failed\"",
					       ",result=\"cancelled\"" };
	char v[24];

	for (size_t k = 0; k < CARD_FW_RESULTS; k++) {
		snprintf(v, sizeof(v), "%" PRIu64, rep->fw_updates[k]);
		card_sample(f, fam->name, rep, results[k], v);
	}
}

static void emit_dumps_saved(FILE *f, const struct family *fam, const struct card_report *rep)
{
	card_u64(f, fam->name, rep, rep->dumps_saved);
}

static void emit_dump_failures(FILE *f, const struct family *fam, const struct card_report *rep)
{
	card_u64(f, fam->name, rep, rep->dumps_failed);
}

static void emit_dump_in_progress(FILE *f, const struct family *fam, const struct card_report *rep)
{
	card_u64(f, fam->name, rep, rep->dump_running);
}

/* The store is global (retention may delete any card's dumps): cached card
 * fragments are also keyed on the store's generation. */
static void emit_dumps_stored(FILE *f, const struct family *fam, const struct card_report *rep)
{
	card_u64(f, fam->name, rep, rep->dumps_stored_bytes);
}

/* What the daemon asked the card: a function it never sent has no
 * sample, so a card's unsupported functions show none. */
static void emit_commands(FILE *f, const struct family *fam, const struct card_report *rep)
{
	for (unsigned int fn = OCXLPMEM_FN_MIN; fn <= OCXLPMEM_FN_MAX; fn++) {
		char extra[48], v[24];

		if (!rep->commands[fn])
			continue;
		snprintf(extra, sizeof(extra), ",function=\"%s\"", ocxlpmem_function_name(fn));
		snprintf(v, sizeof(v), "%" PRIu64, rep->commands[fn]);
		card_sample(f, fam->name, rep, extra, v);
	}
}

static void emit_function_supported(FILE *f, const struct family *fam, const struct card_report *rep)
{
	if (!rep->identified)
		return;
	for (unsigned int fn = OCXLPMEM_FN_MIN; fn <= OCXLPMEM_FN_MAX; fn++) {
		char extra[48];

		snprintf(extra, sizeof(extra), ",function=\"%s\"", ocxlpmem_function_name(fn));
		card_sample(f, fam->name, rep, extra, card_report_has_function(rep, fn) ? "1" : "0");
	}
}

/* The collector's own health, per card and poll kind. */
static void emit_collector_up(FILE *f, const struct family *fam, const struct card_report *rep)
{
	const struct card_poll_report *health = &rep->polls[POLL_HEALTH];

	card_u64(f, fam->name, rep,
		 rep->present && health->total && !health->consecutive_failures &&
			 !rep->unresponsive);
}

static void emit_polls(FILE *f, const struct family *fam, const struct card_report *rep)
{
	for (unsigned int k = 0; k < POLL_KINDS; k++) {
		char extra[32], v[24];

		snprintf(extra, sizeof(extra), ",kind=\"%s\"", poll_kind_names[k]);
		snprintf(v, sizeof(v), "%" PRIu64, rep->polls[k].total);
		card_sample(f, fam->name, rep, extra, v);
	}
}

static void emit_poll_failures(FILE *f, const struct family *fam, const struct card_report *rep)
{
	for (unsigned int k = 0; k < POLL_KINDS; k++) {
		char extra[32], v[24];

		snprintf(extra, sizeof(extra), ",kind=\"%s\"", poll_kind_names[k]);
		snprintf(v, sizeof(v), "%" PRIu64, rep->polls[k].failed);
		card_sample(f, fam->name, rep, extra, v);
	}
}

static void emit_poll_duration(FILE *f, const struct family *fam, const struct card_report *rep)
{
	for (unsigned int k = 0; k < POLL_KINDS; k++) {
		char extra[32], v[32];

		if (!rep->polls[k].total)
			continue;
		snprintf(extra, sizeof(extra), ",kind=\"%s\"", poll_kind_names[k]);
		snprintf(v, sizeof(v), "%.3f", rep->polls[k].last_duration_ms / 1000.0);
		card_sample(f, fam->name, rep, extra, v);
	}
}

/* When each reading last succeeded: how old a value is, and that it is
 * missing because its reads fail, not because it was never there. */
static void emit_reading_success(FILE *f, const struct family *fam, const struct card_report *rep)
{
	static const char *const names[READING_KINDS] = {
		"smart", "controller-health", "stats", "firmware",
	};

	for (unsigned int k = 0; k < READING_KINDS; k++) {
		char extra[48], v[32];

		if (!rep->reading_ok_us[k])
			continue;
		snprintf(extra, sizeof(extra), ",reading=\"%s\"", names[k]);
		snprintf(v, sizeof(v), "%.3f", rep->reading_ok_us[k] / 1e6);
		card_sample(f, fam->name, rep, extra, v);
	}
}

static void emit_poll_success(FILE *f, const struct family *fam, const struct card_report *rep)
{
	for (unsigned int k = 0; k < POLL_KINDS; k++) {
		char extra[32], v[32];

		if (!rep->polls[k].last_ok_us)
			continue;
		snprintf(extra, sizeof(extra), ",kind=\"%s\"", poll_kind_names[k]);
		snprintf(v, sizeof(v), "%.3f", rep->polls[k].last_ok_us / 1e6);
		card_sample(f, fam->name, rep, extra, v);
	}
}

#define FAMILY(n, t, h, fn) { "ocxlpmem_card_" n, t, h, fn, 0, 0 }
#define STAT(n, h, field, sc) \
	{ "ocxlpmem_card_" n, "counter", h, emit_stat, offsetof(struct ocxlpmem_stats, field), sc }

/* In the order of the exposition. */
static const struct family families[] = {
	FAMILY("info", "gauge", "Identity of each card the daemon knows (value 1).", emit_info),
	FAMILY("up", "gauge", "1 when the card is present, 0 when offline.", emit_up),
	FAMILY("health", "gauge", "Health state of the card: 1 for the current state, 0 for the others.",
	       emit_health),
	FAMILY("temperature_celsius", "gauge", "Controller temperature.", emit_temperature),
	FAMILY("life_remaining_ratio", "gauge", "Remaining media life, 0 to 1.", emit_life),
	FAMILY("power_on_seconds_total", "counter", "Card power-on time.", emit_power_on),
	FAMILY("resets_total", "counter", "Controller resets.", emit_resets),
	FAMILY("critical_resource_utilization_ratio", "gauge",
	       "Utilisation of the controller's critical resource, 0 to 1.", emit_critical_resource),
	STAT("host_loads_total", "Host load operations the controller served.", host_load_count, 1),
	STAT("host_stores_total", "Host store operations the controller served.", host_store_count, 1),
	STAT("host_load_duration_seconds_total", "Time spent in host loads.", host_load_duration_ns, 1e-9),
	STAT("host_store_duration_seconds_total", "Time spent in host stores.", host_store_duration_ns, 1e-9),
	STAT("media_reads_total", "Media read operations.", media_read_count, 1),
	STAT("media_writes_total", "Media write operations.", media_write_count, 1),
	STAT("media_read_duration_seconds_total", "Time spent in media reads.", media_read_duration_ns, 1e-9),
	STAT("media_write_duration_seconds_total", "Time spent in media writes.", media_write_duration_ns, 1e-9),
	STAT("cache_read_hits_total", "Controller cache read hits.", cache_read_hit_count, 1),
	STAT("cache_write_hits_total", "Controller cache write hits.", cache_write_hit_count, 1),
	STAT("fast_writes_total", "Fast writes.", fast_write_count, 1),
	FAMILY("error_log_entries_total", "counter",
	       "Error-log entries the daemon has read from the card, by type.", emit_errlog_entries),
	FAMILY("alert_active", "gauge", "1 for each alert condition currently latched on the card.",
	       emit_alerts),
	FAMILY("controller_dump_available", "gauge",
	       "1 while the card holds a controller dump for collection.", emit_dump_available),
	FAMILY("firmware_update_in_progress", "gauge",
	       "1 while the card is receiving a firmware image.", emit_fw_in_progress),
	FAMILY("firmware_updates_total", "counter",
	       "Firmware updates ended since the daemon started, by result.", emit_fw_updates),
	FAMILY("dumps_saved_total", "counter",
	       "Controller dumps collected and saved since the daemon started.", emit_dumps_saved),
	FAMILY("dump_collection_failures_total", "counter",
	       "Controller-dump collections that failed (the card kept its dump).", emit_dump_failures),
	FAMILY("dump_collection_in_progress", "gauge",
	       "1 while a controller dump is being collected from the card.", emit_dump_in_progress),
	FAMILY("dumps_stored_bytes", "gauge",
	       "Bytes of the card's saved controller dumps in the state directory.", emit_dumps_stored),
	FAMILY("commands_total", "counter", "Commands the daemon sent the card, by function.",
	       emit_commands),
	FAMILY("function_supported", "gauge",
	       "1 for each function the daemon uses on the card, 0 for one the card lacks "
	       "(not in its CAPABILITIES, or refused with ENOTTY).", emit_function_supported),
	FAMILY("collector_up", "gauge",
	       "1 when the card's last health poll succeeded, 0 when it failed or the card is absent.",
	       emit_collector_up),
	FAMILY("polls_total", "counter", "Polls of the card, by kind.", emit_polls),
	FAMILY("poll_failures_total", "counter", "Failed polls of the card, by kind.", emit_poll_failures),
	FAMILY("poll_duration_seconds", "gauge", "How long the card's last poll of each kind took.",
	       emit_poll_duration),
	FAMILY("last_poll_success_timestamp_seconds", "gauge",
	       "When the card's last successful poll of each kind ended (Unix time).", emit_poll_success),
	FAMILY("reading_success_timestamp_seconds", "gauge",
	       "When each reading of the card last succeeded (Unix time); its values are exported only while its last read succeeded.",
	       emit_reading_success),
};

_Static_assert(sizeof(families) / sizeof(families[0]) == METRICS_CARD_FAMILIES,
	       "METRICS_CARD_FAMILIES counts the families");
#define NFAMILIES METRICS_CARD_FAMILIES

/* ---- Per-card fragments -------------------------------------------------- */

int metrics_card_render(const struct card_report *rep, struct metrics_card *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	for (size_t k = 0; k < NFAMILIES; k++) {
		fflush(f);
		ret->off[k] = len;
		families[k].emit(f, &families[k], rep);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	ret->off[NFAMILIES] = len;
	ret->text = buf;
	return 0;
}

bool metrics_card_equal(const struct metrics_card *a, const struct metrics_card *b)
{
	return memcmp(a->off, b->off, sizeof(a->off)) == 0 &&
	       memcmp(a->text, b->text, a->off[NFAMILIES]) == 0;
}

/* ---- The exposition -------------------------------------------------------- */

/* How long a family's name is in its HELP and TYPE lines: OpenMetrics
 * names a counter family without the "_total" its samples carry. */
static int header_name_len(const char *name, const char *type, enum metrics_format format)
{
	size_t n = strlen(name);

	if (format == METRICS_OPENMETRICS && strcmp(type, "counter") == 0 && n > 6 &&
	    strcmp(name + n - 6, "_total") == 0)
		n -= 6;
	return (int)n;
}

static int family_header(const struct family *fam, enum metrics_format format, char *buf,
			 size_t size)
{
	int n = header_name_len(fam->name, fam->type, format);

	return snprintf(buf, size, "# HELP %.*s %s\n# TYPE %.*s %s\n", n, fam->name, fam->help, n,
			fam->name, fam->type);
}

static const char eof_line[] = "# EOF\n";

int metrics_assemble(const struct metrics_head *h, const struct metrics_card *const *frag,
		     size_t ncards, enum metrics_format format, struct json_blob **ret)
{
	struct json_blob *blob;
	static const char renders[] = "ocxlpmem_exporter_renders_total";
	int renders_len = header_name_len(renders, "counter", format);
	size_t eof_len = format == METRICS_OPENMETRICS ? sizeof(eof_line) - 1 : 0;
	char head[2048], *buf, *at;
	size_t len;
	int hlen;

	hlen = snprintf(head, sizeof(head),
			"# HELP ocxlpmem_exporter_info ocxlpmemd's version and mode (value 1).\n"
			"# TYPE ocxlpmem_exporter_info gauge\n"
			"ocxlpmem_exporter_info{version=\"%s\",abi_version=\"%d\",backend=\"%s\"} 1\n"
			"# HELP ocxlpmem_cards Cards the daemon knows, present or not.\n"
			"# TYPE ocxlpmem_cards gauge\n"
			"ocxlpmem_cards %zu\n"
			"# HELP ocxlpmem_cards_present Cards present now.\n"
			"# TYPE ocxlpmem_cards_present gauge\n"
			"ocxlpmem_cards_present %u\n",
			h->version, h->abi_version, h->backend, ncards, h->present);
	if (hlen > 0 && (size_t)hlen < sizeof(head) && h->have_renders)
		hlen += snprintf(head + hlen, sizeof(head) - (size_t)hlen,
				 "# HELP %.*s Times the /metrics text was rendered anew (this one included).\n"
				 "# TYPE %.*s counter\n"
				 "%s %" PRIu64 "\n",
				 renders_len, renders, renders_len, renders, renders, h->renders);
	if (hlen > 0 && (size_t)hlen < sizeof(head) && h->have_sim_bytes)
		hlen += snprintf(head + hlen, sizeof(head) - (size_t)hlen,
				 "# HELP ocxlpmem_simulation_model_bytes Bytes the simulated cards hold: not the daemon's own footprint.\n"
				 "# TYPE ocxlpmem_simulation_model_bytes gauge\n"
				 "ocxlpmem_simulation_model_bytes %" PRIu64 "\n", h->sim_bytes);
	if (hlen < 0 || (size_t)hlen >= sizeof(head))
		return -ENAMETOOLONG;

	/* One allocation of the exact size, then copies. */
	len = (size_t)hlen + eof_len;
	for (size_t k = 0; k < NFAMILIES; k++) {
		len += (size_t)family_header(&families[k], format, NULL, 0);
		for (size_t i = 0; i < ncards; i++)
			len += frag[i]->off[k + 1] - frag[i]->off[k];
	}
	blob = json_blob_new(len);
	if (!blob)
		return -ENOMEM;
	buf = blob->text;
	memcpy(buf, head, (size_t)hlen);
	at = buf + hlen;
	for (size_t k = 0; k < NFAMILIES; k++) {
		at += family_header(&families[k], format, at, (size_t)(buf + len + 1 - at));
		for (size_t i = 0; i < ncards; i++) {
			size_t n = frag[i]->off[k + 1] - frag[i]->off[k];

			memcpy(at, frag[i]->text + frag[i]->off[k], n);
			at += n;
		}
	}
	memcpy(at, eof_line, eof_len);
	at += eof_len;
	*at = '\0';
	*ret = blob;
	return 0;
}

int metrics_render_reports(const struct metrics_head *h, const struct card_report *reps,
			   size_t n, enum metrics_format format, struct json_blob **ret)
{
	struct metrics_card *cards = calloc(n ? n : 1, sizeof(*cards));
	const struct metrics_card **frag = calloc(n ? n : 1, sizeof(*frag));
	struct metrics_head counted = *h;
	int r = -ENOMEM;
	size_t done = 0;

	if (!cards || !frag)
		goto out;
	counted.present = 0;
	for (; done < n; done++) {
		counted.present += reps[done].present;
		r = metrics_card_render(&reps[done], &cards[done]);
		if (r < 0)
			goto out;
		frag[done] = &cards[done];
	}
	r = metrics_assemble(&counted, frag, n, format, ret);
out:
	for (size_t i = 0; cards && i < done; i++)
		free(cards[i].text);
	free(cards);
	free(frag);
	return r;
}
