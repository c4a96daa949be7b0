// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus endpoint: GET/HEAD /metrics (text format 0.0.4) and a
 * small page on /, served by libevent's evhttp from the daemon's cached
 * state.  A scrape never waits on a card.  The rendered text is kept until
 * the state changes (manager->state_gen), so a busy scraper costs a memcpy.
 *
 * Defensive HTTP: only GET and HEAD, only the two paths, small header and
 * body limits, an idle timeout, and at most METRICS_CONNECTIONS_MAX
 * connections; libevent 2.1 has no connection cap of its own, so it is
 * counted here (see on_new_connection).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>

#include "dump.h"
#include "firmware-update.h"
#include "log.h"
#include "manager.h"
#include "metrics.h"

#define METRICS_HEADERS_MAX 8192
#define METRICS_BODY_MAX 1024
#define METRICS_TIMEOUT_S 10
#define METRICS_CONNECTIONS_MAX 64

/* A connection we count; found again by its bufferevent at request time. */
struct metrics_conn {
	struct metrics *mx;
	struct bufferevent *bev;
	struct event *orphan;     /* ends the count of one that never asks */
	bool requested;
	struct metrics_conn *next;
};

/*
 * A rendered exposition.  Responses reference it instead of copying it
 * (a few hundred KiB for 256 cards), so it is freed only when the last
 * response that carries it has been sent and the cache has moved on.
 */
struct rendered {
	unsigned int refs;
	size_t len;
	char text[];
};

struct metrics {
	struct manager *m;
	struct evhttp *http;
	struct rendered *cur;     /* cached /metrics body */
	uint64_t text_gen;        /* manager->state_gen it was rendered at */
	bool have_text;
	unsigned int nconns;
	unsigned long refused;
	struct metrics_conn *conns;
	uint64_t scrapes;
	uint64_t renders;         /* /metrics texts rendered (cache misses) */
};

/* ---- Rendering -------------------------------------------------------------- */

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

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void card_sample(FILE *f, const char *name, const struct dcard *dc, const char *extra,
			const char *value)
{
	fprintf(f, "%s{card=\"", name);
	put_label(f, dc->name);
	fputc('"', f);
	if (extra)
		fputs(extra, f);
	fprintf(f, "} %s\n", value);
}

static void card_u64(FILE *f, const char *name, const struct dcard *dc, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	card_sample(f, name, dc, NULL, buf);
}

static void card_double(FILE *f, const char *name, const struct dcard *dc, double v)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%.9g", v);
	card_sample(f, name, dc, NULL, buf);
}

static const char *fw_version_of(const struct dcard *dc)
{
	if (dc->have_fw && dc->fw.running_version[0])
		return dc->fw.running_version;
	if (dc->have_caps)
		return dc->caps.fw_version;
	return "";
}

/* Per-card counters and gauges from the controller statistics. */
static const struct stat_metric {
	const char *name, *help;
	size_t offset;
	double scale; /* ns counters to seconds */
} stat_metrics[] = {
#define STAT(n, h, field, sc) { "ocxlpmem_card_" n, h, offsetof(struct ocxlpmem_stats, field), sc }
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
#undef STAT
};

