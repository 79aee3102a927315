#!/bin/sh
# at-after-end.sh - `--at` past the scenario's last event and change answers
# with the end state and says so on stderr (not silently); a time inside the
# timeline has no such note; trace refuses a time past the end (exit 2).
#
#   at-after-end.sh VNETSIM SOURCE_ROOT
set -eu
case "$1" in /*) V=$1 ;; *) V=$(pwd)/$1 ;; esac
cd "$2"
SEED=scenarios/seed/hub-spoke-ars.json
err=$(mktemp); end=$(mktemp); late=$(mktemp)
trap 'rm -f "$err" "$end" "$late"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$V" routes "$SEED" --nic web-01 --at 99h -o json >"$late" 2>"$err" || fail "routes --at 99h: exit $?"
grep -q 'note: --at 99h is after the scenario.s last event and change (at 900000 ms): the answer is the end state' "$err" ||
	fail "no note: $(cat "$err")"
"$V" routes "$SEED" --nic web-01 --at end -o json >"$end" 2>/dev/null
cmp -s "$end" "$late" || fail "--at 99h differs from --at end"
"$V" routes "$SEED" --nic web-01 --at 5m -o json >/dev/null 2>"$err"
if grep -q 'note: --at' "$err"; then fail "a note inside the timeline: $(cat "$err")"; fi
set +e
"$V" trace "$SEED" --from web-01 --to 10.100.0.5 --at 99h >/dev/null 2>"$err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q 'past the end' "$err" || fail "trace --at 99h: exit $rc $(cat "$err")"
echo ok
