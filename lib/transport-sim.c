// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulation backend: card models in this process, playing the part of
 * the cards and of the driver above them.  Where the kernel would take a
 * bus down (surprise removal, a fatal error) and udev would say so, this
 * backend signals its hotplug eventfd and reports the card removed on the
 * next hotplug_process(), so the daemon sees the same sequence of events on
 * both backends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "model-private.h"
#include "private.h"
#include "transport-private.h"

/*
 * What the backend and its slots share: the hotplug eventfd and the one
 * eventfd for every card's events, with the list of the slots that
 * signalled.  One descriptor for the events of all cards, instead of one
 * per model, is what lets a simulation of thousands of cards run under the
 * usual RLIMIT_NOFILE of 1024.  Reference counted: a slot can outlive the
 * transport (a card whose command hangs keeps it), and still signal.
 */
struct sim_shared {
	atomic_int refcount;
	int hotplug_efd;
	int event_efd;
	pthread_mutex_t lock;     /* guards the ready list and closed */
	struct sim_slot *ready;   /* FIFO; each slot on it holds a reference */
	struct sim_slot **ready_tail;
	bool closed;              /* the transport is gone: nobody reads the list */
};

/*
 * A slot is one card position.  Its model is shared between the slot and
 * every card object made for it (a card is re-made after a reset brings a
 * removed model back), so the slot is reference counted: a card whose
 * command hangs keeps the model alive after the transport is gone.
 */
struct sim_slot {
	atomic_int refcount;
	struct ocxlpmem_model *model;
	struct sim_shared *shared;
	/* The card reported for this slot, if any: loop thread only, and set
	 * exactly while the transport's list holds the card. */
	struct ocxlpmem_card *card;
	struct sim_slot *ready_next;
	bool queued;              /* on shared->ready (shared->lock) */
	char id[16];
};

struct sim_backend {
	struct sim_slot **slots;
	size_t nslots;
	struct sim_shared *shared;
	bool scanned;
};

static void shared_unref(struct sim_shared *sh)
{
	if (!sh || atomic_fetch_sub(&sh->refcount, 1) != 1)
		return;
	if (sh->hotplug_efd >= 0)
		close(sh->hotplug_efd);
	if (sh->event_efd >= 0)
		close(sh->event_efd);
	pthread_mutex_destroy(&sh->lock);
	free(sh);
}

static int shared_new(struct sim_shared **ret)
{
	struct sim_shared *sh;
	int r;

	sh = calloc(1, sizeof(*sh));
	if (!sh)
		return -ENOMEM;
	atomic_init(&sh->refcount, 1);
	sh->ready_tail = &sh->ready;
	pthread_mutex_init(&sh->lock, NULL);
	sh->event_efd = -1;
	sh->hotplug_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (sh->hotplug_efd >= 0)
		sh->event_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (sh->event_efd < 0) {
		r = -errno;
		shared_unref(sh);
		return r;
	}
	*ret = sh;
	return 0;
}

static struct sim_slot *slot_ref(struct sim_slot *s)
{
	atomic_fetch_add(&s->refcount, 1);
	return s;
}

static void slot_unref(struct sim_slot *s)
{
	if (atomic_fetch_sub(&s->refcount, 1) != 1)
		return;
	ocxlpmem_model_free(s->model);
	shared_unref(s->shared);
	free(s);
}

static void kick_fd(int fd)
{
	uint64_t one = 1;

	/* Only fails when the counter would overflow: already readable. */
	(void)!write(fd, &one, sizeof(one));
}

/*
 * The model raised an event bit (its lock held, any thread): queue the
 * slot once until the loop takes the list, and wake the loop.
 */
static void slot_notify(void *userdata)
{
	struct sim_slot *s = userdata;
	struct sim_shared *sh = s->shared;
	bool wake = false;

	pthread_mutex_lock(&sh->lock);
	if (!sh->closed && !s->queued) {
		s->queued = true;
		s->ready_next = NULL;
		*sh->ready_tail = slot_ref(s);
		sh->ready_tail = &s->ready_next;
		wake = true;
	}
	pthread_mutex_unlock(&sh->lock);
	if (wake)
		kick_fd(sh->event_efd);
}

