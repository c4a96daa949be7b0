// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The v4 driver's character device /dev/ocxlpmemN in the test bench: its
 * private ioctls (magic 0xCA, 0x30-0x37) answered from the card model, as
 * the posted v4 driver answers them from the card:
 *   - ERROR_LOG takes the entry off the card (the model's READ, then ACK);
 *     EAGAIN when there is none;
 *   - CONTROLLER_DUMP asks for a host dump; DUMP_DATA returns the 'CD'
 *     word and the data (buf_size 0 at the end of the dump), EINVAL for a
 *     size over the card's admin buffer; DUMP_COMPLETE frees it;
 *   - CONTROLLER_STATS, EVENT_CHECK, REQUEST_HEALTH: one model call each;
 *   - EVENTFD registers the client's eventfd, which the "driver" loop
 *     signals when the model's events change.
 *
 * The eventfd is a descriptor of the client process; the bed takes a copy
 * with pidfd_getfd(2), which needs the right to ptrace the client (root,
 * or the same uid with ptrace_scope 0).  The client is the one process of
 * this bed that has that descriptor number open as an eventfd.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../lib/transport-chardev.h"
#include "testbed.h"

static int model_call(struct tb_card *c, unsigned int fn, const void *in, size_t in_len,
		      uint8_t *out, size_t cap, struct ocxlpmem_reply *ret)
{
	size_t fw = 0;
	int r;

	r = ocxlpmem_model_call(c->model, fn, in, in_len, out, cap, &fw);
	if (r < 0)
		return r;
	if (fw > cap || ocxlpmem_reply_decode(out, fw, ret) < 0)
		return -EIO;
	/* The v4 driver turns a card status into EIO. */
	return ret->card_status ? -EIO : 0;
}

static bool proc_has(const char *path, const char *needle, size_t nlen)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	for (ssize_t i = 0; n > 0 && i + (ssize_t)nlen <= n; i++)
		if (memcmp(buf + i, needle, nlen) == 0)
			return true;
	return false;
}

/* A copy of the eventfd that is descriptor fd of the bed's client. */
static int take_client_eventfd(struct tb_card *c, int fd)
{
	char env[4200], path[64], link[64];
	struct dirent *de;
	int pid = -1, found = 0, pidfd, copy;
	DIR *d = opendir("/proc");

	if (!d)
		return -errno;
	snprintf(env, sizeof(env), "UMOCKDEV_DIR=%s", c->tb_root);
	while ((de = readdir(d))) {
		int p = atoi(de->d_name);
		ssize_t n;

		if (p <= 0 || p == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", p, fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, "anon_inode:[eventfd]") != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/environ", p);
		/* With its NUL: not a prefix of another bed's directory. */
		if (!proc_has(path, env, strlen(env) + 1))
			continue;
		pid = p;
		found++;
	}
	closedir(d);
	if (found != 1)
		return -ESRCH;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	return copy < 0 ? -errno : copy;
}

void tb_chardev_signal(struct tb_card *c)
{
	uint64_t one = 1;

	if (c->client_eventfd >= 0)
		(void)!write(c->client_eventfd, &one, sizeof(one));
}

static int do_error_log(struct tb_card *c, UMockdevIoctlData *arg)
{
	static uint8_t out[8 + 64 + OCXLPMEM_ERRLOG_DATA_MAX];
	struct ocxlpmem_error_log_entry *e;
	struct chardev_v4_error_log v;
	struct ocxlpmem_reply reply;
	uint8_t ack[8];
	GError *error = NULL;
	int r;

	if (!arg)
		return -EFAULT;
	memcpy(&v, arg->data, sizeof(v));
	r = model_call(c, OCXLPMEM_FN_ERROR_LOG_READ, NULL, 0, out, sizeof(out), &reply);
	if (r < 0)
		return r;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (ocxlpmem_error_log_decode(reply.data, reply.data_len, e) < 0) {
		free(e);
		return -EIO;
	}
	if (!e->present) {
		free(e);
		return -EAGAIN;
	}
	/* v4 reads the entry off the card. */
	ocxlpmem_error_log_ack_encode(e->log_identifier, ack, sizeof(ack));
	r = model_call(c, OCXLPMEM_FN_ERROR_LOG_ACK, ack, sizeof(ack), out, sizeof(out), &reply);
	if (r == 0 && v.buf_size && v.buf_ptr && e->data_size) {
		UMockdevIoctlData *buf = umockdev_ioctl_data_resolve(
			arg, offsetof(struct chardev_v4_error_log, buf_ptr), v.buf_size, &error);

		if (!buf) {
			g_clear_error(&error);
			r = -EFAULT;
		} else {
			memcpy(buf->data, e->data, MIN(v.buf_size, e->data_size));
			g_object_unref(buf);
		}
	}
	if (r == 0) {
		/* resolve() changed buf_ptr in arg to our copy: keep the rest. */
		struct chardev_v4_error_log *o = (void *)arg->data;

		o->log_identifier = e->log_identifier;
		o->program_reference_code = e->program_reference_code;
		o->action_flags = e->action_flags;
		o->power_on_seconds = e->power_on_seconds;
		o->timestamp = e->timestamp_ns;
		o->wwid[0] = e->wwid[0];
		o->wwid[1] = e->wwid[1];
		memset(o->fw_revision, 0, sizeof(o->fw_revision));
		memcpy(o->fw_revision, e->fw_revision, strnlen(e->fw_revision, 8));
		o->buf_size = e->data_needed;
		o->error_log_type = e->type;
	}
	free(e);
	return r;
}

