// SPDX-License-Identifier: GPL-2.0-or-later
/* What every ocxlpmemctl command shares (see ctl.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "varlink-client.h"

bool opt_json;
bool use_color;
const char *address;

/* ---- Talking to the daemon ------------------------------------------------- */

/* addr ("unix:PATH") when a socket is at PATH; else frees it, NULL. */
static char *address_if_present(char *addr)
{
	if (access(addr + strlen("unix:"), F_OK) == 0)
		return addr;
	free(addr);
	return NULL;
}

char *default_address(void)
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

/* The daemon runs real cards: it does not serve io.ocxlpmem.Simulation. */
static bool simulation_missing(const char *err, struct json_object *p)
{
	return strcmp(err, "org.varlink.service.InterfaceNotFound") == 0 &&
	       strcmp(str_of(p, "interface", ""), SIM_IFACE) == 0;
}

/* Map a Varlink error reply to a message and an exit status. */
int report_error(struct json_object *reply, const char *what)
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
	if (strcmp(err, IFACE ".CardPresent") == 0) {
		fprintf(stderr, "ocxlpmemctl: %s: %s is present; only a card that is gone can be "
				"forgotten\n", what, str_of(p, "card", "the card"));
		return EXIT_FAILED;
	}
	if (strcmp(err, IFACE ".DumpBusy") == 0) {
		fprintf(stderr, "ocxlpmemctl: %s: a dump collection is already running on %s; follow it "
				"with 'ocxlpmemctl dump --watch %s'\n", what, str_of(p, "card", "the card"),
			str_of(p, "card", "CARD"));
		return EXIT_FAILED;
	}
	if (strcmp(err, IFACE ".NoSuchDump") == 0) {
		fprintf(stderr, "ocxlpmemctl: %s: no saved dump '%s' (see ocxlpmemctl dumps)\n", what,
			str_of(p, "file", "?"));
		return EXIT_FAILED;
	}
	if (strcmp(err, IFACE ".NotSupported") == 0) {
		struct json_object *fns = NULL;

		fprintf(stderr, "ocxlpmemctl: %s: not supported by %s: the card lacks", what,
			str_of(p, "card", "the card"));
		if (json_object_object_get_ex(p, "functions", &fns) &&
		    json_object_is_type(fns, json_type_array))
			for (size_t i = 0; i < json_object_array_length(fns); i++)
				fprintf(stderr, "%s %s", i ? "," : "",
					json_object_get_string(json_object_array_get_idx(fns, i)));
		fprintf(stderr, "\n");
		return EXIT_FAILED;
	}
	if (simulation_missing(err, p)) {
		fprintf(stderr, "ocxlpmemctl: %s: the daemon is not running the simulation "
				"(--simulate)\n", what);
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
int connect_daemon(struct vclient **ret)
{
	int r = vclient_connect(address, ret);

	if (r < 0) {
		fprintf(stderr, "ocxlpmemctl: cannot reach ocxlpmemd at %s: %s%s\n", address,
			strerror(-r),
			r == -ENOENT || r == -ECONNREFUSED ? " (is the daemon running?)" :
			r == -EACCES ? " (no permission on the socket)" : "");
		return EXIT_UNREACHABLE;
	}
	return EXIT_OK;
}

int call(const char *method, struct json_object *params, struct json_object **ret_reply,
		struct json_object **ret_params)
{
	struct vclient *c;
	struct json_object *reply = NULL;
	bool continues;
	int r;

	/* ret_* are set on success only (EXIT_OK): on failure nothing is
	 * left for the caller to free, or to use after it was freed. */
	*ret_reply = NULL;
	*ret_params = NULL;
	r = connect_daemon(&c);
	if (r) {
		json_object_put(params);
		return r;
	}
	r = vclient_call(c, method, params, false);
	if (r == 0)
		r = vclient_read(c, 30000, &reply, &continues);
	vclient_free(c);
	if (r < 0) {
		fprintf(stderr, "ocxlpmemctl: %s: %s\n", method, strerror(-r));
		return EXIT_UNREACHABLE;
	}
	if (json_object_object_get_ex(reply, "error", NULL)) {
		r = report_error(reply, strrchr(method, '.') + 1);
		json_object_put(reply);
		return r;
	}
	if (!json_object_object_get_ex(reply, "parameters", ret_params) ||
	    !json_object_is_type(*ret_params, json_type_object)) {
		/* Keep callers simple: a reply without parameters has {}. */
		*ret_params = json_object_new_object();
		json_object_object_add(reply, "parameters", *ret_params);
	}
	*ret_reply = reply;
	return EXIT_OK;
}

/* ---- Output helpers -------------------------------------------------------- */

const char *color_of(const char *health)
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

const char *reset_color(void)
{
	return use_color ? "\033[0m" : "";
}

const char *str_of(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return dflt;
	return json_object_get_string(v);
}

bool int_of(struct json_object *o, const char *key, int64_t *ret)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v || !json_object_is_type(v, json_type_int))
		return false;
	*ret = json_object_get_int64(v);
	return true;
}

/* Wrap a reply in the versioned client document. */
void print_json(const char *schema, struct json_object *body)
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

