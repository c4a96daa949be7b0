// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocxlpmemctl support-bundle: one .tar.gz with the daemon's view of every
 * card, for a bug report.  Contents (also in ocxlpmemctl(8)):
 *   manifest.json          what is in it, and what could not be collected
 *   version.json           GetVersion
 *   cards.json             ListCards
 *   cards/NAME.json        GetCard: identity, health, SMART, stats, firmware, alerts
 *   error-log/NAME.json    GetErrorLog: the card's error-log history
 *   dumps.json             ListDumps
 *   journal.json           the daemon's journal messages (alert history), when readable
 *   dumps/SERIAL/FILE      with --with-dumps: the saved dumps themselves
 * The archive is written to a temporary (output-file.c) and renamed: never
 * a half archive, never through a planted symlink, readable by its owner.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "ctl.h"
#include "output-file.h"

struct bundle {
	struct archive *a;
	char top[64];               /* directory inside the archive */
	time_t now;
	struct json_object *missing; /* what could not be collected, and why */
	int error;                   /* first archive error: the bundle fails */
};

static int add_bytes(struct bundle *b, const char *name, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", b->top, name);
	archive_entry_set_pathname(e, path);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, b->now, 0);
	if (archive_write_header(b->a, e) != ARCHIVE_OK ||
	    (len && archive_write_data(b->a, data, len) != (la_ssize_t)len)) {
		fprintf(stderr, "ocxlpmemctl: support-bundle: %s: %s\n", name,
			archive_error_string(b->a));
		b->error = EXIT_FAILED;
	}
	archive_entry_free(e);
	return b->error;
}

static void add_json(struct bundle *b, const char *name, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE);

	add_bytes(b, name, s, strlen(s));
}

static void note_missing(struct bundle *b, const char *what, const char *why)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "what", json_object_new_string(what));
	json_object_object_add(o, "why", json_object_new_string(why));
	json_object_array_add(b->missing, o);
	fprintf(stderr, "ocxlpmemctl: support-bundle: without %s: %s\n", what, why);
}

/* One method's reply parameters as a file; false when the call failed. */
static bool add_call(struct bundle *b, const char *name, const char *method,
		     struct json_object *params, struct json_object **ret_reply)
{
	struct json_object *reply, *p;

	if (call(method, params, &reply, &p) != EXIT_OK) {
		note_missing(b, name, "the daemon did not answer it (see the message above)");
		return false;
	}
	add_json(b, name, p);
	if (ret_reply)
		*ret_reply = reply;
	else
		json_object_put(reply);
	return true;
}

