// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Backend-independent transport and card objects: reference counting, the
 * present-card list, listener calls and per-card command serialisation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "transport-private.h"

int transport_new(const struct ocxlpmem_transport_ops *ops, void *backend,
		  struct ocxlpmem_transport **ret)
{
	struct ocxlpmem_transport *t;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->ops = ops;
	t->backend = backend;
	*ret = t;
	return 0;
}

int transport_card_new(const struct ocxlpmem_transport_ops *ops, const char *id, void *backend,
		       struct ocxlpmem_card **ret)
{
	struct ocxlpmem_card *c;

	if (strlen(id) >= sizeof(c->id))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	atomic_init(&c->refcount, 1);
	atomic_init(&c->present, false);
	c->ops = ops;
	c->backend = backend;
	strcpy(c->id, id);
	pthread_mutex_init(&c->call_lock, NULL);
	*ret = c;
	return 0;
}

struct ocxlpmem_card *transport_card_find(struct ocxlpmem_transport *t, const char *id)
{
	for (size_t i = 0; i < t->ncards; i++)
		if (strcmp(t->cards[i]->id, id) == 0)
			return t->cards[i];
	return NULL;
}

int transport_card_add(struct ocxlpmem_transport *t, struct ocxlpmem_card *c)
{
	if (t->ncards == t->cards_cap) {
		size_t cap = t->cards_cap ? t->cards_cap * 2 : 8;
		struct ocxlpmem_card **n = realloc(t->cards, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->cards = n;
		t->cards_cap = cap;
	}
	t->cards[t->ncards++] = c;
	atomic_store(&c->present, true);
	if (t->listener)
		t->listener(c, OCXLPMEM_CARD_ADDED, t->listener_data);
	return 0;
}

void transport_card_remove(struct ocxlpmem_transport *t, struct ocxlpmem_card *c)
{
	for (size_t i = 0; i < t->ncards; i++) {
		if (t->cards[i] != c)
			continue;
		memmove(&t->cards[i], &t->cards[i + 1], (t->ncards - i - 1) * sizeof(c));
		t->ncards--;
		atomic_store(&c->present, false);
		if (t->listener)
			t->listener(c, OCXLPMEM_CARD_REMOVED, t->listener_data);
		ocxlpmem_card_unref(c);
		return;
	}
}

OCXLPMEM_EXPORT struct ocxlpmem_transport *ocxlpmem_transport_free(struct ocxlpmem_transport *t)
{
	if (!t)
		return NULL;
	/* Cards outlive the transport while referenced (an executor may still
	 * hold one with a call in flight); only the list's references go. */
	for (size_t i = 0; i < t->ncards; i++) {
		atomic_store(&t->cards[i]->present, false);
		ocxlpmem_card_unref(t->cards[i]);
	}
	free(t->cards);
	if (t->ops->free)
		t->ops->free(t);
	free(t);
	return NULL;
}

OCXLPMEM_EXPORT const char *ocxlpmem_transport_name(const struct ocxlpmem_transport *t)
{
	return t ? t->ops->name : NULL;
}

OCXLPMEM_EXPORT void ocxlpmem_transport_set_listener(struct ocxlpmem_transport *t,
						     ocxlpmem_card_listener_fn fn, void *userdata)
{
	t->listener = fn;
	t->listener_data = userdata;
}

OCXLPMEM_EXPORT int ocxlpmem_transport_scan(struct ocxlpmem_transport *t)
{
	if (!t)
		return -EINVAL;
	return t->ops->scan(t);
}

OCXLPMEM_EXPORT int ocxlpmem_transport_hotplug_fd(struct ocxlpmem_transport *t)
{
	if (!t || !t->ops->hotplug_fd)
		return -1;
	return t->ops->hotplug_fd(t);
}

OCXLPMEM_EXPORT int ocxlpmem_transport_hotplug_process(struct ocxlpmem_transport *t)
{
	if (!t)
		return -EINVAL;
	if (!t->ops->hotplug_process)
		return 0;
	return t->ops->hotplug_process(t);
}

OCXLPMEM_EXPORT int ocxlpmem_transport_event_fd(struct ocxlpmem_transport *t)
{
	if (!t || !t->ops->event_fd_all)
		return -1;
	return t->ops->event_fd_all(t);
}

OCXLPMEM_EXPORT int ocxlpmem_transport_events_process(struct ocxlpmem_transport *t,
						      ocxlpmem_card_event_fn fn, void *userdata)
{
	if (!t || !fn)
		return -EINVAL;
	if (!t->ops->events_process)
		return 0;
	return t->ops->events_process(t, fn, userdata);
}

OCXLPMEM_EXPORT struct ocxlpmem_card *ocxlpmem_card_ref(struct ocxlpmem_card *c)
{
	if (c)
		atomic_fetch_add(&c->refcount, 1);
	return c;
}

OCXLPMEM_EXPORT struct ocxlpmem_card *ocxlpmem_card_unref(struct ocxlpmem_card *c)
{
	if (!c || atomic_fetch_sub(&c->refcount, 1) != 1)
		return NULL;
	if (c->ops->card_free)
		c->ops->card_free(c);
	pthread_mutex_destroy(&c->call_lock);
	free(c);
	return NULL;
}

OCXLPMEM_EXPORT const char *ocxlpmem_card_id(const struct ocxlpmem_card *c)
{
	return c->id;
}

OCXLPMEM_EXPORT uint64_t ocxlpmem_card_serial_hint(const struct ocxlpmem_card *c)
{
	return c->serial_hint;
}

OCXLPMEM_EXPORT const char *ocxlpmem_card_fw_version_hint(const struct ocxlpmem_card *c)
{
	return c->fw_version_hint;
}

OCXLPMEM_EXPORT const char *ocxlpmem_card_transport(const struct ocxlpmem_card *c)
{
	if (!c)
		return NULL;
	return c->ops->card_transport ? c->ops->card_transport(c) : c->ops->name;
}

OCXLPMEM_EXPORT bool ocxlpmem_card_is_present(const struct ocxlpmem_card *c)
{
	return atomic_load(&((struct ocxlpmem_card *)c)->present);
}

OCXLPMEM_EXPORT struct ocxlpmem_model *ocxlpmem_card_model(struct ocxlpmem_card *c)
{
	return c && c->ops->model ? c->ops->model(c) : NULL;
}

OCXLPMEM_EXPORT int ocxlpmem_card_call(struct ocxlpmem_card *c, unsigned int function,
				       const void *in, size_t in_len, void *out, size_t out_cap,
				       unsigned int timeout_ms, size_t *ret_fw_size)
{
	size_t fw_size = 0;
	int r;

	if (!c || !out || !ret_fw_size || (in_len && !in))
		return -EINVAL;
	pthread_mutex_lock(&c->call_lock);
	r = c->ops->call(c, function, in, in_len, out, out_cap, timeout_ms, &fw_size);
	pthread_mutex_unlock(&c->call_lock);
	if (r < 0)
		return r;
	*ret_fw_size = fw_size;
	return 0;
}

OCXLPMEM_EXPORT int ocxlpmem_card_event_fd(struct ocxlpmem_card *c)
{
	return c && c->ops->event_fd ? c->ops->event_fd(c) : -1;
}

OCXLPMEM_EXPORT int ocxlpmem_card_event_ack(struct ocxlpmem_card *c, uint64_t *ret_events)
{
	uint64_t events = 0;
	int r;

	if (!c || !c->ops->event_ack)
		return 0;
	r = c->ops->event_ack(c, &events);
	if (r > 0 && ret_events)
		*ret_events = events;
	return r;
}
