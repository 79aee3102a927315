#!/usr/bin/env python3
"""Tests of `vnetsim sweep` and `vnetsim merge` through the binary.

Usage: test_sweep.py VNETSIM SOURCE_ROOT CASE

Each CASE is one meson test.  Statistics are checked against closed forms
with tolerances derived from the number of samples; results are checked to
be identical whatever the number of workers, and sharded + merged databases
to equal the unsharded one.
"""
import atexit
import csv
import io
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

VNETSIM, ROOT, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
SEED = os.path.join(ROOT, "scenarios", "seed", "hub-spoke-ars.json")
STUDIES = os.path.join(ROOT, "scenarios", "studies")
TMP = tempfile.mkdtemp(prefix="vnetsim-sweep-")
atexit.register(shutil.rmtree, TMP, True)


def sweep(study, *args, expect=0):
    p = subprocess.run([VNETSIM, "sweep", SEED, "--study", study, "-o", "csv", *args],
                       capture_output=True, text=True, timeout=600)
    if p.returncode != expect:
        sys.exit("exit %d (wanted %d) for %s %s\nstdout:\n%s\nstderr:\n%s"
                 % (p.returncode, expect, study, args, p.stdout, p.stderr))
    return p.stdout, p.stderr


def rows(csv_text):
    lines = csv_text.strip().split("\n")
    head = lines[0].split(",")
    return [dict(zip(head, l.split(","))) for l in lines[1:]]


def write_study(name, doc):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def check(cond, msg):
    if not cond:
        sys.exit("FAIL: " + msg)


def dump(db):
    """Every sweep row, study ids replaced by study keys, sorted."""
    c = sqlite3.connect(db)
    key = dict(c.execute("SELECT id, key FROM sweep_study"))
    out = {"study": sorted(c.execute("SELECT key, kind, name, seed, failure_ms, variants "
                                     "FROM sweep_study"))}
    for t in ["sweep_variant", "sweep_record", "sweep_failure", "sweep_capacity"]:
        out[t] = sorted((key[r[0]],) + tuple(r[1:]) for r in c.execute("SELECT * FROM " + t))
    c.close()
    return out


# A silent crash of an NVA whose routes are ECMP with another one: the
# traffic hashed to it is black-holed until the hold timer expires.  The
# last keepalive came at a phase U(0, keepalive) before the crash, so the
# hold timer fires hold - U(0, keepalive) after it: black hole per failure
# uniform on [hold - keepalive, hold], mean hold - keepalive/2 = 150 s,
# variance keepalive^2/12.  Repairs (lognormal, median 2 h) always come
# after the hold timer.
def closed_form():
    study = write_study("cf.json", {
        "kind": "monte-carlo", "at": "baseline", "runs": 400, "seed": 7, "horizon": "720h",
        "targets": ["ars/nva2"], "mtbf": "240h", "repairMedian": "2h", "repairSigma": 0.1,
        "mode": "silent", "keepalivePhase": True})
    out, _ = sweep(study, "-j", "2")
    stat = {r["destination"]: r for r in rows(out) if r["subnet"] == "*"}
    f = stat["blackhole_s per failure"]
    n = int(f["n"])
    hold, ka = 180.0, 60.0
    mu, sigma = hold - ka / 2, ka / math.sqrt(12)
    check(n > 500, "expected many failures over 400 runs, got %d" % n)
    mean, sd = float(f["mean"]), float(f["sd"])
    check(abs(mean - mu) <= 4 * sigma / math.sqrt(n),
          "mean black hole %.3f s, closed form %.3f s (n=%d)" % (mean, mu, n))
    # Var(s^2) of a uniform sample ~ 0.8 sigma^4 / n (kurtosis 1.8).
    check(abs(sd * sd - sigma * sigma) <= 5 * sigma * sigma * math.sqrt(0.8 / n),
          "sd %.3f s, closed form %.3f s" % (sd, sigma))
    check(float(f["min"] if "min" in f else f["p50"]) >= hold - ka - 0.001, "below support")
    check(float(f["max"]) <= hold + 0.001, "black hole %.3f s above the hold time" % float(f["max"]))
    lo, hi = float(f["ci95_lo"]), float(f["ci95_hi"])
    check(lo < mean < hi and abs((hi - lo) / 2 - 1.96 * sd / math.sqrt(n)) < 0.01 * sd,
          "95%% interval [%.3f, %.3f] is not mean +- t * sd / sqrt(n)" % (lo, hi))
    # Without the phase the hold timer always fires the full hold time later.
    study = write_study("cf0.json", {
        "kind": "monte-carlo", "at": "baseline", "runs": 50, "seed": 7, "horizon": "720h",
        "targets": ["ars/nva2"], "mtbf": "240h", "repairMedian": "2h", "repairSigma": 0.1,
        "keepalivePhase": False})
    out, _ = sweep(study)
    f = {r["destination"]: r for r in rows(out) if r["subnet"] == "*"}["blackhole_s per failure"]
    check(float(f["sd"]) == 0 and float(f["mean"]) == hold, "no phase: %s" % f)


def connection_targets():
    """Gateway connections as monte-carlo targets.  The ExpressRoute
    connection's next hops carry 172.16.0.0/12 and 192.168.20.0/24; a silent
    failure black-holes them until the hold timer fires, hold - phase after
    the crash: the same uniform law as for an NVA.  A VPN connection's
    failure kills the gateway next hops only for the prefixes it carried."""
    study = write_study("cf-er.json", {
        "kind": "monte-carlo", "at": "baseline", "runs": 200, "seed": 11, "horizon": "720h",
        "targets": ["er-amsterdam"], "mtbf": "240h", "repairMedian": "2h", "repairSigma": 0.1,
        "mode": "silent", "keepalivePhase": True})
    out, _ = sweep(study, "-j", "2")
    stat = {(r["subnet"], r["destination"]): r for r in rows(out)}
    f = stat[("*", "blackhole_s per failure")]
    n = int(f["n"])
    hold, ka = 180.0, 60.0
    mu, sigma = hold - ka / 2, ka / math.sqrt(12)
    check(n > 250, "expected many failures over 200 runs, got %d" % n)
    check(abs(float(f["mean"]) - mu) <= 4 * sigma / math.sqrt(n),
          "ER: mean black hole %s s, closed form %.3f s (n=%d)" % (f["mean"], mu, n))
    check(float(f["max"]) <= hold + 0.001, "ER: above the hold time: %s" % f)
    dests = {d for (s_, d) in stat if s_ == "hub/app"}
    check("172.16.0.0/12" in dests and "192.168.20.0/24" in dests,
          "ER prefixes black-holed in hub/app: %s" % sorted(dests))
    check(not any(d.startswith("192.168.10.") for d in dests), "VPN-only prefixes untouched")
    # The VPN connection: only what it carried (192.168.10.0/24 and the
    # 192.168.100.1/32 BGP peer address), not the ExpressRoute-preferred ones.
    study = write_study("cf-vpn.json", {
        "kind": "monte-carlo", "at": "baseline", "runs": 20, "seed": 11, "horizon": "720h",
        "targets": ["branch-paris"], "mtbf": "240h", "repairMedian": "2h", "repairSigma": 0.1})
    out, _ = sweep(study)
    dests = {r["destination"] for r in rows(out) if r["subnet"] == "hub/app"}
    check("192.168.10.0/24" in dests and "172.16.0.0/12" not in dests,
          "VPN failure black-holes its own prefixes only: %s" % sorted(dests))
    # Not a peer at all.
    bad = write_study("cf-bad.json", {
        "kind": "monte-carlo", "runs": 2, "mtbf": "1h", "targets": ["vpngw"]})
    _, err = sweep(bad, expect=2)
    check("$.targets[0]" in err and "gateway connection" in err, err)


