// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of daemon/config/config-lexer.c, the line syntax of ocxlpmemd.conf.
 * Each case is a file's bytes and the tokens it must give, one per line of
 * the expected text:
 *   "N [name]"          a section header at line N
 *   "N <key>=<value>"   a pair
 *   "N !message"        an error on a line that was not a header
 *   "N ![message"       an error on a line meant as a header
 * The meaning of sections and keys is tested in test-config.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config-lexer.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#define SYNTAX "syntax error (expected 'key = value', '[section]' or a comment)"
#define HEADER "invalid section header (expected e.g. [poll] or [card SERIAL])"
#define AFTER "unexpected text after ']' (expected a comment starting with ';' or '#')"
#define LONG "line too long (at most 198 characters)"
#define NUL "line contains a NUL byte"

struct lex_case {
	const char *name;
	const char *text;
	size_t size; /* 0: strlen(text) */
	const char *tokens;
};

/* 198 and 199 characters, not counting the newline. */
#define A50 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A46 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LINE_198 "k=" A50 A50 A50 A46
#define LINE_199 LINE_198 "a"

static const struct lex_case cases[] = {
	{ "empty file", "", 0, "" },
	{ "comments and blanks", "# a\n; b\n\n \t \r\n\t# c\n   ; d\n", 0, "" },
	{ "section and pair", "[poll]\njitter = 5\n", 0, "1 [poll]\n2 <jitter>=<5>\n" },
	{ "no newline at the end", "[poll]\njitter=5", 0, "1 [poll]\n2 <jitter>=<5>\n" },
	{ "blanks trimmed", "  [ thresholds\t]  \n\t key \t=\t value with  spaces \r\n", 0,
	  "1 [thresholds]\n2 <key>=<value with  spaces>\n" },
	{ "':' separates too", "a: 1\nb :2\n", 0, "1 <a>=<1>\n2 <b>=<2>\n" },
	{ "the first '=' or ':' separates", "a = b = c\nd: e=f\ng = h:i\n", 0,
	  "1 <a>=<b = c>\n2 <d>=<e=f>\n3 <g>=<h:i>\n" },
	{ "empty key and value", "=\n = \nk=\n", 0, "1 <>=<>\n2 <>=<>\n3 <k>=<>\n" },
	{ "inline ';' comment after a blank", "k = 5 ; five\nk = 5\t;five\nk = a;b\n", 0,
	  "1 <k>=<5>\n2 <k>=<5>\n3 <k>=<a;b>\n" },
	{ "';' right after '=' is value", "k =;x\nk = ;x\n", 0, "1 <k>=<;x>\n2 <k>=<>\n" },
	{ "'#' is never an inline comment", "k = 10 # ten\n", 0, "1 <k>=<10 # ten>\n" },
	{ "comment before '=': no pair", "k ;= 5\n", 0, "1 !" SYNTAX "\n" },
	{ "line without separator", "jitter 5\n[poll]\nnonsense\n", 0,
	  "1 !" SYNTAX "\n2 [poll]\n3 !" SYNTAX "\n" },
	{ "indentation never continues a line", "[poll]\nk = 1\n    more = 2\n", 0,
	  "1 [poll]\n2 <k>=<1>\n3 <more>=<2>\n" },
	{ "BOM on line 1 only", "\xef\xbb\xbf[poll]\n\xef\xbb\xbfk=1\n", 0,
	  "1 [poll]\n2 <\xef\xbb\xbfk>=<1>\n" },
	{ "BOM then indentation", "\xef\xbb\xbf  k=1\n", 0, "1 <k>=<1>\n" },
	{ "CRLF", "[poll]\r\nk = 1\r\n", 0, "1 [poll]\n2 <k>=<1>\n" },
	{ "header with a comment", "[poll] ; c\n[dumps]# c\n[alerts]\t\r\n", 0,
	  "1 [poll]\n2 [dumps]\n3 [alerts]\n" },
	{ "text after ']': error, then the section", "[poll] jitter = 5\n", 0,
	  "1 !" AFTER "\n1 [poll]\n" },
	{ "second ']'", "[poll]]\n", 0, "1 !" AFTER "\n1 [poll]\n" },
	{ "header without ']'", "[poll\n", 0, "1 ![" HEADER "\n" },
	{ "empty header", "[]\n[ \t]\n", 0, "1 ![" HEADER "\n2 ![" HEADER "\n" },
	{ "comment inside brackets", "[po ;x]\n", 0, "1 ![" HEADER "\n" },
	{ "';' without blank inside brackets", "[po;x]\n", 0, "1 [po;x]\n" },
	{ "broken header with text after ']'", "[] x\n", 0, "1 !" AFTER "\n1 ![" HEADER "\n" },
	{ "inner blanks kept", "[card   77]\n", 0, "1 [card   77]\n" },
	{ "case kept", "[Poll]\nJitter=1\n", 0, "1 [Poll]\n2 <Jitter>=<1>\n" },
	{ "198 characters", LINE_198 "\n", 0, "1 <k>=<" A50 A50 A50 A46 ">\n" },
	{ "198 characters after indentation", "\t\t  " LINE_198 "\n", 0,
	  "1 <k>=<" A50 A50 A50 A46 ">\n" },
	{ "199 characters", LINE_199 "\nk=1\n", 0, "1 !" LONG "\n2 <k>=<1>\n" },
	{ "too long header", "[" LINE_199 "]\nk=1\n", 0, "1 ![" LONG "\n2 <k>=<1>\n" },
	{ "NUL byte", "k=1\0x\nk=2\n", 10, "1 !" NUL "\n2 <k>=<2>\n" },
	{ "NUL in a header", "[a\0]\n", 5, "1 ![" NUL "\n" },
	{ "NUL in a comment still counts", "# \0\n", 4, "1 !" NUL "\n" },
	{ "line numbers count comments and blanks", "\n# c\n\n[a]\n\n\nk=v\n", 0,
	  "4 [a]\n7 <k>=<v>\n" },
	{ "bytes past ASCII are text", "[\xc3\xa9]\n\xff=\x01\n", 0,
	  "1 [\xc3\xa9]\n2 <\xff>=<\x01>\n" },
};

