// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The card model's non-volatile state.  A real card keeps its error log,
 * the dump it holds and its firmware slots when the host software dies;
 * so must the model, or "kill -9 the daemon and restart" would test a card
 * that forgot everything.  With nvram_dir set, the durable part of the
 * model is written to DIR/card-SERIAL.nv whenever it changes (temp file +
 * rename: a crash leaves the old or the new state) and read back at
 * ocxlpmem_model_new().
 *
 * Format (text, one record per line, fields separated by one space):
 *   ocxlpmem-model-nv 1
 *   serial DEC
 *   ids NEXT_LOG_ID NEXT_DUMP_ID RESET_COUNT [POWER_CYCLES]
 *   fw RUNNING STAGED            ("-" for an empty version)
 *   dump HELD ID SIZE ORIGIN
 *   errlog ID TYPE ACTIONS PRC POWER_ON_S TIMESTAMP_NS FW DATALEN HEX|-
 * A file that does not parse, or is for another serial, is ignored: the
 * card starts fresh (as after a reboot).  POWER_CYCLES came later: without
 * it, the card has had none.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model-private.h"
#include "private.h"

#define NV_MAGIC "ocxlpmem-model-nv 1"

static void put_version(FILE *f, const char *v)
{
	fputs(v[0] ? v : "-", f);
}

