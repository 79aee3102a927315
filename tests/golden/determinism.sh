#!/bin/sh
# determinism.sh - the same scenario twice gives byte-identical output (RULES 3).
#
#   sh determinism.sh VNETSIM SCENARIO
#
# Runs `vnetsim run SCENARIO -o json` and `vnetsim routes SCENARIO --nic '*'
# -o json` twice each, in a fresh temporary directory (so files a run may
# write do not meet the next run), and compares stdout with cmp. `run` may
# exit 0 or 1 (1 is a failed expectation, which the golden tests judge, not
# this one) but must exit the same way both times; `routes` must exit 0. An
# empty output fails: two empty outputs are identical and prove nothing.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: sh determinism.sh VNETSIM SCENARIO" >&2
	exit 2
fi
abs() {
	case "$1" in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}
vnetsim=$(abs "$1")
scenario=$(abs "$2")
[ -x "$vnetsim" ] || { echo "determinism: $vnetsim is not an executable" >&2; exit 1; }
[ -f "$scenario" ] || { echo "determinism: scenario $scenario not found" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/vnetsim-determinism.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

fail=0
# twice NAME ALLOWED_EXIT_CODES ARGS...: runs the command twice and compares.
twice() {
	name=$1 allowed=$2
	shift 2
	for i in 1 2; do
		mkdir -p "$work/$name.$i"
		set +e
		(cd "$work/$name.$i" && "$vnetsim" "$@" >"$work/$name.$i.out" 2>"$work/$name.$i.err")
		echo $? >"$work/$name.$i.rc"
		set -e
	done
	rc1=$(cat "$work/$name.1.rc") rc2=$(cat "$work/$name.2.rc")
	echo "determinism: vnetsim $* -> exit $rc1, $rc2; $(wc -c <"$work/$name.1.out") bytes"
	case " $allowed " in
	*" $rc1 "*) ;;
	*)
		echo "FAIL $name: exit status $rc1 (allowed: $allowed); stderr:" >&2
		head -c 4000 "$work/$name.1.err" >&2
		fail=1
		return 0
		;;
	esac
	if [ "$rc1" != "$rc2" ]; then
		echo "FAIL $name: exit status differs between runs: $rc1 then $rc2" >&2
		fail=1
	elif [ ! -s "$work/$name.1.out" ]; then
		echo "FAIL $name: no output (an empty output would compare equal vacuously)" >&2
		fail=1
	elif ! cmp "$work/$name.1.out" "$work/$name.2.out" >&2; then
		echo "FAIL $name: output differs between two runs of the same scenario:" >&2
		diff -u "$work/$name.1.out" "$work/$name.2.out" | head -n 60 >&2 || true
		fail=1
	fi
}

twice run "0 1" run "$scenario" -o json
twice routes "0" routes "$scenario" --nic '*' -o json
if [ "$fail" -ne 0 ]; then
	exit 1
fi
echo "determinism: $scenario: byte-identical"
