/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Transports: how commands reach a card and how card events come back.
 *
 * A transport finds cards and reports them added or removed; a card takes
 * tunnelled commands and has an event source.  Two backends sit behind one
 * ops table (lib/transport-private.h), the way the cxl driver separates its
 * bare-metal and guest backends:
 *   - "sim":    card models in this process (ocxlpmemd --simulate, tests);
 *   - "kernel": libndctl discovery, ND_IOCTL_CALL on /dev/nmemN, sysfs
 *               events and udev hotplug; for a card of the v4 driver, its
 *               character device /dev/ocxlpmemN and eventfd instead.
 * Nothing above this header knows which one runs.
 *
 * Threads: transport functions and listeners run on the caller's loop
 * thread.  ocxlpmem_card_call() is thread-safe and blocking: a card can
 * hang, so callers run it off their loop, normally through the executor
 * below, which enforces timeouts.
 */
#ifndef OCXLPMEM_TRANSPORT_H
#define OCXLPMEM_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ocxlpmem/abi.h>
#include <ocxlpmem/codec.h>
#include <ocxlpmem/model.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ocxlpmem_transport;
struct ocxlpmem_card;

enum ocxlpmem_card_change {
	OCXLPMEM_CARD_ADDED = 1,
	OCXLPMEM_CARD_REMOVED = 2,
};

/* Called on the loop thread for every card that appears or goes away.
 * The card is valid during the call; take a reference to keep it. */
typedef void (*ocxlpmem_card_listener_fn)(struct ocxlpmem_card *card,
					  enum ocxlpmem_card_change change, void *userdata);
/* Called on the loop thread for a card that may have events pending (see
 * ocxlpmem_transport_events_process()); the card is valid during the call. */
typedef void (*ocxlpmem_card_event_fn)(struct ocxlpmem_card *card, void *userdata);

/* ---- Transports ---------------------------------------------------------- */

/*
 * A simulation transport with ncards card models made from tmpl (NULL for
 * defaults); card i gets serial tmpl->serial + i (or a seeded one) and seed
 * tmpl->seed + i.  0 or -errno.
 */
int ocxlpmem_transport_new_sim(unsigned int ncards, const struct ocxlpmem_model_config *tmpl,
			       struct ocxlpmem_transport **ret);
/*
 * True for a simulation transport (ocxlpmem_transport_new_sim()), where the
 * ocxlpmem_transport_sim_*() calls and ocxlpmem_card_model() work; false
 * for any other backend and for NULL.  What a program offers only with
 * simulated cards (ocxlpmemd's io.ocxlpmem.Simulation) asks this, not the
 * backend's name.
 */
bool ocxlpmem_transport_is_sim(const struct ocxlpmem_transport *t);
/* Simulation only: hotplug a new card model / unplug card `id` ("sim3"). */
int ocxlpmem_transport_sim_add(struct ocxlpmem_transport *t, const struct ocxlpmem_model_config *cfg);
int ocxlpmem_transport_sim_unplug(struct ocxlpmem_transport *t, const char *id);
/*
 * Simulation only: bytes held by the simulated cards, i.e. every model's
 * ocxlpmem_model_memory_bytes() plus the backend's own per-card records,
 * so that a process can tell its own footprint from the simulation's.
 * 0 or -EOPNOTSUPP (another backend).
 */
int ocxlpmem_transport_sim_memory_bytes(struct ocxlpmem_transport *t, uint64_t *ret);
/* Simulation only: reset card `id` (ocxlpmem_model_reset): its card object
 * is reported removed and a new one added, as a driver rebind looks. */
int ocxlpmem_transport_sim_reset(struct ocxlpmem_transport *t, const char *id);

/*
 * The kernel backend: cards are the DIMMs (nmemN) of the libnvdimm buses
 * whose provider is "ocxlpmem", found with libndctl; commands go through
 * ND_IOCTL_CALL on /dev/nmemN (opened read-write, one descriptor per card);
 * events come from the DIMM's sysfs attribute ocxlpmem/events; a udev
 * monitor brings cards that come and go.
 *
 * A DIMM that cannot be used is not reported as a card, and is not tried
 * again until udev reports it added anew (a driver rebind): one whose node
 * opens only read-only, one without the ocxlpmem identity attributes, and
 * one whose driver refuses the family (EPERM on any command, ENOTTY or
 * EINVAL on CAPABILITIES; a card already reported is then reported
 * removed) and has no v4 character device (see opts->transport).  The
 * reason goes to opts->log.
 */
