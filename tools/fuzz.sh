#!/usr/bin/env bash
# fuzz.sh - builds the libFuzzer targets of fuzz/ with clang and
# AddressSanitizer + UndefinedBehaviorSanitizer, and runs them.
#
#   tools/fuzz.sh build            configure and build build-fuzz/ (clang)
#   tools/fuzz.sh smoke            ... then the `fuzz` suite (each target a
#                                  fixed 2,000 executions, fuzz/meson.build)
#   tools/fuzz.sh long [RUNS [SECONDS]]
#                                  ... then each target for RUNS executions
#                                  (default 5000000) or SECONDS (default: no
#                                  limit), whichever ends first, one after the other,
#                                  from the seed corpus (every *.json under
#                                  scenarios/ up to 64 KiB; for the importer
#                                  tests/import/fixtures), growing the
#                                  corpus in build-fuzz/corpus/TARGET;
#                                  logs in build-fuzz/fuzz-TARGET.log, a crash
#                                  or leak as build-fuzz/crash-TARGET-*; prints
#                                  per target the executions done and
#                                  whether it crashed.  Run it niced:
#                                    nice -n 19 tools/fuzz.sh long 5000000
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz); FUZZ_TARGETS (default
# "scenario capture import": the targets built and run, in order); FUZZ_MAX_LEN (default 65536,
# the largest input libFuzzer makes: smaller runs faster, larger reaches more).  Needs the Debian packages clang
# and libclang-rt-14-dev (`tools/setup.sh fuzz` installs them, then runs
# `smoke`).  The normal build and suite do not need clang: there the same
# targets replay the seed corpus through fuzz/driver.c.
set -eu
set -o pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
B=${FUZZ_BUILD_DIR:-build-fuzz}
read -r -a TARGETS <<<"${FUZZ_TARGETS:-scenario capture import}"

die() {
	printf 'fuzz: error: %s\n' "$*" >&2
	exit 1
}

build() {
	command -v clang >/dev/null 2>&1 ||
		die "clang not found: apt-get install clang libclang-rt-14-dev (or tools/setup.sh fuzz)"
	if [ -f "$B/meson-private/coredata.dat" ]; then
		meson setup --reconfigure "$B" >&2
	else
		# -O2 -g: the sanitizers' checks stay, and a run does about three
		# times the executions of the default -O0 build in the same time.
		CC=clang meson setup "$B" -Dfuzz=true -Db_sanitize=address,undefined \
			-Db_lundef=false --buildtype=debugoptimized >&2
	fi
	ninja -C "$B" "${TARGETS[@]/#/fuzz/fuzz_}" >&2
}

seed_corpus() { # DIR TARGET: the seed files, flat (libFuzzer's corpus folder)
	local from=scenarios
	[ "$2" = import ] && from=tests/import/fixtures
	mkdir -p "$1"
	find "$from" -name '*.json' -size -64k -print0 |
		while IFS= read -r -d '' f; do cp "$f" "$1/$(printf '%s' "$f" | tr '/' '_')"; done
}

long() {
	local runs=${1:-5000000} secs=${2:-0} t
	for t in "${TARGETS[@]}"; do
		seed_corpus "$B/corpus/$t" "$t"
		local log="$B/fuzz-$t.log" rc=0
		printf 'fuzz: %s: %s executions, log %s\n' "$t" "$runs" "$log" >&2
		"$B/fuzz/fuzz_$t" -runs="$runs" -max_total_time="$secs" -max_len="${FUZZ_MAX_LEN:-65536}" -timeout=20 -rss_limit_mb=2048 \
			-artifact_prefix="$B/crash-$t-" "$B/corpus/$t" >"$log" 2>&1 || rc=$?
		local done_line
		done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1 || true)
		printf '%s: exit %d; %s\n' "$t" "$rc" "${done_line:-no Done line (crashed?)}"
	done
}

case "${1:-}" in
build) build ;;
smoke)
	build
	meson test -C "$B" --suite fuzz --print-errorlogs
	;;
long)
	shift
	build
	long "$@"
	;;
*) die "usage: tools/fuzz.sh build | smoke | long [RUNS [SECONDS]]" ;;
esac
