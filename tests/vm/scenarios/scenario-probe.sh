#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 2: directflipd --probe against a real virtio-gpu with 3 outputs.
set -eu
. "$(dirname "$0")/../harness/lib.sh"

"$DAEMON" --probe --json >"$WORK/probe.json" || fail "directflipd --probe --json exited $?"
$PY - "$WORK/probe.json" <<'PY' || fail "probe before plug is wrong"
import json, sys
doc = json.load(open(sys.argv[1]))
cards = doc["cards"]
assert len(cards) == 1, f"{len(cards)} cards"
card = cards[0]
assert card["driver"] == "virtio_gpu", card.get("driver")
assert card["id_path"], "no udev ID_PATH"
conns = card["connectors"]
names = [c["name"] for c in conns]
assert names == ["Virtual-1", "Virtual-2", "Virtual-3"], names
assert conns[0]["status"] == "connected", conns[0]["status"]
assert conns[0]["modes"], "Virtual-1 has no modes"
crtcs = card["crtcs"]
assert len(crtcs) == 3, f"{len(crtcs)} CRTCs"
crtc_ids = [c["id"] for c in crtcs]
planes = card["planes"]
assert len(planes) == 6, f"{len(planes)} planes"
prim = [p for p in planes if p["type"] == "primary"]
curs = [p for p in planes if p["type"] == "cursor"]
assert len(prim) == 3 and len(curs) == 3, [p["type"] for p in planes]
for p in prim:
    assert "XR24" in p["formats"], p
for p in curs:
    assert "AR24" in p["formats"], p
# Each CRTC has exactly one primary and one cursor that can sit only on it.
for kind in (prim, curs):
    owners = sorted(p["possible_crtcs"][0] for p in kind)
    assert all(len(p["possible_crtcs"]) == 1 for p in kind), kind
    assert owners == sorted(crtc_ids), owners
print("probe ok:", names, "crtcs", crtc_ids)
PY
ok "3 connectors, 3 CRTCs, 3 primary XR24 + 3 cursor AR24 planes"

"$DAEMON" --probe >"$WORK/probe.txt" || fail "directflipd --probe exited $?"
grep -q "Virtual-1 *connected" "$WORK/probe.txt" || fail "table lacks Virtual-1 connected"
grep -q "virtio_gpu" "$WORK/probe.txt" || fail "table lacks the driver"
ok "table rendering"

"$VMCTL" plug 1 1024 768 || fail "vmctl plug 1 1024 768"
"$DAEMON" --probe --json >"$WORK/probe2.json" || fail "probe after plug exited $?"
$PY - "$WORK/probe2.json" <<'PY' || fail "probe after plug is wrong"
import json, sys
card = json.load(open(sys.argv[1]))["cards"][0]
c = {c["name"]: c for c in card["connectors"]}["Virtual-2"]
assert c["status"] == "connected", c["status"]
sizes = [(m["width"], m["height"]) for m in c["modes"]]
assert (1024, 768) in sizes, sizes
print("Virtual-2 connected with", len(sizes), "modes")
PY
ok "Virtual-2 connected with a 1024x768 mode after plug"

w=$($PY -c "import json,sys; m=json.load(open(sys.argv[1]))['cards'][0]['crtcs'][0]['mode']; print(m['width'], m['height'])" "$WORK/probe.json")
"$VMCTL" screendump 0 "$WORK/head0.png" || fail "screendump head 0"
got=$($IMG size "$WORK/head0.png") || fail "head0.png is not an image"
[ "$got" = "$w" ] || fail "head 0 screendump is $got, CRTC 0 mode is $w"
ok "head 0 screendump is a $got image"
echo "PASS probe"
