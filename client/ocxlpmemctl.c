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

#include "varlink-client.h"

#define IFACE "io.ocxlpmem.Manager"
#define SCHEMA_VERSION 1

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_WARNING = 1,
	EXIT_CRITICAL = 2,
	EXIT_UNREACHABLE = 3,
	EXIT_DENIED = 4,
	EXIT_USAGE = 64,
};

static bool opt_json;
static bool use_color;
static const char *address;

/* ---- Talking to the daemon ------------------------------------------------- */

/* addr ("unix:PATH") when a socket is at PATH; else frees it, NULL. */
static char *address_if_present(char *addr)
{
	if (access(addr + strlen("unix:"), F_OK) == 0)
		return addr;
	free(addr);
	return NULL;
}

static char *default_address(void)
{
	const char *env = getenv("OCXLPMEM_ADDRESS");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *a = NULL;

	if (env && *env)
		return strdup(env);
	if (geteuid() == 0)
		return strdup("unix:/run/ocxlpmemd/ocxlpmemd.sock");
	/* An unprivileged user talks to the system daemon unless they run
	 * their own: in their runtime directory, or in the daemon's /tmp
	 * fallback when it had no XDG_RUNTIME_DIR. */
	if (xdg && *xdg && asprintf(&a, "unix:%s/ocxlpmemd/ocxlpmemd.sock", xdg) >= 0 &&
	    (a = address_if_present(a)))
		return a;
	if (asprintf(&a, "unix:/tmp/ocxlpmemd-%u/ocxlpmemd.sock", (unsigned int)geteuid()) >= 0 &&
	    (a = address_if_present(a)))
		return a;
	return strdup("unix:/run/ocxlpmemd/ocxlpmemd.sock");
}

/* Map a Varlink error reply to a message and an exit status. */
static int report_error(struct json_object *reply, const char *what)
{
	struct json_object *e, *p, *v;
	const char *err;

	if (!json_object_object_get_ex(reply, "error", &e) || !json_object_is_type(e, json_type_string)) {
		fprintf(stderr, "ocxlpmemctl: %s: malformed error reply from the daemon\n", what);
		return EXIT_FAILED;
	}
	err = json_object_get_string(e);
	if (!json_object_object_get_ex(reply, "parameters", &p))
		p = NULL;
	if (strcmp(err, "org.varlink.service.PermissionDenied") == 0) {
		fprintf(stderr, "ocxlpmemctl: %s: permission denied: run as root or as a member of the "
				"daemon's admin group\n", what);
		return EXIT_DENIED;
	}
	if (strcmp(err, IFACE ".NoSuchCard") == 0 && json_object_object_get_ex(p, "card", &v)) {
		fprintf(stderr, "ocxlpmemctl: no card '%s' (see ocxlpmemctl status)\n",
			json_object_get_string(v));
		return EXIT_FAILED;
	}
	if (strcmp(err, IFACE ".CardOffline") == 0) {
		fprintf(stderr, "ocxlpmemctl: %s: the card is offline\n", what);
		return EXIT_FAILED;
	}
	if (strcmp(err, IFACE ".NotSimulation") == 0) {
		fprintf(stderr, "ocxlpmemctl: %s: only possible when ocxlpmemd runs with --simulate\n",
			what);
		return EXIT_FAILED;
	}
	if (strcmp(err, IFACE ".Failed") == 0 && json_object_object_get_ex(p, "reason", &v)) {
		fprintf(stderr, "ocxlpmemctl: %s: %s\n", what, json_object_get_string(v));
		return EXIT_FAILED;
	}
	if (strcmp(err, "org.varlink.service.InvalidParameter") == 0 &&
	    json_object_object_get_ex(p, "parameter", &v)) {
		fprintf(stderr, "ocxlpmemctl: %s: the daemon refused the value of '%s'\n", what,
			json_object_get_string(v));
		return EXIT_FAILED;
	}
	fprintf(stderr, "ocxlpmemctl: %s: %s %s\n", what, err,
		p ? json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN) : "");
	return EXIT_FAILED;
}

/*
 * One call, one reply: returns EXIT_OK with *ret_params (owned by *ret_reply),
 * or the exit status after printing why.
 */
