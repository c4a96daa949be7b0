#!/bin/sh
# The timeout column of the FUNCTIONS table in ocxlpmem-abi(7) must be what
# the library uses (ocxlpmem_function_default_timeout_ms).
set -eu
scd="${1:-${top_srcdir:?}/man/ocxlpmem-abi.7.scd}"
prog="${top_builddir:?}/tests/abi-timeouts"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The table after "# FUNCTIONS": rows of five cells, the first "|  N", the
# last the milliseconds.
awk '
	/^# FUNCTIONS/ { in_section = 1; next }
	in_section && /^# / { exit }
	in_section && /^; abi-check/ { if (++tables > 1) exit }
	in_section && /^\|  [0-9]+$/ { fn = $2; cell = 0; next }
	in_section && fn != "" && /^:  / { cell++; if (cell == 4) { print fn, $2; fn = "" } }
' "$scd" | sort -n > "$tmp/doc"
"$prog" | sort -n > "$tmp/lib"
if [ "$(wc -l < "$tmp/doc")" -ne 18 ]; then
	echo "could not read 18 functions from the FUNCTIONS table of $scd:"
	cat "$tmp/doc"
	exit 1
fi
if ! diff -u "$tmp/doc" "$tmp/lib"; then
	echo "FAIL: timeouts in $scd (-) differ from the library's (+)"
	exit 1
fi
echo "18 function timeouts agree: 1 passed, 0 failed"
