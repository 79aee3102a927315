# foreign-db.sh VNETSIM ROOT: SQLite files vnetsim did not write are
# refused whatever their user_version, and left untouched (issue 18 items
# 7, 8); vnetsim's own files carry PRAGMA application_id 0x564e5331; merge
# is all or nothing and never creates its output for a bad input.
. "$(dirname "$0")/../store/common.sh"
STUDY="$ROOT/scenarios/studies/seed-enumerate.json"
MARK=1447973681 # 0x564e5331, "VNS1"
objects() { sql "$1" 'SELECT count(*) FROM sqlite_schema'; }
foreign() { # FILE USER_VERSION [APPLICATION_ID]
	python3 - "$1" "$2" "${3:-0}" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("CREATE TABLE accounts (id INTEGER, secret TEXT)")
con.execute("PRAGMA user_version = %d" % int(sys.argv[2]))
con.execute("PRAGMA application_id = %d" % int(sys.argv[3]))
con.commit()
PY
}
for v in 0 1 2; do
	foreign "f$v.db" "$v"
	expect_rc 3 "$VNETSIM" run "$SEED" --db "f$v.db"
	grep -q "vnetsim did not write" err || { cat err >&2; fail "run --db f$v.db: message"; }
	[ "$(objects "f$v.db")" -eq 1 ] || fail "run --db added tables to f$v.db (user_version $v)"
	expect_rc 3 "$VNETSIM" sweep "$SEED" --study "$STUDY" --db "f$v.db"
	grep -q "vnetsim did not write" err || { cat err >&2; fail "sweep --db f$v.db: message"; }
	[ "$(objects "f$v.db")" -eq 1 ] || fail "sweep --db added tables to f$v.db (user_version $v)"
done
# Another program's application_id, even with vnetsim's tables.
"$VNETSIM" run "$SEED" --db other.db >/dev/null
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA application_id = 42'); c.commit()" other.db
expect_rc 3 "$VNETSIM" run "$SEED" --db other.db
# vnetsim's own files are marked; a store and sweep tables may share one.
"$VNETSIM" run "$SEED" --db r.db >/dev/null
[ "$(sql r.db 'PRAGMA application_id')" -eq "$MARK" ] || fail "run --db: no application_id"
"$VNETSIM" sweep "$SEED" --study "$STUDY" --db s.db >/dev/null
[ "$(sql s.db 'PRAGMA application_id')" -eq "$MARK" ] || fail "sweep --db: no application_id"
"$VNETSIM" sweep "$SEED" --study "$STUDY" --db r.db >/dev/null
"$VNETSIM" run "$SEED" --db s.db >/dev/null
# merge: a foreign output is refused and untouched.
foreign fo.db 0
expect_rc 3 "$VNETSIM" merge fo.db s.db
[ "$(objects fo.db)" -eq 1 ] || fail "merge added tables to a foreign output"
# A missing input: exit 2, no output created.
expect_rc 2 "$VNETSIM" merge m1.db s.db missing.db
[ ! -e m1.db ] || fail "merge created its output although an input is missing"
# A bad second input: nothing merged, no output created.
expect_rc 2 "$VNETSIM" merge m2.db s.db f0.db
[ ! -e m2.db ] || fail "merge created its output although an input is not a sweep database"
# ... and an existing output keeps what it had: the first input's rows are not in it.
"$VNETSIM" sweep "$SEED" --study "$STUDY" --shard 0/2 --db m3.db >/dev/null
before=$(sql m3.db 'SELECT count(*) FROM sweep_variant')
expect_rc 2 "$VNETSIM" merge m3.db s.db f0.db
[ "$(sql m3.db 'SELECT count(*) FROM sweep_variant')" -eq "$before" ] ||
	fail "a bad second input left the first one merged"
expect_rc 0 "$VNETSIM" merge m3.db s.db
[ "$(sql m3.db 'SELECT count(*) FROM sweep_variant')" -gt "$before" ] || fail "merge merged nothing"
echo ok
