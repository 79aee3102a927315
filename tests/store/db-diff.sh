# db-diff.sh VNETSIM ROOT: two runs stored in one database (a -j 2 batch),
# then `vnetsim diff --db` between them gives the same grouped diff as
# comparing the two scenario files; runs are found by id and by name; the
# same run against itself exits 0; a missing run or label exits 2; a run
# whose expectation fails exits 1 and its JUnit report says which.
. "$(dirname "$0")/common.sh"
cp "$SEED" current.json
make_planned planned.json

expect_rc 1 "$VNETSIM" run current.json planned.json -j 2 --db r.db --junit run.xml -o table
grep -q 'stored as run 1 in r.db' out || fail "run 1 not reported as stored"
grep -q 'stored as run 2 in r.db' out || fail "run 2 not reported as stored"
[ "$(sql r.db 'SELECT id, file, result FROM runs ORDER BY id')" = "1|current.json|passed
2|planned.json|failed" ] || fail "runs table: $(sql r.db 'SELECT * FROM runs')"
# The failed expectation is stored with its message.
[ "$(sql r.db "SELECT idx, nic, passed FROM expectations WHERE run_id = 2 AND passed = 0")" = "6|db-1|0" ] ||
	fail "expectations of run 2: $(sql r.db 'SELECT * FROM expectations WHERE run_id = 2')"
python3 - run.xml <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = root.findall("testsuite")
assert len(suites) == 2, len(suites)
assert [s.get("failures") for s in suites] == ["0", "1"], [s.attrib for s in suites]
bad = [c for c in suites[1] if c.find("failure") is not None]
assert len(bad) == 1 and bad[0].get("name").startswith("$.expectations[6] at baseline, nic db-1"), bad[0].attrib
assert "10.0.1.5" in bad[0].find("failure").get("message"), bad[0].find("failure").get("message")
PY

# Same grouped diff as the files (labels aside).
expect_rc 1 "$VNETSIM" diff --db r.db 1 2 -o json
sed 1,3d out >db.json
expect_rc 1 "$VNETSIM" diff current.json planned.json -o json
sed 1,3d out >files.json
diff -u files.json db.json || fail "diff --db differs from the diff of the files"
# current.json and planned.json share the scenario name hub-spoke-ars: two
# files are not one history, so the name is refused with both files named.
expect_rc 2 "$VNETSIM" diff --db r.db hub-spoke-ars@latest~1 hub-spoke-ars@latest -o table
grep -q 'scenario name "hub-spoke-ars" is shared by runs of 2 files (current.json, planned.json)' err ||
	fail "shared name: $(cat err)"
# By file: each file's own history.
expect_rc 1 "$VNETSIM" diff --db r.db current.json@latest planned.json -o table
tail -n +3 "$HERE/golden/udr-diff.table" >want
tail -n +3 out | diff -u want - || fail "table differs from the files' diff beyond the labels"
grep -q '^--- r.db run 1 (hub-spoke-ars) at end$' out || fail "from label: $(head -1 out)"

# At an earlier checkpoint, and restricted by --nic: still the db subnet.
expect_rc 1 "$VNETSIM" diff --db r.db 1 2 --at baseline --nic 'db-*' -o table
grep -q '^subnet spoke1/db: 6 NICs' out || fail "--at baseline --nic: $(cat out)"
expect_rc 0 "$VNETSIM" diff --db r.db 1 2 --nic 'web-*' -o table
expect_rc 0 "$VNETSIM" diff --db r.db 2 2
expect_rc 2 "$VNETSIM" diff --db r.db 1 9
grep -q 'no run with id 9' err || fail "missing run: $(cat err)"
expect_rc 2 "$VNETSIM" diff --db r.db 1 2 --at nowhere
grep -q 'has no checkpoint "nowhere"' err || fail "missing label: $(cat err)"
expect_rc 2 "$VNETSIM" diff --db r.db planned.json@latest~1 2
grep -q 'file "planned.json" has no run 1 before its latest' err || fail "file history: $(cat err)"
# A second run of current.json: current.json@latest~1 is run 1, @latest run 3.
expect_rc 0 "$VNETSIM" run current.json --db r.db -o table
expect_rc 0 "$VNETSIM" diff --db r.db current.json@latest~1 current.json@latest -o table
grep -q '^--- r.db run 1 (hub-spoke-ars) at end$' out || fail "file history from: $(head -1 out)"
grep -q '^+++ r.db run 3 (hub-spoke-ars) at end$' out || fail "file history to: $(sed -n 2p out)"
expect_rc 2 "$VNETSIM" diff --db r.db 1
expect_rc 2 "$VNETSIM" diff --db missing.db 1 2
[ ! -e missing.db ] || fail "diff --db created the missing file"
grep -q 'missing.db: results store: No such file or directory' err || fail "missing db: $(cat err)"
echo ok
