#!/bin/sh
# import.sh - `vnetsim import` end to end (tests/import/meson.build):
#   sh import.sh VNETSIM CASE
# CASE az-graph-same: the az folder and the Resource Graph dump of the same
#   estate give the same scenario, and the scenario passes `vnetsim check`.
# CASE collect: tools/collect-az.sh with a stand-in az (fake-az.sh) writes
#   a folder that imports to what the fixture estate imports to.
# CASE bad:FILE:PATH: importing fixtures/bad/FILE (with the good estate)
#   exits 2, names FILE and the JSON path PATH on stderr, and leaves the
#   existing output file as it was (nothing written).
set -eu
case "$1" in /*) vnetsim=$1 ;; *) vnetsim=$(pwd)/$1 ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
fx=tests/import/fixtures
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vnetsim-import.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$root"
case "$2" in
az-graph-same)
	"$vnetsim" import $fx/estate -o "$tmp/az.json" 2>"$tmp/az.err"
	"$vnetsim" import --from graph $fx/graph/resources.json -o "$tmp/g0.json" 2>/dev/null
	"$vnetsim" import $fx/graph/resources.json $fx/estate/learned -o "$tmp/graph.json" 2>/dev/null
	grep -q "note: 1 x Microsoft.Network/networkSecurityGroups: not modelled" "$tmp/az.err"
	# The description names the count of inputs; the rest must be equal.
	sed 1,4d "$tmp/az.json" >"$tmp/a"
	sed 1,4d "$tmp/graph.json" >"$tmp/b"
	cmp "$tmp/a" "$tmp/b"
	"$vnetsim" check "$tmp/az.json" -o table >/dev/null 2>&1
	# --from az refuses the Graph dump's shape.
	if "$vnetsim" import --from az $fx/graph/resources.json -o "$tmp/x.json" 2>/dev/null; then
		echo "import.sh: --from az accepted a Resource Graph dump" >&2
		exit 1
	fi
	;;
collect)
	# tools/collect-az.sh against a stand-in az answering from the fixture
	# estate: its folder imports to the same topology and events.
	mkdir "$tmp/bin"
	cp tests/import/fake-az.sh "$tmp/bin/az"
	chmod +x "$tmp/bin/az"
	PATH="$tmp/bin:$PATH" FAKE_AZ_ESTATE="$root/$fx/estate" \
		sh tools/collect-az.sh "$tmp/coll" --subscription 7d3c2a10 2>/dev/null
	[ ! -e "$tmp/coll.partial" ]
	"$vnetsim" import "$tmp/coll" -o "$tmp/coll.json" 2>/dev/null
	"$vnetsim" import $fx/estate -o "$tmp/est.json" 2>/dev/null
	sed 1,4d "$tmp/coll.json" >"$tmp/a"
	sed 1,4d "$tmp/est.json" >"$tmp/b"
	cmp "$tmp/a" "$tmp/b"
	;;
bad:*)
	rest=${2#bad:}
	file=${rest%%:*} path=${rest#*:}
	echo keep >"$tmp/out.json"
	set +e
	"$vnetsim" import $fx/estate "$fx/bad/$file" -o "$tmp/out.json" 2>"$tmp/err"
	got=$?
	set -e
	[ "$got" -eq 2 ] || { echo "import.sh: exit $got, expected 2" >&2; cat "$tmp/err" >&2; exit 1; }
	grep -qF "$fx/bad/$file: $path" "$tmp/err" || {
		echo "import.sh: stderr does not name $file: $path" >&2; cat "$tmp/err" >&2; exit 1; }
	grep -q "nothing written" "$tmp/err"
	[ "$(cat "$tmp/out.json")" = keep ] || { echo "import.sh: the output was written" >&2; exit 1; }
	[ "$(ls "$tmp")" = "err
out.json" ] || { echo "import.sh: a temporary file was left: $(ls "$tmp")" >&2; exit 1; }
	;;
*)
	echo "usage: sh import.sh VNETSIM CASE" >&2
	exit 2
	;;
esac
