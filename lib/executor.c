// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The executor: card commands off the caller's event loop, with deadlines.
 *
 * A small pool of threads runs every card's requests.  A card with queued
 * work and nothing in flight waits on the ready list; a pool thread takes
 * it, runs the batch at the head of its queue (one request, or the several
 * submitted together, back-to-back) and puts the card back at the tail if
 * more is queued.  So each card's requests run in order, one at a time, and
 * the cards take turns - without a thread (and a thread hand-off) per card.
 *
 * Deadlines: a timer thread sleeps to the earliest deadline of the calls in
 * flight (at most one per pool thread, so it scans a handful).  Starting a
 * call wakes it only when that call's deadline comes before the one it
 * sleeps to, which in a burst of polls is the first call and no other.  A
 * call that overruns is *abandoned*: its request completes with -ETIMEDOUT
 * at once, the card is marked hung, and its thread is left inside the
 * backend call (a kernel ioctl cannot be interrupted) while a fresh thread
 * takes its place in the pool, so a hung card costs the others nothing
 * beyond its deadline.  Everything the stuck thread touches afterwards - its
 * job (input copy, output buffer), its card record, the shared core - stays
 * alive until it returns, hence the jobs apart from requests and the
 * reference counts.
 *
 * Completions go to one list and the eventfd is written only when that list
 * goes from empty to non-empty: a burst costs the loop one wake-up.  A
 * batch's results are held until its last call ends and then published
 * together.
 *
 * Buffers are allocated at submit, on the caller's thread, so pool threads
 * do not malloc (and glibc gives them no arenas of their own).
 *
 * One mutex (core->lock) guards all executor state; it is never held across
 * a backend call.
 *
 * Why one file of over 900 lines: the pool, the deadline thread, abandoning
 * and the completion list share that lock and one set of invariants (who
 * may touch a job after it was abandoned); split, each part would need the
 * others' internals, and a reader could no longer check the locking in one
 * place.
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

/* Backend calls use a few KiB of stack; ASan builds need more. */
#define WORKER_STACK_SIZE (128 * 1024)
#define POOL_MAX 64
#define HASH_MIN_BUCKETS 64

struct exec_req;

/* What a pool thread runs.  Outlives its request when that is abandoned. */
struct job {
	struct exec_req *req;   /* NULL once abandoned */
	unsigned int function;
	void *in;
	size_t in_len;
	uint8_t *out;
	size_t out_cap;
	unsigned int timeout_ms;
};

struct exec_req {
	struct ocxlpmem_request pub;
	struct exec_req *next;
	struct job *job;
	bool batch_more;        /* the card's next request is of the same batch */
};

_Static_assert(offsetof(struct exec_req, pub) == 0, "ocxlpmem_request_free relies on it");

struct exec_card {
	struct ocxlpmem_card *card;    /* reference */
	struct exec_card *hnext;       /* hash chain */
	struct exec_card *rnext;       /* ready list */
	struct exec_req *head, *tail;  /* queued */
	struct exec_req *held_head, *held_tail; /* done, batch still running */
	struct exec_req *running;      /* NULL once abandoned */
	struct worker *worker;         /* the thread that has this card, if any */
	unsigned int refs;             /* hash table, ready list, its worker */
	bool ready;                    /* on the ready list */
	bool hung;                     /* a call overran and has not returned */
	bool forgotten;                /* out of the hash table */
};

struct worker {
	struct exec_core *core;
	unsigned int slot;
	struct exec_card *call_card;   /* whose call is in flight, or NULL */
	uint64_t deadline_ms;          /* of that call */
	bool abandoned;                /* left in a hung call, out of the pool */
};

