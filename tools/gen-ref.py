#!/usr/bin/env python3
"""gen-ref.py - generate a scale reference scenario (the README's Performance section).

    tools/gen-ref.py --vms N --out FILE [--seed S] [--name NAME] [--spokes K]

Writes the hub-and-spoke network the README's Performance section defines for the benchmark
(`ref-4k` is --vms 4000, `ref-50k` is --vms 50000):

  - 1 hub (10.0.0.0/16) + 199 spokes, 2 subnets per spoke ("a", "b"); every
    spoke is peered with the hub and uses its gateways (useRemoteGateways,
    hub allowGatewayTransit).  Spoke and subnet sizes are computed from N:
    each subnet is the smallest block, at least a /25, whose usable
    addresses (size - 5, Azure keeps 5) hold twice its VMs, and a spoke is
    twice a subnet (4,000 VMs: /24 spokes, /25 subnets; 50,000 VMs: /22
    spokes, /23 subnets).
  - N VMs in all, the 8 NVA NICs included, so the domain holds exactly N
    VMs: N = 4,000 is exactly a Route Server's capacity at 2 units and
    N = 50,000 at 48 (minCapacity is computed from N: (units + 2) * 1000
    >= N).  The other N - 8 VMs are spread evenly over the spoke subnets
    with `count` templates ("vm-s001a-*").
  - UDRs on half the subnets: every "b" subnet has its own route table
    (a few routes to the NVAs in the hub; every other table has a 0/0 to an
    NVA; every tenth disables BGP propagation, the firewall pattern).
  - VPN gateway (active-active, BGP) and ExpressRoute gateway in the hub.
  - A Route Server with 8 NVAs (bgpConnections; their NICs with IP
    forwarding in hub/nva), each advertising exactly 1,000 prefixes (the
    per-peer limit): NVA pairs (1,2), (3,4), ... share 100 prefixes with
    the same AS path length (ECMP), nva1 and nva2 also the default route;
    the rest are distinct, /25s of 172.16.0.0/12.
  - 4,000 on-premises prefixes over ExpressRoute (a Standard circuit's
    limit, /24s of 100.64.0.0/12) and 500 over VPN (/24s of 100.80.0.0/12;
    the first 100 repeat ExpressRoute prefixes: a VPN backup path).
    Everything advertised is outside every VNet prefix, so no filter
    (RULES 1.5.2) refuses it.
  - Microsoft.Storage service endpoints on 10% of the spoke subnets, with
    the scenario's own serviceTags; 10% of the spokes are in another
    region (global peering, the regional Storage tag of that region).

Events: the BGP advertisements at t=0, a "baseline" checkpoint, then for the
event benchmark 800 events, each at its own time (1 s apart) and never at a
checkpoint's time:
  - 200 withdraw / advertise pairs (NVAs mostly, some ExpressRoute and VPN):
    one prefix withdrawn, one new prefix advertised a second later, so no
    peer ever exceeds its limit;
  - 200 UDR edits (`set` on routeTables/rt-sNNN/routes/to-private,
    nextHopIpAddress moved to another NVA);
  - 200 peering changes (`set` on spokes' peerings: useRemoteGateways false,
    then true again a second later, 100 spokes);
with a checkpoint after each phase.

The output depends only on the arguments: the random choices come from a
splitmix64 generator seeded with --seed (not Python's `random`, whose
algorithms are not promised stable across versions).  Python 3 stdlib only.
"""

import argparse
import ipaddress
import json
import os
import sys

N_SPOKES = 199
N_NVAS = 8
NVA_LIMIT = 1000          # RULES 1.8: routes per Route Server peer
NVA_SHARED = 100          # prefixes each NVA shares with its pair partner
ER_PREFIXES = 4000        # RULES 1.9: a Standard circuit's limit
VPN_PREFIXES = 500
VPN_BACKUP_OF_ER = 100    # VPN prefixes that repeat ExpressRoute ones
BGP_PAIRS = 200           # withdraw/advertise pairs after t=0
UDR_EDITS = 200
PEERING_TOGGLES = 100     # spokes toggled: 2 events each

HUB = ipaddress.ip_network("10.0.0.0/16")
SPOKE_BASE = int(ipaddress.ip_address("10.1.0.0"))
NVA_SPACE = ipaddress.ip_network("172.16.0.0/12")   # NVA k: /15 number k
ER_SPACE = ipaddress.ip_network("100.64.0.0/12")
VPN_SPACE = ipaddress.ip_network("100.80.0.0/12")
NVA_IP_BASE = int(ipaddress.ip_address("10.0.1.4"))
REGIONS = ("westeurope", "northeurope")


