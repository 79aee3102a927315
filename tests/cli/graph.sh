#!/bin/sh
# graph.sh - `vnetsim graph`: DOT that Graphviz accepts for the seed, every
# conformance case and ref-4k; the seed's crash window drawn as it is (at
# nva1-crashed the crashed NVA and the subnets still sending to it in red;
# at after-hold its sessions down and the changed subnets bordered); ref-4k's
# spokes grouped into one node; -o svg is SVG an XML parser reads; byte-
# identical output for the same input; bad options exit 2.  Rendering is
# skipped (with a message) when Graphviz's dot is not installed; the DOT
# checks still run.
#
#   graph.sh VNETSIM SOURCE_ROOT
set -eu
case "$1" in /*) VNETSIM=$1 ;; *) VNETSIM=$(pwd)/$1 ;; esac
cd "$2"
SEED=scenarios/seed/hub-spoke-ars.json
work=$(mktemp -d "${TMPDIR:-/tmp}/vnetsim-graph.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
have_dot=false
if command -v dot >/dev/null 2>&1; then have_dot=true; else echo "note: Graphviz's dot is not installed: rendering checks skipped"; fi

"$VNETSIM" graph "$SEED" --at nva1-crashed >"$work/crashed.dot" || fail "graph at nva1-crashed"
grep -q 'nva0 \[shape=component, label="NVA nva1.*crashed: routes held.*fillcolor="#f4b6b6"' "$work/crashed.dot" ||
	fail "the crashed NVA is not marked"
grep -q 'rs0 -> nva0 \[.*label="black hole"' "$work/crashed.dot" || fail "no black-hole session edge"
grep -q 's5 \[label="web.*routes\? to a crashed peer", fillcolor=' "$work/crashed.dot" ||
	fail "spoke1/web does not show its routes to the crashed NVA"
grep -q 'label="gateway transit"' "$work/crashed.dot" || fail "no gateway transit peering"
"$VNETSIM" graph "$SEED" --at after-hold >"$work/after.dot"
grep -q 'red border: 7 changes since nva1-crashed, caused by:\\nhold timer ars/nva1"' "$work/after.dot" ||
	fail "after-hold title: $(sed -n 2p "$work/after.dot")"
grep -q 'nva0 \[.*sessions down' "$work/after.dot" || fail "nva1 not down at after-hold"
[ "$(grep -c 'color="#c00000", penwidth=2.5\]' "$work/after.dot")" -eq 7 ] || fail "7 changed subnets expected"
if grep -q 'to a crashed peer' "$work/after.dot"; then fail "black holes after the hold timer"; fi
"$VNETSIM" graph "$SEED" --at after-hold >"$work/again.dot"
cmp -s "$work/after.dot" "$work/again.dot" || fail "two runs differ"

"$VNETSIM" graph scenarios/scale/ref-4k.json >"$work/ref4k.dot"
grep -q 'g0 \[shape=box3d, label="199 spokes of hub\\n398 subnets, 3992 NICs' "$work/ref4k.dot" ||
	fail "ref-4k spokes not grouped: $(grep box3d "$work/ref4k.dot")"
[ "$(grep -c '^  subgraph' "$work/ref4k.dot")" -eq 1 ] || fail "ref-4k: only the hub is a cluster"
"$VNETSIM" graph scenarios/scale/ref-4k.json --group 0 >"$work/ref4k-all.dot"
[ "$(grep -c '^  subgraph' "$work/ref4k-all.dot")" -eq 200 ] || fail "--group 0 draws every VNet"

n=0
for f in "$SEED" scenarios/conformance/*/scenario.json; do
	"$VNETSIM" graph "$f" >"$work/g.dot" 2>"$work/err" || fail "$f: $(cat "$work/err")"
	if $have_dot; then
		dot -Tcanon "$work/g.dot" >/dev/null 2>"$work/dot.err" || fail "$f: dot refuses the DOT: $(cat "$work/dot.err")"
	fi
	n=$((n + 1))
done
if $have_dot; then
	dot -Tcanon "$work/ref4k.dot" >/dev/null || fail "dot refuses ref-4k's DOT"
	"$VNETSIM" graph "$SEED" --at nva1-crashed -o svg >"$work/g.svg" || fail "-o svg"
	if command -v xmllint >/dev/null 2>&1; then
		xmllint --noout "$work/g.svg" || fail "-o svg is not XML"
	fi
	grep -q '<svg' "$work/g.svg" || fail "-o svg wrote no <svg>"
fi

set +e
"$VNETSIM" graph "$SEED" -o png >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'expected dot or svg' "$work/err" || fail "-o png: exit $rc $(cat "$work/err")"
"$VNETSIM" graph "$SEED" --group many >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- '--group many' "$work/err" || fail "--group many: exit $rc"
"$VNETSIM" graph "$SEED" --at no-such-label >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 2 ] || fail "--at no-such-label: exit $rc"
# Without Graphviz on PATH, -o svg is an environment failure naming the package.
PATH=/nonexistent "$VNETSIM" graph "$SEED" -o svg >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 3 ] && grep -q 'install the graphviz package' "$work/err" || fail "svg without dot: exit $rc $(cat "$work/err")"
set -e
echo "ok: $n scenarios drawn"
