// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The executor: card commands off the caller's event loop, with deadlines.
 *
 * One worker thread per card runs that card's requests in order, so a card
 * that hangs stalls only its own queue.  A supervisor thread watches the
 * deadlines of running calls.  A call that overruns is *abandoned*: its
 * request completes with -ETIMEDOUT at once and the worker is left inside
 * the backend call (a kernel ioctl cannot be interrupted).  Everything the
 * stuck worker touches afterwards - its job (input copy, output buffer), its
 * per-card record, the shared core - stays alive until it returns, which is
 * why jobs are separate from requests and the core is reference counted.
 *
 * One mutex (core->lock) guards all executor state; it is never held across
 * a backend call.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "transport-private.h"

/* Worker stacks: backend calls use a few KiB; 256 cards must stay cheap. */
#define WORKER_STACK_SIZE (256 * 1024)

struct exec_req;

/* What a worker runs.  Outlives its request when the request is abandoned. */
struct job {
	struct exec_req *req;   /* NULL once abandoned */
	unsigned int function;
	void *in;
	size_t in_len;
	size_t out_cap;
	unsigned int timeout_ms;
	uint64_t deadline_ms;
};

struct exec_req {
	struct ocxlpmem_request pub;
	struct exec_req *next;
	struct job *job;
};

_Static_assert(offsetof(struct exec_req, pub) == 0, "ocxlpmem_request_free relies on it");

struct exec_card {
	struct exec_core *core;
	struct ocxlpmem_card *card;    /* reference */
	struct exec_req *head, *tail;  /* queued */
	struct exec_req *running;      /* its job is running_job; NULL once abandoned */
	struct job *running_job;       /* the call in flight, abandoned or not */
	bool hung;                     /* running_job overran and has not returned */
	bool forgotten;                /* exit when idle; no longer in core->cards */
	pthread_cond_t cond;
	struct exec_card *next;
};

struct exec_core {
	pthread_mutex_t lock;
	pthread_cond_t super_cond;     /* CLOCK_MONOTONIC */
	unsigned int refs;             /* the owner + each live worker */
	bool stopping;
	int efd;
	struct exec_req *done_head, *done_tail;
	struct exec_card *cards;
	pthread_t supervisor;
};

struct ocxlpmem_executor {
	struct exec_core *core;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	free(j->in);
	free(j);
}

static void req_destroy(struct exec_req *r)
{
	if (r->job)
		r->job->req = NULL;
	ocxlpmem_card_unref(r->pub.card);
	free(r->pub.out);
	free(r);
}

/* Hand a request to the caller.  Called with the lock held. */
static void complete(struct exec_core *core, struct exec_req *r, int result)
{
	uint64_t one = 1;

	if (r->job) {
		/* Queued requests still own their job; running ones never get here
		 * with a job, the worker or the abandon path clears it first. */
		job_free(r->job);
		r->job = NULL;
	}
	r->pub.result = result;
	r->pub.finished_ms = mono_ms();
	r->next = NULL;
	if (core->done_tail)
		core->done_tail->next = r;
	else
		core->done_head = r;
	core->done_tail = r;
	/* Only fails when the counter would overflow: already readable. */
	(void)!write(core->efd, &one, sizeof(one));
}

static void fail_queued(struct exec_core *core, struct exec_card *ec, int result)
{
	while (ec->head) {
		struct exec_req *r = ec->head;

		ec->head = r->next;
		complete(core, r, result);
	}
	ec->tail = NULL;
}

/* The running request completes now with result; its call goes on. */
static void abandon_running(struct exec_core *core, struct exec_card *ec, int result)
{
	struct exec_req *r = ec->running;

	ec->running = NULL;
	r->job = NULL;
	ec->running_job->req = NULL;
	complete(core, r, result);
}

static void core_free(struct exec_core *core)
{
	close(core->efd);
	pthread_cond_destroy(&core->super_cond);
	pthread_mutex_destroy(&core->lock);
	free(core);
}