struct exec_core {
	pthread_mutex_t lock;
	pthread_cond_t work_cond;      /* idle pool threads */
	pthread_cond_t timer_cond;     /* CLOCK_MONOTONIC */
	unsigned int refs;             /* the owner + each live pool thread */
	bool stopping;
	int efd;
	struct exec_req *done_head, *done_tail;
	struct exec_card **buckets;
	size_t nbuckets, ncards;
	struct exec_card *ready_head, *ready_tail;
	struct worker *pool[POOL_MAX]; /* NULL: a slot still to fill */
	unsigned int pool_size;
	unsigned int idle;             /* pool threads waiting on work_cond */
	unsigned int wakes;            /* of those, signalled and not yet up */
	unsigned int abandoned;        /* threads left in hung calls */
	uint64_t timer_at;             /* the timer's wake-up; UINT64_MAX: none */
	pthread_t timer;
	struct ocxlpmem_executor_stats stats;
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
	free(j->out);
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

/* Append to the done list; the fd is written only when it was empty, so
 * one wake-up of the loop reaps a whole burst.  Called with the lock held. */
static void publish(struct exec_core *core, struct exec_req *first, struct exec_req *last)
{
	uint64_t one = 1;
	bool was_empty = !core->done_head;

	last->next = NULL;
	if (core->done_tail)
		core->done_tail->next = first;
	else
		core->done_head = first;
	core->done_tail = last;
	if (was_empty) {
		core->stats.fd_writes++;
		/* Only fails when the counter would overflow: already readable. */
		(void)!write(core->efd, &one, sizeof(one));
	}
}

/* Give a request its result.  Its job, if it has one, has not run. */
static void finish(struct exec_req *r, int result)
{
	if (r->job) {
		job_free(r->job);
		r->job = NULL;
	}
	r->pub.result = result;
	r->pub.finished_ms = mono_ms();
}

static void complete(struct exec_core *core, struct exec_req *r, int result)
{
	finish(r, result);
	core->stats.completed++;
	publish(core, r, r);
}

static void publish_held(struct exec_core *core, struct exec_card *ec)
{
	if (!ec->held_head)
		return;
	publish(core, ec->held_head, ec->held_tail);
	ec->held_head = ec->held_tail = NULL;
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
	r->job->req = NULL;
	r->job = NULL;
	complete(core, r, result);
}

static void card_unref(struct exec_card *ec)
{
	if (--ec->refs)
		return;
	ocxlpmem_card_unref(ec->card);
	free(ec);
}

static void make_ready(struct exec_core *core, struct exec_card *ec)
{
	ec->ready = true;
	ec->refs++;
	ec->rnext = NULL;
	if (core->ready_tail)
		core->ready_tail->rnext = ec;
	else
		core->ready_head = ec;
	core->ready_tail = ec;
	/* A burst of ready cards wakes each idle thread once, not once per
	 * card: the futex calls were most of the old executor's cost. */
	if (core->idle > core->wakes) {
		core->wakes++;
		pthread_cond_signal(&core->work_cond);
	}
}

static struct exec_card *pop_ready(struct exec_core *core)
{
	struct exec_card *ec = core->ready_head;

