// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fault injection: a table of up to 16 armed faults, checked in the order
 * they were armed for every command that reaches the card.
 *
 * Every armed fault whose function matches a command counts it against its
 * `skip` first.  Of the faults past their skip, the first one applies and
 * uses up one of its `count` (0: never used up).  REMOVE_AFTER is the
 * exception: it only counts commands down to the removal and never keeps
 * another fault from applying.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model-private.h"
#include "private.h"

/* An errno the ioctl could return: positive and below the kernel's
 * MAX_ERRNO. */
#define FAULT_ERRNO_MAX 4095

static const char *const kind_names[] = {
	[OCXLPMEM_FAULT_STATUS] = "status",
	[OCXLPMEM_FAULT_TIMEOUT] = "timeout",
	[OCXLPMEM_FAULT_HANG] = "hang",
	[OCXLPMEM_FAULT_ERRNO] = "errno",
	[OCXLPMEM_FAULT_TRUNCATE] = "truncate",
	[OCXLPMEM_FAULT_CORRUPT] = "corrupt",
	[OCXLPMEM_FAULT_REMOVE_AFTER] = "remove-after",
	[OCXLPMEM_FAULT_NOT_READY] = "not-ready",
	[OCXLPMEM_FAULT_SLOW] = "slow",
};

OCXLPMEM_EXPORT const char *ocxlpmem_fault_kind_name(enum ocxlpmem_fault_kind kind)
{
	if ((unsigned int)kind >= ARRAY_SIZE(kind_names))
		return NULL;
	return kind_names[kind];
}

