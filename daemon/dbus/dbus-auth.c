// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Authorising D-Bus callers without blocking (dbus-auth.h).
 *
 * org.freedesktop.DBus.GetConnectionCredentials gives UnixUserID and, from
 * dbus 1.14 (Debian 12), UnixGroupIDs: the groups the kernel reported for
 * the caller's socket, as SO_PEERGROUPS gives Varlink.  A bus that does not
 * report groups leaves members of admin_group to Varlink, never guesses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbus/dbus-auth.h"

#define GROUPS_MAX 256

struct auth_request {
	sd_bus_message *call;
	struct dbus_auth_rule rule;
	dbus_auth_fn fn;
	void *userdata;
	bool answered;
};

bool dbus_auth_allows(const struct dbus_auth_rule *rule, uid_t uid, const gid_t *gids,
		      size_t ngids)
{
	/* root, and the daemon's own user: someone running ocxlpmemd
	 * unprivileged (a simulation) administers it, as over Varlink. */
	if (uid == 0 || uid == geteuid())
		return true;
	if (!rule->has_admin_gid)
		return false;
	for (size_t i = 0; i < ngids; i++)
		if (gids[i] == rule->admin_gid)
			return true;
	return false;
}

/* The a{sv} of GetConnectionCredentials: UnixUserID and UnixGroupIDs. */
static int read_credentials(sd_bus_message *reply, uid_t *ret_uid, gid_t *gids, size_t *ngids)
{
	bool have_uid = false;
	int r;

	*ngids = 0;
	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		const char *key;

		r = sd_bus_message_read(reply, "s", &key);
		if (r < 0)
			return r;
		if (strcmp(key, "UnixUserID") == 0) {
			uint32_t uid;

			r = sd_bus_message_read(reply, "v", "u", &uid);
			if (r < 0)
				return r;
			*ret_uid = uid;
			have_uid = true;
		} else if (strcmp(key, "UnixGroupIDs") == 0) {
			uint32_t gid;

			r = sd_bus_message_enter_container(reply, 'v', "au");
			if (r < 0)
				return r;
			r = sd_bus_message_enter_container(reply, 'a', "u");
			if (r < 0)
				return r;
			while ((r = sd_bus_message_read(reply, "u", &gid)) > 0)
				if (*ngids < GROUPS_MAX)
					gids[(*ngids)++] = gid;
			if (r < 0)
				return r;
			r = sd_bus_message_exit_container(reply);
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
			if (r < 0)
				return r;
		} else {
			r = sd_bus_message_skip(reply, "v");
			if (r < 0)
				return r;
		}
		r = sd_bus_message_exit_container(reply);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return have_uid ? 0 : -ENODATA;
}

static int on_credentials(sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct auth_request *req = userdata;
	gid_t gids[GROUPS_MAX];
	uid_t uid = (uid_t)-1;
	size_t ngids = 0;
	bool allowed = false;

	(void)error;
	if (!sd_bus_message_is_method_error(reply, NULL) &&
	    read_credentials(reply, &uid, gids, &ngids) == 0)
		allowed = dbus_auth_allows(&req->rule, uid, gids, ngids);
	req->fn(req->call, allowed, uid, req->userdata);
	req->answered = true;
	return 0;
}

/*
 * The slot's end, after the reply or when the bus goes away first: then
 * the caller is gone too, and the handler hears "refused" so it can free
 * what it holds.
 */
static void request_destroy(void *userdata)
{
	struct auth_request *req = userdata;

	if (!req->answered)
		req->fn(req->call, false, (uid_t)-1, req->userdata);
	sd_bus_message_unref(req->call);
	free(req);
}

int dbus_auth_check(sd_bus_message *call, const struct dbus_auth_rule *rule, dbus_auth_fn fn,
		    void *userdata)
{
	sd_bus *bus = sd_bus_message_get_bus(call);
	const char *sender = sd_bus_message_get_sender(call);
	struct auth_request *req;
	sd_bus_slot *slot = NULL;
	int r;

	if (!sender)
		return -EPERM; /* a direct connection: no bus to ask */
	req = calloc(1, sizeof(*req));
	if (!req)
		return -ENOMEM;
	req->call = sd_bus_message_ref(call);
	req->rule = *rule;
	req->fn = fn;
	req->userdata = userdata;
	r = sd_bus_call_method_async(bus, &slot, "org.freedesktop.DBus", "/org/freedesktop/DBus",
				     "org.freedesktop.DBus", "GetConnectionCredentials",
				     on_credentials, req, "s", sender);
	if (r < 0) {
		sd_bus_message_unref(req->call);
		free(req);
		return r;
	}
	/* The bus owns the slot from here: the reply, or the bus closing,
	 * ends it and request_destroy() frees req either way. */
	sd_bus_slot_set_destroy_callback(slot, request_destroy);
	sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
	return 0;
}
