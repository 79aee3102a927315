#!/bin/sh
# reports.sh - JUnit reports of `run --junit` and `diff --junit` checked by
# real readers: every report is validated against tests/junit/junit.xsd
# (the strict form of the JUnit schema CI systems read) with xmllint, and
# read back with junitparser (Debian's python3-junitparser, run with
# Debian's /usr/bin/python3), which must see the counts, times, failure
# types and classnames vnetsim wrote.  Either reader missing: the test is
# skipped (exit 77) with the reason; tools/setup.sh installs both.
#
#   reports.sh VNETSIM SOURCE_ROOT
set -eu
abs() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$(pwd)" "$1" ;; esac; }
VNETSIM=$(abs "$1")
ROOT=$(abs "$2")
XSD="$ROOT/tests/junit/junit.xsd"
SEED="$ROOT/scenarios/seed/hub-spoke-ars.json"
PY=/usr/bin/python3
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v xmllint >/dev/null 2>&1 || { echo "skip: xmllint (libxml2-utils) is not installed"; exit 77; }
"$PY" -c 'import junitparser' 2>/dev/null ||
	{ echo "skip: junitparser (python3-junitparser) is not installed for $PY"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/vnetsim-junit-test.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

valid() { xmllint --noout --schema "$XSD" "$1" 2>xsd.err || { cat xsd.err >&2; fail "$1 is not valid"; }; }

# A batch: a passing scenario, one whose expectation fails, one that is
# invalid, in folders whose names have dots (classnames must not).
mkdir -p net/v1.2
cp "$SEED" net/prod.json
"$PY" - "$SEED" net/v1.2/failing.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["name"] = "failing"
d["expectations"][0]["nextHopIpAddress"] = "10.9.9.9"
json.dump(d, open(sys.argv[2], "w"))
PY
printf '{"schemaVersion": 1,' >net/broken.json
set +e
"$VNETSIM" run net/prod.json net/v1.2/failing.json net/broken.json --junit run.xml -o table >out 2>err
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "run exit $rc, want 2 (an invalid file in the batch)"
valid run.xml
# The schema is not vacuous (it compiled and accepted run.xml above): a report without times, types, timestamp or
# hostname (vnetsim's form before this test existed) is refused.
cat >old.xml <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="vnetsim" tests="1" failures="1" errors="0">
  <testsuite name="s (net/prod.json)" tests="1" failures="1" errors="0">
    <testcase classname="net/prod.json" name="n">
      <failure message="m">d</failure>
    </testcase>
  </testsuite>
</testsuites>
XML
if xmllint --noout --schema "$XSD" old.xml 2>/dev/null; then fail "the schema accepts a report without times"; fi

"$PY" - run.xml <<'PY'
import sys
from junitparser import JUnitXml, Failure, Error
xml = JUnitXml.fromfile(sys.argv[1])
suites = list(xml)
assert len(suites) == 3, len(suites)
by_file = {}
for s in suites:
    props = {p.name: p.value for p in s.properties()}
    by_file[props["file"]] = s
    assert props["tool"].startswith("vnetsim "), props
    assert s.hostname and s.timestamp, (s.hostname, s.timestamp)
    assert s.time is not None and s.time >= 0, s.time
prod, failing, broken = by_file["net/prod.json"], by_file["net/v1.2/failing.json"], by_file["net/broken.json"]
assert prod.tests > 0 and prod.failures == 0 and prod.errors == 0, (prod.tests, prod.failures)
assert failing.failures == 1, failing.failures
assert broken.errors == 1 and broken.tests == 1, (broken.errors, broken.tests)
classes = {c.classname for s in suites for c in s}
assert classes == {"net.prod", "net.v1_2.failing", "net.broken"}, classes
for c in failing:
    for r in c.result:
        if isinstance(r, Failure):
            assert r.type == "ExpectationFailed", r.type
            assert "10.9.9.9" in r.message, r.message
for c in broken:
    assert isinstance(c.result[0], Error) and c.result[0].type == "InvalidScenario", c.result
assert xml.tests == sum(s.tests for s in suites) and xml.failures == 1 and xml.errors == 1
print("run report ok")
PY

# A diff with changes: failures typed RoutesChanged; timed.
set +e
"$VNETSIM" diff "$SEED" --from nva1-crashed --to after-hold --junit diff.xml >out 2>err
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "diff exit $rc, want 1"
valid diff.xml
"$PY" - diff.xml <<'PY'
import sys
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromfile(sys.argv[1])
suites = list(xml)
assert len(suites) == 1 and suites[0].failures > 0, [(s.name, s.failures) for s in suites]
types = {r.type for c in suites[0] for r in c.result if isinstance(r, Failure)}
assert types == {"RoutesChanged"}, types
assert all(c.classname == "vnetsim.diff" for c in suites[0])
# Each failure names the NICs whose routes moved (a CI log shows no JSON).
for c in suites[0]:
    for r in c.result:
        if isinstance(r, Failure):
            import re
            n = int(re.search(r"\((\d+) NICs?\)", c.name).group(1))
            head = r.text.split("\n", 1)[0]
            m = re.fullmatch(r"NICs \((\d+)\)(: (.+))?", head)
            assert m and int(m.group(1)) == n, (c.name, head)
            names = m.group(3).split(", ") if n else []
            if n > 20:
                assert names.pop() == "and %d more" % (n - 20), (c.name, head)
            assert len(names) == min(n, 20) and all(names), (c.name, head)
print("diff report ok")
PY

# Reproducible with SOURCE_DATE_EPOCH: byte-identical, the given instant.
SOURCE_DATE_EPOCH=1700000000 "$VNETSIM" run net/prod.json --junit a.xml >/dev/null
SOURCE_DATE_EPOCH=1700000000 "$VNETSIM" run net/prod.json --junit b.xml >/dev/null
cmp a.xml b.xml || fail "SOURCE_DATE_EPOCH: reports differ"
grep -q 'timestamp="2023-11-14T22:13:20Z"' a.xml || fail "SOURCE_DATE_EPOCH: timestamp"
valid a.xml
echo ok
