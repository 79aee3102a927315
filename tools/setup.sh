#!/usr/bin/env bash
# setup.sh - install what is missing, configure and build vnetsim; optionally
# run the demo or the tests. Works from any directory.
#
#   tools/setup.sh            install missing Debian packages, configure, build
#   tools/setup.sh demo       ... then run the seed scenario (demo_commands below)
#   tools/setup.sh slurm      install slurm-wlm and munge too (opt-in), so that
#                             the test suite runs the Slurm recipe (tests/slurm)
#                             on a one-node cluster it starts; then build
#   tools/setup.sh test [ARGS...]
#                             ... then `meson test --print-errorlogs ARGS...`;
#                             the last line printed is the summary from
#                             tools/test-summary.py ("N passed, M failed"), and
#                             the exit status is non-zero if anything failed or
#                             no test ran
#   tools/setup.sh fuzz       install clang and libFuzzer's runtime too, build
#                             the fuzz targets in build-fuzz/ and run each a
#                             fixed number of times (tools/fuzz.sh smoke; the
#                             long run: tools/fuzz.sh long)
#
# Environment:
#   BUILD_DIR       build folder, relative to the repository root (default build)
#   MESON_OPTIONS   extra `meson setup` options, split on blanks; they stick
#                   to the build folder, so give sanitizers their own:
#                   BUILD_DIR=build-asan MESON_OPTIONS=-Db_sanitize=address,undefined
#   SKIP_PACKAGES=1 do not check or install Debian packages
#
# Packages are checked with dpkg-query; only the missing ones are installed,
# with apt-get (through sudo when not root). Nothing is downloaded when all
# are present. An existing build folder is reconfigured every time, which is
# also what makes meson find conformance cases added since the last run.
set -eu
set -o pipefail

PACKAGES=(meson ninja-build pkgconf gcc libc6-dev libsqlite3-dev libcjson-dev libgsl-dev
	libcriterion-dev nettle-dev python3 libxml2-utils python3-junitparser python3-tabulate graphviz gnuplot-nox
	python3-yaml)
# Only for `tools/setup.sh fuzz` (opt-in: the normal build and CI use gcc).
FUZZ_PACKAGES=(clang libclang-rt-14-dev)

