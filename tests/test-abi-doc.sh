#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ocxlpmem-abi(7) and ocxlpmem/abi.h agree on every struct size, field
# offset and size, function number, status code, event bit and other
# constant.
#
#   test-abi-doc.sh [PAGE.scd]     (default: $top_srcdir/man/ocxlpmem-abi.7.scd)
#
# Three sources:
#   - the tables of the page marked "; abi-check: KIND [PREFIX]" (the
#     convention is described at the top of the page's source);
#   - tests/abi-layout, which prints the same facts from the real headers
#     with offsetof/sizeof;
#   - abi.h itself, read for names only, so that a struct, field or enum
#     member that abi-layout.c forgot to list is reported too.
# Exit: 0 agree, 1 disagree, 99 the check itself could not run.
set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-.}
page=${1:-$top_srcdir/man/ocxlpmem-abi.7.scd}
header=$top_srcdir/lib/ocxlpmem/abi.h
layout=$top_builddir/tests/abi-layout

if [ ! -r "$page" ] || [ ! -r "$header" ]; then
	echo "test-abi-doc: cannot read $page or $header" >&2
	exit 99
fi
if [ ! -x "$layout" ]; then
	echo "test-abi-doc: $layout is not built (make tests/abi-layout)" >&2
	exit 99
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The page's marked tables, one "sizeof S N", "layout S.F OFF SIZE" or
# "const NAME VALUE" line each, values in decimal.
extract_page() {
	awk '
	function complain(msg) {
		printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
		bad = 1
	}
	function trim(s) {
		sub(/^[ \t]+/, "", s)
		sub(/[ \t]+$/, "", s)
		return s
	}
	# Decimal, 0x-hexadecimal or "1 << N"; -1 for anything else.
	function value(v,    n, i, d) {
		if (v ~ /^[0-9]+$/)
			return v + 0
		if (v ~ /^0[xX][0-9a-fA-F]+$/) {
			n = 0
			for (i = 3; i <= length(v); i++) {
				d = index("0123456789abcdef", tolower(substr(v, i, 1)))
				n = n * 16 + d - 1
			}
			return n
		}
		if (v ~ /^1[ ]*<<[ ]*[0-9]+$/) {
			sub(/^1[ ]*<<[ ]*/, "", v)
			n = 1
			for (i = 0; i < v + 0; i++)
				n *= 2
			return n
		}
		return -1
	}
	function constant(name, v) {
		if (name !~ /^[A-Z][A-Z0-9_]*$/) {
			complain("not a constant name: \"" name "\"")
			return
		}
		if (value(v) < 0) {
			complain("not a value: \"" v "\"")
			return
		}
		printf "const %s%s %.0f\n", prefix, name, value(v)
	}
	function row(    name) {
		if (ncell == 0)
			return
		if (header_row) {
			header_row = 0
		} else if (kind == "layout") {
			if (ncell < 3 || cell[1] !~ /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/ ||
			    cell[2] !~ /^[0-9]+$/ || cell[3] !~ /^([0-9]+|var)$/)
				complain("layout row needs STRUCT[.FIELD], offset, size: \"" cell[1] "\"")
			else if (index(cell[1], "."))
				printf "layout %s%s %d %s\n", prefix, cell[1], cell[2], cell[3]
			else if (cell[2] != 0 || cell[3] == "var")
				complain("the size row of " cell[1] " needs offset 0 and a size")
			else
				printf "sizeof %s%s %d\n", prefix, cell[1], cell[3]
		} else if (ncell < 2) {
			complain("row needs two cells")
		} else if (kind == "value-name") {
			constant(cell[2], cell[1])
		} else {
			constant(cell[1], cell[2])
		}
		ncell = 0
	}
	/^; abi-check:/ {
		if (pending)
			complain("abi-check without a table")
		kind = $3
		prefix = NF >= 4 ? $4 : ""
		if (kind != "layout" && kind != "value-name" && kind != "name-value")
			complain("unknown abi-check kind \"" kind "\"")
		pending = 1
		next
	}
	/^; / { next }
	pending {
		if ($0 !~ /^[][|]/) {
			complain("abi-check must be followed by a table")
			pending = 0
			next
		}
		pending = 0
		intable = 1
		header_row = 1
		ncell = 1
		cell[1] = trim(substr($0, 3))
		nrows++
		next
	}
	intable {
		c = substr($0, 1, 1)
		if (c == "|") {
			row()
			ncell = 1
			cell[1] = trim(substr($0, 3))
		} else if (c == ":") {
			cell[++ncell] = trim(substr($0, 3))
		} else if (c == " " && trim($0) != "") {
			cell[ncell] = cell[ncell] " " trim($0)
		} else {
			row()
			intable = 0
		}
		next
	}
	END {
		if (intable)
			row()
		if (pending)
			complain("abi-check without a table")
		if (nrows == 0)
			complain("no abi-check tables at all")
		exit bad
	}
	' "$1"
}

