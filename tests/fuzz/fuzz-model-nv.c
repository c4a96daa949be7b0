// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The card model's non-volatile state parser: never crash, refuse all or
 * apply all, and what it accepts formats back to a document it accepts
 * again with the same meaning.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ocxlpmem_model_config cfg = { .serial = 77 };
	struct ocxlpmem_model *a = NULL, *b = NULL;
	char *t1 = NULL, *t2 = NULL;
	size_t l1, l2;

	if (ocxlpmem_model_new(&cfg, &a) < 0 || ocxlpmem_model_new(&cfg, &b) < 0)
		abort();
	if (model_nv_parse(a, (const char *)data, size) == 0) {
		if (model_nv_format(a, &t1, &l1) < 0 || model_nv_parse(b, t1, l1) != 0 ||
		    model_nv_format(b, &t2, &l2) < 0 || l1 != l2 || memcmp(t1, t2, l1) != 0)
			abort();
	}
	free(t1);
	free(t2);
	ocxlpmem_model_free(a);
	ocxlpmem_model_free(b);
	return 0;
}