class SplitMix64:
    """splitmix64 (Steele, Lea, Flood 2014): tiny, seedable, stable."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def below(self, n):
        """Uniform in [0, n) (rejection sampling, no modulo bias)."""
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            v = self.next()
            if v < limit:
                return v % n

    def shuffle(self, seq):
        for i in range(len(seq) - 1, 0, -1):
            j = self.below(i + 1)
            seq[i], seq[j] = seq[j], seq[i]


def ip(n):
    return str(ipaddress.ip_address(n))


def cidr(addr, plen):
    return "%s/%d" % (ip(addr), plen)


def blocks(space, plen):
    """All /plen blocks of space, in address order, as CIDR strings."""
    return [str(n) for n in space.subnets(new_prefix=plen)]


def plan(vms):
    """Subnet and spoke prefix lengths and Route Server units for vms VMs."""
    spoke_vms = vms - N_NVAS
    nsub = 2 * N_SPOKES
    per_subnet = -(-spoke_vms // nsub)
    sub_len = 25
    while (1 << (32 - sub_len)) - 5 < 2 * per_subnet:
        sub_len -= 1
    spoke_len = sub_len - 1
    end = SPOKE_BASE + N_SPOKES * (1 << (32 - spoke_len))
    if end > int(ipaddress.ip_address("10.255.255.255")) + 1:
        sys.exit("gen-ref.py: %d VMs do not fit %d spokes in 10.0.0.0/8" % (vms, N_SPOKES))
    units = max(2, -(-vms // 1000) - 2)
    if units > 48:
        sys.exit("gen-ref.py: %d VMs exceed a Route Server's 50,000 (48 units)" % vms)
    return sub_len, spoke_len, units


def build(vms, seed, name):
    rng = SplitMix64(seed)
    sub_len, spoke_len, units = plan(vms)
    spoke_size = 1 << (32 - spoke_len)
    sub_size = 1 << (32 - sub_len)
    nva_ips = [ip(NVA_IP_BASE + k) for k in range(N_NVAS)]

    # ---- spokes, subnets, route tables, NICs --------------------------------
    spoke_vms = vms - N_NVAS
    nsub = 2 * N_SPOKES
    base, extra = divmod(spoke_vms, nsub)
    hub_peerings, spokes, rts, nics = [], [], [], []
    for k in range(N_NVAS):
        nics.append({"name": "nva%d-nic" % (k + 1), "enableIPForwarding": True,
                     "ipConfigurations": [{"subnet": {"id": "hub/nva"},
                                           "privateIPAddress": nva_ips[k]}]})
    sub_index = 0
    for s in range(1, N_SPOKES + 1):
        vname = "spoke%03d" % s
        start = SPOKE_BASE + (s - 1) * spoke_size
        region = REGIONS[1] if s % 10 == 5 else REGIONS[0]
        subnets = []
        for half, tag in enumerate("ab"):
            sub = {"name": tag, "addressPrefix": cidr(start + half * sub_size, sub_len)}
            if tag == "b":
                sub["routeTable"] = {"id": "rt-s%03d" % s}
            if sub_index % 10 == 0:
                sub["serviceEndpoints"] = [{"service": "Microsoft.Storage"}]
            subnets.append(sub)
            count = base + (1 if sub_index < extra else 0)
            if count > 0:
                nic = {"name": "vm-s%03d%s-*" % (s, tag), "count": count,
                       "ipConfigurations": [{"subnet": {"id": "%s/%s" % (vname, tag)}}]}
                if count == 1:
                    nic["name"] = "vm-s%03d%s-1" % (s, tag)
                    del nic["count"]
                nics.append(nic)
            sub_index += 1
        spokes.append({
            "name": vname, "location": region,
            "addressSpace": {"addressPrefixes": [cidr(start, spoke_len)]},
            "subnets": subnets,
            "virtualNetworkPeerings": [{
                "name": "%s-to-hub" % vname, "remoteVirtualNetwork": {"id": "hub"},
                "allowVirtualNetworkAccess": True, "allowForwardedTraffic": True,
                "allowGatewayTransit": False, "useRemoteGateways": True}]})
        hub_peerings.append({
            "name": "hub-to-%s" % vname, "remoteVirtualNetwork": {"id": vname},
            "allowVirtualNetworkAccess": True, "allowForwardedTraffic": True,
            "allowGatewayTransit": True, "useRemoteGateways": False})
        # The route table of subnet b: a few routes through the hub NVAs.
        fw = nva_ips[(s - 1) % N_NVAS]
        routes = [
            {"name": "to-private", "addressPrefix": "10.0.0.0/8",
             "nextHopType": "VirtualAppliance", "nextHopIpAddress": fw},
            {"name": "to-branches", "addressPrefix": "172.16.0.0/12",
             "nextHopType": "VirtualAppliance", "nextHopIpAddress": fw},
            {"name": "blackhole-bench", "addressPrefix": "198.18.0.0/15", "nextHopType": "None"},
        ]
        if s % 2 == 1:
            routes.insert(0, {"name": "default-to-nva", "addressPrefix": "0.0.0.0/0",
                              "nextHopType": "VirtualAppliance", "nextHopIpAddress": fw})
        rts.append({"name": "rt-s%03d" % s, "disableBgpRoutePropagation": s % 10 == 0,
                    "routes": routes})

    hub = {
        "name": "hub", "location": REGIONS[0],
        "addressSpace": {"addressPrefixes": [str(HUB)]},
        "subnets": [
            {"name": "GatewaySubnet", "addressPrefix": "10.0.255.0/27"},
            {"name": "RouteServerSubnet", "addressPrefix": "10.0.254.0/26"},
            {"name": "nva", "addressPrefix": "10.0.1.0/24", "routeTable": {"id": "rt-hub-nva"}},
        ],
        "virtualNetworkPeerings": hub_peerings,
    }
    rts.insert(0, {"name": "rt-hub-nva", "disableBgpRoutePropagation": False,
                   "routes": [{"name": "nva-internet", "addressPrefix": "0.0.0.0/0",
                               "nextHopType": "Internet"}]})

    # ---- BGP ----------------------------------------------------------------
    # NVA k owns the /15 number k of 172.16.0.0/12 (1,024 /25s).  Pair
    # (2j, 2j+1) shares 100 prefixes taken from the pair's first /15.
    space = [blocks(b, 25) for b in NVA_SPACE.subnets(new_prefix=15)][:N_NVAS]
    nva_adv, nva_pool = [], []
    for k in range(N_NVAS):
        partner_first = k - (k % 2)
        shared = space[partner_first][:NVA_SHARED]
        own_start = NVA_SHARED if k == partner_first else 0
        if k < 2:
            shared = ["0.0.0.0/0"] + shared[:NVA_SHARED - 1]
        own = space[k][own_start:own_start + NVA_LIMIT - len(shared)]
        nva_adv.append(shared + own)
        nva_pool.append(space[k][own_start + len(own):])  # unused: new prefixes later
    for k in range(N_NVAS):
        assert len(nva_adv[k]) == NVA_LIMIT and len(set(nva_adv[k])) == NVA_LIMIT
    er_all = blocks(ER_SPACE, 24)
    er_adv, er_pool = er_all[:ER_PREFIXES], er_all[ER_PREFIXES:]
    vpn_all = blocks(VPN_SPACE, 24)
    vpn_adv = er_adv[:VPN_BACKUP_OF_ER] + vpn_all[:VPN_PREFIXES - VPN_BACKUP_OF_ER]
    vpn_pool = vpn_all[VPN_PREFIXES - VPN_BACKUP_OF_ER:]

    bgp_conns = [{"name": "nva%d" % (k + 1), "peerIp": nva_ips[k],
                  "peerAsn": 65001 + k // 2} for k in range(N_NVAS)]
    topology = {
        "virtualNetworks": [hub] + spokes,
        "routeTables": rts,
        "networkInterfaces": nics,
        "privateEndpoints": [],
        "virtualNetworkGateways": [
            {"name": "vpngw", "virtualNetwork": {"id": "hub"}, "gatewayType": "Vpn",
             "vpnType": "RouteBased", "sku": {"name": "VpnGw2AZ"}, "activeActive": True,
             "enableBgp": True, "bgpSettings": {"asn": 65515}, "publicIpAddress": "20.50.10.1"},
            {"name": "ergw", "virtualNetwork": {"id": "hub"}, "gatewayType": "ExpressRoute",
             "sku": {"name": "ErGw2AZ"}},
        ],
        "connections": [
            {"name": "branch-vpn", "virtualNetworkGateway": {"id": "vpngw"},
             "connectionType": "IPsec", "enableBgp": True, "peerAsn": 65100,
             "peerBgpAddress": "100.95.255.1", "localNetworkAddressPrefixes": ["100.95.255.1/32"]},
            {"name": "er-primary", "virtualNetworkGateway": {"id": "ergw"},
             "connectionType": "ExpressRoute", "routingWeight": 0, "sku": "Standard",
             "peerAsn": 65020, "nextHopIpAddresses": ["10.24.132.60", "10.24.132.61"]},
        ],
        "routeServers": [{
            "name": "ars", "subnet": {"id": "hub/RouteServerSubnet"},
            "allowBranchToBranchTraffic": False, "hubRoutingPreference": "ExpressRoute",
            "virtualRouterAutoScaleConfiguration": {"minCapacity": units},
            "bgpConnections": bgp_conns}],
    }

    # ---- events -------------------------------------------------------------
    events = []
    for k in range(N_NVAS):
        events.append({"at": 0, "op": "advertise", "from": "ars/nva%d" % (k + 1),
                       "prefixes": nva_adv[k], "asPath": [65001 + k // 2]})
    # ExpressRoute: most paths one AS long, every 8th prepended once.
    er_short = [p for i, p in enumerate(er_adv) if i % 8]
    er_long = [p for i, p in enumerate(er_adv) if i % 8 == 0]
    events.append({"at": 0, "op": "advertise", "from": "er-primary", "prefixes": er_short,
                   "asPath": [65020]})
    events.append({"at": 0, "op": "advertise", "from": "er-primary", "prefixes": er_long,
                   "asPath": [65020, 65020]})
    events.append({"at": 0, "op": "advertise", "from": "branch-vpn", "prefixes": vpn_adv,
                   "asPath": [65100]})
    events.append({"at": "10s", "op": "checkpoint", "label": "baseline"})

    # Withdraw / advertise pairs.  Sources cycle over the 8 NVAs, ER and VPN;
    # the withdrawn prefix is one the source alone advertises (so the change
    # is visible in the tables), the new one comes from its unused pool.
    sources = ["ars/nva%d" % (k + 1) for k in range(N_NVAS)] + ["er-primary", "branch-vpn"]
    live = {}
    for k in range(N_NVAS):
        partner = set(nva_adv[k ^ 1])
        live[sources[k]] = [p for p in nva_adv[k] if p != "0.0.0.0/0" and p not in partner]
    live["er-primary"] = er_adv[VPN_BACKUP_OF_ER:]
    live["branch-vpn"] = vpn_adv[VPN_BACKUP_OF_ER:]
    pools = {sources[k]: nva_pool[k] for k in range(N_NVAS)}
    pools["er-primary"], pools["branch-vpn"] = er_pool, vpn_pool
    as_path = {sources[k]: [65001 + k // 2] for k in range(N_NVAS)}
    as_path["er-primary"], as_path["branch-vpn"] = [65020], [65100]
    t = 60
    for i in range(BGP_PAIRS):
        src = sources[i % len(sources)]
        victims = live[src]
        old = victims.pop(rng.below(len(victims)))
        new = pools[src].pop(0)
        events.append({"at": "%ds" % t, "op": "withdraw", "from": src, "prefixes": [old]})
        events.append({"at": "%ds" % (t + 1), "op": "advertise", "from": src, "prefixes": [new],
                       "asPath": as_path[src]})
        t += 2
    t += 10
    events.append({"at": "%ds" % t, "op": "checkpoint", "label": "after-bgp"})

    # UDR edits: move a table's to-private route to another NVA.
    t += 30
    current = {s: nva_ips[(s - 1) % N_NVAS] for s in range(1, N_SPOKES + 1)}
    order = list(range(1, N_SPOKES + 1))
    rng.shuffle(order)
    for i in range(UDR_EDITS):
        s = order[i % len(order)]
        choices = [a for a in nva_ips if a != current[s]]
        current[s] = choices[rng.below(len(choices))]
        events.append({"at": "%ds" % t, "op": "set",
                       "path": "routeTables/rt-s%03d/routes/to-private" % s,
                       "value": {"nextHopIpAddress": current[s]}})
        t += 1
    t += 10
    events.append({"at": "%ds" % t, "op": "checkpoint", "label": "after-udr"})

    # Peering changes: a spoke stops using the hub's gateways, then uses
    # them again.
    t += 30
    order = list(range(1, N_SPOKES + 1))
    rng.shuffle(order)
    for s in order[:PEERING_TOGGLES]:
        path = "virtualNetworks/spoke%03d/virtualNetworkPeerings/spoke%03d-to-hub" % (s, s)
        events.append({"at": "%ds" % t, "op": "set", "path": path,
                       "value": {"useRemoteGateways": False}})
        events.append({"at": "%ds" % (t + 1), "op": "set", "path": path,
                       "value": {"useRemoteGateways": True}})
        t += 2
    t += 10
    events.append({"at": "%ds" % t, "op": "checkpoint", "label": "after-peering"})

    storage = {"westeurope": ["20.38.108.0/23", "20.47.7.0/24", "20.150.8.0/23",
                              "52.239.140.0/22"],
               "northeurope": ["20.38.102.0/23", "20.47.8.0/24", "20.150.26.0/24",
                               "52.239.136.0/22"]}
    doc = {
        "schemaVersion": 1,
        "name": name,
        "description": (
            "Scale reference (README, Performance), generated by tools/gen-ref.py --vms %d --seed %d: "
            "%d VMs (8 NVAs included), 1 hub + %d spokes with 2 subnets each (/%d spokes, "
            "/%d subnets), UDRs on half the subnets, VPN (active-active) and ExpressRoute "
            "gateways, a Route Server (%d units) with 8 NVAs advertising 1,000 prefixes each, "
            "%d prefixes over ExpressRoute and %d over VPN, Storage service endpoints on 10%% "
            "of the subnets. After the baseline: %d withdraw/advertise pairs, %d UDR edits, "
            "%d peering toggles, for the event benchmark (tools/bench)."
            % (vms, seed, vms, N_SPOKES, spoke_len, sub_len, units, ER_PREFIXES,
               VPN_PREFIXES, BGP_PAIRS, UDR_EDITS, PEERING_TOGGLES)),
        "seed": seed,
        "settings": {"platformNoneRoutes": "DOC", "bgpHoldSeconds": 180,
                     "bgpKeepaliveSeconds": 60, "bgpConnectRetrySeconds": 60,
                     "routeProgrammingDelaySeconds": 0},
        "serviceTags": {"values": [
            {"name": "Storage.WestEurope",
             "properties": {"region": "westeurope", "addressPrefixes": storage["westeurope"]}},
            {"name": "Storage.NorthEurope",
             "properties": {"region": "northeurope", "addressPrefixes": storage["northeurope"]}},
            {"name": "Storage",
             "properties": {"region": "", "addressPrefixes": storage["westeurope"] +
                            storage["northeurope"]}}]},
        "topology": topology,
        "events": events,
    }
    return doc


def fmt(v, indent, width=120):
    """JSON with a value on one line when it fits in width, else broken up
    one member per line: readable and diff-friendly."""
    flat = json.dumps(v, separators=(", ", ": "))
    if len(flat) + indent <= width or not isinstance(v, (dict, list)) or not v:
        return flat
    pad = " " * (indent + 2)
    if isinstance(v, dict):
        items = ["%s%s: %s" % (pad, json.dumps(k), fmt(x, indent + 2, width))
                 for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + fmt(x, indent + 2, width) for x in v]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def dump(doc):
    """The document through fmt, except events: one event per line."""
    events = doc["events"]
    rest = dict(doc)
    rest["events"] = []
    text = fmt(rest, 0)
    lines = ",\n".join("    " + json.dumps(e, separators=(", ", ": ")) for e in events)
    head, tail = text.rsplit('"events": []', 1)
    return head + '"events": [\n' + lines + "\n  ]" + tail + "\n"


def main():
    global N_SPOKES
    ap = argparse.ArgumentParser(description="Generate a scale reference scenario (README, Performance).")
    ap.add_argument("--vms", type=int, required=True,
                    help="VMs in all, the 8 NVAs included (4000 for ref-4k, 50000 for ref-50k)")
    ap.add_argument("--out", required=True, help="output file ('-' for stdout)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--name", help="scenario name (default ref-<N/1000>k or ref-<N>)")
    ap.add_argument("--spokes", type=int, default=N_SPOKES,
                    help="spoke VNets (default %d, as in the reference scenarios); the benchmark's "
                         "scaling curve grows them with --vms" % N_SPOKES)
    a = ap.parse_args()
    if a.spokes < 1 or a.spokes > 9999:
        ap.error("--spokes must be in [1, 9999]")
    N_SPOKES = a.spokes
    if a.vms < N_NVAS + 2 * N_SPOKES:
        ap.error("--vms must be at least %d (one VM per spoke subnet)" % (N_NVAS + 2 * N_SPOKES))
    if a.seed < 0 or a.seed >= 1 << 53:
        ap.error("--seed must be in [0, 2^53)")
    name = a.name or ("ref-%dk" % (a.vms // 1000) if a.vms % 1000 == 0 else "ref-%d" % a.vms)
    text = dump(build(a.vms, a.seed, name))
    if a.out == "-":
        sys.stdout.write(text)
        return
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
