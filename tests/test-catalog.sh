#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The journal catalog explains every alert class, and only those:
#
#  1. every MESSAGE_ID of daemon/core/alert.c has exactly one entry in
#     systemd/ocxlpmemd.catalog and every entry is a class of alert.c, each
#     entry's Subject being the class summary;
#  2. journalctl itself accepts the catalog: built into a database under a
#     scratch --root, it lists every id.  Skipped, with the reason, when
#     journalctl is not installed.
#
# Exit: 0 good, 1 a mismatch or journalctl refused the catalog.
set -eu

top_srcdir=${top_srcdir:-$(dirname "$0")/..}
alert_c=$top_srcdir/daemon/core/alert.c
catalog=$top_srcdir/systemd/ocxlpmemd.catalog

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0
fail() {
	echo "test-catalog: $*" >&2
	status=1
}

for f in "$alert_c" "$catalog"; do
	if [ ! -r "$f" ]; then
		echo "test-catalog: $f: cannot read" >&2
		exit 1
	fi
done

# ---- 1. The two lists -------------------------------------------------------

# alert.c: { "key", "<32 hex digits>", "summary" }, one class per line.
sed -n 's/.*"\([0-9a-f]\{32\}\)", "\(.*\)" },.*$/\1 \2/p' "$alert_c" \
	> "$tmp/classes"
cut -d' ' -f1 "$tmp/classes" > "$tmp/code-ids"
# Every quoted 32-digit id, so that a class the pattern above misses is seen.
grep -o '"[0-9a-fA-F]\{32\}"' "$alert_c" | tr -d '"' > "$tmp/code-ids-all"
if [ ! -s "$tmp/code-ids" ]; then
	fail "$alert_c: no alert classes found"
fi
if ! cmp -s "$tmp/code-ids" "$tmp/code-ids-all"; then
	fail "$alert_c: MESSAGE_IDs outside the '{ key, id, summary },' pattern:"
	sort "$tmp/code-ids" > "$tmp/a"
	sort "$tmp/code-ids-all" > "$tmp/b"
	comm -13 "$tmp/a" "$tmp/b" | sed 's/^/  /' >&2
fi
sort "$tmp/code-ids" | uniq -d > "$tmp/dup"
if [ -s "$tmp/dup" ]; then
	fail "$alert_c: MESSAGE_IDs used by more than one class:"
	sed 's/^/  /' "$tmp/dup" >&2
fi

# The catalog: "-- ID" starts an entry; the Subject line follows it.
awk '
	/^-- / { id = $2; print id > ids; next }
	/^Subject: / && id != "" { sub(/^Subject: /, ""); print id " " $0 > subjects; id = "" }
' ids="$tmp/cat-ids" subjects="$tmp/cat-subjects" "$catalog"
touch "$tmp/cat-ids" "$tmp/cat-subjects"
if grep -v '^[0-9a-f]\{32\}$' "$tmp/cat-ids" > "$tmp/bad"; then
	fail "$catalog: ids that are not 32 lower-case hex digits:"
	sed 's/^/  /' "$tmp/bad" >&2
fi
sort "$tmp/cat-ids" | uniq -d > "$tmp/dup"
if [ -s "$tmp/dup" ]; then
	fail "$catalog: more than one entry for:"
	sed 's/^/  /' "$tmp/dup" >&2
fi

sort -u "$tmp/code-ids" > "$tmp/code-sorted"
sort -u "$tmp/cat-ids" > "$tmp/cat-sorted"
comm -23 "$tmp/code-sorted" "$tmp/cat-sorted" > "$tmp/missing"
comm -13 "$tmp/code-sorted" "$tmp/cat-sorted" > "$tmp/extra"
if [ -s "$tmp/missing" ]; then
	fail "$catalog: no entry for these classes of alert.c:"
	grep -F -f "$tmp/missing" "$tmp/classes" | sed 's/^/  /' >&2
fi
if [ -s "$tmp/extra" ]; then
	fail "$catalog: entries for no class of alert.c:"
	sed 's/^/  /' "$tmp/extra" >&2
fi

# Subjects: the summary of alert.c, word for word.
sort "$tmp/classes" > "$tmp/a"
sort "$tmp/cat-subjects" > "$tmp/b"
comm -13 "$tmp/a" "$tmp/b" > "$tmp/wrong"
if [ -s "$tmp/wrong" ]; then
	fail "$catalog: Subject differs from the class summary in alert.c:"
	sed 's/^/  catalog: /' "$tmp/wrong" >&2
fi

n=$(wc -l < "$tmp/code-sorted")
if [ "$status" -eq 0 ]; then
	echo "test-catalog: $n classes, one catalog entry each"
fi

# ---- 2. journalctl accepts it -------------------------------------------

if ! command -v journalctl > /dev/null 2>&1; then
	echo "test-catalog: SKIP journalctl check: journalctl not found (install systemd)"
	exit "$status"
fi

root=$tmp/root
mkdir -p "$root/usr/lib/systemd/catalog" "$root/var/lib/systemd/catalog"
cp "$catalog" "$root/usr/lib/systemd/catalog/"
if ! journalctl --root="$root" --update-catalog > "$tmp/update.out" 2>&1; then
	fail "journalctl --update-catalog refused $catalog:"
	sed 's/^/  /' "$tmp/update.out" >&2
	exit 1
fi
# Problems in a catalog file are logged without failing the update.
if [ -s "$tmp/update.out" ]; then
	fail "journalctl --update-catalog complained about $catalog:"
	sed 's/^/  /' "$tmp/update.out" >&2
fi
if ! journalctl --root="$root" --list-catalog > "$tmp/list" 2> "$tmp/list.err"; then
	fail "journalctl --list-catalog failed:"
	sed 's/^/  /' "$tmp/list.err" >&2
	exit 1
fi
# Lines: "ID SUBJECT".  Ids may be printed with or without dashes.
tr -d '-' < "$tmp/list" | cut -d' ' -f1 | tr 'A-F' 'a-f' | sort -u > "$tmp/listed"
comm -23 "$tmp/code-sorted" "$tmp/listed" > "$tmp/unlisted"
if [ -s "$tmp/unlisted" ]; then
	fail "journalctl --list-catalog does not list:"
	grep -F -f "$tmp/unlisted" "$tmp/classes" | sed 's/^/  /' >&2
else
	echo "test-catalog: journalctl lists all $n ids"
fi
exit "$status"
