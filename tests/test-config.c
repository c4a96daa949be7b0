// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of daemon/config/config.c.  Every case writes its files into a fresh
 * mkdtemp() directory as main.conf and conf.d/, loads them, and compares
 * the result or the messages; the directory's path is cut out of the
 * messages so the expected text can spell "main.conf:3: ..." exactly.
 */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "util/log.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#define KIB 1024ULL
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define TIB (1024 * GIB)

/* ---- scratch directories ---- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_rf(const char *dir)
{
	assert_int_equal(nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static char *make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	assert_true(asprintf(&dir, "%s/test-config-XXXXXX", base && *base ? base : "/tmp") > 0);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static char *join(const char *dir, const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static void write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
	assert_int_equal(fclose(f), 0);
}

/* A file in dir; content NULL makes a directory instead. */
struct file {
	const char *name;
	const char *content;
};

static void make_files(const char *dir, const struct file *files, size_t n)
{
	for (size_t i = 0; i < n && files[i].name; i++) {
		char *p = join(dir, files[i].name);

		if (files[i].content)
			write_file(p, files[i].content);
		else
			assert_int_equal(mkdir(p, 0755), 0);
		free(p);
	}
}

/* Message with every "DIR/" removed. */
static char *strip_dir(const char *msg, const char *dir)
{
	size_t dl = strlen(dir);
	char *out = malloc(strlen(msg) + 1), *o = out;

	assert_non_null(out);
	while (*msg) {
		if (strncmp(msg, dir, dl) == 0 && msg[dl] == '/') {
			msg += dl + 1;
			continue;
		}
		*o++ = *msg++;
	}
	*o = '\0';
	return out;
}

/* The case being run, named when it fails. */
static const char *current_case = "";

/*
 * Each expected message must be a prefix of the message at the same
 * position, and there must be exactly as many messages as expected ones.
 */
static void assert_errors(const struct config_errors *errors, const char *dir,
			  const char *const *expected, size_t nexpected)
{
	size_t n = 0;

	while (n < nexpected && expected[n])
		n++;
	for (size_t i = 0; i < errors->n || i < n; i++) {
		char *got = i < errors->n ? strip_dir(errors->v[i].message, dir) : NULL;

		if (i >= n || !got || strncmp(got, expected[i], strlen(expected[i])) != 0) {
			print_error("%s: message %zu:\n  got      %s\n  expected %s\n", current_case, i,
				    got ? got : "(none)", i < n ? expected[i] : "(none)");
			for (size_t j = 0; j < errors->n; j++)
				print_error("  [%zu] %s\n", j, errors->v[j].message);
			free(got);
			fail();
		}
		free(got);
	}
}

/* ---- field expectations ---- */

struct field {
	const char *name;
	size_t offset;
	size_t width;
	bool is_signed;
	uint64_t value;
};

#define U(m, v) { #m, offsetof(struct config, m), sizeof(((struct config *)NULL)->m), false, (v) }
#define I(m, v) { #m, offsetof(struct config, m), sizeof(int), true, (uint64_t)(int64_t)(v) }

static uint64_t read_field(const void *base, const struct field *f)
{
	const char *p = (const char *)base + f->offset;

	switch (f->width) {
	case 1: {
		bool b;

		memcpy(&b, p, 1);
		return b;
	}
	case 4:
		if (f->is_signed) {
			int32_t i;

			memcpy(&i, p, 4);
			return (uint64_t)(int64_t)i;
		} else {
			uint32_t u;

			memcpy(&u, p, 4);
			return u;
		}
	case 8: {
		uint64_t u;

		memcpy(&u, p, 8);
		return u;
	}
	}
	fail_msg("bad width %zu", f->width);
	return 0;
}

static void assert_fields(const void *base, const struct field *fields, size_t n)
{
	for (size_t i = 0; i < n && fields[i].name; i++) {
		uint64_t got = read_field(base, &fields[i]);

		if (got != fields[i].value)
			fail_msg("%s: got %" PRId64 ", expected %" PRId64, fields[i].name,
				 (int64_t)got, (int64_t)fields[i].value);
	}
}

static void assert_str(const char *got, const char *expected)
{
	if (!expected)
		assert_null(got);
	else
		assert_string_equal(got, expected);
}

/* Every field of two configurations, cards included. */
static void assert_config_equal(const struct config *a, const struct config *b)
{
	assert_memory_equal(&a->intervals, &b->intervals, sizeof(a->intervals));
	assert_int_equal(a->jitter_pct, b->jitter_pct);
	assert_int_equal(a->backoff_max_s, b->backoff_max_s);
	assert_int_equal(a->unresponsive_after, b->unresponsive_after);
	assert_memory_equal(&a->thresholds, &b->thresholds, sizeof(a->thresholds));
	assert_int_equal(a->reminder, b->reminder);
	assert_int_equal(a->kernel_transport, b->kernel_transport);
	assert_str(a->state_dir, b->state_dir);
	assert_str(a->runtime_dir, b->runtime_dir);
	assert_str(a->metrics_listen, b->metrics_listen);
	assert_int_equal(a->metrics_request_timeout_s, b->metrics_request_timeout_s);
	assert_str(a->admin_group, b->admin_group);
	assert_int_equal(a->dump_max_per_card, b->dump_max_per_card);
	assert_int_equal(a->dump_max_bytes_per_card, b->dump_max_bytes_per_card);
	assert_int_equal(a->dump_max_bytes_total, b->dump_max_bytes_total);
	assert_int_equal(a->sim_cards, b->sim_cards);
	assert_int_equal(a->sim_serial_base, b->sim_serial_base);
	assert_int_equal(a->sim_dump_size, b->sim_dump_size);
	assert_int_equal(a->sim_realistic_latency, b->sim_realistic_latency);
	assert_int_equal(a->ncards, b->ncards);
	for (size_t i = 0; i < a->ncards; i++) {
		assert_int_equal(a->cards[i].serial, b->cards[i].serial);
		assert_int_equal(a->cards[i].set_mask, b->cards[i].set_mask);
	}
}

/* ---- loading ---- */

#define SENTINEL ((struct config *)(uintptr_t)0x5a5a5a5a)

struct loaded {
	char *dir;
	struct config *c;
	struct config_errors errors;
	int r;
};

/* Load DIR/main.conf and DIR/conf.d; on failure *ret must stay untouched. */
static void load_dir(struct loaded *out, bool missing_ok)
{
	char *main_path = join(out->dir, "main.conf");
	char *dropins = join(out->dir, "conf.d");

	out->c = SENTINEL;
	out->errors = (struct config_errors){ 0 };
	out->r = config_load(main_path, missing_ok, dropins, &out->c, &out->errors);
	if (out->r < 0)
		assert_ptr_equal(out->c, SENTINEL);
	else
		assert_int_equal(out->errors.n, 0);
	free(main_path);
	free(dropins);
}

static void loaded_done(struct loaded *l)
{
	if (l->c != SENTINEL)
		config_free(l->c);
	config_errors_clear(&l->errors);
	assert_int_equal(l->errors.n, 0);
	assert_null(l->errors.v);
	rm_rf(l->dir);
	free(l->dir);
}

/* Load one main.conf with this content. */
static void load_text(struct loaded *out, const char *text)
{
	struct file f[] = { { "main.conf", text } };

	out->dir = make_tmpdir();
	make_files(out->dir, f, ELEMENTSOF(f));
	load_dir(out, false);
}

/* ---- parsers ---- */

static void test_parse_duration(void **state)
{
	static const struct {
		const char *s;
		int r;
		unsigned int v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "90", 0, 90 },
		{ "30s", 0, 30 },
		{ "5m", 0, 300 },
		{ "1h", 0, 3600 },
		{ "2d", 0, 172800 },
		{ "0d", 0, 0 },
		{ "007s", 0, 7 },
		{ "4294967295", 0, 4294967295u },
		{ "4294967296", -EINVAL, 0 },
		{ "49711d", -EINVAL, 0 }, /* 4295030400 s */
		{ "99999999999999999999s", -EINVAL, 0 },
		{ "99999999999999999999", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "s", -EINVAL, 0 },
		{ "5x", -EINVAL, 0 },
		{ "5S", -EINVAL, 0 },
		{ "5ms", -EINVAL, 0 },
		{ "1h30m", -EINVAL, 0 },
		{ "-5", -EINVAL, 0 },
		{ "+5", -EINVAL, 0 },
		{ " 5", -EINVAL, 0 },
		{ "5 ", -EINVAL, 0 },
		{ "5 s", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
		{ "1.5h", -EINVAL, 0 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		unsigned int v = 12345;
		int r = config_parse_duration(cases[i].s, &v);

		if (r != cases[i].r)
			fail_msg("'%s': got %d, expected %d", cases[i].s, r, cases[i].r);
		assert_int_equal(v, r == 0 ? cases[i].v : 12345);
	}
}

static void test_parse_size(void **state)
{
	static const struct {
		const char *s;
		int r;
		uint64_t v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "4096", 0, 4096 },
		{ "1K", 0, KIB },
		{ "16M", 0, 16 * MIB },
		{ "2G", 0, 2 * GIB },
		{ "3T", 0, 3 * TIB },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "16777215T", 0, 16777215 * TIB },
		{ "16777216T", -ERANGE, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "99999999999999999999K", -ERANGE, 0 },
		{ "99999999999999999999x", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "K", -EINVAL, 0 },
		{ "1k", -EINVAL, 0 },
		{ "1KB", -EINVAL, 0 },
		{ "1KiB", -EINVAL, 0 },
		{ "1P", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "1 M", -EINVAL, 0 },
		{ "1.5G", -EINVAL, 0 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint64_t v = 12345;
		int r = config_parse_size(cases[i].s, &v);

		if (r != cases[i].r)
			fail_msg("'%s': got %d, expected %d", cases[i].s, r, cases[i].r);
		assert_int_equal(v, r == 0 ? cases[i].v : 12345);
	}
}