static void render_cards(FILE *f, struct manager *m)
{
	static const char *const kinds[POLL_KINDS] = { "health", "stats", "firmware" };
	static const char *const types[] = {
		"general", "predictive-failure", "thermal-warning", "data-loss", "health-performance",
	};

	family(f, "ocxlpmem_card_info", "gauge",
	       "Identity of each card the daemon knows (value 1).");
	for (size_t i = 0; i < m->ncards; i++) {
		const struct dcard *dc = m->cards[i];

		fprintf(f, "ocxlpmem_card_info{card=\"%s\",serial=\"%" PRIu64 "\",firmware_version=\"",
			dc->name, dc->serial);
		put_label(f, fw_version_of(dc));
		fputs("\"} 1\n", f);
	}

	family(f, "ocxlpmem_card_up", "gauge", "1 when the card is present, 0 when offline.");
	for (size_t i = 0; i < m->ncards; i++)
		card_u64(f, "ocxlpmem_card_up", m->cards[i], m->cards[i]->card != NULL);

	family(f, "ocxlpmem_card_health", "gauge",
	       "Health state of the card: 1 for the current state, 0 for the others.");
	for (size_t i = 0; i < m->ncards; i++)
		for (int h = 0; h <= HEALTH_STATE_MAX; h++) {
			char extra[48];

			snprintf(extra, sizeof(extra), ",state=\"%s\"", card_health_name(h));
			card_sample(f, "ocxlpmem_card_health", m->cards[i], extra,
				    m->cards[i]->report.state == (enum card_health)h ? "1" : "0");
		}

	/* Sensors: only what a present card reports; no sample beats a fake. */
	family(f, "ocxlpmem_card_temperature_celsius", "gauge", "Controller temperature.");
	for (size_t i = 0; i < m->ncards; i++) {
		const struct dcard *dc = m->cards[i];
		int t;

		if (dc->card && dc->have_smart && ocxlpmem_smart_temperature_c(&dc->smart, &t))
			card_double(f, "ocxlpmem_card_temperature_celsius", dc, t);
	}
	family(f, "ocxlpmem_card_life_remaining_ratio", "gauge", "Remaining media life, 0 to 1.");
	for (size_t i = 0; i < m->ncards; i++) {
		const struct dcard *dc = m->cards[i];
		unsigned int l;

		if (dc->card && dc->have_smart && ocxlpmem_smart_life_remaining_pct(&dc->smart, &l))
			card_double(f, "ocxlpmem_card_life_remaining_ratio", dc, l / 100.0);
	}
	family(f, "ocxlpmem_card_power_on_seconds_total", "counter", "Card power-on time.");
	for (size_t i = 0; i < m->ncards; i++) {
		const struct dcard *dc = m->cards[i];
		uint64_t hours;

		if (dc->card && dc->have_smart && ocxlpmem_smart_power_on_hours(&dc->smart, &hours))
			card_u64(f, "ocxlpmem_card_power_on_seconds_total", dc, hours * 3600u);
	}

	family(f, "ocxlpmem_card_resets_total", "counter", "Controller resets.");
	for (size_t i = 0; i < m->ncards; i++)
		if (m->cards[i]->card && m->cards[i]->have_stats)
			card_u64(f, "ocxlpmem_card_resets_total", m->cards[i], m->cards[i]->stats.reset_count);
	family(f, "ocxlpmem_card_critical_resource_utilization_ratio", "gauge",
	       "Utilisation of the controller's critical resource, 0 to 1.");
	for (size_t i = 0; i < m->ncards; i++)
		if (m->cards[i]->card && m->cards[i]->have_stats)
			card_double(f, "ocxlpmem_card_critical_resource_utilization_ratio", m->cards[i],
				    m->cards[i]->stats.critical_resource_utilization_pct / 100.0);
	for (size_t s = 0; s < sizeof(stat_metrics) / sizeof(stat_metrics[0]); s++) {
		const struct stat_metric *sm = &stat_metrics[s];

		family(f, sm->name, "counter", sm->help);
		for (size_t i = 0; i < m->ncards; i++) {
			const struct dcard *dc = m->cards[i];
			uint64_t v;

			if (!dc->card || !dc->have_stats)
				continue;
			memcpy(&v, (const char *)&dc->stats + sm->offset, sizeof(v));
			if (sm->scale == 1)
				card_u64(f, sm->name, dc, v);
			else
				card_double(f, sm->name, dc, (double)v * sm->scale);
		}
	}

	family(f, "ocxlpmem_card_error_log_entries_total", "counter",
	       "Error-log entries the daemon has read from the card, by type.");
	for (size_t i = 0; i < m->ncards; i++)
		for (unsigned int t = 0; t < 5; t++) {
			char extra[48], v[24];

			snprintf(extra, sizeof(extra), ",type=\"%s\"", types[t]);
			snprintf(v, sizeof(v), "%" PRIu64, m->cards[i]->state->errlog_total[t]);
			card_sample(f, "ocxlpmem_card_error_log_entries_total", m->cards[i], extra, v);
		}

	family(f, "ocxlpmem_card_alert_active", "gauge",
	       "1 for each alert condition currently latched on the card.");
	for (size_t i = 0; i < m->ncards; i++)
		for (size_t a = 0; a < m->cards[i]->state->nalerts; a++) {
			const struct alert_record *rec = &m->cards[i]->state->alerts[a];
			char extra[96];

			if (!rec->active)
				continue;
			snprintf(extra, sizeof(extra), ",condition=\"%s\"", rec->key);
			card_sample(f, "ocxlpmem_card_alert_active", m->cards[i], extra, "1");
		}

	family(f, "ocxlpmem_card_controller_dump_available", "gauge",
	       "1 while the card holds a controller dump for collection.");
	for (size_t i = 0; i < m->ncards; i++)
		card_u64(f, "ocxlpmem_card_controller_dump_available", m->cards[i],
			 !!(m->cards[i]->events & OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE));
	family(f, "ocxlpmem_card_firmware_update_in_progress", "gauge",
	       "1 while the card is receiving a firmware image.");
	for (size_t i = 0; i < m->ncards; i++)
		card_u64(f, "ocxlpmem_card_firmware_update_in_progress", m->cards[i],
			 m->cards[i]->have_fw && m->cards[i]->fw.update_state == OCXLPMEM_FW_RECEIVING);

	family(f, "ocxlpmem_card_firmware_updates_total", "counter",
	       "Firmware updates ended since the daemon started, by result.");
	for (size_t i = 0; i < m->ncards; i++) {
		static const char *const results[] = { ",result=\"succeeded\"",
						       ",result=\"failed\"",
						       ",result=\"cancelled\"" };
		uint64_t n[3];
		char v[24];

		fwupdate_counts(m->cards[i], &n[0], &n[1], &n[2]);
		for (size_t k = 0; k < 3; k++) {
			snprintf(v, sizeof(v), "%" PRIu64, n[k]);
			card_sample(f, "ocxlpmem_card_firmware_updates_total", m->cards[i],
				    results[k], v);
		}
	}

	/* Dump collection: saved and failed since start, one running, bytes kept. */
	family(f, "ocxlpmem_card_dumps_saved_total", "counter",
	       "Controller dumps collected and saved since the daemon started.");
	for (size_t i = 0; i < m->ncards; i++)
		card_u64(f, "ocxlpmem_card_dumps_saved_total", m->cards[i],
			 m->cards[i]->dumps ? m->cards[i]->dumps->saved : 0);
	family(f, "ocxlpmem_card_dump_collection_failures_total", "counter",
	       "Controller-dump collections that failed (the card kept its dump).");
	for (size_t i = 0; i < m->ncards; i++)
		card_u64(f, "ocxlpmem_card_dump_collection_failures_total", m->cards[i],
			 m->cards[i]->dumps ? m->cards[i]->dumps->failed : 0);
	family(f, "ocxlpmem_card_dump_collection_in_progress", "gauge",
	       "1 while a controller dump is being collected from the card.");
	for (size_t i = 0; i < m->ncards; i++)
		card_u64(f, "ocxlpmem_card_dump_collection_in_progress", m->cards[i],
			 m->cards[i]->dump != NULL);
	family(f, "ocxlpmem_card_dumps_stored_bytes", "gauge",
	       "Bytes of the card's saved controller dumps in the state directory.");
	for (size_t i = 0; i < m->ncards; i++) {
		uint64_t bytes = 0;

		for (size_t j = 0; m->dumps && j < m->dumps->n; j++)
			if (m->dumps->v[j].meta.serial == m->cards[i]->serial)
				bytes += m->dumps->v[j].meta.size;
		card_u64(f, "ocxlpmem_card_dumps_stored_bytes", m->cards[i], bytes);
	}

	/* The collector's own health, per card and poll kind. */
	family(f, "ocxlpmem_card_collector_up", "gauge",
	       "1 when the card's last health poll succeeded, 0 when it failed or the card is absent.");
	for (size_t i = 0; i < m->ncards; i++) {
		const struct dcard *dc = m->cards[i];

		card_u64(f, "ocxlpmem_card_collector_up", dc,
			 dc->card && dc->polls[POLL_HEALTH].total && !dc->polls[POLL_HEALTH].failures &&
				 !dc->unresponsive);
	}
	family(f, "ocxlpmem_card_polls_total", "counter", "Polls of the card, by kind.");
	for (size_t i = 0; i < m->ncards; i++)
		for (unsigned int k = 0; k < POLL_KINDS; k++) {
			char extra[32], v[24];

			snprintf(extra, sizeof(extra), ",kind=\"%s\"", kinds[k]);
			snprintf(v, sizeof(v), "%" PRIu64, m->cards[i]->polls[k].total);
			card_sample(f, "ocxlpmem_card_polls_total", m->cards[i], extra, v);
		}
	family(f, "ocxlpmem_card_poll_failures_total", "counter", "Failed polls of the card, by kind.");
	for (size_t i = 0; i < m->ncards; i++)
		for (unsigned int k = 0; k < POLL_KINDS; k++) {
			char extra[32], v[24];

			snprintf(extra, sizeof(extra), ",kind=\"%s\"", kinds[k]);
			snprintf(v, sizeof(v), "%" PRIu64, m->cards[i]->polls[k].failed);
			card_sample(f, "ocxlpmem_card_poll_failures_total", m->cards[i], extra, v);
		}
	family(f, "ocxlpmem_card_poll_duration_seconds", "gauge",
	       "How long the card's last poll of each kind took.");
	for (size_t i = 0; i < m->ncards; i++)
		for (unsigned int k = 0; k < POLL_KINDS; k++) {
			char extra[32], v[32];

			if (!m->cards[i]->polls[k].total)
				continue;
			snprintf(extra, sizeof(extra), ",kind=\"%s\"", kinds[k]);
			snprintf(v, sizeof(v), "%.3f", m->cards[i]->polls[k].last_duration_ms / 1000.0);
			card_sample(f, "ocxlpmem_card_poll_duration_seconds", m->cards[i], extra, v);
		}
	family(f, "ocxlpmem_card_last_poll_success_timestamp_seconds", "gauge",
	       "When the card's last successful poll of each kind ended (Unix time).");
	for (size_t i = 0; i < m->ncards; i++)
		for (unsigned int k = 0; k < POLL_KINDS; k++) {
			char extra[32], v[32];

			if (!m->cards[i]->polls[k].last_ok_us)
				continue;
			snprintf(extra, sizeof(extra), ",kind=\"%s\"", kinds[k]);
			snprintf(v, sizeof(v), "%.3f", m->cards[i]->polls[k].last_ok_us / 1e6);
			card_sample(f, "ocxlpmem_card_last_poll_success_timestamp_seconds", m->cards[i],
				    extra, v);
		}
}

