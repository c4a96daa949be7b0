// SPDX-License-Identifier: GPL-2.0-or-later
/* ocxlpmemd's command line as a table: argv -> result, options, message. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/cmdline.h"

struct row {
	const char *argv[6];
	int result;
	const char *err_has;   /* substring of the message, or NULL */
	bool simulate;
	int sim_cards;
	enum log_target target;
};

static const struct row rows[] = {
	{ { NULL }, CMDLINE_RUN, NULL, false, -1, LOG_TARGET_AUTO },
	{ { "--simulate" }, CMDLINE_RUN, NULL, true, -1, LOG_TARGET_AUTO },
	{ { "--simulate=4" }, CMDLINE_RUN, NULL, true, 4, LOG_TARGET_AUTO },
	{ { "--simulate=0" }, CMDLINE_RUN, NULL, true, 0, LOG_TARGET_AUTO },
	{ { "--simulate=4096" }, CMDLINE_RUN, NULL, true, 4096, LOG_TARGET_AUTO },
	{ { "--simulate=4097" }, -EINVAL, "not a number of cards", false, 0, 0 },
	{ { "--simulate=-1" }, -EINVAL, "not a number of cards", false, 0, 0 },
	{ { "--simulate=two" }, -EINVAL, "'two'", false, 0, 0 },
	{ { "--simulate=" }, -EINVAL, "not a number", false, 0, 0 },
	{ { "--log-target", "stderr" }, CMDLINE_RUN, NULL, false, -1, LOG_TARGET_STDERR },
	{ { "--log-target=journal" }, CMDLINE_RUN, NULL, false, -1, LOG_TARGET_JOURNAL },
	{ { "--log-target=syslog" }, -EINVAL, "auto, journal, stderr", false, 0, 0 },
	{ { "--state-dir=relative" }, -EINVAL, "not an absolute path", false, 0, 0 },
	{ { "--runtime-dir", "x/y" }, -EINVAL, "--runtime-dir", false, 0, 0 },
	{ { "--state-dir" }, -EINVAL, "needs a value", false, 0, 0 },
	{ { "--bogus" }, -EINVAL, "unknown option '--bogus'", false, 0, 0 },
	{ { "-x" }, -EINVAL, "unknown option", false, 0, 0 },
	{ { "extra" }, -EINVAL, "unexpected argument 'extra'", false, 0, 0 },
	{ { "--metrics-listen=127.0.0.1:9580" }, CMDLINE_RUN, NULL, false, -1, LOG_TARGET_AUTO },
	{ { "--metrics-listen", "off" }, CMDLINE_RUN, NULL, false, -1, LOG_TARGET_AUTO },
	{ { "--metrics-listen=[::1]:9" }, CMDLINE_RUN, NULL, false, -1, LOG_TARGET_AUTO },
	{ { "--metrics-listen=9580" }, -EINVAL, "not off, ADDR:PORT", false, 0, 0 },
	{ { "--metrics-listen=host.example:80" }, -EINVAL, "--metrics-listen", false, 0, 0 },
	{ { "--metrics-listen=127.0.0.1:0" }, -EINVAL, "--metrics-listen", false, 0, 0 },
	{ { "--help" }, CMDLINE_EXIT_OK, NULL, false, 0, 0 },
	{ { "--version" }, CMDLINE_EXIT_OK, NULL, false, 0, 0 },
};

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *row = &rows[i];
		char *argv[8] = { (char *)"ocxlpmemd" };
		int argc = 1;
		char *errbuf = NULL, *outbuf = NULL;
		size_t errlen = 0, outlen = 0;
		FILE *err = open_memstream(&errbuf, &errlen);
		FILE *out = open_memstream(&outbuf, &outlen);
		struct options o = { .sim_cards = 12345 };
		int r;

		for (; row->argv[argc - 1]; argc++)
			argv[argc] = (char *)row->argv[argc - 1];
		r = cmdline_parse(argc, argv, &o, out, err);
		fclose(err);
		fclose(out);
		if (r != row->result)
			fail_msg("row %zu (%s): got %d want %d (%s)", i, row->argv[0] ? row->argv[0] : "",
				 r, row->result, errbuf);
		if (row->err_has && !strstr(errbuf, row->err_has))
			fail_msg("row %zu: message '%s' lacks '%s'", i, errbuf, row->err_has);
		if (r == CMDLINE_RUN) {
			assert_int_equal(o.simulate, row->simulate);
			assert_int_equal(o.sim_cards, row->sim_cards);
			assert_int_equal(o.log_target, row->target);
			assert_true(o.foreground);
			assert_int_equal(errlen, 0);
		} else if (r < 0) {
			/* Bad input changes nothing. */
			assert_int_equal(o.sim_cards, 12345);
		} else {
			assert_true(outlen > 0);
		}
		free(errbuf);
		free(outbuf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
