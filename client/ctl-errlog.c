// SPDX-License-Identifier: GPL-2.0-or-later
/* ocxlpmemctl errors: a card's error-log history (GetErrorLog). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"

int cmd_errors(int argc, char **argv)
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
