/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's file descriptors: how many clients may hold one.  Clients
 * must never take the descriptors the daemon needs for itself (state
 * files, dumps, card devices, the journal, libevent), so the client caps
 * are derived from RLIMIT_NOFILE, keeping a reserve:
 *
 *   reserve     = max(FD_RESERVE_MIN, limit / 4)
 *   clients     = limit - reserve
 *   http_max    = min(HTTP_CONNECTIONS_MAX, clients / 8), at least 1
 *   varlink_max = min(VARLINK_CONNECTIONS_MAX, clients - http_max), at least 1
 *
 * With the usual hard limit (524288 under systemd) the caps are 64 and
 * 1024; with 1024, 64 and 704; with 128, 8 and 56.
 */
#ifndef OCXLPMEMD_FD_BUDGET_H
#define OCXLPMEMD_FD_BUDGET_H

#define FD_RESERVE_MIN 64
#define HTTP_CONNECTIONS_MAX 64

struct fd_budget {
	unsigned long limit;        /* RLIMIT_NOFILE soft limit in force */
	unsigned long raised_from;  /* the soft limit found at start (= limit: not raised) */
	unsigned int reserve;       /* kept for the daemon itself */
	unsigned int varlink_max;   /* Varlink connections */
	unsigned int http_max;      /* HTTP connections */
};

/* The split of limit descriptors (pure). */
void fd_budget_split(unsigned long limit, struct fd_budget *ret);

/* Raise the soft RLIMIT_NOFILE to the hard one (libevent uses epoll, and
 * the daemon never select()s or spawns), then split it.  0 or -errno;
 * *ret is filled in either way, from the limit in force. */
int fd_budget_init(struct fd_budget *ret);

#endif /* OCXLPMEMD_FD_BUDGET_H */
