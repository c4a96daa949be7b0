// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocxlpmemctl firmware-update and firmware-cancel.
 *
 * The client reads the image itself and streams it to the daemon in
 * chunks over the one connection (BeginFirmwareUpdate, UploadFirmware...,
 * CommitFirmwareUpdate): the daemon runs sandboxed and need not see the
 * client's files, and Varlink messages are limited to 64 KiB.  Then it
 * follows the job (GetFirmwareUpdate with "more") with a progress bar on
 * a terminal, or a line per tenth otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/base64.h>

#include "shared/cleanup.h"
#include "ctl.h"
#include "progress.h"
#include "varlink-client.h"

/* Larger than any card takes: the daemon says so, with the card's limit. */
#define READ_MAX (256u * 1024u * 1024u)
/* One chunk: the daemon's chunk_size unless it names a smaller one. */
#define CHUNK_MAX (32u * 1024u)

/* Errors of the firmware methods, in words; others as report_error(). */
static int firmware_error(struct json_object *reply, const char *card, const char *file)
{
	const char *err = str_of(reply, "error", "");
	struct json_object *p = NULL;
	const char *reason;

	json_object_object_get_ex(reply, "parameters", &p);
	reason = str_of(p, "reason", "no reason given");
	if (!strcmp(err, IFACE ".FirmwareUpdateBusy"))
		fprintf(stderr, "ocxlpmemctl: %s is busy: %s\n", card, reason);
	else if (!strcmp(err, IFACE ".FirmwareUpdateRefused"))
		fprintf(stderr, "ocxlpmemctl: %s: firmware update refused: %s\n", card, reason);
	else if (!strcmp(err, IFACE ".InvalidFirmwareImage"))
		fprintf(stderr, "ocxlpmemctl: %s: invalid firmware image: %s\n", file, reason);
	else if (!strcmp(err, IFACE ".InvalidUploadChunk"))
		fprintf(stderr, "ocxlpmemctl: %s: upload refused: %s\n", file, reason);
	else if (!strcmp(err, IFACE ".NoSuchUpload"))
		fprintf(stderr, "ocxlpmemctl: %s: the daemon dropped the upload (cancelled, or idle "
				"for 60 s)\n", card);
	else if (!strcmp(err, IFACE ".NoFirmwareUpdate"))
		fprintf(stderr, "ocxlpmemctl: %s: no firmware update or upload to cancel\n", card);
	else
		return report_error(reply, "firmware-update");
	return EXIT_FAILED;
}

/* One call on an open connection; as call() in ctl.h. */
static int vcall(struct vclient *c, const char *method, struct json_object *params,
		 const char *card, const char *file, struct json_object **ret_reply,
		 struct json_object **ret_params)
{
	bool continues;
	int r;

	r = vclient_call(c, method, params, false);
	if (r == 0)
		r = vclient_read(c, 30000, ret_reply, &continues);
	if (r < 0) {
		fprintf(stderr, "ocxlpmemctl: %s: %s\n", method + strlen(IFACE) + 1, strerror(-r));
		return EXIT_UNREACHABLE;
	}
	if (json_object_object_get_ex(*ret_reply, "error", NULL)) {
		r = firmware_error(*ret_reply, card, file);
		json_object_put(*ret_reply);
		return r;
	}
	if (!json_object_object_get_ex(*ret_reply, "parameters", ret_params) ||
	    !json_object_is_type(*ret_params, json_type_object)) {
		*ret_params = json_object_new_object();
		json_object_object_add(*ret_reply, "parameters", *ret_params);
	}
	return EXIT_OK;
}

