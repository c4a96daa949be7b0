// SPDX-License-Identifier: LGPL-2.1-or-later
/* Prints "FN MS" for every function: the library's default timeouts, which
 * tests/test-abi-timeouts.sh compares with the FUNCTIONS table of
 * ocxlpmem-abi(7). */
#include <stdio.h>

#include <ocxlpmem/ocxlpmem.h>

int main(void)
{
	for (unsigned int fn = OCXLPMEM_FN_MIN; fn <= OCXLPMEM_FN_MAX; fn++)
		printf("%u %u\n", fn, ocxlpmem_function_default_timeout_ms(fn));
	return 0;
}
