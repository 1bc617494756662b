# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, models
from odoo.exceptions import ValidationError

from .kam_settings import FALSE_TEXTS, TRUE_TEXTS

# the addon's whole-number parameters and their least value: a visit
# deadline below 0 days would make every report overdue at once (issue 12)
NUMBER_PARAMS = {
    "kam_management.visit_report_days": 0,
    "kam_management.visit_report_escalation_days": 0,
    "kam_management.visit_logged_late_days": 0,
    "kam_management.visit_escalation_days": 0,
    "kam_management.visit_activity_digest_limit": 1,
    # the month-end hand-in (R14, issue 13): 0 = the last day of the month
    "kam_management.handin_day": 0,
    "kam_management.handin_entry_days": 0,
    # a KAM's month-end report is due on this day of the following month
    # (R4, R15, issue 13)
    "kam_management.report_submit_day": 1,
    # the 80/20 finder's "long-term customer" (R1, issue 13): years since
    # the first confirmed order
    "kam_management.long_term_years": 1,
    # the largest visit photo, in MB (issue 14)
    "kam_management.visit_photo_max_mb": 1,
}
# and their greatest value, where there is one
NUMBER_PARAMS_MAX = {
    "kam_management.handin_day": 31,
    "kam_management.report_submit_day": 28,
    "kam_management.long_term_years": 50,
}
# the addon's boolean parameters (who approves a solution, R6)
BOOLEAN_PARAMS = (
    "kam_management.solution_approval_kam_only",
)


class IrConfigParameter(models.Model):
    """The addon's numeric and boolean system parameters are checked
    wherever they are set (Settings, Technical > System Parameters, RPC, import), so a
    scheduled action never runs on a nonsense value."""

    _inherit = "ir.config_parameter"

    @api.constrains("key", "value")
    def _check_kam_number(self):
        for param in self:
            least = NUMBER_PARAMS.get(param.key)
            if least is None:
                continue
            try:
                number = int((param.value or "").strip())
            except ValueError:
                number = None
            most = NUMBER_PARAMS_MAX.get(param.key)
            if most is None and (number is None or number < least):
                raise ValidationError(_(
                    "%s: \"%s\" is not allowed; use a whole number of %s "
                    "or more.") % (param.key, param.value, least))
            if most is not None and (number is None
                                     or not least <= number <= most):
                raise ValidationError(_(
                    "%s: \"%s\" is not allowed; use a whole number from %s "
                    "to %s.") % (param.key, param.value, least, most))

    @api.constrains("key", "value")
    def _check_kam_boolean(self):
        for param in self:
            if param.key not in BOOLEAN_PARAMS:
                continue
            if (param.value or "").strip().lower() not in \
                    TRUE_TEXTS + FALSE_TEXTS:
                raise ValidationError(_(
                    "%s: \"%s\" is not allowed; use True or False.")
                    % (param.key, param.value))