/* Drop a reference with the lock held; frees (and unlocks) on the last. */
static void core_unref_unlock(struct exec_core *core)
{
	bool last = --core->refs == 0;

	pthread_mutex_unlock(&core->lock);
	if (last)
		core_free(core);
}

static void unlink_card(struct exec_core *core, struct exec_card *ec)
{
	for (struct exec_card **p = &core->cards; *p; p = &(*p)->next) {
		if (*p == ec) {
			*p = ec->next;
			return;
		}
	}
}

static void *worker_main(void *arg)
{
	struct exec_card *ec = arg;
	struct exec_core *core = ec->core;

	pthread_mutex_lock(&core->lock);
	for (;;) {
		struct exec_req *r;
		struct job *j;
		size_t fw_size = 0;
		uint8_t *out;
		int res;

		while (!ec->head && !ec->forgotten && !core->stopping)
			pthread_cond_wait(&ec->cond, &core->lock);
		if (!ec->head || core->stopping)
			break;
		r = ec->head;
		ec->head = r->next;
		if (!ec->head)
			ec->tail = NULL;
		j = r->job;
		ec->running = r;
		ec->running_job = j;
		r->pub.started_ms = mono_ms();
		j->deadline_ms = r->pub.started_ms + j->timeout_ms;
		pthread_cond_signal(&core->super_cond);
		pthread_mutex_unlock(&core->lock);

		out = calloc(1, j->out_cap ? j->out_cap : 1);
		if (!out)
			res = -ENOMEM;
		else
			res = ocxlpmem_card_call(ec->card, j->function, j->in, j->in_len, out,
						 j->out_cap, j->timeout_ms, &fw_size);

		pthread_mutex_lock(&core->lock);
		ec->running_job = NULL;
		ec->hung = false;
		if (j->req) {
			r = j->req;
			ec->running = NULL;
			r->job = NULL;
			r->pub.fw_size = fw_size;
			if (res >= 0) {
				r->pub.out = out;
				out = NULL;
			}
			complete(core, r, res);
		}
		free(out);
		job_free(j);
	}
	/* Whoever stopped us already completed or dropped our requests. */
	if (!ec->forgotten)
		unlink_card(core, ec);
	pthread_cond_destroy(&ec->cond);
	ocxlpmem_card_unref(ec->card);
	free(ec);
	core_unref_unlock(core);
	return NULL;
}

static void *supervisor_main(void *arg)
{
	struct exec_core *core = arg;

	pthread_mutex_lock(&core->lock);
	while (!core->stopping) {
		uint64_t now = mono_ms(), next = UINT64_MAX;

		for (struct exec_card *ec = core->cards; ec; ec = ec->next) {
			if (!ec->running)
				continue;
			if (ec->running_job->deadline_ms <= now) {
				ec->hung = true;
				abandon_running(core, ec, -ETIMEDOUT);
				/* Behind a stuck call nothing can run: say so now. */
				fail_queued(core, ec, -EBUSY);
			} else if (ec->running_job->deadline_ms < next) {
				next = ec->running_job->deadline_ms;
			}
		}
		if (next == UINT64_MAX) {
			pthread_cond_wait(&core->super_cond, &core->lock);
		} else {
			struct timespec ts = {
				.tv_sec = (time_t)(next / 1000u),
				.tv_nsec = (long)(next % 1000u) * 1000000L,
			};

			pthread_cond_timedwait(&core->super_cond, &core->lock, &ts);
		}
	}
	pthread_mutex_unlock(&core->lock);
	return NULL;
}

OCXLPMEM_EXPORT int ocxlpmem_executor_new(struct ocxlpmem_executor **ret)
{
	struct ocxlpmem_executor *e;
	struct exec_core *core;
	pthread_condattr_t ca;
	int r;

	if (!ret)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	core = calloc(1, sizeof(*core));
	if (!e || !core) {
		free(e);
		free(core);
		return -ENOMEM;
	}
	core->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (core->efd < 0) {
		r = -errno;
		free(e);
		free(core);
		return r;
	}
	pthread_mutex_init(&core->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&core->super_cond, &ca);
	pthread_condattr_destroy(&ca);
	core->refs = 1;
	r = -pthread_create(&core->supervisor, NULL, supervisor_main, core);
	if (r < 0) {
		core_free(core);
		free(e);
		return r;
	}
	e->core = core;
	*ret = e;
	return 0;
}

