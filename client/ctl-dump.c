// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocxlpmemctl dumps / dump / dump-delete: the saved controller dumps and
 * collecting one now, with a progress bar while it runs.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "progress.h"
#include "varlink-client.h"

static void format_time(int64_t usec, char *buf, size_t len)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;

	if (usec <= 0 || !localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
}

static void format_size(int64_t bytes, char *buf, size_t len)
{
	if (bytes >= 1 << 30)
		snprintf(buf, len, "%.1f GiB", (double)bytes / (1 << 30));
	else if (bytes >= 1 << 20)
		snprintf(buf, len, "%.1f MiB", (double)bytes / (1 << 20));
	else if (bytes >= 1 << 10)
		snprintf(buf, len, "%.1f KiB", (double)bytes / (1 << 10));
	else
		snprintf(buf, len, "%" PRId64 " B", bytes);
}

/* One line for a card's collection state. */
static void print_card_state(struct json_object *st)
{
	struct json_object *job = NULL;
	const char *card = str_of(st, "card", "?");
	int64_t at = 0;

	json_object_object_get_ex(st, "job", &job);
	if (job) {
		struct json_object *pr = NULL;
		int64_t done = 0, total = 0;

		json_object_object_get_ex(job, "progress", &pr);
		int_of(pr, "done", &done);
		int_of(pr, "total", &total);
		printf("%s: collecting (%s, trigger %s) %" PRId64 "%%\n", card,
		       str_of(job, "phase", "?"), str_of(job, "trigger", "?"),
		       total > 0 ? done * 100 / total : 0);
	}
	if (str_of(st, "last_result", NULL)) {
		char when[32];

		at = 0;
		int_of(st, "last_result_usec", &at);
		format_time(at, when, sizeof(when));
		printf("%s: last collection %s: %s\n", card, when, str_of(st, "last_result", ""));
	}
	if (int_of(st, "retry_at_usec", &at)) {
		char when[32];

		format_time(at, when, sizeof(when));
		printf("%s: next attempt %s\n", card, when);
	}
}

int cmd_dumps(int argc, char **argv)
{
	struct json_object *params = json_object_new_object(), *reply, *p, *dumps, *cards;
	int64_t total = 0;
	char size[24];
	size_t n;
	int r;

	if (argc > 2) {
		json_object_put(params);
		fprintf(stderr, "ocxlpmemctl: dumps takes at most one card\n");
		return EXIT_USAGE;
	}
	if (argc == 2)
		json_object_object_add(params, "card", json_object_new_string(argv[1]));
	r = call(IFACE ".ListDumps", params, &reply, &p);
	if (r)
		return r;
	if (opt_json) {
		print_json("dumps", p);
		json_object_put(reply);
		return EXIT_OK;
	}
	if (!json_object_object_get_ex(p, "dumps", &dumps) ||
	    !json_object_is_type(dumps, json_type_array)) {
		fprintf(stderr, "ocxlpmemctl: dumps: malformed reply from the daemon\n");
		json_object_put(reply);
		return EXIT_FAILED;
	}
	n = json_object_array_length(dumps);
	if (n == 0) {
		printf("no saved dumps\n");
	} else {
		printf("%-11s %-20s %-10s %-6s %-10s %-19s %s\n", "CARD", "SERIAL", "SIZE", "ORIGIN",
		       "TRIGGER", "SAVED", "FILE");
		for (size_t i = 0; i < n; i++) {
			struct json_object *d = json_object_array_get_idx(dumps, i);
			char when[32];
			int64_t bytes = 0, at = 0;

			int_of(d, "size", &bytes);
			int_of(d, "finished_usec", &at);
			format_size(bytes, size, sizeof(size));
			format_time(at, when, sizeof(when));
			printf("%-11s %-20s %-10s %-6s %-10s %-19s %s\n", str_of(d, "card", "?"),
			       str_of(d, "serial", "?"), size, str_of(d, "origin", "?"),
			       str_of(d, "trigger", "?"), when, str_of(d, "file", "?"));
		}
		int_of(p, "total_bytes", &total);
		format_size(total, size, sizeof(size));
		printf("%zu dump%s, %s\n", n, n == 1 ? "" : "s", size);
	}
	if (json_object_object_get_ex(p, "cards", &cards) && json_object_is_type(cards, json_type_array))
		for (size_t i = 0; i < json_object_array_length(cards); i++)
			print_card_state(json_object_array_get_idx(cards, i));
	json_object_put(reply);
	return EXIT_OK;
}