static int ensure_dump(struct tb_card *c)
{
	uint8_t out[64];
	struct ocxlpmem_reply reply;
	struct ocxlpmem_dump_info info;
	int r;

	if (c->v4_dump_id)
		return 0;
	r = model_call(c, OCXLPMEM_FN_DUMP_START, NULL, 0, out, sizeof(out), &reply);
	if (r < 0)
		return r;
	if (ocxlpmem_dump_info_decode(reply.data, reply.data_len, &info) < 0)
		return -EIO;
	c->v4_dump_id = info.dump_id;
	c->v4_dump_size = info.total_size;
	return 0;
}

static int do_dump_data(struct tb_card *c, UMockdevIoctlData *arg)
{
	struct chardev_v4_dump_data v, *o;
	struct ocxlpmem_dump_data_req req;
	struct ocxlpmem_dump_chunk chunk;
	struct ocxlpmem_reply reply;
	UMockdevIoctlData *buf;
	GError *error = NULL;
	uint8_t in[16], *out;
	size_t cap;
	int r;

	if (!arg)
		return -EFAULT;
	o = (void *)arg->data;
	memcpy(&v, arg->data, sizeof(v));
	if (v.buf_size % 8 || v.buf_size < 8 || v.buf_size - 8u > c->v4_admin_buffer)
		return -EINVAL;
	/* A dump the card made by itself is read without CONTROLLER_DUMP. */
	if (!c->v4_dump_id && !(ocxlpmem_model_events(c->model) &
				OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE))
		return -EIO;
	r = ensure_dump(c);
	if (r < 0)
		return r;
	/* Past the end: no more dump data, buf_size 0. */
	if (v.offset >= c->v4_dump_size) {
		o->buf_size = 0;
		return 0;
	}
	req = (struct ocxlpmem_dump_data_req){ .dump_id = c->v4_dump_id, .offset = v.offset,
					       .max_size = v.buf_size - 8u };
	cap = 8 + 24 + v.buf_size;
	out = malloc(cap);
	if (!out)
		return -ENOMEM;
	if (req.max_size == 0) {
		/* Only the word: the chunk's length, if there is one. */
		req.max_size = 8;
	}
	ocxlpmem_dump_data_req_encode(&req, in, sizeof(in));
	r = model_call(c, OCXLPMEM_FN_DUMP_DATA, in, sizeof(in), out, cap, &reply);
	if (r == 0 && ocxlpmem_dump_chunk_decode(reply.data, reply.data_len, &chunk) < 0)
		r = -EIO;
	if (r < 0) {
		free(out);
		return r;
	}
	buf = umockdev_ioctl_data_resolve(arg, offsetof(struct chardev_v4_dump_data, buf_ptr),
					  v.buf_size, &error);
	if (!buf) {
		g_clear_error(&error);
		free(out);
		return -EFAULT;
	}
	{
		uint64_t word = ocxlpmem_data_hdr_make(OCXLPMEM_DATA_ID_DUMP, chunk.chunk_size);
		size_t n = MIN((size_t)chunk.chunk_size, (size_t)v.buf_size - 8);

		for (int i = 0; i < 8; i++)
			buf->data[i] = (uint8_t)(word >> (8 * i));
		memcpy(buf->data + 8, chunk.data, n);
		o->buf_size = chunk.chunk_size ? (uint16_t)(8 + n) : 0;
	}
	g_object_unref(buf);
	free(out);
	return 0;
}