int metrics_render(struct manager *m, char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	unsigned int present = 0;
	uint64_t sim_bytes;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < m->ncards; i++)
		present += m->cards[i]->card != NULL;
	family(f, "ocxlpmem_exporter_info", "gauge", "ocxlpmemd's version and mode (value 1).");
	fprintf(f, "ocxlpmem_exporter_info{version=\"%s\",abi_version=\"%d\",backend=\"%s\"} 1\n",
		PACKAGE_VERSION, OCXLPMEM_ABI_VERSION, ocxlpmem_transport_name(m->transport));
	family(f, "ocxlpmem_cards", "gauge", "Cards the daemon knows, present or not.");
	fprintf(f, "ocxlpmem_cards %zu\n", m->ncards);
	family(f, "ocxlpmem_cards_present", "gauge", "Cards present now.");
	fprintf(f, "ocxlpmem_cards_present %u\n", present);
	if (m->metrics) {
		family(f, "ocxlpmem_exporter_renders_total", "counter",
		       "Times the /metrics text was rendered anew (this one included).");
		fprintf(f, "ocxlpmem_exporter_renders_total %" PRIu64 "\n", m->metrics->renders);
	}
	if (ocxlpmem_transport_sim_memory_bytes(m->transport, &sim_bytes) == 0) {
		family(f, "ocxlpmem_simulation_model_bytes", "gauge",
		       "Bytes the simulated cards hold: not the daemon's own footprint.");
		fprintf(f, "ocxlpmem_simulation_model_bytes %" PRIu64 "\n", sim_bytes);
	}
	render_cards(f, m);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* ---- HTTP -------------------------------------------------------------------- */

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>ocxlpmemd</title></head><body>\n"
	"<h1>ocxlpmemd</h1>\n<p>OpenCAPI persistent-memory card monitor.</p>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";

