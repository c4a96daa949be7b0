// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HTTP/1.x request heads (RFC 9112), just what a metrics endpoint needs:
 * GET and HEAD, no bodies, a path and a query.  Anything else is refused
 * with the status a client can act on; nothing is guessed.  The head is
 * parsed again from the start on each call: it is at most HTTP_HEAD_MAX
 * bytes and the server's request deadline bounds how often that happens.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "metrics/http-request.h"

/* RFC 9110 5.6.2: the characters of a token. */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_token(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return false;
	return true;
}

static bool token_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(s, word, n) == 0;
}

struct parse {
	struct http_request req;
	unsigned int fields, hosts;
	bool saw_close, saw_keep_alive;
	/* Accept-Encoding: gzip named (with q > 0, or q = 0), "*" named. */
	bool gzip_yes, gzip_no, star_yes, star_no;
	/* Accept: the highest q (thousandths) of OpenMetrics 1.0.0 and of
	 * the text format (text/plain, text/any, any/any); -1 if not named. */
	int om_q, text_q;
	int status;
	const char *error;
};

static int refuse(struct parse *p, int status, const char *error)
{
	p->status = status;
	p->error = error;
	return -EBADMSG;
}

/* "GET /metrics?x HTTP/1.1" */
static int parse_request_line(struct parse *p, const char *l, size_t n)
{
	const char *sp1 = memchr(l, ' ', n), *sp2, *t, *end, *q;
	size_t tlen, vlen, mlen;
	const char *v;

	if (!sp1)
		return refuse(p, 400, "malformed request line");
	sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - l));
	if (!sp2)
		return refuse(p, 400, "malformed request line");
	if (!is_token(l, (size_t)(sp1 - l)))
		return refuse(p, 400, "malformed method");
	t = sp1 + 1;
	tlen = (size_t)(sp2 - t);
	v = sp2 + 1;
	vlen = n - (size_t)(v - l);
	if (!tlen)
		return refuse(p, 400, "empty request target");
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7F)
			return refuse(p, 400, "malformed request target");
	if (vlen != 8 || strncmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
	    v[7] < '0' || v[7] > '9')
		return refuse(p, 400, "malformed HTTP version");
	if (v[5] != '1')
		return refuse(p, 505, "only HTTP/1.x is served");
	p->req.minor = (unsigned int)(v[7] - '0');

	mlen = (size_t)(sp1 - l);
	if (mlen == 3 && memcmp(l, "GET", 3) == 0)
		p->req.method = HTTP_GET;
	else if (mlen == 4 && memcmp(l, "HEAD", 4) == 0)
		p->req.method = HTTP_HEAD;
	else
		return refuse(p, 405, "only GET and HEAD are served");

	/* Absolute form (RFC 9112 3.2.2): skip the scheme and authority. */
	end = t + tlen;
	if (t[0] != '/') {
		size_t skip = 0;

		if (tlen > 7 && strncasecmp(t, "http://", 7) == 0)
			skip = 7;
		else if (tlen > 8 && strncasecmp(t, "https://", 8) == 0)
			skip = 8;
		else
			return refuse(p, 400, "request target is not a path");
		t += skip;
		while (t < end && *t != '/' && *t != '?')
			t++;
	}
	q = memchr(t, '?', (size_t)(end - t));
	if (t == end || *t == '?') {
		/* "http://host" or "http://host?q": the path is "/". */
		p->req.path = "/";
		p->req.path_len = 1;
	} else {
		p->req.path = t;
		p->req.path_len = (size_t)((q ? q : end) - t);
	}
	if (q) {
		p->req.query = q + 1;
		p->req.query_len = (size_t)(end - q - 1);
	}
	return 0;
}

static int parse_connection(struct parse *p, const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t start, end;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
			i++;
		end = i;
		if (end == start)
			continue;
		if (token_is(v + start, end - start, "close"))
			p->saw_close = true;
		else if (token_is(v + start, end - start, "keep-alive"))
			p->saw_keep_alive = true;
	}
	return 0;
}

/*
 * A qvalue (RFC 9110 12.4.2): "0", "0.5", "1", "1.000", in thousandths
 * (0..1000); -1 for a malformed one.
 */
