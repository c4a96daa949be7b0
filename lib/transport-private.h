/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The backend side of ocxlpmem/transport.h: the ops table each backend
 * fills and the helpers it uses to report cards.  Not installed.
 */
#ifndef OCXLPMEM_TRANSPORT_PRIVATE_H
#define OCXLPMEM_TRANSPORT_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <ocxlpmem/transport.h>

struct ocxlpmem_transport_ops {
	const char *name;
	/* Discover cards, reporting them with transport_card_add/remove. */
	int (*scan)(struct ocxlpmem_transport *t);
	int (*hotplug_fd)(struct ocxlpmem_transport *t);
	int (*hotplug_process)(struct ocxlpmem_transport *t);
	/* Optional: one event source for every card (see transport.h). */
	int (*event_fd_all)(struct ocxlpmem_transport *t);
	int (*events_process)(struct ocxlpmem_transport *t, ocxlpmem_card_event_fn fn,
			      void *userdata);
	/* Blocking command; called with the card's call_lock held. */
	int (*call)(struct ocxlpmem_card *c, unsigned int function, const void *in,
		    size_t in_len, void *out, size_t out_cap, unsigned int timeout_ms,
		    size_t *ret_fw_size);
	int (*event_fd)(struct ocxlpmem_card *c);
	int (*event_ack)(struct ocxlpmem_card *c, uint64_t *ret_events);
	/* Optional: how commands reach this card (default: the ops' name). */
	const char *(*card_transport)(const struct ocxlpmem_card *c);
	/* Optional: the simulation's model. */
	struct ocxlpmem_model *(*model)(struct ocxlpmem_card *c);
	/* Free the card's backend data (last reference gone, any thread). */
	void (*card_free)(struct ocxlpmem_card *c);
	/* Free the transport's backend data. */
	void (*free)(struct ocxlpmem_transport *t);
};

struct ocxlpmem_card {
	atomic_int refcount;
	const struct ocxlpmem_transport_ops *ops;
	void *backend;
	char id[32];
	uint64_t serial_hint;
	char fw_version_hint[OCXLPMEM_FW_VERSION_LEN + 1];
	atomic_bool present;
	/* The driver serialises commands per DIMM; so do we. */
	pthread_mutex_t call_lock;
};

struct ocxlpmem_transport {
	const struct ocxlpmem_transport_ops *ops;
	void *backend;
	ocxlpmem_card_listener_fn listener;
	void *listener_data;
	/* Cards currently present, each holding one reference. */
	struct ocxlpmem_card **cards;
	size_t ncards;
	size_t cards_cap;
};

/* A new card with one reference, not yet reported.  0 or -errno. */
int transport_card_new(const struct ocxlpmem_transport_ops *ops, const char *id, void *backend,
		       struct ocxlpmem_card **ret);
/* Report a new card (the transport takes over the caller's reference). */
int transport_card_add(struct ocxlpmem_transport *t, struct ocxlpmem_card *c);
/* Report a card gone: marks it absent, tells the listener, drops the ref. */
void transport_card_remove(struct ocxlpmem_transport *t, struct ocxlpmem_card *c);
/* The present card with this id, or NULL (no reference taken). */
struct ocxlpmem_card *transport_card_find(struct ocxlpmem_transport *t, const char *id);
/* A transport around backend data; 0 or -errno. */
int transport_new(const struct ocxlpmem_transport_ops *ops, void *backend,
		  struct ocxlpmem_transport **ret);

#endif /* OCXLPMEM_TRANSPORT_PRIVATE_H */
