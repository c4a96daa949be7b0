// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tokeniser of ocxlpmemd.conf (see config-lexer.h).
 *
 * Why not libinih, which ocxlpmemd used before: the format that
 * ocxlpmemd.conf(5) documents needs, for every line, its line number and
 * whether it was a header, a pair or a syntax error, and inih 55 (Debian
 * 12) gives none of that through its API.  Its handler sees neither line
 * numbers nor section headers (INI_HANDLER_LINENO and
 * INI_CALL_HANDLER_ON_NEW_SECTION are build options of the shared library,
 * off in Debian's, and the first changes the handler's signature); a
 * syntax error only sets the return value to the first bad line; a line
 * longer than the build's buffer is cut or split silently; indented lines
 * continue the previous value; section names are cut at 49 bytes; and
 * text after ']' is ignored.  Driving inih anyway took a reader that fed
 * it made-up lines to learn the section and guessed which lines it had
 * refused: more code than this file, and wrong whenever the library was
 * built otherwise.  What inih did for us (split at '=' or ':', trim blanks,
 * cut an inline ';' comment) is the few lines of lex_pair() below, with
 * its rules kept exactly, so every file reads as it did.
 *
 * Rules, per physical line (split at '\n'):
 * - a UTF-8 byte-order mark at the start of line 1 is dropped; so are
 *   leading blanks (space, tab, CR, FF, VT): indentation never continues
 *   the line before;
 * - a line with a NUL byte, or longer than CONFIG_LINE_MAX, is an error;
 * - empty lines and lines starting with ';' or '#' are comments;
 * - "[name]" is a header; after ']' only blanks or a comment may follow;
 *   spaces and tabs around the name do not count; an empty name or a
 *   missing ']' is an error;
 * - "key = value" (or ':') is a pair; ';' after a blank starts a comment,
 *   '#' does not;
 * - anything else is a syntax error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "config/config-lexer.h"

/* The spelling of the line limit in its message. */
#define STR_(x) #x
#define STR(x) STR_(x)

static const char msg_nul[] = "line contains a NUL byte";
static const char msg_too_long[] = "line too long (at most " STR(CONFIG_LINE_MAX) " characters)";
static const char msg_syntax[] =
	"syntax error (expected 'key = value', '[section]' or a comment)";
static const char msg_header[] = "invalid section header (expected e.g. [poll] or [card SERIAL])";
static const char msg_after_header[] =
	"unexpected text after ']' (expected a comment starting with ';' or '#')";

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* First char of s in stop (if not NULL), or of an inline comment, or the end. */
static char *scan(char *s, const char *stop)
{
	bool after_blank = false;

	for (; *s; s++) {
		if (stop && strchr(stop, *s))
			break;
		if (after_blank && *s == ';')
			break;
		after_blank = is_blank(*s);
	}
	return s;
}

/* Trim [s, end) in place; the result is NUL-terminated. */
static char *trim(char *s, char *end)
{
	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	*end = '\0';
	return s;
}

static void set_error(struct config_token *t, const char *message, bool header)
{
	t->kind = CONFIG_TOKEN_ERROR;
	t->message = message;
	t->header = header;
}

static void lex_header(struct config_lexer *lx, char *p, struct config_token *t)
{
	const char *after = strchr(p, ']');
	size_t n, len;
	char *end;
	bool junk = false;

	/* Checked on the raw line: a ']' inside a comment still counts. */
	if (after) {
		after++;
		while (is_blank(*after))
			after++;
		junk = *after && *after != ';' && *after != '#';
	}

	end = scan(p + 1, "]");
	if (*end != ']') {
		set_error(t, msg_header, true);
	} else {
		*end = '\0';
		t->kind = CONFIG_TOKEN_SECTION;
		t->raw = p + 1;
		/* The name is a copy: raw must stay as written. */
		n = strspn(t->raw, " \t");
		len = strlen(t->raw + n);
		while (len && (t->raw[n + len - 1] == ' ' || t->raw[n + len - 1] == '\t'))
			len--;
		memcpy(lx->name, t->raw + n, len);
		lx->name[len] = '\0';
		t->name = lx->name;
		if (!len)
			set_error(t, msg_header, true);
	}
	if (junk) {
		lx->pending = *t;
		lx->has_pending = true;
		*t = (struct config_token){ .line = t->line };
		set_error(t, msg_after_header, false);
	}
}

static void lex_pair(char *p, struct config_token *t)
{
	char *eq = scan(p, "=:"), *value;

	if (*eq != '=' && *eq != ':') {
		set_error(t, msg_syntax, false);
		return;
	}
	value = eq + 1;
	t->kind = CONFIG_TOKEN_PAIR;
	t->key = trim(p, eq);
	t->value = trim(value, scan(value, NULL));
}

void config_lexer_init(struct config_lexer *lx, FILE *f)
{
	*lx = (struct config_lexer){ .f = f };
}

int config_lexer_next(struct config_lexer *lx, struct config_token *ret)
{
	ssize_t len;
	size_t n;
	char *p;

	if (lx->has_pending) {
		lx->has_pending = false;
		*ret = lx->pending;
		return 1;
	}
	for (;;) {
		errno = 0;
		len = getline(&lx->buf, &lx->bufsize, lx->f);
		if (len < 0) {
			if (ferror(lx->f))
				return errno > 0 ? -errno : -EIO;
			return 0;
		}
		lx->line++;
		p = lx->buf;
		n = (size_t)len;
		if (n && p[n - 1] == '\n')
			p[--n] = '\0';
		if (lx->line == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3;
			n -= 3;
		}
		while (n && is_blank(*p)) {
			p++;
			n--;
		}

		*ret = (struct config_token){ .line = lx->line };
		if (memchr(p, '\0', n)) {
			set_error(ret, msg_nul, *p == '[');
			return 1;
		}
		if (n > CONFIG_LINE_MAX) {
			set_error(ret, msg_too_long, *p == '[');
			return 1;
		}
		if (!n || *p == ';' || *p == '#')
			continue;
		if (*p == '[')
			lex_header(lx, p, ret);
		else
			lex_pair(p, ret);
		return 1;
	}
}

void config_lexer_done(struct config_lexer *lx)
{
	free(lx->buf);
	*lx = (struct config_lexer){ 0 };
}
