#!/bin/sh
# roundtrip.sh - import(export(x)) has the effective routes of x:
#   sh roundtrip.sh VNETSIM SCENARIO graph|az
# Exports SCENARIO's topology in the shape given, imports it back, gives the
# result x's events, settings, service tags and expectations (they are the
# scenario's, not Azure's), and compares every NIC's effective routes at the
# end with `vnetsim diff` (exit 0: equal).  A scenario without NICs is
# compared subnet by subnet with `vnetsim routes --subnet '*'`.
set -eu
case "$1" in /*) vnetsim=$1 ;; *) vnetsim=$(pwd)/$1 ;; esac
x=$2 shape=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vnetsim-roundtrip.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$root"
"$vnetsim" export "$x" --to "$shape" -o "$tmp/azure.json" 2>/dev/null
"$vnetsim" import --from "$shape" "$tmp/azure.json" -o "$tmp/imported.json" 2>/dev/null
python3 - "$x" "$tmp/imported.json" "$tmp/y.json" <<'PY'
import json, sys
x = json.load(open(sys.argv[1]))
y = json.load(open(sys.argv[2]))
for k in ("seed", "settings", "serviceTags", "events", "expectations"):
    if k in x:
        y[k] = x[k]
json.dump(y, open(sys.argv[3], "w"), indent=1)
PY
if grep -q '"networkInterfaces"' "$tmp/y.json"; then
	"$vnetsim" diff "$x" "$tmp/y.json" -o json >"$tmp/diff.json" 2>"$tmp/err" || {
		echo "roundtrip.sh: $x: effective routes differ after export --to $shape and import" >&2
		head -c 2000 "$tmp/diff.json" >&2
		cat "$tmp/err" >&2
		exit 1
	}
else
	"$vnetsim" routes "$x" --subnet '*' -o json >"$tmp/a" 2>/dev/null
	"$vnetsim" routes "$tmp/y.json" --subnet '*' -o json >"$tmp/b" 2>/dev/null
	cmp "$tmp/a" "$tmp/b"
fi
