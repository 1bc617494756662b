# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The customer's answer to a satisfaction request (R4).

Odoo 11's rating controller takes only 1, 5 and 10 (``/rating/<token>/<rate>``
asserts it). For the tokens of satisfaction requests the same routes take the
scores 1 to 5, record the answer through ``kam.satisfaction.request`` and
show the addon's page in the contact's language; every other token goes to
Odoo's controller unchanged.
"""
from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from odoo.addons.rating.controllers.main import Rating

REQUEST_MODEL = "kam.satisfaction.request"
PAGE = "kam_management.kam_satisfaction_answer_page"
# the values Odoo 11's own rating links take
ODOO_RATES = (1, 5, 10)


class KamRating(Rating):

    @staticmethod
    def _kam_rating(token):
        # sudo: the customer answers without a login; the token is the proof
        return request.env["rating.rating"].sudo().search([
            ("access_token", "=", token), ("res_model", "=", REQUEST_MODEL)],
            limit=1)

    @http.route()
    def open_rating(self, token, rate, **kwargs):
        rating = self._kam_rating(token)
        if rating:
            return self._kam_answer(rating, token, rate, None)
        if rate not in ODOO_RATES:
            # Odoo's controller would fail on its assertion (an error
            # page and a server error): not ours, and not a rating
            return request.not_found()
        return super(KamRating, self).open_rating(token, rate, **kwargs)

    @http.route()
    def submit_rating(self, token, rate, **kwargs):
        rating = self._kam_rating(token)
        if not rating:
            return super(KamRating, self).submit_rating(token, rate, **kwargs)
        return self._kam_answer(rating, token, rate,
                                kwargs.get("feedback") or "")

    @staticmethod
    def _kam_answer(rating, token, score, feedback):
        """Record the answer and show the page (or why it does not
        count), in the contact's language."""
        lang = rating.partner_id.lang or "en_US"
        # sudo: see _kam_rating
        requests = request.env[REQUEST_MODEL].sudo().with_context(lang=lang)
        values = {"rating": rating, "token": token, "score": score,
                  "feedback_sent": feedback is not None, "error": False}
        try:
            with request.env.cr.savepoint():
                requests.browse(rating.res_id)._kam_answer(
                    token, score, feedback=feedback)
        except (AccessError, UserError, ValidationError) as exc:
            values["error"] = exc.name
        return request.env["ir.ui.view"].with_context(
            lang=lang).render_template(PAGE, values)
