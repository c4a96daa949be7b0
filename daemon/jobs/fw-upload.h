/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A firmware image on its way from ocxlpmemctl to the daemon.
 *
 * Varlink messages are limited to 64 KiB and our server passes no file
 * descriptors, and the client may run where the daemon cannot see its
 * files (a sandboxed service), so the image is streamed: base64 chunks of
 * at most 32 KiB, in order, into a buffer of the size announced first.
 * This module is the pure part: the size rules, the chunk rules and the
 * strict form of the base64 (nettle decodes), each tested by
 * tests/test-fw-upload.c and fuzzed by tests/fuzz/fuzz-fw-upload.c.
 */
#ifndef OCXLPMEMD_FW_UPLOAD_H
#define OCXLPMEMD_FW_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bytes of image in one UploadFirmware chunk (decoded): one card block. */
#define FW_UPLOAD_CHUNK_MAX (32u * 1024u)
/*
 * The daemon never holds a bigger image, whatever the card accepts: an
 * upload lives in memory, and the card model's limit is 16 MiB.
 */
#define FW_UPLOAD_SIZE_MAX (64u * 1024u * 1024u)

struct fw_upload {
	uint8_t *data;
	uint32_t size;       /* announced */
	uint32_t received;   /* bytes so far, always a prefix */
};

/*
 * The length rules an image must meet before a byte of it is taken: not
 * empty, a multiple of 8, at most max bytes (and FW_UPLOAD_SIZE_MAX).  0, or
 * -ENODATA, -EDOM, -EFBIG as ocxlpmem_fw_image_check() returns them, so
 * ocxlpmem_fw_image_strerror() words them the same way.
 */
int fw_upload_size_check(uint64_t size, uint64_t max);

/* An empty upload of size bytes (checked by the caller).  0 or -ENOMEM. */
int fw_upload_new(uint32_t size, struct fw_upload **ret);
struct fw_upload *fw_upload_free(struct fw_upload *u);

/*
 * Append the chunk b64 (len characters of base64, RFC 4648 with padding,
 * nothing else) at offset.  0, or:
 *   -ESPIPE   offset is not where the upload stands (chunks come in order)
 *   -EBADMSG  not valid base64, or empty
 *   -E2BIG    more than FW_UPLOAD_CHUNK_MAX bytes decoded
 *   -EFBIG    the chunk reaches past the announced size
 * On failure nothing is taken.
 */
int fw_upload_append(struct fw_upload *u, uint64_t offset, const char *b64, size_t len);
bool fw_upload_complete(const struct fw_upload *u);
/* Hand the image over (size bytes); the upload is empty afterwards. */
uint8_t *fw_upload_take(struct fw_upload *u);

/*
 * Strict base64: length a multiple of 4, the standard alphabet, '=' only as
 * the last one or two characters, unused bits zero, no blanks (which
 * nettle's decoder alone would skip).  Returns the decoded length,
 * -EBADMSG, or -ENOSPC when it would not fit in cap (checked first).
 */
ssize_t fw_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap);

#endif /* OCXLPMEMD_FW_UPLOAD_H */