# A graceful shutdown withdraws at once: no black hole through BGP.  The
# exponential time between failures gives a Poisson number of failures per
# run when repairs are short: mean horizon / mtbf.
def failures_poisson():
    study = write_study("po.json", {
        "kind": "monte-carlo", "at": "baseline", "runs": 300, "seed": 3, "horizon": "720h",
        "targets": ["ars/nva2"], "mtbf": "72h", "repairMedian": "1m", "repairSigma": 0.1,
        "mode": "graceful"})
    out, _ = sweep(study, "--out", os.path.join(TMP, "po"))
    stat = {r["destination"]: r for r in rows(out) if r["subnet"] == "*"}
    n = int(stat["blackhole_s per failure"]["n"])
    runs, lam = 300, 720.0 / 72.0
    check(abs(n / runs - lam) <= 4 * math.sqrt(lam / runs),
          "%.3f failures per run, Poisson mean %.3f" % (n / runs, lam))
    check(float(stat["blackhole_s per failure"]["max"]) == 0, "graceful: no black hole")
    # One session loss per failure.
    check(abs(float(stat["session_losses per run"]["mean"]) - n / runs) < 0.0006,
          "session losses per run %s vs failures %s" % (stat["session_losses per run"]["mean"],
                                                      n / runs))


def enumerate_seed():
    out, _ = sweep(os.path.join(STUDIES, "seed-enumerate.json"))
    by = {r["failure"]: r for r in rows(out)}
    # nva2 silent: ECMP traffic black-holed exactly the hold time.
    r = by["peerDown silent ars/nva2"]
    check(float(r["max_blackhole_s"]) == 180.0 and int(r["blackholed"]) > 0, str(r))
    check(float(by["peerDown graceful ars/nva2"]["score_nic_s"]) == 0, "graceful nva2 is harmless")
    # nva1 is also the next hop of spoke1/db's UDR: that stays black-holed
    # for the whole window (30 min) after the crash.
    check(float(by["peerDown silent ars/nva1"]["max_blackhole_s"]) == 1800.0, "UDR to nva1")
    # Ranks follow the score, ties by variant number.
    ranked = rows(out)
    for a, b in zip(ranked, ranked[1:]):
        check(float(a["score_nic_s"]) > float(b["score_nic_s"]) or
              (a["score_nic_s"] == b["score_nic_s"] and int(a["variant"]) < int(b["variant"])),
              "ranking order %s before %s" % (a["failure"], b["failure"]))
    check(ranked[0]["class"] == "peering", "a peering removal isolates the spoke: top impact")


def json_output():
    """-o json carries the table's rows, numbers as numbers; the default when
    stdout is not a terminal (a pipe) is json, so it must work."""
    study = os.path.join(STUDIES, "seed-enumerate.json")
    csv_out, _ = sweep(study)
    p = subprocess.run([VNETSIM, "sweep", SEED, "--study", study], capture_output=True,
                       text=True, timeout=600)
    check(p.returncode == 0, "sweep piped (default json) exits %d: %s" % (p.returncode, p.stderr))
    doc = json.loads(p.stdout)
    want = rows(csv_out)
    check(len(doc) == len(want), "json rows %d, csv rows %d" % (len(doc), len(want)))
    for j, c in zip(doc, want):
        check(set(j) == set(c), "json keys %s vs csv columns %s" % (sorted(j), sorted(c)))
        check(j["failure"] == c["failure"] and isinstance(j["score_nic_s"], float) and
              j["score_nic_s"] == float(c["score_nic_s"]), "row %s vs %s" % (j, c))
    p = subprocess.run([VNETSIM, "sweep", SEED, "--study", study, "-o", "jsonl"],
                       capture_output=True, text=True, timeout=600)
    lines = [json.loads(l) for l in p.stdout.splitlines()]
    check(lines == doc, "jsonl lines equal the json array")


def unprogrammed():
    """VM-minutes beyond Route Server capacity: 72 seed NICs + 3,940 in a new
    spoke subnet = 4,012 > 4,000 (2 units), so the 12 most recent NICs get
    no Route Server routes until the scale-out started at 0 s completes at
    600 s.  From the baseline (10 s): 12 * 590 s = 118 VM-minutes per run,
    in every run (failures do not change it)."""
    with open(SEED) as f:
        doc = json.load(f)
    doc["settings"]["routeServerScaleOutSeconds"] = 600
    spoke = [v for v in doc["topology"]["virtualNetworks"] if v["name"] == "spoke1"][0]
    spoke["subnets"].append({"name": "bulk", "addressPrefix": "10.1.64.0/18"})
    doc["topology"]["networkInterfaces"].append(
        {"name": "bulk-*", "count": 3940,
         "ipConfigurations": [{"subnet": {"id": "spoke1/bulk"}}]})
    scen = write_study("over-capacity.json", doc)
    study = write_study("mc-unprog.json", {
        "kind": "monte-carlo", "at": "baseline", "runs": 4, "seed": 7, "horizon": "1h",
        "mtbf": "240h", "repairMedian": "5m", "repairSigma": 0.5})
    p = subprocess.run([VNETSIM, "sweep", scen, "--study", study, "-o", "csv",
                        "--db", os.path.join(TMP, "unprog.db")],
                       capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr))
    r = {x["destination"]: x for x in rows(p.stdout)}["unprogrammed_vm_min per run"]
    want = 12 * 590 / 60
    check(abs(float(r["mean"]) - want) < 1e-3 and float(r["sd"]) == 0 and r["n"] == "4",
          "unprogrammed VM-minutes %s, want %.3f in each run" % (r, want))
    c = sqlite3.connect(os.path.join(TMP, "unprog.db"))
    vals = [v for (v,) in c.execute("SELECT unprogrammed_vm_s FROM sweep_variant")]
    check(vals == [12 * 590.0] * 4, "database unprogrammed_vm_s %s" % vals)
    # A v1 sweep database is migrated when written again.
    c.execute("ALTER TABLE sweep_variant DROP COLUMN unprogrammed_vm_s")
    c.execute("UPDATE sweep_schema SET version = 1")
    c.commit()
    c.close()
    p = subprocess.run([VNETSIM, "sweep", scen, "--study", study, "-o", "csv",
                        "--db", os.path.join(TMP, "unprog.db")],
                       capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, "migration: exit %d: %s" % (p.returncode, p.stderr))
    c = sqlite3.connect(os.path.join(TMP, "unprog.db"))
    check(c.execute("SELECT max(version) FROM sweep_schema").fetchone()[0] == 4, "migrated to 4")
    vals = [v for (v,) in c.execute("SELECT unprogrammed_vm_s FROM sweep_variant")]
    check(vals == [12 * 590.0] * 4, "after migration %s" % vals)


