#!/bin/sh
# usage-error.sh - a command line that is bad input: exit status 2, nothing
# on stdout, and stderr naming what is wrong.
#
#   sh usage-error.sh VNETSIM NEEDLE -- ARGS...
#
# Runs `VNETSIM ARGS...` from the source root; NEEDLE is a fixed string
# stderr must contain (the option's name).
set -eu
[ $# -ge 3 ] && [ "$3" = "--" ] || { echo "usage: sh usage-error.sh VNETSIM NEEDLE -- ARGS..." >&2; exit 2; }
case "$1" in /*) vnetsim=$1 ;; *) vnetsim=$(pwd)/$1 ;; esac
needle=$2
shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp "${TMPDIR:-/tmp}/vnetsim-usage.XXXXXX")
err=$(mktemp "${TMPDIR:-/tmp}/vnetsim-usage.XXXXXX")
trap 'rm -f "$out" "$err"' EXIT INT TERM
set +e
(cd "$root" && "$vnetsim" "$@") >"$out" 2>"$err"
got=$?
set -e
if [ "$got" -ne 2 ]; then
	echo "usage-error: vnetsim $* exited $got, expected 2" >&2
	exit 1
fi
if [ -s "$out" ]; then
	echo "usage-error: vnetsim $* printed on stdout" >&2
	exit 1
fi
if ! grep -qF -- "$needle" "$err"; then
	echo "usage-error: vnetsim $*: stderr does not name $needle:" >&2
	cat "$err" >&2
	exit 1
fi