static struct rendered *rendered_unref(struct rendered *r)
{
	if (r && --r->refs == 0)
		free(r);
	return NULL;
}

static void rendered_release(const void *data, size_t len, void *userdata)
{
	rendered_unref(userdata);
}

static void send_headers(struct evhttp_request *req, const char *type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
}

static void send_text(struct evhttp_request *req, int code, const char *reason,
		      const char *type, const char *body, size_t len)
{
	send_headers(req, type);
	evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	/* evhttp sends the headers without the body for HEAD itself. */
	evhttp_send_reply(req, code, reason, NULL);
}

static struct metrics_conn *find_conn(struct metrics *mx, struct bufferevent *bev)
{
	for (struct metrics_conn *c = mx->conns; c; c = c->next)
		if (c->bev == bev)
			return c;
	return NULL;
}

static void conn_forget(struct metrics_conn *c)
{
	struct metrics *mx = c->mx;

	for (struct metrics_conn **p = &mx->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	mx->nconns--;
	if (c->orphan)
		event_free(c->orphan);
	free(c);
}

static void on_conn_close(struct evhttp_connection *evcon, void *userdata)
{
	conn_forget(userdata);
}

static void on_request(struct evhttp_request *req, void *userdata)
{
	struct metrics *mx = userdata;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	const char *path = evhttp_request_get_uri(req);
	struct metrics_conn *c;

	/* First request on a connection we counted: hear of its close. */
	c = evcon ? find_conn(mx, evhttp_connection_get_bufferevent(evcon)) : NULL;
	if (!c) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		send_text(req, 503, "Service Unavailable", "text/plain",
			  "too many connections\n", 21);
		return;
	}
	if (!c->requested) {
		c->requested = true;
		if (c->orphan)
			evtimer_del(c->orphan);
		evhttp_connection_set_closecb(evcon, on_conn_close, c);
	}

	if (strcmp(path, "/metrics") == 0) {
		if (!mx->have_text || mx->text_gen != mx->m->state_gen) {
			struct rendered *r;
			char *text;
			size_t len;

			mx->renders++;
			if (metrics_render(mx->m, &text, &len) < 0 ||
			    !(r = malloc(sizeof(*r) + len))) {
				send_text(req, 500, "Internal Server Error", "text/plain",
					  "out of memory\n", 14);
				return;
			}
			memcpy(r->text, text, len);
			free(text);
			r->len = len;
			r->refs = 1; /* the cache's */
			rendered_unref(mx->cur);
			mx->cur = r;
			mx->text_gen = mx->m->state_gen;
			mx->have_text = true;
		}
		mx->scrapes++;
		send_headers(req, "text/plain; version=0.0.4; charset=utf-8");
		mx->cur->refs++;
		if (evbuffer_add_reference(evhttp_request_get_output_buffer(req), mx->cur->text,
					   mx->cur->len, rendered_release, mx->cur) < 0)
			mx->cur->refs--;
		evhttp_send_reply(req, 200, "OK", NULL);
	} else if (strcmp(path, "/") == 0) {
		send_text(req, 200, "OK", "text/html; charset=utf-8", index_page,
			  sizeof(index_page) - 1);
	} else {
		send_text(req, 404, "Not Found", "text/plain", "not found: try /metrics\n", 24);
	}
}

