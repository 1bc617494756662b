# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The phone page of the day's visits (R8, issue 14): ``/kam/visits``.

For logged-in internal users, on Odoo's QWeb with a small stylesheet and
script of its own (no web client, no ``website``): today's and overdue
planned visits of the user, and the done ones whose report is still to
write; planning a visit to one of the user's accounts; per visit, check in
and out (the browser's position), photos from the camera, the four report
sections and Submit. Every POST is checked for Odoo's CSRF token; the
visits are read under the user's record rules, so an id in the URL that
the user may not read is "not found".
"""
import base64
from datetime import datetime, time, timedelta

import pytz
import werkzeug.utils

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, \
    ValidationError
from odoo.http import request

LIST_PAGE = "kam_management.kam_visit_page_list"
VISIT_PAGE = "kam_management.kam_visit_page_visit"
REPORT_FIELDS = ("report_summary", "report_customer_needs",
                 "report_competitor_info", "report_next_steps")
REFUSALS = (AccessError, UserError, ValidationError, MissingError)


class KamVisitPage(http.Controller):

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @staticmethod
    def _kam_internal():
        """Internal users only (not portal users, who also log in)."""
        return request.env.user.has_group("base.group_user")

    @staticmethod
    def _kam_tz():
        return pytz.timezone(request.env.user.tz or "UTC")

    def _kam_day_bounds(self):
        """The start and end of the user's today, in UTC (Odoo's
        strings)."""
        tz = self._kam_tz()
        now = datetime.now(tz)
        start = tz.localize(datetime.combine(now.date(), time(0)))
        end = start + timedelta(days=1)
        to_utc = lambda d: fields.Datetime.to_string(  # noqa: E731
            d.astimezone(pytz.utc).replace(tzinfo=None))
        return to_utc(start), to_utc(end)

    def _kam_local(self, value):
        """An Odoo datetime string in the user's time zone, for display."""
        if not value:
            return ""
        when = pytz.utc.localize(fields.Datetime.from_string(value))
        return when.astimezone(self._kam_tz()).strftime("%Y-%m-%d %H:%M")

    def _kam_visit(self, visit_id):
        """The visit, read under the user's record rules; None when it does
        not exist or the user may not read it."""
        visit = request.env["kam.visit"].browse(visit_id).exists()
        if not visit:
            return None
        try:
            visit.check_access_rights("read")
            visit.check_access_rule("read")
        except AccessError:
            return None
        return visit

    def _kam_render_list(self, error=None, status=200):
        Visit = request.env["kam.visit"]
        uid = request.env.uid
        day_start, day_end = self._kam_day_bounds()
        visits = Visit.search([
            ("user_id", "=", uid), "|",
            "&", ("state", "=", "planned"), ("visit_date", "<", day_end),
            ("state", "=", "done")], order="visit_date, id")
        # the accounts a visit may be planned to: the user's own, as the
        # record rules show them (one query, names only)
        accounts = request.env["res.partner"].search_read(
            [("kam_is_key_account", "=", True),
             "|", ("kam_manager_id", "=", uid),
             ("kam_region_id.manager_id", "=", uid)],
            ["display_name"], order="name")
        values = {
            "visits": visits, "accounts": accounts, "error": error,
            "day_start": day_start, "local": self._kam_local,
            "now_local": datetime.now(self._kam_tz()).strftime(
                "%Y-%m-%dT%H:%M"),
        }
        return request.render(LIST_PAGE, values, status=status)

    def _kam_render_visit(self, visit, error=None, status=200):
        values = {"visit": visit, "error": error, "local": self._kam_local,
                  "is_visitor": visit.user_id == request.env.user,
                  "report_fields": REPORT_FIELDS}
        return request.render(VISIT_PAGE, values, status=status)

    def _kam_do(self, visit_id, call):
        """Run ``call(visit)`` and go back to the visit; a refusal shows
        the visit with the message, nothing stored."""
        if not self._kam_internal():
            return request.not_found()
        visit = self._kam_visit(visit_id)
        if visit is None:
            return request.not_found()
        try:
            with request.env.cr.savepoint():
                call(visit)
        except REFUSALS as exc:
            visit.invalidate_cache()
            return self._kam_render_visit(visit, error=exc.name, status=400)
        return werkzeug.utils.redirect("/kam/visits/%d" % visit.id, 303)

    @staticmethod
    def _kam_position(post):
        return {"latitude": post.get("latitude") or None,
                "longitude": post.get("longitude") or None,
                "accuracy": post.get("accuracy") or None}

    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------
    @http.route("/kam/visits", type="http", auth="user", methods=["GET"])
    def kam_visits(self, **kwargs):
        if not self._kam_internal():
            return request.not_found()
        return self._kam_render_list()

    @http.route("/kam/visits/plan", type="http", auth="user",
                methods=["POST"])
    def kam_visit_plan(self, partner_id=None, visit_date=None, purpose=None,
                       **kwargs):
        if not self._kam_internal():
            return request.not_found()
        try:
            when = datetime.strptime(visit_date or "", "%Y-%m-%dT%H:%M")
            when = fields.Datetime.to_string(self._kam_tz().localize(
                when).astimezone(pytz.utc).replace(tzinfo=None))
        except ValueError:
            # the model names the field and the value
            when = visit_date or False
        try:
            partner = int(partner_id or 0) or False
        except ValueError:
            partner = partner_id
        try:
            with request.env.cr.savepoint():
                visit = request.env["kam.visit"].create({
                    "partner_id": partner, "visit_date": when,
                    "purpose": purpose or False})
        except REFUSALS as exc:
            return self._kam_render_list(error=exc.name, status=400)
        return werkzeug.utils.redirect("/kam/visits/%d" % visit.id, 303)

    @http.route("/kam/visits/<int:visit_id>", type="http", auth="user",
                methods=["GET"])
    def kam_visit(self, visit_id, **kwargs):
        if not self._kam_internal():
            return request.not_found()
        visit = self._kam_visit(visit_id)
        if visit is None:
            return request.not_found()
        return self._kam_render_visit(visit)

    @http.route("/kam/visits/<int:visit_id>/check_in", type="http",
                auth="user", methods=["POST"])
    def kam_visit_check_in(self, visit_id, **post):
        position = self._kam_position(post)
        return self._kam_do(
            visit_id, lambda visit: visit.action_check_in(**position))

    @http.route("/kam/visits/<int:visit_id>/check_out", type="http",
                auth="user", methods=["POST"])
    def kam_visit_check_out(self, visit_id, **post):
        position = self._kam_position(post)
        return self._kam_do(
            visit_id, lambda visit: visit.action_check_out(**position))

    @http.route("/kam/visits/<int:visit_id>/photo", type="http",
                auth="user", methods=["POST"])
    def kam_visit_photo(self, visit_id, **post):
        files = [f for f in request.httprequest.files.getlist("photos")
                 if f.filename]

        def add(visit):
            if not files:
                # nothing chosen: the model's own message for an empty file
                visit.action_add_photo("", "")
            for upload in files:
                visit.action_add_photo(
                    upload.filename, base64.b64encode(upload.read()))
        return self._kam_do(visit_id, add)

    @http.route("/kam/visits/<int:visit_id>/report", type="http",
                auth="user", methods=["POST"])
    def kam_visit_report(self, visit_id, **post):
        vals = {name: post.get(name) or False for name in REPORT_FIELDS}

        def save(visit):
            visit.write(vals)
            if post.get("submit"):
                visit.action_submit()
        return self._kam_do(visit_id, save)
