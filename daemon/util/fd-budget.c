// SPDX-License-Identifier: GPL-2.0-or-later
/* File descriptors for clients and for the daemon: see fd-budget.h. */
#include <errno.h>
#include <sys/resource.h>

#include "util/fd-budget.h"
#include "shared/varlink/varlink.h"

void fd_budget_split(unsigned long limit, struct fd_budget *ret)
{
	unsigned long reserve = limit / 4, clients, http, varlink;

	if (reserve < FD_RESERVE_MIN)
		reserve = FD_RESERVE_MIN;
	clients = limit > reserve ? limit - reserve : 0;
	http = clients / 8;
	if (http > HTTP_CONNECTIONS_MAX)
		http = HTTP_CONNECTIONS_MAX;
	if (http < 1)
		http = 1;
	varlink = clients > http ? clients - http : 0;
	if (varlink > VARLINK_CONNECTIONS_MAX)
		varlink = VARLINK_CONNECTIONS_MAX;
	if (varlink < 1)
		varlink = 1;
	ret->limit = limit;
	ret->raised_from = limit;
	ret->reserve = reserve > 0xFFFFFFFFul ? 0xFFFFFFFFu : (unsigned int)reserve;
	ret->http_max = (unsigned int)http;
	ret->varlink_max = (unsigned int)varlink;
}

int fd_budget_init(struct fd_budget *ret)
{
	struct rlimit rl;
	unsigned long was;
	int r = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		r = -errno;
		fd_budget_split(1024, ret);
		return r;
	}
	was = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			r = -errno;
			rl.rlim_cur = was;
		}
	}
	fd_budget_split(rl.rlim_cur == RLIM_INFINITY ? 1ul << 20 : rl.rlim_cur, ret);
	ret->raised_from = was;
	return r;
}
