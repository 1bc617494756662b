"""Field visits from a phone in a real browser (issue 14, R8): Playwright
at a phone's viewport (390x844, is_mobile, touch), with geolocation
granted and set (or not granted).

- kam_manager_1 opens /kam/visits, checks in at the account's position,
  attaches a photo, checks out, writes the report and submits;
  kam_regional reviews it in the back office and sees the distance and the
  photo.
- A check-in 5 km away, under a rule requiring a check-in within 1 km,
  does not make the account compliant; the reviewer sees the flag.
- Geolocation denied: the check-in is stored without a position, and the
  visit is flagged.

Screenshots go to .state/ (the README's copies are in docs/).
"""
import json
import os
import struct
import subprocess
import zlib
from datetime import date, timedelta

import pytest

from conftest import ROOT

BROWSER_PY = os.path.join(ROOT, ".venv-browser", "bin", "python")
SCRIPT = os.path.join(ROOT, "tests", "browser", "field_visit.py")
SHOTS = os.path.join(ROOT, ".state")
METRO = "kam_management.partner_kam_shanghai_metro"   # kam_manager_1's
KAM_RULE = "kam_management.visit_rule_kam_monthly"
LAT, LON = 31.2095, 121.4445
FAR_LAT = LAT + 5000 / 111195.0


def photo_png(width=320, height=240):
    """A PNG "photo" (a sky over a grey building) made here: no image
    library in the test environment."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            if y < height * 0.45 and not 90 < x < 230:
                row += bytes([110 + y // 3, 160 + y // 4, 230])
            elif 90 < x < 230:
                row += bytes([150, 150, 160]) if (x // 20 + y // 20) % 3 \
                    else bytes([250, 220, 120])
            else:
                row += bytes([90, 140, 80])
        rows.append(bytes(row))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                         0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


YESTERDAY = (date.today() - timedelta(days=1)).strftime("%Y-%m-%d 09:00:00")


def run(*args):
    out = subprocess.run(
        [BROWSER_PY, SCRIPT] + [str(a) for a in args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300,
        universal_newlines=True)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def visit(server):
    """A visit of kam_manager_1 to Shanghai Metro planned for yesterday
    (overdue), removed at the end with its photos."""
    made = []

    def plan(purpose):
        vid = server.call("kam_manager_1", "kam.visit", "create", {
            "partner_id": server.ref(METRO), "purpose": purpose,
            "visit_date": YESTERDAY})
        made.append(vid)
        return vid
    os.makedirs(SHOTS, exist_ok=True)
    photo = os.path.join(SHOTS, "field_visit_door.png")
    with open(photo, "wb") as out:
        out.write(photo_png())
    plan.photo = photo
    yield plan
    photos = server.call("admin", "ir.attachment", "search", [
        ("res_model", "=", "kam.visit"), ("res_id", "in", made)])
    server.call("admin", "ir.attachment", "unlink", photos)
    server.call("admin", "kam.visit", "write", made, {"state": "cancelled"})
    server.call("admin", "kam.visit", "unlink", made)


def read(server, vid):
    return server.call("admin", "kam.visit", "read", [vid], [
        "state", "check_in_at", "check_in_distance_m", "check_in_flag",
        "check_in_no_position", "check_out_at", "photo_ids",
        "report_summary"])[0]


def test_kam_checks_in_and_regional_reviews(server, visit):
    vid = visit("Browser: chiller inspection")
    shown = run("phone", server.url, "kam_manager_1", "kam_manager_1",
                "Browser: chiller inspection", LAT, LON, visit.photo,
                os.path.join(SHOTS, "field_visit"))
    assert shown["error"] is None
    assert "0 m from the account" in shown["checked_in"]
    assert shown["flag"] is None and shown["photos"] == 1
    assert shown["checked_out"]
    # fits the phone's width, thumb-sized buttons
    assert shown["width"] <= 390 and shown["width_after"] <= 390
    assert shown["button_height"] >= 44
    row = read(server, vid)
    assert row["state"] == "submitted"
    assert row["check_in_distance_m"] == 0 and not row["check_in_flag"]
    assert len(row["photo_ids"]) == 1
    assert row["report_summary"] == "Met the facility manager at the plant."
    seen = run("review", server.url, "kam_regional", "kam_regional", vid,
               os.path.join(SHOTS, "field_visit_review.png"))
    assert seen["distance"] == "0"
    assert seen["flag"] is None
    assert any("field_visit_door.png" in name for name in seen["photos"]), \
        seen
    assert "openstreetmap.org/?mlat=31.209500&mlon=121.444500" in \
        seen["map"]


def test_far_check_in_does_not_comply(server, visit):
    rule = server.ref(KAM_RULE)
    account = server.ref(METRO)
    server.call("admin", "kam.visit.rule", "write", [rule], {
        "require_check_in": True, "check_in_radius_m": 1000})
    try:
        vid = visit("Browser: far away")
        shown = run("phone", server.url, "kam_manager_1", "kam_manager_1",
                    "Browser: far away", FAR_LAT, LON, visit.photo,
                    os.path.join(SHOTS, "field_visit_far"))
        assert shown["flag"] == "Checked In Far Away"
        row = read(server, vid)
        assert row["state"] == "submitted"
        assert abs(row["check_in_distance_m"] - 5000) < 5
        assert row["check_in_flag"] == "far"
        compliance = server.call("admin", "kam.visit.compliance",
                                 "search_read", [
                                     ("partner_id", "=", account),
                                     ("rule_id", "=", rule)],
                                 fields=["state", "last_visit_date"])
        # no visit of Shanghai Metro was checked in within the radius
        assert compliance[0]["state"] == "overdue", compliance
        assert not compliance[0]["last_visit_date"]
        seen = run("review", server.url, "kam_regional", "kam_regional",
                   vid, os.path.join(SHOTS, "field_visit_far_review.png"))
        assert seen["flag"] == "Checked In Far Away"
        assert seen["distance"].replace(",", "").startswith("500")
    finally:
        server.call("admin", "kam.visit.rule", "write", [rule], {
            "require_check_in": False})


def test_geolocation_denied(server, visit):
    vid = visit("Browser: no position")
    shown = run("phone", server.url, "kam_manager_1", "kam_manager_1",
                "Browser: no position", "denied", "", visit.photo,
                os.path.join(SHOTS, "field_visit_denied"))
    assert "without a position" in shown["checked_in"]
    assert shown["flag"] == "Checked In Without a Position"
    row = read(server, vid)
    assert row["check_in_at"] and row["check_in_no_position"]
    assert row["check_in_flag"] == "no_position"
    assert row["state"] == "submitted"
    seen = run("review", server.url, "kam_regional", "kam_regional", vid,
               os.path.join(SHOTS, "field_visit_denied_review.png"))
    assert seen["flag"] == "Checked In Without a Position"
