// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The server: its interfaces, its listening sockets (with the accept()
 * back-off: a listener whose accept() fails for want of descriptors or
 * memory pauses instead of spinning), its limits and its log.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "shared/varlink/varlink-internal.h"

int varlink_server_new(struct event_base *base, const struct varlink_server_info *info,
		       struct varlink_server **ret)
{
	struct varlink_server *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->base = base;
	s->info = *info;
	varlink_server_set_limits(s, VARLINK_CONNECTIONS_MAX);
	*ret = s;
	return 0;
}

struct varlink_server *varlink_server_free(struct varlink_server *s)
{
	if (!s)
		return NULL;
	while (s->conns)
		varlink_conn_free(s->conns);
	for (size_t i = 0; i < s->nlisteners; i++) {
		accept_backoff_done(&s->listeners[i]->backoff);
		evconnlistener_free(s->listeners[i]->l);
		free(s->listeners[i]);
	}
	free(s->listeners);
	for (size_t i = 0; i < s->nifaces; i++) {
		free(s->ifaces[i].name);
		free(s->ifaces[i].description);
	}
	free(s->ifaces);
	if (s->bound_path) {
		struct stat st;

		if (lstat(s->bound_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    st.st_dev == s->bound_dev && st.st_ino == s->bound_ino)
			(void)unlink(s->bound_path);
		free(s->bound_path);
	}
	free(s);
	return NULL;
}

int varlink_server_add_interface(struct varlink_server *s, const char *name,
				 const char *description, const struct varlink_method *methods,
				 size_t nmethods, void *userdata)
{
	struct iface *v = realloc(s->ifaces, (s->nifaces + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	s->ifaces = v;
	v[s->nifaces] = (struct iface){
		.name = strdup(name),
		.description = strdup(description),
		.methods = methods,
		.nmethods = nmethods,
		.userdata = userdata,
	};
	if (!v[s->nifaces].name || !v[s->nifaces].description) {
		free(v[s->nifaces].name);
		free(v[s->nifaces].description);
		return -ENOMEM;
	}
	s->nifaces++;
	return 0;
}

void varlink_server_set_log(struct varlink_server *s, log_sink_fn fn, void *userdata)
{
	s->log = (struct log_sink){ .fn = fn, .userdata = userdata };
	/* Listeners already open log there too. */
	for (size_t i = 0; i < s->nlisteners; i++)
		s->listeners[i]->backoff.sink = s->log;
}

void varlink_server_set_admin_gid(struct varlink_server *s, gid_t gid)
{
	s->admin_gid = gid;
	s->has_admin_gid = gid != (gid_t)-1;
}

static void on_accept_error(struct evconnlistener *l, void *userdata)
{
	struct listener *li = userdata;

	accept_backoff_error(&li->backoff, EVUTIL_SOCKET_ERROR());
}

int varlink_server_listen_fd(struct varlink_server *s, int fd)
{
	struct listener **v, *li;

	v = realloc(s->listeners, (s->nlisteners + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->listeners = v;
	li = calloc(1, sizeof(*li));
	if (!li)
		return -ENOMEM;
	li->s = s;
	/* The timer first: once the listener exists, it owns fd. */
	if (accept_backoff_init(&li->backoff, s->base, NULL, "varlink", &s->log) < 0) {
		free(li);
		return -ENOMEM;
	}
	evutil_make_socket_nonblocking(fd);
	li->l = evconnlistener_new(s->base, varlink_on_accept, li,
				   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (!li->l) {
		accept_backoff_done(&li->backoff);
		free(li);
		return -ENOMEM;
	}
	li->backoff.listener = li->l;
	evconnlistener_set_error_cb(li->l, on_accept_error);
	s->listeners[s->nlisteners++] = li;
	return 0;
}

int varlink_server_listen_path(struct varlink_server *s, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A socket left by a daemon that died is stale: nobody listens on it.
	 * (A live one is not ours to replace: the daemon holds the lock of
	 * the runtime directory before it gets here.) */
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0666) < 0 ||
	    lstat(path, &st) < 0 || listen(fd, SOMAXCONN) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = varlink_server_listen_fd(s, fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	/* Remembered after the listener: if it fails, the caller gives up
	 * and the path stays bound to nothing, which the next start cleans. */
	free(s->bound_path);
	s->bound_path = strdup(path);
	s->bound_dev = st.st_dev;
	s->bound_ino = st.st_ino;
	return 0;
}

unsigned int varlink_server_connections(const struct varlink_server *s)
{
	return s->nconns;
}

void varlink_server_set_limits(struct varlink_server *s, unsigned int max)
{
	if (max > VARLINK_CONNECTIONS_MAX)
		max = VARLINK_CONNECTIONS_MAX;
	if (max < 1)
		max = 1;
	s->max_conns = max;
	s->max_per_uid = max < VARLINK_CONNECTIONS_PER_UID_MAX ? max : VARLINK_CONNECTIONS_PER_UID_MAX;
}

