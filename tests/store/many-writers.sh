# many-writers.sh VNETSIM ROOT: 8 processes each store 25 runs, one after
# the other, into one database file (issue 18 item 1).  A statement left
# un-reset after a lookup kept its connection on an old read snapshot, so
# once another process committed every BEGIN IMMEDIATE failed with
# SQLITE_BUSY_SNAPSHOT until the 300 s wait ran out.  Every run must be
# stored, and the whole must finish well within that wait: the bound below
# (120 s for all 200 runs; they take about 15 s on the shared machine) is generous on purpose,
# the real assertion is the counts.
. "$(dirname "$0")/common.sh"
files=
for k in $(seq 1 25); do
	cp "$SEED" "s$k.json"
	files="$files s$k.json"
done
pids=
for p in 1 2 3 4 5 6 7 8; do
	# shellcheck disable=SC2086
	timeout 120 "$VNETSIM" run $files --db r.db >"out.$p" 2>"err.$p" &
	pids="$pids $!"
done
failed=0
for pid in $pids; do
	wait "$pid" || failed=$((failed + 1))
done
[ "$failed" -eq 0 ] || { tail -n 3 err.*; fail "$failed of 8 writers failed or timed out"; }
[ "$(sql r.db 'SELECT count(*) FROM runs')" -eq 200 ] || fail "runs: $(sql r.db 'SELECT count(*) FROM runs')"
[ "$(sql r.db 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
[ "$(sql r.db 'SELECT count(DISTINCT n) FROM (SELECT count(*) n FROM checkpoints GROUP BY run_id)')" -eq 1 ] ||
	fail "runs with different checkpoint counts"
echo ok
