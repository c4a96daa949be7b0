#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every generated man page renders without a single warning: no line that
# cannot be broken, no table wider than 80 columns, no bad request.
#
#   test-man-lint.sh [PAGE...]
#
# Pages: the arguments, else $OCXL_MAN_PAGES (set by make check from
# man/man.am, relative to $top_builddir), else every man/*.[1-8] built in
# $top_builddir.  Each page goes through man-db's own warning check, as
# lintian runs it, and through groff with every warning enabled.
# Exit: 0 clean, 1 warnings, 77 skipped (no groff).
set -eu

top_builddir=${top_builddir:-.}

if [ $# -eq 0 ]; then
	if [ -n "${OCXL_MAN_PAGES:-}" ]; then
		for page in $OCXL_MAN_PAGES; do
			set -- "$@" "$top_builddir/$page"
		done
	else
		for page in "$top_builddir"/man/*.[1-8]; do
			[ -e "$page" ] && set -- "$@" "$page"
		done
	fi
fi
if [ $# -eq 0 ]; then
	echo "test-man-lint: no man pages to check" >&2
	exit 1
fi

if ! command -v groff > /dev/null 2>&1; then
	echo "test-man-lint: SKIP: groff not found (install groff-base)"
	exit 77
fi
have_man=no
if command -v man > /dev/null 2>&1 && man --help 2>&1 | grep -q -e '--warnings'; then
	have_man=yes
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0
for page in "$@"; do
	if [ ! -r "$page" ]; then
		echo "test-man-lint: $page: not built" >&2
		status=1
		continue
	fi
	: > "$tmp/warnings"
	if [ "$have_man" = yes ]; then
		# man-db's sandbox can fail in containers; it adds nothing here.
		LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 MAN_DISABLE_SECCOMP=1 \
			man --warnings -E UTF-8 -l -Tutf8 -Z "$page" \
			> /dev/null 2>> "$tmp/warnings" || echo "man failed on $page" >> "$tmp/warnings"
	fi
	# -rcR=1: one continuous page, as man renders for a terminal; 78n is
	# groff's own terminal width.  In that mode the page grows as text
	# arrives, but tbl still compares a text block with the current page
	# end and warns that it "will not fit on one page", wherever a block
	# happens to fall: that one message is noise and is dropped.
	LC_ALL=C.UTF-8 groff -k -man -t -ww -z -Tutf8 -rcR=1 -rLL=78n "$page" \
		2> "$tmp/groff" || echo "groff failed on $page" >> "$tmp/warnings"
	grep -v 'table text block will not fit on one page$' "$tmp/groff" \
		>> "$tmp/warnings" || :
	if [ -s "$tmp/warnings" ]; then
		echo "test-man-lint: $page:" >&2
		sed 's/^/  /' "$tmp/warnings" >&2
		status=1
	else
		echo "test-man-lint: $page: clean"
	fi
done
exit "$status"
