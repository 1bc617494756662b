"""Satisfaction from the customer (issue 12, R4) through the real server:
the e-mailed link ``/rating/<token>/<score>`` answers with one click and no
login, the page takes a comment, a second click updates the score; over
XML-RPC nobody records a customer's answer without the token, nor claims one
by hand, and the account's KAM enters nothing.

A recipient contact of a demo account is made for the module and removed at
the end (with its request, rating, score and queued e-mail): the database is
left as found.
"""
import re
import xmlrpc.client

import pytest
import requests

REQUEST = "kam.satisfaction.request"
MALL = "kam_management.partner_kam_hangzhou_mall"   # kam_manager_1's


class Asked(object):
    """A contact of the Hangzhou mall asked by the scheduled action."""

    def __init__(self, server):
        self.server = server
        self.account = server.ref(MALL)
        self.contact = self.admin("res.partner", "create", {
            "name": "HTTP Test Buyer", "parent_id": self.account,
            "email": "http.buyer@example.com", "lang": "en_US",
            "kam_satisfaction_recipient": True})
        # Run Manually, as an administrator would
        self.admin("ir.cron", "method_direct_trigger", [server.ref(
            "kam_management.ir_cron_satisfaction_request")])
        self.request = self.admin(REQUEST, "search", [
            ("contact_id", "=", self.contact)])
        assert len(self.request) == 1
        # the ratings of requests are the system's: the administrator (the
        # superuser in Odoo 11) reads them
        rating = self.admin("rating.rating", "search_read", [
            ("res_model", "=", REQUEST),
            ("res_id", "=", self.request[0])],
            fields=["access_token"])
        self.rating = rating[0]["id"]
        self.token = rating[0]["access_token"]

    def admin(self, model, method, *args, **kwargs):
        return self.server.call("admin", model, method, *args, **kwargs)

    def scores(self):
        return self.admin("kam.satisfaction", "search_read", [
            ("partner_id", "=", self.account),
            ("rating_id", "=", self.rating)],
            fields=["score", "source", "comment", "contact_id",
                    "entered_by_id"])

    def cleanup(self):
        self.admin("kam.satisfaction", "unlink", self.admin(
            "kam.satisfaction", "search", [("contact_id", "=", self.contact)]))
        mails = self.admin("mail.mail", "search", [
            ("model", "=", REQUEST), ("res_id", "in", self.request)])
        self.admin("mail.mail", "unlink", mails)
        self.admin(REQUEST, "unlink", self.request)
        self.admin("res.partner", "unlink", [self.contact])


@pytest.fixture(scope="module")
def asked(server):
    a = Asked(server)
    try:
        yield a
    finally:
        a.cleanup()


def get(server, path, session=None):
    return (session or requests).get(server.url + path, timeout=60)


def test_mail_is_queued_with_the_links(server, asked):
    mails = asked.admin("mail.mail", "search_read", [
        ("model", "=", REQUEST), ("res_id", "in", asked.request)],
        fields=["state", "body_html", "recipient_ids"])
    assert len(mails) == 1
    assert mails[0]["state"] == "outgoing"
    assert mails[0]["recipient_ids"] == [asked.contact]
    for score in range(1, 6):
        assert "/rating/%s/%d" % (asked.token, score) in mails[0]["body_html"]


def test_one_click_answers_and_a_comment_follows(server, asked):
    session = requests.Session()
    page = get(server, "/rating/%s/4" % asked.token, session)
    assert page.status_code == 200, page.text[-2000:]
    assert "Thank you for your answer" in page.text
    assert re.search(r"4 / 5,\s*satisfied", page.text)
    rows = asked.scores()
    assert len(rows) == 1
    assert (rows[0]["score"], rows[0]["source"]) == (4, "customer")
    assert rows[0]["contact_id"][0] == asked.contact
    assert not rows[0]["entered_by_id"]
    # the comment, posted from the page (Odoo's CSRF token of the session)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    done = session.post(
        server.url + "/rating/%s/4/submit_feedback" % asked.token,
        data={"csrf_token": csrf, "feedback": "Quick and friendly."},
        timeout=60)
    assert done.status_code == 200, done.text[-2000:]
    assert "We have received your comment" in done.text
    # a second click changes the score of the same row
    again = get(server, "/rating/%s/2" % asked.token)
    assert again.status_code == 200
    rows = asked.scores()
    assert len(rows) == 1
    assert (rows[0]["score"], rows[0]["comment"]) == (
        2, "Quick and friendly.")
    state = asked.admin(REQUEST, "read", asked.request, ["state"])[0]
    assert state["state"] == "answered"
    rating = asked.admin("rating.rating", "read", [asked.rating],
                         ["rating", "consumed", "feedback"])[0]
    assert (rating["rating"], rating["consumed"], rating["feedback"]) == (
        4.0, True, "Quick and friendly.")


def test_a_score_outside_1_to_5_is_told_and_not_recorded(server, asked):
    before = asked.scores()
    page = get(server, "/rating/%s/9" % asked.token)
    assert page.status_code == 200
    assert "Your answer was not recorded" in page.text
    assert "9 is not a satisfaction score" in page.text
    assert asked.scores() == before


def test_an_unknown_link_is_not_found(server, asked):
    assert get(server, "/rating/no-such-token/3").status_code == 404


def test_nobody_answers_without_the_token(server, asked):
    before = asked.scores()
    for login in ("kam_manager_1", "kam_secretary", "kam_director"):
        with pytest.raises(xmlrpc.client.Fault) as info:
            server.call(login, REQUEST, "rating_apply", asked.request, 5,
                        token="guess")
        assert info.value.faultCode in (2, 4), info.value.faultString[-600:]
        assert asked.scores() == before


def test_no_user_reads_the_token(server, asked):
    for login in ("kam_manager_1", "kam_director", "kam_secretary"):
        assert server.call(login, "rating.rating", "search",
                           [("access_token", "=", asked.token)]) == []
        assert server.call(login, "mail.mail", "search",
                           [("model", "=", REQUEST)]) == []
    # the account's KAM does not read its requests at all
    with pytest.raises(xmlrpc.client.Fault) as info:
        server.call("kam_manager_1", REQUEST, "search", [])
    assert info.value.faultCode == 4


def test_by_hand_never_customer_and_never_the_kam(server, asked):
    count = asked.admin("kam.satisfaction", "search_count", [])
    vals = {"partner_id": asked.account, "score": 5}
    for extra, context in (({"source": "customer"}, {}),
                           ({"source": "customer"},
                            {"kam_satisfaction_answer": True}),
                           ({"rating_id": asked.rating}, {})):
        with pytest.raises(xmlrpc.client.Fault) as info:
            server.call("kam_secretary", "kam.satisfaction", "create",
                        dict(vals, **extra), context=context)
        assert info.value.faultCode == 4
        assert "only a customer's own answer" in info.value.faultString
    with pytest.raises(xmlrpc.client.Fault) as info:
        server.call("kam_manager_1", "kam.satisfaction", "create", vals)
    assert info.value.faultCode == 4
    assert "you are its key account manager" in info.value.faultString
    assert asked.admin("kam.satisfaction", "search_count", []) == count
