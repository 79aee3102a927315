#!/bin/sh
# import_bench.sh - the import benchmark (issue 14; README "Performance",
# import): `vnetsim export --to graph` of a scale reference makes the
# Resource Graph dump a real estate would give, then `vnetsim import` of it
# runs REPEAT times; printed are the medians of wall time and of CPU time
# (user + system) and the largest maximum RSS.  Targets: ref-4k <= 0.5 s
# and <= 256 MiB, ref-50k <= 5 s.  A developer tool, not a test.
#
#   tools/bench/import_bench.sh [BUILD_DIR] [REPEAT] [SCENARIO...]
#
# Defaults: build, 5, scenarios/scale/ref-4k.json scenarios/scale/ref-50k.json.
# Needs GNU time (/usr/bin/time).  The import writes to a file in a
# temporary folder (fsync'd, as a real run does).
set -eu
build=${1:-build}
repeat=${2:-5}
[ $# -gt 2 ] && shift 2 || set --
[ $# -gt 0 ] || set -- scenarios/scale/ref-4k.json scenarios/scale/ref-50k.json
vnetsim=$build/tools/vnetsim
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vnetsim-import-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
printf '%-28s %8s %10s %10s %10s %9s\n' scenario resources "dump MiB" "wall s" "cpu s" "RSS MiB"
for x in "$@"; do
	"$vnetsim" export "$x" --to graph -o "$tmp/dump.json"
	n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["data"]))' "$tmp/dump.json")
	: >"$tmp/times"
	i=0
	while [ $i -lt "$repeat" ]; do
		/usr/bin/time -f '%e %U %S %M' -a -o "$tmp/times" \
			"$vnetsim" import "$tmp/dump.json" -o "$tmp/out.json" 2>/dev/null
		i=$((i + 1))
	done
	python3 - "$x" "$n" "$(wc -c <"$tmp/dump.json")" "$tmp/times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[4]) if l.strip() and l.split()[0][0].isdigit()]
wall = statistics.median(float(r[0]) for r in rows)
cpu = statistics.median(float(r[1]) + float(r[2]) for r in rows)
rss = max(int(r[3]) for r in rows) / 1024
print("%-28s %8s %10.1f %10.3f %10.3f %9.1f" % (sys.argv[1].split("/")[-1], sys.argv[2],
      int(sys.argv[3]) / 2**20, wall, cpu, rss))
PY
done
