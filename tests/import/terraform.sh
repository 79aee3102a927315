#!/bin/sh
# terraform.sh - `vnetsim import` of `terraform show -json` output
# (tests/import/meson.build; fixtures in fixtures/terraform, see make.py):
#   sh terraform.sh VNETSIM CASE
# CASE same:FIXTURE:SCENARIO: importing fixtures/terraform/FIXTURE.json gives
#   the effective routes (every NIC, `vnetsim diff`, exit 0) of the
#   hand-written fixtures/terraform/SCENARIO.scenario.json, whose advertise
#   events are copied into the import first; the import passes `check`.
# CASE notes: the plan's values known only after apply are named in the
#   notes (stderr and the scenario's description); an unresolvable one
#   gets a placeholder ID and is named by its address; a route or BGP peer
#   whose address is not known is dropped with a note, so the import loads.
# CASE ci-diff: the CI story of README "CI": the estate (the state) and the
#   plan that adds a UDR, both imported, compared with `vnetsim diff`: exit
#   1, exactly the NICs of spoke1/web named, a JUnit failure for their
#   group; the state against itself: exit 0.
# CASE new-stack: a stack without base state (`{"format_version": "1.0"}`,
#   what `terraform show -json` prints for an empty state) imports to an
#   empty scenario; diff of it against the plan lists every NIC as new
#   (exit 1) instead of failing.
set -eu
case "$1" in /*) vnetsim=$1 ;; *) vnetsim=$(pwd)/$1 ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
fx=tests/import/fixtures/terraform
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vnetsim-tf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$root"
fail() {
	echo "terraform.sh: $*" >&2
	exit 1
}
# diff_moved FROM TO: vnetsim diff of two imports into $tmp/diff.json and
# $tmp/diff.xml; it must exit 1 (routes differ).
diff_moved() {
	set +e
	"$vnetsim" diff "$1" "$2" -o json --junit "$tmp/diff.xml" >"$tmp/diff.json" 2>"$tmp/err"
	got=$?
	set -e
	[ "$got" -eq 1 ] || { cat "$tmp/err" >&2; fail "diff $1 $2 exited $got, expected 1"; }
}
case "$2" in
same:*)
	rest=${2#same:}
	fixture=${rest%%:*} scen=$fx/${rest#*:}.scenario.json
	"$vnetsim" import "$fx/$fixture.json" -o "$tmp/imported.json" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; fail "import of $fixture failed"; }
	"$vnetsim" check "$tmp/imported.json" -o table >"$tmp/check" 2>&1 ||
		{ cat "$tmp/check" >&2; fail "the import of $fixture does not pass check"; }
	python3 - "$scen" "$tmp/imported.json" "$tmp/y.json" <<'PY'
import json, sys
x = json.load(open(sys.argv[1]))
y = json.load(open(sys.argv[2]))
y["events"] = [e for e in x.get("events", []) if e.get("op") == "advertise"]
json.dump(y, open(sys.argv[3], "w"), indent=1)
PY
	"$vnetsim" diff "$scen" "$tmp/y.json" -o json >"$tmp/diff.json" 2>"$tmp/err" || {
		head -c 3000 "$tmp/diff.json" >&2
		cat "$tmp/err" >&2
		fail "$fixture: effective routes differ from $scen"
	}
	grep -q '"equal": *true' "$tmp/diff.json" || fail "$fixture: diff did not say equal"
	;;
notes)
	"$vnetsim" import "$fx/plan-spoke2.json" -o "$tmp/p.json" 2>"$tmp/err"
	for n in "7 x Terraform IDs known after apply: derived from name and resource group" \
		"2 x private IP addresses known only after apply (Dynamic)" \
		"Terraform values known after apply: resolved through the configuration's references" \
		"1 x azurerm_network_security_group: not modelled" \
		"1 x azurerm_resource_group: not modelled"; do
		grep -qF "$n" "$tmp/err" || { cat "$tmp/err" >&2; fail "no note \"$n\""; }
		grep -qF "$n" "$tmp/p.json" || fail "the description lacks \"$n\""
	done
	grep -q "placeholder" "$tmp/err" && fail "plan-spoke2: a placeholder where references resolve"
	"$vnetsim" import "$fx/plan-unresolved.json" -o "$tmp/u.json" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; fail "plan-unresolved: import failed"; }
	for n in 'azurerm_virtual_network.edge: name known only after apply, not resolved: a placeholder ID' \
		'azurerm_network_interface.probe.subnet_id: known only after apply, not resolved: reference left out' \
		'1 x network interfaces without a subnet of the inputs: dropped' \
		'1 x random_pet: not modelled' \
		'azurerm_route_table.edge: next_hop_in_ip_address known only after apply, not resolved: route dropped' \
		'azurerm_route_server_bgp_connection.probe: peer_ip or peer_asn not known: BGP connection dropped'; do
		grep -qF "$n" "$tmp/err" || { cat "$tmp/err" >&2; fail "no note \"$n\""; }
	done
	grep -q '"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-edge/providers/Microsoft.Network/virtualNetworks/tf-edge"' \
		"$tmp/u.json" || fail "plan-unresolved: no placeholder ID for the VNet"
	"$vnetsim" check "$tmp/u.json" -o table >"$tmp/check" 2>&1 ||
		{ cat "$tmp/check" >&2; fail "the import of plan-unresolved does not pass check"; }
	;;
ci-diff)
	"$vnetsim" import "$fx/state.json" -o "$tmp/current.json" 2>/dev/null
	"$vnetsim" import "$fx/plan-udr.json" -o "$tmp/planned.json" 2>/dev/null
	diff_moved "$tmp/current.json" "$tmp/planned.json"
	python3 - "$tmp/diff.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = sorted(n for g in d["groups"] for n in g["nicNames"])
assert names == ["web-a", "web-b"], names
assert not d["equal"] and not d["nicsOnlyInFrom"] and not d["nicsOnlyInTo"], d
added = [r for g in d["groups"] for r in g["added"]]
assert any(r.get("addressPrefix") == ["0.0.0.0/0"] and r.get("nextHopType") == "VirtualAppliance"
           for r in added), added
PY
	grep -q 'type="RoutesChanged"' "$tmp/diff.xml" || fail "the JUnit report has no RoutesChanged failure"
	# JUnit names the group (subnet and NIC count) and its failure the NICs.
	grep -q 'name="subnet spoke1/web (2 NICs)"' "$tmp/diff.xml" ||
		fail "the JUnit report has no case for spoke1/web"
	[ "$(grep -c '<failure' "$tmp/diff.xml")" -eq 1 ] || fail "the JUnit report fails more than one group"
	grep -q 'NICs (2): web-a, web-b' "$tmp/diff.xml" || fail "the JUnit failure does not name the NICs"
	"$vnetsim" diff "$tmp/current.json" "$tmp/current.json" -o json >/dev/null 2>&1 ||
		fail "the state against itself differs"
	;;
new-stack)
	printf '{"format_version": "1.0"}\n' >"$tmp/empty-state.json"
	"$vnetsim" import --from terraform "$tmp/empty-state.json" -o "$tmp/base.json" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; fail "an empty state does not import"; }
	"$vnetsim" import "$fx/plan-udr.json" -o "$tmp/planned.json" 2>/dev/null
	diff_moved "$tmp/base.json" "$tmp/planned.json"
	python3 - "$tmp/diff.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["nicsOnlyInTo"]) == 7 and not d["nicsOnlyInFrom"], d
PY
	;;
*)
	echo "usage: sh terraform.sh VNETSIM CASE" >&2
	exit 2
	;;
esac