static int read_image(const char *file, uint8_t **ret, size_t *ret_len)
{
	size_t len = 0, cap = 1 << 20;
	_cleanup_free_ uint8_t *buf = malloc(cap);
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	uint8_t *nb;
	ssize_t n;

	if (fd < 0 || !buf) {
		fprintf(stderr, "ocxlpmemctl: %s: %s\n", file, strerror(fd < 0 ? errno : ENOMEM));
		return EXIT_FAILED;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= READ_MAX) {
				fprintf(stderr, "ocxlpmemctl: %s: larger than %u MiB: not a firmware "
						"image for this card\n", file, READ_MAX >> 20);
				return EXIT_FAILED;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				fprintf(stderr, "ocxlpmemctl: %s: out of memory\n", file);
				return EXIT_FAILED;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "ocxlpmemctl: %s: %s\n", file, strerror(errno));
			return EXIT_FAILED;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return EXIT_OK;
}

static char *base64(const uint8_t *in, size_t len)
{
	char *out = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);

	if (!out)
		return NULL;
	base64_encode_raw(out, len, in);
	out[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
	return out;
}

/* Follow the update to its end.  Exit 0 when it succeeded. */
static int follow(struct vclient *c, const char *card)
{
	struct progress_view v;
	struct json_object *params = json_object_new_object(), *reply, *p, *u = NULL;
	bool continues = true;
	int r;

	progress_init(&v);
	json_object_object_add(params, "card", json_object_new_string(card));
	r = vclient_call(c, IFACE ".GetFirmwareUpdate", params, true);
	while (r == 0 && continues) {
		r = vclient_read(c, -1, &reply, &continues);
		if (r < 0)
			break;
		if (json_object_object_get_ex(reply, "error", NULL)) {
			r = firmware_error(reply, card, "");
			json_object_put(reply);
			return r;
		}
		json_object_object_get_ex(reply, "parameters", &p);
		if (!json_object_object_get_ex(p, "update", &u) || !u) {
			json_object_put(reply);
			fprintf(stderr, "ocxlpmemctl: %s: the daemon knows of no firmware update\n",
				card);
			return EXIT_FAILED;
		}
		if (!strcmp(str_of(u, "state", "?"), "running")) {
			progress_show(&v, card, "firmware update", u);
			json_object_put(reply);
			continue;
		}
		progress_done(&v);
		r = strcmp(str_of(u, "state", "?"), "succeeded") ? EXIT_FAILED : EXIT_OK;
		if (opt_json) {
			struct json_object *body = json_object_new_object();

			json_object_object_add(body, "card", json_object_new_string(card));
			json_object_object_add(body, "dry_run", json_object_new_boolean(false));
			json_object_object_add(body, "update", json_object_get(u));
			print_json("firmware-update", body);
			json_object_put(body);
		} else if (r == EXIT_OK) {
			printf("%s: %s\n", card, str_of(u, "message", "firmware update succeeded"));
		} else {
			fprintf(stderr, "ocxlpmemctl: %s: firmware update %s: %s\n", card,
				str_of(u, "state", "?"), str_of(u, "message", "no reason given"));
		}
		json_object_put(reply);
		return r;
	}
	progress_done(&v);
	fprintf(stderr, "ocxlpmemctl: %s: lost the daemon while following the update: %s\n", card,
		strerror(r < 0 ? -r : EPIPE));
	return EXIT_UNREACHABLE;
}

/* ---- firmware-update ------------------------------------------------------------ */

static int upload(struct vclient *c, const char *card, const char *file, const uint8_t *img,
		  size_t len, bool force, bool dry_run, struct json_object **ret_reply,
		  struct json_object **ret_params)
{
	struct json_object *params = json_object_new_object(), *reply, *p;
	char upload_id[64];
	int64_t chunk = CHUNK_MAX;
	int r;

	json_object_object_add(params, "card", json_object_new_string(card));
	json_object_object_add(params, "size", json_object_new_int64((int64_t)len));
	json_object_object_add(params, "force", json_object_new_boolean(force));
	json_object_object_add(params, "dry_run", json_object_new_boolean(dry_run));
	r = vcall(c, IFACE ".BeginFirmwareUpdate", params, card, file, &reply, &p);
	if (r)
		return r;
	snprintf(upload_id, sizeof(upload_id), "%s", str_of(p, "upload", ""));
	if (int_of(p, "chunk_size", &chunk) && (chunk <= 0 || chunk > CHUNK_MAX))
		chunk = CHUNK_MAX;
	chunk -= chunk % 8;
	json_object_put(reply);

