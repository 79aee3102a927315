#!/bin/sh
# sweep-array.sh - a what-if sweep on a Slurm cluster: one array job of N
# shards (each `vnetsim sweep --shard auto/N`, its index from Slurm), then a
# merge job that runs only when every shard succeeded (afterok), into one
# database that answers exactly as an unsharded sweep's, and ends with
# `vnetsim sweep report`: the whole sweep's table in OUT.db.report.csv, its
# CSV files and plot in OUT.db.report/ (the unsharded sweep's bytes).
#
#   tools/slurm/sweep-array.sh VNETSIM SCENARIO STUDY N OUT.db [SBATCH_OPTION...]
#
# VNETSIM, SCENARIO and STUDY must be readable at the same paths on the
# compute nodes (a shared file system); shard databases are written beside
# OUT.db as OUT.db.shard-I.db and removed after the merge and the report (a
# shard's own table on stdout is partial, so it is not kept; a report that
# fails, an incomplete merge for one, leaves them for a look).  Prints the two job
# ids; with --wait among the sbatch options it returns when the merge ends,
# with the merge job's status.
set -eu
[ $# -ge 5 ] || { echo "usage: $0 VNETSIM SCENARIO STUDY N OUT.db [SBATCH_OPTION...]" >&2; exit 2; }
vnetsim=$1 scenario=$2 study=$3 n=$4 out=$5
shift 5
case "$n" in '' | *[!0-9]* | 0) echo "$0: N must be a positive count of shards" >&2; exit 2 ;; esac
wait_flag=
for a in "$@"; do [ "$a" = --wait ] && wait_flag=--wait; done
opts=
for a in "$@"; do [ "$a" = --wait ] || opts="$opts $a"; done
# Each task finds its shard itself: --shard auto/N reads SLURM_ARRAY_TASK_ID.
# shellcheck disable=SC2086
array=$(sbatch --parsable --job-name=vnetsim-sweep --array="0-$((n - 1))" $opts \
	--wrap "exec '$vnetsim' sweep '$scenario' --study '$study' --shard auto/$n -j 1 \
--db '$out.shard-'\$SLURM_ARRAY_TASK_ID.db -o csv > /dev/null")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable --job-name=vnetsim-merge --dependency="afterok:$array" $opts $wait_flag \
	--wrap "set -e; '$vnetsim' merge '$out' '$out'.shard-*.db; \
'$vnetsim' sweep report '$out' -o csv --out '$out.report' > '$out.report.csv'; \
rm -f '$out'.shard-*.db")
echo "shards: job $array (array 0-$((n - 1))); merge: job ${merge%%;*}"