def workers_identical():
    for name in ["seed-enumerate.json", "seed-monte-carlo.json"]:
        study = os.path.join(STUDIES, name)
        d1, d2 = os.path.join(TMP, name + "-1.db"), os.path.join(TMP, name + "-2.db")
        o1, _ = sweep(study, "-j", "1", "--db", d1)
        o2, _ = sweep(study, "-j", "2", "--db", d2)
        check(o1 == o2, "%s: output differs between -j 1 and -j 2" % name)
        check(dump(d1) == dump(d2), "%s: database differs between -j 1 and -j 2" % name)


def shards_merge():
    for name in ["seed-enumerate.json", "seed-monte-carlo.json"]:
        study = os.path.join(STUDIES, name)
        whole = os.path.join(TMP, name + "-whole.db")
        sweep(study, "--db", whole)
        parts = []
        for i in range(3):
            part = os.path.join(TMP, "%s-%d.db" % (name, i))
            sweep(study, "--shard", "%d/3" % i, "--db", part)
            parts.append(part)
        merged = os.path.join(TMP, name + "-merged.db")
        p = subprocess.run([VNETSIM, "merge", merged] + parts, capture_output=True, text=True)
        check(p.returncode == 0, "merge failed: " + p.stderr)
        check(dump(merged) == dump(whole), "%s: merged shards differ from the whole sweep" % name)
        check(len(dump(whole)["sweep_variant"]) > 0, "no variants recorded")
    # A database without sweep tables is refused.
    empty = os.path.join(TMP, "plain.db")
    sqlite3.connect(empty).execute("CREATE TABLE t(x)").connection.commit()
    p = subprocess.run([VNETSIM, "merge", os.path.join(TMP, "m.db"), empty],
                       capture_output=True, text=True)
    check(p.returncode == 2 and "no sweep tables" in p.stderr, "plain db: " + p.stderr)


def capacity_seed():
    """Bites found by replaying the grown seed network (models/studies/grow.c)."""
    db = os.path.join(TMP, "cap.db")
    out_dir = os.path.join(TMP, "cap")
    out, _ = sweep(os.path.join(STUDIES, "seed-capacity.json"), "--db", db, "--out", out_dir)
    by = {(r["limit"], r["scope"]): r for r in csv.DictReader(io.StringIO(out))}
    r = by[("routes per BGP peer", "ars/nva1")]
    # nva1 advertises 2 prefixes; the 999th more is the 1,001st: the session drops.
    check(r["used"] == "2" and r["headroom"] == "998" and r["nva_routes_to_bite"] == "999", str(r))
    check("1001 > 1000" in r["notes"] and "the session drops" in r["notes"], r["notes"])
    # 72 VMs + 46 per copy of spoke1: 4,028 > 4,000 at 86 spokes, where a
    # scale-out starts.  VMs alone never get there: the seed's subnets hold
    # 1,183 more (Azure keeps 5 addresses of each).
    r = by[("Route Server VMs before scale-out", "ars (2 units)")]
    check(r["used"] == "72" and r["spokes_to_bite"] == "86" and r["vms_to_bite"] == "-", str(r))
    check("4028 > 4000" in r["notes"] and "scale-out starts" in r["notes"], r["notes"])
    check("cannot grow at step 1184" in r["notes"], r["notes"])
    # Spokes are /16s: 10/8 holds 253 more (10.0, 10.1 and 10.100 are taken),
    # 172.16/12 and 192.168/16 are routed from on-premises.
    r = by[("peerings per VNet", "hub")]
    check(r["spokes_to_bite"] == "-" and "address space exhausted at spoke 254" in r["notes"],
          str(r))
    # Notes of several dimensions come together.
    r = by[("Route Server total prefixes", "ars")]
    check(r["notes"].startswith("spokes: not reached") and "; nvaRoutes: replayed: 10001 > 10000"
          in r["notes"] and "; onPremPrefixes: replayed: 10001 > 10000" in r["notes"], r["notes"])
    # A limit that does not grow with a dimension has nothing to say about it.
    check(by[("BGP peers per Route Server", "ars")]["notes"] == "-", "peers")
    r = by[("ExpressRoute prefixes per connection", "er-amsterdam")]
    check(r["onprem_prefixes_to_bite"] == "3999" and "the session drops" in r["notes"], str(r))
    check(os.path.exists(os.path.join(out_dir, "sweep.gnuplot")), "gnuplot script written")
    # The growth file holds the replayed points: 4,028 / 4,000 at step 86.
    with open(os.path.join(out_dir, "growth-spokes.csv")) as f:
        g = list(csv.reader(f))
    check(g[0] == ["step", "Route Server VMs before scale-out ars (2 units)"], str(g[0]))
    pts = {int(x[0]): float(x[1]) for x in g[1:]}
    check(pts[0] == 1.8 and pts[86] == 100.7 and pts[85] == 99.55, str(pts))
    c = sqlite3.connect(db)
    n = c.execute("SELECT count(*) FROM sweep_capacity").fetchone()[0]
    check(n == len(by), "capacity rows in the database: %d, printed %d" % (n, len(by)))
    row = c.execute("SELECT grows, bites_at, notes FROM sweep_capacity WHERE limit_name ="
                    " 'Route Server VMs before scale-out'").fetchone()
    check(row[0] == "spokes" and row[1] == 86 and "scale-out" in row[2], str(row))
    # A v2 database gains the notes column when written again.
    c.execute("ALTER TABLE sweep_capacity DROP COLUMN notes")
    c.execute("UPDATE sweep_schema SET version = 2")
    c.commit()
    c.close()
    out2, _ = sweep(os.path.join(STUDIES, "seed-capacity.json"), "--db", db)
    check(out2 == out, "a second run prints the same bytes")
    c = sqlite3.connect(db)
    check(c.execute("SELECT max(version) FROM sweep_schema").fetchone()[0] == 4, "migrated to 4")
    check(c.execute("SELECT count(*) FROM sweep_capacity WHERE notes LIKE '%scale-out%'")
          .fetchone()[0] == 1, "notes after migration")
    c.close()
    # vnetsim merge carries the notes.
    merged = os.path.join(TMP, "cap-merged.db")
    p = subprocess.run([VNETSIM, "merge", merged, db], capture_output=True, text=True)
    check(p.returncode == 0, "merge: " + p.stderr)
    check(dump(merged) == dump(db) and dump(db)["sweep_capacity"], "merged capacity rows")
    # A limit already above at the baseline bites at step 0, and says so.
    with open(SEED) as f:
        doc = json.load(f)
    doc["topology"]["routeServers"][0]["bgpConnections"][0]["maxRoutes"] = 1
    scen = write_study("over-limit.json", doc)
    study = write_study("cap-nva.json", {"kind": "capacity", "at": "baseline",
                                         "grow": ["nvaRoutes"], "maxSteps": 10})
    p = subprocess.run([VNETSIM, "sweep", scen, "--study", study, "-o", "csv"],
                       capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, p.stderr)
    r = {(x["limit"], x["scope"]): x for x in csv.DictReader(io.StringIO(p.stdout))}
    r = r[("routes per BGP peer", "ars/nva1")]
    check(r["nva_routes_to_bite"] == "0" and r["spokes_to_bite"] == "-" and
          r["notes"] == "above the limit at the baseline", str(r))
    # --write-grown: the network of the bite, for vnetsim run and check.
    grown = os.path.join(TMP, "g86.json")
    sweep(os.path.join(STUDIES, "seed-capacity.json"), "--write-grown", "spokes:86:" + grown)
    p = subprocess.run([VNETSIM, "check", grown], capture_output=True, text=True)
    check(p.returncode == 0 and "4028 VMs (NICs)" in p.stdout + p.stderr, p.stdout + p.stderr)
    p = subprocess.run([VNETSIM, "run", grown, "-o", "csv"], capture_output=True, text=True)
    check(p.returncode == 0, "the grown network runs: " + p.stderr)
    _, err = sweep(os.path.join(STUDIES, "seed-capacity.json"), "--write-grown",
                   "spokes:254:" + grown, expect=2)
    check("address space exhausted at spoke 254" in err, err)
    _, err = sweep(os.path.join(STUDIES, "seed-capacity.json"), "--write-grown", "rivers:2:x",
                   expect=2)
    _, err = sweep(os.path.join(STUDIES, "seed-enumerate.json"), "--write-grown", "vms:2:x",
                   expect=2)
    check("capacity studies" in err, err)


