# reach-diff.sh VNETSIM ROOT: `run --db` keeps every checkpoint's
# reachability matrix (schema 3, store_reach.c), grouped (one destination
# list per distinct content); `diff --reach --db` between two stored runs
# gives the same report as `diff --reach` between the two scenario files;
# --nic/--subnet restrict both forms alike to the flows from or to the
# subnets they match; a run whose matrix is missing (stored before schema
# 3), an altered matrix, a filter that matches nothing and routes-only
# options are refused.
. "$(dirname "$0")/common.sh"
cp "$SEED" current.json
make_planned planned.json

expect_rc 1 "$VNETSIM" run current.json planned.json --db r.db -o table
[ "$(sql r.db 'PRAGMA user_version')" = 3 ] || fail "user_version: $(sql r.db 'PRAGMA user_version')"
# One matrix per checkpoint of both runs; 7 subnets x 13 destinations at end.
[ "$(sql r.db 'SELECT count(*) FROM reach_checkpoints')" = \
  "$(sql r.db 'SELECT count(*) FROM checkpoints')" ] || fail "not one matrix per checkpoint"
[ "$(sql r.db "SELECT r.sources, r.flows FROM reach_checkpoints r JOIN checkpoints c
               ON c.id = r.checkpoint_id WHERE c.run_id = 1 AND c.label = 'end'")" = "7|91" ] ||
	fail "end matrix: $(sql r.db 'SELECT * FROM reach_checkpoints')"
# Destination lists are shared: the two runs' 12 checkpoints have 2 lists
# (before and after the on-premises prefixes are learned).
[ "$(sql r.db 'SELECT count(*) FROM reach_destsets')" = 2 ] ||
	fail "destination lists: $(sql r.db 'SELECT id, n FROM reach_destsets')"
# The flows of every row add up to the matrix.
[ "$(sql r.db 'SELECT count(*) FROM reach_checkpoints r WHERE flows !=
               (SELECT sum(f.flows) FROM reach_flows f WHERE f.checkpoint_id = r.checkpoint_id)')" = 0 ] ||
	fail "flows do not add up"
# The crash window: spoke1/db -> spoke1/web dropped at nva1 in run 1 only.
[ "$(sql r.db "SELECT c.run_id, o.result FROM reach_flows f JOIN checkpoints c ON c.id = f.checkpoint_id
               JOIN reach_outcomes o ON o.checkpoint_id = f.checkpoint_id AND o.idx = f.outcome
               WHERE c.label = 'nva1-crashed' AND f.source = 'spoke1/db' AND o.result = 'dropped'")" = "1|dropped" ] ||
	fail "dropped flow of run 1 not stored"

# Stored runs compare as the files do (labels aside).
for at in end nva1-crashed; do
	expect_rc 1 "$VNETSIM" diff --reach --db r.db 1 2 --at $at -o json
	grep -v '"from": "\|"to": "' out >db.json
	expect_rc 1 "$VNETSIM" diff --reach current.json planned.json --at $at -o json
	grep -v '"from": "\|"to": "' out >files.json
	diff -u files.json db.json || fail "diff --reach --db differs from the files at $at"
done
grep -q '"repaired": 1' db.json || fail "nva1-crashed: db -> web not repaired: $(cat db.json)"
# Filtered (NICs resolved from the stored runs' NICs), the same as the files.
expect_rc 1 "$VNETSIM" diff --reach --db r.db 1 2 --at nva1-crashed --nic 'web-*' -o json
grep -v '"from": "\|"to": "' out >db.json
expect_rc 1 "$VNETSIM" diff --reach current.json planned.json --at nva1-crashed --nic 'web-*' -o json
grep -v '"from": "\|"to": "' out >files.json
diff -u files.json db.json || fail "diff --reach --db --nic differs from the files"
grep -q '"scope": \["spoke1/web"\]' db.json || fail "scope: $(cat db.json)"
grep -q '"repaired": 1' db.json || fail "db -> web is a flow to spoke1/web: $(cat db.json)"
# Flows of hub/app only: the plan changes none of them.
expect_rc 0 "$VNETSIM" diff --reach --db r.db 1 2 --at nva1-crashed --subnet 'hub/app' -o table
grep -q '^no differences in reachability$' out || fail "hub/app: $(cat out)"
expect_rc 0 "$VNETSIM" diff --reach --db r.db 2 2 -o table
grep -q '^no differences in reachability$' out || fail "run against itself: $(cat out)"
# JUnit: a broken flow is a failure (run 2 -> run 1 at nva1-crashed breaks db -> web).
expect_rc 1 "$VNETSIM" diff --reach --db r.db 2 1 --at nva1-crashed --junit j.xml -o table
python3 - j.xml <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall("testsuite/testcase")
bad = [c for c in cases if c.find("failure") is not None]
assert len(bad) == 1 and bad[0].find("failure").get("type") == "FlowsBroke", ET.tostring(root)
assert bad[0].get("name").startswith("broke: 1 flow: delivered via nva2-nic"), bad[0].get("name")
PY

# Bad input: a missing label, a filter that matches nothing, routes-only
# options.
expect_rc 2 "$VNETSIM" diff --reach --db r.db 1 2 --at nowhere
grep -q 'has no checkpoint "nowhere"' err || fail "missing label: $(cat err)"
expect_rc 2 "$VNETSIM" diff --reach --db r.db 1 2 --subnet 'spoke9/*'
grep -q -- '--subnet spoke9/\*: no subnet ("vnet/subnet") matches this at r.db' err ||
	fail "unmatched --subnet: $(cat err)"
expect_rc 2 "$VNETSIM" diff --reach --db r.db 1 2 --ignore-platform-none
grep -q -- '--reach compares flows: it takes no --against' err || fail "routes-only: $(cat err)"
# A run stored before schema 3 has no matrix: said, exit 2.
python3 - r.db <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("DELETE FROM reach_checkpoints WHERE checkpoint_id IN"
            " (SELECT id FROM checkpoints WHERE run_id = 1)")
con.commit()
PY
expect_rc 2 "$VNETSIM" diff --reach --db r.db 1 2
grep -q 'run 1 was stored without reachability at "end"' err || fail "old run: $(cat err)"
# An altered matrix is refused as inconsistent (3), never read past its arrays.
python3 - r.db <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE reach_flows SET spans = x'0000000063000000' WHERE checkpoint_id IN"
            " (SELECT id FROM checkpoints WHERE run_id = 2 AND label = 'end') AND source_seq = 0")
con.commit()
PY
expect_rc 3 "$VNETSIM" diff --reach --db r.db 2 2
grep -q 'the reachability of checkpoint [0-9]* is inconsistent' err || fail "altered: $(cat err)"
echo ok