static int qvalue_parse(const char *v, size_t n)
{
	int q, scale = 100;

	if (!n || (v[0] != '0' && v[0] != '1'))
		return -1;
	q = v[0] == '1' ? 1000 : 0;
	if (n > 1) {
		if (v[1] != '.' || n > 5)
			return -1;
		for (size_t i = 2; i < n; i++, scale /= 10) {
			if (v[i] < '0' || v[i] > '9')
				return -1;
			if (v[0] == '1' && v[i] != '0')
				return -1;
			q += (v[i] - '0') * scale;
		}
	}
	return q;
}

/*
 * Whether a qvalue is above zero; false for a malformed one too, which is
 * then as if the coding was not named acceptable (a bad hint costs
 * compression, never the request).
 */
static bool qvalue_positive(const char *v, size_t n, bool *ret_valid)
{
	int q = qvalue_parse(v, n);

	*ret_valid = q >= 0;
	return q > 0;
}

/*
 * The lists Accept and Accept-Encoding are made of: elements separated by
 * commas, each a token and ";"-separated parameters, blanks anywhere
 * between.  list_next() steps to the next element's token, param_next()
 * through that element's parameters; both leave *i after what they read.
 */
static bool list_delim(char c)
{
	return c == ',' || c == ';' || c == ' ' || c == '\t';
}

static bool list_next(const char *v, size_t n, size_t *i, size_t *ret_start, size_t *ret_end)
{
	while (*i < n && (v[*i] == ' ' || v[*i] == '\t' || v[*i] == ','))
		(*i)++;
	if (*i >= n)
		return false;
	*ret_start = *i;
	while (*i < n && !list_delim(v[*i]))
		(*i)++;
	*ret_end = *i;
	return true;
}

static bool param_next(const char *v, size_t n, size_t *i, size_t *ret_start, size_t *ret_end)
{
	if (*i >= n || v[*i] == ',')
		return false;
	while (*i < n && (v[*i] == ' ' || v[*i] == '\t' || v[*i] == ';'))
		(*i)++;
	*ret_start = *i;
	while (*i < n && !list_delim(v[*i]))
		(*i)++;
	*ret_end = *i;
	return true;
}

static bool param_is_q(const char *v, size_t ps, size_t pe)
{
	return pe - ps >= 2 && (v[ps] == 'q' || v[ps] == 'Q') && v[ps + 1] == '=';
}

/* Accept-Encoding: "gzip", "gzip;q=0.8, *;q=0", "identity". */
static int parse_accept_encoding(struct parse *p, const char *v, size_t n)
{
	size_t i = 0, start, end, ps, pe;

	while (list_next(v, n, &i, &start, &end)) {
		bool yes = true, valid = true;

		/* Parameters: only q matters. */
		while (param_next(v, n, &i, &ps, &pe)) {
			if (param_is_q(v, ps, pe))
				yes = qvalue_positive(v + ps + 2, pe - ps - 2, &valid) && valid;
			else if (pe > ps)
				valid = false;
		}
		if (end == start)
			continue;
		if (token_is(v + start, end - start, "gzip") ||
		    token_is(v + start, end - start, "x-gzip")) {
			if (yes)
				p->gzip_yes = true;
			else if (valid)
				p->gzip_no = true;
		} else if (token_is(v + start, end - start, "*")) {
			if (yes)
				p->star_yes = true;
			else if (valid)
				p->star_no = true;
		}
	}
	return 0;
}

/*
 * Accept (RFC 9110 12.5.1), only to choose between OpenMetrics 1.0.0 and
 * the text format 0.0.4: the highest q given to each.
 * The Accept field of Prometheus 2.42 lists OpenMetrics 1.0.0 (q=1),
 * OpenMetrics 0.0.1 (q=0.75), text/plain 0.0.4 (q=0.5) and any type
 * (q=0.1).  A media range with a malformed q or an unknown OpenMetrics
 * version is skipped.
 */
static int parse_accept(struct parse *p, const char *v, size_t n)
{
	size_t i = 0, start, end, ps, pe;

	while (list_next(v, n, &i, &start, &end)) {
		int q = 1000;
		bool valid = true, version_ok = true;

		while (param_next(v, n, &i, &ps, &pe)) {
			if (param_is_q(v, ps, pe)) {
				q = qvalue_parse(v + ps + 2, pe - ps - 2);
				valid &= q >= 0;
			} else if (pe - ps > 8 && strncasecmp(v + ps, "version=", 8) == 0) {
				version_ok = token_is(v + ps + 8, pe - ps - 8, "1.0.0");
			}
		}
		if (end == start || !valid)
			continue;
		if (token_is(v + start, end - start, "application/openmetrics-text")) {
			if (version_ok && q > p->om_q)
				p->om_q = q;
		} else if (token_is(v + start, end - start, "text/plain") ||
			   token_is(v + start, end - start, "text/*") ||
			   token_is(v + start, end - start, "*/*")) {
			if (q > p->text_q)
				p->text_q = q;
		}
	}
	return 0;
}

