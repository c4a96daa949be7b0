// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocxlpmemctl: ask ocxlpmemd.  Every command prints either aligned text or,
 * with --json, a versioned JSON document; the text is rendered from the
 * same JSON, so the two never disagree about a field.
 *
 * Exit status: status: 0 all ok, 1 a warning, 2 critical/fatal/offline/
 * unresponsive, 3 unknown or the daemon unreachable.  Other commands: 0 done,
 * 1 the daemon refused or failed, 3 daemon unreachable, 4 permission
 * denied, 64 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"
#include "varlink-client.h"

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

static int cmd_status(int argc, char **argv)
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

/* ---- show / stats / firmware / events --------------------------------------- */

static void print_kv_object(const char *indent, struct json_object *o)
{
	json_object_object_foreach(o, k, v) {
		if (v && json_object_is_type(v, json_type_object)) {
			printf("%s%s:\n", indent, k);
			print_kv_object("    ", v);
		} else if (v && json_object_is_type(v, json_type_array)) {
			printf("%s%-36s", indent, k);
			for (size_t i = 0; i < json_object_array_length(v); i++) {
				struct json_object *e = json_object_array_get_idx(v, i);

				if (json_object_is_type(e, json_type_object))
					printf("%s\n%s  - %s", i ? "" : "",
					       indent, json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE));
				else
					printf("%s%s", i ? ", " : "", e ? json_object_get_string(e) : "n/a");
			}
			printf("\n");
		} else {
			printf("%s%-36s%s\n", indent, k, v ? json_object_get_string(v) : "n/a");
		}
	}
}

/*
 * Whether the card has all these functions (NULL-terminated names), from
 * its summary's "unsupported": a JSON boolean, or null while the daemon
 * does not know yet.
 */
static struct json_object *supported_json(struct json_object *summary, const char *const *fns)
{
	struct json_object *unsupported;

	if (!json_object_object_get_ex(summary, "unsupported", &unsupported) ||
	    !json_object_is_type(unsupported, json_type_array))
		return NULL;
	for (; *fns; fns++)
		for (size_t i = 0; i < json_object_array_length(unsupported); i++)
			if (!strcmp(json_object_get_string(json_object_array_get_idx(unsupported, i)),
				    *fns))
				return json_object_new_boolean(false);
	return json_object_new_boolean(true);
}

static bool is_false(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v &&
	       json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v);
}

/* GetCard and print one part of it ("" = everything).  needs: the functions
 * behind the part, for "supported"; updates: those of a firmware update. */
static int card_part(int argc, char **argv, const char *part, const char *schema,
		     const char *const *needs, const char *const *updates)
{
	struct json_object *reply, *p, *params, *card, *shown;
	int r;

	if (argc != 2) {
		fprintf(stderr, "ocxlpmemctl: %s needs a card (name or serial)\n", argv[0]);
		return EXIT_USAGE;
	}
	params = json_object_new_object();
	json_object_object_add(params, "card", json_object_new_string(argv[1]));
	r = call(IFACE ".GetCard", params, &reply, &p);
	if (r)
		return r;
	if (!json_object_object_get_ex(p, "card", &card) ||
	    !json_object_is_type(card, json_type_object)) {
		fprintf(stderr, "ocxlpmemctl: %s: malformed reply from the daemon\n", argv[0]);
		json_object_put(reply);
		return EXIT_FAILED;
	}
	if (*part) {
		struct json_object *summary, *body = json_object_new_object();

		json_object_object_get_ex(card, "summary", &summary);
		json_object_object_add(body, "card", json_object_new_string(str_of(summary, "name", "?")));
		json_object_object_add(body, "serial", json_object_new_string(str_of(summary, "serial", "?")));
		json_object_object_get_ex(card, part, &shown);
		json_object_object_add(body, part, json_object_get(shown));
		json_object_object_add(body, "supported", supported_json(summary, needs));
		if (updates)
			json_object_object_add(body, "updates_supported",
					       supported_json(summary, updates));
		if (opt_json) {
			print_json(schema, body);
		} else {
			printf("%s (serial %s)\n", str_of(summary, "name", "?"), str_of(summary, "serial", "?"));
			if (!shown && is_false(body, "supported"))
				printf("  %s: not supported by this card\n", part);
			else if (!shown)
				printf("  %s: not read yet\n", part);
			else if (json_object_is_type(shown, json_type_object))
				print_kv_object("  ", shown);
			else
				print_kv_object("  ", body);
			if (is_false(body, "updates_supported"))
				printf("  updates: not supported by this card\n");
		}
		json_object_put(body);
	} else if (opt_json) {
		print_json(schema, p);
	} else {
		print_kv_object("", card);
	}
	json_object_put(reply);
	return EXIT_OK;
}