/* ---- defaults ---- */

static const struct field default_fields[] = {
	U(intervals.health_s, 60),
	U(intervals.stats_s, 300),
	U(intervals.firmware_s, 3600),
	U(jitter_pct, 10),
	U(backoff_max_s, 600),
	U(unresponsive_after, 3),
	I(thresholds.temperature_warning_c, 70),
	I(thresholds.temperature_critical_c, 85),
	U(thresholds.life_warning_pct, 20),
	U(thresholds.life_critical_pct, 5),
	U(thresholds.error_log_window_s, 86400),
	U(reminder, REMINDER_ONCE),
	U(dump_max_per_card, 8),
	U(dump_max_bytes_per_card, 2 * GIB),
	U(dump_max_bytes_total, 8 * GIB),
	U(metrics_request_timeout_s, 10),
	U(sim_cards, 2),
	U(sim_serial_base, 0),
	U(sim_dump_size, 16 * MIB),
	U(sim_realistic_latency, true),
	U(kernel_transport, OCXLPMEM_KERNEL_AUTO),
};

static void assert_defaults(const struct config *c)
{
	assert_fields(c, default_fields, ELEMENTSOF(default_fields));
	assert_null(c->state_dir);
	assert_null(c->runtime_dir);
	assert_string_equal(c->metrics_listen, "127.0.0.1:9580");
	assert_null(c->admin_group);
	assert_int_equal(c->ncards, 0);
}

static void test_defaults(void **state)
{
	struct config *c = NULL;

	assert_int_equal(config_new_default(&c), 0);
	assert_defaults(c);
	assert_null(config_free(c));
	assert_null(config_free(NULL));
	config_errors_clear(NULL);
}

/* ---- every key, good and bad ---- */

struct value_case {
	const char *section;
	const char *key;
	const char *value;
	/* NULL: accepted.  Otherwise what follows "main.conf:2: [section] key: ". */
	const char *error;
	struct field expect;   /* accepted numeric values (of struct config) */
	const char *expect_str; /* accepted strings */
};

#define OK(sec, key, val, field) { sec, key, val, NULL, field, NULL }
#define OKS(sec, key, val, str) { sec, key, val, NULL, { NULL, 0, 0, false, 0 }, str }
#define BAD(sec, key, val, err) { sec, key, val, err, { NULL, 0, 0, false, 0 }, NULL }

#define INTERVAL_CASES(key, m)                                                            \
	OK("poll", key, "0", U(m, 0)),                                                    \
	OK("poll", key, "5", U(m, 5)),                                                    \
	OK("poll", key, "5s", U(m, 5)),                                                   \
	OK("poll", key, "90", U(m, 90)),                                                  \
	OK("poll", key, "15m", U(m, 900)),                                                \
	OK("poll", key, "2h", U(m, 7200)),                                                \
	OK("poll", key, "7d", U(m, 604800)),                                              \
	BAD("poll", key, "5x",                                                            \
	    "'5x' is not a duration (expected e.g. 30s, 5m, 1h)"),                        \
	BAD("poll", key, "abc", "'abc' is not a duration (expected e.g. 30s, 5m, 1h)"),   \
	BAD("poll", key, "-1", "'-1' is not a duration"),                                 \
	BAD("poll", key, "4s", "'4s' is out of range (expected 0 to disable, or 5s to 7d)"), \
	BAD("poll", key, "1s", "'1s' is out of range (expected 0 to disable, or 5s to 7d)"), \
	BAD("poll", key, "604801", "'604801' is out of range"),                           \
	BAD("poll", key, "8d", "'8d' is out of range"),                                   \
	BAD("poll", key, "99999999999999999999s", "'99999999999999999999s' is out of range"), \
	BAD("poll", key, "5M", "'5M' is not a duration"),                                 \
	BAD("poll", key, "",                                                              \
	    "empty value (expected a duration, 0 to disable, or 5s to 7d)")

