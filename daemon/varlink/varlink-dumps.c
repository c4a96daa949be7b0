// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * io.ocxlpmem.Manager's dump methods: ListDumps, StartDump, WatchDump and
 * DeleteDump.  A streaming StartDump or WatchDump stays open and gets the
 * job's progress (at most five times a second) and, last, its result.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/dump.h"
#include "util/log.h"
#include "core/manager.h"
#include "varlink/card-watchers.h"
#include "varlink/varlink-methods.h"
#include "varlink/job-json.h"

static struct json_object *job_reply(const struct dcard *dc, bool ended)
{
	struct json_object *o = dump_card_json(dc);

	json_object_object_add(o, "ended", json_object_new_boolean(ended));
	return o;
}

static struct json_object *running_reply(void *dc)
{
	return job_reply(dc, false);
}

static struct json_object *ended_reply(void *dc)
{
	return job_reply(dc, true);
}

/* StartDump and WatchDump calls following a card's collection. */
static struct card_watch_set watching;

void varlink_dumps_event(const struct observe_event *ev)
{
	struct varlink_watchers *ws;

	if (ev->kind == OBSERVE_CARD_FREED) {
		card_watchers_drop(&watching, ev->dc);
		return;
	}
	ws = card_watchers_of(&watching, ev->dc, false);
	if (!ws)
		return;
	if (ev->kind == OBSERVE_DUMP_FINISHED)
		varlink_watchers_end(ws, ended_reply, ev->dc);
	else if (ev->kind == OBSERVE_DUMP_PROGRESS)
		varlink_watchers_notify(ws, running_reply, ev->dc);
}

void varlink_dumps_stop(void)
{
	card_watchers_drop_all(&watching);
}

/* Keep the call open for the job's updates; sends the state now. */
static void watch(struct varlink_call *call, struct dcard *dc)
{
	struct varlink_watchers *ws = card_watchers_of(&watching, dc, true);

	if (!ws || varlink_watchers_add(ws, call) < 0) {
		failed(call, "out of memory");
		return;
	}
	varlink_call_notify(call, job_reply(dc, false));
}

/* Cards are named, dumps of cards this daemon has not seen are found by
 * serial; NULL is every card (*ret 0). */
static bool serial_filter(struct manager *m, struct varlink_call *call, const char *s,
			  uint64_t *ret)
{
	struct json_object *v;
	struct dcard *dc;
	char *end;

	*ret = 0;
	if (!s)
		return true;
	dc = manager_find_card(m, s);
	if (dc) {
		*ret = card_serial(dc);
		return true;
	}
	errno = 0;
	*ret = strtoull(s, &end, 10);
	if (s[0] >= '1' && s[0] <= '9' && !*end && !errno)
		return true;
	v = json_object_new_object();
	json_object_object_add(v, "card", json_object_new_string(s));
	varlink_call_error(call, IFACE ".NoSuchCard", v);
	return false;
}

struct dump_params {
	const char *card, *file;
};

static const struct vparam list_params[] = {
	VP_STRING("card", false, struct dump_params, card),
};

static const struct vparam delete_params[] = {
	VP_STRING("file", true, struct dump_params, file),
	VP_STRING("card", false, struct dump_params, card),
};

void m_list_dumps(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct manager *m = userdata;
	struct json_object *o, *dumps, *jobs;
	struct dump_params dp = { 0 };
	uint64_t serial, bytes = 0;

	if (!VPARAMS_DISPATCH(call, p, list_params, &dp, NULL) ||
	    !serial_filter(m, call, dp.card, &serial))
		return;
	dumps = json_object_new_array();
	for (size_t i = 0; i < m->dumps->n; i++) {
		const struct saved_dump *d = &m->dumps->v[i];

		if (serial && d->meta.serial != serial)
			continue;
		json_object_array_add(dumps, dump_saved_json(m, d));
		bytes += d->meta.size;
	}
	jobs = json_object_new_array();
	for (size_t i = 0; i < m->ncards; i++) {
		struct dcard *dc = m->cards[i];

		if ((serial && card_serial(dc) != serial) || !dump_card_has_history(dc))
			continue;
		json_object_array_add(jobs, dump_card_json(dc));
	}
	o = json_object_new_object();
	json_object_object_add(o, "dumps", dumps);
	json_object_object_add(o, "total_bytes", json_object_new_int64((int64_t)bytes));
	json_object_object_add(o, "cards", jobs);
	varlink_call_reply(call, o);
}

void m_start_dump(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct dcard *dc = card_call(userdata, call, p);
	int r;

	if (!dc)
		return;
	r = dump_start_user(dc);
	if (r == -ENXIO) {
		card_error(call, IFACE ".CardOffline", dc);
		return;
	}
	if (r == -EBUSY) {
		card_error(call, IFACE ".DumpBusy", dc);
		return;
	}
	if (r == -EOPNOTSUPP) {
		not_supported(call, dc, DUMP_FUNCTIONS);
		return;
	}
	if (r < 0) {
		failed(call, strerror(-r));
		return;
	}
	log_notice("%s: dump collection requested by uid %u", card_name(dc),
		   (unsigned int)varlink_call_uid(call));
	if (varlink_call_wants_more(call))
		watch(call, dc);
	else
		varlink_call_reply(call, job_reply(dc, false));
}

void m_watch_dump(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct dcard *dc = card_call(userdata, call, p);

	if (!dc)
		return;
	/* Nothing running: the last result is the answer. */
	if (!dump_job_running(dc) || !varlink_call_wants_more(call)) {
		varlink_call_reply(call, job_reply(dc, !dump_job_running(dc)));
		return;
	}
	watch(call, dc);
}

void m_delete_dump(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct manager *m = userdata;
	struct dump_params dp = { 0 };
	struct json_object *e;
	uint64_t serial;
	int r;

	if (!VPARAMS_DISPATCH(call, p, delete_params, &dp, NULL))
		return;
	if (!dump_file_name_valid(dp.file)) {
		varlink_call_invalid_parameter(call, "file");
		return;
	}
	if (!serial_filter(m, call, dp.card, &serial))
		return;
	r = dump_delete(m, serial, dp.file);
	if (r == -ENOENT) {
		e = json_object_new_object();
		json_object_object_add(e, "file", json_object_new_string(dp.file));
		varlink_call_error(call, IFACE ".NoSuchDump", e);
		return;
	}
	if (r < 0) {
		failed(call, strerror(-r));
		return;
	}
	log_notice("dump %s deleted by uid %u", dp.file,
		   (unsigned int)varlink_call_uid(call));
	varlink_call_reply(call, NULL);
}
