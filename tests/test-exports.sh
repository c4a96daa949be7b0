#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libocxlpmem.so exports exactly the functions its public headers declare,
# each under the version node LIBOCXLPMEM_0.
#
#   test-exports.sh [LIBRARY.so [HEADER...]]
#
# Defaults: $top_builddir/lib/.libs/libocxlpmem.so and every
# $top_srcdir/lib/ocxlpmem/*.h.  A declaration is a line that starts with a
# type (not indented, not a comment, macro or typedef) and names
# ocxlpmem_something followed by "(".
# Exit: 0 agree, 1 disagree, 77 skipped (no shared library or no binutils).
set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-.}
version_node=LIBOCXLPMEM_0

if [ $# -ge 1 ]; then
	lib=$1
	shift
else
	lib=$top_builddir/lib/.libs/libocxlpmem.so
fi
if [ $# -eq 0 ]; then
	set -- "$top_srcdir"/lib/ocxlpmem/*.h
fi

if [ ! -e "$lib" ]; then
	echo "test-exports: SKIP: $lib is not built (configured with --disable-shared?)"
	exit 77
fi
for tool in nm objdump; do
	if ! command -v "$tool" > /dev/null 2>&1; then
		echo "test-exports: SKIP: $tool not found (install binutils)"
		exit 77
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Declared: the function names of the public headers.
awk '
/^(typedef|static|extern|#)/ { next }
/^[a-z]/ {
	line = $0
	gsub(/\/\*.*\*\//, "", line)
	sub(/\/\/.*/, "", line)
	if (match(line, /(^|[ *])ocxlpmem_[a-z0-9_]+\(/)) {
		name = substr(line, RSTART, RLENGTH - 1)
		sub(/^[ *]/, "", name)
		print name
	}
}
' "$@" | LC_ALL=C sort -u > "$tmp/declared"

if [ ! -s "$tmp/declared" ]; then
	echo "test-exports: no function declarations found in $*" >&2
	exit 1
fi

# Exported: every defined dynamic symbol except version definitions (type A).
# Newer binutils append @@VERSION to the name; strip it.
nm -D --defined-only "$lib" |
	awk 'NF >= 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	LC_ALL=C sort -u > "$tmp/exported"

status=0

if LC_ALL=C comm -23 "$tmp/declared" "$tmp/exported" | grep . > "$tmp/missing"; then
	echo "test-exports: declared in the headers but not exported by $lib:" >&2
	sed 's/^/  /' "$tmp/missing" >&2
	status=1
fi
if LC_ALL=C comm -13 "$tmp/declared" "$tmp/exported" | grep . > "$tmp/extra"; then
	echo "test-exports: exported by $lib but declared in no public header:" >&2
	sed 's/^/  /' "$tmp/extra" >&2
	status=1
fi

# objdump -T: "ADDR FLAGS SECTION SIZE VERSION NAME"; hidden versions are
# shown in parentheses, an unversioned symbol as "Base" or nothing.
objdump -T "$lib" |
	awk '$NF ~ /^ocxlpmem_/ && $0 !~ /\*UND\*/ {
		v = $(NF - 1)
		if (v ~ /^[0-9a-f]+$/)
			v = "(none)"
		print $NF, v
	}' |
	LC_ALL=C sort -u > "$tmp/versions"
if awk -v node="$version_node" '$2 != node' "$tmp/versions" | grep . > "$tmp/unversioned"; then
	echo "test-exports: exported without version node $version_node:" >&2
	sed 's/^/  /' "$tmp/unversioned" >&2
	status=1
fi

# The Debian symbols file lists the same: dpkg-gensymbols fails the
# package build on a symbol it does not know, so say it here first.
symbols=$top_srcdir/debian/libocxlpmem0.symbols
if [ -f "$symbols" ]; then
	sed -n 's/^ \(ocxlpmem_[a-z0-9_]*\)@.*/\1/p' "$symbols" | LC_ALL=C sort -u > "$tmp/debian"
	if ! LC_ALL=C cmp -s "$tmp/debian" "$tmp/exported"; then
		echo "test-exports: debian/libocxlpmem0.symbols differs from what $lib exports" \
			"(< symbols file, > library):" >&2
		LC_ALL=C diff "$tmp/debian" "$tmp/exported" | grep '^[<>]' | sed 's/^/  /' >&2
		status=1
	fi
fi

if [ "$status" -eq 0 ]; then
	echo "test-exports: $(wc -l < "$tmp/declared") functions exported as $version_node"
fi
exit "$status"
