# fsize.sh VNETSIM ROOT: under a file-size limit (`ulimit -f`, what a CI
# runner may set) a write beyond it is an environment failure, exit 3 with
# a message, not death by SIGXFSZ (exit 153 from the shell).
. "$(dirname "$0")/../store/common.sh"
# stdout redirected to a file: the routes of every subnet are far more
# than 1 KiB (ulimit -f counts 512-byte blocks in sh, 1 KiB in bash: either
# way a few KiB).
set +e
(ulimit -f 2 && exec "$VNETSIM" routes "$SEED" --subnet '*' -o json) >big.json 2>err
rc=$?
set -e
[ "$rc" -eq 3 ] || { cat err >&2; fail "routes to a file past ulimit -f exited $rc, expected 3"; }
[ -s err ] || fail "no message on stderr"
# The results store growing past the limit.
set +e
(ulimit -f 8 && exec "$VNETSIM" run "$SEED" --db r.db) >out 2>err
rc=$?
set -e
[ "$rc" -eq 3 ] || { cat err >&2; fail "run --db past ulimit -f exited $rc, expected 3"; }
grep -q 'r.db' err || { cat err >&2; fail "the store's failure does not name the file"; }
echo ok
