#!/bin/sh
# list-cases.sh - print the conformance case folders under ROOT, one a line,
# in byte order. A case is any folder not starting with "." (one without a
# checks.json is still listed, so that its test fails instead of vanishing).
#
#   sh list-cases.sh ROOT
set -eu
[ $# -eq 1 ] || { echo "usage: sh list-cases.sh ROOT" >&2; exit 2; }
cd "$1"
for d in *; do
	[ -d "$d" ] && printf '%s\n' "$d"
done | LC_ALL=C sort