/*
 * How the kernel backend talks to a card (ocxlpmem-abi(7), TRANSPORTS):
 *   AUTO:    the OCXL family on /dev/nmemN; when the driver refuses it
 *            (ENOTTY or EINVAL on CAPABILITIES) and the card's PCI function
 *            has a v4 character device /dev/ocxlpmemN, that one;
 *   TUNNEL:  the family on /dev/nmemN only (a v4 card is refused);
 *   CHARDEV: /dev/ocxlpmemN for every card (a card without one is
 *            refused), SMART still on /dev/nmemN as v4 has it.
 */
enum ocxlpmem_kernel_transport {
	OCXLPMEM_KERNEL_AUTO = 0,
	OCXLPMEM_KERNEL_TUNNEL = 1,
	OCXLPMEM_KERNEL_CHARDEV = 2,
};

struct ocxlpmem_kernel_options {
	/*
	 * What an operator should know and no call returns: a DIMM refused and
	 * why (LOG_ERR), a DIMM found (LOG_DEBUG), libndctl's own messages
	 * (LOG_DEBUG).  priority is a syslog(3) level, dimm the DIMM ("nmem3")
	 * or NULL.  Called on the loop thread, from scan and hotplug_process.
	 * NULL: nothing is said.
	 */
	void (*log)(void *userdata, int priority, const char *dimm, const char *message);
	void *log_userdata;
	enum ocxlpmem_kernel_transport transport;
};

/* opts may be NULL.  0 or -errno (no udev, no memory). */
int ocxlpmem_transport_new_kernel(const struct ocxlpmem_kernel_options *opts,
				  struct ocxlpmem_transport **ret);

/* Frees the transport and drops its card references; NULL is fine. */
struct ocxlpmem_transport *ocxlpmem_transport_free(struct ocxlpmem_transport *t);
const char *ocxlpmem_transport_name(const struct ocxlpmem_transport *t);

void ocxlpmem_transport_set_listener(struct ocxlpmem_transport *t,
				     ocxlpmem_card_listener_fn fn, void *userdata);
/* Discover cards; the listener hears each difference from the last scan. */
int ocxlpmem_transport_scan(struct ocxlpmem_transport *t);
/* Readable when the set of cards may have changed; -1 when never. */
int ocxlpmem_transport_hotplug_fd(struct ocxlpmem_transport *t);
/* Drain hotplug_fd and report the changes through the listener. */
int ocxlpmem_transport_hotplug_process(struct ocxlpmem_transport *t);
/*
 * One descriptor for the events of every card, where the backend has one
 * (the simulation: one eventfd and a list of the cards that signalled), so
 * that thousands of cards need no descriptor each; -1 otherwise, and each
 * card's ocxlpmem_card_event_fd() is its source.  When it is readable,
 * ocxlpmem_transport_events_process() drains it and calls fn once for each
 * present card that signalled since, as that card's own event fd becoming
 * readable would mean: fn then calls ocxlpmem_card_event_ack() as usual.
 * Returns how many cards fn was called for, or -errno.
 */
int ocxlpmem_transport_event_fd(struct ocxlpmem_transport *t);
int ocxlpmem_transport_events_process(struct ocxlpmem_transport *t, ocxlpmem_card_event_fn fn,
				      void *userdata);

/* ---- Cards ------------------------------------------------------------------ */

struct ocxlpmem_card *ocxlpmem_card_ref(struct ocxlpmem_card *c);
/* Returns NULL; the last reference frees the card. */
struct ocxlpmem_card *ocxlpmem_card_unref(struct ocxlpmem_card *c);

/* Backend-stable id: "nmem3" (kernel) or "sim0" (simulation). */
const char *ocxlpmem_card_id(const struct ocxlpmem_card *c);
/* Serial and firmware version the backend knows without a command (sysfs),
 * 0 / "" when it does not. */
uint64_t ocxlpmem_card_serial_hint(const struct ocxlpmem_card *c);
const char *ocxlpmem_card_fw_version_hint(const struct ocxlpmem_card *c);
/*
 * How commands reach the card now: "sim", "tunnel" (the OCXL family on
 * /dev/nmemN) or "chardev" (the v4 /dev/ocxlpmemN).  A kernel card starts
 * as "tunnel" in AUTO mode and becomes "chardev" when its driver refuses
 * the family; the string is static.
 */
