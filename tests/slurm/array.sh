#!/bin/sh
# array.sh - the README's Slurm recipe (tools/slurm/sweep-array.sh) on a real
# one-node Slurm cluster that this test starts: munged with its own key and
# socket, slurmctld and slurmd with a generated slurm.conf, all in a
# temporary folder on free ports, stopped at the end.  The sweep of the
# seed's enumerate study as a 4-task array job (each task `--shard auto/4`)
# and a dependent merge job must give the unsharded sweep's database,
# variant for variant and record for record, and its `sweep report` the
# unsharded sweep's table and --out files, byte for byte.
#
# Needs root (the daemons run as root here) and Debian's slurm-wlm and
# munge (`tools/setup.sh slurm` installs them); otherwise skipped (77) with
# the reason.
#
#   array.sh VNETSIM SOURCE_ROOT
set -eu
case "$1" in /*) VNETSIM=$1 ;; *) VNETSIM=$(pwd)/$1 ;; esac
ROOT=$(cd "$2" && pwd)
skip() { echo "skip: $*"; exit 77; }
for p in munged slurmctld slurmd sbatch sinfo; do
	command -v "$p" >/dev/null 2>&1 || skip "$p is not installed (tools/setup.sh slurm installs slurm-wlm and munge)"
done
[ "$(id -u)" -eq 0 ] || skip "starting munged and the Slurm daemons needs root"
SEED="$ROOT/scenarios/seed/hub-spoke-ars.json"
STUDY="$ROOT/scenarios/studies/seed-enumerate.json"
work=$(mktemp -d "${TMPDIR:-/tmp}/vnetsim-slurm.XXXXXX")
chmod 755 "$work"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	sleep 1
	for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
fail() {
	echo "FAIL: $*" >&2
	for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
	exit 1
}

# munge: its own key, socket and files, so no system daemon is touched.
mkdir -p "$work/munge"
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.sock" \
	--pid-file="$work/munge/munged.pid" --log-file="$work/munge.log" \
	--seed-file="$work/munge/seed" || fail "munged did not start"
sleep 1
pids="$(cat "$work/munge/munged.pid")"

# Slurm: one node (this host), ports chosen from the PID to avoid other runs.
host=$(hostname -s)
base=$((20000 + ($$ % 2000) * 3))
mkdir -p "$work/state" "$work/spool"
export SLURM_CONF="$work/slurm.conf"
cat >"$SLURM_CONF" <<CONF
ClusterName=vnetsimtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=2 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -i -f "$SLURM_CONF" || fail "slurmctld did not start"
sleep 1
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
for i in $(seq 1 60); do
	[ -f "$work/slurmctld.pid" ] && [ -f "$work/slurmd.pid" ] && break
	sleep 0.5
done
pids="$pids $(cat "$work/slurmctld.pid" 2>/dev/null) $(cat "$work/slurmd.pid" 2>/dev/null)"
ready=false
for i in $(seq 1 60); do
	if sinfo -h -o '%T' 2>/dev/null | grep -q idle; then ready=true; break; fi
	sleep 1
done
$ready || fail "the node never became idle: $(sinfo 2>&1)"

cd "$work"
"$ROOT/tools/slurm/sweep-array.sh" "$VNETSIM" "$SEED" "$STUDY" 4 "$work/all.db" \
	--output="$work/job-%A_%a.out" --wait >submit.out 2>&1 ||
	fail "the merge job failed: $(cat submit.out; cat "$work"/job-*.out 2>/dev/null)"
[ -f all.db ] || fail "no merged database"
ls "$work"/all.db.shard-* >/dev/null 2>&1 && fail "shard databases left behind"
"$VNETSIM" sweep "$SEED" --study "$STUDY" --db one.db -o csv --out one >one.csv || fail "unsharded sweep"
[ -s all.db.report.csv ] || fail "the merge job wrote no report"
cmp all.db.report.csv one.csv || fail "the report of the merged shards differs from the unsharded sweep's table"
diff -r -x '*.png' all.db.report one || fail "the report's files differ from the unsharded sweep's"
python3 - all.db one.db <<'PY' || fail "the merged database differs from the unsharded sweep's"
import sqlite3, sys
def dump(path):
    c = sqlite3.connect(path)
    out = {}
    for t in ("sweep_variant", "sweep_record"):
        cols = [r[1] for r in c.execute(f"PRAGMA table_info({t})") if r[1] not in ("study_id", "id")]
        out[t] = sorted(c.execute(f"SELECT {', '.join(cols)} FROM {t}"))
    return out
a, b = dump(sys.argv[1]), dump(sys.argv[2])
assert len(a["sweep_variant"]) > 10, len(a["sweep_variant"])
for t in a:
    assert a[t] == b[t], (t, len(a[t]), len(b[t]))
PY
echo "ok: 4 shards on Slurm merged to the unsharded sweep, and reported as it"
