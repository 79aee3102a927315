# capacity.sh VNETSIM ROOT: NICs beyond Route Server capacity (RULES 1.8)
# survive the store: their flag and their own view of the table (without
# the Route Server's routes, the Default 0/0 and None rows back) are
# stored, and `diff --db` between two stored runs gives exactly the diff of
# the two scenarios in memory.  cap.json has 4,032 VMs (32 beyond the 4,000
# of two units), nocap.json 3,932.
. "$(dirname "$0")/common.sh"
python3 - "$SEED" <<'PY'
import json, sys
for name, n in (("cap.json", 4000), ("nocap.json", 3900)):
    d = json.load(open(sys.argv[1]))
    d["expectations"] = []
    for v in d["topology"]["virtualNetworks"]:
        for s in v["subnets"]:
            if v["name"] == "spoke1" and s["name"] == "web":
                s["addressPrefix"] = "10.1.16.0/20"
    for nic in d["topology"]["networkInterfaces"]:
        if nic["name"] == "web-*":
            nic["count"] = n
    json.dump(d, open(name, "w"))
PY
expect_rc 0 "$VNETSIM" run cap.json nocap.json --db c.db
[ "$(sql c.db "SELECT count(*) FROM nics n JOIN checkpoints c ON c.id = n.checkpoint_id WHERE c.run_id = 1 AND c.label = 'baseline' AND n.unprogrammed")" -eq 32 ] ||
	fail "unprogrammed NICs at baseline"
[ "$(sql c.db "SELECT count(*) FROM subnet_tables st JOIN checkpoints c ON c.id = st.checkpoint_id WHERE c.run_id = 1 AND c.label = 'baseline' AND st.no_rs_table_id IS NOT NULL")" -eq 2 ] ||
	fail "subnets with a no-Route-Server view at baseline"
for at in baseline end; do
	expect_rc 1 "$VNETSIM" diff --db c.db 1 2 --at $at -o json
	sed 1,3d out >db.json
	expect_rc 1 "$VNETSIM" diff cap.json nocap.json --at $at -o json
	sed 1,3d out >mem.json
	[ $at = end ] || grep -q '"from": true' mem.json || fail "no group without Route Server at $at"
	diff -u mem.json db.json || fail "diff --db differs from the diff in memory at $at"
done
[ "$(sql c.db "SELECT count(*) FROM nics n JOIN checkpoints c ON c.id = n.checkpoint_id WHERE c.label = 'end' AND n.unprogrammed")" -eq 0 ] ||
	fail "scale-out is done by end: no NIC should lack Route Server routes"
expect_rc 1 "$VNETSIM" diff --db c.db 1 2 --at baseline -o table
grep -q '^subnet spoke1/db, without Route Server routes in from: 6 NICs' out || fail "$(cat out)"
echo ok
