// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocxlpmemctl: ask ocxlpmemd.  Every command prints either aligned text or,
 * with --json, a versioned JSON document; the text is rendered from the
 * same JSON, so the two never disagree about a field.
 *
 * This file holds the global options and the command table; the commands
 * are in ctl-*.c, by group.
 *
 * Exit status: status: 0 all ok, 1 a warning, 2 critical/fatal/offline/
 * unresponsive, 3 unknown or the daemon unreachable.  Other commands: 0 done,
 * 1 the daemon refused or failed, 3 daemon unreachable, 4 permission
 * denied, 64 bad usage.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

/*
 * The commands, in the order --help lists them.  Each lives in the file of
 * its group: ctl-status.c, ctl-card.c, ctl-errlog.c, ctl-firmware.c,
 * ctl-dump.c, ctl-bundle.c, ctl-monitor.c, ctl-sim.c.
 */
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
	{ "firmware-update", cmd_firmware_update,
	  "CARD FILE [--force] [--dry-run] [--no-wait]: update the firmware (privileged)" },
	{ "firmware-cancel", cmd_firmware_cancel, "CARD: cancel a firmware update (privileged)" },
	{ "dumps", cmd_dumps, "[CARD]: saved controller dumps and collections in progress" },
	{ "dump", cmd_dump, "CARD [--wait|--watch]: collect the card's controller dump now (privileged)" },
	{ "dump-delete", cmd_dump_delete, "FILE [CARD]: remove a saved dump (privileged)" },
	{ "support-bundle", cmd_support_bundle, "[FILE] [--with-dumps]: one archive for a bug report" },
	{ "events", cmd_events, "card events pending now (dump or error log available, fatal)" },
	{ "monitor", cmd_monitor, "stream card changes and alerts until interrupted" },
	{ "request-health", cmd_request_health, "CARD: ask the card for health data (privileged)" },
	{ "forget", cmd_forget, "CARD: forget a card that is gone for good (privileged)" },
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
