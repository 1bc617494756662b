"""The role cockpits in a real browser (issue 15).

kam_manager_1 (我的工作台), kam_regional (区域驾驶舱) and kam_director
(总监驾驶舱), each with Chinese preferences, open *Key Accounts ▸
Dashboard*: the cockpit shows its tiles, its gauges and its charts drawn as
SVG (lines, bars, gauge arcs), every figure with a tooltip; a click on a
tile lands on the list of the records behind it, as many as the tile
says. The screens are saved for the README (docs/dashboard_*.png)."""
import json
import os
import subprocess

import pytest

from conftest import ROOT

BROWSER_PY = os.path.join(ROOT, ".venv-browser", "bin", "python")
SCRIPT = os.path.join(ROOT, "tests", "browser", "dashboard.py")
DOCS = os.path.join(ROOT, "docs")
TITLES = {"kam": "我的工作台", "regional": "区域驾驶舱",
          "director": "总监驾驶舱"}
ROLES = {
    # login: (role, screenshot, charts the cockpit draws)
    "kam_manager_1": ("kam", "dashboard_kam.png", {"sales_12m"}),
    "kam_regional": ("regional", "dashboard_regional.png",
                     {"sales_12m", "compliance_12m", "level_funnel",
                      "level_moves"}),
    "kam_director": ("director", "dashboard_director.png",
                     {"sales_12m", "compliance_12m", "churn_12m",
                      "satisfaction_12m", "level_funnel"}),
}


@pytest.mark.parametrize("login", sorted(ROLES))
def test_cockpit_in_chinese(server, login):
    role, shot, charts = ROLES[login]
    data = server.call(login, "kam.dashboard", "kam_dashboard_data")
    assert data["role"] == role
    # a tile counting records, with some to list
    tile = [t for t in data["tiles"]
            if t["value"] and "count" not in t][0]
    uid = server.ref("kam_management.user_%s" % login)
    lang = server.call("admin", "res.users", "read", [uid],
                       ["lang"])[0]["lang"]
    server.call("admin", "res.users", "write", [uid], {"lang": "zh_CN"})
    try:
        out = subprocess.run(
            [BROWSER_PY, SCRIPT, server.url, login, login,
             str(server.ref("kam_management.action_kam_dashboard")),
             tile["key"],
             os.path.join(DOCS, shot)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600,
            universal_newlines=True)
    finally:
        server.call("admin", "res.users", "write", [uid], {"lang": lang})
    assert out.returncode == 0, out.stderr[-3000:]
    shown = json.loads(out.stdout.strip().splitlines()[-1])
    assert not shown["errors"]
    # in the shipped zh_CN translation: the title and the tile's label
    assert shown["title"] == TITLES[role]
    labels = {t["key"]: t["label"] for t in server.call(
        login, "kam.dashboard", "kam_dashboard_data",
        context={"lang": "zh_CN"})["tiles"]}
    assert labels[tile["key"]] != tile["label"]
    if "level_funnel" in charts:
        # the data's own names too (relationship levels)
        assert any(text.startswith("卖主关系")
                   for text in shown["funnel_texts"]), shown["funnel_texts"]
    assert set(shown["chart_keys"]) == charts
    assert shown["charts"] == len(charts)
    # every line chart draws its lines, the gauges their arcs, bar charts
    # their bars
    lines = sum(1 for c in data["charts"] if c["type"] == "line"
                for serie in c["series"]
                if any(p["y"] is not False for p in serie["values"]))
    assert shown["lines"] >= lines
    assert shown["gauges"] == 2
    if any(c["type"] in ("bar", "funnel") for c in data["charts"]):
        assert shown["bars"] > 0
    assert shown["tiles"] == len(data["tiles"])
    assert shown["tooltips"] == 0
    # the tile opens the list of its records, as many as it shows
    assert shown["tile_value"] == str(tile["value"])
    assert shown["rows"] == min(tile["value"], 80)
    if shown["pager_total"] is not None:
        assert shown["pager_total"] == str(tile["value"])
    assert shown["breadcrumb"][-1] == labels[tile["key"]]