def static_connection():
    """A VPN connection without BGP is a failure of its own in enumerate
    studies: Azure keeps its local network gateway prefixes programmed
    while the tunnel is down, so they are black-holed at the gateway (both
    instances' addresses: vpngw is active-active) until the repair."""
    with open(SEED) as f:
        doc = json.load(f)
    doc["topology"]["connections"].append(
        {"name": "branch-lyon", "virtualNetworkGateway": {"id": "vpngw"},
         "connectionType": "IPsec", "enableBgp": False,
         "localNetworkAddressPrefixes": ["192.168.30.0/24"]})
    scen = write_study("static-vpn.json", doc)
    study = write_study("enum-static.json", {"kind": "enumerate", "at": "baseline",
                                             "failures": ["connection"], "window": "30m",
                                             "repairAfter": "10m"})
    p = subprocess.run([VNETSIM, "sweep", scen, "--study", study, "-o", "csv", "--db",
                        os.path.join(TMP, "static.db")],
                       capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr))
    got = [r for r in rows(p.stdout) if "branch-lyon" in r["failure"]]
    check(len(got) == 1, "one variant for the static connection: %s" % got)
    r = got[0]
    # 7 subnets, 72 NICs, one destination black-holed for the 600 s repair.
    check(r["failure"] == "connectionDown static branch-lyon" and r["class"] == "connection" and
          r["subnets"] == "7" and r["blackholed"] == "7" and r["max_blackhole_s"] == "600.000" and
          r["session_losses"] == "0" and float(r["score_nic_s"]) == 72 * 600.0, str(r))
    c = sqlite3.connect(os.path.join(TMP, "static.db"))
    dests = {d for (d,) in c.execute("SELECT DISTINCT r.destination FROM sweep_record r JOIN "
                                     "sweep_variant v USING (study, variant) WHERE v.label ="
                                     " 'connectionDown static branch-lyon'")}
    check(dests == {"*"} or dests == {"192.168.30.0/24"}, "destinations %s" % dests)


def bad_input():
    cases = [({"kind": "sideways"}, "$.kind"),
             ({"kind": "monte-carlo", "mtbf": "1h"}, "\"runs\""),
             ({"kind": "monte-carlo", "runs": 3, "mtbf": "1h", "targets": ["ars/nope"]},
              "$.targets[0]"),
             ({"kind": "enumerate", "failures": ["nva", "meteor"]}, "$.failures[1]"),
             ({"kind": "enumerate", "at": "no-such-label"}, "$.at"),
             ({"kind": "enumerate", "window": -5}, "$.window")]
    for i, (doc, path) in enumerate(cases):
        study = write_study("bad%d.json" % i, doc)
        _, err = sweep(study, expect=2)
        check(study in err and path in err, "bad study %s: %s" % (doc, err))
    # A missing file is invalid input, as for scenarios (jin_parse_file).
    _, err = sweep(os.path.join(TMP, "missing.json"), expect=2)
    _, err = sweep(os.path.join(STUDIES, "seed-enumerate.json"), "--shard", "3/3", expect=2)


# Without detail, each subnet's records are scored and folded as they are
# made (the fast path of the 1,000-variant target); with detail, every
# destination's record is kept and the score summed over the whole list.
# Both must agree exactly: the same ranking and scores, and the folded
# records the per-subnet maxima of the detailed ones.  On the seed and on
# a small generated reference scenario (every failure class).
def fold_oracle():
    small = os.path.join(TMP, "gen-small.json")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen-ref.py"), "--vms", "300",
                    "--spokes", "8", "--out", small], check=True, timeout=120)
    base = {"kind": "enumerate", "at": "baseline", "window": "30m"}
    for scen in [SEED, small]:
        out, dbs = {}, {}
        for detail in [True, False]:
            study = write_study("fo-%s.json" % detail, dict(base, detail=detail))
            dbs[detail] = os.path.join(TMP, "fo-%s-%s.db" % (os.path.basename(scen), detail))
            p = subprocess.run([VNETSIM, "sweep", scen, "--study", study, "-o", "csv", "-j", "2",
                                "--db", dbs[detail]], capture_output=True, text=True, timeout=600)
            check(p.returncode == 0, "%s: exit %d: %s" % (scen, p.returncode, p.stderr))
            out[detail] = p.stdout
        check(out[True] == out[False], "%s: ranking differs with and without detail" % scen)
        d, f = dump(dbs[True]), dump(dbs[False])
        check([r[1:] for r in d["sweep_variant"]] == [r[1:] for r in f["sweep_variant"]],
              "%s: variants differ" % scen)
        folded = {}
        for r in d["sweep_record"]:
            k = r[1:3]
            m = folded.get(k, (r[4], 0, 0, 0))
            folded[k] = (m[0], max(m[1], r[5]), max(m[2], r[6]), max(m[3], r[7]))
        want = sorted(k + v for k, v in folded.items())
        got = sorted(r[1:3] + (r[4],) + tuple(r[5:8]) for r in f["sweep_record"])
        check(len(want) > 0, "%s: no records" % scen)
        check(got == want, "%s: folded records differ from the detailed ones folded" % scen)


