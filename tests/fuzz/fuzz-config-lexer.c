// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the tokeniser of ocxlpmemd.conf on its own (fuzz-config fuzzes the
 * whole loader on top of it; this one reaches the line rules faster and
 * checks what every token promises):
 * - line numbers start at 1, never go down and never pass the last line;
 * - a line gives at most two tokens (an error, then its header);
 * - names, keys and values come trimmed (a name of spaces and tabs only,
 *   as "[poll\r]" never was [poll]), within the line limit, with no
 *   newline; a section name is never empty and holds no ']'; a key holds
 *   no '=' or ':';
 * - an error has a printable message;
 * - the end is reached and stays the end; nothing leaks (ASan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config-lexer.h"
#include "fuzz.h"

/* s is trimmed of the characters in blanks, at most a line, one line. */
static void check_text(const char *s, bool may_be_empty, const char *blanks)
{
	size_t n = strlen(s);

	FUZZ_CHECK(may_be_empty || n > 0);
	FUZZ_CHECK(n <= CONFIG_LINE_MAX);
	FUZZ_CHECK(!strchr(s, '\n'));
	if (n)
		FUZZ_CHECK(!strchr(blanks, s[0]) && !strchr(blanks, s[n - 1]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_lexer lx;
	struct config_token t;
	unsigned int lines = 1, last = 0, same = 0;
	FILE *f;
	int r;

	/* fmemopen() refuses size 0 on some C libraries. */
	if (!size)
		return 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	f = fmemopen((void *)data, size, "r");
	FUZZ_CHECK(f);

	config_lexer_init(&lx, f);
	while ((r = config_lexer_next(&lx, &t)) > 0) {
		FUZZ_CHECK(t.line >= 1 && t.line <= lines && t.line >= last);
		same = t.line == last ? same + 1 : 1;
		FUZZ_CHECK(same <= 2);
		last = t.line;
		switch (t.kind) {
		case CONFIG_TOKEN_SECTION:
			check_text(t.name, false, " \t");
			FUZZ_CHECK(!strchr(t.name, ']'));
			break;
		case CONFIG_TOKEN_PAIR:
			check_text(t.key, true, " \t\r\f\v");
			check_text(t.value, true, " \t\r\f\v");
			FUZZ_CHECK(!strpbrk(t.key, "=:"));
			break;
		case CONFIG_TOKEN_ERROR:
			FUZZ_CHECK(t.message && t.message[0]);
			for (const char *p = t.message; *p; p++)
				FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
			break;
		default:
			FUZZ_CHECK(!"unknown token kind");
		}
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(config_lexer_next(&lx, &t) == 0);
	config_lexer_done(&lx);
	fclose(f);
	return 0;
}