/* Take the whole ready list (its references go to the caller). */
static struct sim_slot *ready_take(struct sim_shared *sh, bool close)
{
	struct sim_slot *list;

	pthread_mutex_lock(&sh->lock);
	list = sh->ready;
	sh->ready = NULL;
	sh->ready_tail = &sh->ready;
	for (struct sim_slot *s = list; s; s = s->ready_next)
		s->queued = false;
	if (close)
		sh->closed = true;
	pthread_mutex_unlock(&sh->lock);
	return list;
}

static int sim_call(struct ocxlpmem_card *c, unsigned int function, const void *in,
		    size_t in_len, void *out, size_t out_cap, unsigned int timeout_ms,
		    size_t *ret_fw_size)
{
	struct sim_slot *s = c->backend;
	int r;

	if (!atomic_load(&c->present))
		return -ENXIO;
	r = ocxlpmem_model_call(s->model, function, in, in_len, out, out_cap, ret_fw_size);
	/* The driver takes the bus down when the card is gone; udev tells. */
	if (r == -ENXIO)
		kick_fd(s->shared->hotplug_efd);
	return r;
}

/* For a library user watching one card; the daemon uses sim_event_fd_all. */
static int sim_event_fd(struct ocxlpmem_card *c)
{
	struct sim_slot *s = c->backend;

	return ocxlpmem_model_event_fd(s->model);
}

static int sim_event_ack(struct ocxlpmem_card *c, uint64_t *ret_events)
{
	struct sim_slot *s = c->backend;
	int r;

	r = model_event_drain(s->model);
	if (r < 0)
		return r;
	/* What the kernel backend reads from the sysfs attribute. */
	*ret_events = ocxlpmem_model_events(s->model);
	if (ocxlpmem_model_is_removed(s->model))
		kick_fd(s->shared->hotplug_efd);
	return 1;
}

static int sim_event_fd_all(struct ocxlpmem_transport *t)
{
	struct sim_backend *sim = t->backend;

	return sim->shared->event_efd;
}

