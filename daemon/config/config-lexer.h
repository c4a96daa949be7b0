/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The line syntax of ocxlpmemd.conf: one token per meaningful line, with
 * its line number.  It knows nothing of sections or keys by name; the
 * loader (config.c) gives the tokens their meaning.  See config-lexer.c
 * for why this is not libinih.
 */
#ifndef OCXLPMEMD_CONFIG_LEXER_H
#define OCXLPMEMD_CONFIG_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Longest line, not counting its indentation and newline: what libinih
 * allowed as Debian builds it, kept so that no file that loaded stops
 * loading.  ocxlpmemd.conf(5) documents it.
 */
#define CONFIG_LINE_MAX 198

enum config_token_kind {
	CONFIG_TOKEN_SECTION = 1, /* "[name]": .name */
	CONFIG_TOKEN_PAIR,        /* "key = value" or "key: value": .key, .value */
	CONFIG_TOKEN_ERROR,       /* a line that is none of the above: .message */
};

struct config_token {
	enum config_token_kind kind;
	unsigned int line;   /* 1-based, physical */
	/*
	 * SECTION: between the brackets, spaces and tabs trimmed (not the
	 * other blanks: "[poll\r]" never was [poll]); never empty.  raw is
	 * the same text untrimmed, as messages quote an unknown one.
	 */
	const char *name;
	const char *raw;
	/* PAIR: blanks trimmed, either may be empty; the value stops at an
	 * inline comment (';' after a blank). */
	const char *key;
	const char *value;
	/* ERROR: what is wrong, a static string to show with the line. */
	const char *message;
	/*
	 * ERROR: the line was meant as a section header ('[' first), so the
	 * section before it must not take the keys that follow.
	 */
	bool header;
};

struct config_lexer {
	FILE *f;
	unsigned int line;
	char *buf;
	size_t bufsize;
	char name[CONFIG_LINE_MAX + 1];
	/* A header with text after ']' gives an error and then its section. */
	struct config_token pending;
	bool has_pending;
};

/* Read from f, which stays the caller's. */
void config_lexer_init(struct config_lexer *lx, FILE *f);

/*
 * The next token: 1 with *ret set (its strings live until the next call),
 * 0 at the end of the file, or -errno when reading fails.
 */
int config_lexer_next(struct config_lexer *lx, struct config_token *ret);

void config_lexer_done(struct config_lexer *lx);

#endif /* OCXLPMEMD_CONFIG_LEXER_H */
