# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Satisfaction requests: the customer scores the service (R4).

A scheduled action (``ir_cron_satisfaction_request``, quarterly by default)
asks every contact flagged as a satisfaction recipient
(``res.partner.kam_satisfaction_recipient``) of every key account, by an
e-mail through Odoo's mail queue in the contact's language. The e-mail holds
five links ``/rating/<token>/<score>``, one per score from 1 to 5, made with
Odoo's ``rating`` module (``rating.mixin``, ``rating.rating`` and its secret
``access_token``): one click answers, without a login, and the page it opens
takes an optional comment. The answer becomes a ``kam.satisfaction`` row of
source Customer; answering again with the same link updates that row.

The tokens are the customer's alone: the ratings of requests and the queued
e-mails are hidden from every user by global record rules (only the system
reads them), and the requests, whose chatter would hold the e-mail, are not
readable by the account's KAM.
"""
import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .kam_lock import acquire_run
from .kam_satisfaction import ANSWER_CONTEXT, ANSWER_KEY

_logger = logging.getLogger(__name__)

CRON_XMLID = "kam_management.ir_cron_satisfaction_request"
TEMPLATE_XMLID = "kam_management.mail_template_kam_satisfaction_request"
REQUEST_STATES = [
    ("sent", "Sent"),
    ("answered", "Answered"),
    ("closed", "Closed"),
]
# Odoo's rating.rating holds 0 to 10 (10 = satisfied, 5 = not satisfied,
# 1 = highly dissatisfied); a score of 1 to 5 is stored there doubled, so
# that Odoo's own rating reports read it right (4 and 5 satisfied, 2 and 3
# not satisfied, 1 highly dissatisfied).
RATING_PER_SCORE = 2


class KamSatisfactionRequest(models.Model):
    """One e-mailed request for a satisfaction score: a key account, one of
    its contacts, and the rating (token) the contact answers with."""

    _name = "kam.satisfaction.request"
    _inherit = ["rating.mixin", "kam.input.check"]
    _description = "Key-Account Satisfaction Request"
    _order = "date_sent desc, id desc"
    _rec_name = "partner_id"

    # the addon's clock (Python's), not PostgreSQL's create_date: the
    # period check must hold with the clock faked (README "Dates")
    date_sent = fields.Datetime(
        string="Sent On", default=fields.Datetime.now, readonly=True,
        index=True, copy=False)
    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True, readonly=True,
        index=True, ondelete="cascade")
    contact_id = fields.Many2one(
        "res.partner", string="Contact", required=True, readonly=True,
        index=True, ondelete="cascade",
        help="The contact of the key account who is asked.")
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True,
        help="The account's KAM when the request was sent.")
    region_id = fields.Many2one("kam.region", string="Region", readonly=True)
    company_id = fields.Many2one("res.company", string="Company",
                                 required=True, readonly=True, index=True)
    state = fields.Selection(REQUEST_STATES, required=True, default="sent",
                             readonly=True, index=True)
    date_answered = fields.Datetime(string="Answered On", readonly=True)
    satisfaction_id = fields.Many2one(
        "kam.satisfaction", string="Satisfaction Score", readonly=True,
        ondelete="set null", copy=False)
    score = fields.Integer(related="satisfaction_id.score", readonly=True)

    @api.constrains("partner_id", "contact_id")
    def _check_contact_id(self):
        for request in self.sudo():  # sudo: accounts and contacts as stored
            account, contact = request.partner_id, request.contact_id
            if not account.kam_is_key_account:
                raise ValidationError(_(
                    "Key Account: %s is not a key account.")
                    % account.display_name)
            if contact.commercial_partner_id != account:
                raise ValidationError(_(
                    "Contact: %s is not a contact of %s; only its own "
                    "contacts answer for a key account.") % (
                        contact.display_name, account.display_name))

    @api.model
    def create(self, vals):
        # wrong types are told before the account is read below
        self._kam_input_check(vals, creating=False)
        partner = self.env["res.partner"].sudo().browse(  # sudo: owner fields
            vals.get("partner_id")).exists()
        vals = dict(vals, kam_manager_id=partner.kam_manager_id.id,
                    region_id=partner.kam_region_id.id)
        if not vals.get("company_id"):
            vals["company_id"] = (partner.company_id
                                  or self.env.user.company_id).id
        return super(KamSatisfactionRequest, self).create(vals)

    # ------------------------------------------------------------------
    # Sending (the scheduled action)
    # ------------------------------------------------------------------
    @api.model
    def _kam_request_since(self):
        """The start of the current period: a contact asked since then is
        not asked again. The period is the scheduled action's interval
        (three months unless changed), less up to a day, so that a run
        that starts a little later than the previous one asks again."""
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        number, unit = (cron.interval_number, cron.interval_type) \
            if cron else (3, "months")
        now = fields.Datetime.from_string(fields.Datetime.now())
        start = now - relativedelta(**{unit: max(number, 1)})
        start += min((now - start) / 2, timedelta(days=1))
        return fields.Datetime.to_string(start)

    @api.model
    def _kam_recipients(self):
        """The contacts to ask: flagged, with an e-mail address, of an
        active key account (the account itself when it is flagged)."""
        return self.env["res.partner"].search([
            ("kam_satisfaction_recipient", "=", True),
            ("email", "!=", False),
            ("commercial_partner_id.kam_is_key_account", "=", True),
            ("commercial_partner_id.active", "=", True)])

    @api.model
    def _cron_satisfaction_request(self):
        """Ask every recipient contact of every key account for a score,
        once per period (see ``_kam_request_since``): a second run in the
        same period asks nobody again, answered or not. Each request gets
        its rating (token) and one e-mail in the mail queue. A run that
        starts while another one is running skips. Returns the new
        requests (False when skipped)."""
        if not acquire_run(self.env, CRON_XMLID):
            return False
        contacts = self._kam_recipients()
        asked = self.search([("contact_id", "in", contacts.ids),
                             ("date_sent", ">=", self._kam_request_since())])
        done = {(r.partner_id.id, r.contact_id.id) for r in asked}
        template = self.env.ref(TEMPLATE_XMLID)
        requests = self.browse()
        for contact in contacts:
            account = contact.commercial_partner_id
            if (account.id, contact.id) in done:
                continue
            if not (account.company_id.email or self.env.user.email):
                _logger.warning(
                    "Satisfaction request to %s (%s) not sent: the company "
                    "has no e-mail address to send from.", contact.id,
                    account.id)
                continue
            request = self.create({"partner_id": account.id,
                                   "contact_id": contact.id})
            request._kam_new_rating()
            # the mail queue sends it (Odoo's "Mail: Email Queue Manager")
            template.send_mail(request.id, force_send=False)
            requests |= request
        _logger.info("Satisfaction requests: %d sent", len(requests))
        return requests

    def _kam_new_rating(self):
        """The rating (and its token) the contact answers with."""
        model = self.env["ir.model"]._get(self._name)
        # sudo: the ratings of requests are the system's (they hold the
        # customer's token; a global rule hides them from every user)
        Rating = self.env["rating.rating"].sudo()
        for request in self:
            Rating.create({
                "res_model_id": model.id, "res_id": request.id,
                "partner_id": request.contact_id.id,
                "rated_partner_id": request.kam_manager_id.partner_id.id})

    # ------------------------------------------------------------------
    # Answering (the customer, through the rating links)
    # ------------------------------------------------------------------
    @api.multi
    def rating_apply(self, rate, token=None, feedback=None, subtype=None):
        """rating.mixin's hook for an answer: the customer's score
        ``rate`` (1 to 5) and comment, given the e-mailed ``token``, which
        is the only proof (see ``_kam_answer``)."""
        if not token:
            raise AccessError(_(
                "A satisfaction answer comes only with the link e-mailed to "
                "the customer."))
        return self._kam_answer(token, rate, feedback=feedback)

    @api.multi
    def _kam_answer(self, token, score, feedback=None):
        """Record the answer of the contact who holds ``token``: what the
        rating controller calls (as the public user, so with sudo). The
        errors are in the contact's language. Returns the rating."""
        # sudo: the customer has no user; the token is the proof
        rating = self.env["rating.rating"].sudo().search([
            ("access_token", "=", token), ("res_model", "=", self._name)],
            limit=1)
        if not rating or (self.ids and rating.res_id not in self.ids):
            raise AccessError(_("This satisfaction link is not valid."))
        request = self.sudo().browse(rating.res_id).with_context(  # sudo: see above
            lang=rating.partner_id.lang or "en_US")
        request._kam_record_answer(rating, score, feedback)
        return rating

    def _kam_record_answer(self, rating, score, feedback):
        self.ensure_one()
        if isinstance(score, bool) or not isinstance(score, int) \
                or not 1 <= score <= 5:
            raise ValidationError(_(
                "Score: %s is not a satisfaction score; choose 1 (very "
                "dissatisfied) to 5 (very satisfied).") % (score,))
        account, contact = self.partner_id, rating.partner_id
        if self.state == "closed":
            raise UserError(_(
                "This satisfaction survey of %s is closed; thank you all "
                "the same.") % account.name)
        if contact.commercial_partner_id != account:
            raise ValidationError(_(
                "%s is not a contact of %s any more: the answer cannot count "
                "for it.") % (contact.name, account.name))
        if not account.kam_is_key_account:
            raise ValidationError(_(
                "%s is no longer a key account: the answer cannot count for "
                "it.") % account.name)
        rating_vals = {"rating": score * RATING_PER_SCORE, "consumed": True}
        vals = {"score": score}
        if feedback is not None:
            rating_vals["feedback"] = vals["comment"] = feedback
        rating.write(rating_vals)
        Satisfaction = self.env["kam.satisfaction"].with_context(
            mail_create_nosubscribe=True, **{ANSWER_KEY: ANSWER_CONTEXT})
        row = self.satisfaction_id.with_env(Satisfaction.env)
        if row:
            row.write(vals)
        else:
            row = Satisfaction.create(dict(
                vals, partner_id=account.id, source="customer",
                rating_id=rating.id, contact_id=contact.id,
                entered_by_id=False,
                survey=_("Satisfaction request by e-mail")))
        self.write({"state": "answered", "satisfaction_id": row.id,
                    "date_answered": fields.Datetime.now()})
        return row

    def _kam_close(self):
        """No answer counts for these requests any more (their score was
        deleted)."""
        self.write({"state": "closed"})
