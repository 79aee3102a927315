#!/bin/sh
# fake-az.sh - stands in for the az CLI in collect.sh: answers the calls
# tools/collect-az.sh makes from the fixture estate (tests/import/fixtures/
# estate), so the collector's folder is checked against what import reads.
fx=$FAKE_AZ_ESTATE
q=
case "$*" in *"--query [].id"*) q=id ;; *"--query [].name"*) q=name ;; esac
list() { # the fixture list, filtered by --resource-group when given, or a --query column
	python3 - "$1" "$q" "$rg" <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))
if sys.argv[3]:
    items = [i for i in items if i["resourceGroup"].lower() == sys.argv[3].lower()]
if sys.argv[2]:
    print("\n".join(i[sys.argv[2]] for i in items))
else:
    print(json.dumps(items, indent=2))
PY
}
rg=
prev=
for a in "$@"; do
	case "$prev" in --resource-group|-g) rg=$a ;; esac
	prev=$a
done
case "$1 $2 $3" in
"account set "*) exit 0 ;;
"group list "*) python3 -c 'import json,sys; print("\n".join(sorted({i["resourceGroup"] for f in sys.argv[1:] for i in json.load(open(f))})))' "$fx"/az/*.json ;;
"network vnet list") list "$fx/az/vnets.json" ;;
"network route-table list") list "$fx/az/route-tables.json" ;;
"network nic list") list "$fx/az/nics.json" ;;
"network private-endpoint list") list "$fx/az/private-endpoints.json" ;;
"network routeserver list") list "$fx/az/routeservers.json" ;;
"network vnet-gateway list") list "$fx/az/vnet-gateways.json" ;;
"network vpn-connection list") list "$fx/az/vpn-connections.json" ;;
"network local-gateway list") list "$fx/az/local-gateways.json" ;;
"network routeserver peering")
	case "$4" in
	list) rg= list "$fx/az/routeserver-peerings.json" ;;
	list-learned-routes)
		for a in "$@"; do [ "$prev" = -n ] && peer=$a; prev=$a; done
		cat "$fx/learned/routeserver-ars-$peer.json" ;;
	esac ;;
"network vnet-gateway list-learned-routes")
	for a in "$@"; do [ "$prev" = -n ] && gw=$a; prev=$a; done
	if [ -f "$fx/learned/vnet-gateway-$gw.json" ]; then cat "$fx/learned/vnet-gateway-$gw.json"; else echo '{"value": []}'; fi ;;
*) echo "fake az: unexpected call: az $*" >&2; exit 1 ;;
esac