static int cmd_show(int argc, char **argv)
{
	return card_part(argc, argv, "", "show", NULL, NULL);
}

static int cmd_stats(int argc, char **argv)
{
	static const char *const needs[] = { "controller-stats", NULL };

	return card_part(argc, argv, "stats", "stats", needs, NULL);
}

static int cmd_firmware(int argc, char **argv)
{
	static const char *const needs[] = { "firmware-info", NULL };
	static const char *const updates[] = {
		"fw-update-start", "fw-update-block", "fw-update-finish", "fw-update-abort",
		"firmware-info", NULL,
	};

	return card_part(argc, argv, "firmware", "firmware", needs, updates);
}

/* ---- errors ------------------------------------------------------------------ */

static int cmd_errors(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "since", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *reply, *p, *params = json_object_new_object(), *entries;
	int c, r;

	optind = 0; /* full reset: main() scanned with "+" */
	while ((c = getopt_long(argc, argv, "t:s:", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 't':
			json_object_object_add(params, "type", json_object_new_string(optarg));
			break;
		case 's': {
			long long v;

			errno = 0;
			v = strtoll(optarg, &end, 10);
			if (!*optarg || *end || errno || v < 0) {
				fprintf(stderr, "ocxlpmemctl: --since: '%s' is not microseconds since the epoch\n",
					optarg);
				json_object_put(params);
				return EXIT_USAGE;
			}
			json_object_object_add(params, "since_usec", json_object_new_int64(v));
			break;
		}
		default:
			json_object_put(params);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "ocxlpmemctl: errors needs a card (name or serial)\n");
		json_object_put(params);
		return EXIT_USAGE;
	}
	json_object_object_add(params, "card", json_object_new_string(argv[optind]));
	r = call(IFACE ".GetErrorLog", params, &reply, &p);
	if (r)
		return r;
	if (opt_json) {
		print_json("errors", p);
		json_object_put(reply);
		return EXIT_OK;
	}
	if (!json_object_object_get_ex(p, "entries", &entries) ||
	    !json_object_is_type(entries, json_type_array)) {
		fprintf(stderr, "ocxlpmemctl: errors: malformed reply from the daemon\n");
		json_object_put(reply);
		return EXIT_FAILED;
	}
	if (!json_object_array_length(entries))
		printf("No error-log entries.\n");
	else
		printf("%-10s %-19s %-10s %-18s %s\n", "ID", "TYPE", "PRC", "ACTIONS", "RECEIVED_USEC");
	for (size_t i = 0; i < json_object_array_length(entries); i++) {
		struct json_object *e = json_object_array_get_idx(entries, i), *acts;
		char actions[64] = "";
		int64_t id = 0, prc = 0, rec = 0;

		int_of(e, "id", &id);
		int_of(e, "program_reference_code", &prc);
		int_of(e, "received_usec", &rec);
		json_object_object_get_ex(e, "actions", &acts);
		for (size_t j = 0; j < json_object_array_length(acts); j++)
			snprintf(actions + strlen(actions), sizeof(actions) - strlen(actions), "%s%s",
				 j ? "," : "", json_object_get_string(json_object_array_get_idx(acts, j)));
		printf("%-10" PRId64 " %-19s 0x%08" PRIx64 " %-18s %" PRId64 "\n", id,
		       str_of(e, "type", "?"), (uint64_t)prc, actions[0] ? actions : "-", rec);
	}
	json_object_put(reply);
	return EXIT_OK;
}

/* ---- events ------------------------------------------------------------------- */

static int cmd_events(int argc, char **argv)
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

/* ---- monitor ----------------------------------------------------------------- */

static int cmd_monitor(int argc, char **argv)
{
	struct vclient *c;
	struct json_object *reply;
	bool continues = true;
	int r;

	r = connect_daemon(&c);
	if (r)
		return r;
	r = vclient_call(c, IFACE ".Monitor", NULL, true);
	while (r == 0 && continues) {
		struct json_object *p, *ev;

		r = vclient_read(c, -1, &reply, &continues);
		if (r < 0)
			break;
		if (json_object_object_get_ex(reply, "error", NULL)) {
			r = report_error(reply, "Monitor");
			json_object_put(reply);
			vclient_free(c);
			return r;
		}
		json_object_object_get_ex(reply, "parameters", &p);
		if (opt_json) {
			/* One versioned document per line, as the other commands. */
			json_object_object_add(p, "schema",
					       json_object_new_string("ocxlpmemctl.monitor/1"));
			puts(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
		} else if (json_object_object_get_ex(p, "event", &ev) && ev) {
			const char *kind = str_of(ev, "kind", "?");

			if (!strcmp(kind, "alert"))
				printf("%s alert %s %s: %s\n", str_of(ev, "card", "?"),
				       str_of(ev, "condition", str_of(ev, "alert", "?")),
				       str_of(ev, "alert_event", "?"),
				       str_of(ev, "message", ""));
			else
				printf("%s %s health=%s\n", str_of(ev, "card", "?"), kind,
				       str_of(ev, "health", "?"));
		} else {
			printf("monitoring; Ctrl-C to stop\n");
		}
		fflush(stdout);
		json_object_put(reply);
	}
	vclient_free(c);
	if (r == -ECONNRESET) {
		fprintf(stderr, "ocxlpmemctl: the daemon went away\n");
		return EXIT_UNREACHABLE;
	}
	return r < 0 ? EXIT_UNREACHABLE : EXIT_OK;
}

/* ---- request-health, forget, version --------------------------------------- */

static int simple_card_call(int argc, char **argv, const char *method)
{
	struct json_object *reply, *p, *params;
	int r;

	if (argc != 2) {
		fprintf(stderr, "ocxlpmemctl: %s needs a card (name or serial)\n", argv[0]);
		return EXIT_USAGE;
	}
	params = json_object_new_object();
	json_object_object_add(params, "card", json_object_new_string(argv[1]));
	r = call(method, params, &reply, &p);
	if (r)
		return r;
	if (opt_json)
		print_json(argv[0], p);
	json_object_put(reply);
	return EXIT_OK;
}

static int cmd_request_health(int argc, char **argv)
{
	return simple_card_call(argc, argv, IFACE ".RequestHealth");
}

static int cmd_forget(int argc, char **argv)
{
	return simple_card_call(argc, argv, IFACE ".ForgetCard");
}

static int cmd_version(int argc, char **argv)
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

/* ---- sim inject ----------------------------------------------------------- */

static int cmd_sim(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "action", required_argument, NULL, 'a' },
		{ "size", required_argument, NULL, 's' },
		{ "celsius", required_argument, NULL, 'C' },
		{ "pct", required_argument, NULL, 'p' },
		{ "attribute", required_argument, NULL, 'A' },
		{ "firmware", no_argument, NULL, 'F' },
		{ "function", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		{ "status", required_argument, NULL, 'S' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "errno", required_argument, NULL, 'e' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "corruption", required_argument, NULL, 'c' },
		{ "after", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *params, *reply, *p;
	int c, r;

	if (argc < 2 || strcmp(argv[1], "inject") != 0) {
		fprintf(stderr, "ocxlpmemctl: usage: sim inject CARD FAULT [OPTION]...\n");
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	params = json_object_new_object();
	optind = 0; /* full reset: main() scanned with "+" */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char *key = NULL;
		char *end;
		long long v;

		switch (c) {
		case 't':
			json_object_object_add(params, "type", json_object_new_string(optarg));
			continue;
		case 'a': {
			struct json_object *a = json_object_new_array();
			char *copy = strdup(optarg), *save = NULL;

			for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
				json_object_array_add(a, json_object_new_string(w));
			free(copy);
			json_object_object_add(params, "actions", a);
			continue;
		}
		case 'F':
			json_object_object_add(params, "hardware", json_object_new_boolean(false));
			continue;
		case 'f':
			json_object_object_add(params, "function", json_object_new_string(optarg));
			continue;
		case 'e':
			json_object_object_add(params, "errno", json_object_new_string(optarg));
			continue;
		case 'c':
			json_object_object_add(params, "corruption", json_object_new_string(optarg));
			continue;
		case 's': key = "size"; break;
		case 'C': key = "celsius"; break;
		case 'p': key = "pct"; break;
		case 'A': key = "attribute"; break;
		case 'n': key = "count"; break;
		case 'S': key = "status"; break;
		case 'd': key = "delay_ms"; break;
		case 'b': key = "bytes"; break;
		case 'N': key = "after"; break;
		default:
			json_object_put(params);
			return EXIT_USAGE;
		}
		errno = 0;
		v = strtoll(optarg, &end, 0);
		if (errno || *end || !*optarg) {
			fprintf(stderr, "ocxlpmemctl: --%s: '%s' is not a number\n", key,
				optarg);
			json_object_put(params);
			return EXIT_USAGE;
		}
		json_object_object_add(params, key, json_object_new_int64(v));
	}
	if (argc - optind != 2) {
		fprintf(stderr, "ocxlpmemctl: usage: sim inject CARD FAULT [OPTION]...\n");
		json_object_put(params);
		return EXIT_USAGE;
	}
	json_object_object_add(params, "card", json_object_new_string(argv[optind]));
	json_object_object_add(params, "fault", json_object_new_string(argv[optind + 1]));
	r = call(IFACE ".InjectFault", params, &reply, &p);
	if (r)
		return r;
	if (opt_json)
		print_json("sim-inject", p);
	json_object_put(reply);
	return EXIT_OK;
}

/* ---- main -------------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "status", cmd_status, "one line per card (exit 0 ok, 1 warning, 2 critical, 3 unknown)" },
	{ "show", cmd_show, "CARD: everything known about a card" },
	{ "errors", cmd_errors, "CARD [--type T] [--since USEC]: the card's error-log history" },
	{ "stats", cmd_stats, "CARD: controller statistics" },
	{ "firmware", cmd_firmware, "CARD: firmware state" },
	{ "firmware-update", cmd_firmware_update,
	  "CARD FILE [--force] [--dry-run] [--no-wait]: update the firmware (privileged)" },
	{ "firmware-cancel", cmd_firmware_cancel, "CARD: cancel a firmware update (privileged)" },
	{ "dumps", cmd_dumps, "[CARD]: saved controller dumps and collections in progress" },
	{ "dump", cmd_dump, "CARD [--wait|--watch]: collect the card's controller dump now (privileged)" },
	{ "dump-delete", cmd_dump_delete, "FILE [CARD]: remove a saved dump (privileged)" },
	{ "support-bundle", cmd_support_bundle, "[FILE] [--with-dumps]: one archive for a bug report" },
	{ "events", cmd_events, "card events pending now (dump or error log available, fatal)" },
	{ "monitor", cmd_monitor, "stream card changes and alerts until interrupted" },
	{ "request-health", cmd_request_health, "CARD: ask the card for health data (privileged)" },
	{ "forget", cmd_forget, "CARD: forget a card that is gone for good (privileged)" },
	{ "sim", cmd_sim, "inject CARD FAULT [OPTION]...: simulation only (privileged)" },
	{ "version", cmd_version, "versions of the client and the daemon" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: ocxlpmemctl [--json] [--address unix:PATH] COMMAND [ARG]...\n"
		   "   or: ocxlpmemctl --help | --version\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-15s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nA CARD is a name (ocxlpmem0) or a serial number.  The daemon's socket is\n"
		   "taken from --address, then $OCXLPMEM_ADDRESS, then the default.\n"
		   "See ocxlpmemctl(8).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "address", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *addr = NULL; /* --address: points into argv, nothing to free */
	char *owned = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			opt_json = true;
			break;
		case 'A':
			addr = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("ocxlpmemctl %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* no-color.org: set and non-empty disables colour. */
	use_color = isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	if (!addr)
		addr = owned = default_address();
	address = addr;
	r = -1;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]) && r < 0; i++)
		if (strcmp(commands[i].name, argv[optind]) == 0)
			r = commands[i].fn(argc - optind, argv + optind);
	if (r < 0) {
		fprintf(stderr, "ocxlpmemctl: unknown command '%s' (see --help)\n", argv[optind]);
		r = EXIT_USAGE;
	}
	free(owned);
	return r;
}
