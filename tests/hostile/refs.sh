# refs.sh VNETSIM ROOT: files a scenario references (an expectation's
# `routes` file) resolve inside the scenario's folder: no absolute path, no
# `..` out of it, no symlink out of it, regular files only (a FIFO must
# not block), at most 8 MiB; anything else is exit 2 naming the reference,
# never echoing the file's bytes (issue 18 item 2).  --ref-root DIR widens
# the folder.
. "$(dirname "$0")/../store/common.sh"
mkdir -p case/sub outside
printf 'SECRET-LINE-1 {\nSECRET-LINE-2\n' >outside/secret.txt
printf '{"value": [{"source": "SECRET-ROW", "state": "Active", "addressPrefix": ["1.2.3.0/24"], "nextHopType": "None"}]}\n' >outside/rows.json
# scen FILE REF: the seed scenario with one whole-table expectation whose
# routes file is REF.
scen() {
	python3 - "$SEED" "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["expectations"] = [{"at": "end", "subnet": "hub/nva", "routes": sys.argv[3]}]
json.dump(doc, open(sys.argv[2], "w"))
PY
}
# no_leak: nothing of the outside files on stdout or stderr.
no_leak() {
	if grep -q 'SECRET' out err; then
		cat err >&2
		fail "$1: the referenced file's content was printed"
	fi
}
# refused REF WHAT: check and run exit 2, naming the reference, within 20 s.
refused() {
	scen case/s.json "$1"
	for cmd in check run; do
		set +e
		timeout 20 "$VNETSIM" "$cmd" case/s.json >out 2>err
		rc=$?
		set -e
		[ "$rc" -eq 2 ] || { cat err >&2; fail "$cmd with routes \"$1\" ($2) exited $rc, expected 2"; }
		grep -qF "\"$1\"" err || { cat err >&2; fail "$cmd: the message does not name \"$1\""; }
		no_leak "$cmd $1"
	done
}
refused "$(pwd)/outside/secret.txt" "absolute"
refused "../outside/secret.txt" "dot-dot out"
refused "sub/../../outside/rows.json" "dot-dot out through a subfolder"
ln -s ../outside/secret.txt case/link.json
refused "link.json" "symlink out"
ln -s ../outside case/dirlink
refused "dirlink/rows.json" "symlinked folder out"
mkfifo case/fifo.json
refused "fifo.json" "FIFO"
refused "sub" "a folder"
refused "missing.json" "missing"
# Too big (sparse, costs no disk).
python3 -c "f=open('case/big.json','wb'); f.truncate(9 << 20)"
refused "big.json" "over the size cap"
# Invalid JSON inside the folder: the position, never the bytes.
printf '{"value": [SECRET-BYTES ]}\n' >case/bad.json
refused "bad.json" "invalid JSON"
# Allowed: a file in the folder, in a subfolder, through .. that stays inside,
# and with --ref-root a file outside it.
"$VNETSIM" routes "$SEED" --subnet hub/nva -o json >case/sub/nva.json
for ref in sub/nva.json ./sub/../sub/nva.json; do
	scen case/s.json "$ref"
	expect_rc 0 "$VNETSIM" check case/s.json
	expect_rc 0 "$VNETSIM" run case/s.json
done
cp case/sub/nva.json outside/nva.json
scen case/s.json ../outside/nva.json
expect_rc 2 "$VNETSIM" run case/s.json
expect_rc 0 "$VNETSIM" run case/s.json --ref-root .
expect_rc 0 "$VNETSIM" check case/s.json --ref-root .
echo ok
