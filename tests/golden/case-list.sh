#!/bin/sh
# case-list.sh - fail when the conformance cases on disk are not the ones meson
# registered as tests.
#
#   sh case-list.sh LIST_CMD CASES_ROOT NAME...
#
# meson finds the case folders when it configures (tests/golden/meson.build)
# and cannot notice a folder added later, so a new case would silently not
# run. This test lists CASES_ROOT again with the same command meson used
# (list-cases.sh) and names what differs, with the command that fixes it.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: sh case-list.sh LIST_CMD CASES_ROOT NAME..." >&2
	exit 2
fi
list_cmd=$1 root=$2
shift 2
known=$(printf '%s\n' "$@" | LC_ALL=C sort)
found=$(sh "$list_cmd" "$root")
if [ "$known" = "$found" ]; then
	echo "case-list: $# conformance cases registered, as on disk"
	exit 0
fi
echo "case-list: the conformance cases on disk differ from the tests meson registered:" >&2
printf '%s\n' "$known" >"${TMPDIR:-/tmp}/case-list.known.$$"
printf '%s\n' "$found" | LC_ALL=C comm -13 "${TMPDIR:-/tmp}/case-list.known.$$" - |
	sed 's/^/  not registered (new on disk): /' >&2
printf '%s\n' "$found" | LC_ALL=C comm -23 "${TMPDIR:-/tmp}/case-list.known.$$" - |
	sed 's/^/  registered but gone from disk: /' >&2
rm -f "${TMPDIR:-/tmp}/case-list.known.$$"
echo "case-list: re-run meson to pick them up: meson setup --reconfigure BUILD_DIR (tools/setup.sh does it)" >&2
exit 1
