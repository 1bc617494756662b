"""The phone page of the day's visits (issue 14, R8) through the real
server: ``/kam/visits`` for logged-in internal users, Odoo's session and
CSRF checks on every POST, a visit of another team's account "not found"
whatever id is typed, check-in and check-out with and without a position,
photos, the report and Submit; the page is light (no web client).

Visits made here are cancelled and deleted at the end, with their photos:
the database is left as found.
"""
import base64
import re
from datetime import date, timedelta

import pytest
import requests

M1, M2, S, R = "kam_manager_1", "kam_manager_2", "kam_support", \
    "kam_regional"
METRO = "kam_management.partner_kam_shanghai_metro"   # kam_manager_1's
WUXI = "kam_management.partner_kam_wuxi_semicon"      # kam_manager_2's
METRO_LAT, METRO_LON = 31.2095, 121.4445
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB"
    "0C8AAAAASUVORK5CYII=")
YESTERDAY = (date.today() - timedelta(days=1)).strftime("%Y-%m-%d 09:00:00")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WEB_CSRF = re.compile(r'csrf_token: "([^"]+)"')


def session(server, login):
    """A browser's session of ``login`` (password = login)."""
    s = requests.Session()
    answer = s.post(server.url + "/web/session/authenticate", json={
        "jsonrpc": "2.0", "method": "call",
        "params": {"db": server.db, "login": login, "password": login}},
        timeout=60)
    assert answer.json()["result"]["uid"], answer.text
    return s


class Page(object):
    """The visits this module makes, removed at the end."""

    def __init__(self, server):
        self.server = server
        self.visits = []
        self.sessions = {}

    def admin(self, model, method, *args, **kwargs):
        return self.server.call("admin", model, method, *args, **kwargs)

    def as_(self, login):
        if login not in self.sessions:
            self.sessions[login] = session(self.server, login)
        return self.sessions[login]

    def get(self, login, path):
        return self.as_(login).get(self.server.url + path, timeout=60,
                                   allow_redirects=False)

    def post(self, login, path, data=None, files=None, token=True):
        data = dict(data or {})
        if token:
            found = CSRF.search(self.get(login, "/kam/visits").text)
            if not found:
                # nothing to plan on the page (support staff): the web
                # client's token of the same session
                found = WEB_CSRF.search(self.get(login, "/web").text)
            data["csrf_token"] = found.group(1)
        return self.as_(login).post(self.server.url + path, data=data,
                                    files=files, timeout=60,
                                    allow_redirects=False)

    def plan(self, login=M1, account=METRO):
        vid = self.server.call(login, "kam.visit", "create", {
            "partner_id": self.server.ref(account),
            "purpose": "Page test %d" % len(self.visits),
            "visit_date": YESTERDAY})
        self.visits.append(vid)
        return vid

    def visit(self, vid, fields=("state", "check_in_at", "check_in_flag",
                                 "check_in_distance_m", "check_out_at",
                                 "photo_ids", "report_summary")):
        return self.admin("kam.visit", "read", [vid], list(fields))[0]

    def cleanup(self):
        visits = self.admin("kam.visit", "search", [
            ("id", "in", self.visits)])
        photos = self.admin("ir.attachment", "search", [
            ("res_model", "=", "kam.visit"), ("res_id", "in", visits)])
        self.admin("ir.attachment", "unlink", photos)
        # done and submitted visits cannot be deleted: cancel them first
        # (the superuser moves any state)
        self.admin("kam.visit", "write", visits, {"state": "cancelled"})
        self.admin("kam.visit", "unlink", visits)


@pytest.fixture(scope="module")
def page(server):
    p = Page(server)
    try:
        yield p
    finally:
        p.cleanup()


def test_login_required(server):
    answer = requests.get(server.url + "/kam/visits", timeout=60,
                          allow_redirects=False)
    assert answer.status_code in (302, 303)
    assert "/web/login" in answer.headers["Location"]


def test_list_is_light_and_shows_my_visits(page):
    vid = page.plan()
    answer = page.get(M1, "/kam/visits")
    assert answer.status_code == 200
    html = answer.text
    assert "Page test" in html and "/kam/visits/%d" % vid in html
    # the account's address and the plan form with my accounts
    assert "衡山路" in html
    assert 'name="partner_id"' in html
    # no web client: no asset bundle, a page of a few kilobytes
    assert "web.assets" not in html and "/web/content/" not in html
    assert len(answer.content) < 40000
    # another KAM does not see it
    assert "/kam/visits/%d\"" % vid not in page.get(M2, "/kam/visits").text


def test_post_needs_the_csrf_token(page):
    vid = page.plan()
    answer = page.post(M1, "/kam/visits/%d/check_in" % vid, {
        "latitude": METRO_LAT, "longitude": METRO_LON}, token=False)
    assert answer.status_code == 400
    assert not page.visit(vid)["check_in_at"]