OCXLPMEM_EXPORT int ocxlpmem_fault_kind_from_name(const char *name)
{
	if (!name)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (kind_names[i] && strcmp(kind_names[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

static bool fault_valid(const struct ocxlpmem_fault *f)
{
	if (f->kind < OCXLPMEM_FAULT_STATUS || f->kind > OCXLPMEM_FAULT_SLOW)
		return false;
	if (f->function && (f->function < OCXLPMEM_FN_MIN || f->function > OCXLPMEM_FN_MAX))
		return false;
	switch (f->kind) {
	case OCXLPMEM_FAULT_ERRNO:
		return f->err > 0 && f->err <= FAULT_ERRNO_MAX;
	case OCXLPMEM_FAULT_CORRUPT:
		return f->corruption >= OCXLPMEM_CORRUPT_HEADER_ID &&
		       f->corruption <= OCXLPMEM_CORRUPT_LENGTH;
	default:
		return true;
	}
}

OCXLPMEM_EXPORT int ocxlpmem_model_inject(struct ocxlpmem_model *m, const struct ocxlpmem_fault *f)
{
	int r = 0;

	if (!m || !f || !fault_valid(f))
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	if (!m->faults) {
		m->faults = calloc(MODEL_FAULTS_MAX, sizeof(*m->faults));
		if (m->faults)
			model_mem_add(m, MODEL_FAULTS_MAX * sizeof(*m->faults));
	}
	if (!m->faults) {
		r = -ENOMEM;
	} else if (m->nfaults == MODEL_FAULTS_MAX) {
		r = -ENOSPC;
	} else {
		m->faults[m->nfaults++] = (struct model_fault_slot){
			.f = *f,
			.skip_left = f->skip,
			.after_left = f->after,
		};
	}
	pthread_mutex_unlock(&m->lock);
	return r;
}

/* Clearing also frees commands stuck in a HANG: nothing could release them
 * otherwise once their fault is gone. */
OCXLPMEM_EXPORT void ocxlpmem_model_clear_faults(struct ocxlpmem_model *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->nfaults = 0;
	model_faults_free(m);
	m->hang_gen++;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

OCXLPMEM_EXPORT void ocxlpmem_model_release_hangs(struct ocxlpmem_model *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->hang_gen++;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

void model_faults_free(struct ocxlpmem_model *m)
{
	if (m->faults)
		model_mem_sub(m, MODEL_FAULTS_MAX * sizeof(*m->faults));
	free(m->faults);
	m->faults = NULL;
	m->nfaults = 0;
}

void model_faults_match(struct ocxlpmem_model *m, unsigned int function,
			struct model_fault_hit *ret)
{
	bool spent[MODEL_FAULTS_MAX] = { false };
	struct model_fault_hit hit = { .fault = { .kind = OCXLPMEM_FAULT_NONE } };
	unsigned int i, j;
	int chosen = -1;

	for (i = 0; i < m->nfaults; i++) {
		struct model_fault_slot *s = &m->faults[i];

		if (s->f.function && s->f.function != function)
			continue;
		if (s->skip_left) {
			s->skip_left--;
			continue;
		}
		if (s->f.kind == OCXLPMEM_FAULT_REMOVE_AFTER) {
			/* after = N: N commands go through, then the card is
			 * gone; after = 0: this very command finds it gone. */
			if (!s->after_left)
				hit.remove_now = true;
			else if (--s->after_left == 0)
				hit.remove_after = true;
			spent[i] = !s->after_left;
			continue;
		}
		if (chosen < 0)
			chosen = (int)i;
	}

	/* A card that is gone answers nothing: no fault is used up. */
	if (chosen >= 0 && !hit.remove_now) {
		struct model_fault_slot *s = &m->faults[chosen];

		hit.fault = s->f;
		s->applied++;
		spent[chosen] = s->f.count && s->applied >= s->f.count;
	}

	for (i = 0, j = 0; i < m->nfaults; i++)
		if (!spent[i])
			m->faults[j++] = m->faults[i];
	m->nfaults = j;
	/* The table goes with the last fault: fault-free is the usual card. */
	if (!j)
		model_faults_free(m);
	*ret = hit;
}

int model_fault_wait(struct ocxlpmem_model *m, unsigned int delay_ms, bool hang)
{
	uint64_t gen = m->hang_gen;
	bool forever = hang && !delay_ms;
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += delay_ms / 1000;
	deadline.tv_nsec += (long)(delay_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}

	/* Waiting releases the lock: scenario controls and other commands
	 * carry on while this one is stuck. */
	while (!m->freeing && (!hang || m->hang_gen == gen)) {
		if (forever)
			pthread_cond_wait(&m->cond, &m->lock);
		else if (pthread_cond_timedwait(&m->cond, &m->lock, &deadline) == ETIMEDOUT)
			break;
	}
	return -ETIMEDOUT;
}

void model_fault_corrupt(uint8_t *buf, size_t data_len, enum ocxlpmem_corruption corruption,
			 bool hdr_word, int reserved_off)
{
	uint8_t *d = buf + REPLY_HDR_SIZE;
	bool has_hdr = hdr_word && data_len >= 8;

	switch (corruption) {
	case OCXLPMEM_CORRUPT_HEADER_ID:
		/* 'SM' becomes 'sM': a plausible but wrong id.  Replies without
		 * a card header word only have the reply header to damage. */
		if (has_hdr)
			d[7] ^= 0x20;
		else
			buf[1] ^= 0x80;
		break;
	case OCXLPMEM_CORRUPT_RESERVED:
		if (reserved_off >= 0 && (size_t)reserved_off < data_len)
			d[reserved_off] ^= 0x80;
		else if (has_hdr)
			d[4] ^= 0x80; /* header word bits 47:32 */
		else
			buf[1] ^= 0x80;
		break;
	case OCXLPMEM_CORRUPT_LENGTH:
		/*
		 * Claim 8 bytes fewer than were sent: the length disagrees
		 * with the bytes, which no decoder can take for a truncation.
		 * Only a reply with no data at all can merely claim more.
		 */
		if (has_hdr && get_le32(d) >= 8)
			put_le32(d, get_le32(d) - 8);
		else if (data_len >= 8)
			put_le32(buf + 4, (uint32_t)(data_len - 8));
		else
			put_le32(buf + 4, (uint32_t)(data_len + 8));
		break;
	}
}