/* Content-Length: only a zero length is served (GET and HEAD have no body). */
static int parse_content_length(struct parse *p, const char *v, size_t n)
{
	bool nonzero = false;

	if (!n)
		return refuse(p, 400, "empty Content-Length");
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return refuse(p, 400, "malformed Content-Length");
		nonzero |= v[i] != '0';
	}
	if (nonzero)
		return refuse(p, 413, "a request body is not accepted");
	return 0;
}

static int parse_field(struct parse *p, const char *l, size_t n)
{
	const char *colon, *v;
	size_t nlen, vlen;

	if (l[0] == ' ' || l[0] == '\t')
		return refuse(p, 400, "obsolete line folding");
	if (++p->fields > HTTP_FIELDS_MAX)
		return refuse(p, 431, "too many header fields");
	colon = memchr(l, ':', n);
	if (!colon)
		return refuse(p, 400, "header field without a colon");
	nlen = (size_t)(colon - l);
	if (!is_token(l, nlen))
		return refuse(p, 400, "malformed header field name");
	v = colon + 1;
	vlen = n - nlen - 1;
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c < 0x20 && c != '\t') || c == 0x7F)
			return refuse(p, 400, "control character in a header field");
	}
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;

	if (token_is(l, nlen, "Host")) {
		p->hosts++;
		return 0;
	}
	if (token_is(l, nlen, "Connection"))
		return parse_connection(p, v, vlen);
	if (token_is(l, nlen, "Content-Length"))
		return parse_content_length(p, v, vlen);
	if (token_is(l, nlen, "Accept-Encoding"))
		return parse_accept_encoding(p, v, vlen);
	if (token_is(l, nlen, "Accept"))
		return parse_accept(p, v, vlen);
	if (token_is(l, nlen, "Transfer-Encoding"))
		return refuse(p, 501, "Transfer-Encoding is not supported");
	return 0;
}

int http_request_parse(const char *buf, size_t len, struct http_request *ret, int *ret_status,
		       const char **ret_error)
{
	struct parse p = { .om_q = -1, .text_q = -1 };
	size_t scan = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX, pos = 0;
	bool have_request_line = false;

	for (;;) {
		const char *l = buf + pos, *nl = memchr(l, '\n', scan - pos), *cr;
		size_t n;
		int r;

		if (!nl) {
			if (len >= HTTP_HEAD_MAX)
				goto too_big;
			return 0;
		}
		n = (size_t)(nl - l);
		pos += n + 1;
		if (n && l[n - 1] == '\r')
			n--;
		cr = memchr(l, '\r', n);
		if (cr)
			r = refuse(&p, 400, "bare CR in the request head");
		else if (memchr(l, '\0', n))
			r = refuse(&p, 400, "NUL in the request head");
		else if (!n && !have_request_line)
			continue; /* empty lines before the request */
		else if (!n)
			break;
		else if (!have_request_line)
			r = parse_request_line(&p, l, n);
		else
			r = parse_field(&p, l, n);
		if (r < 0) {
			*ret_status = p.status;
			*ret_error = p.error;
			return r;
		}
		have_request_line = true;
	}
	if (p.req.minor >= 1 && p.hosts != 1) {
		*ret_status = 400;
		*ret_error = p.hosts ? "more than one Host field" : "HTTP/1.1 request without Host";
		return -EBADMSG;
	}
	if (p.hosts > 1) {
		*ret_status = 400;
		*ret_error = "more than one Host field";
		return -EBADMSG;
	}
	p.req.keep_alive = !p.saw_close && (p.req.minor >= 1 || p.saw_keep_alive);
	/* gzip named acceptable, or "*" and gzip not refused by name. */
	p.req.accept_gzip = !p.gzip_no && (p.gzip_yes || (p.star_yes && !p.star_no));
	/* OpenMetrics when asked for at least as much as the text format. */
	p.req.accept_openmetrics = p.om_q > 0 && p.om_q >= p.text_q;
	*ret = p.req;
	return (int)pos;

too_big:
	*ret_status = 431;
	*ret_error = "request head over 8192 bytes";
	return -EBADMSG;
}
