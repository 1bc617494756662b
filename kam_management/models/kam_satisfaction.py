# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Satisfaction scores of key accounts (R4).

A KAM is judged on the satisfaction of their accounts, so a score never
comes from the account's own KAM:

- ``source = 'customer'``: a contact of the account answered a satisfaction
  request (``kam.satisfaction.request``, Odoo's ``rating`` links). Only that
  path writes such rows: it runs with ``ANSWER_CONTEXT``, a context value no
  RPC caller can send (an object, not a JSON value);
- ``source = 'manual'``: entered by hand by the sales secretary or the
  customer service of the account's support team, and corrected by regional
  managers and sales directors; never by the account's KAM (now or when the
  score was recorded), whatever other group they have.

See ``_kam_check_hand_entry`` for the whole matrix.
"""
from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError

from .kam_company import (check_same_company, check_writer_allowed,
                          with_partner_company)

SOURCES = [("customer", "Customer"), ("manual", "Manual")]
# The key of the answer path's context, and its value: an object, which
# XML-RPC and JSON-RPC cannot carry, so no caller can claim to be the path.
ANSWER_KEY = "kam_satisfaction_answer"
ANSWER_CONTEXT = object()
# Fields whose change is a change of the score (the chatter of the row and
# its followers are not).
SCORE_FIELDS = frozenset([
    "partner_id", "date", "score", "survey", "comment", "company_id",
    "source", "entered_by_id", "rating_id", "contact_id", "kam_manager_id",
    "region_id",
])
# Set by the system only: the answer path and the account's owner fields.
SYSTEM_FIELDS = frozenset(["rating_id", "contact_id", "kam_manager_id",
                           "region_id"])


class KamSatisfaction(models.Model):
    """One satisfaction score (1-5) of a key account: a customer's answer
    to a satisfaction request, or a score entered by hand from a survey, an
    interview or a review meeting (R4: customer satisfaction).

    The account's KAM at the time is recorded, so that a later change of
    KAM does not move the score to someone else's scorecard. Every change
    of a score is tracked in its chatter.
    """

    _name = "kam.satisfaction"
    _inherit = ["mail.thread", "kam.input.check"]
    _description = "Key-Account Satisfaction Score"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True, index=True,
        ondelete="restrict", domain=[("kam_is_key_account", "=", True)],
        track_visibility="onchange")
    date = fields.Date(required=True, default=fields.Date.context_today,
                       index=True, track_visibility="onchange")
    score = fields.Integer(
        required=True, group_operator="avg", track_visibility="onchange",
        help="1 (very dissatisfied) to 5 (very satisfied).")
    survey = fields.Char(string="Survey / Source")
    comment = fields.Text()
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True, index=True,
        help="The account's KAM when the score was recorded.")
    region_id = fields.Many2one("kam.region", string="Region", readonly=True)
    company_id = fields.Many2one(
        "res.company", string="Company", required=True,
        default=lambda self: self.env.user.company_id)
    source = fields.Selection(
        SOURCES, required=True, default="manual", readonly=True, index=True,
        help="Customer: a contact of the account answered a satisfaction "
             "request. Manual: entered by the sales secretary or customer "
             "service.")
    entered_by_id = fields.Many2one(
        "res.users", string="Entered By", readonly=True, index=True,
        ondelete="set null", default=lambda self: self.env.user,
        help="Who entered the score by hand (empty for a customer's "
             "answer).")
    rating_id = fields.Many2one(
        "rating.rating", string="Customer Rating", readonly=True,
        ondelete="set null", copy=False,
        help="The customer's answer this score comes from.")
    contact_id = fields.Many2one(
        "res.partner", string="Answered By", readonly=True,
        ondelete="set null",
        help="The contact of the account who answered.")

    _sql_constraints = [
        ("rating_unique", "unique(rating_id)",
         "A customer's answer makes one satisfaction score."),
    ]

    @api.model_cr_context
    def _auto_init(self):
        """Scores entered before the source was recorded were all entered
        by hand, by whoever created them: when the column is added, it
        takes their creator (not the default, the upgrading user)."""
        new = not tools.column_exists(self.env.cr, self._table,
                                      "entered_by_id")
        res = super(KamSatisfaction, self)._auto_init()
        if new:
            self.env.cr.execute(
                "UPDATE kam_satisfaction SET entered_by_id = create_uid "
                "WHERE source = 'manual'")
        return res

    @api.constrains("score")
    def _check_score(self):
        for row in self:
            if not 1 <= row.score <= 5:
                raise ValidationError(_(
                    "Score: %s is not a satisfaction score; use 1 (very "
                    "dissatisfied) to 5 (very satisfied).") % row.score)

    @api.constrains("partner_id", "company_id")
    def _check_company(self):
        for row in self:
            check_writer_allowed(row, "partner_id")
            check_same_company(row, "partner_id")

    @api.constrains("partner_id")
    def _check_partner_id(self):
        for row in self.sudo():  # sudo: the row may not be readable yet
            partner = row.partner_id
            if not partner.kam_is_key_account:
                raise ValidationError(_(
                    "Key Account: %s is not a key account.")
                    % partner.display_name)

    def _kam_owner_vals(self, partner_id):
        partner = self.env["res.partner"].sudo().browse(  # sudo: owner fields
            partner_id)
        return {"kam_manager_id": partner.kam_manager_id.id,
                "region_id": partner.kam_region_id.id}

    # ------------------------------------------------------------------
    # Who may enter, correct and delete scores by hand
    # ------------------------------------------------------------------
    def _kam_is_answer(self):
        """Whether this is the customer's answer path (never an RPC
        call: see ANSWER_CONTEXT)."""
        return self.env.context.get(ANSWER_KEY) is ANSWER_CONTEXT

    def _kam_check_manual_vals(self, vals, creating):
        """The source, the answer and the owner fields are the system's:
        a score entered by hand is Manual, entered by its writer."""
        if vals.get("source", "manual") != "manual" \
                or (vals.get("rating_id") or vals.get("contact_id")):
            raise AccessError(_(
                "Source: only a customer's own answer to a satisfaction "
                "request is recorded as Customer; a score entered by hand "
                "is Manual."))
        if self.env.uid == SUPERUSER_ID:
            return
        if not creating and set(vals) & (SYSTEM_FIELDS | {"entered_by_id"}):
            raise AccessError(_(
                "Entered By, Key Account Manager and Region of a "
                "satisfaction score are recorded by the system; they cannot "
                "be changed by hand."))
        if creating and vals.get("entered_by_id", self.env.uid) \
                != self.env.uid:
            raise AccessError(_(
                "Entered By: a score entered by hand records who entered "
                "it; you cannot enter it in someone else's name."))

    def _kam_check_hand_entry(self, partners, operation):
        """Who may enter (create), correct (write) and delete (unlink)
        scores by hand, on the key accounts ``partners`` (and the rows
        ``self``):

        - never the account's KAM, now or when the score was recorded,
          whatever other group they have (R4: they are judged on it);
        - enter: the sales secretary, and support staff who are active
          customer-service members of the account's support team;
        - correct: the same, and regional managers and sales directors;
        - delete: regional managers and sales directors.

        Access rights and record rules say which accounts each role sees;
        the superuser (scheduled actions, data files) is not checked."""
        if self.env.uid == SUPERUSER_ID:
            return
        user = self.env.user
        # sudo: the owners of the accounts and rows, as stored
        own = partners.sudo().filtered(lambda p: p.kam_manager_id == user)
        own |= self.sudo().filtered(  # sudo: see above
            lambda r: r.kam_manager_id == user).mapped("partner_id")
        if own:
            raise AccessError(_(
                "Satisfaction of %s: you are its key account manager, who is "
                "judged on it (R4). Its scores come only from the customer, "
                "or by hand from the sales secretary or customer "
                "service.") % own[0].display_name)
        managers = user.has_group("kam_management.group_kam_regional_manager")
        if operation == "unlink":
            if not managers:
                raise AccessError(_(
                    "Only regional managers and sales directors delete "
                    "satisfaction scores."))
            return
        if (operation == "write" and managers) or user.has_group(
                "kam_management.group_kam_secretary"):
            return
        if not user.has_group("kam_management.group_kam_user"):
            # sudo: the support teams of accounts the user may not read
            members = self.env["kam.support.team.member"].sudo().search([
                ("team_id.partner_id", "in", partners.ids),
                ("user_id", "=", user.id), ("role", "=", "customer_service"),
                ("is_active", "=", True)])
            missing = partners.sudo() - members.mapped(  # sudo: names
                "team_id.partner_id")
            if not missing:
                return
        raise AccessError(_(
            "Only the sales secretary and the customer service of the "
            "account's support team enter satisfaction scores by hand; "
            "regional managers and sales directors may correct them."))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model
    def create(self, vals):
        # wrong types are told before the account is read below
        self._kam_input_check(vals, creating=False)
        answer = self._kam_is_answer()
        if not answer:
            self._kam_check_manual_vals(vals, creating=True)
        # scores only for accounts of the user's companies, which they see
        partner = self.env["res.partner"].browse(
            vals.get("partner_id")).exists()
        check_writer_allowed(self, "partner_id", partner)
        partner.check_access_rule("read")
        if not answer:
            self.check_access_rights("create")
            self._kam_check_hand_entry(partner, "create")
            vals = dict(vals, source="manual")
            if self.env.uid != SUPERUSER_ID:
                vals["entered_by_id"] = self.env.uid
        vals = dict(vals, **self._kam_owner_vals(vals.get("partner_id")))
        vals = with_partner_company(self.env, vals)
        return super(KamSatisfaction, self).create(vals)

    @api.multi
    def write(self, vals):
        self._kam_input_check(vals, creating=False)
        if set(vals) & SCORE_FIELDS and not self._kam_is_answer():
            self._kam_check_manual_vals(vals, creating=False)
            if self.env.uid != SUPERUSER_ID:
                self.check_access_rights("write")
                self.check_access_rule("write")
            # sudo: the source as stored
            answers = self.sudo().filtered(lambda r: r.source == "customer")
            if answers:
                raise AccessError(_(
                    "Satisfaction of %s on %s is the customer's own answer: "
                    "it cannot be changed by hand (a regional manager or a "
                    "sales director may delete it).") % (
                        answers[0].partner_id.display_name, answers[0].date))
            partners = self.sudo().mapped("partner_id")  # sudo: owners
            if vals.get("partner_id"):
                partners |= partners.browse(vals["partner_id"])
            self._kam_check_hand_entry(partners, "write")
        if vals.get("partner_id"):
            vals = dict(vals, **self._kam_owner_vals(vals["partner_id"]))
            vals = with_partner_company(self.env, vals)
        res = super(KamSatisfaction, self).write(vals)
        if vals.get("partner_id"):
            for row in self:
                row.partner_id.sudo(self.env.uid).check_access_rule("read")
        return res

    @api.multi
    def unlink(self):
        if self.env.uid != SUPERUSER_ID:
            self.check_access_rights("unlink")
            self.check_access_rule("unlink")
        self._kam_check_hand_entry(
            self.sudo().mapped("partner_id"), "unlink")  # sudo: owners
        # a deleted answer closes its request: its link counts no more
        self.env["kam.satisfaction.request"].sudo().search([  # sudo: system
            ("satisfaction_id", "in", self.ids)])._kam_close()
        return super(KamSatisfaction, self).unlink()
