// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocxlpmemctl monitor: stream card changes and alerts (Monitor with "more")
 * until interrupted or the daemon goes away.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"
#include "varlink-client.h"

int cmd_monitor(int argc, char **argv)
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