# Names only: every struct, field and enum member that abi.h declares.
names_in_header() {
	awk '
	/^struct ocxlpmem_[a-z0-9_]+ \{/ {
		s = $2
		print "sizeof " s
		instruct = 1
		next
	}
	/^enum ocxlpmem_[a-z0-9_]+ \{/ { inenum = 1; next }
	/^\};/ { instruct = 0; inenum = 0; next }
	instruct && $0 !~ /^[ \t]*(\/\*|\*)/ {
		line = $0
		gsub(/\/\*.*\*\//, "", line)
		if (match(line, /[a-z_][a-z0-9_]*(\[[^]]*\])?;/)) {
			f = substr(line, RSTART, RLENGTH)
			sub(/[[;].*/, "", f)
			print "layout " s "." f
		}
	}
	inenum && match($0, /^[ \t]*[A-Z][A-Z0-9_]*[ \t]*=/) {
		print "const " $1
	}
	' "$1"
}

if ! extract_page "$page" > "$tmp/page.raw"; then
	echo "test-abi-doc: $page: malformed abi-check tables (see above)" >&2
	exit 1
fi
if ! "$layout" > "$tmp/header.raw"; then
	echo "test-abi-doc: $layout failed" >&2
	exit 99
fi
names_in_header "$header" > "$tmp/declared.raw"

LC_ALL=C sort -u "$tmp/page.raw" > "$tmp/ocxlpmem-abi.7"
LC_ALL=C sort -u "$tmp/header.raw" > "$tmp/abi.h"
LC_ALL=C sort -u "$tmp/declared.raw" > "$tmp/declared"
cut -d' ' -f1,2 "$tmp/abi.h" | LC_ALL=C sort -u > "$tmp/listed"

status=0

# Two values for one name in the page: the tables contradict each other.
if cut -d' ' -f1,2 "$tmp/ocxlpmem-abi.7" | uniq -d | grep . > "$tmp/dups"; then
	echo "test-abi-doc: $page gives different values for:" >&2
	sed 's/^/  /' "$tmp/dups" >&2
	status=1
fi

if LC_ALL=C comm -23 "$tmp/declared" "$tmp/listed" | grep . > "$tmp/unlisted"; then
	echo "test-abi-doc: abi.h declares what tests/abi-layout.c does not list:" >&2
	sed 's/^/  /' "$tmp/unlisted" >&2
	status=1
fi

if ! (cd "$tmp" && diff -u ocxlpmem-abi.7 abi.h) > "$tmp/diff"; then
	echo "test-abi-doc: $page and abi.h disagree" >&2
	echo "('-' is what the page says, '+' what the header says):" >&2
	cat "$tmp/diff" >&2
	status=1
fi

if [ "$status" -eq 0 ]; then
	echo "test-abi-doc: $(wc -l < "$tmp/abi.h") facts agree"
fi
exit "$status"
