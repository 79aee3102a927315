# env.sh VNETSIM ROOT: environment failures give exit 3 and a message
# naming the file: a full disk for --junit (/dev/full: the write fails with
# ENOSPC, and the device is written in place, never renamed over), a
# database that is read-only for the user running vnetsim, a path that is
# a directory, a path where no file can be created (/proc), a file that
# is not a database.  Read-only as root: permissions do not bind root, so
# the run is made as user nobody (setpriv) against a file root owns; the
# test is skipped (77) only when neither works.
. "$(dirname "$0")/common.sh"

expect_rc 3 "$VNETSIM" run "$SEED" --junit /dev/full
grep -q '/dev/full: cannot write: No space left on device' err || fail "junit /dev/full: $(cat err)"
[ -c /dev/full ] || fail "/dev/full is no longer a device"
cp "$SEED" a.json
expect_rc 3 "$VNETSIM" diff a.json a.json --junit /dev/full
grep -q 'No space left on device' err || fail "diff junit /dev/full: $(cat err)"

mkdir adir
expect_rc 3 "$VNETSIM" run "$SEED" --db adir
grep -q '^adir: results store: cannot open' err || fail "directory: $(cat err)"
expect_rc 3 "$VNETSIM" run "$SEED" --db /proc/self/r.db
grep -q 'results store' err || fail "/proc: $(cat err)"
echo "plain text, not a database, long enough to be read as a header" >text.db
expect_rc 3 "$VNETSIM" run "$SEED" --db text.db
grep -q 'not a database' err || fail "text file: $(cat err)"
grep -q 'plain text' text.db || fail "the text file was changed"

# Read-only database.
mkdir ro
expect_rc 0 "$VNETSIM" run "$SEED" --db ro/r.db
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || { echo "skip: root without setpriv" >&2; exit 77; }
	chmod 755 "$work" ro
	chmod 644 ro/r.db
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	chmod 444 ro/r.db
	chmod 555 ro
	as_user() { "$@"; }
fi
expect_rc 3 as_user "$VNETSIM" run "$SEED" --db ro/r.db
grep -q 'ro/r.db: results store: ' err || fail "read-only: $(cat err)"
grep -qi 'read-only\|readonly\|unable to open' err || fail "read-only message: $(cat err)"
# Reading it still works (diff opens a store it cannot write read-only).
expect_rc 0 as_user "$VNETSIM" diff --db ro/r.db 1 1
chmod 755 ro
[ "$(sql ro/r.db 'SELECT count(*) FROM runs')" -eq 1 ] || fail "the read-only file changed"
echo ok
