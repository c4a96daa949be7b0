/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Saved controller dumps on disk: the file format, and the writer that
 * puts one there durably without the event loop touching the disk.
 *
 * A dump file is <state-dir>/dumps/<serial>/<serial>-<UTC time>-<dump id>.ocxldump:
 *   - a 4096-byte header: the line "OCXLPMEM-DUMP/1", then one JSON object
 *     (card serial and name, firmware version, dump id, origin, trigger,
 *     times, size, SHA-256 of the data, data offset), a newline, and NUL
 *     bytes up to 4096;
 *   - the card's raw dump data, exactly as DUMP_DATA gave it.
 * So `tail -c +4097 FILE | sha256sum` checks a file by hand, and `head -c
 * 4096 FILE` says what it is.  doc/dump-format.md documents it.
 *
 * The writer fills a hidden temporary file (".NAME.tmp") in a thread of its
 * own, then writes the header, fsyncs the file, renames it to its name and
 * fsyncs the directory.  Only then is the dump "saved": a reader never sees
 * a partial dump under a dump's name, and a temporary left by a crash is
 * removed at the next start (the card still holds that dump: it is told
 * to let go only after the rename is durable).
 */
#ifndef OCXLPMEMD_DUMP_FILE_H
#define OCXLPMEMD_DUMP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ocxlpmem/ocxlpmem.h>

#define DUMP_FILE_MAGIC "OCXLPMEM-DUMP/1\n"
#define DUMP_FILE_HEADER_SIZE 4096u
#define DUMP_FILE_SUFFIX ".ocxldump"
#define DUMP_FILE_NAME_MAX 96

/* What a dump file's header says. */
struct dump_meta {
	uint64_t serial;
	char card_name[32];
	char firmware_version[OCXLPMEM_FW_VERSION_LEN + 1];
	uint32_t dump_id;
	char origin[8];             /* card, host */
	char trigger[16];           /* card-event, error-log, user, restart */
	uint64_t requested_usec;    /* CLOCK_REALTIME: the trigger */
	uint64_t started_usec;      /* first byte asked for */
	uint64_t finished_usec;     /* last byte written */
	uint64_t size;              /* bytes of data after the header */
	char sha256[65];            /* lower-case hex of the data */
};

/* The header block for meta: DUMP_FILE_HEADER_SIZE bytes.  0 or -EINVAL
 * (a field that would not fit, or a string that is not plain text). */
int dump_header_format(const struct dump_meta *meta, uint8_t buf[DUMP_FILE_HEADER_SIZE]);
/* Parse a header block (at most DUMP_FILE_HEADER_SIZE bytes are looked at).
 * 0, -EBADMSG (not a dump header, or a malformed one) or
 * -EPROTONOSUPPORT (a dump header of a newer format). */
int dump_header_parse(const void *buf, size_t len, struct dump_meta *ret);

/* "<serial>-<YYYYmmddTHHMMSSZ>-<dump id, 8 hex>.ocxldump".  0 or -EINVAL. */
int dump_file_name(uint64_t serial, uint64_t usec, uint32_t dump_id, char *buf, size_t cap);
/* True for a name dump_file_name() could have made (no path, no dot file). */
bool dump_file_name_valid(const char *name);

/* ---- The writer ------------------------------------------------------------ */

struct dump_writer;

/*
 * Start writing dumps/<serial>/<name> under the state directory dirfd,
 * creating the directories; size is the data's length.  The writer's
 * thread takes over from here.  0 or -errno (nothing is left behind).
 * low_water: the loop is woken when the backlog falls to this many
 * chunks (time to queue more), not after every chunk.
 */
int dump_writer_new(int state_dirfd, uint64_t serial, const char *name, uint64_t size,
		    unsigned int low_water, struct dump_writer **ret);
/*
 * Before the first chunk: the SHA-256 digests (lower-case hex) of n dumps
 * already saved that this one may be.  If the data turns out to hash to
 * one of them, nothing is saved: the temporary is removed and
 * dump_writer_poll() returns -EEXIST, with dump_writer_meta()'s sha256 set.
 * 0 or -ENOMEM.
 */
int dump_writer_set_known(struct dump_writer *w, const char (*sha256)[65], size_t n);
/* Readable (EV_READ) when the backlog fell to the low-water mark or the
 * writer ended; call dump_writer_poll() then. */
int dump_writer_fd(const struct dump_writer *w);
/* Clears the fd's readiness.  Returns 1 while running, 0 once saved, or
 * the -errno the writer failed with (the temporary is gone then; -EEXIST:
 * the data is a known dump, see dump_writer_set_known()). */
int dump_writer_poll(struct dump_writer *w, uint64_t *ret_written);
/* Chunks queued and not yet written. */
unsigned int dump_writer_backlog(struct dump_writer *w);
/*
 * Queue len bytes at data for the next position in the file.  The writer
 * takes over buf (malloc'd; data points into it) and frees it when
 * written: a request's reply buffer goes to disk without a copy.
 * 0 or -errno (the writer failed already; buf was freed).
 */
int dump_writer_queue(struct dump_writer *w, void *buf, const uint8_t *data, size_t len);
/* After the last chunk: hash, header, fsync, rename, directory fsync.
 * meta's sha256 and size are filled in by the writer. */
void dump_writer_finish(struct dump_writer *w, const struct dump_meta *meta);
/* The header as saved (valid once dump_writer_poll() returned 0). */
const struct dump_meta *dump_writer_meta(const struct dump_writer *w);
/* Stop (unless already finishing: a complete dump is still saved) and
 * let go; never waits for the thread, which removes the temporary if the
 * dump was not saved and frees what is left.  NULL is fine; returns NULL. */
struct dump_writer *dump_writer_free(struct dump_writer *w);

#endif /* OCXLPMEMD_DUMP_FILE_H */
