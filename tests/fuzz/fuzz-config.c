// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the configuration loader.  The input is main.conf; a line "----"
 * splits off the rest as a drop-in, so merging across files is fuzzed too.
 * Whatever the input, config_load() must either succeed with a
 * configuration that keeps every documented invariant, or fail with at
 * least one printable message and leave *ret alone; never crash or leak.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "fuzz.h"

/*
 * Both files are memfds, so an execution touches no disk: main.conf is
 * opened as /proc/self/fd/N, and the drop-in directory, made once, holds a
 * symlink to the other memfd.
 */
static int main_fd = -1, dropin_fd = -1;
static char *dir, *dropin_dir, *dropin_link, main_path[64];

static void cleanup(void)
{
	unlink(dropin_link);
	rmdir(dropin_dir);
	rmdir(dir);
	free(dropin_link);
	free(dropin_dir);
	free(dir);
	close(main_fd);
	close(dropin_fd);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char target[64];

	main_fd = memfd_create("main.conf", MFD_CLOEXEC);
	dropin_fd = memfd_create("50-fuzz.conf", MFD_CLOEXEC);
	FUZZ_CHECK(main_fd >= 0 && dropin_fd >= 0);
	snprintf(main_path, sizeof(main_path), "/proc/self/fd/%d", main_fd);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", dropin_fd);

	FUZZ_CHECK(asprintf(&dir, "%s/fuzz-config-XXXXXX", tmp && *tmp ? tmp : "/tmp") > 0);
	FUZZ_CHECK(mkdtemp(dir));
	FUZZ_CHECK(asprintf(&dropin_dir, "%s/conf.d", dir) > 0);
	FUZZ_CHECK(asprintf(&dropin_link, "%s/50-fuzz.conf", dropin_dir) > 0);
	FUZZ_CHECK(mkdir(dropin_dir, 0700) == 0);
	FUZZ_CHECK(symlink(target, dropin_link) == 0);
	atexit(cleanup);
}

static void set_content(int fd, const uint8_t *data, size_t size)
{
	off_t off = 0;

	FUZZ_CHECK(ftruncate(fd, 0) == 0);
	while (size) {
		ssize_t n = pwrite(fd, data, size, off);

		FUZZ_CHECK(n > 0);
		data += n;
		off += n;
		size -= (size_t)n;
	}
}

static void check_thresholds(const struct thresholds *t)
{
	FUZZ_CHECK(t->temperature_warning_c < t->temperature_critical_c);
	FUZZ_CHECK(t->temperature_warning_c >= -40 && t->temperature_critical_c <= 150);
	FUZZ_CHECK(t->life_critical_pct < t->life_warning_pct && t->life_warning_pct <= 100);
	FUZZ_CHECK(t->error_log_window_s >= 60);
}

static void check_intervals(const struct intervals *iv)
{
	FUZZ_CHECK(iv->health_s == 0 || (iv->health_s >= 5 && iv->health_s <= 604800));
	FUZZ_CHECK(iv->stats_s == 0 || (iv->stats_s >= 5 && iv->stats_s <= 604800));
	FUZZ_CHECK(iv->firmware_s == 0 || (iv->firmware_s >= 5 && iv->firmware_s <= 604800));
}

static void check_config(const struct config *c)
{
	struct intervals iv;
	struct thresholds th;

	check_intervals(&c->intervals);
	check_thresholds(&c->thresholds);
	FUZZ_CHECK(c->jitter_pct <= 50);
	FUZZ_CHECK(c->unresponsive_after >= 1 && c->unresponsive_after <= 100);
	FUZZ_CHECK(c->reminder <= REMINDER_DIMINISHING);
	FUZZ_CHECK(!c->state_dir || c->state_dir[0] == '/');
	FUZZ_CHECK(!c->runtime_dir || c->runtime_dir[0] == '/');
	FUZZ_CHECK(c->metrics_listen);
	FUZZ_CHECK(c->dump_max_bytes_per_card <= c->dump_max_bytes_total);
	FUZZ_CHECK(c->sim_cards <= SIM_CARDS_MAX);
	FUZZ_CHECK(c->sim_dump_size >= 8 && c->sim_dump_size % 8 == 0);
	for (size_t i = 0; i < c->ncards; i++) {
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(c->cards[i].serial != c->cards[j].serial);
		FUZZ_CHECK((c->cards[i].set_mask & ~0xffu) == 0);
		config_for_card(c, c->cards[i].serial, &iv, &th);
		check_intervals(&iv);
		check_thresholds(&th);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char split[] = "\n----\n";
	struct config_errors errors = { 0 };
	struct config *c, *const sentinel = (struct config *)(uintptr_t)0x5a5a;
	const uint8_t *rest = NULL;
	char text[64];
	uint64_t bytes;
	unsigned int secs;
	int r;

	if (!dir)
		setup();

	for (size_t i = 0; i + sizeof(split) - 1 <= size; i++) {
		if (memcmp(data + i, split, sizeof(split) - 1) == 0) {
			rest = data + i + sizeof(split) - 1;
			break;
		}
	}
	if (rest) {
		set_content(main_fd, data, (size_t)(rest - data) - (sizeof(split) - 2));
		set_content(dropin_fd, rest, size - (size_t)(rest - data));
	} else {
		set_content(main_fd, data, size);
	}

	c = sentinel;
	r = config_load(main_path, false, rest ? dropin_dir : NULL, &c, &errors);
	if (r == 0) {
		FUZZ_CHECK(c != sentinel && errors.n == 0);
		check_config(c);
		config_free(c);
	} else {
		FUZZ_CHECK(c == sentinel);
		FUZZ_CHECK(r != -EINVAL || errors.n > 0);
		for (size_t i = 0; i < errors.n; i++) {
			FUZZ_CHECK(errors.v[i].message && errors.v[i].message[0]);
			for (const char *p = errors.v[i].message; *p; p++)
				FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
		}
	}
	config_errors_clear(&errors);

	/* The value parsers on their own, on the input's first bytes. */
	memcpy(text, data, size < sizeof(text) - 1 ? size : sizeof(text) - 1);
	text[size < sizeof(text) - 1 ? size : sizeof(text) - 1] = '\0';
	secs = 7;
	if (config_parse_duration(text, &secs) < 0)
		FUZZ_CHECK(secs == 7);
	bytes = 7;
	if (config_parse_size(text, &bytes) < 0)
		FUZZ_CHECK(bytes == 7);
	return 0;
}
