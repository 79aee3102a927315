# batch.sh VNETSIM ROOT: the example scenarios (every conformance case and
# the seed, found by expanding their folders) as one batch into one
# database, with -j 2 and with -j 1: the same runs, in input order, with
# the same stored content apart from wall times.
. "$(dirname "$0")/common.sh"
dirs="$ROOT/scenarios/conformance $ROOT/scenarios/seed"
ncases=$(ls -d "$ROOT"/scenarios/conformance/*/ | wc -l)
expect_rc 0 "$VNETSIM" run $dirs --db j2.db -j 2 -o table
expect_rc 0 "$VNETSIM" run $dirs --db j1.db -j 1 -o json
[ "$(sql j2.db 'SELECT count(*) FROM runs')" -eq $((ncases + 1)) ] || fail "expected $((ncases + 1)) runs"
dump() {
	python3 - "$1" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for (name,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"):
    cols = [c[1] for c in con.execute(f"PRAGMA table_info({name})")
            if c[1] not in ("wall_ms", "started_at")]
    for row in con.execute(f"SELECT {', '.join(cols)} FROM {name} ORDER BY 1, 2, 3"):
        print(name, row)
PY
}
dump j1.db >j1.txt
dump j2.db >j2.txt
diff -u j1.txt j2.txt >/dev/null || { diff -u j1.txt j2.txt | head -20; fail "-j 1 and -j 2 stored different content"; }
# Input order: the runs are numbered as the files were listed.
sql j2.db 'SELECT file FROM runs ORDER BY id' >order.txt
sort order.txt | diff -u - order.txt || fail "runs not stored in input order"
[ "$(sql j2.db 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
# content_sha256 is the SHA-256 of the file's bytes, as an independent
# implementation (Python's hashlib) computes it.
python3 - j2.db <<'PY' || fail "content_sha256 differs from hashlib's SHA-256 of the file"
import hashlib, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = con.execute("SELECT file, content_sha256 FROM runs").fetchall()
assert rows
for f, h in rows:
    want = hashlib.sha256(open(f, "rb").read()).hexdigest()
    assert h == want, (f, h, want)
PY

# Folder expansion: recursive, a case folder gives its scenario.json only,
# bad/, studies/ and hidden folders are skipped below the folder named.
mkdir -p t/case/expected t/bad t/studies t/.hidden t/sub
cp "$SEED" t/a.json
cp "$SEED" t/case/scenario.json
echo '[]' >t/case/checks.json
echo '{"value": []}' >t/case/expected/x.json
echo '{' >t/bad/broken.json
echo '{"kind": "enumerate"}' >t/studies/study.json
echo '{' >t/.hidden/broken.json
cp "$SEED" t/sub/z.json
expect_rc 0 "$VNETSIM" run t --db t.db -o table
[ "$(sql t.db "SELECT group_concat(file, ' ') FROM (SELECT file FROM runs ORDER BY id)")" = \
	"t/a.json t/case/scenario.json t/sub/z.json" ] || fail "expansion: $(sql t.db 'SELECT file FROM runs')"
expect_rc 2 "$VNETSIM" run t/bad
# One bad file in a batch: reported (exit 2, a JUnit error case), not
# stored, and the others still run and are stored.
expect_rc 2 "$VNETSIM" run t/bad/broken.json "$SEED" --db mixed.db --junit mixed.xml -j 2
[ "$(sql mixed.db 'SELECT count(*) FROM runs')" -eq 1 ] || fail "mixed batch: runs stored"
python3 - mixed.xml <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.get("errors") == "1" and root.get("failures") == "0", root.attrib
assert root.find("./testsuite/testcase/error") is not None
PY
echo ok