def test_check_in_photo_out_report_submit(page):
    vid = page.plan()
    answer = page.post(M1, "/kam/visits/%d/check_in" % vid, {
        "latitude": METRO_LAT, "longitude": METRO_LON, "accuracy": "12"})
    assert answer.status_code in (302, 303), answer.text[-2000:]
    row = page.visit(vid)
    assert row["check_in_at"] and row["check_in_distance_m"] == 0
    assert not row["check_in_flag"]
    # twice: refused, said on the page, nothing changed
    again = page.post(M1, "/kam/visits/%d/check_in" % vid, {
        "latitude": METRO_LAT, "longitude": METRO_LON, "accuracy": "12"})
    assert again.status_code == 400
    assert "was checked in already" in again.text
    assert page.visit(vid)["check_in_at"] == row["check_in_at"]
    # a photo from the camera; a text file is refused
    answer = page.post(M1, "/kam/visits/%d/photo" % vid,
                       files={"photos": ("door.png", PNG, "image/png")})
    assert answer.status_code in (302, 303), answer.text[-2000:]
    assert len(page.visit(vid)["photo_ids"]) == 1
    bad = page.post(M1, "/kam/visits/%d/photo" % vid,
                    files={"photos": ("notes.png", b"hello", "image/png")})
    assert bad.status_code == 400 and "is not a photo" in bad.text
    assert len(page.visit(vid)["photo_ids"]) == 1
    # the visit page shows the thumbnail
    html = page.get(M1, "/kam/visits/%d" % vid).text
    assert "/web/image/%d/160x160" % page.visit(vid)["photo_ids"][0] in html
    # out, report, submit
    answer = page.post(M1, "/kam/visits/%d/check_out" % vid, {
        "latitude": METRO_LAT, "longitude": METRO_LON, "accuracy": "9"})
    assert answer.status_code in (302, 303)
    assert page.visit(vid)["state"] == "done"
    answer = page.post(M1, "/kam/visits/%d/report" % vid, {
        "report_summary": "Met the facility manager.",
        "report_customer_needs": "Faster repairs.",
        "report_competitor_info": "None.",
        "report_next_steps": "Quote next week.", "submit": "1"})
    assert answer.status_code in (302, 303), answer.text[-2000:]
    row = page.visit(vid)
    assert (row["state"], row["report_summary"]) == (
        "submitted", "Met the facility manager.")


def test_check_in_without_a_position_is_flagged(page):
    vid = page.plan()
    answer = page.post(M1, "/kam/visits/%d/check_in" % vid, {
        "latitude": "", "longitude": "", "accuracy": ""})
    assert answer.status_code in (302, 303)
    row = page.visit(vid)
    assert row["check_in_at"] and row["check_in_flag"] == "no_position"


def test_bad_position_is_refused(page):
    vid = page.plan()
    answer = page.post(M1, "/kam/visits/%d/check_in" % vid, {
        "latitude": "91", "longitude": "121", "accuracy": "5"})
    assert answer.status_code == 400
    assert "Check-in Latitude: 91 is not a latitude" in answer.text
    assert not page.visit(vid)["check_in_at"]


def test_only_the_visitor_checks_in(page):
    vid = page.plan()
    # the supervisor sees the visit, and cannot check in for the KAM
    assert page.get(R, "/kam/visits/%d" % vid).status_code == 200
    answer = page.post(R, "/kam/visits/%d/check_in" % vid, {
        "latitude": METRO_LAT, "longitude": METRO_LON})
    assert answer.status_code == 400 and "only the visitor" in answer.text
    assert not page.visit(vid)["check_in_at"]


@pytest.mark.parametrize("login", [M2, S])
def test_another_teams_visit_is_not_found(page, login):
    """kam_support is on the Shanghai Metro team, not on kam_manager_2's
    Wuxi account; kam_manager_2 has nothing to do with Shanghai Metro."""
    vid = page.plan(M2, WUXI) if login == S else page.plan(M1, METRO)
    assert page.get(login, "/kam/visits/%d" % vid).status_code == 404
    answer = page.post(login, "/kam/visits/%d/check_in" % vid, {
        "latitude": METRO_LAT, "longitude": METRO_LON})
    assert answer.status_code == 404
    assert page.get(login, "/kam/visits/999999999").status_code == 404
    assert not page.visit(vid)["check_in_at"]


def test_plan_a_visit(page):
    answer = page.post(M1, "/kam/visits/plan", {
        "partner_id": page.server.ref(METRO),
        "visit_date": date.today().strftime("%Y-%m-%dT16:30"),
        "purpose": "Page test planned on the phone"})
    assert answer.status_code in (302, 303), answer.text[-2000:]
    vid = int(answer.headers["Location"].rstrip("/").split("/")[-1])
    page.visits.append(vid)
    row = page.admin("kam.visit", "read", [vid], ["user_id", "partner_id",
                                                  "state"])[0]
    assert row["user_id"][0] == page.server.uid(M1)
    assert row["partner_id"][0] == page.server.ref(METRO)
    # not to another KAM's account
    answer = page.post(M1, "/kam/visits/plan", {
        "partner_id": page.server.ref(WUXI),
        "visit_date": date.today().strftime("%Y-%m-%dT16:30"),
        "purpose": "Page test on someone else's account"})
    assert answer.status_code == 400
    assert not page.admin("kam.visit", "search", [
        ("purpose", "=", "Page test on someone else's account")])
    # a date that is not one
    answer = page.post(M1, "/kam/visits/plan", {
        "partner_id": page.server.ref(METRO), "visit_date": "tomorrow",
        "purpose": "Page test bad date"})
    assert answer.status_code == 400 and "Visit Date" in answer.text


def test_zh_cn_user_gets_chinese(page):
    uid = page.server.uid(M2)
    before = page.admin("res.users", "read", [uid], ["lang"])[0]["lang"]
    page.admin("res.users", "write", [uid], {"lang": "zh_CN"})
    try:
        vid = page.plan(M2, WUXI)
        s = session(page.server, M2)
        html = s.get(page.server.url + "/kam/visits/%d" % vid,
                     timeout=60).text
        assert 'lang="zh-CN"' in html
        assert "计划中" in html   # the visit's state, Planned
        # the page's own words, from the shipped zh_CN
        assert "签到" in html and ">Check in<" not in html
    finally:
        page.admin("res.users", "write", [uid], {"lang": before})
