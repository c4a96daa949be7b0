// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocxlpmemd: parse, configure, build the manager, attach the serialisers
 * (the Varlink API, the metrics endpoint) to its events, run.  This is the
 * one file that knows every layer: the core (core/manager.c and the
 * modules it owns) knows neither Varlink nor metrics, which follow it as
 * observers (core/observe.h) and stop with it.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <systemd/sd-daemon.h>

#include "util/clock.h"
#include "config/cmdline.h"
#include "config/config.h"
#include "util/log.h"
#include "core/manager.h"
#include "metrics/metrics.h"
#include "varlink/varlink-manager.h"
#include "dbus/dbus-service.h"

int main(int argc, char **argv)
{
	struct options opts;
	struct config *config = NULL;
	struct manager *m = NULL;
	int r;

	/* Every thread that mallocs may get an arena of its own (up to 8 per
	 * core); the loop thread does nearly all the allocating, so two keep
	 * the footprint flat without contention. */
	mallopt(M_ARENA_MAX, 2);
	r = cmdline_parse(argc, argv, &opts, stdout, stderr);
	if (r == CMDLINE_EXIT_OK)
		return EXIT_SUCCESS;
	if (r < 0)
		return EX_USAGE;
	log_open(opts.log_target);
	if (opts.test_clock_offset_file) {
		clock_set_test_offset_file(opts.test_clock_offset_file);
		log_warning("--test-clock-offset-file: the wall clock is offset by %s (test only)",
			    opts.test_clock_offset_file);
	}
	log_set_max_level(opts.debug ? LOG_DEBUG : LOG_INFO);

	/* The default file may be absent (a machine with no tuning); one
	 * named on the command line must exist. */
	r = config_load_logged(opts.config_path, !opts.config_explicit, &config, NULL);
	if (r < 0) {
		sd_notify(0, "STATUS=bad configuration, see the log");
		return EX_CONFIG;
	}
	r = manager_new(&opts, config, &m);
	if (r == -EBUSY) {
		/* Another daemon has the directories: it may be gone soon (a
		 * restart overlapping a stop), so try again later. */
		sd_notify(0, "STATUS=another ocxlpmemd uses the state directory, see the log");
		return EX_TEMPFAIL;
	}
	if (r < 0) {
		sd_notifyf(0, "STATUS=failed to start: %s\nERRNO=%d", strerror(-r), -r);
		return EXIT_FAILURE;
	}
	r = varlink_manager_start(m);
	if (r < 0) {
		log_errno(LOG_ERR, r, "cannot serve the Varlink API");
		manager_free(m);
		sd_notifyf(0, "STATUS=failed to start: %s\nERRNO=%d", strerror(-r), -r);
		return EXIT_FAILURE;
	}
	r = metrics_service_start(m);
	if (r < 0) {
		log_errno(LOG_ERR, r, "cannot serve metrics");
		manager_free(m);
		sd_notifyf(0, "STATUS=failed to start: %s\nERRNO=%d", strerror(-r), -r);
		return EXIT_FAILURE;
	}
	/* Optional: without a system bus it says so and keeps trying. */
	r = dbus_service_start(m);
	if (r < 0) {
		log_errno(LOG_ERR, r, "cannot start the D-Bus facade");
		manager_free(m);
		sd_notifyf(0, "STATUS=failed to start: %s\nERRNO=%d", strerror(-r), -r);
		return EXIT_FAILURE;
	}
	r = manager_run(m);
	manager_free(m);
	log_info("stopped");
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