def nice_ceil(w):
    p = 10 ** math.floor(math.log10(w))
    for k in (1, 2, 5, 10):
        if k * p >= w * (1 - 1e-12):
            return k * p
    return 10 * p


def plots():
    """The gnuplot scripts of the three study kinds: enhanced text off (no
    IN_0 subscripts), the enumerate ranking as horizontal bars read top
    down, the Monte Carlo histogram binned from the data (Freedman-
    Diaconis, rounded to 1-2-5), the ECDF scaled by the real run count;
    rendered without a warning by gnuplot when it is installed."""
    dirs = {}
    for kind in ("enumerate", "monte-carlo", "capacity"):
        d = os.path.join(TMP, "plot-" + kind)
        sweep(os.path.join(STUDIES, "seed-%s.json" % kind), "--out", d)
        script = open(os.path.join(d, "sweep.gnuplot")).read()
        check("noenhanced" in script, kind + ": enhanced text is on")
        check("STATS_records" not in script, kind + ": ECDF scaled by STATS_records (plots nothing)")
        dirs[kind] = (d, script)
    d, script = dirs["enumerate"]
    n = min(20, len(open(os.path.join(d, "variants.csv")).read().strip().split("\n")) - 1)
    check("with boxxyerror" in script and "yticlabels(3)" in script, "enumerate: not horizontal bars")
    check("set yrange [%d.5:0.5]" % n in script, "enumerate: rank 1 not at the top of %d" % n)
    check("rotate" not in script, "enumerate: rotated labels")
    d, script = dirs["monte-carlo"]
    bh = sorted(float(r["blackhole_s"]) for r in csv.DictReader(open(os.path.join(d, "failures.csv"))))
    check(len(bh) > 10, "monte-carlo: too few failures to bin")

    def q(p):  # GSL's quantile_from_sorted_data: linear interpolation
        i = (len(bh) - 1) * p
        lo = math.floor(i)
        return bh[lo] + (bh[min(lo + 1, len(bh) - 1)] - bh[lo]) * (i - lo)
    iqr, rng = q(0.75) - q(0.25), bh[-1] - bh[0]
    w = nice_ceil(2 * iqr / len(bh) ** (1 / 3) if iqr > 0 else rng / (1 + math.log2(len(bh))))
    while rng / w > 60:
        w = nice_ceil(w * 1.5)
    got = float(script.split("binwidth = ")[1].split("\n")[0])
    check(abs(got - w) < 1e-9 * w, "monte-carlo: bin width %g, want %g" % (got, w))
    runs = len(open(os.path.join(d, "runs.csv")).read().strip().split("\n")) - 1
    check("using 2:(1.0 / %d) smooth cumulative" % runs in script, "monte-carlo: ECDF not over %d runs" % runs)
    if shutil.which("gnuplot") is None:
        print("note: gnuplot is not installed: the scripts were checked, not rendered")
        return
    for kind, (d, _) in dirs.items():
        os.remove(os.path.join(d, "sweep.png")) if os.path.exists(os.path.join(d, "sweep.png")) else None
        p = subprocess.run(["gnuplot", "sweep.gnuplot"], cwd=d, capture_output=True, text=True, timeout=120)
        check(p.returncode == 0 and p.stderr.strip() == "", "%s: gnuplot: %d %s" % (kind, p.returncode, p.stderr))
        with open(os.path.join(d, "sweep.png"), "rb") as f:
            check(f.read(8) == b"\x89PNG\r\n\x1a\n", kind + ": sweep.png is not a PNG")


def shard_auto():
    """--shard auto/N takes the index from Slurm or Kubernetes: the same
    variants as the explicit --shard I/N; no index variable, or one that is
    not a number, is exit 2 naming them."""
    study = os.path.join(STUDIES, "seed-enumerate.json")

    def run(env, shard, expect=0):
        e = {k: v for k, v in os.environ.items()
             if k not in ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "JOB_COMPLETION_INDEX")}
        e.update(env)
        p = subprocess.run([VNETSIM, "sweep", SEED, "--study", study, "-o", "csv", "--shard", shard],
                           capture_output=True, text=True, timeout=600, env=e)
        check(p.returncode == expect, "%s %s: exit %d: %s" % (env, shard, p.returncode, p.stderr))
        return p.stdout, p.stderr
    want, _ = run({}, "1/3")
    for env in ({"SLURM_ARRAY_TASK_ID": "1"},
                {"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1"},
                {"JOB_COMPLETION_INDEX": "1"}):
        got, _ = run(env, "auto/3")
        check(got == want, "%s: --shard auto/3 differs from --shard 1/3" % env)
    _, err = run({}, "auto/3", expect=2)
    check("SLURM_ARRAY_TASK_ID" in err and "JOB_COMPLETION_INDEX" in err, "no variable: " + err)
    _, err = run({"SLURM_ARRAY_TASK_ID": "x"}, "auto/3", expect=2)
    check("SLURM_ARRAY_TASK_ID=x" in err, "bad index: " + err)
    run({"JOB_COMPLETION_INDEX": "3"}, "auto/3", expect=2)


