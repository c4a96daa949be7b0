// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "varlink-client.h"

#define REPLY_MAX (64u * 1024u * 1024u)

struct vclient {
	int fd;
	char *buf;
	size_t len, cap;
};

int vclient_connect(const char *address, struct vclient **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vclient *c;
	const char *path = address;
	int r;

	if (strncmp(path, "unix:", 5) == 0)
		path += 5;
	if (!*path || strlen(path) >= sizeof(sa.sun_path))
		return -EINVAL;
	strcpy(sa.sun_path, path);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		vclient_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

struct vclient *vclient_free(struct vclient *c)
{
	if (!c)
		return NULL;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
	return NULL;
}

int vclient_call(struct vclient *c, const char *method, struct json_object *parameters, bool more)
{
	struct json_object *o = json_object_new_object();
	const char *text;
	size_t len, off = 0;
	int r = 0;

	json_object_object_add(o, "method", json_object_new_string(method));
	json_object_object_add(o, "parameters", parameters ? parameters : json_object_new_object());
	if (more)
		json_object_object_add(o, "more", json_object_new_boolean(true));
	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	len++; /* the NUL */
	while (off < len) {
		ssize_t n = send(c->fd, text + off, len - off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		off += (size_t)n;
	}
	json_object_put(o);
	return r;
}

int vclient_read(struct vclient *c, int timeout_ms, struct json_object **ret_reply,
		 bool *ret_continues)
{
	for (;;) {
		char *nul = c->len ? memchr(c->buf, '\0', c->len) : NULL;

		if (nul) {
			size_t mlen = (size_t)(nul - c->buf);
			struct json_object *o = json_tokener_parse(c->buf);
			struct json_object *v;

			memmove(c->buf, nul + 1, c->len - mlen - 1);
			c->len -= mlen + 1;
			if (!o || !json_object_is_type(o, json_type_object)) {
				json_object_put(o);
				return -EBADMSG;
			}
			*ret_continues = json_object_object_get_ex(o, "continues", &v) &&
					 json_object_get_boolean(v);
			*ret_reply = o;
			return 0;
		}
		if (c->cap - c->len < 4096) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			char *b;

			if (cap > REPLY_MAX)
				return -EMSGSIZE;
			b = realloc(c->buf, cap);
			if (!b)
				return -ENOMEM;
			c->buf = b;
			c->cap = cap;
		}
		{
			struct pollfd p = { .fd = c->fd, .events = POLLIN };
			int r = poll(&p, 1, timeout_ms);
			ssize_t n;

			if (r < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			if (r == 0)
				return -ETIMEDOUT;
			n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			if (n == 0)
				return -ECONNRESET;
			c->len += (size_t)n;
		}
	}
}
