// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus endpoint: GET/HEAD /metrics (OpenMetrics 1.0.0 when the
 * Accept field prefers it, as Prometheus's does, else the text format
 * 0.0.4; any query string, such as a scrape's params, is ignored) and a small page on /,
 * served from the daemon's cached state.  A scrape never waits on a card.
 * The rendered text is kept until the state changes (manager->state_gen),
 * so a busy scraper costs a memcpy.
 *
 * HTTP is read by http-server.c, not libevent's evhttp, which cannot count
 * connections exactly nor give a request a whole deadline (the comment at
 * the top of http-server.c says why).  Its limits come from the daemon's
 * file-descriptor budget (fd-budget.h) and [metrics] request_timeout.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <zlib.h>

#include "config/config.h"
#include "jobs/dump.h"
#include "jobs/firmware-update.h"
#include "metrics/http-server.h"
#include "shared/util/json-blob.h"
#include "util/log.h"
#include "core/manager.h"
#include "metrics/metrics.h"


/* One format's cached /metrics body. */
struct cache {
	struct json_blob *cur;     /* cached /metrics body */
	uint64_t text_gen;        /* manager->state_gen it was rendered at */
	bool have_text;
	/* cur gzip-compressed, made at the first scrape that asks for it
	 * (Prometheus always does) and kept while cur is. */
	struct json_blob *gz;
	struct json_blob *gz_of;   /* the cur it was made from (not a reference) */
};

static const char *const content_types[METRICS_NFORMATS] = {
	[METRICS_TEXT] = "text/plain; version=0.0.4; charset=utf-8",
	[METRICS_OPENMETRICS] = "application/openmetrics-text; version=1.0.0; charset=utf-8",
};

struct metrics {
	struct manager *m;
	struct http_server *http;
	/* Each format apart: a scraper that asks for one never evicts the
	 * other's text. */
	struct cache cache[METRICS_NFORMATS];
	uint64_t scrapes;
	uint64_t renders;         /* /metrics texts rendered (cache misses) */
};

/* ---- HTTP -------------------------------------------------------------------- */

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>ocxlpmemd</title></head><body>\n"
	"<h1>ocxlpmemd</h1>\n<p>OpenCAPI persistent-memory card monitor.</p>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";


static bool path_is(const struct http_request *req, const char *path)
{
	return req->path_len == strlen(path) && memcmp(req->path, path, req->path_len) == 0;
}

/* The cached exposition, rendered again when the state has changed. */
static int current_text(struct metrics *mx, enum metrics_format format)
{
	struct cache *cc = &mx->cache[format];
	struct json_blob *r;

	if (cc->have_text && cc->text_gen == mx->m->state_gen)
		return 0;
	mx->renders++;
	/* Rendered straight into the blob responses reference (the cache
	 * holds its one reference): no copy of a 1.4 MB text. */
	if (metrics_render(mx->m, format, &r) < 0)
		return -ENOMEM;
	json_blob_unref(cc->cur);
	cc->gz = json_blob_unref(cc->gz);
	cc->gz_of = NULL;
	cc->cur = r;
	cc->text_gen = mx->m->state_gen;
	cc->have_text = true;
	return 0;
}

/*
 * cur in gzip, at level 1: the text compresses ~20x (repeated metric and
 * label names) and level 1 costs a few ms per MB once per change, not
 * per scrape.  0 or -ENOMEM (then the scrape gets the plain text).
 */
static int current_gzip(struct cache *cc)
{
	struct json_blob *r;
	z_stream z = { 0 };
	uLong cap;
	int zr;

	if (cc->gz && cc->gz_of == cc->cur)
		return 0;
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16 /* gzip */, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	cap = deflateBound(&z, (uLong)cc->cur->len);
	r = json_blob_new(cap);
	if (!r) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)cc->cur->text;
	z.avail_in = (uInt)cc->cur->len;
	z.next_out = (Bytef *)r->text;
	z.avail_out = (uInt)cap;
	zr = deflate(&z, Z_FINISH);
	r->len = z.total_out; /* the blob keeps its capacity; len is what counts */
	deflateEnd(&z);
	if (zr != Z_STREAM_END) {
		json_blob_unref(r);
		return -ENOMEM;
	}
	json_blob_unref(cc->gz);
	cc->gz = r;
	cc->gz_of = cc->cur;
	return 0;
}

static void on_request(struct http_conn *c, const struct http_request *req, void *userdata)
{
	struct metrics *mx = userdata;

	if (path_is(req, "/metrics")) {
		enum metrics_format format = req->accept_openmetrics ? METRICS_OPENMETRICS :
								       METRICS_TEXT;
		struct cache *cc = &mx->cache[format];

		if (current_text(mx, format) < 0) {
			http_reply(c, 500, "text/plain", "out of memory\n", 14);
			return;
		}
		mx->scrapes++;
		if (req->accept_gzip && current_gzip(cc) == 0) {
			json_blob_ref(cc->gz);
			http_reply_ref(c, 200, content_types[format], "gzip", cc->gz->text,
				       cc->gz->len, json_blob_unref_cb, cc->gz);
			return;
		}
		json_blob_ref(cc->cur);
		http_reply_ref(c, 200, content_types[format], NULL, cc->cur->text, cc->cur->len,
			       json_blob_unref_cb, cc->cur);
	} else if (path_is(req, "/")) {
		http_reply(c, 200, "text/html; charset=utf-8", index_page, sizeof(index_page) - 1);
	} else {
		http_reply(c, 404, "text/plain", "not found: try /metrics\n", 24);
	}
}

uint64_t metrics_render_count(const struct metrics *mx)
{
	return mx->renders;
}

static struct http_server_limits metrics_limits(struct manager *m)
{
	return (struct http_server_limits){
		.max_connections = m->fds.http_max,
		.request_timeout_s = m->config->metrics_request_timeout_s,
	};
}

void metrics_update_limits(struct metrics *mx)
{
	struct http_server_limits limits;

	if (!mx)
		return;
	limits = metrics_limits(mx->m);
	http_server_set_limits(mx->http, &limits);
}

int metrics_start(struct manager *m, const char *listen, struct metrics **ret)
{
	struct http_server_limits limits;
	struct listen_address addr;
	struct metrics *mx;
	int r;

	*ret = NULL;
	if (!listen) {
		log_info("metrics: off");
		return 0;
	}
	r = config_listen_parse(listen, &addr);
	if (r < 0)
		return log_errno(LOG_ERR, r, "metrics: bad listen address '%s'", listen);
	if (addr.off) {
		log_info("metrics: off");
		return 0;
	}
	mx = calloc(1, sizeof(*mx));
	if (!mx)
		return -ENOMEM;
	mx->m = m;
	limits = metrics_limits(m);
	r = http_server_new(m->base, "metrics", addr.host, addr.port, &limits, on_request, mx,
			    &mx->http);
	if (r < 0) {
		log_errno(LOG_ERR, r, "metrics: cannot listen on %s", listen);
		metrics_stop(mx);
		return r;
	}
	log_info("metrics: serving http://%s/metrics", listen);
	*ret = mx;
	return 0;
}

void metrics_stop(struct metrics *mx)
{
	if (!mx)
		return;
	http_server_free(mx->http);
	for (size_t k = 0; k < METRICS_NFORMATS; k++) {
		json_blob_unref(mx->cache[k].gz);
		json_blob_unref(mx->cache[k].cur);
	}
	free(mx);
}
