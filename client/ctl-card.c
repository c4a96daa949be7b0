// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocxlpmemctl show / stats / firmware / request-health: one card, by name
 * or serial.  show, stats and firmware print one part of GetCard, and say
 * whether the card supports the functions behind it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"

/* ---- show / stats / firmware ------------------------------------------------ */

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

int cmd_show(int argc, char **argv)
{
	return card_part(argc, argv, "", "show", NULL, NULL);
}

int cmd_stats(int argc, char **argv)
{
	static const char *const needs[] = { "controller-stats", NULL };

	return card_part(argc, argv, "stats", "stats", needs, NULL);
}

int cmd_firmware(int argc, char **argv)
{
	static const char *const needs[] = { "firmware-info", NULL };
	static const char *const updates[] = {
		"fw-update-start", "fw-update-block", "fw-update-finish", "fw-update-abort",
		"firmware-info", NULL,
	};

	return card_part(argc, argv, "firmware", "firmware", needs, updates);
}

/* ---- request-health --------------------------------------------------------- */

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

int cmd_request_health(int argc, char **argv)
{
	return simple_card_call(argc, argv, IFACE ".RequestHealth");
}

int cmd_forget(int argc, char **argv)
{
	return simple_card_call(argc, argv, IFACE ".ForgetCard");
}
