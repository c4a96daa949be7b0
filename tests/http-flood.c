// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Clients for the HTTP and connection-limit tests that curl and socat
 * cannot be:
 *
 *   http-flood slow PORT INTERVAL_MS LIMIT_S
 *	One slowloris client on 127.0.0.1:PORT: a request line, then one
 *	header line every INTERVAL_MS, never the end of the head.  Prints
 *	the milliseconds until the server closed the connection and exits 0,
 *	or exits 1 if it is still open after LIMIT_S.
 *   http-flood hold PORT N SECONDS
 *	N such clients at once for SECONDS; once a second each sends another
 *	header line, and those the server closed are opened again.  Prints
 *	"opened O closed C".
 *   http-flood hold-unix SOCKET N SECONDS
 *	The same with N silent connections to a unix socket.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static const char *unix_path;
static int port;

static int connect_one(void)
{
	int fd;

	if (unix_path) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", unix_path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			close(fd);
			return -1;
		}
		return fd;
	}
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	if (fd >= 0 && send(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n", 32, MSG_NOSIGNAL) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* True while the server has not closed fd; drains what it sent. */
static bool still_open(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];

	while (poll(&p, 1, 0) > 0) {
		ssize_t n;

		if (p.revents & (POLLERR | POLLHUP))
			return false;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			return n < 0 && (errno == EAGAIN || errno == EINTR);
	}
	return true;
}

static bool send_line(int fd, unsigned int i)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "X-Slow-%u: %u\r\n", i, i);

	if (unix_path)
		return true;
	return send(fd, line, (size_t)n, MSG_NOSIGNAL) == n;
}

static int slow(int interval_ms, int limit_s)
{
	long long start = now_ms(), next;
	unsigned int i = 0;
	int fd = connect_one();

	if (fd < 0) {
		perror("connect");
		return 2;
	}
	next = start + interval_ms;
	while (now_ms() - start < limit_s * 1000LL) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long wait = next - now_ms();

		if (poll(&p, 1, wait > 0 ? (int)wait : 0) > 0 && !still_open(fd)) {
			printf("%lld\n", now_ms() - start);
			close(fd);
			return 0;
		}
		if (now_ms() >= next) {
			if (!send_line(fd, ++i)) {
				printf("%lld\n", now_ms() - start);
				close(fd);
				return 0;
			}
			next += interval_ms;
		}
	}
	fprintf(stderr, "still open after %d s and %u header lines\n", limit_s, i);
	close(fd);
	return 1;
}

static int hold(int n, int seconds)
{
	int *fds = calloc((size_t)n, sizeof(*fds));
	long long end = now_ms() + seconds * 1000LL;
	unsigned long opened = 0, closed = 0;
	unsigned int round = 0;

	if (!fds)
		return 2;
	for (int i = 0; i < n; i++)
		fds[i] = -1;
	while (now_ms() < end) {
		round++;
		for (int i = 0; i < n; i++) {
			if (fds[i] >= 0 && (!still_open(fds[i]) || !send_line(fds[i], round))) {
				close(fds[i]);
				fds[i] = -1;
				closed++;
			}
			if (fds[i] < 0 && (fds[i] = connect_one()) >= 0)
				opened++;
		}
		usleep(1000 * 1000);
	}
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	printf("opened %lu closed %lu\n", opened, closed);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: http-flood slow PORT INTERVAL_MS LIMIT_S\n"
			"       http-flood hold PORT N SECONDS\n"
			"       http-flood hold-unix SOCKET N SECONDS\n");
	return 64;
}

int main(int argc, char **argv)
{
	if (argc != 5)
		return usage();
	if (strcmp(argv[1], "hold-unix") == 0)
		unix_path = argv[2];
	else
		port = atoi(argv[2]);
	if (strcmp(argv[1], "slow") == 0)
		return slow(atoi(argv[3]), atoi(argv[4]));
	if (strcmp(argv[1], "hold") == 0 || strcmp(argv[1], "hold-unix") == 0)
		return hold(atoi(argv[3]), atoi(argv[4]));
	return usage();
}
