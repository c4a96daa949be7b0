// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The card's error log: a queue of up to 256 entries, oldest first.
 *
 * ERROR_LOG_READ returns the oldest entry and leaves it queued; only an
 * ERROR_LOG_ACK that names it removes it.  A reader that dies between the
 * two therefore reads the same entry again, and nothing is acknowledged that
 * was not read: exactly-once delivery needs nothing more from the host.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model-private.h"
#include "private.h"

/* NAA type 6 with IBM's OUI: the card's WWID, the low bits from the serial. */
#define WWID_NAA6_IBM 0x6005076000000000ull
#define WWID_VENDOR_MASK 0x0000000FFFFFFFFFull

static struct model_errlog_entry *errlog_at(struct ocxlpmem_model *m, unsigned int i)
{
	return &m->errlog[(m->errlog_head + i) % MODEL_ERRLOG_MAX];
}

void model_errlog_content(uint64_t serial, uint32_t log_id, void *buf, size_t len)
{
	uint64_t key = model_stream_key(serial, MODEL_STREAM_LOG_DATA) ^ model_mix64(log_id);
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(model_rand(key, i / 8) >> (8 * (i % 8)));
}

/* The entry's own data, if it has a copy. */
static void entry_release(struct ocxlpmem_model *m, struct model_errlog_entry *e)
{
	if (e->data)
		model_mem_sub(m, e->data_len);
	free(e->data);
	*e = (struct model_errlog_entry){0};
}

/* The ring goes with the last entry; the next entry brings it back. */
static void ring_drop(struct ocxlpmem_model *m)
{
	free(m->errlog);
	if (m->errlog)
		model_mem_sub(m, MODEL_ERRLOG_MAX * sizeof(*m->errlog));
	m->errlog = NULL;
	m->errlog_head = 0;
	m->errlog_count = 0;
}

int model_errlog_add_locked(struct ocxlpmem_model *m, uint8_t type, uint32_t action_flags,
			    uint32_t prc, const void *data, uint16_t data_len)
{
	struct model_errlog_entry *e;
	uint8_t *copy = NULL;

	if (type > OCXLPMEM_ERRLOG_TYPE_MAX || action_flags & ~(uint32_t)OCXLPMEM_ACTION_ALL ||
	    data_len > OCXLPMEM_ERRLOG_DATA_MAX)
		return -EINVAL;
	if (m->errlog_count == MODEL_ERRLOG_MAX)
		return -ENOSPC;
	if (!m->errlog) {
		m->errlog = calloc(MODEL_ERRLOG_MAX, sizeof(*m->errlog));
		if (!m->errlog)
			return -ENOMEM;
		model_mem_add(m, MODEL_ERRLOG_MAX * sizeof(*m->errlog));
		m->errlog_head = 0;
	}
	if (data && data_len) {
		copy = malloc(data_len);
		if (!copy) {
			if (!m->errlog_count)
				ring_drop(m);
			return -ENOMEM;
		}
		memcpy(copy, data, data_len);
		model_mem_add(m, data_len);
	}

	e = errlog_at(m, m->errlog_count);
	*e = (struct model_errlog_entry){
		.id = m->next_log_id,
		.type = type,
		.action_flags = action_flags,
		.prc = prc,
		.power_on_seconds = (uint32_t)model_power_on_seconds_locked(m),
		.timestamp_ns = model_ipl_ms(m) * 1000000,
		.data_len = data_len,
		.data = copy,
	};
	strcpy(e->fw_revision, m->fw_running);
	m->errlog_count++;
	/* Identifiers go back to the callers as a positive int. */
	m->next_log_id = m->next_log_id >= INT32_MAX ? 1 : m->next_log_id + 1;

	/* "Collect a controller dump": the card has made one to collect. */
	if (action_flags & OCXLPMEM_ACTION_DUMP && !m->dump_held)
		(void)model_dump_raise_locked(m, 0, OCXLPMEM_DUMP_CARD);
	model_events_update(m);
	return (int)e->id;
}

void model_errlog_free(struct ocxlpmem_model *m)
{
	for (unsigned int i = 0; i < m->errlog_count; i++)
		entry_release(m, errlog_at(m, i));
	ring_drop(m);
}