/* A counted connection that never sent a request is closed by evhttp's
 * timeout; we cannot hear that close, so we stop counting it just after. */
static void on_orphan(evutil_socket_t fd, short what, void *userdata)
{
	conn_forget(userdata);
}

/*
 * evhttp asks us for each new connection's bufferevent: the one place a
 * connection can be counted, and refused when there are too many.
 */
static struct bufferevent *on_new_connection(struct event_base *base, void *userdata)
{
	struct metrics *mx = userdata;
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	struct metrics_conn *c;
	struct timeval tv = { .tv_sec = METRICS_TIMEOUT_S + 2 };

	if (!bev)
		return NULL;
	/* libevent writes at most 16 KiB per call by default: a 256-card
	 * exposition would take ~50 wake-ups to send. */
	bufferevent_set_max_single_write(bev, 1 << 20);
	if (mx->nconns >= METRICS_CONNECTIONS_MAX) {
		/* Not counted: its request gets 503 and a close (on_request),
		 * and if it sends none, evhttp's timeout closes it. */
		if (mx->refused++ % 100 == 0)
			log_warning("metrics: too many connections (%u); refusing (%lu so far)",
				    mx->nconns, mx->refused);
		return bev;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return bev;
	c->mx = mx;
	c->bev = bev;
	c->orphan = evtimer_new(base, on_orphan, c);
	if (c->orphan)
		evtimer_add(c->orphan, &tv);
	c->next = mx->conns;
	mx->conns = c;
	mx->nconns++;
	return bev;
}

static int parse_listen(const char *spec, char **ret_host, uint16_t *ret_port)
{
	const char *colon = strrchr(spec, ':');
	char *end;
	unsigned long port;
	size_t hlen;

	if (!colon || colon == spec)
		return -EINVAL;
	port = strtoul(colon + 1, &end, 10);
	if (*end || !colon[1] || port == 0 || port > 65535)
		return -EINVAL;
	hlen = (size_t)(colon - spec);
	if (spec[0] == '[') {
		if (hlen < 3 || spec[hlen - 1] != ']')
			return -EINVAL;
		*ret_host = strndup(spec + 1, hlen - 2);
	} else {
		*ret_host = strndup(spec, hlen);
	}
	if (!*ret_host)
		return -ENOMEM;
	*ret_port = (uint16_t)port;
	return 0;
}

int metrics_start(struct manager *m, const char *listen, struct metrics **ret)
{
	struct metrics *mx;
	char *host = NULL;
	uint16_t port;
	int r;

	*ret = NULL;
	if (!listen || strcmp(listen, "off") == 0) {
		log_info("metrics: off");
		return 0;
	}
	r = parse_listen(listen, &host, &port);
	if (r < 0)
		return log_errno(LOG_ERR, r, "metrics: bad listen address '%s'", listen);
	mx = calloc(1, sizeof(*mx));
	if (!mx) {
		free(host);
		return -ENOMEM;
	}
	mx->m = m;
	mx->http = evhttp_new(m->base);
	if (!mx->http) {
		free(host);
		free(mx);
		return -ENOMEM;
	}
	evhttp_set_allowed_methods(mx->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(mx->http, METRICS_HEADERS_MAX);
	evhttp_set_max_body_size(mx->http, METRICS_BODY_MAX);
	evhttp_set_timeout(mx->http, METRICS_TIMEOUT_S);
	evhttp_set_gencb(mx->http, on_request, mx);
	evhttp_set_bevcb(mx->http, on_new_connection, mx);
	if (!evhttp_bind_socket_with_handle(mx->http, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host,
					    port)) {
		r = -errno ? -errno : -EADDRNOTAVAIL;
		log_errno(LOG_ERR, r, "metrics: cannot listen on %s", listen);
		free(host);
		metrics_stop(mx);
		return r;
	}
	log_info("metrics: serving http://%s/metrics", listen);
	free(host);
	*ret = mx;
	return 0;
}

void metrics_stop(struct metrics *mx)
{
	if (!mx)
		return;
	if (mx->http)
		evhttp_free(mx->http);
	while (mx->conns)
		conn_forget(mx->conns);
	rendered_unref(mx->cur);
	free(mx);
}
