# readme-sql.sh VNETSIM ROOT: every ```sql block of README's "Results
# store" section runs against a database holding the seed scenario's run
# (and a copy with one UDR changed, so that a failed expectation exists),
# and returns rows; the first (NICs sending 10.1.0.0/24 to an appliance)
# returns exactly the six db NICs and their next hop.
. "$(dirname "$0")/common.sh"
make_planned planned.json
expect_rc 1 "$VNETSIM" run planned.json "$SEED" --db r.db
python3 - "$ROOT/README.md" r.db <<'PY'
import re, sqlite3, sys
text = open(sys.argv[1]).read()
section = text.split("\n## Results store\n", 1)[1].split("\n## ", 1)[0]
blocks = re.findall(r"```sql\n(.*?)```", section, re.S)
assert len(blocks) >= 4, f"only {len(blocks)} sql blocks in the section"
con = sqlite3.connect(sys.argv[2])
for i, q in enumerate(blocks):
    rows = con.execute(q).fetchall()
    assert rows, f"README sql block {i + 1} returned nothing:\n{q}"
    print(f"block {i + 1}: {len(rows)} rows")
first = con.execute(blocks[0]).fetchall()
want = [(f"db-{k}", "spoke1/db", "10.0.1.4") for k in range(1, 7)]
assert first == want, first
failed = [r for r in con.execute(blocks[1]).fetchall() if r[3] is not None]
assert [(r[1], r[3], r[4]) for r in failed] == [("hub-spoke-ars", 6, "db-1")], failed
nva = con.execute(blocks[3]).fetchall()
assert {r[0] for r in nva} >= {"baseline", "nva1-crashed", "recovered"}, nva
assert "after-hold" not in {r[0] for r in nva}, "after the hold timer nothing uses NVA 1"
dedupe = con.execute(blocks[4]).fetchone()
assert dedupe[1] < dedupe[0] and dedupe[3] < dedupe[2], dedupe
PY
echo ok
