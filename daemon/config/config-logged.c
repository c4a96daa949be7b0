// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config_load() with its problems logged: the start (main.c) and a reload
 * (manager.c) load the same files and report them the same way.  Apart
 * from the loader so that the loader stays free of logging (fuzz-config
 * links it alone).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"
#include "util/log.h"

int config_load_logged(const char *path, bool missing_ok, struct config **ret,
		       size_t *ret_found)
{
	struct config_errors errors = { 0 };
	char *dropins = NULL;
	int r;

	if (asprintf(&dropins, "%s.d", path) < 0)
		return log_errno(LOG_ERR, -ENOMEM, "cannot read configuration %s", path);
	r = config_load(path, missing_ok, dropins, ret, &errors);
	free(dropins);
	for (size_t i = 0; i < errors.n; i++)
		log_error("%s", errors.v[i].message);
	if (r < 0 && !errors.n)
		log_errno(LOG_ERR, r, "cannot read configuration %s", path);
	if (ret_found)
		*ret_found = errors.found;
	config_errors_clear(&errors);
	return r;
}
