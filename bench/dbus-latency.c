// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ListCards over D-Bus against ListCards over Varlink, same daemon, same
 * run: CALLS sequential calls per round on one connection each, rounds
 * alternating, every reply read to its last card (the D-Bus message
 * walked, the Varlink JSON parsed), p50 and p99 of each and their ratio.
 * D-Bus ListCards returns name, path and health per card; Varlink's
 * returns each card's whole summary (what `ocxlpmemctl status` shows), so
 * a D-Bus client that wants as much calls GetManagedObjects, every card's
 * properties: measured too.  D-Bus goes through the bus daemon (two hops and a policy
 * check per message); Varlink is a direct socket: the ratio says what the
 * facade costs a client.  Driven by bench/dbus-latency.sh.
 *
 *   dbus-latency VARLINK_SOCKET BUS_ADDRESS CALLS ROUNDS
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "shared/varlink/varlink-client.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(uint64_t *v, size_t n, double p)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return (double)v[(size_t)(p * (double)(n - 1))] / 1000.0;
}

static int varlink_list(struct varlink_client *c, size_t *ret_cards)
{
	struct varlink_reply reply;
	struct json_object *cards;
	int r;

	r = varlink_client_call(c, "io.ocxlpmem.Manager.ListCards", NULL, 0);
	if (r < 0)
		return r;
	r = varlink_client_read(c, 10000, &reply);
	if (r < 0)
		return r;
	if (reply.error || !json_object_object_get_ex(reply.parameters, "cards", &cards)) {
		varlink_reply_clear(&reply);
		return -EBADMSG;
	}
	*ret_cards = json_object_array_length(cards);
	varlink_reply_clear(&reply);
	return 0;
}

static int dbus_list(sd_bus *bus, size_t *ret_cards)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *name, *path, *health;
	size_t n = 0;
	int r;

	r = sd_bus_call_method(bus, "io.ocxlpmem1", "/io/ocxlpmem1", "io.ocxlpmem1.Manager",
			       "ListCards", &error, &reply, "");
	if (r < 0) {
		fprintf(stderr, "dbus-latency: ListCards: %s\n", error.message);
		sd_bus_error_free(&error);
		return r;
	}
	r = sd_bus_message_enter_container(reply, 'a', "(sos)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(sos)", &name, &path, &health)) > 0)
		n++;
	sd_bus_message_unref(reply);
	*ret_cards = n;
	return r;
}

/* GetManagedObjects: a{oa{sa{sv}}}, skipped through to the end. */
static int dbus_objects(sd_bus *bus, size_t *ret_objects)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	size_t n = 0;
	int r;

	r = sd_bus_call_method(bus, "io.ocxlpmem1", "/io/ocxlpmem1",
			       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", &error,
			       &reply, "");
	if (r < 0) {
		fprintf(stderr, "dbus-latency: GetManagedObjects: %s\n", error.message);
		sd_bus_error_free(&error);
		return r;
	}
	r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	while (r >= 0 && (r = sd_bus_message_skip(reply, "{oa{sa{sv}}}")) > 0)
		n++;
	sd_bus_message_unref(reply);
	*ret_objects = n;
	return r;
}

int main(int argc, char **argv)
{
	struct varlink_client *vc = NULL;
	sd_bus *bus = NULL;
	uint64_t *vl, *db, *om;
	size_t calls, rounds, nv = 0, nd = 0, no = 0, cards_v = 0, cards_d = 0, objects = 0;
	double v50, v99, d50, d99, o50, o99;
	int r;

	if (argc != 5) {
		fprintf(stderr, "usage: dbus-latency VARLINK_SOCKET BUS_ADDRESS CALLS ROUNDS\n");
		return 2;
	}
	calls = strtoul(argv[3], NULL, 10);
	rounds = strtoul(argv[4], NULL, 10);
	if (!calls || !rounds)
		return 2;
	vl = calloc(calls * rounds, sizeof(*vl));
	db = calloc(calls * rounds, sizeof(*db));
	om = calloc(calls * rounds, sizeof(*om));
	if (!vl || !db || !om)
		return 1;
	r = varlink_client_connect(argv[1], &vc);
	if (r < 0) {
		fprintf(stderr, "dbus-latency: %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	r = sd_bus_new(&bus);
	if (r >= 0)
		r = sd_bus_set_address(bus, argv[2]);
	if (r >= 0)
		r = sd_bus_set_bus_client(bus, 1);
	if (r >= 0)
		r = sd_bus_start(bus);
	if (r < 0) {
		fprintf(stderr, "dbus-latency: %s: %s\n", argv[2], strerror(-r));
		return 1;
	}
	/* Warm both paths (connection set-up, first allocations). */
	for (int i = 0; i < 20; i++)
		if (varlink_list(vc, &cards_v) < 0 || dbus_list(bus, &cards_d) < 0)
			return 1;
	for (size_t round = 0; round < rounds; round++) {
		for (size_t i = 0; i < calls; i++) {
			uint64_t t0 = now_ns();

			if (varlink_list(vc, &cards_v) < 0)
				return 1;
			vl[nv++] = now_ns() - t0;
		}
		for (size_t i = 0; i < calls; i++) {
			uint64_t t0 = now_ns();

			if (dbus_list(bus, &cards_d) < 0)
				return 1;
			db[nd++] = now_ns() - t0;
		}
		for (size_t i = 0; i < calls; i++) {
			uint64_t t0 = now_ns();

			if (dbus_objects(bus, &objects) < 0)
				return 1;
			om[no++] = now_ns() - t0;
		}
	}
	v50 = pct(vl, nv, 0.50);
	v99 = pct(vl, nv, 0.99);
	d50 = pct(db, nd, 0.50);
	d99 = pct(db, nd, 0.99);
	o50 = pct(om, no, 0.50);
	o99 = pct(om, no, 0.99);
	printf("calls: %zu x %zu rounds each, alternating; %zu cards per reply (Varlink %zu)\n",
	       calls, rounds, cards_d, cards_v);
	printf("ListCards Varlink (baseline): p50 %8.1f us  p99 %8.1f us\n", v50, v99);
	printf("ListCards D-Bus:              p50 %8.1f us  p99 %8.1f us\n", d50, d99);
	printf("GetManagedObjects D-Bus:      p50 %8.1f us  p99 %8.1f us  (%zu objects)\n", o50,
	       o99, objects);
	printf("ratio D-Bus/Varlink ListCards: p50 %7.2f     p99 %8.2f\n", d50 / v50, d99 / v99);
	printf("ratio GetManagedObjects/Varlink ListCards: p50 %.2f  p99 %.2f\n", o50 / v50,
	       o99 / v99);
	varlink_client_free(vc);
	sd_bus_flush_close_unref(bus);
	free(vl);
	free(db);
	free(om);
	return 0;
}
