/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who may change things over D-Bus: the same rule as Varlink (root, the
 * daemon's own user, members of [access] admin_group), decided from the
 * caller's credentials as the bus daemon knows them.
 *
 * sd_bus_query_sender_creds() would ask the bus daemon with a blocking
 * call; this asks with an asynchronous GetConnectionCredentials and
 * answers through a callback, so the loop never waits on the bus.
 */
#ifndef OCXLPMEMD_DBUS_AUTH_H
#define OCXLPMEMD_DBUS_AUTH_H

#include <stdbool.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>

struct dbus_auth_rule {
	bool has_admin_gid;
	gid_t admin_gid;
};

/* Whether uid with these groups is an administrator under rule. */
bool dbus_auth_allows(const struct dbus_auth_rule *rule, uid_t uid, const gid_t *gids,
		      size_t ngids);

/*
 * Called once with the verdict (allowed false also when the credentials
 * could not be had: refuse what cannot be checked).  call is the method
 * call being authorised; uid is the caller's, or (uid_t)-1 unknown.
 */
typedef void (*dbus_auth_fn)(sd_bus_message *call, bool allowed, uid_t uid, void *userdata);

/* Ask the bus who sent call; fn runs later from the loop.  On success the
 * method handler returns 1 and answers call from fn.  0 or -errno (then fn
 * is never called). */
int dbus_auth_check(sd_bus_message *call, const struct dbus_auth_rule *rule, dbus_auth_fn fn,
		    void *userdata);

#endif /* OCXLPMEMD_DBUS_AUTH_H */