# Long-lived workers put the run back to the baseline after each variant
# (models/replay/run_save.h).  Oracle: a shard of one variant is evaluated
# by a fresh worker on the untouched baseline; the whole sweep by one
# worker that has evaluated every variant before it.  Both must give the
# same records for every variant: on the seed (every failure class, with
# and without repairs: edits put back twice) and in monte-carlo.
def rollback_oracle():
    small = os.path.join(TMP, "gen-rb.json")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen-ref.py"), "--vms", "120",
                    "--spokes", "4", "--out", small], check=True, timeout=120)
    studies = [(SEED, write_study("rb-enum.json", {"kind": "enumerate", "at": "baseline",
                                                    "repairAfter": "5m", "detail": True})),
               (small, write_study("rb-enum2.json", {"kind": "enumerate", "at": "baseline"})),
               (SEED, os.path.join(STUDIES, "seed-monte-carlo.json"))]
    for scen, study in studies:
        whole = os.path.join(TMP, "rb-whole.db")
        if os.path.exists(whole):
            os.remove(whole)
        p = subprocess.run([VNETSIM, "sweep", scen, "--study", study, "-j", "1", "--db", whole],
                           capture_output=True, text=True, timeout=600)
        check(p.returncode == 0, "%s: exit %d: %s" % (study, p.returncode, p.stderr))
        want = dump(whole)
        n = len(want["sweep_variant"])
        if "monte" in study:
            n = 12  # the first runs are enough
        check(n > 3, "%s: %d variants" % (study, n))
        total = len(want["sweep_variant"])
        for t in ["sweep_variant", "sweep_record", "sweep_failure"]:
            want[t] = [r for r in want[t] if r[1] < n]
        got = {t: [] for t in want}
        for i in range(n):
            one = os.path.join(TMP, "rb-one.db")
            if os.path.exists(one):
                os.remove(one)
            p = subprocess.run([VNETSIM, "sweep", scen, "--study", study, "-j", "1", "--shard",
                                "%d/%d" % (i, total), "--db", one],
                               capture_output=True, text=True, timeout=600)
            check(p.returncode == 0, "%s shard %d: exit %d: %s" % (study, i, p.returncode, p.stderr))
            for t, v in dump(one).items():
                got[t] += v
        for t in ["sweep_variant", "sweep_record", "sweep_failure"]:
            check(sorted(got[t]) == sorted(want[t]),
                  "%s: %s differ between one worker for all and one per variant" % (study, t))


def group_alive(pgid):
    """Processes of group pgid that are not zombies."""
    alive = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(d))
    return alive