__attribute__((format(printf, 3, 4)))
static void append(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	*buf = realloc(*buf, *len + (size_t)n + 1);
	assert_non_null(*buf);
	memcpy(*buf + *len, s, (size_t)n + 1);
	*len += (size_t)n;
	free(s);
}

/* Every token of text, in the format of the cases. */
static char *lex_all(const char *text, size_t size)
{
	struct config_lexer lx;
	struct config_token t;
	char *out = calloc(1, 1);
	size_t len = 0;
	FILE *f;
	int r;

	assert_non_null(out);
	/* fmemopen() refuses size 0 on some C libraries. */
	f = size ? fmemopen((void *)text, size, "r") : fopen("/dev/null", "re");
	assert_non_null(f);
	config_lexer_init(&lx, f);
	while ((r = config_lexer_next(&lx, &t)) > 0) {
		switch (t.kind) {
		case CONFIG_TOKEN_SECTION:
			append(&out, &len, "%u [%s]\n", t.line, t.name);
			break;
		case CONFIG_TOKEN_PAIR:
			append(&out, &len, "%u <%s>=<%s>\n", t.line, t.key, t.value);
			break;
		case CONFIG_TOKEN_ERROR:
			append(&out, &len, "%u !%s%s\n", t.line, t.header ? "[" : "", t.message);
			break;
		default:
			fail_msg("unknown token kind %d", t.kind);
		}
	}
	assert_int_equal(r, 0);
	/* The end stays the end. */
	assert_int_equal(config_lexer_next(&lx, &t), 0);
	config_lexer_done(&lx);
	fclose(f);
	return out;
}

static void test_cases(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct lex_case *c = &cases[i];
		char *got = lex_all(c->text, c->size ? c->size : strlen(c->text));

		if (strcmp(got, c->tokens) != 0)
			fail_msg("%s: got\n%sexpected\n%s", c->name, got, c->tokens);
		free(got);
	}
}

/* A read error ends the file with -errno, not with a quiet end. */
static void test_read_error(void **state)
{
	struct config_lexer lx;
	struct config_token t;
	FILE *f = fopen("/", "re");

	if (!f)
		skip();
	config_lexer_init(&lx, f);
	assert_int_equal(config_lexer_next(&lx, &t), -EISDIR);
	config_lexer_done(&lx);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_read_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
