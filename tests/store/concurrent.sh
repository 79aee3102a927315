# concurrent.sh VNETSIM ROOT: several processes write one database at
# once (one of them a -j 2 batch); every run is stored whole, none is lost,
# and the file is intact.  The writers overlap for certain: each pauses
# 300 ms inside its transaction (VNETSIM_STORE_TEST_PAUSE_MS), so the others
# must wait on the lock and retry.
. "$(dirname "$0")/common.sh"
cp "$SEED" a.json
make_planned b.json
pids=
for k in 1 2 3 4 5; do
	VNETSIM_STORE_TEST_PAUSE_MS=300 "$VNETSIM" run a.json --db r.db >"out.$k" 2>"err.$k" &
	pids="$pids $!"
done
VNETSIM_STORE_TEST_PAUSE_MS=300 "$VNETSIM" run a.json b.json -j 2 --db r.db >out.6 2>err.6 &
pid6=$!
for p in $pids; do
	wait "$p" || { cat err.*; fail "a writer failed"; }
done
set +e
wait $pid6
rc6=$?
set -e
[ $rc6 -eq 1 ] || { cat err.6; fail "the batch exited $rc6 (expected 1: b.json fails an expectation)"; }
[ "$(sql r.db 'SELECT count(*) FROM runs')" -eq 7 ] || fail "runs: $(sql r.db 'SELECT id, file FROM runs')"
[ "$(sql r.db 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
# Every run has all its checkpoints and NICs.
[ "$(sql r.db 'SELECT count(DISTINCT n) FROM (SELECT count(*) n FROM checkpoints GROUP BY run_id)')" -eq 1 ] ||
	fail "runs with different checkpoint counts"
[ "$(sql r.db 'SELECT count(DISTINCT n) FROM (SELECT count(*) n FROM nics JOIN checkpoints c ON c.id = checkpoint_id GROUP BY run_id)')" -eq 1 ] ||
	fail "runs with different NIC counts"
echo ok
