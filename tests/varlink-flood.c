// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Misbehaving and plain Varlink clients for tests/test-varlink-server.sh,
 * where socat cannot do the job:
 *
 *   varlink-flood flood SOCKET N [TIMEOUT_S]
 *	Open N connections at once, then send GetVersion on each and wait for
 *	every one to be answered or closed.  Prints "answered A refused R";
 *	exits 0 when every connection got one or the other in time.
 *   varlink-flood noread SOCKET [TIMEOUT_S]
 *	Call ListCards over and over on one connection and never read a
 *	reply.  Exits 0 once the daemon drops the connection, 1 at the timeout.
 *   varlink-flood call SOCKET JSON [TIMEOUT_S]
 *	Send one message and print each reply on a line (flushed), until a
 *	reply without "continues": true (exit 0), EOF (exit 2) or the timeout
 *	(exit 1).  Unlike socat, it never half-closes the connection.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#define GET_VERSION "{\"method\":\"io.ocxlpmem.Manager.GetVersion\"}"
#define LIST_CARDS "{\"method\":\"io.ocxlpmem.Manager.ListCards\"}"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Send a whole message and its NUL; -1 with errno on failure. */
static int send_msg(int fd, const char *msg)
{
	size_t len = strlen(msg) + 1, off = 0;

	while (off < len) {
		ssize_t n = send(fd, msg + off, len - off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/* ---- flood ----------------------------------------------------------------- */

struct client {
	int fd;
	char buf[4096];
	size_t len;
	enum { WAITING, ANSWERED, REFUSED } state;
};

/* A reply that carries the version: anything else is neither answer nor refusal. */
static bool good_version_reply(const char *text)
{
	struct json_object *o = json_tokener_parse(text), *p, *v;
	bool ok = o && json_object_object_get_ex(o, "parameters", &p) &&
		  json_object_object_get_ex(p, "version", &v) &&
		  json_object_is_type(v, json_type_string);

	json_object_put(o);
	return ok;
}

static int flood(const char *path, unsigned int n, int timeout_s)
{
	struct client *c = calloc(n, sizeof(*c));
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	unsigned int answered = 0, refused = 0, bad = 0, pending = 0;
	long long deadline = now_ms() + timeout_s * 1000LL;
	struct rlimit rl;

	if (!c || !pfd) {
		perror("calloc");
		return 1;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 16 && rl.rlim_max >= n + 16) {
		rl.rlim_cur = n + 16;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Every connection first, so that they are all open at once. */
	for (unsigned int i = 0; i < n; i++) {
		c[i].fd = connect_to(path);
		if (c[i].fd < 0) {
			fprintf(stderr, "connection %u: %s\n", i, strerror(errno));
			c[i].state = REFUSED;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		if (c[i].state == WAITING && send_msg(c[i].fd, GET_VERSION) < 0)
			c[i].state = REFUSED; /* closed under us: refused */
	for (;;) {
		int timeout, r;

		pending = 0;
		for (unsigned int i = 0; i < n; i++) {
			pfd[i].fd = c[i].state == WAITING ? c[i].fd : -1;
			pfd[i].events = POLLIN;
			pending += c[i].state == WAITING;
		}
		if (!pending)
			break;
		timeout = (int)(deadline - now_ms());
		if (timeout <= 0)
			break;
		r = poll(pfd, n, timeout);
		if (r < 0 && errno != EINTR) {
			perror("poll");
			return 1;
		}
		for (unsigned int i = 0; r > 0 && i < n; i++) {
			ssize_t got;
			char *nul;

			if (!pfd[i].revents || c[i].state != WAITING)
				continue;
			got = recv(c[i].fd, c[i].buf + c[i].len, sizeof(c[i].buf) - c[i].len - 1, 0);
			if (got <= 0) {
				if (got < 0 && (errno == EINTR || errno == EAGAIN))
					continue;
				/* EOF or ECONNRESET before any reply: refused. */
				c[i].state = REFUSED;
				continue;
			}
			c[i].len += (size_t)got;
			c[i].buf[c[i].len] = '\0';
			nul = memchr(c[i].buf, '\0', c[i].len);
			if (nul) {
				if (good_version_reply(c[i].buf)) {
					c[i].state = ANSWERED;
				} else {
					fprintf(stderr, "connection %u: unexpected reply: %s\n", i, c[i].buf);
					c[i].state = REFUSED;
					bad++;
				}
			} else if (c[i].len == sizeof(c[i].buf) - 1) {
				fprintf(stderr, "connection %u: reply too long\n", i);
				c[i].state = REFUSED;
				bad++;
			}
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		answered += c[i].state == ANSWERED;
		refused += c[i].state == REFUSED;
		if (c[i].fd >= 0)
			close(c[i].fd);
	}
	printf("answered %u refused %u pending %u bad %u\n", answered, refused - bad, pending, bad);
	free(c);
	free(pfd);
	return pending || bad ? 1 : 0;
}

/* ---- noread ---------------------------------------------------------------- */

static int noread(const char *path, int timeout_s)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	static const char msg[] = LIST_CARDS;
	unsigned long calls = 0;
	size_t off = 0;
	int fd = connect_to(path);

	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int timeout = (int)(deadline - now_ms());
		ssize_t n;

		if (timeout <= 0) {
			printf("still connected after %lu calls\n", calls);
			close(fd);
			return 1;
		}
		if (poll(&p, 1, timeout) <= 0)
			continue;
		if (p.revents & (POLLERR | POLLHUP)) {
			printf("dropped after %lu calls\n", calls);
			close(fd);
			return 0;
		}
		n = send(fd, msg + off, sizeof(msg) - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			printf("dropped after %lu calls: %s\n", calls, strerror(errno));
			close(fd);
			return 0;
		}
		off += (size_t)n;
		if (off == sizeof(msg)) { /* with its NUL */
			off = 0;
			calls++;
		}
	}
}

/* ---- call ------------------------------------------------------------------ */

static int call(const char *path, const char *msg, int timeout_s)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	int fd = connect_to(path);

	if (!buf)
		return 1;
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		free(buf);
		return 1;
	}
	if (send_msg(fd, msg) < 0) {
		fprintf(stderr, "send: %s\n", strerror(errno));
		goto fail;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int timeout = (int)(deadline - now_ms());
		char *nul;
		ssize_t n;

		while ((nul = memchr(buf, '\0', len))) {
			struct json_object *o = json_tokener_parse(buf), *v;
			bool continues = o && json_object_object_get_ex(o, "continues", &v) &&
					 json_object_get_boolean(v);
			size_t mlen = (size_t)(nul - buf) + 1;

			printf("%s\n", buf);
			fflush(stdout);
			json_object_put(o);
			memmove(buf, buf + mlen, len - mlen);
			len -= mlen;
			if (!continues) {
				close(fd);
				free(buf);
				return 0;
			}
		}
		if (timeout <= 0) {
			fprintf(stderr, "timed out\n");
			goto fail;
		}
		if (len == cap) {
			char *b = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;

			if (!b) {
				fprintf(stderr, "reply too large\n");
				goto fail;
			}
			buf = b;
			cap *= 2;
		}
		if (poll(&p, 1, timeout) <= 0)
			continue;
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "connection closed\n");
			close(fd);
			free(buf);
			return 2;
		}
		len += (size_t)n;
	}
fail:
	close(fd);
	free(buf);
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: varlink-flood flood SOCKET N [TIMEOUT_S]\n"
			"       varlink-flood noread SOCKET [TIMEOUT_S]\n"
			"       varlink-flood call SOCKET JSON [TIMEOUT_S]\n");
	return 64;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && argc <= 5 && strcmp(argv[1], "flood") == 0) {
		int n = atoi(argv[3]);

		if (n <= 0)
			return usage();
		return flood(argv[2], (unsigned int)n, argc == 5 ? atoi(argv[4]) : 20);
	}
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "noread") == 0)
		return noread(argv[2], argc == 4 ? atoi(argv[3]) : 20);
	if (argc >= 4 && argc <= 5 && strcmp(argv[1], "call") == 0)
		return call(argv[2], argv[3], argc == 5 ? atoi(argv[4]) : 10);
	return usage();
}