# `timeout`, a cancelled CI job: SIGKILL, SIGTERM or SIGINT to `vnetsim
# sweep` while its workers run.  No worker may go on (they would run
# under PID 1), and nothing may look like a finished sweep: no variant
# in the database, no result file under its final name.
def parent_killed():
    import signal
    import time
    slow = write_study("slow.json", {
        "kind": "monte-carlo", "at": "baseline", "runs": 8, "seed": 3, "horizon": "8760h",
        "targets": ["ars/nva1", "ars/nva2"], "mtbf": "1h", "repairMedian": "10m",
        "repairSigma": 0.5, "mode": "silent"})
    for sig in [signal.SIGKILL, signal.SIGTERM, signal.SIGINT]:
        db, out = os.path.join(TMP, "killed-%d.db" % sig), os.path.join(TMP, "killed-%d" % sig)
        # --max-events: the study is long on purpose (the default bound of
        # events per variant would refuse it at once, README "Limits").
        p = subprocess.Popen([VNETSIM, "sweep", SEED, "--study", slow, "-j", "2", "--db", db,
                              "--out", out, "--max-events", "100000000"],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        workers, deadline = [], time.time() + 120
        while len(workers) < 2 and time.time() < deadline and p.poll() is None:
            time.sleep(0.05)
            workers = [w for w in group_alive(p.pid) if w != p.pid]
        check(len(workers) == 2, "signal %d: no workers seen (%s)" % (sig, workers))
        time.sleep(0.3)
        os.kill(p.pid, sig)
        rc = p.wait(timeout=60)
        left, deadline = group_alive(p.pid), time.time() + 3
        while left and time.time() < deadline:
            time.sleep(0.05)
            left = group_alive(p.pid)
        if left:
            os.killpg(p.pid, signal.SIGKILL)
        check(not left, "signal %d: workers %s still running after the parent died" % (sig, left))
        check(rc == -sig, "signal %d: exit %s, not death by the signal" % (sig, rc))
        if os.path.exists(db):
            c = sqlite3.connect(db)
            tables = [t for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            n = c.execute("SELECT count(*) FROM sweep_variant").fetchone()[0] \
                if "sweep_variant" in tables else 0
            c.close()
            check(n == 0, "signal %d: %d variants recorded by a killed sweep" % (sig, n))
        files = os.listdir(out) if os.path.isdir(out) else []
        check(not [f for f in files if not f.endswith(".tmp")],
              "signal %d: result files of a killed sweep: %s" % (sig, files))
        if sig != signal.SIGKILL:
            check(not files, "signal %d: temporary files left: %s" % (sig, files))


def rank_flows():
    """--rank-by flows (RULES 1.11.7): failures ranked by the flows they
    leave broken at the window's end, the score breaking ties; the same
    with any number of workers; stored in sweep_variant_flows; no column
    without the option; bad values refused."""
    study = os.path.join(STUDIES, "seed-enumerate.json")
    db = os.path.join(TMP, "flows.db")
    out, _ = sweep(study, "--rank-by", "flows", "-j", "1", "--db", db)
    out2, _ = sweep(study, "--rank-by", "flows", "-j", "2")
    check(out == out2, "-j 1 and -j 2 rank differently")
    ranked = rows(out)
    for a, b in zip(ranked, ranked[1:]):
        fa, fb = int(a["flows_broken"]), int(b["flows_broken"])
        check(fa > fb or (fa == fb and float(a["score_nic_s"]) >= float(b["score_nic_s"])),
              "ranking order %s before %s" % (a["failure"], b["failure"]))
    by = {r["failure"]: r for r in ranked}
    # nva1's crash leaves spoke1/db -> spoke1/web (its UDR) dropped; Route
    # Server routes move to nva2 after the hold timer, so nothing else.
    check(by["peerDown silent ars/nva1"]["flows_broken"] == "1", str(by["peerDown silent ars/nva1"]))
    check(by["peerDown silent ars/nva2"]["flows_broken"] == "0", "nva2's crash is repaired")
    check(ranked[0]["class"] == "peering", "a peering removal cuts the spoke off: top")
    c = sqlite3.connect(db)
    stored = dict(c.execute("SELECT variant, flows_broken FROM sweep_variant_flows"))
    c.close()
    check(stored == {int(r["variant"]): int(r["flows_broken"]) for r in ranked},
          "sweep_variant_flows differs from the table: %s" % stored)
    # sweep report renders the ranking from the database, merged shards too.
    got, _ = report(db, "-o", "csv")
    check(got == out, "sweep report of a --rank-by flows sweep differs:\n%s\n%s" % (got, out))
    parts = [os.path.join(TMP, "flows-%d.db" % i) for i in range(2)]
    for i, part in enumerate(parts):
        sweep(study, "--rank-by", "flows", "--shard", "%d/2" % i, "--db", part)
    merged = os.path.join(TMP, "flows-merged.db")
    subprocess.run([VNETSIM, "merge", merged, *parts], check=True, timeout=600)
    got, _ = report(merged, "-o", "csv")
    check(got == out, "sweep report of merged --rank-by flows shards differs")
    # Shards ranked differently: refused, not a half-ranked table.
    mixed = [os.path.join(TMP, "flows-mixed-%d.db" % i) for i in range(2)]
    sweep(study, "--rank-by", "flows", "--shard", "0/2", "--db", mixed[0])
    sweep(study, "--shard", "1/2", "--db", mixed[1])
    merged = os.path.join(TMP, "flows-mixed.db")
    subprocess.run([VNETSIM, "merge", merged, *mixed], check=True, timeout=600)
    _, err = report(merged, "-o", "csv", expect=2)
    check("same --rank-by" in err, "mixed --rank-by shards: " + err)
    plain, _ = sweep(study)
    check("flows_broken" not in plain.split("\n")[0], "a flows column without --rank-by")
    # The same sweep again without --rank-by into the same file: no stale counts.
    sweep(study, "--db", db)
    got, _ = report(db, "-o", "csv")
    check(got == plain, "sweep report after a sweep without --rank-by kept the flows")
    _, err = sweep(study, "--rank-by", "bytes", expect=2)
    check("--rank-by is rows or flows" in err, err)
    _, err = sweep(os.path.join(STUDIES, "seed-monte-carlo.json"), "--rank-by", "flows", expect=2)
    check("flows is for enumerate studies" in err, err)


def tree(d):
    """Every file of a --out folder (gnuplot's PNG aside) by name."""
    out = {}
    for f in sorted(os.listdir(d)):
        if not f.endswith(".png"):
            with open(os.path.join(d, f), "rb") as fh:
                out[f] = fh.read()
    return out


def report(db, *args, expect=0):
    p = subprocess.run([VNETSIM, "sweep", "report", db, *args], capture_output=True, text=True,
                       timeout=600)
    check(p.returncode == expect, "sweep report %s %s: exit %d (wanted %d): %s"
          % (db, args, p.returncode, expect, p.stderr))
    return p.stdout, p.stderr


def report_identical():
    """`sweep report` on the merged databases of 2, 3 or 4 shards prints
    and writes exactly what the unsharded sweep did: every format on
    stdout, every file of --out (CSV, gnuplot data and script), for the
    three study kinds and a detailed enumerate study."""
    detail = write_study("rep-detail.json", {"kind": "enumerate", "at": "baseline",
                                             "repairAfter": "5m", "detail": True})
    mc = write_study("rep-mc.json", dict(json.load(open(os.path.join(STUDIES,
                                                                     "seed-monte-carlo.json"))),
                                         runs=40))
    # (study, shard counts): capacity is one computation, never sharded.
    studies = [(os.path.join(STUDIES, "seed-enumerate.json"), [2, 4]), (mc, [3]),
               (os.path.join(STUDIES, "seed-capacity.json"), []), (detail, [2])]
    for study, shards in studies:
        name = os.path.basename(study)
        whole, wdir = os.path.join(TMP, name + ".db"), os.path.join(TMP, name + "-out")
        want = {}
        # (capacity replays grown networks: seconds a run, two runs)
        for fmt in ("table", "csv") + (() if "capacity" in name else ("jsonl",)):
            args = ["--db", whole, "--out", wdir] if fmt == "csv" else []
            p = subprocess.run([VNETSIM, "sweep", SEED, "--study", study, "-j", "2", "-o", fmt,
                                *args], capture_output=True, text=True, timeout=600)
            check(p.returncode == 0, "%s: sweep exits %d: %s" % (name, p.returncode, p.stderr))
            want[fmt] = p.stdout
        check(want["csv"].count("\n") > 3, name + ": a report of nothing")
        for fmt, text in want.items():
            got, _ = report(whole, "-o", fmt)
            check(got == text, "%s -o %s: report of the whole sweep differs" % (name, fmt))
        for n in shards:
            merged = os.path.join(TMP, "%s-m%d.db" % (name, n))
            parts = []
            for i in range(n):
                part = os.path.join(TMP, "%s-%d-%d.db" % (name, n, i))
                p = subprocess.run([VNETSIM, "sweep", SEED, "--study", study, "-o", "csv",
                                    "--shard", "%d/%d" % (i, n), "--db", part],
                                   capture_output=True, text=True, timeout=600)
                check(p.returncode == 0, "%s shard %d/%d: %s" % (name, i, n, p.stderr))
                parts.append(part)
            p = subprocess.run([VNETSIM, "merge", merged, *reversed(parts)], capture_output=True,
                               text=True, timeout=600)
            check(p.returncode == 0, "merge: " + p.stderr)
            rdir = os.path.join(TMP, "%s-r%d" % (name, n))
            for fmt, text in want.items():
                got, _ = report(merged, "-o", fmt, *(["--out", rdir] if fmt == "csv" else []))
                check(got == text, "%s: %d shards merged, -o %s: report differs from the "
                      "unsharded sweep" % (name, n, fmt))
            check(tree(rdir) == tree(wdir), "%s: %d shards: --out files differ: %s vs %s"
                  % (name, n, sorted(tree(rdir)), sorted(tree(wdir))))


def report_bad():
    """What `sweep report` refuses (exit 2, saying why), never a partial
    report presented as complete."""
    study = os.path.join(STUDIES, "seed-enumerate.json")
    parts = []
    for i in range(2):
        part = os.path.join(TMP, "bad-%d.db" % i)
        sweep(study, "--shard", "%d/2" % i, "--db", part)
        parts.append(part)
    n = len(rows(sweep(study)[0]))
    _, err = report(parts[1], expect=2)
    check("incomplete" in err and "n=%d of %d variants" % (n // 2, n) in err
          and "variant 0 is missing" in err, "one shard of two: " + err)
    # Shards of two studies (another seed) merged into one file.
    mc = write_study("bad-mc.json", dict(json.load(open(os.path.join(STUDIES, "seed-monte-carlo.json"))),
                                         runs=6))
    mc2 = write_study("bad-mc2.json", dict(json.load(open(mc)), seed=7))
    a, b, mixed = (os.path.join(TMP, x) for x in ("mc-a.db", "mc-b.db", "mixed.db"))
    sweep(mc, "--shard", "0/2", "--db", a)
    sweep(mc2, "--shard", "1/2", "--db", b)
    subprocess.run([VNETSIM, "merge", mixed, a, b], check=True, timeout=600)
    _, err = report(mixed, expect=2)
    check("holds 2 sweeps" in err and "--key" in err and "seed 7" in err, "mixed: " + err)
    key = sqlite3.connect(mixed).execute("SELECT key FROM sweep_study WHERE seed = 7").fetchone()[0]
    _, err = report(mixed, "--key", key, expect=2)
    check("n=3 of 6 variants" in err, "mixed --key: " + err)
    _, err = report(mixed, "--key", "nosuchkey", expect=2)
    check("no sweep with key nosuchkey" in err, "--key unknown: " + err)
    # Not a database, not a sweep database, no sweep in it, no file.
    junk = os.path.join(TMP, "junk.db")
    with open(junk, "w") as f:
        f.write("not sqlite\n")
    _, err = report(junk, expect=2)
    check("not a database" in err, "junk: " + err)
    plain = os.path.join(TMP, "plain.db")
    sqlite3.connect(plain).execute("CREATE TABLE t(x)")
    _, err = report(plain, expect=2)
    check("no sweep tables" in err, "plain: " + err)
    empty = os.path.join(TMP, "empty.db")
    c = sqlite3.connect(parts[0])
    c.execute("VACUUM INTO ?", (empty,))
    c.close()
    c = sqlite3.connect(empty)
    for t in ("sweep_study", "sweep_variant", "sweep_record", "sweep_variant_dests", "sweep_subnet"):
        c.execute("DELETE FROM " + t)
    c.commit()
    c.close()
    _, err = report(empty, expect=2)
    check("no sweep recorded" in err, "empty: " + err)
    _, err = report(os.path.join(TMP, "missing.db"), expect=2)
    check("no such file" in err, "missing: " + err)
    # A sweep recorded before the report tables (version 3), migrated by a
    # later sweep --db: refused, not reported from half the data.
    whole = os.path.join(TMP, "old.db")
    sweep(study, "--db", whole)
    c = sqlite3.connect(whole)
    c.execute("UPDATE sweep_schema SET version = 3")
    c.commit()
    c.close()
    _, err = report(whole, expect=2)
    check("version 3" in err, "v3: " + err)
    c = sqlite3.connect(whole)
    c.execute("DELETE FROM sweep_variant_dests")
    c.execute("UPDATE sweep_schema SET version = 4")
    c.commit()
    c.close()
    _, err = report(whole, expect=2)
    check("older vnetsim" in err and "run the sweep again" in err, "pre-report study: " + err)
    p = subprocess.run([VNETSIM, "sweep", "report"], capture_output=True, text=True)
    check(p.returncode == 2 and "DB" in p.stderr, "no DB: %d %s" % (p.returncode, p.stderr))


def progress():
    """Progress of long commands on stderr, never on stdout: a line per
    interval when stderr is not a terminal (VNETSIM_PROGRESS_INTERVAL, a
    hidden knob, shortens it), none for a quick command at the default 5 s,
    none with --no-progress or VNETSIM_PROGRESS=0; a bar with its ETA on a
    terminal (under `script`, util-linux)."""
    def run(args, env=None):
        e = {k: v for k, v in os.environ.items() if not k.startswith("VNETSIM_PROGRESS")}
        e.update(env or {})
        p = subprocess.run([VNETSIM, *args], capture_output=True, text=True, timeout=600, env=e)
        check(p.returncode == 0, "%s: exit %d: %s" % (args, p.returncode, p.stderr))
        return p.stdout, p.stderr
    import time
    mc = ["sweep", SEED, "--study", os.path.join(STUDIES, "seed-monte-carlo.json"), "-o", "csv"]
    quiet_out, _ = run(mc, {"VNETSIM_PROGRESS": "0"})
    enum = ["sweep", SEED, "--study", os.path.join(STUDIES, "seed-enumerate.json"), "-o", "csv"]
    t0 = time.monotonic()
    _, err = run(enum)
    if time.monotonic() - t0 < 4.5:  # a loaded machine (or a sanitizer) may take longer
        check("progress" not in err, "a quick sweep printed progress at the default interval: "
              + err)
    out, err = run(mc, {"VNETSIM_PROGRESS_INTERVAL": "0"})
    check(out == quiet_out, "progress changed stdout")
    lines = [l for l in err.split("\n") if l.startswith("progress: ")]
    check(len(lines) >= 100 and "progress: 200/200 runs" in lines[-1] and "done in" in lines[-1],
          "monte-carlo progress lines: %s" % lines[-3:])
    check(any("ETA" in l and "/s" in l for l in lines), "no rate or ETA: %s" % lines[:3])
    for extra, env in ((["--no-progress"], {"VNETSIM_PROGRESS_INTERVAL": "0"}),
                       ([], {"VNETSIM_PROGRESS_INTERVAL": "0", "VNETSIM_PROGRESS": "0"})):
        out, err = run(mc + extra, env)
        check(out == quiet_out and "progress" not in err, "not silenced by %s %s" % (extra, env))
    _, err = run(enum, {"VNETSIM_PROGRESS_INTERVAL": "0"})
    check("progress: 16/16 variants" in err, "enumerate: " + err[-300:])
    _, err = run(["sweep", SEED, "--study", os.path.join(STUDIES, "seed-capacity.json"), "-o",
                  "csv"], {"VNETSIM_PROGRESS_INTERVAL": "0"})
    check(" limit searches, " in err and "done in" in err, "capacity: " + err[-300:])
    batch = [os.path.join(ROOT, "scenarios", "conformance")]
    quiet_out, _ = run(["run", *batch, "-j", "2", "-o", "json"])
    out, err = run(["run", *batch, "-j", "2", "-o", "json"], {"VNETSIM_PROGRESS_INTERVAL": "0"})
    n = len([l for l in err.split("\n") if l.startswith("progress: ") and " scenarios, " in l])
    check(out == quiet_out and n > 5, "run batch: %d lines: %s" % (n, err[-300:]))
    _, err = run(["run", *batch, "--no-progress", "-o", "json"], {"VNETSIM_PROGRESS_INTERVAL": "0"})
    check("progress" not in err, "run --no-progress: " + err[-300:])
    if shutil.which("script") is None:
        print("note: script (util-linux) is not installed: the terminal bar was not checked")
        return
    log = os.path.join(TMP, "tty.log")
    cmd = " ".join("'%s'" % a for a in [VNETSIM, *mc]) + " >/dev/null"
    p = subprocess.run(["script", "-qec", cmd, log], capture_output=True, timeout=600,
                       stdin=subprocess.DEVNULL)
    tty = p.stdout.decode(errors="replace")
    check(p.returncode == 0 and "\r[" in tty and "200/200 runs" in tty and "done in" in tty,
          "no bar on a terminal: %r" % tty[-300:])
    check("progress: " not in tty, "plain lines on a terminal")


{"rank-flows": rank_flows, "shard-auto": shard_auto, "plots": plots, "fold-oracle": fold_oracle, "closed-form": closed_form, "poisson": failures_poisson, "enumerate": enumerate_seed,
 "workers": workers_identical, "shards": shards_merge, "capacity": capacity_seed,
 "bad-input": bad_input, "json": json_output, "unprogrammed": unprogrammed,
 "connections": connection_targets, "static-connection": static_connection,
 "rollback-oracle": rollback_oracle, "parent-killed": parent_killed,
 "report": report_identical, "report-bad": report_bad, "progress": progress}[CASE]()
print("ok", CASE)
