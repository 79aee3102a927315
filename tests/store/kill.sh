# kill.sh VNETSIM ROOT: a run killed with SIGKILL inside its store
# transaction leaves the earlier runs intact and no trace of itself; the
# file passes integrity_check and takes the next run.  The kill lands in
# the transaction for certain: VNETSIM_STORE_TEST_PAUSE_MS makes the writer
# say so on stderr and sleep just before COMMIT (every row of the run is
# written by then).
. "$(dirname "$0")/common.sh"
expect_rc 0 "$VNETSIM" run "$SEED" --db r.db
expect_rc 0 "$VNETSIM" run "$SEED" --db r.db
before=$(sql r.db 'SELECT count(*) FROM checkpoints')

VNETSIM_STORE_TEST_PAUSE_MS=60000 "$VNETSIM" run "$SEED" --db r.db >killed.out 2>killed.err &
pid=$!
i=0
until grep -q 'test pause inside the store transaction' killed.err 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 600 ] || { kill -9 $pid; fail "the writer never reached its transaction"; }
	sleep 0.1
done
kill -9 $pid
wait $pid 2>/dev/null || true

[ "$(sql r.db 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after the kill"
[ "$(sql r.db 'SELECT count(*) FROM runs')" -eq 2 ] || fail "runs after the kill: $(sql r.db 'SELECT id FROM runs')"
[ "$(sql r.db 'SELECT count(*) FROM checkpoints')" -eq "$before" ] || fail "checkpoints of the killed run remain"
[ "$(sql r.db 'SELECT count(*) FROM checkpoints WHERE run_id NOT IN (SELECT id FROM runs)')" -eq 0 ] ||
	fail "orphan checkpoints"
[ "$(sql r.db 'SELECT count(*) FROM nics WHERE checkpoint_id NOT IN (SELECT id FROM checkpoints)')" -eq 0 ] ||
	fail "orphan NICs"
expect_rc 0 "$VNETSIM" diff --db r.db 1 2
expect_rc 0 "$VNETSIM" run "$SEED" --db r.db -o table
grep -q 'stored as run 3 in r.db' out || fail "the next run: $(cat out)"
echo ok
