/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ocxlpmemd's command line.  Exit 64 (EX_USAGE) on anything wrong. */
#ifndef OCXLPMEMD_CMDLINE_H
#define OCXLPMEMD_CMDLINE_H

#include <stdbool.h>
#include <stdio.h>

#include "util/log.h"

struct options {
	bool simulate;
	int sim_cards;            /* -1: from the config ([simulator] cards) */
	const char *config_path;  /* default SYSCONFDIR/ocxlpmemd.conf */
	bool config_explicit;     /* --config given: the file must exist */
	const char *state_dir;    /* NULL: config, then the built-in default */
	const char *runtime_dir;
	enum log_target log_target;
	bool foreground;
	bool debug;
	bool test_freeze;         /* test only: SIGUSR2 freezes the loop */
	const char *test_clock_offset_file; /* test only: see clock.h */
	const char *metrics_listen; /* NULL: the config's [metrics] listen */
};

enum cmdline_result {
	CMDLINE_RUN = 0,
	CMDLINE_EXIT_OK = 1,      /* --help / --version printed */
};

/* CMDLINE_RUN / CMDLINE_EXIT_OK, or -EINVAL after printing why to err. */
int cmdline_parse(int argc, char **argv, struct options *ret, FILE *out, FILE *err);

#endif /* OCXLPMEMD_CMDLINE_H */
