#!/bin/sh
# collect-az.sh - what `vnetsim import` reads about an Azure estate, into one folder.
#
#   tools/collect-az.sh OUT_DIR --subscription SUB [--resource-group RG]
#   tools/collect-az.sh OUT_DIR --management-group MG
#
# Needs the az CLI, logged in (`az login`), and for --management-group the
# resource-graph extension (`az extension add --name resource-graph`).
# Writes (the layout tests/import/fixtures/estate has, which the import tests read):
#   OUT_DIR/az/vnets.json                 az network vnet list
#   OUT_DIR/az/route-tables.json          az network route-table list
#   OUT_DIR/az/nics.json                  az network nic list
#   OUT_DIR/az/private-endpoints.json     az network private-endpoint list
#   OUT_DIR/az/vnet-gateways.json         az network vnet-gateway list (per resource group)
#   OUT_DIR/az/vpn-connections.json       az network vpn-connection list (per resource group)
#   OUT_DIR/az/local-gateways.json        az network local-gateway list (per resource group)
#   OUT_DIR/az/routeservers.json          az network routeserver list
#   OUT_DIR/az/routeserver-peerings.json  az network routeserver peering list (every Route Server)
#   OUT_DIR/learned/routeserver-RS-PEER.json   ... peering list-learned-routes (both instances)
#   OUT_DIR/learned/vnet-gateway-GW.json       az network vnet-gateway list-learned-routes
# With --management-group, one Resource Graph query instead of the az lists:
#   OUT_DIR/graph/resources.json          az graph query (every subscription under MG)
# then `vnetsim import OUT_DIR -o estate.json`.  Exit 2 for bad usage; an
# az failure stops the script with az's exit status (set -e): a folder
# half collected is not imported by mistake, because the script collects
# into OUT_DIR.partial and renames it at the end.
set -eu

usage() {
	echo "usage: tools/collect-az.sh OUT_DIR (--subscription SUB [--resource-group RG] | --management-group MG)" >&2
	exit 2
}
# Several JSON lists one after the other (one per resource group) as one list.
join_lists() {
	python3 -c 'import json, sys
d, dec, out, i = sys.stdin.read(), json.JSONDecoder(), [], 0
while i < len(d):
    if d[i].isspace():
        i += 1
        continue
    v, i = dec.raw_decode(d, i)
    out += v
print(json.dumps(out, indent=2))'
}

[ $# -ge 3 ] || usage
out=$1
shift
sub= rg= mg=
while [ $# -gt 0 ]; do
	case "$1" in
	--subscription) [ $# -ge 2 ] || usage; sub=$2; shift 2 ;;
	--resource-group) [ $# -ge 2 ] || usage; rg=$2; shift 2 ;;
	--management-group) [ $# -ge 2 ] || usage; mg=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ -n "$sub" ] || [ -n "$mg" ] || usage
[ -e "$out" ] && { echo "collect-az.sh: $out exists: give a new folder" >&2; exit 2; }
work=$out.partial
rm -rf "$work"
mkdir -p "$work/az" "$work/learned"

types="'microsoft.network/virtualnetworks','microsoft.network/routetables',\
'microsoft.network/networkinterfaces','microsoft.network/privateendpoints',\
'microsoft.network/virtualnetworkgateways','microsoft.network/connections',\
'microsoft.network/localnetworkgateways','microsoft.network/virtualhubs'"

if [ -n "$mg" ]; then
	mkdir -p "$work/graph"
	# Resource Graph returns at most 1000 rows a call: follow skip_token and
	# join the pages into one {"data": [...]} document.
	token= page=0
	while :; do
		az graph query --management-groups "$mg" --first 1000 ${token:+--skip-token "$token"} \
			-o json -q "resources | where type in~ ($types) | order by id asc" \
			>"$work/graph/page-$page.part"
		token=$(python3 -c 'import json,sys; print(json.load(sys.stdin).get("skip_token") or "")' \
			<"$work/graph/page-$page.part")
		page=$((page + 1))
		[ -n "$token" ] || break
	done
	python3 -c 'import json,sys; print(json.dumps({"data": [r for f in sys.argv[1:] for r in json.load(open(f))["data"]]}, indent=1))' \
		"$work"/graph/page-*.part >"$work/graph/resources.json"
	rm -f "$work"/graph/page-*.part
	hubs=$(python3 -c 'import json,sys; print("\n".join(r["id"] for r in json.load(sys.stdin)["data"] if r["type"].lower() == "microsoft.network/virtualhubs" and not r["properties"].get("virtualWan")))' \
		<"$work/graph/resources.json")
else
	az account set --subscription "$sub"
	scope=
	[ -n "$rg" ] && scope="--resource-group $rg"
	az network vnet list $scope -o json >"$work/az/vnets.json"
	az network route-table list $scope -o json >"$work/az/route-tables.json"
	az network nic list $scope -o json >"$work/az/nics.json"
	az network private-endpoint list $scope -o json >"$work/az/private-endpoints.json"
	az network routeserver list $scope -o json >"$work/az/routeservers.json"
	# vnet-gateway, vpn-connection and local-gateway list need a resource group.
	groups=$rg
	[ -n "$groups" ] || groups=$(az group list --query '[].name' -o tsv)
	for kind in vnet-gateway vpn-connection local-gateway; do
		file=$work/az/$kind.parts
		: >"$file"
		for g in $groups; do
			az network $kind list --resource-group "$g" -o json >>"$file"
		done
		# The per-group lists joined into one list.
		join_lists <"$file" >"$work/az/${kind}s.json"
		rm -f "$file"
	done
	hubs=$(az network routeserver list $scope --query '[].id' -o tsv)
fi

# Route Server peers and what they advertised, per instance.
: >"$work/az/routeserver-peerings.parts"
for id in $hubs; do
	hrg=$(echo "$id" | cut -d/ -f5) hub=$(echo "$id" | cut -d/ -f9)
	az network routeserver peering list -g "$hrg" --routeserver "$hub" -o json \
		>>"$work/az/routeserver-peerings.parts"
	for peer in $(az network routeserver peering list -g "$hrg" --routeserver "$hub" --query '[].name' -o tsv); do
		az network routeserver peering list-learned-routes -g "$hrg" --routeserver "$hub" \
			-n "$peer" -o json >"$work/learned/routeserver-$hub-$peer.json"
	done
done
join_lists <"$work/az/routeserver-peerings.parts" >"$work/az/routeserver-peerings.json"
rm -f "$work/az/routeserver-peerings.parts"

# What each BGP-enabled gateway learned.
if [ -z "$mg" ]; then
	for id in $(python3 -c 'import json,sys; print("\n".join(g["id"] for g in json.load(sys.stdin) if g.get("enableBgp") or g.get("gatewayType") == "ExpressRoute"))' <"$work/az/vnet-gateways.json"); do
		grg=$(echo "$id" | cut -d/ -f5) gw=$(echo "$id" | cut -d/ -f9)
		az network vnet-gateway list-learned-routes -g "$grg" -n "$gw" -o json \
			>"$work/learned/vnet-gateway-$gw.json"
	done
fi
mv "$work" "$out"
echo "collect-az.sh: wrote $out; now: vnetsim import $out -o estate.json" >&2