/* Follow StartDump or WatchDump (with "more") to the job's end. */
static int follow(const char *method, const char *card)
{
	struct json_object *params = json_object_new_object(), *reply = NULL, *p = NULL, *last = NULL;
	struct progress_view v;
	bool continues = true;
	struct vclient *c;
	int r;

	json_object_object_add(params, "card", json_object_new_string(card));
	r = connect_daemon(&c);
	if (r) {
		json_object_put(params);
		return r;
	}
	progress_init(&v);
	r = vclient_call(c, method, params, true);
	while (r == 0 && continues) {
		struct json_object *job = NULL;

		r = vclient_read(c, -1, &reply, &continues);
		if (r < 0)
			break;
		if (json_object_object_get_ex(reply, "error", NULL)) {
			progress_done(&v);
			vclient_free(c);
			if (strcmp(str_of(reply, "error", ""), IFACE ".DumpBusy") == 0 &&
			    strcmp(method, IFACE ".StartDump") == 0) {
				/* One runs already (the card asked): follow that one. */
				json_object_put(reply);
				fprintf(stderr, "%s: a collection is already running; following it\n", card);
				return follow(IFACE ".WatchDump", card);
			}
			r = report_error(reply, method + strlen(IFACE) + 1);
			json_object_put(reply);
			json_object_put(last);
			return r;
		}
		json_object_object_get_ex(reply, "parameters", &p);
		json_object_object_get_ex(p, "job", &job);
		if (job && !opt_json)
			progress_show(&v, card, "dump", job);
		json_object_put(last);
		last = reply;
	}
	vclient_free(c);
	progress_done(&v);
	if (r < 0 || !last) {
		json_object_put(last);
		fprintf(stderr, "ocxlpmemctl: %s: %s\n", card,
			r == -ECONNRESET ? "the daemon went away" : strerror(r < 0 ? -r : EPROTO));
		return EXIT_UNREACHABLE;
	}
	json_object_object_get_ex(last, "parameters", &p);
	if (opt_json)
		print_json("dump", p);
	else
		printf("%s: %s\n", card, str_of(p, "last_result", "no result"));
	r = json_object_get_boolean(json_object_object_get(p, "last_ok")) ? EXIT_OK : EXIT_FAILED;
	json_object_put(last);
	return r;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ "watch", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *params, *reply, *p;
	bool wait = false, watch_only = false;
	int c, r;

	optind = 0; /* full reset: main() scanned with "+" */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'w')
			wait = true;
		else if (c == 'W')
			watch_only = true;
		else
			return EXIT_USAGE;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "ocxlpmemctl: dump needs a card (name or serial)\n");
		return EXIT_USAGE;
	}
	if (watch_only)
		return follow(IFACE ".WatchDump", argv[optind]);
	if (wait)
		return follow(IFACE ".StartDump", argv[optind]);
	params = json_object_new_object();
	json_object_object_add(params, "card", json_object_new_string(argv[optind]));
	r = call(IFACE ".StartDump", params, &reply, &p);
	if (r)
		return r;
	if (opt_json)
		print_json("dump", p);
	else
		printf("%s: collecting the controller dump; follow it with 'ocxlpmemctl dump --watch %s'\n",
		       argv[optind], argv[optind]);
	json_object_put(reply);
	return EXIT_OK;
}

int cmd_dump_delete(int argc, char **argv)
{
	struct json_object *params, *reply, *p;
	int r;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "ocxlpmemctl: dump-delete needs a dump's file name (see ocxlpmemctl dumps)"
				" and optionally its card\n");
		return EXIT_USAGE;
	}
	params = json_object_new_object();
	json_object_object_add(params, "file", json_object_new_string(argv[1]));
	if (argc == 3)
		json_object_object_add(params, "card", json_object_new_string(argv[2]));
	r = call(IFACE ".DeleteDump", params, &reply, &p);
	if (r)
		return r;
	if (opt_json) {
		json_object_object_add(p, "deleted", json_object_new_string(argv[1]));
		print_json("dump-delete", p);
	} else {
		printf("deleted %s\n", argv[1]);
	}
	json_object_put(reply);
	return EXIT_OK;
}