OCXLPMEM_EXPORT struct ocxlpmem_executor *ocxlpmem_executor_free(struct ocxlpmem_executor *e)
{
	struct exec_core *core;

	if (!e)
		return NULL;
	core = e->core;
	pthread_mutex_lock(&core->lock);
	core->stopping = true;
	for (struct exec_card *ec = core->cards; ec; ec = ec->next) {
		while (ec->head) {
			struct exec_req *r = ec->head;

			ec->head = r->next;
			job_free(r->job);
			r->job = NULL;
			req_destroy(r);
		}
		ec->tail = NULL;
		if (ec->running) {
			struct exec_req *r = ec->running;

			ec->running = NULL;
			req_destroy(r);
		}
		pthread_cond_signal(&ec->cond);
	}
	while (core->done_head) {
		struct exec_req *r = core->done_head;

		core->done_head = r->next;
		req_destroy(r);
	}
	core->done_tail = NULL;
	pthread_cond_signal(&core->super_cond);
	pthread_mutex_unlock(&core->lock);

	pthread_join(core->supervisor, NULL);
	/* Idle workers exit now; a stuck one frees its part when it returns. */
	pthread_mutex_lock(&core->lock);
	core_unref_unlock(core);
	free(e);
	return NULL;
}

OCXLPMEM_EXPORT int ocxlpmem_executor_fd(struct ocxlpmem_executor *e)
{
	return e ? e->core->efd : -1;
}

static struct exec_card *find_card(struct exec_core *core, const struct ocxlpmem_card *c)
{
	for (struct exec_card *ec = core->cards; ec; ec = ec->next)
		if (ec->card == c)
			return ec;
	return NULL;
}

/* A worker for card c, created on first use.  Called with the lock held. */
static int get_card(struct exec_core *core, struct ocxlpmem_card *c, struct exec_card **ret)
{
	struct exec_card *ec = find_card(core, c);
	pthread_attr_t attr;
	pthread_t thread;
	int r;

	if (ec) {
		*ret = ec;
		return 0;
	}
	ec = calloc(1, sizeof(*ec));
	if (!ec)
		return -ENOMEM;
	ec->core = core;
	ec->card = ocxlpmem_card_ref(c);
	pthread_cond_init(&ec->cond, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, WORKER_STACK_SIZE);
	r = -pthread_create(&thread, &attr, worker_main, ec);
	pthread_attr_destroy(&attr);
	if (r < 0) {
		pthread_cond_destroy(&ec->cond);
		ocxlpmem_card_unref(ec->card);
		free(ec);
		return r;
	}
	core->refs++;
	ec->next = core->cards;
	core->cards = ec;
	*ret = ec;
	return 0;
}

