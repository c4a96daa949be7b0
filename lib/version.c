// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ocxlpmem/ocxlpmem.h>

#include "private.h"

OCXLPMEM_EXPORT const char *ocxlpmem_version(void)
{
	return PACKAGE_VERSION;
}
