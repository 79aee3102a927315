#!/bin/sh
# corpus-list.sh - the bad-input corpus is consistent and fully registered.
#
#   sh corpus-list.sh LIST_CMD ROOT FILE...
#
# FILE... are the corpus files meson registered as tests when it configured
# (tests/bad/meson.build). Fails, naming each problem, when
#   - a corpus file has no sidecar NAME.expect (NAME = file name without its
#     last extension), or its sidecar lists no diagnostic;
#   - a NAME.expect has no corpus file NAME.*, or two corpus files share NAME;
#   - the files on disk (listed again with LIST_CMD, as meson did) are not
#     the registered ones: meson cannot notice a file added later.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: sh corpus-list.sh LIST_CMD ROOT FILE..." >&2
	exit 2
fi
list_cmd=$1 root=$2
shift 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/corpus-list.XXXXXX")
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort >"$tmp/known"
sh "$list_cmd" "$root" >"$tmp/found"
: >"$tmp/problems"

LC_ALL=C comm -13 "$tmp/known" "$tmp/found" |
	sed 's/^/not registered (new on disk; re-run meson setup --reconfigure): /' >>"$tmp/problems"
LC_ALL=C comm -23 "$tmp/known" "$tmp/found" |
	sed 's/^/registered but gone from disk: /' >>"$tmp/problems"

# Sidecars: one per corpus file, none without one.
while IFS= read -r f; do
	stem=${f%.*}
	[ -n "$stem" ] || stem=$f
	printf '%s\n' "$stem" >>"$tmp/stems"
	e=$root/$stem.expect
	if [ ! -f "$e" ]; then
		echo "$f has no sidecar $stem.expect" >>"$tmp/problems"
	elif ! grep -q '[^[:space:]]' "$e"; then
		echo "$stem.expect lists no expected diagnostic" >>"$tmp/problems"
	fi
done <"$tmp/found"
touch "$tmp/stems"
LC_ALL=C sort "$tmp/stems" | uniq -d |
	sed 's/^/two corpus files share the name (one .expect cannot serve both): /' >>"$tmp/problems"
for e in "$root"/*.expect; do
	[ -f "$e" ] || continue
	stem=$(basename "$e" .expect)
	grep -qxF -e "$stem" "$tmp/stems" ||
		echo "$stem.expect has no corpus file $stem.* next to it" >>"$tmp/problems"
done

n=$(wc -l <"$tmp/found" | tr -d ' ')
if [ -s "$tmp/problems" ]; then
	echo "corpus-list: the bad-input corpus in $root is inconsistent:" >&2
	sed 's/^/  /' "$tmp/problems" >&2
	exit 1
fi
echo "corpus-list: $n corpus files, each with its .expect, all registered"
