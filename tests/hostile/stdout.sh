# stdout.sh VNETSIM ROOT: output that cannot be written is an environment
# failure (RULES 4: exit 3 and a message), whatever its size against
# stdout's buffer (64 KiB to a file or pipe): a full disk (/dev/full) for
# a few bytes and for ~370 kB, and a reader that goes away (a closed pipe
# with SIGPIPE ignored, as a supervisor may run us).
. "$(dirname "$0")/../store/common.sh"
full() {
	set +e
	"$VNETSIM" "$@" >/dev/full 2>err
	rc=$?
	set -e
	[ "$rc" -eq 3 ] || { cat err >&2; fail "$* >/dev/full exited $rc, expected 3"; }
	grep -q 'error writing the output: No space left on device' err ||
		fail "$* >/dev/full: $(cat err)"
}
full --version
full routes "$SEED" --subnet hub/GatewaySubnet -o json
full routes "$SEED" --nic '*' -o json
full routes "$SEED" --nic '*' -o jsonl
full run "$SEED" -o table --detail
# A closed pipe: the reader stops after 10 bytes of ~370 kB.
(
	trap '' PIPE
	set +e
	"$VNETSIM" routes "$SEED" --nic '*' -o json 2>err
	echo $? >rc
) | head -c 10 >/dev/null
[ "$(cat rc)" -eq 3 ] || { cat err >&2; fail "closed pipe: exit $(cat rc), expected 3"; }
grep -q 'error writing the output: Broken pipe' err || fail "closed pipe: $(cat err)"
echo ok