static int sim_events_process(struct ocxlpmem_transport *t, ocxlpmem_card_event_fn fn,
			      void *userdata)
{
	struct sim_backend *sim = t->backend;
	struct sim_slot *s, *next;
	uint64_t v;
	int n = 0;

	if (read(sim->shared->event_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	/* A slot that signals again while we work is queued anew and comes
	 * with the next wake-up. */
	for (s = ready_take(sim->shared, false); s; s = next) {
		struct ocxlpmem_card *c = s->card;

		next = s->ready_next;
		if (c && atomic_load(&c->present)) {
			ocxlpmem_card_ref(c);
			fn(c, userdata);
			ocxlpmem_card_unref(c);
			n++;
		}
		slot_unref(s);
	}
	return n;
}

static struct ocxlpmem_model *sim_model(struct ocxlpmem_card *c)
{
	struct sim_slot *s = c->backend;

	return s->model;
}

static void sim_card_free(struct ocxlpmem_card *c)
{
	slot_unref(c->backend);
}

static const struct ocxlpmem_transport_ops sim_ops;

static int sim_card_make(struct ocxlpmem_transport *t, struct sim_slot *s)
{
	struct ocxlpmem_card *c;
	int r;

	r = transport_card_new(&sim_ops, s->id, slot_ref(s), &c);
	if (r < 0) {
		slot_unref(s);
		return r;
	}
	/* What the kernel backend reads from sysfs without a command. */
	c->serial_hint = ocxlpmem_model_serial(s->model);
	r = transport_card_add(t, c);
	if (r < 0) {
		ocxlpmem_card_unref(c);
		return r;
	}
	s->card = c;
	return 0;
}

/*
 * Bring the reported set in line with the models: removed models lose
 * their card, present models without one (new, or reset after removal)
 * get one.
 */
static int sim_reconcile(struct ocxlpmem_transport *t)
{
	struct sim_backend *sim = t->backend;
	int ret = 0;

	for (size_t i = 0; i < sim->nslots; i++) {
		struct sim_slot *s = sim->slots[i];
		struct ocxlpmem_card *c = s->card;
		bool removed = ocxlpmem_model_is_removed(s->model);

		if (c && removed) {
			s->card = NULL;
			transport_card_remove(t, c);
		} else if (!c && !removed) {
			int r = sim_card_make(t, s);

			if (r < 0 && !ret)
				ret = r;
		}
	}
	return ret;
}

static int sim_scan(struct ocxlpmem_transport *t)
{
	struct sim_backend *sim = t->backend;

	sim->scanned = true;
	return sim_reconcile(t);
}

static int sim_hotplug_fd(struct ocxlpmem_transport *t)
{
	struct sim_backend *sim = t->backend;

	return sim->shared->hotplug_efd;
}

static int sim_hotplug_process(struct ocxlpmem_transport *t)
{
	struct sim_backend *sim = t->backend;
	uint64_t v;

	if (read(sim->shared->hotplug_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	/* Nothing is reported before the first scan, as with the kernel. */
	return sim->scanned ? sim_reconcile(t) : 0;
}

static void sim_free(struct ocxlpmem_transport *t)
{
	struct sim_backend *sim = t->backend;
	struct sim_slot *s, *next;

	/* Slots that outlive us may still signal: nobody takes the list. */
	for (s = ready_take(sim->shared, true); s; s = next) {
		next = s->ready_next;
		slot_unref(s);
	}
	for (size_t i = 0; i < sim->nslots; i++) {
		/* The transport has dropped its cards already. */
		sim->slots[i]->card = NULL;
		/* A command stuck in a hang fault must not outlive us blocked. */
		ocxlpmem_model_release_hangs(sim->slots[i]->model);
		slot_unref(sim->slots[i]);
	}
	free(sim->slots);
	shared_unref(sim->shared);
	free(sim);
}

static const struct ocxlpmem_transport_ops sim_ops = {
	.name = "sim",
	.scan = sim_scan,
	.hotplug_fd = sim_hotplug_fd,
	.hotplug_process = sim_hotplug_process,
	.event_fd_all = sim_event_fd_all,
	.events_process = sim_events_process,
	.call = sim_call,
	.event_fd = sim_event_fd,
	.event_ack = sim_event_ack,
	.model = sim_model,
	.card_free = sim_card_free,
	.free = sim_free,
};

static int sim_slot_new(struct sim_backend *sim, const struct ocxlpmem_model_config *cfg)
{
	struct sim_slot *s, **n;
	int r;

	n = realloc(sim->slots, (sim->nslots + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	sim->slots = n;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = ocxlpmem_model_new(cfg, &s->model);
	if (r < 0) {
		free(s);
		return r;
	}
	atomic_init(&s->refcount, 1);
	atomic_fetch_add(&sim->shared->refcount, 1);
	s->shared = sim->shared;
	snprintf(s->id, sizeof(s->id), "sim%zu", sim->nslots);
	model_set_notify(s->model, slot_notify, s);
	sim->slots[sim->nslots++] = s;
	return 0;
}

static struct ocxlpmem_model_config sim_slot_config(const struct ocxlpmem_model_config *tmpl,
						    unsigned int index)
{
	struct ocxlpmem_model_config cfg = { 0 };

	if (tmpl)
		cfg = *tmpl;
	/* Distinct, stable serials and sensor histories per position. */
	if (cfg.serial)
		cfg.serial += index;
	else
		cfg.serial = 0x1014062500000000ull + 0x1000ull + index;
	cfg.seed += index;
	return cfg;
}

OCXLPMEM_EXPORT int ocxlpmem_transport_new_sim(unsigned int ncards,
					       const struct ocxlpmem_model_config *tmpl,
					       struct ocxlpmem_transport **ret)
{
	struct ocxlpmem_transport *t;
	struct sim_backend *sim;
	int r;

	if (!ret)
		return -EINVAL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return -ENOMEM;
	r = shared_new(&sim->shared);
	if (r < 0) {
		free(sim);
		return r;
	}
	r = transport_new(&sim_ops, sim, &t);
	if (r < 0) {
		shared_unref(sim->shared);
		free(sim);
		return r;
	}
	for (unsigned int i = 0; i < ncards; i++) {
		struct ocxlpmem_model_config cfg = sim_slot_config(tmpl, i);

		r = sim_slot_new(sim, &cfg);
		if (r < 0) {
			ocxlpmem_transport_free(t);
			return r;
		}
	}
	*ret = t;
	return 0;
}

OCXLPMEM_EXPORT bool ocxlpmem_transport_is_sim(const struct ocxlpmem_transport *t)
{
	return t && t->ops == &sim_ops;
}

OCXLPMEM_EXPORT int ocxlpmem_transport_sim_add(struct ocxlpmem_transport *t,
					       const struct ocxlpmem_model_config *cfg)
{
	struct sim_backend *sim;
	struct ocxlpmem_model_config c;
	int r;

	if (!t || t->ops != &sim_ops)
		return -EOPNOTSUPP;
	sim = t->backend;
	c = sim_slot_config(cfg, (unsigned int)sim->nslots);
	r = sim_slot_new(sim, &c);
	if (r < 0)
		return r;
	kick_fd(sim->shared->hotplug_efd);
	return 0;
}

static struct sim_slot *sim_slot_find(struct sim_backend *sim, const char *id)
{
	for (size_t i = 0; i < sim->nslots; i++)
		if (strcmp(sim->slots[i]->id, id) == 0)
			return sim->slots[i];
	return NULL;
}

OCXLPMEM_EXPORT int ocxlpmem_transport_sim_unplug(struct ocxlpmem_transport *t, const char *id)
{
	struct sim_slot *s;

	if (!t || t->ops != &sim_ops)
		return -EOPNOTSUPP;
	if (!id)
		return -EINVAL;
	s = sim_slot_find(t->backend, id);
	if (!s)
		return -ENOENT;
	ocxlpmem_model_remove(s->model);
	kick_fd(s->shared->hotplug_efd);
	return 0;
}

OCXLPMEM_EXPORT int ocxlpmem_transport_sim_reset(struct ocxlpmem_transport *t, const char *id)
{
	struct sim_slot *s;

	if (!t || t->ops != &sim_ops)
		return -EOPNOTSUPP;
	if (!id)
		return -EINVAL;
	s = sim_slot_find(t->backend, id);
	if (!s)
		return -ENOENT;
	/*
	 * A reset is a re-probe: the old card object goes away and a new one
	 * appears, as a driver rebind would look to udev.
	 */
	ocxlpmem_model_remove(s->model);
	if (((struct sim_backend *)t->backend)->scanned)
		sim_reconcile(t);
	ocxlpmem_model_reset(s->model);
	kick_fd(s->shared->hotplug_efd);
	return 0;
}

OCXLPMEM_EXPORT int ocxlpmem_transport_sim_memory_bytes(struct ocxlpmem_transport *t,
							uint64_t *ret)
{
	struct sim_backend *sim;
	uint64_t n;

	if (!t || t->ops != &sim_ops)
		return -EOPNOTSUPP;
	if (!ret)
		return -EINVAL;
	sim = t->backend;
	n = sizeof(*sim) + sizeof(*sim->shared) + sim->nslots * sizeof(*sim->slots);
	for (size_t i = 0; i < sim->nslots; i++)
		n += sizeof(*sim->slots[i]) + ocxlpmem_model_memory_bytes(sim->slots[i]->model);
	*ret = n;
	return 0;
}