static const struct value_case value_cases[] = {
	INTERVAL_CASES("health_interval", intervals.health_s),
	INTERVAL_CASES("stats_interval", intervals.stats_s),
	INTERVAL_CASES("firmware_interval", intervals.firmware_s),

	OK("poll", "jitter", "0", U(jitter_pct, 0)),
	OK("poll", "jitter", "50", U(jitter_pct, 50)),
	OK("poll", "jitter", "25 ; inline comment", U(jitter_pct, 25)),
	BAD("poll", "jitter", "51", "'51' is out of range (expected 0 to 50)"),
	BAD("poll", "jitter", "-1", "'-1' is not a number (expected 0 to 50)"),
	BAD("poll", "jitter", "ten", "'ten' is not a number (expected 0 to 50)"),
	BAD("poll", "jitter", "10%", "'10%' is not a number"),
	BAD("poll", "jitter", "10 # not a comment", "'10 # not a comment' is not a number"),
	BAD("poll", "jitter", "99999999999999999999", "'99999999999999999999' is out of range"),
	BAD("poll", "jitter", "", "empty value (expected 0 to 50)"),
	/* Messages stay printable ASCII whatever the value holds. */
	BAD("poll", "jitter", "5\x01\x7f\xc3\xa9\t6", "'5\\x01\\x7f\\xc3\\xa9\\x096' is not a number"),

	OK("poll", "backoff_max", "10s", U(backoff_max_s, 10)),
	OK("poll", "backoff_max", "1d", U(backoff_max_s, 86400)),
	OK("poll", "backoff_max", "30m", U(backoff_max_s, 1800)),
	BAD("poll", "backoff_max", "0", "'0' is out of range (expected 10s to 1d)"),
	BAD("poll", "backoff_max", "9", "'9' is out of range (expected 10s to 1d)"),
	BAD("poll", "backoff_max", "25h", "'25h' is out of range (expected 10s to 1d)"),
	BAD("poll", "backoff_max", "1w", "'1w' is not a duration (expected e.g. 30s, 5m, 1h)"),
	BAD("poll", "backoff_max", "", "empty value (expected a duration, 10s to 1d)"),

	OK("poll", "unresponsive_after", "1", U(unresponsive_after, 1)),
	OK("poll", "unresponsive_after", "100", U(unresponsive_after, 100)),
	BAD("poll", "unresponsive_after", "0", "'0' is out of range (expected 1 to 100)"),
	BAD("poll", "unresponsive_after", "101", "'101' is out of range (expected 1 to 100)"),
	BAD("poll", "unresponsive_after", "3x", "'3x' is not a number (expected 1 to 100)"),
	BAD("poll", "unresponsive_after", "", "empty value (expected 1 to 100)"),

	OK("thresholds", "temperature_warning", "-40", I(thresholds.temperature_warning_c, -40)),
	OK("thresholds", "temperature_warning", "0", I(thresholds.temperature_warning_c, 0)),
	OK("thresholds", "temperature_warning", "84", I(thresholds.temperature_warning_c, 84)),
	OK("thresholds", "temperature_warning", "-0", I(thresholds.temperature_warning_c, 0)),
	BAD("thresholds", "temperature_warning", "-41", "'-41' is out of range (expected -40 to 150)"),
	BAD("thresholds", "temperature_warning", "151", "'151' is out of range (expected -40 to 150)"),
	BAD("thresholds", "temperature_warning", "70C", "'70C' is not a number (expected -40 to 150)"),
	BAD("thresholds", "temperature_warning", "+70", "'+70' is not a number"),
	BAD("thresholds", "temperature_warning", "--5", "'--5' is not a number"),
	BAD("thresholds", "temperature_warning", "-", "'-' is not a number"),
	BAD("thresholds", "temperature_warning", "-99999999999999999999",
	    "'-99999999999999999999' is out of range"),
	BAD("thresholds", "temperature_warning", "", "empty value (expected -40 to 150)"),
	OK("thresholds", "temperature_critical", "150", I(thresholds.temperature_critical_c, 150)),
	OK("thresholds", "temperature_critical", "71", I(thresholds.temperature_critical_c, 71)),
	BAD("thresholds", "temperature_critical", "-41", "'-41' is out of range (expected -40 to 150)"),
	BAD("thresholds", "temperature_critical", "151", "'151' is out of range (expected -40 to 150)"),
	BAD("thresholds", "temperature_critical", "hot", "'hot' is not a number"),
	BAD("thresholds", "temperature_critical", "", "empty value (expected -40 to 150)"),

	OK("thresholds", "life_warning", "100", U(thresholds.life_warning_pct, 100)),
	OK("thresholds", "life_warning", "6", U(thresholds.life_warning_pct, 6)),
	BAD("thresholds", "life_warning", "101", "'101' is out of range (expected 0 to 100)"),
	BAD("thresholds", "life_warning", "-1", "'-1' is not a number (expected 0 to 100)"),
	BAD("thresholds", "life_warning", "20%", "'20%' is not a number"),
	BAD("thresholds", "life_warning", "", "empty value (expected 0 to 100)"),
	OK("thresholds", "life_critical", "0", U(thresholds.life_critical_pct, 0)),
	OK("thresholds", "life_critical", "19", U(thresholds.life_critical_pct, 19)),
	BAD("thresholds", "life_critical", "101", "'101' is out of range (expected 0 to 100)"),
	BAD("thresholds", "life_critical", "x", "'x' is not a number"),
	BAD("thresholds", "life_critical", "", "empty value (expected 0 to 100)"),

	OK("thresholds", "error_log_window", "1m", U(thresholds.error_log_window_s, 60)),
	OK("thresholds", "error_log_window", "365d", U(thresholds.error_log_window_s, 31536000)),
	OK("thresholds", "error_log_window", "12h", U(thresholds.error_log_window_s, 43200)),
	BAD("thresholds", "error_log_window", "0", "'0' is out of range (expected 1m to 365d)"),
	BAD("thresholds", "error_log_window", "59s", "'59s' is out of range (expected 1m to 365d)"),
	BAD("thresholds", "error_log_window", "366d", "'366d' is out of range (expected 1m to 365d)"),
	BAD("thresholds", "error_log_window", "1y", "'1y' is not a duration"),
	BAD("thresholds", "error_log_window", "", "empty value (expected a duration, 1m to 365d)"),

	OK("alerts", "reminder", "once", U(reminder, REMINDER_ONCE)),
	OK("alerts", "reminder", "daily", U(reminder, REMINDER_DAILY)),
	OK("alerts", "reminder", "diminishing", U(reminder, REMINDER_DIMINISHING)),
	BAD("alerts", "reminder", "weekly",
	    "'weekly' is not valid (expected once, daily or diminishing)"),
	BAD("alerts", "reminder", "Daily", "'Daily' is not valid"),
	BAD("alerts", "reminder", "", "empty value (expected once, daily or diminishing)"),
	OK("kernel", "transport", "auto", U(kernel_transport, OCXLPMEM_KERNEL_AUTO)),
	OK("kernel", "transport", "tunnel", U(kernel_transport, OCXLPMEM_KERNEL_TUNNEL)),
	OK("kernel", "transport", "chardev", U(kernel_transport, OCXLPMEM_KERNEL_CHARDEV)),
	BAD("kernel", "transport", "v4",
	    "'v4' is not valid (expected auto, tunnel or chardev)"),
	BAD("kernel", "transport", "", "empty value (expected auto, tunnel or chardev)"),

	OKS("paths", "state_dir", "/srv/ocxlpmemd", "/srv/ocxlpmemd"),
	OKS("paths", "state_dir", "/", "/"),
	BAD("paths", "state_dir", "var/lib/x", "'var/lib/x' is not valid (expected an absolute path)"),
	BAD("paths", "state_dir", "~/x", "'~/x' is not valid (expected an absolute path)"),
	BAD("paths", "state_dir", "", "empty value (expected an absolute path)"),
	OKS("paths", "runtime_dir", "/run/x y", "/run/x y"),
	BAD("paths", "runtime_dir", "run", "'run' is not valid (expected an absolute path)"),
	BAD("paths", "runtime_dir", "", "empty value (expected an absolute path)"),

	OKS("metrics", "listen", "off", "off"),
	OKS("metrics", "listen", "0.0.0.0:80", "0.0.0.0:80"),
	OKS("metrics", "listen", "192.168.1.20:65535", "192.168.1.20:65535"),
	OKS("metrics", "listen", "[::1]:9580", "[::1]:9580"),
	OKS("metrics", "listen", "[::]:1", "[::]:1"),
	OKS("metrics", "listen", "[2001:db8::7]:9580", "[2001:db8::7]:9580"),
	OKS("metrics", "listen", "localhost:9580", "localhost:9580"),
	BAD("metrics", "listen", "127.0.0.1", "'127.0.0.1' is not valid (expected off, or ADDRESS:PORT"),
	BAD("metrics", "listen", "127.0.0.1:0", "'127.0.0.1:0' is not valid"),
	BAD("metrics", "listen", "127.0.0.1:65536", "'127.0.0.1:65536' is not valid"),
	BAD("metrics", "listen", "127.0.0.1:-1", "'127.0.0.1:-1' is not valid"),
	BAD("metrics", "listen", "127.0.0.1:", "'127.0.0.1:' is not valid"),
	BAD("metrics", "listen", "127.0.0.1:http", "'127.0.0.1:http' is not valid"),
	BAD("metrics", "listen", "127.0.0.256:9580", "'127.0.0.256:9580' is not valid"),
	BAD("metrics", "listen", "example.com:9580", "'example.com:9580' is not valid"),
	BAD("metrics", "listen", "::1:9580", "'::1:9580' is not valid"),
	BAD("metrics", "listen", "[::1]", "'[::1]' is not valid"),
	BAD("metrics", "listen", "[::1]9580", "'[::1]9580' is not valid"),
	BAD("metrics", "listen", "[]:9580", "'[]:9580' is not valid"),
	BAD("metrics", "listen", "[127.0.0.1]:9580", "'[127.0.0.1]:9580' is not valid"),
	OK("metrics", "request_timeout", "1", U(metrics_request_timeout_s, 1)),
	OK("metrics", "request_timeout", "5m", U(metrics_request_timeout_s, 300)),
	BAD("metrics", "request_timeout", "0", "'0' is out of range (expected 1s to 5m)"),
	BAD("metrics", "request_timeout", "301", "'301' is out of range (expected 1s to 5m)"),
	BAD("metrics", "listen", ":9580", "':9580' is not valid"),
	BAD("metrics", "listen", "Off", "'Off' is not valid"),
	BAD("metrics", "listen", "", "empty value (expected off, or ADDRESS:PORT"),

	OKS("access", "admin_group", "ocxlpmem", "ocxlpmem"),
	OKS("access", "admin_group", "_adm-1", "_adm-1"),
	OKS("access", "admin_group", "abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345"),
	BAD("access", "admin_group", "abcdefghijklmnopqrstuvwxyz0123456",
	    "'abcdefghijklmnopqrstuvwxyz0123456' is not valid (expected a group name"),
	BAD("access", "admin_group", "Wheel", "'Wheel' is not valid (expected a group name"),
	BAD("access", "admin_group", "1adm", "'1adm' is not valid"),
	BAD("access", "admin_group", "-adm", "'-adm' is not valid"),
	BAD("access", "admin_group", "adm in", "'adm in' is not valid"),
	BAD("access", "admin_group", "", "empty value (expected a group name"),

	OK("dumps", "max_per_card", "1", U(dump_max_per_card, 1)),
	OK("dumps", "max_per_card", "1000", U(dump_max_per_card, 1000)),
	BAD("dumps", "max_per_card", "0", "'0' is out of range (expected 1 to 1000)"),
	BAD("dumps", "max_per_card", "1001", "'1001' is out of range (expected 1 to 1000)"),
	BAD("dumps", "max_per_card", "8K", "'8K' is not a number (expected 1 to 1000)"),
	BAD("dumps", "max_per_card", "", "empty value (expected 1 to 1000)"),
	OK("dumps", "max_bytes_per_card", "1M", U(dump_max_bytes_per_card, MIB)),
	OK("dumps", "max_bytes_per_card", "1048576", U(dump_max_bytes_per_card, MIB)),
	OK("dumps", "max_bytes_per_card", "8G", U(dump_max_bytes_per_card, 8 * GIB)),
	BAD("dumps", "max_bytes_per_card", "1023K", "'1023K' is out of range (expected 1M to 1T)"),
	BAD("dumps", "max_bytes_per_card", "2T", "'2T' is out of range (expected 1M to 1T)"),
	BAD("dumps", "max_bytes_per_card", "1GB",
	    "'1GB' is not a size (expected e.g. 4096, 64K, 16M, 2G)"),
	BAD("dumps", "max_bytes_per_card", "99999999999999999999T",
	    "'99999999999999999999T' is out of range"),
	BAD("dumps", "max_bytes_per_card", "", "empty value (expected a size, 1M to 1T)"),
	OK("dumps", "max_bytes_total", "16T", U(dump_max_bytes_total, 16 * TIB)),
	OK("dumps", "max_bytes_total", "2G", U(dump_max_bytes_total, 2 * GIB)),
	BAD("dumps", "max_bytes_total", "17T", "'17T' is out of range (expected 1M to 16T)"),
	BAD("dumps", "max_bytes_total", "1K", "'1K' is out of range (expected 1M to 16T)"),
	BAD("dumps", "max_bytes_total", "lots", "'lots' is not a size"),
	BAD("dumps", "max_bytes_total", "", "empty value (expected a size, 1M to 16T)"),

	OK("simulator", "cards", "0", U(sim_cards, 0)),
	OK("simulator", "cards", "4096", U(sim_cards, 4096)),
	BAD("simulator", "cards", "4097", "'4097' is out of range (expected 0 to 4096)"),
	BAD("simulator", "cards", "-1", "'-1' is not a number (expected 0 to 4096)"),
	BAD("simulator", "cards", "", "empty value (expected 0 to 4096)"),
	OK("simulator", "serial_base", "0", U(sim_serial_base, 0)),
	OK("simulator", "serial_base", "18446744073709551615", U(sim_serial_base, UINT64_MAX)),
	BAD("simulator", "serial_base", "18446744073709551616",
	    "'18446744073709551616' is out of range (expected a decimal number)"),
	BAD("simulator", "serial_base", "0x10", "'0x10' is not a number (expected a decimal number)"),
	BAD("simulator", "serial_base", "", "empty value (expected a decimal number)"),
	OK("simulator", "dump_size", "8", U(sim_dump_size, 8)),
	OK("simulator", "dump_size", "256M", U(sim_dump_size, 256 * MIB)),
	OK("simulator", "dump_size", "4K", U(sim_dump_size, 4 * KIB)),
	BAD("simulator", "dump_size", "0", "'0' is out of range (expected 8 to 256M, a multiple of 8)"),
	BAD("simulator", "dump_size", "257M", "'257M' is out of range (expected 8 to 256M, a multiple of 8)"),
	BAD("simulator", "dump_size", "4T", "'4T' is out of range"),
	BAD("simulator", "dump_size", "12", "'12' is not a multiple of 8 (expected 8 to 256M, a multiple of 8)"),
	BAD("simulator", "dump_size", "16MiB", "'16MiB' is not a size"),
	BAD("simulator", "dump_size", "", "empty value (expected a size, 8 to 256M, a multiple of 8)"),
	OK("simulator", "realistic_latency", "no", U(sim_realistic_latency, false)),
	OK("simulator", "realistic_latency", "yes", U(sim_realistic_latency, true)),
	OK("simulator", "realistic_latency", "false", U(sim_realistic_latency, false)),
	OK("simulator", "realistic_latency", "true", U(sim_realistic_latency, true)),
	OK("simulator", "realistic_latency", "0", U(sim_realistic_latency, false)),
	OK("simulator", "realistic_latency", "1", U(sim_realistic_latency, true)),
	OK("simulator", "realistic_latency", "off", U(sim_realistic_latency, false)),
	OK("simulator", "realistic_latency", "on", U(sim_realistic_latency, true)),
	OK("simulator", "realistic_latency", "No", U(sim_realistic_latency, false)),
	BAD("simulator", "realistic_latency", "2",
	    "'2' is not a boolean (expected yes, no, true, false, on, off, 1 or 0)"),
	BAD("simulator", "realistic_latency", "y", "'y' is not a boolean"),
	BAD("simulator", "realistic_latency", "",
	    "empty value (expected yes, no, true, false, on, off, 1 or 0)"),
};