OCXLPMEM_EXPORT int ocxlpmem_executor_submit(struct ocxlpmem_executor *e,
					     const struct ocxlpmem_request *tmpl)
{
	struct exec_core *core;
	struct exec_card *ec;
	struct exec_req *r;
	struct job *j;
	int ret;

	if (!e || !tmpl || !tmpl->card || (tmpl->in_len && !tmpl->in))
		return -EINVAL;
	if (tmpl->function < OCXLPMEM_FN_MIN || tmpl->function > OCXLPMEM_FN_MAX)
		return -EINVAL;
	core = e->core;
	r = calloc(1, sizeof(*r));
	j = calloc(1, sizeof(*j));
	if (!r || !j)
		goto out_nomem;
	if (tmpl->in_len) {
		j->in = malloc(tmpl->in_len);
		if (!j->in)
			goto out_nomem;
		memcpy(j->in, tmpl->in, tmpl->in_len);
	}
	j->function = tmpl->function;
	j->in_len = tmpl->in_len;
	j->out_cap = tmpl->out_cap;
	j->timeout_ms = tmpl->timeout_ms ? tmpl->timeout_ms :
			ocxlpmem_function_default_timeout_ms(tmpl->function);
	j->req = r;

	r->pub = *tmpl;
	r->pub.card = ocxlpmem_card_ref(tmpl->card);
	r->pub.in = NULL;
	r->pub.out = NULL;
	r->pub.result = 0;
	r->pub.fw_size = 0;
	r->pub.submitted_ms = mono_ms();
	r->pub.started_ms = r->pub.finished_ms = 0;
	r->job = j;

	pthread_mutex_lock(&core->lock);
	ret = get_card(core, tmpl->card, &ec);
	if (ret < 0) {
		pthread_mutex_unlock(&core->lock);
		r->job = NULL;
		job_free(j);
		req_destroy(r);
		return ret;
	}
	if (ec->hung) {
		complete(core, r, -EBUSY);
	} else {
		if (ec->tail)
			ec->tail->next = r;
		else
			ec->head = r;
		ec->tail = r;
		pthread_cond_signal(&ec->cond);
	}
	pthread_mutex_unlock(&core->lock);
	return 0;

out_nomem:
	if (j)
		free(j->in);
	free(j);
	free(r);
	return -ENOMEM;
}

OCXLPMEM_EXPORT struct ocxlpmem_request *ocxlpmem_executor_reap(struct ocxlpmem_executor *e)
{
	struct exec_core *core;
	struct exec_req *r;
	uint64_t v;

	if (!e)
		return NULL;
	core = e->core;
	pthread_mutex_lock(&core->lock);
	r = core->done_head;
	if (r) {
		core->done_head = r->next;
		if (!core->done_head)
			core->done_tail = NULL;
		r->next = NULL;
	} else {
		/* Empty list and counter are drained together, under the lock
		 * completions take, so a readable fd always means work. */
		(void)!read(core->efd, &v, sizeof(v));
	}
	pthread_mutex_unlock(&core->lock);
	return r ? &r->pub : NULL;
}

OCXLPMEM_EXPORT void ocxlpmem_request_free(struct ocxlpmem_request *req)
{
	struct exec_req *r;

	if (!req)
		return;
	/* pub is the first member (asserted below): the request is the wrapper. */
	r = (struct exec_req *)(void *)req;
	req_destroy(r);
}

OCXLPMEM_EXPORT bool ocxlpmem_executor_card_hung(struct ocxlpmem_executor *e,
						 const struct ocxlpmem_card *c)
{
	struct exec_card *ec;
	bool hung;

	if (!e || !c)
		return false;
	pthread_mutex_lock(&e->core->lock);
	ec = find_card(e->core, c);
	hung = ec && ec->hung;
	pthread_mutex_unlock(&e->core->lock);
	return hung;
}

OCXLPMEM_EXPORT unsigned int ocxlpmem_executor_pending(struct ocxlpmem_executor *e,
						       const struct ocxlpmem_card *c)
{
	struct exec_card *ec;
	unsigned int n = 0;

	if (!e || !c)
		return 0;
	pthread_mutex_lock(&e->core->lock);
	ec = find_card(e->core, c);
	if (ec) {
		for (struct exec_req *r = ec->head; r; r = r->next)
			n++;
		if (ec->running)
			n++;
	}
	pthread_mutex_unlock(&e->core->lock);
	return n;
}

OCXLPMEM_EXPORT void ocxlpmem_executor_forget(struct ocxlpmem_executor *e,
					      const struct ocxlpmem_card *c)
{
	struct exec_core *core;
	struct exec_card *ec;

	if (!e || !c)
		return;
	core = e->core;
	pthread_mutex_lock(&core->lock);
	ec = find_card(core, c);
	if (ec) {
		fail_queued(core, ec, -ENXIO);
		if (ec->running)
			abandon_running(core, ec, -ENXIO);
		ec->forgotten = true;
		unlink_card(core, ec);
		pthread_cond_signal(&ec->cond);
	}
	pthread_mutex_unlock(&core->lock);
}