static int do_stats(struct tb_card *c, UMockdevIoctlData *arg)
{
	uint8_t out[8 + 112];
	struct ocxlpmem_reply reply;
	struct ocxlpmem_stats s;
	UMockdevIoctlData *st;
	GError *error = NULL;
	struct chardev_v4_stats v = { 0 };
	int r;

	r = model_call(c, OCXLPMEM_FN_CONTROLLER_STATS, NULL, 0, out, sizeof(out), &reply);
	if (r < 0)
		return r;
	if (ocxlpmem_stats_decode(reply.data, reply.data_len, &s) < 0)
		return -EIO;
	v.reset_count = s.reset_count;
	v.reset_uptime = s.reset_uptime_s;
	v.power_on_uptime = s.power_on_uptime_s;
	v.life_remaining = s.life_remaining_pct;
	v.critical_resource_utilization = s.critical_resource_utilization_pct;
	v.host_load_count = s.host_load_count;
	v.host_store_count = s.host_store_count;
	v.host_load_duration = s.host_load_duration_ns;
	v.host_store_duration = s.host_store_duration_ns;
	v.media_read_count = s.media_read_count;
	v.media_write_count = s.media_write_count;
	v.media_read_duration = s.media_read_duration_ns;
	v.media_write_duration = s.media_write_duration_ns;
	v.cache_read_hit_count = s.cache_read_hit_count;
	v.cache_write_hit_count = s.cache_write_hit_count;
	v.fast_write_count = s.fast_write_count;
	/* _IO in the series, so the argument is the bare pointer. */
	st = umockdev_ioctl_data_resolve(arg, 0, sizeof(v), &error);
	if (!st) {
		g_clear_error(&error);
		return -EFAULT;
	}
	memcpy(st->data, &v, sizeof(v));
	g_object_unref(st);
	return 0;
}

static int handle(struct tb_card *c, UMockdevIoctlClient *client)
{
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	unsigned long request = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *data = NULL;
	GError *error = NULL;
	uint8_t out[64];
	struct ocxlpmem_reply reply;
	uint64_t events;
	size_t size = _IOC_SIZE(request);
	int r = 0;

	if (_IOC_TYPE(request) != CHARDEV_MAGIC)
		return -ENOTTY;
	if (size && request != CHARDEV_IOC_STATS) {
		data = umockdev_ioctl_data_resolve(arg, 0, size, &error);
		if (!data) {
			g_clear_error(&error);
			return -EFAULT;
		}
	}
	switch (request) {
	case CHARDEV_IOC_ERROR_LOG:
		r = do_error_log(c, data);
		break;
	case CHARDEV_IOC_DUMP:
		c->v4_dump_id = 0;
		r = ensure_dump(c);
		break;
	case CHARDEV_IOC_DUMP_DATA:
		r = do_dump_data(c, data);
		break;
	case CHARDEV_IOC_DUMP_COMPLETE: {
		uint8_t in[8];

		if (!c->v4_dump_id) {
			r = -EIO;
			break;
		}
		ocxlpmem_dump_complete_encode(c->v4_dump_id, in, sizeof(in));
		r = model_call(c, OCXLPMEM_FN_DUMP_COMPLETE, in, sizeof(in), out, sizeof(out),
			       &reply);
		c->v4_dump_id = 0;
		break;
	}
	case CHARDEV_IOC_STATS:
		r = do_stats(c, arg);
		break;
	case CHARDEV_IOC_EVENTFD: {
		struct chardev_v4_eventfd v;

		if (!data) {
			r = -EFAULT;
			break;
		}
		memcpy(&v, data->data, sizeof(v));
		r = take_client_eventfd(c, v.eventfd);
		if (r >= 0) {
			if (c->client_eventfd >= 0)
				close(c->client_eventfd);
			c->client_eventfd = r;
			r = 0;
		} else {
			fprintf(stderr, "testbed: %s: cannot take the client's eventfd %d: %s\n",
				c->cdev_name, v.eventfd, strerror(-r));
		}
		break;
	}
	case CHARDEV_IOC_EVENT_CHECK:
		r = model_call(c, OCXLPMEM_FN_EVENT_CHECK, NULL, 0, out, sizeof(out), &reply);
		if (r == 0 && ocxlpmem_events_decode(reply.data, reply.data_len, &events) < 0)
			r = -EIO;
		if (r == 0 && data)
			memcpy(data->data, &events, sizeof(events));
		break;
	case CHARDEV_IOC_REQUEST_HEALTH:
		r = model_call(c, OCXLPMEM_FN_REQUEST_HEALTH, NULL, 0, out, sizeof(out), &reply);
		break;
	default:
		r = -ENOTTY;
		break;
	}
	if (data)
		g_object_unref(data);
	return r;
}

static gboolean on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client,
			 gpointer userdata)
{
	struct tb_card *c = userdata;
	int r;

	atomic_fetch_add(&c->cdev_ioctls, 1);
	/* A gone model (fatal, removed) answers as a dead card: ENXIO. */
	r = handle(c, client);
	if (r < 0)
		umockdev_ioctl_client_complete(client, -1, -r);
	else
		umockdev_ioctl_client_complete(client, 0, 0);
	return TRUE;
}

UMockdevIoctlBase *tb_chardev_handler_new(struct tb_card *c)
{
	UMockdevIoctlBase *h = umockdev_ioctl_base_new();

	g_signal_connect(h, "handle-ioctl", G_CALLBACK(on_ioctl), c);
	return h;
}
