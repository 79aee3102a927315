# budget.sh VNETSIM ROOT: bounded work (issue 18 item 4).  A scenario that
# `check` used to accept could make `run` go on for ever, growing memory (a
# huge horizonSeconds with an NVA over its prefix limit and
# bgpConnectRetrySeconds 1), and a Monte Carlo study with mtbf 1 over a
# long horizon grew a worker by 700 MB in 30 s.  Both are now refused up
# front with exit 2 naming the setting and --max-events; `check` reports
# the estimate; --max-events raises the limit.
. "$(dirname "$0")/../store/common.sh"
python3 - "$SEED" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["settings"].update({"horizonSeconds": 100000000, "bgpConnectRetrySeconds": 1})
# A session that drops (an NVA over its prefix limit, a crash) retries every
# second for as long as it is down; the estimate assumes every session may.
json.dump(doc, open("long.json", "w"))
doc["settings"]["horizonSeconds"] = 20000
json.dump(doc, open("medium.json", "w"))
PY
for cmd in check run; do
	set +e
	timeout 30 "$VNETSIM" "$cmd" long.json -o table >out 2>err
	rc=$?
	set -e
	[ "$rc" -eq 2 ] || { tail -n 5 err >&2; fail "$cmd long.json exited $rc, expected 2"; }
	grep -q 'horizonSeconds.*--max-events' err || { cat err >&2; fail "$cmd: the message does not name the setting and the option"; }
done
# check reports the estimate; a limit above it lets the run go.
expect_rc 2 "$VNETSIM" check medium.json --max-events 1000 -o table
est=$(sed -n 's/.*about \([0-9]*\) engine events.*/\1/p' err | head -n 1)
[ -n "$est" ] || { cat err >&2; fail "no estimate in the message"; }
expect_rc 0 "$VNETSIM" check medium.json --max-events "$est" -o table
grep -q "up to about $est engine events" err || { cat err >&2; fail "check does not report the estimate"; }
set +e
timeout 60 "$VNETSIM" run medium.json --max-events "$est" -o table >out 2>err
rc=$?
set -e
[ "$rc" -le 1 ] || { cat err >&2; fail "run within the raised limit exited $rc"; }
expect_rc 2 "$VNETSIM" run medium.json --max-events abc
# Monte Carlo: mtbf 1 s over ten years.
python3 - "$ROOT/scenarios/studies/seed-monte-carlo.json" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
st.update({"mtbf": 1, "horizon": "87600h", "runs": 4})
json.dump(st, open("mc.json", "w"))
PY
set +e
timeout 60 "$VNETSIM" sweep "$SEED" --study mc.json -o csv >out 2>err
rc=$?
set -e
[ "$rc" -eq 2 ] || { tail -n 5 err >&2; fail "sweep with mtbf 1 exited $rc, expected 2"; }
grep -q 'mtbf.*--max-events' err || { cat err >&2; fail "sweep: the message does not name mtbf and the option"; }
# The shipped study stays within the default limit.
expect_rc 0 "$VNETSIM" check "$SEED" -o table
echo ok