const char *ocxlpmem_card_transport(const struct ocxlpmem_card *c);
/* False once the backend has reported the card removed. */
bool ocxlpmem_card_is_present(const struct ocxlpmem_card *c);
/* Simulation: the card's model for scenario control; NULL otherwise. */
struct ocxlpmem_model *ocxlpmem_card_model(struct ocxlpmem_card *c);

/*
 * One command, synchronously, serialised per card (as the driver does).
 * Arguments as ocxlpmem_model_call(); timeout_ms is passed to backends that
 * can honour it, and a kernel ioctl cannot be interrupted: the call may
 * block far longer.  0 (the card answered) or -errno (-ENXIO once removed).
 */
int ocxlpmem_card_call(struct ocxlpmem_card *c, unsigned int function,
		       const void *in, size_t in_len, void *out, size_t out_cap,
		       unsigned int timeout_ms, size_t *ret_fw_size);

/*
 * Readable (EV_READ) when the card may have events pending; -1 when the
 * backend has no event source and the caller must poll EVENT_CHECK.
 *
 * ocxlpmem_card_event_ack() drains it and, where the backend has them with
 * the notification (the sysfs `events` attribute, the model's bits), gives
 * the event bits: returns 1 with *ret_events set, 0 when the caller must
 * ask EVENT_CHECK, or -errno.  The bits matter most for a fatal event: the
 * driver takes the bus down right after it, before any command could ask.
 * ret_events may be NULL.
 */
int ocxlpmem_card_event_fd(struct ocxlpmem_card *c);
int ocxlpmem_card_event_ack(struct ocxlpmem_card *c, uint64_t *ret_events);

/* ---- Typed commands (blocking; encode, call, decode) ---------------------- */
/*
 * Each returns 0 on success, a positive card status (enum
 * ocxlpmem_card_status) when the card refused, or -errno for a transport
 * error or a malformed reply (-EBADMSG, -EMSGSIZE).  Timeouts are the
 * card's documented ones.
 */
int ocxlpmem_cmd_capabilities(struct ocxlpmem_card *c, struct ocxlpmem_capabilities *ret);
int ocxlpmem_cmd_smart(struct ocxlpmem_card *c, struct ocxlpmem_smart *ret);
int ocxlpmem_cmd_health(struct ocxlpmem_card *c, struct ocxlpmem_health *ret);
int ocxlpmem_cmd_error_log_read(struct ocxlpmem_card *c, struct ocxlpmem_error_log_entry *ret);
int ocxlpmem_cmd_error_log_ack(struct ocxlpmem_card *c, uint32_t log_identifier);
int ocxlpmem_cmd_request_health(struct ocxlpmem_card *c);
int ocxlpmem_cmd_stats(struct ocxlpmem_card *c, struct ocxlpmem_stats *ret);
int ocxlpmem_cmd_event_check(struct ocxlpmem_card *c, uint64_t *ret_events);
int ocxlpmem_cmd_dump_start(struct ocxlpmem_card *c, struct ocxlpmem_dump_info *ret);
/* Reads one chunk into buf (cap >= 24 + max_size); ret->data points into buf. */
int ocxlpmem_cmd_dump_data(struct ocxlpmem_card *c, const struct ocxlpmem_dump_data_req *req,
			   void *buf, size_t cap, struct ocxlpmem_dump_chunk *ret);
int ocxlpmem_cmd_dump_complete(struct ocxlpmem_card *c, uint32_t dump_id);
int ocxlpmem_cmd_fw_start(struct ocxlpmem_card *c, uint32_t image_size);
int ocxlpmem_cmd_fw_block(struct ocxlpmem_card *c, uint32_t offset, const void *data, uint32_t size);
int ocxlpmem_cmd_fw_finish(struct ocxlpmem_card *c, struct ocxlpmem_firmware_info *ret);
int ocxlpmem_cmd_fw_abort(struct ocxlpmem_card *c);
int ocxlpmem_cmd_firmware_info(struct ocxlpmem_card *c, struct ocxlpmem_firmware_info *ret);
int ocxlpmem_cmd_shutdown(struct ocxlpmem_card *c);
int ocxlpmem_cmd_heartbeat(struct ocxlpmem_card *c);

