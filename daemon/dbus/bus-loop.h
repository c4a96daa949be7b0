/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sd-bus on the daemon's libevent loop.  sd-bus comes with its own event
 * loop (sd-event); the daemon has one already, so the bus connection is
 * driven from libevent instead: its fd is watched for what
 * sd_bus_get_events() asks, its timeout (method-call deadlines) is a
 * libevent timer, and sd_bus_process() runs a bounded number of times per
 * wake-up so a chatty bus cannot starve the cards.  Nothing here blocks.
 */
#ifndef OCXLPMEMD_BUS_LOOP_H
#define OCXLPMEMD_BUS_LOOP_H

#include <event2/event.h>
#include <systemd/sd-bus.h>

struct bus_loop;

/* Called once when the connection is lost (the bus went away). */
typedef void (*bus_loop_lost_fn)(struct bus_loop *l, int error, void *userdata);

/* Drive bus (already started: sd_bus_open_*() or sd_bus_start()) from
 * base.  Takes a reference on bus.  0 or -errno. */
int bus_loop_attach(struct event_base *base, sd_bus *bus, bus_loop_lost_fn lost,
		    void *userdata, struct bus_loop **ret);
/* Detach and drop the reference (flushing what is queued, without
 * waiting).  NULL is fine; returns NULL. */
struct bus_loop *bus_loop_detach(struct bus_loop *l);
/* Something was queued on the bus outside a callback of this loop (a
 * signal emitted from a card event): re-arm for writing if needed. */
void bus_loop_kick(struct bus_loop *l);

#endif /* OCXLPMEMD_BUS_LOOP_H */
