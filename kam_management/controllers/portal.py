# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The customer's own view of their service (R7): under ``/my``, a contact
of a key account with portal access sees the account's complaints and
requirements, their status, the commitments and targets they are measured
against and the time taken so far.

Everything is read as the logged-in user: their access rights and the
record rules (``security/kam_management_security.xml``, the portal rules)
decide what they see, and the pages list only the records of the user's own
account (their commercial partner). A record that does not exist, is not of
the account or may not be read answers 404 alike, so the pages tell nothing
about other accounts' records.
"""
from odoo import _, http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

COMPLAINT = "kam.complaint"
REQUIREMENT = "kam.requirement"


class KamCustomerPortal(CustomerPortal):

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @staticmethod
    def _kam_account():
        """The key account of the logged-in contact: their commercial
        partner."""
        return request.env.user.partner_id.commercial_partner_id

    def _kam_domain(self):
        return [("partner_id", "=", self._kam_account().id)]

    def _kam_count(self, model):
        """How many records of ``model`` the account has that the user may
        read (0 for a user without the right to read them at all)."""
        Model = request.env[model]
        if not Model.check_access_rights("read", raise_exception=False):
            return 0
        return Model.search_count(self._kam_domain())

    def _kam_record(self, model, record_id):
        """The record ``record_id`` of the user's account, read as the user
        (their rights and record rules apply); empty when it does not
        exist, is another account's or may not be read."""
        Model = request.env[model]
        if not Model.check_access_rights("read", raise_exception=False):
            return Model.browse()
        return Model.search([("id", "=", record_id)] + self._kam_domain())

    def _kam_list(self, model, url, page, sortby, sortings):
        """The records of one list page, with the pager."""
        if sortby not in sortings:
            sortby = "date"
        domain = self._kam_domain()
        Model = request.env[model]
        total = self._kam_count(model)
        pager = portal_pager(url=url, url_args={"sortby": sortby},
                             total=total, page=page,
                             step=self._items_per_page)
        records = Model.search(
            domain, order=sortings[sortby]["order"],
            limit=self._items_per_page, offset=pager["offset"]) \
            if total else Model.browse()
        return records, pager, sortby

    def _prepare_portal_layout_values(self):
        values = super(KamCustomerPortal, self)._prepare_portal_layout_values()
        values.update({
            "kam_complaint_count": self._kam_count(COMPLAINT),
            "kam_requirement_count": self._kam_count(REQUIREMENT),
        })
        return values

    # ------------------------------------------------------------------
    # Complaints
    # ------------------------------------------------------------------
    @http.route(["/my/kam/complaints", "/my/kam/complaints/page/<int:page>"],
                type="http", auth="user", website=True)
    def portal_my_kam_complaints(self, page=1, sortby=None, **kw):
        sortings = {
            "date": {"label": _("Newest"),
                     "order": "date_received desc, id desc"},
            "name": {"label": _("Subject"), "order": "name, id"},
            "state": {"label": _("Status"), "order": "state, id"},
        }
        complaints, pager, sortby = self._kam_list(
            COMPLAINT, "/my/kam/complaints", page, sortby, sortings)
        values = self._prepare_portal_layout_values()
        values.update({
            "complaints": complaints,
            "page_name": "kam_complaint",
            "pager": pager,
            "default_url": "/my/kam/complaints",
            "searchbar_sortings": sortings,
            "sortby": sortby,
        })
        return request.render(
            "kam_management.portal_my_kam_complaints", values)

    @http.route(["/my/kam/complaint/<int:complaint_id>"], type="http",
                auth="user", website=True)
    def portal_my_kam_complaint(self, complaint_id, **kw):
        complaint = self._kam_record(COMPLAINT, complaint_id)
        if not complaint:
            return request.not_found()
        values = self._prepare_portal_layout_values()
        values.update({
            "complaint": complaint,
            "page_name": "kam_complaint",
        })
        return request.render(
            "kam_management.portal_my_kam_complaint", values)

    # ------------------------------------------------------------------
    # Requirements
    # ------------------------------------------------------------------
    @http.route(["/my/kam/requirements",
                 "/my/kam/requirements/page/<int:page>"],
                type="http", auth="user", website=True)
    def portal_my_kam_requirements(self, page=1, sortby=None, **kw):
        sortings = {
            "date": {"label": _("Newest"),
                     "order": "date_received desc, id desc"},
            "name": {"label": _("Requirement"), "order": "name, id"},
            "state": {"label": _("Stage"), "order": "state, id"},
        }
        requirements, pager, sortby = self._kam_list(
            REQUIREMENT, "/my/kam/requirements", page, sortby, sortings)
        values = self._prepare_portal_layout_values()
        values.update({
            "requirements": requirements,
            "page_name": "kam_requirement",
            "pager": pager,
            "default_url": "/my/kam/requirements",
            "searchbar_sortings": sortings,
            "sortby": sortby,
        })
        return request.render(
            "kam_management.portal_my_kam_requirements", values)

    @http.route(["/my/kam/requirement/<int:requirement_id>"], type="http",
                auth="user", website=True)
    def portal_my_kam_requirement(self, requirement_id, **kw):
        requirement = self._kam_record(REQUIREMENT, requirement_id)
        if not requirement:
            return request.not_found()
        values = self._prepare_portal_layout_values()
        values.update({
            "requirement": requirement,
            "stage_logs": requirement.stage_log_ids.sorted(
                lambda log: (log.date_start, log.id)),
            "page_name": "kam_requirement",
        })
        return request.render(
            "kam_management.portal_my_kam_requirement", values)