static void test_values(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(value_cases); i++) {
		const struct value_case *vc = &value_cases[i];
		struct loaded l;
		char *text, *expected;

		assert_true(asprintf(&text, "[%s]\n%s = %s\n", vc->section, vc->key, vc->value) > 0);
		load_text(&l, text);
		if (vc->error) {
			assert_true(asprintf(&expected, "main.conf:2: [%s] %s: %s", vc->section,
					     vc->key, vc->error) > 0);
			if (l.r != -EINVAL)
				fail_msg("[%s] %s = '%s': got %d, expected -EINVAL", vc->section,
					 vc->key, vc->value, l.r);
			assert_errors(&l.errors, l.dir, (const char *const[]){ expected }, 1);
			free(expected);
		} else {
			if (l.r != 0) {
				for (size_t j = 0; j < l.errors.n; j++)
					print_error("%s\n", l.errors.v[j].message);
				fail_msg("[%s] %s = '%s': got %d", vc->section, vc->key, vc->value,
					 l.r);
			}
			if (vc->expect.name)
				assert_fields(l.c, &vc->expect, 1);
			if (vc->expect_str) {
				const char *got = NULL;

				if (strcmp(vc->key, "state_dir") == 0)
					got = l.c->state_dir;
				else if (strcmp(vc->key, "runtime_dir") == 0)
					got = l.c->runtime_dir;
				else if (strcmp(vc->key, "listen") == 0)
					got = l.c->metrics_listen;
				else if (strcmp(vc->key, "admin_group") == 0)
					got = l.c->admin_group;
				assert_str(got, vc->expect_str);
			}
		}
		loaded_done(&l);
		free(text);
	}
}