	for (size_t off = 0; off < len; off += (size_t)chunk) {
		size_t n = len - off < (size_t)chunk ? len - off : (size_t)chunk;
		char *b64 = base64(img + off, n);

		if (!b64) {
			fprintf(stderr, "ocxlpmemctl: out of memory\n");
			return EXIT_FAILED;
		}
		params = json_object_new_object();
		json_object_object_add(params, "upload", json_object_new_string(upload_id));
		json_object_object_add(params, "offset", json_object_new_int64((int64_t)off));
		json_object_object_add(params, "data", json_object_new_string(b64));
		free(b64);
		r = vcall(c, IFACE ".UploadFirmware", params, card, file, &reply, &p);
		if (r)
			return r;
		json_object_put(reply);
	}

	params = json_object_new_object();
	json_object_object_add(params, "upload", json_object_new_string(upload_id));
	return vcall(c, IFACE ".CommitFirmwareUpdate", params, card, file, ret_reply, ret_params);
}

int cmd_firmware_update(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-wait", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	bool force = false, dry_run = false, wait = true;
	struct json_object *reply, *p, *img;
	const char *card, *file;
	struct vclient *c;
	uint8_t *image;
	size_t len;
	int opt, r;

	optind = 0; /* full reset: main() scanned with "+" */
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			force = true;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'W':
			wait = false;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "ocxlpmemctl: usage: firmware-update CARD FILE [--force] [--dry-run] "
				"[--no-wait]\n");
		return EXIT_USAGE;
	}
	card = argv[optind];
	file = argv[optind + 1];
	r = read_image(file, &image, &len);
	if (r)
		return r;
	r = connect_daemon(&c);
	if (r) {
		free(image);
		return r;
	}
	r = upload(c, card, file, image, len, force, dry_run, &reply, &p);
	free(image);
	if (r) {
		vclient_free(c);
		return r;
	}
	json_object_object_get_ex(p, "image", &img);
	if (dry_run || !wait) {
		if (opt_json) {
			json_object_object_add(p, "card", json_object_new_string(card));
			print_json("firmware-update", p);
		} else if (dry_run) {
			printf("%s: valid firmware image for %s: %s bytes, %s %s; nothing sent "
			       "(dry run)\n", file, card, str_of(img, "size", "?"),
			       str_of(img, "version", NULL) ? "version" : "no header,",
			       str_of(img, "version", "opaque"));
		} else {
			printf("%s: firmware update started; follow it with "
			       "'ocxlpmemctl firmware %s'\n", card, card);
		}
		json_object_put(reply);
		vclient_free(c);
		return EXIT_OK;
	}
	json_object_put(reply);
	r = follow(c, card);
	vclient_free(c);
	return r;
}

int cmd_firmware_cancel(int argc, char **argv)
{
	struct json_object *params, *reply, *p;
	struct vclient *c;
	int r;

	if (argc != 2) {
		fprintf(stderr, "ocxlpmemctl: firmware-cancel needs a card (name or serial)\n");
		return EXIT_USAGE;
	}
	r = connect_daemon(&c);
	if (r)
		return r;
	params = json_object_new_object();
	json_object_object_add(params, "card", json_object_new_string(argv[1]));
	r = vcall(c, IFACE ".CancelFirmwareUpdate", params, argv[1], "", &reply, &p);
	vclient_free(c);
	if (r)
		return r;
	if (opt_json)
		print_json("firmware-cancel", p);
	else if (!strcmp(str_of(p, "cancelled", ""), "upload"))
		printf("%s: firmware upload dropped\n", argv[1]);
	else
		printf("%s: firmware update cancelled; the card drops the partial image and keeps "
		       "its running version\n", argv[1]);
	json_object_put(reply);
	return EXIT_OK;
}
