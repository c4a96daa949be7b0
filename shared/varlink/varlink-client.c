// SPDX-License-Identifier: GPL-2.0-or-later
/* A blocking Varlink client: see varlink-client.h. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "shared/varlink/varlink-client.h"

#define BUF_START (64u * 1024u)
#define RECV_MIN 4096u

struct varlink_client {
	int fd;
	char *buf;
	size_t len, cap;
	size_t scanned;   /* bytes of buf known to hold no NUL */
	size_t consumed;  /* the message read_raw returned last, with its NUL */
	size_t max;       /* of one reply, without its NUL */
};

int varlink_client_new_fd(int fd, struct varlink_client **ret)
{
	struct varlink_client *c = calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	c->max = VARLINK_REPLY_MAX;
	*ret = c;
	return 0;
}

int varlink_client_connect(const char *address, struct varlink_client **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = address;
	int fd, r;

	if (strncmp(path, "unix:", 5) == 0)
		path += 5;
	if (!*path || strlen(path) >= sizeof(sa.sun_path))
		return -EINVAL;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return varlink_client_new_fd(fd, ret);
}

struct varlink_client *varlink_client_free(struct varlink_client *c)
{
	if (!c)
		return NULL;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
	return NULL;
}

int varlink_client_fd(const struct varlink_client *c)
{
	return c->fd;
}

void varlink_client_set_reply_max(struct varlink_client *c, size_t max)
{
	c->max = max < VARLINK_REPLY_MAX ? max : VARLINK_REPLY_MAX;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int varlink_client_send(struct varlink_client *c, const char *msg, size_t len)
{
	static const char nul;
	struct iovec iov[2] = {
		{ .iov_base = (void *)msg, .iov_len = len },
		{ .iov_base = (void *)&nul, .iov_len = 1 },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	/* One write with its NUL when the socket takes it all: a server must
	 * not wake up twice for one message (the benches time this). */
	for (;;) {
		ssize_t n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (mh.msg_iovlen && (size_t)n >= mh.msg_iov->iov_len) {
			n -= (ssize_t)mh.msg_iov->iov_len;
			mh.msg_iov++;
			mh.msg_iovlen--;
		}
		if (!mh.msg_iovlen)
			return 0;
		mh.msg_iov->iov_base = (char *)mh.msg_iov->iov_base + n;
		mh.msg_iov->iov_len -= (size_t)n;
	}
}

int varlink_client_call(struct varlink_client *c, const char *method,
			struct json_object *parameters, unsigned int flags)
{
	struct json_object *o;
	const char *text;
	size_t len;
	int r;

	if ((flags & VARLINK_CALL_MORE) && (flags & VARLINK_CALL_ONEWAY)) {
		json_object_put(parameters);
		return -EINVAL;
	}
	o = json_object_new_object();
	if (!o) {
		json_object_put(parameters);
		return -ENOMEM;
	}
	json_object_object_add(o, "method", json_object_new_string(method));
	json_object_object_add(o, "parameters", parameters ? parameters : json_object_new_object());
	if (flags & VARLINK_CALL_MORE)
		json_object_object_add(o, "more", json_object_new_boolean(true));
	if (flags & VARLINK_CALL_ONEWAY)
		json_object_object_add(o, "oneway", json_object_new_boolean(true));
	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	/* One write with the NUL: json-c's string has it already. */
	r = text ? write_all(c->fd, text, len + 1) : -ENOMEM;
	json_object_put(o);
	return r;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Room for at least RECV_MIN more bytes, or -EMSGSIZE past the limit. */
static int make_room(struct varlink_client *c)
{
	size_t cap;
	char *b;

	if (c->cap - c->len >= RECV_MIN)
		return 0;
	cap = c->cap ? c->cap * 2 : BUF_START;
	if (cap < c->len + RECV_MIN)
		cap = c->len + RECV_MIN;
	b = realloc(c->buf, cap);
	if (!b)
		return -ENOMEM;
	c->buf = b;
	c->cap = cap;
	return 0;
}

int varlink_client_read_raw(struct varlink_client *c, int timeout_ms, const char **ret_msg,
			    size_t *ret_len)
{
	int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : 0;

	/* The message returned last time is done with now. */
	if (c->consumed) {
		memmove(c->buf, c->buf + c->consumed, c->len - c->consumed);
		c->len -= c->consumed;
		c->scanned = 0;
		c->consumed = 0;
	}
	for (;;) {
		char *nul = c->len > c->scanned ?
				    memchr(c->buf + c->scanned, '\0', c->len - c->scanned) : NULL;
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int wait = -1, r;
		ssize_t n;

		if (nul) {
			size_t mlen = (size_t)(nul - c->buf);

			if (mlen > c->max)
				return -EMSGSIZE;
			c->consumed = mlen + 1;
			*ret_msg = c->buf;
			*ret_len = mlen;
			return 0;
		}
		c->scanned = c->len;
		/* The message under way cannot fit: no NUL in max + 1 bytes. */
		if (c->len > c->max)
			return -EMSGSIZE;
		r = make_room(c);
		if (r < 0)
			return r;
		if (timeout_ms >= 0) {
			int64_t left = deadline - now_ms();

			wait = left > 0 ? (int)left : 0;
		}
		r = poll(&p, 1, wait);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ETIMEDOUT;
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ECONNRESET;
		c->len += (size_t)n;
	}
}

int varlink_client_read(struct varlink_client *c, int timeout_ms, struct varlink_reply *ret)
{
	const char *msg, *err;
	size_t len;
	int r = varlink_client_read_raw(c, timeout_ms, &msg, &len);

	if (r < 0)
		return r;
	return varlink_reply_parse(msg, len, ret, &err);
}
