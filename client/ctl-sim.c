// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocxlpmemctl sim inject: fault injection into a simulated daemon.  The
 * options map one to one onto the call's parameters; the daemon checks them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"

int cmd_sim(int argc, char **argv)
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
	r = call(SIM_IFACE ".InjectFault", params, &reply, &p);
	if (r)
		return r;
	if (opt_json)
		print_json("sim-inject", p);
	json_object_put(reply);
	return EXIT_OK;
}