/* The same for the keys a card may override; the rest are unknown there. */
static void test_card_values(void **state)
{
	static const struct {
		const char *key, *value, *error;
		uint32_t bit;
		struct field expect; /* of struct card_config */
	} cases[] = {
#define C(m) offsetof(struct card_config, m), sizeof(((struct card_config *)NULL)->m)
		{ "health_interval", "30s", NULL, CARD_SET_HEALTH_S,
		  { "health", C(intervals.health_s), false, 30 } },
		{ "health_interval", "0", NULL, CARD_SET_HEALTH_S,
		  { "health", C(intervals.health_s), false, 0 } },
		{ "stats_interval", "1h", NULL, CARD_SET_STATS_S,
		  { "stats", C(intervals.stats_s), false, 3600 } },
		{ "firmware_interval", "7d", NULL, CARD_SET_FIRMWARE_S,
		  { "fw", C(intervals.firmware_s), false, 604800 } },
		{ "temperature_warning", "-5", NULL, CARD_SET_TEMP_WARNING,
		  { "tw", C(thresholds.temperature_warning_c), true, (uint64_t)-5 } },
		{ "temperature_critical", "100", NULL, CARD_SET_TEMP_CRITICAL,
		  { "tc", C(thresholds.temperature_critical_c), true, 100 } },
		{ "life_warning", "50", NULL, CARD_SET_LIFE_WARNING,
		  { "lw", C(thresholds.life_warning_pct), false, 50 } },
		{ "life_critical", "1", NULL, CARD_SET_LIFE_CRITICAL,
		  { "lc", C(thresholds.life_critical_pct), false, 1 } },
		{ "error_log_window", "2d", NULL, CARD_SET_ERRLOG_WINDOW,
		  { "elw", C(thresholds.error_log_window_s), false, 172800 } },
#undef C
		{ "health_interval", "3s", "'3s' is out of range (expected 0 to disable, or 5s to 7d)" },
		{ "stats_interval", "x", "'x' is not a duration" },
		{ "firmware_interval", "", "empty value" },
		{ "temperature_warning", "151", "'151' is out of range (expected -40 to 150)" },
		{ "temperature_critical", "-41", "'-41' is out of range" },
		{ "life_warning", "101", "'101' is out of range (expected 0 to 100)" },
		{ "life_critical", "a", "'a' is not a number" },
		{ "error_log_window", "0", "'0' is out of range (expected 1m to 365d)" },
		{ "jitter", "5",
		  "unknown key (expected one of health_interval, stats_interval, firmware_interval, temperature_warning, temperature_critical, life_warning, life_critical, error_log_window)" },
		{ "reminder", "daily", "unknown key" },
		{ "serial", "5", "unknown key" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct card_config eff = { 0 };
		struct config *defaults;
		struct loaded l;
		char *text, *expected;

		assert_true(asprintf(&text, "# card\n[card 42]\n%s = %s\n", cases[i].key,
				     cases[i].value) > 0);
		load_text(&l, text);
		if (cases[i].error) {
			assert_int_equal(l.r, -EINVAL);
			assert_true(asprintf(&expected, "main.conf:3: [card 42] %s: %s", cases[i].key,
					     cases[i].error) > 0);
			assert_errors(&l.errors, l.dir, (const char *const[]){ expected }, 1);
			free(expected);
		} else {
			assert_int_equal(l.r, 0);
			assert_int_equal(l.c->ncards, 1);
			assert_int_equal(l.c->cards[0].serial, 42);
			assert_int_equal(l.c->cards[0].set_mask, cases[i].bit);
			config_for_card(l.c, 42, &eff.intervals, &eff.thresholds);
			assert_fields(&eff, &cases[i].expect, 1);
			/* Other cards and the global values are untouched. */
			assert_int_equal(config_new_default(&defaults), 0);
			config_for_card(l.c, 43, &eff.intervals, &eff.thresholds);
			assert_memory_equal(&eff.intervals, &defaults->intervals,
					    sizeof(eff.intervals));
			assert_memory_equal(&eff.thresholds, &defaults->thresholds,
					    sizeof(eff.thresholds));
			assert_memory_equal(&l.c->intervals, &defaults->intervals,
					    sizeof(eff.intervals));
			assert_memory_equal(&l.c->thresholds, &defaults->thresholds,
					    sizeof(eff.thresholds));
			config_free(defaults);
		}
		loaded_done(&l);
		free(text);
	}
}

/* ---- whole files ---- */

#define MAX_FILES 8
#define MAX_ERRORS 12

struct load_case {
	const char *name;
	struct file files[MAX_FILES]; /* main.conf, conf.d/NAME; content NULL: a directory */
	bool missing_ok;
	int r;
	const char *errors[MAX_ERRORS];
	struct field fields[8];
	void (*check)(const struct config *c);
};

static void check_defaults(const struct config *c)
{
	assert_defaults(c);
}

static void check_card_merge(const struct config *c)
{
	struct intervals iv;
	struct thresholds th;

	assert_int_equal(c->ncards, 2);
	assert_int_equal(c->cards[0].serial, 5);
	assert_int_equal(c->cards[0].set_mask,
			 CARD_SET_HEALTH_S | CARD_SET_LIFE_WARNING | CARD_SET_TEMP_CRITICAL);
	assert_int_equal(c->cards[1].serial, 18446744073709551615u);
	assert_int_equal(c->cards[1].set_mask, 0);

	config_for_card(c, 5, &iv, &th);
	assert_int_equal(iv.health_s, 45);     /* the drop-in's, over main.conf's 30 */
	assert_int_equal(iv.stats_s, 120);     /* the global value */
	assert_int_equal(iv.firmware_s, 3600); /* the default */
	assert_int_equal(th.life_warning_pct, 30);
	assert_int_equal(th.temperature_critical_c, 90);
	assert_int_equal(th.temperature_warning_c, 70);
	assert_int_equal(th.life_critical_pct, 5);

	config_for_card(c, 18446744073709551615u, &iv, &th);
	assert_int_equal(iv.health_s, 60);
	assert_int_equal(iv.stats_s, 120);
	config_for_card(c, 6, NULL, &th); /* either output may be NULL */
	assert_int_equal(th.temperature_critical_c, 85);
}

static void check_card_zero(const struct config *c)
{
	assert_int_equal(c->ncards, 1);
	assert_int_equal(c->cards[0].serial, 0);
	assert_int_equal(c->cards[0].set_mask, CARD_SET_STATS_S);
}

static void check_strings_override(const struct config *c)
{
	assert_string_equal(c->state_dir, "/b");
	assert_string_equal(c->metrics_listen, "off");
	assert_string_equal(c->admin_group, "wheel");
}

/* 60 syntax errors: the first 50 are kept, then one line counts the rest. */
static char many_errors[60 * 8 + 16];

static const struct load_case load_cases[] = {
	{ "no files at all", { { NULL } }, true, 0, { NULL }, { { NULL } }, check_defaults },
	{ "missing main file, missing_ok", { { "conf.d", NULL } }, true, 0, { NULL }, { { NULL } },
	  check_defaults },
	{ "missing main file", { { NULL } }, false, -ENOENT,
	  { "main.conf: cannot open: No such file or directory" } },
	{ "main file is a directory", { { "main.conf", NULL } }, false, -EISDIR,
	  { "main.conf: cannot read: Is a directory" } },
	{ "drop-in directory is a file", { { "main.conf", "" }, { "conf.d", "x" } }, false,
	  -ENOTDIR, { "conf.d: cannot read drop-in directory: Not a directory" } },
	{ "empty file", { { "main.conf", "" } }, false, 0, { NULL }, { { NULL } }, check_defaults },
	{ "comments, blanks, empty sections",
	  { { "main.conf",
	      "# comment\n; comment\n\n   \n\t# indented comment\n[poll]\n[thresholds]\n[alerts]\n"
	      "[paths]\n[metrics]\n[access]\n[dumps]\n[simulator]\n" } },
	  false, 0, { NULL }, { { NULL } }, check_defaults },
	{ "layout: BOM, CRLF, indentation, spaces, inline comments, ':'",
	  { { "main.conf",
	      "\xef\xbb\xbf[poll]\r\n  jitter=7\r\n\tunresponsive_after   =   9   ; nine\r\n"
	      "[ thresholds ]\nlife_warning: 30\n[card   77]\n  health_interval = 10s\n" } },
	  false, 0, { NULL },
	  { U(jitter_pct, 7), U(unresponsive_after, 9), U(thresholds.life_warning_pct, 30) } },
	{ "no continuation lines: an indented key is a key",
	  { { "main.conf", "[poll]\njitter = 5\n    unresponsive_after = 4\n" } }, false, 0,
	  { NULL }, { U(jitter_pct, 5), U(unresponsive_after, 4) } },
	{ "last line without a newline",
	  { { "main.conf", "[poll]\njitter = 42" } }, false, 0, { NULL }, { U(jitter_pct, 42) } },

	{ "unknown section, its keys ignored",
	  { { "main.conf", "[bogus]\nfoo = 1\nbar = 2\n[poll]\njitter = 1\n" } }, false, -EINVAL,
	  { "main.conf:1: [bogus]: unknown section (expected poll, thresholds, alerts, paths, "
	    "metrics, access, dumps, simulator, kernel or card SERIAL)" } },
	{ "section names are case-sensitive", { { "main.conf", "[Poll]\n" } }, false, -EINVAL,
	  { "main.conf:1: [Poll]: unknown section" } },
	{ "long section name",
	  { { "main.conf", "[card 5                                                       x]\n" } },
	  false, -EINVAL, { "main.conf:1: [card 5   " } },
	{ "unknown key",
	  { { "main.conf", "[poll]\nhealth = 5\n" } }, false, -EINVAL,
	  { "main.conf:2: [poll] health: unknown key (expected one of health_interval, "
	    "stats_interval, firmware_interval, jitter, backoff_max, unresponsive_after)" } },
	{ "keys are case-sensitive", { { "main.conf", "[poll]\nJitter = 5\n" } }, false, -EINVAL,
	  { "main.conf:2: [poll] Jitter: unknown key" } },
	{ "key in the wrong section", { { "main.conf", "[thresholds]\njitter = 5\n" } }, false,
	  -EINVAL, { "main.conf:2: [thresholds] jitter: unknown key" } },
	{ "key outside of any section", { { "main.conf", "jitter = 5\n[poll]\n" } }, false,
	  -EINVAL,
	  { "main.conf:1: jitter: key outside of any section (expected a [section] line first)" } },
	{ "empty key name", { { "main.conf", "[poll]\n= 5\n" } }, false, -EINVAL,
	  { "main.conf:2: [poll] : unknown key" } },
	{ "line without '='", { { "main.conf", "[poll]\njitter 5\n\nhealth_interval\n" } }, false,
	  -EINVAL,
	  { "main.conf:2: syntax error (expected 'key = value', '[section]' or a comment)",
	    "main.conf:4: syntax error" } },
	{ "header without ']': its keys are not applied elsewhere",
	  { { "main.conf", "[poll]\n[thresholds\njitter = 5\n" } }, false, -EINVAL,
	  { "main.conf:2: invalid section header (expected e.g. [poll] or [card SERIAL])" } },
	{ "empty header", { { "main.conf", "[]\njitter = 5\n" } }, false, -EINVAL,
	  { "main.conf:1: invalid section header" } },
	{ "text after ']'", { { "main.conf", "[poll] jitter = 5\n[dumps] ; fine\n" } }, false,
	  -EINVAL,
	  { "main.conf:1: unexpected text after ']' (expected a comment starting with ';' or '#')" } },
	{ "line too long",
	  { { "main.conf",
	      "[paths]\nstate_dir = /"
	      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
	      "[poll]\njitter = 5\n" } },
	  false, -EINVAL, { "main.conf:2: line too long (at most 198 characters)" } },
	{ "long header: its keys are not applied elsewhere",
	  { { "main.conf",
	      "[poll]\n[card 1"
	      "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	      "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	      "0000000000000000000000000000]\njitter = 5\n" } },
	  false, -EINVAL, { "main.conf:2: line too long" } },

	{ "card serial: hex", { { "main.conf", "[card 0x12]\n" } }, false, -EINVAL,
	  { "main.conf:1: [card 0x12]: '0x12' is not a card serial (expected decimal digits "
	    "without leading zeros, as sysfs shows it)" } },
	{ "card serial: leading zero", { { "main.conf", "[card 012]\n" } }, false, -EINVAL,
	  { "main.conf:1: [card 012]: '012' is not a card serial" } },
	{ "card serial: negative", { { "main.conf", "[card -1]\n" } }, false, -EINVAL,
	  { "main.conf:1: [card -1]: '-1' is not a card serial" } },
	{ "card serial: overflow", { { "main.conf", "[card 18446744073709551616]\nx = 1\n" } },
	  false, -EINVAL,
	  { "main.conf:1: [card 18446744073709551616]: '18446744073709551616' is not a card serial" } },
	{ "card serial: two words", { { "main.conf", "[card 1 2]\n" } }, false, -EINVAL,
	  { "main.conf:1: [card 1 2]: '1 2' is not a card serial" } },
	{ "card serial: missing", { { "main.conf", "[card]\n[card  ]\n" } }, false, -EINVAL,
	  { "main.conf:1: [card]: missing serial (expected [card SERIAL])",
	    "main.conf:2: [card]: missing serial" } },
	{ "card serial: glued", { { "main.conf", "[card5]\n" } }, false, -EINVAL,
	  { "main.conf:1: [card5]: unknown section" } },
	{ "card serial 0", { { "main.conf", "[card 0]\nstats_interval = 0\n" } }, false, 0,
	  { NULL }, { { NULL } }, check_card_zero },

	{ "duplicate key",
	  { { "main.conf", "[poll]\njitter = 1\nhealth_interval = 5s\njitter = 2\n" } }, false,
	  -EINVAL, { "main.conf:4: [poll] jitter: duplicate key, first set at line 2" } },
	{ "duplicate key in a card",
	  { { "main.conf", "[card 9]\nlife_warning = 30\nlife_warning = 30\n" } }, false, -EINVAL,
	  { "main.conf:3: [card 9] life_warning: duplicate key, first set at line 2" } },
	{ "duplicate key with a bad first value",
	  { { "main.conf", "[poll]\njitter = x\njitter = 2\n" } }, false, -EINVAL,
	  { "main.conf:2: [poll] jitter: 'x' is not a number",
	    "main.conf:3: [poll] jitter: duplicate key, first set at line 2" } },
	{ "repeated section, its keys still checked",
	  { { "main.conf", "[poll]\njitter = 1\n[dumps]\n[poll]\nunresponsive_after = 2\n"
			   "jitter = 2\nbackoff_max = 1\n" } },
	  false, -EINVAL,
	  { "main.conf:4: [poll]: section repeated, first at line 1 (expected each section once "
	    "per file)",
	    "main.conf:6: [poll] jitter: duplicate key, first set at line 2",
	    "main.conf:7: [poll] backoff_max: '1' is out of range" } },
	{ "repeated card",
	  { { "main.conf", "[card 5]\njitter = 1\n[card 6]\n[card 5]\nlife_warning = 30\n" } },
	  false, -EINVAL,
	  { "main.conf:2: [card 5] jitter: unknown key",
	    "main.conf:4: [card 5]: section repeated, first at line 1 (expected each card once "
	    "per file)" } },
	{ "several errors, all reported in order, nothing applied",
	  { { "main.conf",
	      "[poll]\nhealth_interval = 5x\njitter = 99\n[bogus]\n[alerts]\nreminder = never\n"
	      "nonsense\n" },
	    { "conf.d", NULL },
	    { "conf.d/10-a.conf", "[dumps]\nmax_per_card = 0\n[simulator]\ncards = 1\n" } },
	  false, -EINVAL,
	  { "main.conf:2: [poll] health_interval: '5x' is not a duration (expected e.g. 30s, 5m, 1h)",
	    "main.conf:3: [poll] jitter: '99' is out of range (expected 0 to 50)",
	    "main.conf:4: [bogus]: unknown section",
	    "main.conf:6: [alerts] reminder: 'never' is not valid (expected once, daily or diminishing)",
	    "main.conf:7: syntax error",
	    "conf.d/10-a.conf:2: [dumps] max_per_card: '0' is out of range (expected 1 to 1000)" } },

	{ "drop-ins in lexical order override main.conf",
	  { { "main.conf", "[poll]\njitter = 1\nunresponsive_after = 7\n" },
	    { "conf.d", NULL },
	    { "conf.d/10-a.conf", "[poll]\njitter = 3\n" },
	    { "conf.d/00-b.conf", "[poll]\njitter = 2\nbackoff_max = 1h\n" },
	    { "conf.d/9-c.conf", "[poll]\njitter = 4\n" },
	    { "conf.d/Z.conf", "[poll]\njitter = 5\n" } },
	  false, 0, { NULL },
	  /* strcmp order: 00-b, 10-a, 9-c, Z. */
	  { U(jitter_pct, 5), U(unresponsive_after, 7), U(backoff_max_s, 3600) } },
	{ "only regular, visible *.conf files are read",
	  { { "conf.d", NULL },
	    { "conf.d/50-a.conf", "[poll]\njitter = 3\n" },
	    { "conf.d/.60-hidden.conf", "[poll]\njitter = 40\n" },
	    { "conf.d/70-x.conf.bak", "[poll]\njitter = 41\n" },
	    { "conf.d/80-x.cfg", "[poll]\njitter = 42\n" },
	    { "conf.d/.conf", "[poll]\njitter = 43\n" },
	    { "conf.d/90-dir.conf", NULL },
	    { "conf.d/70-x.conf~", "garbage\n" } },
	  true, 0, { NULL }, { U(jitter_pct, 3) } },
	{ "the same key in two files is not a duplicate",
	  { { "main.conf", "[paths]\nstate_dir = /a\n[metrics]\nlisten = [::1]:1\n" },
	    { "conf.d", NULL },
	    { "conf.d/a.conf", "[paths]\nstate_dir = /b\n[metrics]\nlisten = off\n" },
	    { "conf.d/b.conf", "[access]\nadmin_group = wheel\n[poll]\n" } },
	  false, 0, { NULL }, { { NULL } }, check_strings_override },
	{ "[card] sections of several files merge",
	  { { "main.conf",
	      "[card 5]\nhealth_interval = 30s\n[poll]\nstats_interval = 2m\n"
	      "[card 18446744073709551615]\n" },
	    { "conf.d", NULL },
	    { "conf.d/a.conf", "[card 5]\nlife_warning = 30\nhealth_interval = 45\n" },
	    { "conf.d/b.conf", "[card 5]\ntemperature_critical = 90\n" } },
	  false, 0, { NULL }, { { NULL } }, check_card_merge },
	{ "errors in a drop-in name the drop-in",
	  { { "main.conf", "[poll]\n" },
	    { "conf.d", NULL },
	    { "conf.d/a.conf", "\n\n[poll]\njitter = 5\n" },
	    { "conf.d/b.conf", "\n[poll]\nhealth_interval = 1s\n" } },
	  false, -EINVAL,
	  { "conf.d/b.conf:3: [poll] health_interval: '1s' is out of range" } },

	{ "cross: temperature warning not below critical (default)",
	  { { "main.conf", "[thresholds]\ntemperature_warning = 85\n" } }, false, -EINVAL,
	  { "main.conf:2: [thresholds] temperature_warning: 85 must be below temperature_critical "
	    "(85, the default)" } },
	{ "cross: temperature critical not above warning (default)",
	  { { "main.conf", "[thresholds]\ntemperature_critical = 60\n" } }, false, -EINVAL,
	  { "main.conf:2: [thresholds] temperature_critical: 60 must be above temperature_warning "
	    "(70, the default)" } },
	{ "cross: both set, the later one is blamed",
	  { { "main.conf", "[thresholds]\ntemperature_critical = 50\n\ntemperature_warning = 60\n" } },
	  false, -EINVAL,
	  { "main.conf:4: [thresholds] temperature_warning: 60 must be below temperature_critical "
	    "(50, set at main.conf:2)" } },
	{ "cross: both moved together is fine",
	  { { "main.conf", "[thresholds]\ntemperature_critical = 100\ntemperature_warning = 90\n" } },
	  false, 0, { NULL },
	  { I(thresholds.temperature_warning_c, 90), I(thresholds.temperature_critical_c, 100) } },
	{ "cross: across files, the later file is blamed",
	  { { "main.conf", "[thresholds]\ntemperature_warning = 80\n" },
	    { "conf.d", NULL },
	    { "conf.d/10-a.conf", "[thresholds]\ntemperature_critical = 75\n" } },
	  false, -EINVAL,
	  { "conf.d/10-a.conf:2: [thresholds] temperature_critical: 75 must be above "
	    "temperature_warning (80, set at main.conf:2)" } },
	{ "cross: a later file can repair an earlier one",
	  { { "main.conf", "[thresholds]\ntemperature_warning = 90\n" },
	    { "conf.d", NULL },
	    { "conf.d/10-a.conf", "[thresholds]\ntemperature_critical = 95\n" } },
	  false, 0, { NULL }, { I(thresholds.temperature_critical_c, 95) } },
	{ "cross: life critical not below warning",
	  { { "main.conf", "[thresholds]\nlife_critical = 20\n" } }, false, -EINVAL,
	  { "main.conf:2: [thresholds] life_critical: 20 must be below life_warning "
	    "(20, the default)" } },
	{ "cross: life warning not above critical",
	  { { "main.conf", "[thresholds]\nlife_warning = 0\n" } }, false, -EINVAL,
	  { "main.conf:2: [thresholds] life_warning: 0 must be above life_critical "
	    "(5, the default)" } },
	{ "cross: dump budget per card over the total",
	  { { "main.conf", "[dumps]\nmax_bytes_per_card = 9G\n" } }, false, -EINVAL,
	  { "main.conf:2: [dumps] max_bytes_per_card: 9G must be at most max_bytes_total "
	    "(8G, the default)" } },
	{ "cross: dump total under the per card budget",
	  { { "main.conf", "[dumps]\nmax_bytes_total = 1536M\n" } }, false, -EINVAL,
	  { "main.conf:2: [dumps] max_bytes_total: 1536M must be at least max_bytes_per_card "
	    "(2G, the default)" } },
	{ "cross: equal dump budgets are fine",
	  { { "main.conf", "[dumps]\nmax_bytes_total = 2G\n" } }, false, 0, { NULL },
	  { U(dump_max_bytes_total, 2 * GIB) } },
	{ "cross: card override against the default",
	  { { "main.conf", "[card 5]\ntemperature_warning = 90\n" } }, false, -EINVAL,
	  { "main.conf:2: [card 5] temperature_warning: 90 must be below temperature_critical "
	    "(85, the default)" } },
	{ "cross: card override against a global setting",
	  { { "main.conf", "[thresholds]\ntemperature_critical = 80\n[card 5]\nlife_critical = 1\n"
			   "temperature_warning = 80\n" } },
	  false, -EINVAL,
	  { "main.conf:5: [card 5] temperature_warning: 80 must be below temperature_critical "
	    "(80, set at main.conf:2)" } },
	{ "cross: a later global setting breaks a card",
	  { { "main.conf", "[card 5]\ntemperature_warning = 78\n[thresholds]\n"
			   "temperature_critical = 75\ntemperature_warning = 60\n" } },
	  false, -EINVAL,
	  { "main.conf:4: [thresholds] temperature_critical: 75 must be above temperature_warning "
	    "of [card 5] (78, set at main.conf:2)" } },
	{ "cross: cards are checked each on its own",
	  { { "main.conf", "[card 1]\nlife_warning = 3\n[card 2]\nlife_critical = 20\n"
			   "[card 3]\nlife_warning = 3\nlife_critical = 2\n" } },
	  false, -EINVAL,
	  { "main.conf:2: [card 1] life_warning: 3 must be above life_critical (5, the default)",
	    "main.conf:4: [card 2] life_critical: 20 must be below life_warning (20, the default)" } },
	{ "cross: a refused value is not also blamed",
	  { { "main.conf", "[thresholds]\ntemperature_warning = hot\ntemperature_critical = 20\n" } },
	  false, -EINVAL,
	  { "main.conf:2: [thresholds] temperature_warning: 'hot' is not a number" } },
	{ "cross: checked alongside other errors",
	  { { "main.conf", "[poll]\njitter = 99\n[thresholds]\nlife_critical = 50\n" } }, false,
	  -EINVAL,
	  { "main.conf:2: [poll] jitter: '99' is out of range",
	    "main.conf:4: [thresholds] life_critical: 50 must be below life_warning" } },

	{ "too many errors", { { "main.conf", many_errors } }, false, -EINVAL,
	  { "main.conf:1: syntax error", "main.conf:2: syntax error" } /* and see below */ },
};

static void run_load_case(const struct load_case *lc)
{
	struct loaded l = { .dir = make_tmpdir() };

	current_case = lc->name;
	make_files(l.dir, lc->files, MAX_FILES);
	load_dir(&l, lc->missing_ok);
	if (l.r != lc->r) {
		for (size_t j = 0; j < l.errors.n; j++)
			print_error("  %s\n", l.errors.v[j].message);
		fail_msg("%s: got %d, expected %d", lc->name, l.r, lc->r);
	}
	if (lc->errors[0] && strcmp(lc->name, "too many errors") == 0) {
		char *last;

		assert_int_equal(l.errors.n, 51);
		for (size_t i = 0; i < 50; i++) {
			char want[64];

			snprintf(want, sizeof(want), "main.conf:%zu: syntax error", i + 1);
			last = strip_dir(l.errors.v[i].message, l.dir);
			assert_true(strncmp(last, want, strlen(want)) == 0);
			free(last);
		}
		last = strip_dir(l.errors.v[50].message, l.dir);
		assert_string_equal(last, "main.conf: 10 more problems not shown");
		free(last);
	} else {
		assert_errors(&l.errors, l.dir, lc->errors, MAX_ERRORS);
	}
	if (l.r == 0) {
		assert_fields(l.c, lc->fields, ELEMENTSOF(lc->fields));
		if (lc->check)
			lc->check(l.c);
	}
	loaded_done(&l);
}

static void test_load_cases(void **state)
{
	memset(many_errors, 0, sizeof(many_errors));
	for (size_t i = 0; i < 60; i++)
		strcat(many_errors, "oops\n");

	for (size_t i = 0; i < ELEMENTSOF(load_cases); i++)
		run_load_case(&load_cases[i]);
}

/* A NUL byte cannot be in the C strings of the table. */
static void test_nul_byte(void **state)
{
	static const char text[] = "[poll]\njitter = 5\0 6\n[dumps]\x00x\nmax_per_card = 0\n[poll]\n"
				   "stats_interval = 1s\n";
	struct loaded l = { .dir = make_tmpdir() };
	char *p = join(l.dir, "main.conf");
	FILE *f = fopen(p, "we");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
	assert_int_equal(fclose(f), 0);
	load_dir(&l, false);
	assert_int_equal(l.r, -EINVAL);
	/* The header with a NUL is dropped whole: its keys land nowhere. */
	assert_errors(&l.errors, l.dir,
		      (const char *const[]){ "main.conf:2: line contains a NUL byte",
					     "main.conf:3: line contains a NUL byte",
					     "main.conf:5: [poll]: section repeated, first at line 1",
					     "main.conf:6: [poll] stats_interval: '1s' is out of range" },
		      4);
	loaded_done(&l);
	free(p);
}

/* At most 198 characters (CONFIG_LINE_MAX), as inih allowed before. */
static void test_line_length(void **state)
{
	for (size_t len = 196; len <= 200; len++) {
		char text[512];
		struct loaded l;

		/* "state_dir = /" and 'a's up to len, after some indentation. */
		snprintf(text, sizeof(text), "[paths]\n\t  state_dir = /%.*s\n", (int)(len - 13),
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
		load_text(&l, text);
		if (len <= 198) {
			assert_int_equal(l.r, 0);
			assert_int_equal(strlen(l.c->state_dir), len - 12);
		} else {
			assert_int_equal(l.r, -EINVAL);
			assert_errors(&l.errors, l.dir,
				      (const char *const[]){
					      "main.conf:2: line too long (at most 198 characters)" },
				      1);
		}
		loaded_done(&l);
	}
}

/* Symlinks to drop-ins are followed; dangling ones and FIFOs are skipped. */
static void test_dropin_links(void **state)
{
	struct loaded l = { .dir = make_tmpdir() };
	char *d = join(l.dir, "conf.d"), *target = join(l.dir, "elsewhere.txt");
	char *link, *dangling, *fifo;

	assert_int_equal(mkdir(d, 0755), 0);
	write_file(target, "[poll]\njitter = 17\n");
	link = join(d, "10-link.conf");
	dangling = join(d, "20-dangling.conf");
	fifo = join(d, "30-fifo.conf");
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(symlink("/nonexistent/x.conf", dangling), 0);
	assert_int_equal(mkfifo(fifo, 0644), 0);

	load_dir(&l, true);
	assert_int_equal(l.r, 0);
	assert_int_equal(l.c->jitter_pct, 17);
	config_free(l.c);
	config_errors_clear(&l.errors);

	/* A drop-in that cannot be opened is an error, the others still count. */
	free(link);
	link = join(d, "40-loop.conf");
	assert_int_equal(symlink("40-loop.conf", link), 0);
	load_dir(&l, true);
	assert_int_equal(l.r, -ELOOP);
	assert_errors(&l.errors, l.dir,
		      (const char *const[]){
			      "conf.d/40-loop.conf: cannot open: Too many levels of symbolic links" },
		      1);
	loaded_done(&l);
	free(d);
	free(target);
	free(link);
	free(dangling);
	free(fifo);
}

/* The errors argument is optional; existing messages are kept (appended to). */
static void test_errors_argument(void **state)
{
	struct loaded l = { .dir = make_tmpdir() };
	struct config_errors errors = { 0 };
	struct config *c = SENTINEL;
	char *p = join(l.dir, "main.conf");

	write_file(p, "[poll]\njitter = 99\n");
	assert_int_equal(config_load(p, false, NULL, &c, NULL), -EINVAL);
	assert_ptr_equal(c, SENTINEL);
	assert_int_equal(config_load(p, false, NULL, &c, &errors), -EINVAL);
	assert_int_equal(config_load(p, false, NULL, &c, &errors), -EINVAL);
	assert_int_equal(errors.n, 2);
	config_errors_clear(&errors);

	/* No path and no drop-ins: the defaults. */
	assert_int_equal(config_load(NULL, false, NULL, &c, &errors), 0);
	assert_defaults(c);
	config_free(c);
	c = NULL;
	assert_int_equal(config_load(NULL, false, "", &c, &errors), 0);
	config_free(c);

	l.c = SENTINEL;
	loaded_done(&l);
	free(p);
}

/* ---- many [card] sections ---- */

/*
 * n sections [card 1] ... [card n] in main.conf, every one again in a
 * drop-in (a later file: its values win, no error), in an order other than
 * main.conf's.  Returns the serial comparisons the load made.
 */
static unsigned long load_many_cards(size_t n, double *ret_cpu_s)
{
	char *dir = make_tmpdir(), *main_conf = join(dir, "main.conf");
	char *dropins = join(dir, "conf.d"), *dropin;
	struct config_errors errors = { 0 };
	struct config *c = NULL;
	struct timespec t0, t1;
	unsigned long before;
	struct thresholds th;
	struct intervals iv;
	FILE *f;

	f = fopen(main_conf, "we");
	assert_non_null(f);
	for (size_t i = 1; i <= n; i++)
		fprintf(f, "[card %zu]\nhealth_interval = 30s\nlife_warning = 40\n", i);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(mkdir(dropins, 0755), 0);
	dropin = join(dropins, "10-again.conf");
	f = fopen(dropin, "we");
	assert_non_null(f);
	for (size_t i = n; i >= 1; i--)
		fprintf(f, "[card %zu]\nhealth_interval = %zus\n", i, 100 + i % 7);
	assert_int_equal(fclose(f), 0);

	before = config_card_probes;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	assert_int_equal(config_load(main_conf, false, dropins, &c, &errors), 0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	*ret_cpu_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	before = config_card_probes - before;

	assert_int_equal(errors.n, 0);
	assert_int_equal(c->ncards, n);
	for (size_t i = 1; i <= n; i += n / 10) {
		assert_int_equal(c->cards[i - 1].serial, i); /* first appearance's order */
		config_for_card(c, i, &iv, &th);
		assert_int_equal(iv.health_s, 100 + i % 7);
		assert_int_equal(th.life_warning_pct, 40);
	}
	config_free(c);
	rm_rf(dir);
	free(dropin);
	free(dropins);
	free(main_conf);
	free(dir);
	return before;
}

/*
 * Loading is linear in the sections: finding a serial among those seen
 * must not scan them (300000 sections took minutes).  The comparisons are
 * counted, so this cannot pass or fail by the machine's load; the CPU
 * time, best of three, must grow about tenfold too, not a hundredfold.
 */
static void test_many_cards(void **state)
{
	unsigned long small, big;
	double t_small = 1e9, t_big = 1e9, t;

	small = load_many_cards(10000, &t);
	big = load_many_cards(100000, &t);
	print_message("serial comparisons: %lu for 10000 sections, %lu for 100000\n", small, big);
	/* Each of the 2n headers finds or places its serial in a few probes. */
	assert_true(small <= 4 * 2 * 10000);
	assert_true(big <= 4 * 2 * 100000);
	assert_true(big < 20 * small);

	for (int i = 0; i < 3; i++) {
		load_many_cards(10000, &t);
		t_small = t < t_small ? t : t_small;
		load_many_cards(100000, &t);
		t_big = t < t_big ? t : t_big;
	}
	print_message("CPU time: %.3f s for 10000 sections, %.3f s for 100000\n", t_small, t_big);
	assert_true(t_big < 30 * t_small);
}

/* ---- the shipped example ---- */

static char *example_path(void)
{
	const char *top = getenv("top_srcdir");
	char *p;

	if (top && *top)
		assert_true(asprintf(&p, "%s/config/ocxlpmemd.conf", top) > 0);
	else if (access("config/ocxlpmemd.conf", R_OK) == 0)
		p = strdup("config/ocxlpmemd.conf");
	else
		p = strdup("../config/ocxlpmemd.conf");
	assert_non_null(p);
	return p;
}

static void test_example_loads(void **state)
{
	struct config_errors errors = { 0 };
	struct config *c = NULL, *defaults = NULL;
	char *p = example_path();
	int r;

	r = config_load(p, false, NULL, &c, &errors);
	for (size_t i = 0; i < errors.n; i++)
		print_error("%s\n", errors.v[i].message);
	assert_int_equal(r, 0);
	assert_int_equal(config_new_default(&defaults), 0);
	assert_config_equal(c, defaults);
	config_free(c);
	config_free(defaults);
	free(p);
}

/*
 * Uncommenting every "#key = value" line of the example must change
 * nothing: the example shows the true defaults, and every key is in it.
 * "# key = value" (with a space) marks an example without a default.
 */
static void test_example_defaults(void **state)
{
	static const char *const all_keys[] = {
		"health_interval", "stats_interval", "firmware_interval", "jitter", "backoff_max",
		"unresponsive_after", "temperature_warning", "temperature_critical",
		"life_warning", "life_critical", "error_log_window", "reminder", "state_dir",
		"runtime_dir", "listen", "request_timeout", "admin_group", "max_per_card", "max_bytes_per_card",
		"max_bytes_total", "retry_interval", "cards", "serial_base", "dump_size", "realistic_latency",
		"transport", "enable",
	};
	bool seen[ELEMENTSOF(all_keys)] = { false };
	struct config_errors errors = { 0 };
	struct config *c = NULL, *defaults = NULL;
	char *p = example_path(), *dir = make_tmpdir(), *out_path = join(dir, "main.conf");
	char *line = NULL;
	size_t size = 0;
	unsigned int uncommented = 0;
	FILE *in, *out;
	int r;

	in = fopen(p, "re");
	assert_non_null(in);
	out = fopen(out_path, "we");
	assert_non_null(out);
	while (getline(&line, &size, in) > 0) {
		const char *key = line[0] == '#' ? line + 1 + (line[1] == ' ') : NULL;

		for (size_t i = 0; key && i < ELEMENTSOF(all_keys); i++) {
			size_t n = strlen(all_keys[i]);

			if (strncmp(key, all_keys[i], n) == 0 && strncmp(key + n, " = ", 3) == 0)
				seen[i] = true;
		}
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' && strstr(line, " = ")) {
			fputs(line + 1, out);
			uncommented++;
		} else {
			fputs(line, out);
		}
	}
	free(line);
	fclose(in);
	assert_int_equal(fclose(out), 0);

	for (size_t i = 0; i < ELEMENTSOF(all_keys); i++)
		if (!seen[i])
			fail_msg("the example does not show %s", all_keys[i]);
	/* All but state_dir, runtime_dir and admin_group have a default to show. */
	assert_int_equal(uncommented, ELEMENTSOF(all_keys) - 3);

	r = config_load(out_path, false, NULL, &c, &errors);
	for (size_t i = 0; i < errors.n; i++)
		print_error("%s\n", errors.v[i].message);
	assert_int_equal(r, 0);
	assert_int_equal(config_new_default(&defaults), 0);
	assert_config_equal(c, defaults);

	config_free(c);
	config_free(defaults);
	rm_rf(dir);
	free(dir);
	free(out_path);
	free(p);
}

/* ---- the one listen-address parser ---- */

static void test_listen_parse(void **state)
{
	static const struct {
		const char *text;
		int r;
		bool off;
		const char *host;
		uint16_t port;
	} cases[] = {
		{ "off", 0, true, "", 0 },
		{ "127.0.0.1:9580", 0, false, "127.0.0.1", 9580 },
		{ "0.0.0.0:1", 0, false, "0.0.0.0", 1 },
		{ "[::1]:65535", 0, false, "::1", 65535 },
		{ "[2001:db8::7]:80", 0, false, "2001:db8::7", 80 },
		/* The loopback address itself, never a name lookup. */
		{ "localhost:9580", 0, false, "127.0.0.1", 9580 },
		{ "127.0.0.1:0080", 0, false, "127.0.0.1", 80 },
		{ "OFF", -EINVAL },
		{ "127.0.0.1", -EINVAL },
		{ "127.0.0.1:", -EINVAL },
		{ "127.0.0.1:0", -EINVAL },
		{ "127.0.0.1:65536", -EINVAL },
		{ "127.0.0.1:+80", -EINVAL },
		{ "127.0.0.1: 80", -EINVAL },
		{ "127.0.0.1:80x", -EINVAL },
		{ ":9580", -EINVAL },
		{ "example.com:80", -EINVAL },
		{ "::1:9580", -EINVAL },
		{ "[::1]9580", -EINVAL },
		{ "[]:9580", -EINVAL },
		{ "[127.0.0.1]:9580", -EINVAL },
		{ "[::1:9580", -EINVAL },
		{ "LOCALHOST:9580", -EINVAL },
		{ "", -EINVAL },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct listen_address a = { .host = "untouched", .port = 7 };
		int r = config_listen_parse(cases[i].text, &a);

		if (r != cases[i].r)
			fail_msg("'%s': got %d, expected %d", cases[i].text, r, cases[i].r);
		assert_int_equal(config_listen_valid(cases[i].text), r == 0);
		if (r < 0) {
			assert_string_equal(a.host, "untouched");
			assert_int_equal(a.port, 7);
			continue;
		}
		assert_int_equal(a.off, cases[i].off);
		assert_string_equal(a.host, cases[i].host);
		assert_int_equal(a.port, cases[i].port);
	}
}

/* ---- config_load_logged(), for the start and for reloads ---- */

/* Run config_load_logged() with stderr in a file; the log's lines in *ret_log. */
static int load_logged(const char *path, bool missing_ok, struct config **ret,
		       size_t *ret_found, char **ret_log)
{
	FILE *log = tmpfile();
	int saved = dup(STDERR_FILENO), r;
	long size;

	assert_non_null(log);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(log), STDERR_FILENO) >= 0);
	r = config_load_logged(path, missing_ok, ret, ret_found);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);

	size = ftell(log);
	assert_true(size >= 0);
	*ret_log = calloc(1, (size_t)size + 1);
	assert_non_null(*ret_log);
	rewind(log);
	assert_int_equal(fread(*ret_log, 1, (size_t)size, log), (size_t)size);
	fclose(log);
	return r;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_load_logged(void **state)
{
	struct loaded l = { .dir = make_tmpdir() };
	char *p = join(l.dir, "main.conf"), *d = join(l.dir, "main.conf.d");
	char *dropin = join(d, "10-a.conf"), *text = NULL, *log;
	struct config *c = SENTINEL;
	size_t found = 0, len = 0;
	FILE *f;

	log_open(LOG_TARGET_STDERR);

	/* Its drop-ins are FILE.d/\*.conf. */
	write_file(p, "[poll]\njitter = 5\n");
	assert_int_equal(mkdir(d, 0755), 0);
	write_file(dropin, "[poll]\njitter = 6\n");
	assert_int_equal(load_logged(p, false, &c, &found, &log), 0);
	assert_int_equal(c->jitter_pct, 6);
	assert_int_equal(found, 0);
	assert_string_equal(log, "");
	free(log);
	config_free(c);
	c = SENTINEL;

	/*
	 * 60 problems: 50 are logged and one line counts the rest, but the
	 * count is of every problem, as "configuration not reloaded: N
	 * problems" says.
	 */
	f = open_memstream(&text, &len);
	assert_non_null(f);
	fputs("[poll]\n", f);
	for (int i = 0; i < 60; i++)
		fputs("nonsense\n", f);
	assert_int_equal(fclose(f), 0);
	write_file(p, text);
	assert_int_equal(load_logged(p, false, &c, &found, &log), -EINVAL);
	assert_ptr_equal(c, SENTINEL);
	assert_int_equal(found, 60);
	assert_int_equal(count_lines(log), 51);
	assert_non_null(strstr(log, "main.conf:2: syntax error"));
	assert_non_null(strstr(log, ": 10 more problems not shown"));
	free(log);

	/* A file that cannot be read is one problem, logged once. */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(unlink(dropin), 0);
	assert_int_equal(load_logged(p, false, &c, &found, &log), -ENOENT);
	assert_int_equal(found, 1);
	assert_int_equal(count_lines(log), 1);
	assert_non_null(strstr(log, "main.conf: cannot open: No such file or directory"));
	free(log);
	/* Unless it may be missing; *ret_found is optional. */
	assert_int_equal(load_logged(p, true, &c, NULL, &log), 0);
	assert_string_equal(log, "");
	free(log);
	assert_defaults(c);
	config_free(c);

	free(text);
	free(dropin);
	free(d);
	l.c = SENTINEL;
	loaded_done(&l);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_card_values),
		cmocka_unit_test(test_load_cases),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_dropin_links),
		cmocka_unit_test(test_errors_argument),
		cmocka_unit_test(test_many_cards),
		cmocka_unit_test(test_example_loads),
		cmocka_unit_test(test_example_defaults),
		cmocka_unit_test(test_listen_parse),
		cmocka_unit_test(test_load_logged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
