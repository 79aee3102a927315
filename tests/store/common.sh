# common.sh - helpers of the results-store tests (sourced).  Each test gets
# VNETSIM (absolute) and the source root, works in a fresh temporary
# directory, and queries databases through python3's sqlite3 module (python3
# is one of the packages tools/setup.sh installs; the sqlite3 shell is not).
set -eu
abs() {
	case "$1" in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}
VNETSIM=$(abs "$1")
ROOT=$(abs "$2")
SEED="$ROOT/scenarios/seed/hub-spoke-ars.json"
HERE=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vnetsim-store-test.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# sql DB QUERY: prints the rows, fields separated by '|'.
sql() {
	python3 - "$1" "$2" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for row in con.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
}

# expect_rc WANT CMD...: runs CMD, output to out/err, checks its status.
expect_rc() {
	want=$1
	shift
	set +e
	"$@" >out 2>err
	got=$?
	set -e
	[ "$got" -eq "$want" ] || {
		cat err >&2
		fail "$* exited $got, expected $want"
	}
}

# The seed scenario with one UDR changed: rt-db's web-via-nva (10.1.0.0/24,
# subnet spoke1/db with NICs db-1 .. db-6) now points at NVA 2.
make_planned() {
	python3 - "$SEED" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for rt in d["topology"]["routeTables"]:
    for r in rt["routes"]:
        if rt["name"] == "rt-db" and r["name"] == "web-via-nva":
            r["nextHopIpAddress"] = "10.0.1.5"
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
}
