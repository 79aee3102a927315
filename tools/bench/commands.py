#!/usr/bin/env python3
"""commands.py - whole-command benchmark: what a user waits for.

Runs vnetsim commands as child processes and reports, per command and
binary, the median over N runs of wall time, CPU time (user + system of the
child, from wait4's rusage), peak RSS (the child's ru_maxrss) and the bytes
it wrote on stdout (read and counted, never stored).  With --baseline the
same commands run with a second binary (A, e.g. main's, built in a directory
of its own) alternating with the one measured (B), so both see the same
machine load.  A developer tool: not a test (no test is ever timed).

    tools/bench/commands.py VNETSIM [--baseline VNETSIM_A] [-n N]
                            [--scenario FILE]... [--only NAME]... [--heavy]
                            [--timeout S] [-o table|json]

Commands (per scenario; SC is the scenario, NIC its first NIC):
  run            run SC -o table             (A: the same line)
  run-json       run SC -o json --detail
  routes-at      routes SC --subnet spoke001/a --at baseline -o json
  next-hop-at    next-hop SC --nic NIC -d 10.1.0.4 --at baseline -o json
  diff           diff SC --from baseline --to after-bgp -o json
  sweep          sweep SC --study scenarios/studies/seed-enumerate.json -j 2 -o json
  routes-jsonl   routes SC --subnet '*' --at baseline -o jsonl   (--heavy only:
                 JSON rendering rate, MB per CPU second)
A command that exceeds --timeout (default 600 s) is killed and shown as
"> S".  Exit 0, or 2 for bad usage.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STUDY = "scenarios/studies/seed-enumerate.json"


def first_nic(path):
    with open(os.path.join(ROOT, path)) as f:
        sc = json.load(f)
    nics = sc.get("topology", {}).get("networkInterfaces", [])
    return nics[0]["name"] if nics else "none"


def commands(sc, heavy):
    nic = first_nic(sc)
    out = [
        ("run", ["run", sc, "-o", "table"], None),
        ("run-json", ["run", sc, "-o", "json", "--detail"], None),
        ("routes-at", ["routes", sc, "--subnet", "spoke001/a", "--at", "baseline", "-o", "json"],
         None),
        ("next-hop-at", ["next-hop", sc, "--nic", nic, "-d", "10.1.0.4", "--at", "baseline",
                         "-o", "json"], None),
        ("diff", ["diff", sc, "--from", "baseline", "--to", "after-bgp", "-o", "json"], None),
        ("sweep", ["sweep", sc, "--study", STUDY, "-j", "2", "-o", "json"], None),
    ]
    if heavy:
        out.append(("routes-jsonl", ["routes", sc, "--subnet", "*", "--at", "baseline", "-o",
                                     "jsonl"], None))
    return out


def measure(binary, argv, timeout):
    """(wall s, cpu s, peak RSS KiB, stdout bytes, exit) of one run; wall None on timeout."""
    t0 = time.monotonic()
    p = subprocess.Popen([binary] + argv, cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    n = 0
    deadline = t0 + timeout
    timed_out = False
    while True:
        chunk = p.stdout.read(1 << 20)
        if not chunk:
            break
        n += len(chunk)
        if time.monotonic() > deadline:
            os.killpg(p.pid, signal.SIGKILL)
            timed_out = True
            break
    p.stdout.close()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    return (None if timed_out else wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, n, code)


def median(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def fmt_bytes(n):
    for unit, k in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= k:
            return "%.1f %s" % (n / k, unit)
    return "%d B" % n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vnetsim")
    ap.add_argument("--baseline")
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("--scenario", action="append")
    ap.add_argument("--only", action="append")
    ap.add_argument("--heavy", action="store_true")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("-o", choices=("table", "json"), default="table")
    a = ap.parse_args()
    if a.n < 1:
        ap.error("-n: expected at least 1")
    scenarios = a.scenario or ["scenarios/scale/ref-4k.json", "scenarios/scale/ref-50k.json"]
    sides = [("B", os.path.abspath(a.vnetsim))]
    if a.baseline:
        sides.insert(0, ("A", os.path.abspath(a.baseline)))
    rows = []
    for sc in scenarios:
        for name, argv_b, argv_a in commands(sc, a.heavy):
            if a.only and name not in a.only:
                continue
            got = {s: [] for s, _ in sides}
            for _ in range(a.n):  # A and B alternate: both see the same load
                for side, binary in sides:
                    argv = argv_a if side == "A" and argv_a else argv_b
                    got[side].append(measure(binary, argv, a.timeout))
            for side, _ in sides:
                m = got[side]
                row = {"scenario": os.path.basename(sc), "command": name, "side": side,
                       "wall_s": median([x[0] for x in m]), "cpu_s": median([x[1] for x in m]),
                       "rss_mib": median([x[2] / 1024.0 for x in m]),
                       "bytes": int(median([x[3] for x in m])),
                       "exit": sorted({x[4] for x in m}), "timeouts": sum(x[0] is None for x in m)}
                rows.append(row)
                sys.stderr.write("%s %s %s done\n" % (row["scenario"], name, side))
    if a.o == "json":
        json.dump({"runs": a.n, "rows": rows}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print("| scenario | command | side | wall (median) | CPU | peak RSS | output | MB per CPU s | exit |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        wall = "> %.0f s" % a.timeout if r["wall_s"] is None else "%.2f s" % r["wall_s"]
        rate = ("%.0f" % (r["bytes"] / 1e6 / r["cpu_s"])
                if r["cpu_s"] and r["bytes"] > 1e6 else "-")
        print("| %s | %s | %s | %s | %.2f s | %.0f MiB | %s | %s | %s |"
              % (r["scenario"], r["command"], r["side"], wall, r["cpu_s"], r["rss_mib"],
                 fmt_bytes(r["bytes"]), rate, ",".join(map(str, r["exit"]))))
    print("\n%d run(s) per cell, medians; A = --baseline, B = the binary measured." % a.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
