#!/bin/sh
# golden.sh - one CLI command's stdout and exit status against a committed
# expected file (the OpenBGPD way: input, expected output, diff -u).
#
#   sh golden.sh VNETSIM EXPECTED EXIT -- ARGS...
#
# Runs `VNETSIM ARGS...` from the source root (paths in ARGS are relative
# to it), checks the exit status is EXIT and stdout equals EXPECTED byte for
# byte.  UPDATE=1 rewrites EXPECTED instead (review the diff before
# committing it).
set -eu
[ $# -ge 4 ] && [ "$4" = "--" ] || { echo "usage: sh golden.sh VNETSIM EXPECTED EXIT -- ARGS..." >&2; exit 2; }
case "$1" in /*) vnetsim=$1 ;; *) vnetsim=$(pwd)/$1 ;; esac
expected=$2 want=$3
shift 4
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp "${TMPDIR:-/tmp}/vnetsim-golden.XXXXXX")
trap 'rm -f "$out"' EXIT INT TERM
set +e
(cd "$root" && "$vnetsim" "$@") >"$out"
got=$?
set -e
if [ "${UPDATE:-0}" = 1 ]; then
	cp "$out" "$expected"
	echo "golden: rewrote $expected"
fi
if [ "$got" -ne "$want" ]; then
	echo "golden: vnetsim $* exited $got, expected $want" >&2
	exit 1
fi
if ! diff -u "$expected" "$out"; then
	echo "golden: vnetsim $* differs from $expected (UPDATE=1 to rewrite)" >&2
	exit 1
fi