int model_errlog_adopt(struct ocxlpmem_model *m, struct model_errlog_entry *log, unsigned int n)
{
	model_errlog_free(m);
	if (!n) {
		free(log);
		return 0;
	}
	m->errlog = log;
	m->errlog_count = n;
	model_mem_add(m, MODEL_ERRLOG_MAX * sizeof(*log));
	for (unsigned int i = 0; i < n; i++)
		if (log[i].data)
			model_mem_add(m, log[i].data_len);
	return 0;
}

int model_errlog_read(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		      struct model_reply *r)
{
	const size_t fixed = REPLY_HDR_SIZE + sizeof(struct ocxlpmem_error_log_out);
	struct ocxlpmem_error_log_entry *out;
	const struct model_errlog_entry *e;
	ssize_t n;

	/* 4 KiB of data: too big for a stack that a daemon thread may own. */
	out = calloc(1, sizeof(*out));
	if (!out)
		return -ENOMEM;

	if (m->errlog_count) {
		e = errlog_at(m, 0);
		*out = (struct ocxlpmem_error_log_entry){
			.present = true,
			.log_identifier = e->id,
			.program_reference_code = e->prc,
			.action_flags = e->action_flags,
			.power_on_seconds = e->power_on_seconds,
			.timestamp_ns = e->timestamp_ns,
			.wwid = { WWID_NAA6_IBM | (m->serial & WWID_VENDOR_MASK), m->serial },
			.type = e->type,
			.data_needed = e->data_len,
		};
		strcpy(out->fw_revision, e->fw_revision);
		/* The driver tells the card how much room there is; the card
		 * cuts the data to fit and says how much it had. */
		out->data_size = (uint16_t)(r->out_cap >= fixed ?
					    MIN((size_t)e->data_len, r->out_cap - fixed) : 0);
		if (e->data)
			memcpy(out->data, e->data, out->data_size);
		else
			model_errlog_content(m->serial, e->id, out->data, out->data_size);
	}

	n = ocxlpmem_error_log_encode(out, r->buf + REPLY_HDR_SIZE, r->data_cap);
	free(out);
	if (n < 0)
		return (int)n;
	r->data_len = (size_t)n;
	return 0;
}

int model_errlog_ack(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		     struct model_reply *r)
{
	uint32_t id;

	/* Only the entry READ returns can be acknowledged: acking ahead would
	 * drop entries nobody has read. */
	if (ocxlpmem_error_log_ack_decode(in, in_len, &id) < 0 || !m->errlog_count ||
	    errlog_at(m, 0)->id != id) {
		model_reply_status(r, OCXLPMEM_STATUS_BAD_REQUEST_PARM);
		return 0;
	}
	entry_release(m, errlog_at(m, 0));
	m->errlog_head = (m->errlog_head + 1) % MODEL_ERRLOG_MAX;
	if (--m->errlog_count == 0)
		ring_drop(m);
	model_reply_status(r, OCXLPMEM_STATUS_SUCCESS);
	return 0;
}

/* The card answers "later" with an entry; in the model, at once. */
int model_request_health(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
			 struct model_reply *r)
{
	int id;

	id = model_errlog_add_locked(m, OCXLPMEM_ERRLOG_HEALTH_PERFORMANCE, 0, 0, NULL,
				     MODEL_HEALTH_ENTRY_DATA);
	if (id == -ENOSPC) {
		/* The host has to drain the log before the card can answer. */
		model_reply_status(r, OCXLPMEM_STATUS_BLOCKED_BG_TASK);
		return 0;
	}
	if (id < 0)
		return id;
	model_reply_status(r, OCXLPMEM_STATUS_SUCCESS);
	return 0;
}

OCXLPMEM_EXPORT int ocxlpmem_model_add_error_log(struct ocxlpmem_model *m, uint8_t type,
						 uint32_t action_flags, uint32_t prc,
						 const void *data, uint16_t data_len)
{
	int r;

	if (!m)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	r = model_errlog_add_locked(m, type, action_flags, prc, data, data_len);
	model_nv_sync_locked(m);
	pthread_mutex_unlock(&m->lock);
	return r;
}

OCXLPMEM_EXPORT unsigned int ocxlpmem_model_error_log_pending(struct ocxlpmem_model *m)
{
	unsigned int n;

	if (!m)
		return 0;
	pthread_mutex_lock(&m->lock);
	n = m->errlog_count;
	pthread_mutex_unlock(&m->lock);
	return n;
}
