#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The card's state is the core's: core/card-private.h (struct dcard) is
# included by daemon/core/ and daemon/jobs/ only, and they include no
# varlink/, metrics/ or dbus/ header, nor call one.  The serialisers
# (daemon/varlink/, daemon/metrics/) and everything else read a
# struct card_report (core/card-report.h) and the manager's API.
#
#   test-include-graph.sh [SRCDIR]
#
# Exit: 0 when the rule holds, 1 with the offending lines.
set -eu

top_srcdir=${1:-${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}}
cd "$top_srcdir"

[ -f daemon/core/card-private.h ] || { echo "no daemon/core/card-private.h here"; exit 1; }
bad=$(grep -rn --include='*.[ch]' '#include "core/card-private.h"' daemon tests bench client lib 2>/dev/null |
	grep -v '^daemon/core/' | grep -v '^daemon/jobs/' || true)
if [ -n "$bad" ]; then
	echo "core/card-private.h is the core's: these include it; read a card_report instead:"
	echo "$bad"
	exit 1
fi
# The other direction (doc/events.md): the core and the jobs emit events
# and fill reports; they include no header of the layers that serialise.
bad=$(grep -rn --include='*.[ch]' '#include "\(varlink\|metrics\|dbus\)/' daemon/core daemon/jobs || true)
if [ -n "$bad" ]; then
	echo "daemon/core and daemon/jobs include no varlink/, metrics/ or dbus/ header (observe.h):"
	echo "$bad"
	exit 1
fi
# The serialisers do include the report, so the check above cannot pass
# because the rule is not exercised.
# Below the daemon: lib/ and shared/ know nothing of it.
bad=$(grep -rn --include='*.[ch]' '#include "\(core\|jobs\|state\|config\|util\|varlink\|metrics\|dbus\)/' lib shared || true)
if [ -n "$bad" ]; then
	echo "lib/ and shared/ include no daemon header:"
	echo "$bad"
	exit 1
fi
# The core calls no serialiser by name either (card_replies_*, metrics_*,
# dbus_*): a declaration would hide the dependency from the includes.
bad=$(grep -rn --include='*.[ch]' '\b\(card_replies_\|card_json_\|metrics_render\|dbus_service_\|varlink_manager_\)[a-z_]*(' daemon/core daemon/jobs || true)
if [ -n "$bad" ]; then
	echo "daemon/core and daemon/jobs call no serialiser:"
	echo "$bad"
	exit 1
fi
for dir in daemon/varlink daemon/metrics daemon/dbus; do
	grep -rqs '#include "core/card-report.h"' "$dir" ||
		{ echo "$dir includes no core/card-report.h: is the tree laid out as expected?"; exit 1; }
done
echo "core/card-private.h: included by daemon/core and daemon/jobs only;" \
	"they include no varlink/, metrics/ or dbus/ header and call no serialiser;" \
	"lib/ and shared/ include no daemon header"