/* The daemon's journal: its alerts with their fields, newest 20000. */
static void add_journal(struct bundle *b)
{
	FILE *f = popen("journalctl --no-pager -q -o json -n 20000 SYSLOG_IDENTIFIER=ocxlpmemd "
			"2>/dev/null", "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int st;

	if (!f) {
		note_missing(b, "journal.json", "cannot run journalctl");
		return;
	}
	for (;;) {
		size_t n;

		if (cap - len < 65536) {
			char *nb = realloc(buf, cap + (1 << 20));

			if (!nb)
				break;
			buf = nb;
			cap += 1 << 20;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	st = pclose(f);
	if (len == 0)
		note_missing(b, "journal.json", st != 0 ? "journalctl failed or is not installed" :
				 "no journal entries of ocxlpmemd are readable by this user");
	else
		add_bytes(b, "journal.json", buf, len);
	free(buf);
}

static void add_dump_file(struct bundle *b, struct json_object *d)
{
	const char *path = str_of(d, "path", NULL), *file = str_of(d, "file", "?");
	struct archive_entry *e;
	char name[512], *buf;
	struct stat st;
	int fd;

	snprintf(name, sizeof(name), "dumps/%s/%s", str_of(d, "serial", "?"), file);
	fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0 || fstat(fd, &st) < 0) {
		note_missing(b, name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	buf = malloc(1 << 20);
	e = archive_entry_new();
	snprintf(name, sizeof(name), "%s/dumps/%s/%s", b->top, str_of(d, "serial", "?"), file);
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, st.st_size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, st.st_mtime, 0);
	if (!buf || archive_write_header(b->a, e) != ARCHIVE_OK) {
		b->error = EXIT_FAILED;
	} else {
		/* The size is in the tar header already: exactly that many bytes. */
		off_t left = st.st_size;

		while (left > 0 && !b->error) {
			ssize_t n = read(fd, buf, left < (1 << 20) ? (size_t)left : (1 << 20));

			if (n <= 0 || archive_write_data(b->a, buf, (size_t)n) != n) {
				fprintf(stderr, "ocxlpmemctl: support-bundle: %s: %s\n", path,
					n < 0 ? strerror(errno) : n == 0 ? "the file shrank" :
					archive_error_string(b->a));
				b->error = EXIT_FAILED;
			}
			left -= n > 0 ? n : 0;
		}
	}
	archive_entry_free(e);
	free(buf);
	close(fd);
}

int cmd_support_bundle(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "with-dumps", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *manifest, *cards_reply = NULL, *dumps_reply = NULL, *v;
	struct bundle b = { 0 };
	struct output_file of = { .fd = -1, .dirfd = -1 };
	char deflt[96], stamp[32];
	const char *file;
	bool with_dumps = false;
	struct tm tm;
	int c, r;

	optind = 0; /* full reset: main() scanned with "+" */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'd')
			return EXIT_USAGE;
		with_dumps = true;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "ocxlpmemctl: support-bundle takes at most one file name\n");
		return EXIT_USAGE;
	}
	b.now = time(NULL);
	gmtime_r(&b.now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(b.top, sizeof(b.top), "ocxlpmem-support-%s", stamp);
	snprintf(deflt, sizeof(deflt), "%s.tar.gz", b.top);
	file = argc - optind == 1 ? argv[optind] : deflt;

	r = output_file_open(&of, file);
	if (r == -ENAMETOOLONG) {
		fprintf(stderr, "ocxlpmemctl: support-bundle: %s: the name is too long for the "
			"file system (with the %zu bytes of its temporary's suffix %s)\n", file,
			strlen(OUTPUT_FILE_TMP_SUFFIX), OUTPUT_FILE_TMP_SUFFIX);
		return EXIT_USAGE;
	}
	if (r < 0) {
		fprintf(stderr, "ocxlpmemctl: support-bundle: cannot write %s: %s\n", file,
			strerror(-r));
		return EXIT_FAILED;
	}
	b.a = archive_write_new();
	b.missing = json_object_new_array();
	if (!b.a || archive_write_add_filter_gzip(b.a) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(b.a) != ARCHIVE_OK ||
	    archive_write_open_fd(b.a, of.fd) != ARCHIVE_OK) {
		fprintf(stderr, "ocxlpmemctl: support-bundle: cannot write %s: %s\n", file,
			b.a ? archive_error_string(b.a) : "out of memory");
		r = EXIT_FAILED;
		goto out;
	}

	/* The daemon must answer the first call: a bundle without it says nothing. */
	if (!add_call(&b, "version.json", IFACE ".GetVersion", NULL, NULL)) {
		r = EXIT_UNREACHABLE;
		goto out;
	}
	if (add_call(&b, "cards.json", IFACE ".ListCards", NULL, &cards_reply) &&
	    json_object_object_get_ex(json_object_object_get(cards_reply, "parameters"), "cards", &v))
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			const char *name = str_of(json_object_array_get_idx(v, i), "name", NULL);
			struct json_object *params;
			char fname[96];

			if (!name)
				continue;
			params = json_object_new_object();
			json_object_object_add(params, "card", json_object_new_string(name));
			snprintf(fname, sizeof(fname), "cards/%s.json", name);
			add_call(&b, fname, IFACE ".GetCard", params, NULL);
			params = json_object_new_object();
			json_object_object_add(params, "card", json_object_new_string(name));
			snprintf(fname, sizeof(fname), "error-log/%s.json", name);
			add_call(&b, fname, IFACE ".GetErrorLog", params, NULL);
		}
	if (add_call(&b, "dumps.json", IFACE ".ListDumps", NULL, &dumps_reply) && with_dumps &&
	    json_object_object_get_ex(json_object_object_get(dumps_reply, "parameters"), "dumps", &v))
		for (size_t i = 0; i < json_object_array_length(v) && !b.error; i++)
			add_dump_file(&b, json_object_array_get_idx(v, i));
	add_journal(&b);

	manifest = json_object_new_object();
	json_object_object_add(manifest, "schema", json_object_new_string("ocxlpmemctl.support-bundle/1"));
	json_object_object_add(manifest, "created_usec", json_object_new_int64((int64_t)b.now * 1000000));
	json_object_object_add(manifest, "with_dumps", json_object_new_boolean(with_dumps));
	json_object_object_add(manifest, "missing", json_object_get(b.missing));
	add_json(&b, "manifest.json", manifest);
	json_object_put(manifest);
	r = b.error;
out:
	json_object_put(cards_reply);
	json_object_put(dumps_reply);
	json_object_put(b.missing);
	if (b.a) {
		if (archive_write_close(b.a) != ARCHIVE_OK && !r) {
			fprintf(stderr, "ocxlpmemctl: support-bundle: %s: %s\n", file,
				archive_error_string(b.a));
			r = EXIT_FAILED;
		}
		archive_write_free(b.a);
	}
	if (r) {
		output_file_abort(&of);
		return r;
	}
	r = output_file_commit(&of);
	if (r < 0) {
		fprintf(stderr, "ocxlpmemctl: support-bundle: cannot write %s: %s\n", file,
			strerror(-r));
		return EXIT_FAILED;
	}
	if (opt_json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "file", json_object_new_string(file));
		json_object_object_add(o, "with_dumps", json_object_new_boolean(with_dumps));
		print_json("support-bundle", o);
		json_object_put(o);
	} else {
		printf("wrote %s\n", file);
	}
	return EXIT_OK;
}
