# udr-diff.sh VNETSIM ROOT: the CI case of the issue.  The seed scenario
# against a copy with one UDR changed names exactly the subnet and NICs
# affected and exits 1 (golden table and json outputs); identical files
# exit 0; --junit marks the changed group failed and the others passed.
. "$(dirname "$0")/common.sh"
cp "$SEED" current.json
make_planned planned.json

expect_rc 1 "$VNETSIM" diff current.json planned.json -o table
diff -u "$HERE/golden/udr-diff.table" out || fail "table output differs from the golden file"
expect_rc 1 "$VNETSIM" diff current.json planned.json -o json
diff -u "$HERE/golden/udr-diff.json" out || fail "json output differs from the golden file"

expect_rc 0 "$VNETSIM" diff current.json current.json -o table
grep -qx 'no differences' out || fail "identical files: expected 'no differences'"

expect_rc 1 "$VNETSIM" diff current.json planned.json --junit report.xml -o table
python3 - report.xml <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall("./testsuite/testcase")
failed = [c.get("name") for c in cases if c.find("failure") is not None]
assert failed == ["subnet spoke1/db (6 NICs)"], failed
assert len(cases) == 7, [c.get("name") for c in cases]   # one per subnet compared
assert root.get("failures") == "1" and root.get("tests") == "7", root.attrib
PY
ls | grep -q 'tmp' && fail "a temporary file was left behind"
echo ok
