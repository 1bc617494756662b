# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Relationship-level requests on the key account (R11, issue 12).

A change of an account's level needs a second person: its key account
manager asks (``action_kam_request_level``, the "Request Level Change"
button, or a drag of the card on the key-account kanban), and the regional
manager of its region or a sales director decides
(``kam.relationship.level.request``). The regional manager of the region
(unless they are also the account's KAM) and sales directors change the
level directly; ``_kam_check_level_access`` refuses everyone else,
whatever the path (form, kanban, import, RPC), from ``res.partner.write``.
"""
from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .res_partner import KAM_GROUPS


class ResPartner(models.Model):
    _inherit = "res.partner"

    kam_level_request_ids = fields.One2many(
        "kam.relationship.level.request", "partner_id",
        string="Level Requests", groups=KAM_GROUPS)
    kam_level_request_count = fields.Integer(
        string="Pending Level Requests",
        compute="_compute_kam_level_request_count", groups=KAM_GROUPS)
    kam_level_direct = fields.Boolean(
        string="Changes Level Directly", compute="_compute_kam_level_direct",
        groups=KAM_GROUPS,
        help="Whether you change this account's relationship level yourself "
             "(its regional manager, a sales director) or ask for the change "
             "(its key account manager).")

    def _compute_kam_level_request_count(self):
        data = self.env["kam.relationship.level.request"].read_group(
            [("partner_id", "in", self.ids), ("state", "=", "pending")],
            ["partner_id"], ["partner_id"])
        counts = {d["partner_id"][0]: d["partner_id_count"] for d in data}
        for partner in self:
            partner.kam_level_request_count = counts.get(partner.id, 0)

    def _compute_kam_level_direct(self):
        privileged = self._kam_is_privileged()
        for partner in self:
            partner.kam_level_direct = privileged or \
                partner._kam_may_change_level()

    def _kam_may_change_level(self):
        """Whether the current user changes the level of this account
        directly, the sales directors apart (checked before): on a key
        account, its region's manager when they are not its KAM; an
        ordinary partner's level is free until it is promoted (the
        promotion is checked on its own)."""
        self.ensure_one()
        user = self.env.user
        account = self.sudo()  # sudo: read the owner fields
        return not account.kam_is_key_account or (
            account.kam_region_id.manager_id == user
            and account.kam_manager_id != user)

    def _kam_check_level_access(self, level_id):
        """Before a write of the level by anyone but a sales director: a
        key account's new level needs its regional manager; its KAM asks
        for the change instead (a level written again unchanged passes)."""
        # a value of the wrong type is told as such, whoever writes it
        self._kam_input_check({"kam_relationship_level_id": level_id},
                              creating=False)
        for partner in self:
            account = partner.sudo()  # sudo: read the current level
            if not level_id or not account.kam_is_key_account or \
                    account.kam_relationship_level_id.id == level_id or \
                    partner._kam_may_change_level():
                continue
            raise AccessError(_(
                "Relationship Level: you cannot change the level of %s "
                "yourself; a change of level needs a second person. Use "
                "\"Request Level Change\" on the account (or drag its card "
                "on the key-account kanban): its regional manager or a sales "
                "director decides.") % account.display_name)

    def _kam_level_request_of_context(self):
        """The approved request being carried out by its approver
        (``kam_level_request_id`` in the context, set by
        ``kam.relationship.level.request.action_approve``), or an empty
        recordset. The id alone is no proof (an RPC caller chooses its
        context): the request must be approved by the current user and
        not yet in the history."""
        Request = self.env["kam.relationship.level.request"]
        request_id = self.env.context.get("kam_level_request_id")
        if not request_id or isinstance(request_id, bool) or \
                not isinstance(request_id, int):
            return Request.browse()
        # sudo: checked below, whoever may read it
        request = Request.sudo().browse(request_id).exists()
        if request.state != "approved" or \
                request.decided_by_id.id != self.env.uid or \
                request.history_ids:
            return Request.browse()
        return request

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.multi
    def action_kam_request_level(self, level_id, reason):
        """Ask to move this key account to the relationship level
        ``level_id`` (an id), saying why (``reason``). Public, also over
        XML-RPC: ``execute_kw(db, uid, pw, 'res.partner',
        'action_kam_request_level', [[partner_id], level_id, reason])``.
        Returns the new ``kam.relationship.level.request``'s id; its
        regional manager (or a sales director) gets an activity to decide
        it. Refused, with nothing written, for anyone but the account's
        KAM, its regional manager or a sales director, without a reason,
        to the current level, or while another request of the account is
        pending."""
        self.ensure_one()
        self._kam_check_readable()
        request = self.env["kam.relationship.level.request"].create({
            "partner_id": self.id,
            "new_level_id": level_id,
            "reason": reason,
        })
        return request.id

    @api.multi
    def action_kam_view_level_requests(self):
        return self._kam_open_related(
            "kam_management.kam_relationship_level_request_action")
