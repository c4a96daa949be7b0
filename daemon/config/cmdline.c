// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <ocxlpmem/ocxlpmem.h>

#include "config/cmdline.h"
#include "config/config.h"

enum {
	OPT_SIMULATE = 0x100,
	OPT_STATE_DIR,
	OPT_RUNTIME_DIR,
	OPT_LOG_TARGET,
	OPT_FOREGROUND,
	OPT_VERSION,
	OPT_DEBUG,
	OPT_TEST_FREEZE,
	OPT_METRICS_LISTEN,
	OPT_TEST_CLOCK_OFFSET_FILE,
};

static const struct option long_options[] = {
	{ "simulate", optional_argument, NULL, OPT_SIMULATE },
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "runtime-dir", required_argument, NULL, OPT_RUNTIME_DIR },
	{ "log-target", required_argument, NULL, OPT_LOG_TARGET },
	{ "foreground", no_argument, NULL, OPT_FOREGROUND },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ "test-freeze-on-sigusr2", no_argument, NULL, OPT_TEST_FREEZE },
	{ "metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN },
	{ "test-clock-offset-file", required_argument, NULL, OPT_TEST_CLOCK_OFFSET_FILE },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ocxlpmemd [OPTION]...\n"
		"Monitor OpenCAPI persistent-memory cards: health, error logs, dumps, firmware.\n"
		"\n"
		"  --simulate[=N]         run N simulated cards (default: [simulator] cards, 2)\n"
		"  -c, --config=FILE      configuration file (default %s);\n"
		"                         drop-ins are read from FILE.d/*.conf\n"
		"      --state-dir=DIR    persistent state (default /var/lib/ocxlpmemd as root)\n"
		"      --runtime-dir=DIR  sockets (default /run/ocxlpmemd as root)\n"
		"      --log-target=T     auto, journal or stderr (default auto)\n"
		"      --metrics-listen=A Prometheus endpoint ADDR:PORT, or off\n"
		"                         (default: [metrics] listen, 127.0.0.1:9580)\n"
		"      --foreground       stay in the foreground (the default; for systemd)\n"
		"      --debug            log debug messages\n"
		"      --version          print the version and exit\n"
		"  -h, --help             print this help and exit\n"
		"\n"
		"Exit status: 0 stopped cleanly, 1 runtime failure, 64 bad command line,\n"
		"75 another ocxlpmemd uses the directories, 78 bad configuration.\n"
		"See ocxlpmemd(8).\n",
		SYSCONFDIR "/ocxlpmemd.conf");
}

static int parse_cards(const char *s, int *ret)
{
	char *end;
	long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > SIM_CARDS_MAX)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

int cmdline_parse(int argc, char **argv, struct options *ret, FILE *out, FILE *err)
{
	struct options o = {
		.sim_cards = -1,
		.config_path = SYSCONFDIR "/ocxlpmemd.conf",
		.log_target = LOG_TARGET_AUTO,
		.foreground = true,
	};
	int c;

	optind = 0; /* full reset, so tests can parse repeatedly */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_SIMULATE:
			o.simulate = true;
			if (optarg && parse_cards(optarg, &o.sim_cards) < 0) {
				fprintf(err, "ocxlpmemd: --simulate: '%s' is not a number of cards from 0 to %d\n",
					optarg, SIM_CARDS_MAX);
				return -EINVAL;
			}
			break;
		case 'c':
			o.config_path = optarg;
			o.config_explicit = true;
			break;
		case OPT_STATE_DIR:
		case OPT_RUNTIME_DIR:
			if (optarg[0] != '/') {
				fprintf(err, "ocxlpmemd: --%s: '%s' is not an absolute path\n",
					c == OPT_STATE_DIR ? "state-dir" : "runtime-dir", optarg);
				return -EINVAL;
			}
			if (c == OPT_STATE_DIR)
				o.state_dir = optarg;
			else
				o.runtime_dir = optarg;
			break;
		case OPT_LOG_TARGET:
			if (log_parse_target(optarg, &o.log_target) < 0) {
				fprintf(err, "ocxlpmemd: --log-target: '%s' is not one of auto, journal, stderr\n",
					optarg);
				return -EINVAL;
			}
			break;
		case OPT_FOREGROUND:
			o.foreground = true;
			break;
		case OPT_DEBUG:
			o.debug = true;
			break;
		case OPT_TEST_FREEZE:
			o.test_freeze = true;
			break;
		case OPT_TEST_CLOCK_OFFSET_FILE:
			o.test_clock_offset_file = optarg;
			break;
		case OPT_METRICS_LISTEN:
			if (!config_listen_valid(optarg)) {
				fprintf(err, "ocxlpmemd: --metrics-listen: '%s' is not off, ADDR:PORT or [ADDR]:PORT\n",
					optarg);
				return -EINVAL;
			}
			o.metrics_listen = optarg;
			break;
		case OPT_VERSION:
			fprintf(out, "ocxlpmemd %s (libocxlpmem %s, command family ABI %d)\n",
				PACKAGE_VERSION, ocxlpmem_version(), OCXLPMEM_ABI_VERSION);
			return CMDLINE_EXIT_OK;
		case 'h':
			usage(out);
			return CMDLINE_EXIT_OK;
		case ':':
			fprintf(err, "ocxlpmemd: option '%s' needs a value\n", argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(err, "ocxlpmemd: unknown option '%s' (see --help)\n", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(err, "ocxlpmemd: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -EINVAL;
	}
	*ret = o;
	return CMDLINE_RUN;
}