log() { printf 'setup: %s\n' "$*" >&2; }
die() {
	printf 'setup: error: %s\n' "$*" >&2
	exit 1
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
BUILD_DIR=${BUILD_DIR:-build}
read -r -a meson_options <<<"${MESON_OPTIONS:-}"

# The two commands the README shows for a first run; adjust them here only.
demo_commands() {
	local vnetsim="$BUILD_DIR/tools/vnetsim"
	local seed=scenarios/seed/hub-spoke-ars.json
	[ -x "$vnetsim" ] || die "$vnetsim was not built"
	[ -f "$seed" ] || die "seed scenario $seed not found"
	log "running: $vnetsim run $seed"
	"$vnetsim" run "$seed"
	log "running: $vnetsim routes $seed --subnet 'hub/*' --subnet 'spoke1/*' -o table"
	"$vnetsim" routes "$seed" --subnet 'hub/*' --subnet 'spoke1/*' -o table
	log "NVA1 crashed silently at 5m: until its hold timer expires at 8m the Route Server"
	log "still holds its routes, on both instances:"
	log "running: $vnetsim bgp $seed --route-server ars --learned --at nva1-crashed -o table"
	"$vnetsim" bgp "$seed" --route-server ars --learned --at nva1-crashed -o table
	log "so they stay programmed and traffic hashed to 10.0.1.4 is black-holed; then the failover:"
	log "running: $vnetsim diff $seed --from nva1-crashed --to after-hold -o table"
	"$vnetsim" diff "$seed" --from nva1-crashed --to after-hold -o table || [ $? -eq 1 ]
}

missing_packages() {
	local p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${db:Status-Abbrev}\n' "$p" 2>/dev/null | grep -q '^ii' ||
			printf '%s\n' "$p"
	done
}

install_packages() {
	if [ "${SKIP_PACKAGES:-0}" = 1 ]; then
		log "SKIP_PACKAGES=1: not checking Debian packages"
		return 0
	fi
	if ! command -v dpkg-query >/dev/null 2>&1; then
		log "dpkg-query not found (not Debian?): install by hand: ${PACKAGES[*]}"
		return 0
	fi
	local missing
	missing=$(missing_packages)
	if [ -z "$missing" ]; then
		log "Debian packages: all present"
		return 0
	fi
	# shellcheck disable=SC2086 # one package name a line, no blanks
	set -- $missing
	log "missing Debian packages: $*"
	local -a as_root=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 ||
			die "not root and no sudo: install them as root: apt-get install --no-install-recommends $*"
		as_root=(sudo)
		# Without a terminal sudo cannot ask for a password: fail instead of hanging.
		[ -t 0 ] || as_root=(sudo -n)
	fi
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install by hand: $*"
	log "running: ${as_root[*]:+${as_root[*]} }apt-get update"
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >&2 ||
		die "apt-get update failed (network? permissions?)"
	log "running: ${as_root[*]:+${as_root[*]} }apt-get install -y --no-install-recommends $*"
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "$@" >&2 ||
		die "apt-get install failed for: $*"
}

configure_and_build() {
	command -v meson >/dev/null 2>&1 || die "meson not found (Debian package meson)"
	command -v ninja >/dev/null 2>&1 || die "ninja not found (Debian package ninja-build)"
	if [ -f "$BUILD_DIR/meson-private/coredata.dat" ]; then
		log "running: meson setup --reconfigure $BUILD_DIR ${meson_options[*]:-}"
		meson setup --reconfigure "$BUILD_DIR" "${meson_options[@]}" >&2 ||
			die "meson setup --reconfigure failed (to start over: rm -rf $BUILD_DIR)"
	else
		log "running: meson setup $BUILD_DIR ${meson_options[*]:-}"
		meson setup "$BUILD_DIR" "${meson_options[@]}" >&2 || die "meson setup failed"
	fi
	log "running: ninja -C $BUILD_DIR"
	ninja -C "$BUILD_DIR" >&2 || die "build failed"
}

# Runs the tests; the summary line is the last thing printed.
run_tests() {
	local log_file="$BUILD_DIR/meson-logs/testlog.json" status=0 summary_status=0
	# A stale log from an earlier run must not be summarised as this one.
	rm -f "$log_file"
	# Set-up failures still end with the summary line ("0 passed, 0 failed").
	if (install_packages && configure_and_build); then
		log "running: meson test -C $BUILD_DIR --print-errorlogs $*"
		meson test -C "$BUILD_DIR" --print-errorlogs "$@" || status=$?
	else
		status=1
	fi
	python3 tools/test-summary.py "$log_file" || summary_status=$?
	[ "$status" -eq 0 ] && [ "$summary_status" -eq 0 ]
}

main() {
	local cmd=${1:-build}
	[ $# -eq 0 ] || shift
	case "$cmd" in
	build)
		[ $# -eq 0 ] || die "usage: tools/setup.sh [demo | slurm | fuzz | test [MESON_TEST_ARGS...]]"
		install_packages
		configure_and_build
		log "built: $BUILD_DIR/tools/vnetsim"
		;;
	demo)
		[ $# -eq 0 ] || die "usage: tools/setup.sh demo"
		install_packages
		configure_and_build
		demo_commands
		;;
	test)
		run_tests "$@"
		;;
	slurm)
		# Opt-in: what tests/slurm needs to start a one-node Slurm cluster.
		[ $# -eq 0 ] || die "usage: tools/setup.sh slurm"
		PACKAGES+=(slurm-wlm munge)
		install_packages
		configure_and_build
		log "slurm-wlm and munge installed: tools/setup.sh test runs tests/slurm too"
		;;
	fuzz)
		[ $# -eq 0 ] || die "usage: tools/setup.sh fuzz"
		PACKAGES+=("${FUZZ_PACKAGES[@]}")
		install_packages
		exec "$root/tools/fuzz.sh" smoke
		;;
	-h | --help | help)
		awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' \
			"${BASH_SOURCE[0]}" >&2
		;;
	*)
		die "unknown command '$cmd': use tools/setup.sh [demo | slurm | fuzz | test [MESON_TEST_ARGS...]]"
		;;
	esac
}

main "$@"