static int call(const char *method, struct json_object *params, struct json_object **ret_reply,
		struct json_object **ret_params)
{
	struct vclient *c;
	bool continues;
	int r;

	r = vclient_connect(address, &c);
	if (r < 0) {
		json_object_put(params);
		fprintf(stderr, "ocxlpmemctl: cannot reach ocxlpmemd at %s: %s%s\n", address,
			strerror(-r),
			r == -ENOENT || r == -ECONNREFUSED ? " (is the daemon running?)" :
			r == -EACCES ? " (no permission on the socket)" : "");
		return EXIT_UNREACHABLE;
	}
	r = vclient_call(c, method, params, false);
	if (r == 0)
		r = vclient_read(c, 30000, ret_reply, &continues);
	vclient_free(c);
	if (r < 0) {
		fprintf(stderr, "ocxlpmemctl: %s: %s\n", method, strerror(-r));
		return EXIT_UNREACHABLE;
	}
	if (json_object_object_get_ex(*ret_reply, "error", NULL)) {
		r = report_error(*ret_reply, method + strlen(IFACE) + 1);
		json_object_put(*ret_reply);
		return r;
	}
	if (!json_object_object_get_ex(*ret_reply, "parameters", ret_params) ||
	    !json_object_is_type(*ret_params, json_type_object)) {
		/* Keep callers simple: a reply without parameters has {}. */
		*ret_params = json_object_new_object();
		json_object_object_add(*ret_reply, "parameters", *ret_params);
	}
	return EXIT_OK;
}

/* ---- Output helpers -------------------------------------------------------- */

static const char *color_of(const char *health)
{
	if (!use_color)
		return "";
	if (!strcmp(health, "ok"))
		return "\033[32m";
	if (!strcmp(health, "warning"))
		return "\033[33m";
	if (!strcmp(health, "unknown"))
		return "\033[2m";
	return "\033[1;31m";
}

static const char *reset_color(void)
{
	return use_color ? "\033[0m" : "";
}

static const char *str_of(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return dflt;
	return json_object_get_string(v);
}

static bool int_of(struct json_object *o, const char *key, int64_t *ret)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v || !json_object_is_type(v, json_type_int))
		return false;
	*ret = json_object_get_int64(v);
	return true;
}

/* Wrap a reply in the versioned client document. */
static void print_json(const char *schema, struct json_object *body)
{
	struct json_object *doc = json_object_new_object();
	char name[64];

	snprintf(name, sizeof(name), "ocxlpmemctl.%s/%d", schema, SCHEMA_VERSION);
	json_object_object_add(doc, "schema", json_object_new_string(name));
	json_object_object_foreach(body, k, v)
		json_object_object_add(doc, k, json_object_get(v));
	puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}

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

/* GetCard and print one part of it ("" = everything). */
static int card_part(int argc, char **argv, const char *part, const char *schema)
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
		if (opt_json) {
			print_json(schema, body);
		} else {
			printf("%s (serial %s)\n", str_of(summary, "name", "?"), str_of(summary, "serial", "?"));
			if (!shown)
				printf("  %s: not read yet\n", part);
			else if (json_object_is_type(shown, json_type_object))
				print_kv_object("  ", shown);
			else
				print_kv_object("  ", body);
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
	return card_part(argc, argv, "", "show");
}

static int cmd_stats(int argc, char **argv)
{
	return card_part(argc, argv, "stats", "stats");
}

static int cmd_firmware(int argc, char **argv)
{
	return card_part(argc, argv, "firmware", "firmware");
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

	r = vclient_connect(address, &c);
	if (r < 0) {
		fprintf(stderr, "ocxlpmemctl: cannot reach ocxlpmemd at %s: %s\n", address, strerror(-r));
		return EXIT_UNREACHABLE;
	}
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
				       str_of(ev, "alert", "?"), str_of(ev, "alert_event", "?"),
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

/* ---- request-health, version ------------------------------------------------ */

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
	{ "events", cmd_events, "card events pending now (dump or error log available, fatal)" },
	{ "monitor", cmd_monitor, "stream card changes and alerts until interrupted" },
	{ "request-health", cmd_request_health, "CARD: ask the card for health data (privileged)" },
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
