#!/usr/bin/env bash
# sync-conformance.sh - copy new and updated conformance cases into the repo.
#
#   tools/sync-conformance.sh [--prune] [--dry-run] [SOURCE]
#
# SOURCE defaults to ../shared/conformance next to the repository root (the
# shared folder the cases are written in). Every file of SOURCE is copied to
# scenarios/conformance/ when it is new or its bytes differ; files are written
# mode 0644 whatever the source's mode (the shared copies are read-only).
# Prints one line per change (NEW CASE, new, updated) and a summary. Files that
# exist only in the repo are listed as "local only"; --prune deletes them (and
# case folders left empty). --dry-run reports without writing.
#
# A case's Markdown cites the rules by number: the shared copies say "SPEC 1.8"
# or "reference 6.2" or "AMBIGUITY 2", which people who clone the project cannot open, so the
# copy in the repo cites models/RULES.md instead ("RULES 1.8", "RULES E6.2",
# "RULES E9.2"; same numbers). Files are compared after that rewrite.
#
# New case folders become meson tests at the next configure: tools/setup.sh
# always reconfigures; by hand, run `meson setup --reconfigure build`.
set -eu

usage() {
	echo "usage: tools/sync-conformance.sh [--prune] [--dry-run] [SOURCE]" >&2
	exit 2
}

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/scenarios/conformance"
src=""
prune=false
dry=false
for arg in "$@"; do
	case "$arg" in
	--prune) prune=true ;;
	--dry-run) dry=true ;;
	-h | --help) usage ;;
	-*) echo "sync-conformance: unknown option $arg" >&2; usage ;;
	*) [ -z "$src" ] || usage; src=$arg ;;
	esac
done
[ -n "$src" ] || src="$root/../shared/conformance"
if [ ! -d "$src" ]; then
	echo "sync-conformance: source folder $src not found (pass it as an argument)" >&2
	exit 2
fi
src=$(cd "$src" && pwd)
[ "$src" != "$dest" ] || { echo "sync-conformance: source is the destination" >&2; exit 2; }

# The file as the repo keeps it (see above), on stdout.
prepared() {
	case "$1" in
	*.md)
		sed -E -e 's/derived from SPEC rules/derived from the rules of models\/RULES.md/g' \
			-e 's/\bSPEC rules/the rules of models\/RULES.md/g' \
			-e 's/\bSPEC (section )?([0-9])/RULES \2/g' -e 's/\bSPEC$/RULES/' \
			-e 's/\breference (sections? )?([0-9])/RULES E\2/g' \
			-e "s/(the reference's )?AMBIGUITY ([0-9]+)/RULES E9.\\2/g" "$1"
		;;
	*) cat "$1" ;;
	esac
}

new_files=0 updated=0 same=0 new_cases=0 local_only=0 pruned=0
declare -A announced=()
$dry || mkdir -p "$dest"

# Source files, NUL-separated so any file name survives.
while IFS= read -r -d '' rel; do
	rel=${rel#./}
	to="$dest/$rel"
	case_name=${rel%%/*}
	if [ "$case_name" != "$rel" ] && [ ! -d "$dest/$case_name" ] &&
		[ -z "${announced[$case_name]:-}" ]; then
		announced[$case_name]=1
		echo "NEW CASE $case_name"
		new_cases=$((new_cases + 1))
	fi
	if [ ! -e "$to" ]; then
		echo "  new      $rel"
		new_files=$((new_files + 1))
	elif prepared "$src/$rel" | cmp -s - "$to"; then
		same=$((same + 1))
		continue
	else
		echo "  updated  $rel"
		updated=$((updated + 1))
	fi
	if ! $dry; then
		mkdir -p "$(dirname "$to")"
		# Copy to a temporary name and rename: a reader never sees half a file.
		tmp="$to.sync-tmp.$$"
		prepared "$src/$rel" >"$tmp"
		chmod 0644 "$tmp"
		mv -f "$tmp" "$to"
	fi
done < <(cd "$src" && find . -type f ! -name '*.sync-tmp.*' -print0 | LC_ALL=C sort -z)

# Files only in the repo: reported, deleted only with --prune.
if [ -d "$dest" ]; then
	while IFS= read -r -d '' rel; do
		rel=${rel#./}
		[ -e "$src/$rel" ] && continue
		local_only=$((local_only + 1))
		if $prune; then
			echo "  removed  $rel"
			$dry || rm -f "$dest/$rel"
			pruned=$((pruned + 1))
		else
			echo "  local only (not in source; --prune removes) $rel"
		fi
	done < <(cd "$dest" && find . -type f -print0 | LC_ALL=C sort -z)
	if $prune && ! $dry; then
		find "$dest" -mindepth 1 -type d -empty -delete
	fi
fi

summary="$new_cases new case(s), $new_files new file(s), $updated updated, $same unchanged, $local_only local only"
$prune && summary="$summary, $pruned removed"
$dry && summary="$summary (dry run: nothing written)"
echo "sync-conformance: $src -> scenarios/conformance: $summary"
if [ "$new_cases" -gt 0 ]; then
	echo "sync-conformance: new cases run as tests after a reconfigure (tools/setup.sh does it; or meson setup --reconfigure build)"
fi
