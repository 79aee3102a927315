#!/bin/sh
# run-bad.sh - one bad-input test: a malformed scenario must be refused with
# exit 2 and the diagnostics its .expect file lists (STYLE.md "Bad input").
#
#   sh run-bad.sh VNETSIM FILE EXPECT
#
# Runs `VNETSIM check FILE -o table`, or `VNETSIM run FILE -o table` when the
# file's name starts with "run-" (an edit event that breaks the topology is
# only found while the timeline runs), under `timeout 20` (then SIGKILL 5 s
# later): a hang is a failure, not a stuck test suite. Passes when
#   - the exit code is exactly 2 (0 = silently accepted, 1 = treated as a
#     failed expectation, 3 = environment failure, 124 = timeout,
#     134/139 = abort/segfault: all failures, printed as such);
#   - every non-empty line of EXPECT occurs in stderr, as a fixed string
#     (typically "$.json.path: error:" and the key part of the message);
#   - stderr holds no sanitizer report (AddressSanitizer, LeakSanitizer,
#     UndefinedBehaviorSanitizer "runtime error:"), which matters when the
#     sanitizer was told not to abort.
# A run-* file must also be refused by `VNETSIM check FILE` with exit 2:
# a file check accepts is never refused by run (RULES 2.2).
# On failure it prints the command, the exit code, what is missing and the
# whole stderr (and stdout when it is not empty).
set -u

if [ $# -ne 3 ]; then
	echo "usage: sh run-bad.sh VNETSIM FILE EXPECT" >&2
	exit 2
fi
vnetsim=$1 file=$2 expect=$3

[ -x "$vnetsim" ] || { echo "run-bad: $vnetsim is not an executable" >&2; exit 1; }
[ -f "$file" ] || { echo "run-bad: corpus file $file not found" >&2; exit 1; }
[ -f "$expect" ] || { echo "run-bad: $expect not found (every corpus file needs one)" >&2; exit 1; }

case $(basename "$file") in
run-*) cmd=run ;;
*) cmd=check ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-bad.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

timeout -k 5 20 "$vnetsim" "$cmd" "$file" -o table >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
rc=$?

problems=$tmp/problems
: >"$problems"

case $rc in
2) ;;
0) echo "exit code 0: the bad input was accepted (expected exit 2)" >>"$problems" ;;
124) echo "exit code 124: timed out after 20 s (hang?)" >>"$problems" ;;
137) echo "exit code 137: killed (SIGKILL: still running 5 s after the 20 s timeout)" >>"$problems" ;;
134) echo "exit code 134: aborted (SIGABRT: assert or sanitizer abort)" >>"$problems" ;;
139) echo "exit code 139: segmentation fault (SIGSEGV)" >>"$problems" ;;
*) echo "exit code $rc (expected exactly 2)" >>"$problems" ;;
esac

n=0
while IFS= read -r want || [ -n "$want" ]; do
	[ -n "$want" ] || continue
	n=$((n + 1))
	if ! grep -F -e "$want" "$tmp/stderr" >/dev/null; then
		echo "missing from stderr: $want" >>"$problems"
	fi
done <"$expect"
[ "$n" -gt 0 ] || echo "$expect lists no expected diagnostic" >>"$problems"

if [ "$cmd" = run ]; then
	timeout -k 5 20 "$vnetsim" check "$file" -o table >/dev/null 2>"$tmp/check.stderr" </dev/null
	crc=$?
	if [ "$crc" -ne 2 ]; then
		echo "vnetsim check exited $crc on a file run refuses (expected 2: check applies run's rules)" >>"$problems"
		cat "$tmp/check.stderr" >>"$tmp/stderr"
	fi
fi

if grep -E -e 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' "$tmp/stderr" >/dev/null; then
	echo "sanitizer report in stderr" >>"$problems"
fi

if [ -s "$problems" ]; then
	{
		echo "FAIL: bad input not refused as expected"
		echo "command:   timeout -k 5 20 $vnetsim $cmd $file -o table"
		echo "exit code: $rc"
		echo "expect:    $expect"
		sed 's/^/problem:   /' "$problems"
		echo "--- stderr ---"
		cat "$tmp/stderr"
		if [ -s "$tmp/stdout" ]; then
			echo "--- stdout ---"
			cat "$tmp/stdout"
		fi
		echo "--------------"
	} >&2
	exit 1
fi
echo "ok: $cmd $(basename "$file"): exit 2, $n expected diagnostic lines found"
exit 0
