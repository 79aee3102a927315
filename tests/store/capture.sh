# capture.sh VNETSIM ROOT: `diff --against` a captured az JSON file
# tolerates field order, extra fields and row order; --ignore-platform-none
# leaves out the platform None rows (a capture with another year's list),
# and nothing else.
. "$(dirname "$0")/common.sh"
expect_rc 0 "$VNETSIM" routes "$SEED" --nic nva1-nic -o json
cp out sim.json
python3 - sim.json <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = doc["value"]
assert any(r["source"] == "Default" and r["nextHopType"] == "None" for r in rows)
def shuffled(rows):
    out = []
    for r in reversed(rows):                       # row order
        d = {k: r[k] for k in reversed(list(r))}   # field order
        d["id"] = "/subscriptions/x/nic/nva1-nic"    # extra fields
        d["etag"] = 'W/"1"'
        out.append(d)
    return out
json.dump({"nextLink": None, "value": shuffled(rows), "extra": 1}, open("capture.json", "w"), indent=2)
# Another year's platform list: drop 172.16.0.0/12, add 127.0.0.0/8.
other = [r for r in rows if not (r["nextHopType"] == "None" and r["addressPrefix"] == ["172.16.0.0/12"])]
other.append({"source": "Default", "state": "Active", "addressPrefix": ["127.0.0.0/8"],
              "nextHopType": "None", "nextHopIpAddress": [], "name": None})
json.dump({"value": shuffled(other)}, open("capture-2024.json", "w"))
# A real difference besides: one route's state.
changed = [dict(r) for r in other]
for r in changed:
    if r["nextHopType"] == "VnetLocal":
        r["state"] = "Invalid"
json.dump({"value": changed}, open("capture-changed.json", "w"))
PY
expect_rc 0 "$VNETSIM" diff "$SEED" --nic nva1-nic --against capture.json -o table
expect_rc 1 "$VNETSIM" diff "$SEED" --nic nva1-nic --against capture-2024.json -o table
grep -q '172.16.0.0/12' out && grep -q '127.0.0.0/8' out || fail "None rows not shown: $(cat out)"
expect_rc 0 "$VNETSIM" diff "$SEED" --nic nva1-nic --against capture-2024.json --ignore-platform-none
expect_rc 1 "$VNETSIM" diff "$SEED" --nic nva1-nic --against capture-changed.json --ignore-platform-none -o table
grep -q 'VnetLocal' out || fail "the real change is not shown: $(cat out)"
grep -q 'None' out && fail "None rows shown despite --ignore-platform-none: $(cat out)"
echo ok
