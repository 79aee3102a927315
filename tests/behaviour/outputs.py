#!/usr/bin/env python3
"""outputs.py - the outputs of every command, recorded once and compared later.

A refactoring must not change what vnetsim prints.  This script runs a fixed
list of command lines (run, routes, next-hop, bgp, diff, check and sweep on the
seed scenario, every conformance case and, with --full, ref-4k), and keeps the
SHA-256, byte count and exit status of each one's stdout in a TSV file:

    outputs.py record VNETSIM EXPECTED.tsv [--full]   write the file
    outputs.py check  VNETSIM EXPECTED.tsv [--full]   compare, exit 1 on any change

`check` reads the command lines from the file itself, so a command recorded
with --full is skipped (and said so) without it.  The commands are derived
from the scenarios (checkpoint labels, Route Servers, NIC names), so a new
conformance case adds its own lines at the next `record`.

Outputs that legitimately change (a new output format, a rule fixed) are
recorded again on purpose: run `record`, and say why in the commit.
"""
import concurrent.futures
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEED = "scenarios/seed/hub-spoke-ars.json"
REF4K = "scenarios/scale/ref-4k.json"
STUDIES = ["scenarios/studies/seed-enumerate.json", "scenarios/studies/seed-monte-carlo.json",
           "scenarios/studies/seed-capacity.json"]
DESTINATIONS = ["8.8.8.8", "10.0.1.4", "10.1.0.5", "10.2.0.10", "192.168.1.1", "172.16.5.5"]


def nic_names(sc):
    out = []
    for nic in sc.get("topology", {}).get("networkInterfaces", []):
        name, count = nic.get("name", ""), nic.get("count", 1)
        if count > 1 and "*" in name:
            w = len(str(count))
            out.append(name.replace("*", "1".zfill(w)))
            out.append(name.replace("*", str(count).zfill(w)))
        else:
            out.append(name)
    return out


def scenario_commands(path, heavy):
    """Command lines for one scenario file (relative to ROOT)."""
    with open(os.path.join(ROOT, path)) as f:
        sc = json.load(f)
    labels = ["start"] + [e["label"] for e in sc.get("events", [])
                          if e.get("op") == "checkpoint" and "label" in e] + ["end"]
    rss = [r["name"] for r in sc.get("topology", {}).get("routeServers", [])]
    nics = nic_names(sc)
    cmds = [["check", path]]
    if heavy:
        cmds += [["run", path, "-o", fmt] for fmt in ("json", "table", "csv", "jsonl")]
    for at in labels:
        if heavy:
            cmds.append(["routes", path, "--subnet", "*", "-o", "json", "--at", at])
        else:
            cmds.append(["routes", path, "--subnet", "spoke00*/*", "-o", "json", "--at", at])
        cmds.append(["routes", path, "--subnet", "*", "-o", "table", "--at", at]
                    if heavy else ["routes", path, "--nic", nics[0], "-o", "table", "--at", at]
                    if nics else ["check", path])
        for nic in nics[:3]:
            for dst in DESTINATIONS:
                cmds.append(["next-hop", path, "--nic", nic, "--destination", dst, "--at", at,
                             "-o", "json"])
        for rs in rss:
            cmds.append(["bgp", path, "--route-server", rs, "--learned", "--at", at, "-o", "json"])
            cmds.append(["bgp", path, "--route-server", rs, "--advertised", "--at", at,
                         "-o", "json"])
    for a, b in zip(labels, labels[1:]):
        cmds.append(["diff", path, "--from", a, "--to", b, "-o", "json"])
    cmds.append(["diff", path, "--from", labels[0], "--to", labels[-1], "-o", "table"])
    return cmds


def all_commands(full):
    cmds = []
    for path in [SEED] + sorted(
            os.path.join("scenarios/conformance", c, "scenario.json")
            for c in os.listdir(os.path.join(ROOT, "scenarios/conformance"))
            if os.path.isfile(os.path.join(ROOT, "scenarios/conformance", c, "scenario.json"))):
        cmds += [("", c) for c in scenario_commands(path, True)]
    for study in STUDIES:
        cmds.append(("", ["sweep", SEED, "--study", study, "-j", "2", "-o", "json"]))
    # ref-4k: what people run on it; the whole-network outputs (1 GB and
    # more) only with --full.
    ref = scenario_commands(REF4K, False)
    cmds += [("", c) for c in ref]
    if full:
        cmds += [("full", c) for c in scenario_commands(REF4K, True) if c not in ref]
        cmds.append(("full", ["sweep", REF4K, "--study", "scenarios/studies/seed-enumerate.json",
                              "-j", "2", "-o", "json"]))
    return cmds


def digest(vnetsim, argv):
    h = hashlib.sha256()
    n = 0
    p = subprocess.Popen([vnetsim] + argv, cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    while True:
        chunk = p.stdout.read(1 << 20)
        if not chunk:
            break
        h.update(chunk)
        n += len(chunk)
    return p.wait(), n, h.hexdigest()


def main(argv):
    if len(argv) < 4 or argv[1] not in ("record", "check"):
        sys.stderr.write(__doc__)
        return 2
    mode, vnetsim, tsv = argv[1], os.path.abspath(argv[2]), os.path.abspath(argv[3])
    full = "--full" in argv[4:]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    if mode == "record":
        cmds = all_commands(full)
        got = pool.map(lambda tc: digest(vnetsim, tc[1]), cmds)
        with open(tsv + ".tmp", "w") as out:
            out.write("# tier\texit\tbytes\tsha256\targv (tab-separated)\n")
            for (tier, c), (rc, n, h) in zip(cmds, got):
                out.write("\t".join([tier or "-", str(rc), str(n), h] + c) + "\n")
        os.replace(tsv + ".tmp", tsv)
        return 0
    changed = ran = skipped = 0
    with open(tsv) as f:
        lines = [l.rstrip("\n").split("\t") for l in f if not l.startswith("#")]
    if not lines:
        print("outputs: %s records no command" % tsv)
        return 1
    todo = [l for l in lines if l[0] != "full" or full]
    skipped = len(lines) - len(todo)
    results = pool.map(lambda l: digest(vnetsim, l[4:]), todo)
    for (tier, rc, n, h, *c), got in zip(todo, results):
        ran += 1
        if got != (int(rc), int(n), h):
            changed += 1
            print("CHANGED: vnetsim %s\n  recorded exit %s, %s bytes, %s\n  now      exit %d, %d bytes, %s"
                  % (" ".join(c), rc, n, h[:16], got[0], got[1], got[2][:16]))
    print("outputs: %d commands compared, %d changed, %d skipped (need --full)"
          % (ran, changed, skipped))
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
