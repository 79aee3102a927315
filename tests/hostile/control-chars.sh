# control-chars.sh VNETSIM ROOT: control characters (ESC, BEL, newline, any
# C0 or DEL) are refused in names and labels, and whatever vnetsim prints
# from its input in diagnostics is escaped: no terminal escape reaches the
# terminal and no forged "FILE: $.path: error: ..." line appears (issue 18
# item 3).
. "$(dirname "$0")/../store/common.sh"
# edit FILE PYTHON: the seed scenario changed by a python statement on doc.
edit() {
	python3 - "$SEED" "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(doc, open(sys.argv[2], "w"))
PY
}
# raw_free: no C0 byte but newline and tab, and no DEL, in stdout or stderr.
raw_free() {
	if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" out err; then
		od -c err | head -n 20 >&2
		fail "$1: a control character was printed raw"
	fi
	if grep -q '^FORGED' out err; then
		cat err >&2
		fail "$1: a forged line was printed"
	fi
}
# refused FILE WHAT: check and routes exit 2 with nothing raw printed.
refused() {
	for cmd in check routes; do
		set +e
		if [ "$cmd" = check ]; then
			"$VNETSIM" check "$1" >out 2>err
		else
			"$VNETSIM" routes "$1" --subnet '*' >out 2>err
		fi
		rc=$?
		set -e
		[ "$rc" -eq 2 ] || { cat err >&2; fail "$cmd: $2: exited $rc, expected 2"; }
		raw_free "$cmd: $2"
	done
	grep -q 'control character' err || { cat err >&2; fail "$2: the message does not say why"; }
}
ESCSEQ='"\u001b[31mred\u0007\nFORGED: $.ok: error: forged"'
edit vnet.json "doc['topology']['virtualNetworks'][0]['name'] += $ESCSEQ"
refused vnet.json "a virtual network name"
edit subnet.json "doc['topology']['virtualNetworks'][0]['subnets'][0]['name'] += $ESCSEQ"
refused subnet.json "a subnet name"
edit nic.json "doc['topology']['networkInterfaces'][0]['name'] += '\u007f'"
refused nic.json "a NIC name (DEL)"
edit rt.json "doc['topology']['routeTables'][0]['name'] += '\t'"
refused rt.json "a route table name (TAB)"
edit route.json "doc['topology']['routeTables'][0]['routes'][0]['name'] += '\\u0085'"
refused route.json "a route name (C1 NEL)"
edit label.json "[e for e in doc['events'] if e.get('label')][0]['label'] += $ESCSEQ"
refused label.json "a checkpoint label"
edit name.json "doc['name'] = 'seed' + $ESCSEQ"
refused name.json "the scenario's name"
# A value that is not a name, quoted in a diagnostic: escaped.
edit nht.json "doc['topology']['routeTables'][0]['routes'][0]['nextHopType'] = $ESCSEQ"
expect_rc 2 "$VNETSIM" check nht.json
raw_free "a next hop type quoted in a diagnostic"
grep -qF '\x1b[31mred\x07\x0aFORGED' err || { cat err >&2; fail "the escaped value is not shown"; }
# A command-line pattern echoed back.
set +e
"$VNETSIM" routes "$SEED" --subnet "$(printf 'x\033[2J\nFORGED: y')" >out 2>err
set -e
raw_free "a --subnet pattern echoed back"
echo ok