/* ---- The executor: commands off the caller's loop, with deadlines --------- */
/*
 * A small pool of threads runs every card's requests; requests to one card
 * run in submission order, one at a time.  Completions come back through
 * executor_fd (readable; then call executor_reap until it returns NULL), on
 * the caller's thread; the fd wakes once per burst, not per request.
 *
 * A request still running at its deadline completes at once with
 * -ETIMEDOUT and the card is marked hung: the backend call is abandoned
 * (its thread keeps only the executor's copy of the buffers, its result is
 * dropped, and a new thread takes its place in the pool, so a hung card
 * delays the others by no more than its deadline, and not at all while
 * another pool thread is free), and requests for a hung card complete with
 * -EBUSY until the stuck call returns, which clears the mark.  Removing a
 * card (executor_forget) completes its queued requests with -ENXIO.
 */
struct ocxlpmem_executor;

struct ocxlpmem_request {
	/* Set by the caller. */
	struct ocxlpmem_card *card;   /* the executor takes a reference */
	unsigned int function;
	const void *in;               /* copied at submit */
	size_t in_len;
	size_t out_cap;               /* the executor allocates out */
	unsigned int timeout_ms;      /* 0: the function's default */
	void *userdata;
	/* Filled at completion. */
	int result;                   /* as ocxlpmem_card_call(), or -ETIMEDOUT/-EBUSY/-ENXIO/-ECANCELED */
	uint8_t *out;                 /* out_cap bytes when result >= 0, else NULL;
	                               * malloc'd: a caller may take it (set NULL) */
	size_t fw_size;
	uint64_t submitted_ms, started_ms, finished_ms; /* CLOCK_MONOTONIC */
};

/* Counters, for tests and metrics. */
struct ocxlpmem_executor_stats {
	unsigned int threads;         /* pool threads now */
	unsigned int abandoned;       /* threads still stuck in abandoned calls */
	uint64_t abandoned_total;     /* calls abandoned at their deadline */
	uint64_t completed;           /* requests given a result */
	uint64_t fd_writes;           /* wake-ups of the caller through the fd */
	uint64_t timer_wakeups;       /* of the deadline timer */
};

/* A pool of min(4, max(2, online CPUs)) threads. */
int ocxlpmem_executor_new(struct ocxlpmem_executor **ret);
/* A pool of threads threads (1-64; 0: the default). */
int ocxlpmem_executor_new_pool(struct ocxlpmem_executor **ret, unsigned int threads);
/* Completes every pending request with -ECANCELED (reap them first if you
 * care); never waits for a hung call.  NULL is fine; returns NULL. */
struct ocxlpmem_executor *ocxlpmem_executor_free(struct ocxlpmem_executor *e);
int ocxlpmem_executor_fd(struct ocxlpmem_executor *e);
/* Copies *tmpl into a new request it owns and queues it; 0 or -errno. */
int ocxlpmem_executor_submit(struct ocxlpmem_executor *e, const struct ocxlpmem_request *tmpl);
/* n requests to one card, run back-to-back on one thread and completed
 * together when the last ends (or one overruns); all queued or none. */
int ocxlpmem_executor_submit_batch(struct ocxlpmem_executor *e,
				   const struct ocxlpmem_request *tmpls, size_t n);
/* A completed request (free it with ocxlpmem_request_free) or NULL. */
struct ocxlpmem_request *ocxlpmem_executor_reap(struct ocxlpmem_executor *e);
void ocxlpmem_request_free(struct ocxlpmem_request *r);
/* True while a call to this card has overrun its deadline and not returned. */
bool ocxlpmem_executor_card_hung(struct ocxlpmem_executor *e, const struct ocxlpmem_card *c);
/* Requests queued or running for this card. */
unsigned int ocxlpmem_executor_pending(struct ocxlpmem_executor *e, const struct ocxlpmem_card *c);
/* The card is gone: queued requests complete with -ENXIO; a call in flight
 * goes on, its result dropped. */
void ocxlpmem_executor_forget(struct ocxlpmem_executor *e, const struct ocxlpmem_card *c);
int ocxlpmem_executor_get_stats(struct ocxlpmem_executor *e, struct ocxlpmem_executor_stats *ret);

#ifdef __cplusplus
}
#endif

#endif /* OCXLPMEM_TRANSPORT_H */