	if (ec) {
		core->ready_head = ec->rnext;
		if (!core->ready_head)
			core->ready_tail = NULL;
		ec->ready = false;
	}
	return ec;
}

static void core_free(struct exec_core *core)
{
	close(core->efd);
	free(core->buckets);
	pthread_cond_destroy(&core->timer_cond);
	pthread_cond_destroy(&core->work_cond);
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

/* ---- Cards by pointer: O(1) at submit ---------------------------------- */

static size_t bucket_of(const struct exec_core *core, const struct ocxlpmem_card *c)
{
	uint64_t x = (uint64_t)(uintptr_t)c;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (size_t)x & (core->nbuckets - 1);
}

static struct exec_card *find_card(const struct exec_core *core, const struct ocxlpmem_card *c)
{
	for (struct exec_card *ec = core->buckets[bucket_of(core, c)]; ec; ec = ec->hnext)
		if (ec->card == c)
			return ec;
	return NULL;
}

static void hash_insert(struct exec_core *core, struct exec_card *ec)
{
	size_t b = bucket_of(core, ec->card);

	ec->hnext = core->buckets[b];
	core->buckets[b] = ec;
	core->ncards++;
}

static void hash_remove(struct exec_core *core, struct exec_card *ec)
{
	for (struct exec_card **p = &core->buckets[bucket_of(core, ec->card)]; *p;
	     p = &(*p)->hnext) {
		if (*p == ec) {
			*p = ec->hnext;
			core->ncards--;
			return;
		}
	}
}

/* Keep chains short; a failed grow only makes them longer. */
static void hash_grow(struct exec_core *core)
{
	struct exec_card **old = core->buckets;
	size_t n = core->nbuckets;
	struct exec_card **nb = calloc(n * 2, sizeof(*nb));

	if (!nb)
		return;
	core->buckets = nb;
	core->nbuckets = n * 2;
	core->ncards = 0;
	for (size_t i = 0; i < n; i++) {
		while (old[i]) {
			struct exec_card *ec = old[i];

			old[i] = ec->hnext;
			hash_insert(core, ec);
		}
	}
	free(old);
}

/* The record of card c, created on first use.  Called with the lock held. */
static struct exec_card *get_card(struct exec_core *core, struct ocxlpmem_card *c)
{
	struct exec_card *ec = find_card(core, c);

	if (ec)
		return ec;
	ec = calloc(1, sizeof(*ec));
	if (!ec)
		return NULL;
	ec->card = ocxlpmem_card_ref(c);
	ec->refs = 1;
	if (core->ncards >= core->nbuckets)
		hash_grow(core);
	hash_insert(core, ec);
	return ec;
}

/* ---- Pool threads -------------------------------------------------------- */

/* Tell the timer about a deadline sooner than the one it sleeps to. */
static void arm_timer(struct exec_core *core, uint64_t deadline_ms)
{
	if (deadline_ms >= core->timer_at)
		return;
	core->timer_at = deadline_ms;
	pthread_cond_signal(&core->timer_cond);
}

/*
 * Run the batch at the head of ec's queue.  Called and returns with the lock
 * held; returns false when the thread was abandoned in a hung call.
 */
static bool run_batch(struct exec_core *core, struct worker *w, struct exec_card *ec)
{
	bool more = true;

	while (more && ec->head && !ec->hung && !core->stopping) {
		struct exec_req *r = ec->head;
		struct job *j = r->job;
		size_t fw_size = 0;
		int res;

		ec->head = r->next;
		if (!ec->head)
			ec->tail = NULL;
		more = r->batch_more;
		ec->running = r;
		r->pub.started_ms = mono_ms();
		w->call_card = ec;
		w->deadline_ms = r->pub.started_ms + j->timeout_ms;
		arm_timer(core, w->deadline_ms);
		pthread_mutex_unlock(&core->lock);

		res = ocxlpmem_card_call(ec->card, j->function, j->in, j->in_len, j->out,
					 j->out_cap, j->timeout_ms, &fw_size);

		pthread_mutex_lock(&core->lock);
		w->call_card = NULL;
		if (j->req) {
			ec->running = NULL;
			r->job = NULL;
			r->pub.fw_size = fw_size;
			if (res >= 0) {
				r->pub.out = j->out;
				j->out = NULL;
			}
			finish(r, res);
			core->stats.completed++;
			r->next = NULL;
			if (ec->held_tail)
				ec->held_tail->next = r;
			else
				ec->held_head = r;
			ec->held_tail = r;
		}
		job_free(j);
		if (w->abandoned) {
			/* The stuck call returned: the card answers again. */
			ec->hung = false;
			return false;
		}
	}
	publish_held(core, ec);
	return true;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct exec_core *core = w->core;

	pthread_mutex_lock(&core->lock);
	while (!core->stopping) {
		struct exec_card *ec = pop_ready(core);
		bool alive;

		if (!ec) {
			core->idle++;
			pthread_cond_wait(&core->work_cond, &core->lock);
			core->idle--;
			if (core->wakes)
				core->wakes--;
			continue;
		}
		/* The ready list's reference is now ours. */
		if (ec->forgotten || ec->hung || ec->worker) {
			card_unref(ec);
			continue;
		}
		ec->worker = w;
		/* While no other card waits, go on with this one: putting it
		 * back on the ready list would wake an idle thread for nothing
		 * (a controller dump is thousands of DUMP_DATA calls in a row). */
		do
			alive = run_batch(core, w, ec);
		while (alive && ec->head && !ec->hung && !ec->forgotten && !core->stopping &&
		       !core->ready_head);
		ec->worker = NULL;
		if (ec->head && !ec->hung && !ec->forgotten && !ec->ready)
			make_ready(core, ec);
		card_unref(ec);
		if (!alive) {
			core->abandoned--;
			break;
		}
	}
	if (!w->abandoned && core->pool[w->slot] == w)
		core->pool[w->slot] = NULL;
	free(w);
	core_unref_unlock(core);
	return NULL;
}

/* Fill pool slot i with a new thread.  Called with the lock held. */
static int spawn_worker(struct exec_core *core, unsigned int slot)
{
	struct worker *w = calloc(1, sizeof(*w));
	pthread_attr_t attr;
	pthread_t thread;
	int r;

	if (!w)
		return -ENOMEM;
	w->core = core;
	w->slot = slot;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, WORKER_STACK_SIZE);
	r = -pthread_create(&thread, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	if (r < 0) {
		free(w);
		return r;
	}
	core->refs++;
	core->pool[slot] = w;
	return 0;
}

/* Fill empty slots (after a failed spawn); 0 when at least one thread runs. */
static int fill_pool(struct exec_core *core)
{
	unsigned int live = 0;
	int r = 0;

	for (unsigned int i = 0; i < core->pool_size; i++) {
		if (!core->pool[i]) {
			int k = spawn_worker(core, i);

			if (k < 0 && !r)
				r = k;
		}
		live += !!core->pool[i];
	}
	return live ? 0 : r;
}

/* ---- Deadlines ----------------------------------------------------------- */

/* Pool slot i's call overran: abandon it and give the slot a new thread. */
static void expire(struct exec_core *core, unsigned int i)
{
	struct worker *w = core->pool[i];
	struct exec_card *ec = w->call_card;

	ec->hung = true;
	/* What the batch finished before the stuck call still counts. */
	publish_held(core, ec);
	/* NULL when the card was forgotten during the call. */
	if (ec->running)
		abandon_running(core, ec, -ETIMEDOUT);
	/* Behind a stuck call nothing can run: say so now. */
	fail_queued(core, ec, -EBUSY);
	w->abandoned = true;
	core->abandoned++;
	core->pool[i] = NULL;
	core->stats.abandoned_total++;
	/* On failure the slot stays empty until the next submit retries. */
	(void)spawn_worker(core, i);
}

static void *timer_main(void *arg)
{
	struct exec_core *core = arg;

	pthread_mutex_lock(&core->lock);
	while (!core->stopping) {
		uint64_t now = mono_ms(), next = UINT64_MAX, planned = core->timer_at;

		for (unsigned int i = 0; i < core->pool_size; i++) {
			struct worker *w = core->pool[i];

			if (!w || !w->call_card)
				continue;
			if (w->deadline_ms <= now)
				expire(core, i);
			else if (w->deadline_ms < next)
				next = w->deadline_ms;
		}
		/* Woken early (a call started) and that call is over already: keep
		 * sleeping to the deadline it armed rather than to none, or the
		 * next call would have to wake us again, and so every call. */
		if (next == UINT64_MAX && planned > now)
			next = planned;
		core->timer_at = next;
		if (next == UINT64_MAX) {
			pthread_cond_wait(&core->timer_cond, &core->lock);
		} else {
			struct timespec ts = {
				.tv_sec = (time_t)(next / 1000u),
				.tv_nsec = (long)(next % 1000u) * 1000000L,
			};

			pthread_cond_timedwait(&core->timer_cond, &core->lock, &ts);
		}
		core->stats.timer_wakeups++;
	}
	pthread_mutex_unlock(&core->lock);
	return NULL;
}

/* ---- The API ------------------------------------------------------------- */

static unsigned int default_pool_size(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	/* Calls mostly wait on the card, so a few threads suffice at any core
	 * count; two keep one hung call from stalling the rest until its
	 * deadline. */
	if (n < 2)
		return 2;
	return n > 4 ? 4 : (unsigned int)n;
}

OCXLPMEM_EXPORT int ocxlpmem_executor_new_pool(struct ocxlpmem_executor **ret,
					       unsigned int threads)
{
	struct ocxlpmem_executor *e;
	struct exec_core *core;
	pthread_condattr_t ca;
	int r;

	if (!ret || threads > POOL_MAX)
		return -EINVAL;
	if (!threads)
		threads = default_pool_size();
	e = calloc(1, sizeof(*e));
	core = calloc(1, sizeof(*core));
	if (core)
		core->buckets = calloc(HASH_MIN_BUCKETS, sizeof(*core->buckets));
	if (!e || !core || !core->buckets) {
		if (core)
			free(core->buckets);
		free(e);
		free(core);
		return -ENOMEM;
	}
	core->nbuckets = HASH_MIN_BUCKETS;
	core->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (core->efd < 0) {
		r = -errno;
		free(core->buckets);
		free(e);
		free(core);
		return r;
	}
	pthread_mutex_init(&core->lock, NULL);
	pthread_cond_init(&core->work_cond, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&core->timer_cond, &ca);
	pthread_condattr_destroy(&ca);
	core->refs = 1;
	core->timer_at = UINT64_MAX;
	core->pool_size = threads;
	e->core = core;
	r = -pthread_create(&core->timer, NULL, timer_main, core);
	if (r < 0) {
		core_free(core);
		free(e);
		return r;
	}
	pthread_mutex_lock(&core->lock);
	r = fill_pool(core);
	pthread_mutex_unlock(&core->lock);
	if (r < 0) {
		ocxlpmem_executor_free(e);
		return r;
	}
	*ret = e;
	return 0;
}

OCXLPMEM_EXPORT int ocxlpmem_executor_new(struct ocxlpmem_executor **ret)
{
	return ocxlpmem_executor_new_pool(ret, 0);
}

static void destroy_list(struct exec_req *r)
{
	while (r) {
		struct exec_req *next = r->next;

		job_free(r->job);
		r->job = NULL;
		req_destroy(r);
		r = next;
	}
}

OCXLPMEM_EXPORT struct ocxlpmem_executor *ocxlpmem_executor_free(struct ocxlpmem_executor *e)
{
	struct exec_core *core;

	if (!e)
		return NULL;
	core = e->core;
	pthread_mutex_lock(&core->lock);
	core->stopping = true;
	for (size_t b = 0; b < core->nbuckets; b++) {
		while (core->buckets[b]) {
			struct exec_card *ec = core->buckets[b];

			core->buckets[b] = ec->hnext;
			destroy_list(ec->head);
			ec->head = ec->tail = NULL;
			destroy_list(ec->held_head);
			ec->held_head = ec->held_tail = NULL;
			if (ec->running) {
				/* Its thread finds no request to complete. */
				req_destroy(ec->running);
				ec->running = NULL;
			}
			ec->forgotten = true;
			card_unref(ec);
		}
	}
	core->ncards = 0;
	for (struct exec_card *ec; (ec = pop_ready(core));)
		card_unref(ec);
	destroy_list(core->done_head);
	core->done_head = core->done_tail = NULL;
	pthread_cond_broadcast(&core->work_cond);
	pthread_cond_signal(&core->timer_cond);
	pthread_mutex_unlock(&core->lock);

	pthread_join(core->timer, NULL);
	/* Idle threads exit now; a stuck one frees its part when it returns. */
	pthread_mutex_lock(&core->lock);
	core_unref_unlock(core);
	free(e);
	return NULL;
}

OCXLPMEM_EXPORT int ocxlpmem_executor_fd(struct ocxlpmem_executor *e)
{
	return e ? e->core->efd : -1;
}

/* A request of its own for tmpl, with its job and buffers, or NULL. */
static struct exec_req *req_new(const struct ocxlpmem_request *tmpl)
{
	struct exec_req *r = calloc(1, sizeof(*r));
	struct job *j = calloc(1, sizeof(*j));

	if (!r || !j)
		goto out_nomem;
	if (tmpl->in_len) {
		j->in = malloc(tmpl->in_len);
		if (!j->in)
			goto out_nomem;
		memcpy(j->in, tmpl->in, tmpl->in_len);
	}
	j->out = calloc(1, tmpl->out_cap ? tmpl->out_cap : 1);
	if (!j->out)
		goto out_nomem;
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
	return r;

out_nomem:
	job_free(j);
	free(r);
	return NULL;
}

static bool tmpl_valid(const struct ocxlpmem_request *t, const struct ocxlpmem_card *card)
{
	return t->card && t->card == card && (!t->in_len || t->in) &&
	       t->function >= OCXLPMEM_FN_MIN && t->function <= OCXLPMEM_FN_MAX;
}

OCXLPMEM_EXPORT int ocxlpmem_executor_submit_batch(struct ocxlpmem_executor *e,
						   const struct ocxlpmem_request *tmpls, size_t n)
{
	struct exec_req *first = NULL, *last = NULL;
	struct exec_core *core;
	struct exec_card *ec;
	int ret;

	if (!e || !tmpls || !n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!tmpl_valid(&tmpls[i], tmpls[0].card))
			return -EINVAL;
	core = e->core;
	for (size_t i = 0; i < n; i++) {
		struct exec_req *r = req_new(&tmpls[i]);

		if (!r) {
			destroy_list(first);
			return -ENOMEM;
		}
		r->batch_more = i + 1 < n;
		if (last)
			last->next = r;
		else
			first = r;
		last = r;
	}

	pthread_mutex_lock(&core->lock);
	ret = fill_pool(core);
	ec = ret < 0 ? NULL : get_card(core, tmpls[0].card);
	if (!ec) {
		pthread_mutex_unlock(&core->lock);
		destroy_list(first);
		return ret < 0 ? ret : -ENOMEM;
	}
	if (ec->hung) {
		while (first) {
			struct exec_req *r = first;

			first = r->next;
			complete(core, r, -EBUSY);
		}
	} else {
		if (ec->tail)
			ec->tail->next = first;
		else
			ec->head = first;
		ec->tail = last;
		if (!ec->ready && !ec->worker)
			make_ready(core, ec);
	}
	pthread_mutex_unlock(&core->lock);
	return 0;
}

OCXLPMEM_EXPORT int ocxlpmem_executor_submit(struct ocxlpmem_executor *e,
					     const struct ocxlpmem_request *tmpl)
{
	return ocxlpmem_executor_submit_batch(e, tmpl, 1);
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
		 * completions take, so a readable fd always means work (and the
		 * next completion, finding the list empty, writes again). */
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
	/* pub is the first member (asserted above): the request is the wrapper. */
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
		/* Done but held for the rest of their batch: not reapable yet. */
		for (struct exec_req *r = ec->held_head; r; r = r->next)
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
		publish_held(core, ec);
		fail_queued(core, ec, -ENXIO);
		/* The call goes on; if it hangs, its deadline frees its thread. */
		if (ec->running)
			abandon_running(core, ec, -ENXIO);
		ec->forgotten = true;
		hash_remove(core, ec);
		card_unref(ec);
	}
	pthread_mutex_unlock(&core->lock);
}

OCXLPMEM_EXPORT int ocxlpmem_executor_get_stats(struct ocxlpmem_executor *e,
						struct ocxlpmem_executor_stats *ret)
{
	struct exec_core *core;

	if (!e || !ret)
		return -EINVAL;
	core = e->core;
	pthread_mutex_lock(&core->lock);
	*ret = core->stats;
	ret->threads = 0;
	for (unsigned int i = 0; i < core->pool_size; i++)
		ret->threads += !!core->pool[i];
	ret->abandoned = core->abandoned;
	pthread_mutex_unlock(&core->lock);
	return 0;
}
