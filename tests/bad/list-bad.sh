#!/bin/sh
# list-bad.sh - print the bad-input corpus files under ROOT, one a line, in
# byte order: every regular file except the .expect sidecars, README.md and
# hidden files. A file without a sidecar is still listed, so that its test
# fails instead of vanishing.
#
#   sh list-bad.sh ROOT
set -eu
[ $# -eq 1 ] || { echo "usage: sh list-bad.sh ROOT" >&2; exit 2; }
cd "$1"
for f in *; do
	[ -f "$f" ] || continue
	case $f in
	*.expect | README.md) ;;
	*) printf '%s\n' "$f" ;;
	esac
done | LC_ALL=C sort