int model_nv_format(const struct ocxlpmem_model *m, char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	fprintf(f, NV_MAGIC "\nserial %" PRIu64 "\nids %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32
		"\nfw ", m->serial, m->next_log_id, m->next_dump_id, m->reset_count, m->power_cycles);
	put_version(f, m->fw_running);
	fputc(' ', f);
	put_version(f, m->fw_staged);
	fprintf(f, "\ndump %d %" PRIu32 " %" PRIu32 " %u\n", m->dump_held ? 1 : 0, m->dump_id,
		m->dump_size, m->dump_origin);
	for (unsigned int i = 0; i < m->errlog_count; i++) {
		const struct model_errlog_entry *e = &m->errlog[(m->errlog_head + i) % MODEL_ERRLOG_MAX];

		fprintf(f, "errlog %" PRIu32 " %u %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu64 " ",
			e->id, e->type, e->action_flags, e->prc, e->power_on_seconds, e->timestamp_ns);
		put_version(f, e->fw_revision);
		fprintf(f, " %u ", e->data_len);
		if (!e->data) {
			fputc('-', f);
		} else {
			for (unsigned int b = 0; b < e->data_len; b++)
				fprintf(f, "%02x", e->data[b]);
		}
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* A version word: "-" or 1-8 printable characters. */
static int parse_version(const char *w, char *out)
{
	size_t n = strlen(w);

	if (strcmp(w, "-") == 0) {
		out[0] = '\0';
		return 0;
	}
	if (n == 0 || n > OCXLPMEM_FW_VERSION_LEN)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++)
		if (w[i] < 0x21 || w[i] > 0x7e)
			return -EBADMSG;
	memcpy(out, w, n + 1);
	return 0;
}

/* Strict unsigned decimal within max. */
static int parse_u64(const char *w, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (!*w || (w[0] == '0' && w[1]))
		return -EBADMSG;
	for (; *w; w++) {
		if (*w < '0' || *w > '9' || v > (UINT64_MAX - 9) / 10)
			return -EBADMSG;
		v = v * 10 + (uint64_t)(*w - '0');
	}
	if (v > max)
		return -EBADMSG;
	*ret = v;
	return 0;
}

/* Split line into at most max words at single spaces; returns the count. */
static int split(char *line, char **words, int max)
{
	int n = 0;

	for (char *p = line;;) {
		if (n == max)
			return -1;
		words[n++] = p;
		p = strchr(p, ' ');
		if (!p)
			return n;
		*p++ = '\0';
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int parse_errlog(char **w, struct model_errlog_entry *e)
{
	uint64_t v[7];
	static const uint64_t max[] = { UINT32_MAX, OCXLPMEM_ERRLOG_TYPE_MAX, UINT32_MAX,
					UINT32_MAX, UINT32_MAX, UINT64_MAX };

	for (int i = 0; i < 6; i++)
		if (parse_u64(w[i], max[i], &v[i]) < 0)
			return -EBADMSG;
	if ((v[2] & ~(uint64_t)OCXLPMEM_ACTION_ALL) || parse_version(w[6], e->fw_revision) < 0 ||
	    parse_u64(w[7], OCXLPMEM_ERRLOG_DATA_MAX, &v[6]) < 0)
		return -EBADMSG;
	e->id = (uint32_t)v[0];
	e->type = (uint8_t)v[1];
	e->action_flags = (uint32_t)v[2];
	e->prc = (uint32_t)v[3];
	e->power_on_seconds = (uint32_t)v[4];
	e->timestamp_ns = v[5];
	e->data_len = (uint16_t)v[6];
	e->data = NULL;
	if (strcmp(w[8], "-") == 0)
		return 0;
	if (strlen(w[8]) != 2u * e->data_len)
		return -EBADMSG;
	e->data = malloc(e->data_len ? e->data_len : 1);
	if (!e->data)
		return -ENOMEM;
	for (unsigned int i = 0; i < e->data_len; i++) {
		int hi = hexval(w[8][2 * i]), lo = hexval(w[8][2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(e->data);
			e->data = NULL;
			return -EBADMSG;
		}
		e->data[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/*
 * Apply a saved state to a fresh model: all or nothing.  The serial must be
 * the model's.  0, -EBADMSG (malformed, other serial) or -ENOMEM.
 */
int model_nv_parse(struct ocxlpmem_model *m, const char *text, size_t len)
{
	struct model_errlog_entry *log = calloc(MODEL_ERRLOG_MAX, sizeof(*log));
	char running[OCXLPMEM_FW_VERSION_LEN + 1], staged[OCXLPMEM_FW_VERSION_LEN + 1];
	uint64_t serial = 0, ids[4] = { 0 }, dump[4];
	unsigned int nlog = 0, seen = 0;
	char *copy, *line, *save = NULL;
	int r = -EBADMSG;

	if (!log)
		return -ENOMEM;
	if (memchr(text, '\0', len)) {
		free(log);
		return -EBADMSG;
	}
	copy = strndup(text, len);
	if (!copy) {
		free(log);
		return -ENOMEM;
	}
	line = strtok_r(copy, "\n", &save);
	if (!line || strcmp(line, NV_MAGIC) != 0)
		goto out;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *w[12];
		int n = split(line, w, 12);

		if (n == 2 && strcmp(w[0], "serial") == 0 && !(seen & 1)) {
			if (parse_u64(w[1], UINT64_MAX, &serial) < 0)
				goto out;
			seen |= 1;
		} else if ((n == 4 || n == 5) && strcmp(w[0], "ids") == 0 && !(seen & 2)) {
			for (int i = 0; i < n - 1; i++)
				if (parse_u64(w[i + 1], UINT32_MAX, &ids[i]) < 0)
					goto out;
			seen |= 2;
		} else if (n == 3 && strcmp(w[0], "fw") == 0 && !(seen & 4)) {
			if (parse_version(w[1], running) < 0 || !running[0] ||
			    parse_version(w[2], staged) < 0)
				goto out;
			seen |= 4;
		} else if (n == 5 && strcmp(w[0], "dump") == 0 && !(seen & 8)) {
			static const uint64_t max[] = { 1, UINT32_MAX, UINT32_MAX, OCXLPMEM_DUMP_HOST };

			for (int i = 0; i < 4; i++)
				if (parse_u64(w[i + 1], max[i], &dump[i]) < 0)
					goto out;
			if (dump[0] && (dump[2] % 8 || dump[2] > m->max_dump_size || !dump[3]))
				goto out;
			seen |= 8;
		} else if (n == 10 && strcmp(w[0], "errlog") == 0 && nlog < MODEL_ERRLOG_MAX) {
			r = parse_errlog(&w[1], &log[nlog]);
			if (r < 0)
				goto out;
			r = -EBADMSG;
			nlog++;
		} else {
			goto out;
		}
	}
	if (seen != 15 || serial != m->serial)
		goto out;

	/* Valid: commit. */
	model_errlog_adopt(m, log, nlog);
	log = NULL; /* the ring and the entries' data now belong to the model */
	nlog = 0;
	m->next_log_id = (uint32_t)ids[0];
	m->next_dump_id = (uint32_t)ids[1];
	m->reset_count = (uint32_t)ids[2];
	m->power_cycles = (uint32_t)ids[3];
	strcpy(m->fw_running, running);
	strcpy(m->fw_staged, staged);
	m->dump_held = dump[0];
	m->dump_id = (uint32_t)dump[1];
	m->dump_size = (uint32_t)dump[2];
	m->dump_origin = (uint8_t)dump[3];
	m->dump_collecting = false;
	r = 0;
out:
	for (unsigned int i = 0; i < nlog; i++)
		free(log[i].data);
	free(log);
	free(copy);
	return r;
}

/* A cheap fingerprint of the durable state: save only when it moves. */
static uint64_t nv_fingerprint(const struct ocxlpmem_model *m)
{
	uint64_t h = model_mix64(m->next_log_id ^ ((uint64_t)m->next_dump_id << 32));

	h = model_mix64(h ^ m->errlog_count ^ ((uint64_t)m->errlog_head << 16) ^
			((uint64_t)m->reset_count << 32));
	h = model_mix64(h ^ m->power_cycles);
	h = model_mix64(h ^ (m->dump_held ? m->dump_id : 0) ^ ((uint64_t)m->dump_size << 32));
	for (size_t i = 0; m->fw_running[i]; i++)
		h = model_mix64(h ^ (uint8_t)m->fw_running[i]);
	for (size_t i = 0; m->fw_staged[i]; i++)
		h = model_mix64(h ^ ((uint64_t)(uint8_t)m->fw_staged[i] << 8));
	return h | 1;
}

static int nv_path(const struct ocxlpmem_model *m, const char *suffix, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%s/card-%" PRIu64 ".nv%s", m->nvram_dir, m->serial, suffix);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

void model_nv_sync_locked(struct ocxlpmem_model *m)
{
	char path[4096], tmp[4096];
	uint64_t fp;
	char *text;
	size_t len;
	int fd;

	if (!m->nvram_dir)
		return;
	fp = nv_fingerprint(m);
	if (fp == m->nv_saved)
		return;
	if (nv_path(m, "", path, sizeof(path)) < 0 || nv_path(m, ".tmp", tmp, sizeof(tmp)) < 0 ||
	    model_nv_format(m, &text, &len) < 0)
		return;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		bool ok = write(fd, text, len) == (ssize_t)len;

		/* Process death is what this models, not power loss: the
		 * rename alone makes the switch atomic, no fsync needed. */
		if (close(fd) == 0 && ok && rename(tmp, path) == 0)
			m->nv_saved = fp;
		else
			unlink(tmp);
	}
	free(text);
}

void model_nv_load(struct ocxlpmem_model *m)
{
	char path[4096], *buf;
	ssize_t n;
	int fd;

	if (!m->nvram_dir || nv_path(m, "", path, sizeof(path)) < 0)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	buf = malloc(1 << 21);
	n = buf ? read(fd, buf, 1 << 21) : -1;
	close(fd);
	if (n > 0 && n < (1 << 21) && model_nv_parse(m, buf, (size_t)n) == 0)
		m->nv_saved = nv_fingerprint(m);
	free(buf);
}
