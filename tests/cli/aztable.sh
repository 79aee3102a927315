#!/bin/sh
# aztable.sh - `routes --nic N -o table` equals, byte for byte, what
# `az network nic show-effective-route-table -o table` prints for the same
# rows: az builds the table with azure-cli's transform_effective_route_table
# (Source, State, Address Prefix, Next Hop Type, Next Hop IP; lists joined by
# blanks) and knack's table output, which is Python's tabulate in its
# "simple" format with headers from the keys and numbers left as text.  This
# test runs that same formatter (Debian's python3-tabulate, with Debian's
# /usr/bin/python3) on vnetsim's own `-o json` of every NIC of the seed and of
# every conformance case, and compares.  Skipped (77) when tabulate is
# missing; tools/setup.sh installs it.
#
#   aztable.sh VNETSIM SOURCE_ROOT
set -eu
case "$1" in /*) VNETSIM=$1 ;; *) VNETSIM=$(pwd)/$1 ;; esac
ROOT=$2
PY=/usr/bin/python3
"$PY" -c 'import tabulate' 2>/dev/null ||
	{ echo "skip: tabulate (python3-tabulate) is not installed for $PY"; exit 77; }
cd "$ROOT"
work=$(mktemp -d "${TMPDIR:-/tmp}/vnetsim-aztable.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
n=0
for f in scenarios/seed/hub-spoke-ars.json scenarios/conformance/*/scenario.json; do
	"$VNETSIM" routes "$f" --nic '*' -o jsonl >"$work/nics.jsonl" 2>/dev/null || continue
	for nic in $("$PY" -c 'import json,sys
for l in open(sys.argv[1]):
    print(json.loads(l)["nic"])' "$work/nics.jsonl" | sort -u); do
		"$VNETSIM" routes "$f" --nic "$nic" -o json >"$work/r.json"
		"$VNETSIM" routes "$f" --nic "$nic" -o table >"$work/ours.txt"
		"$PY" - "$work/r.json" >"$work/az.txt" <<'PY'
import json, sys
from collections import OrderedDict
from tabulate import tabulate
result = json.load(open(sys.argv[1]))
rows = [OrderedDict([
    ("Source", item["source"]),
    ("State", item["state"]),
    ("Address Prefix", " ".join(item["addressPrefix"] or [])),
    ("Next Hop Type", item["nextHopType"]),
    ("Next Hop IP", " ".join(item["nextHopIpAddress"] or [])),
]) for item in result["value"]]
table = tabulate(rows, headers="keys", tablefmt="simple", disable_numparse=True) if rows else ""
print(table + "\n", end="")
PY
		if ! cmp -s "$work/az.txt" "$work/ours.txt"; then
			echo "FAIL: $f NIC $nic: -o table differs from az's formatter:" >&2
			diff -u "$work/az.txt" "$work/ours.txt" >&2 || true
			exit 1
		fi
		n=$((n + 1))
	done
done
[ "$n" -gt 10 ] || { echo "FAIL: only $n tables compared" >&2; exit 1; }
echo "ok: $n tables identical to az's formatter"
