/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every ocxlpmemctl command shares: the daemon's address and one-call
 * helper, error reporting with exit statuses, and the output helpers that
 * render text from the same JSON --json prints.
 */
#ifndef OCXLPMEMCTL_CTL_H
#define OCXLPMEMCTL_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#define IFACE "io.ocxlpmem.Manager"
/* Served only by a daemon running --simulate (sim inject). */
#define SIM_IFACE "io.ocxlpmem.Simulation"
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

extern bool opt_json;
extern bool use_color;
extern const char *address;

/* The address when none is given: $OCXLPMEM_ADDRESS, the system socket, or
 * the user's own daemon.  Caller frees. */
char *default_address(void);
/* Map a Varlink error reply to a message and an exit status. */
int report_error(struct json_object *reply, const char *what);
struct vclient;
/* Connect to the daemon at address: EXIT_OK, or EXIT_UNREACHABLE after
 * saying why (and whether the daemon seems not to run). */
int connect_daemon(struct vclient **ret);
/*
 * One call, one reply: returns EXIT_OK with *ret_params (owned by *ret_reply),
 * or the exit status after printing why.  Takes params.
 */
int call(const char *method, struct json_object *params, struct json_object **ret_reply,
	 struct json_object **ret_params);

const char *color_of(const char *health);
const char *reset_color(void);
const char *str_of(struct json_object *o, const char *key, const char *dflt);
bool int_of(struct json_object *o, const char *key, int64_t *ret);
/* Wrap a reply in the versioned client document and print it. */
void print_json(const char *schema, struct json_object *body);

/*
 * The commands, one file per group; ocxlpmemctl.c's table calls them with
 * argv[0] the command's name.  Each returns an exit status.
 */
/* ctl-status.c */
int cmd_status(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_version(int argc, char **argv);
/* ctl-card.c */
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_firmware(int argc, char **argv);
int cmd_request_health(int argc, char **argv);
int cmd_forget(int argc, char **argv);
/* ctl-errlog.c */
int cmd_errors(int argc, char **argv);
/* ctl-dump.c */
int cmd_dumps(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_dump_delete(int argc, char **argv);
/* ctl-bundle.c */
int cmd_support_bundle(int argc, char **argv);
/* ctl-firmware.c */
int cmd_firmware_update(int argc, char **argv);
int cmd_firmware_cancel(int argc, char **argv);
/* ctl-monitor.c */
int cmd_monitor(int argc, char **argv);
/* ctl-sim.c */
int cmd_sim(int argc, char **argv);

#endif /* OCXLPMEMCTL_CTL_H */
