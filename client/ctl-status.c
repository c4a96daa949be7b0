// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocxlpmemctl status / events / version: the daemon-wide overviews.  status
 * and events both read ListCards; status's exit status is the worst card's
 * health (see ocxlpmemctl.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"

/* ---- status ----------------------------------------------------------------- */

static int health_exit(const char *h)
{
	if (!strcmp(h, "ok"))
		return EXIT_OK;
	if (!strcmp(h, "warning"))
		return EXIT_WARNING;
	if (!strcmp(h, "unknown"))
		return EXIT_UNREACHABLE;
	return EXIT_CRITICAL;
}

/* Worst wins; "unknown" only when nothing is known to be wrong. */
static int combine_exit(int a, int b)
{
	static const int rank[] = { [EXIT_OK] = 0, [EXIT_WARNING] = 2, [EXIT_CRITICAL] = 3,
				    [EXIT_UNREACHABLE] = 1 };

	return rank[b] > rank[a] ? b : a;
}

int cmd_status(int argc, char **argv)
{
	struct json_object *reply, *p, *cards, *summary;
	unsigned int counts[7] = { 0 };
	static const char *const states[] = { "ok", "warning", "critical", "unresponsive",
					      "offline", "fatal", "unknown" };
	int r, ex = EXIT_OK;
	size_t n;

	if (argc > 1) {
		fprintf(stderr, "ocxlpmemctl: status takes no arguments\n");
		return EXIT_USAGE;
	}
	r = call(IFACE ".ListCards", NULL, &reply, &p);
	if (r)
		return EXIT_UNREACHABLE; /* status then knows nothing of the cards: 3 */
	if (!json_object_object_get_ex(p, "cards", &cards) ||
	    !json_object_is_type(cards, json_type_array)) {
		fprintf(stderr, "ocxlpmemctl: status: malformed reply from the daemon\n");
		json_object_put(reply);
		return EXIT_UNREACHABLE;
	}
	n = json_object_array_length(cards);
	for (size_t i = 0; i < n; i++) {
		const char *h = str_of(json_object_array_get_idx(cards, i), "health", "unknown");

		ex = combine_exit(ex, health_exit(h));
		for (unsigned int s = 0; s < 7; s++)
			counts[s] += !strcmp(h, states[s]);
	}
	summary = json_object_new_object();
	json_object_object_add(summary, "cards", json_object_new_int((int)n));
	for (unsigned int s = 0; s < 7; s++)
		json_object_object_add(summary, states[s], json_object_new_int((int)counts[s]));
	json_object_object_add(p, "summary", summary);
	json_object_object_add(p, "exit_status", json_object_new_int(ex));

	if (opt_json) {
		print_json("status", p);
		json_object_put(reply);
		return ex;
	}
	if (n == 0) {
		printf("No cards. ocxlpmemd is running and will pick up cards as they appear.\n");
		json_object_put(reply);
		return ex;
	}
	printf("%-11s %-20s %-13s %6s %5s %-10s %s\n", "NAME", "SERIAL", "HEALTH", "TEMP", "LIFE",
	       "FIRMWARE", "ALERTS");
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(cards, i);
		const char *h = str_of(c, "health", "unknown");
		char temp[16] = "n/a", life[16] = "n/a";
		int64_t t, alerts = 0;

		if (int_of(c, "temperature_c", &t))
			snprintf(temp, sizeof(temp), "%" PRId64 " C", t);
		if (int_of(c, "life_remaining_pct", &t))
			snprintf(life, sizeof(life), "%" PRId64 "%%", t);
		int_of(c, "open_alerts", &alerts);
		printf("%-11s %-20s %s%-13s%s %6s %5s %-10s %" PRId64 "\n", str_of(c, "name", "?"),
		       str_of(c, "serial", "?"), color_of(h), h, reset_color(), temp, life,
		       str_of(c, "firmware_version", "n/a"), alerts);
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(cards, i), *reasons;

		if (!json_object_object_get_ex(c, "reasons", &reasons))
			continue;
		for (size_t j = 0; j < json_object_array_length(reasons); j++) {
			struct json_object *rs = json_object_array_get_idx(reasons, j);

			printf("  %s: %s\n", str_of(c, "name", "?"), str_of(rs, "text", "?"));
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(cards, i), *fns;

		if (!json_object_object_get_ex(c, "unsupported", &fns) ||
		    !json_object_is_type(fns, json_type_array) || !json_object_array_length(fns))
			continue;
		/* Why so much is missing, for a card of the v4 driver. */
		if (!strcmp(str_of(c, "transport", ""), "chardev"))
			printf("  %s: v4 driver, commands through its character device "
			       "/dev/ocxlpmemN\n", str_of(c, "name", "?"));
		printf("  %s: not supported by the card:", str_of(c, "name", "?"));
		for (size_t j = 0; j < json_object_array_length(fns); j++)
			printf("%s %s", j ? "," : "",
			       json_object_get_string(json_object_array_get_idx(fns, j)));
		printf("\n");
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(cards, i);
		const char *staged = str_of(c, "staged_firmware_version", NULL);
		const char *update = str_of(c, "firmware_update", NULL);

		if (update && !strcmp(update, "running"))
			printf("  %s: firmware update running (ocxlpmemctl firmware %s)\n",
			       str_of(c, "name", "?"), str_of(c, "name", "?"));
		if (staged)
			printf("  %s: firmware %s staged; it runs after the card's next reset\n",
			       str_of(c, "name", "?"), staged);
	}
	json_object_put(reply);
	return ex;
}

/* ---- events ------------------------------------------------------------------- */

int cmd_events(int argc, char **argv)
{
	struct json_object *reply, *p, *cards;
	unsigned int shown = 0;
	int r;

	if (argc > 1) {
		fprintf(stderr, "ocxlpmemctl: events takes no arguments\n");
		return EXIT_USAGE;
	}
	r = call(IFACE ".ListCards", NULL, &reply, &p);
	if (r)
		return r;
	if (!json_object_object_get_ex(p, "cards", &cards) ||
	    !json_object_is_type(cards, json_type_array)) {
		fprintf(stderr, "ocxlpmemctl: events: malformed reply from the daemon\n");
		json_object_put(reply);
		return EXIT_FAILED;
	}
	if (opt_json) {
		struct json_object *body = json_object_new_object(), *list = json_object_new_array();

		for (size_t i = 0; i < json_object_array_length(cards); i++) {
			struct json_object *c = json_object_array_get_idx(cards, i), *ev, *o;

			o = json_object_new_object();
			json_object_object_add(o, "name", json_object_new_string(str_of(c, "name", "?")));
			json_object_object_add(o, "serial", json_object_new_string(str_of(c, "serial", "?")));
			json_object_object_get_ex(c, "events", &ev);
			json_object_object_add(o, "events", ev ? json_object_get(ev) : json_object_new_array());
			json_object_array_add(list, o);
		}
		json_object_object_add(body, "cards", list);
		print_json("events", body);
		json_object_put(body);
		json_object_put(reply);
		return EXIT_OK;
	}
	for (size_t i = 0; i < json_object_array_length(cards); i++) {
		struct json_object *c = json_object_array_get_idx(cards, i), *ev;

		if (!json_object_object_get_ex(c, "events", &ev) || !ev ||
		    !json_object_array_length(ev))
			continue;
		printf("%-11s", str_of(c, "name", "?"));
		for (size_t j = 0; j < json_object_array_length(ev); j++)
			printf(" %s", json_object_get_string(json_object_array_get_idx(ev, j)));
		printf("\n");
		shown++;
	}
	if (!shown)
		printf("No card events pending.\n");
	json_object_put(reply);
	return EXIT_OK;
}

/* ---- version ---------------------------------------------------------------- */

int cmd_version(int argc, char **argv)
{
	struct json_object *reply, *p;
	int r = call(IFACE ".GetVersion", NULL, &reply, &p);

	if (r)
		return r;
	json_object_object_add(p, "client_version", json_object_new_string(PACKAGE_VERSION));
	if (opt_json)
		print_json("version", p);
	else
		printf("ocxlpmemctl %s\nocxlpmemd %s (backend %s, command family ABI %s, "
		       "interface %s, state in %s)\n",
		       PACKAGE_VERSION, str_of(p, "version", "?"), str_of(p, "backend", "?"),
		       str_of(p, "abi_version", "?"), str_of(p, "interface_version", "?"),
		       str_of(p, "state_dir", "?"));
	json_object_put(reply);
	return EXIT_OK;
}
