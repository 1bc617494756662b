# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .ir_config_parameter import NUMBER_PARAMS, NUMBER_PARAMS_MAX
from .kam_requirement import APPROVAL_PARAM
from .kam_rfm_snapshot import PARAM_DEFAULTS
from .kam_settings import bool_param

# settings field -> ir.config_parameter key
KAM_RFM_PARAMS = {
    "kam_rfm_window_days": "kam_management.rfm_window_days",
    "kam_rfm_scoring": "kam_management.rfm_scoring",
    "kam_rfm_recency_thresholds": "kam_management.rfm_recency_thresholds",
    "kam_rfm_frequency_thresholds":
        "kam_management.rfm_frequency_thresholds",
    "kam_rfm_monetary_thresholds": "kam_management.rfm_monetary_thresholds",
    "kam_churn_recency_days": "kam_management.churn_recency_days",
    "kam_churn_drop_percent": "kam_management.churn_drop_percent",
}


# visit-report settings (R8, issue 12): field -> (parameter, default); the
# values are checked by ir.config_parameter (models/ir_config_parameter.py)
KAM_VISIT_PARAMS = {
    "kam_visit_report_days": ("kam_management.visit_report_days", 3),
    "kam_visit_report_escalation_days":
        ("kam_management.visit_report_escalation_days", 7),
    "kam_visit_logged_late_days":
        ("kam_management.visit_logged_late_days", 2),
}

# the 80/20 finder (R1, issue 13): field -> (parameter, default); bounds in
# NUMBER_PARAMS / NUMBER_PARAMS_MAX, checked by ir.config_parameter too
KAM_FINDER_PARAMS = {
    "kam_long_term_years": ("kam_management.long_term_years", 3),
}

# month-end report settings (R4, R15, issue 13): field -> (parameter,
# default); the bounds are those of models/ir_config_parameter.py
KAM_REPORT_PARAMS = {
    "kam_report_submit_day": ("kam_management.report_submit_day", 5),
}
# the settings checked against those bounds
KAM_BOUNDED_PARAMS = dict(KAM_FINDER_PARAMS, **KAM_REPORT_PARAMS)


class ResConfigSettings(models.TransientModel):
    """RFM analysis and churn warning settings (R13, R16), stored as
    ``ir.config_parameter`` (keys ``kam_management.*``)."""

    _name = "res.config.settings"
    _inherit = ["res.config.settings", "kam.input.check"]

    kam_rfm_window_days = fields.Integer(
        string="RFM Analysis Window (days)", default=365,
        help="Frequency and amount count the orders of the last N days.")
    kam_rfm_scoring = fields.Selection(
        [("quintile", "Quintiles among key accounts"),
         ("threshold", "Fixed thresholds")],
        string="RFM Scoring", default="quintile")
    kam_rfm_recency_thresholds = fields.Char(
        string="Recency Thresholds (days)", default="30,90,180,365",
        help="Four ascending numbers of days: up to the first scores 5, up "
             "to the second 4, and so on; beyond the fourth scores 1.")
    kam_rfm_frequency_thresholds = fields.Char(
        string="Frequency Thresholds (orders)", default="1,3,6,12",
        help="Four ascending order counts: the score is 1 plus the number "
             "of thresholds reached.")
    kam_rfm_monetary_thresholds = fields.Char(
        string="Monetary Thresholds (amount)",
        default="10000,50000,200000,1000000",
        help="Four ascending amounts in the company currency: the score is "
             "1 plus the number of thresholds reached.")
    kam_churn_recency_days = fields.Integer(
        string="Churn Risk after Days without Order", default=180)
    kam_churn_drop_percent = fields.Integer(
        string="Churn Risk on a Drop of (%)", default=50,
        help="An account is at risk when its orders or its amount in the "
             "window fell by this share or more against the previous "
             "window of the same length.")
    kam_rfm_last_refresh = fields.Date(
        string="RFM Last Refreshed", readonly=True)
    # visit reports (R8, issue 12); checked by ir.config.parameter
    kam_visit_report_days = fields.Integer(
        string="Visit Report Due within (days)", default=3,
        help="A done visit whose report is not submitted this many days "
             "after the visit is \"report overdue\": the visitor gets an "
             "activity.")
    kam_visit_report_escalation_days = fields.Integer(
        string="Overdue Report to the Supervisor after (days)", default=7,
        help="A report still not submitted this many days after it was due "
             "goes to the visitor's supervisor, once.")
    kam_visit_logged_late_days = fields.Integer(
        string="Visit Logged Late after (days)", default=2,
        help="A visit marked done more than this many days after its date "
             "is shown to the reviewer as logged late.")

    # month-end reports (R4, R15, issue 13); checked by ir.config.parameter
    kam_report_submit_day = fields.Integer(
        string="Month-End Report Due on Day", default=5,
        help="A key account manager's month-end report not submitted by "
             "this day (1 to 28) of the following month is late: it shows "
             "on the KAM's scorecard and the regional manager is told "
             "once.")
    # the 80/20 finder (R1, issue 13); checked by ir.config.parameter too
    kam_long_term_years = fields.Integer(
        string="Long-term Customer after (years)", default=3,
        help="The 80/20 finder suggests the type \"Long-term Customer\" "
             "for a customer whose first confirmed order is at least this "
             "many years before the end of the ranked period (1 to 50).")
    # who approves a solution (R6)
    kam_solution_approval_kam_only = fields.Boolean(
        string="Only the Key Account Manager Approves Solutions",
        default=True,
        help="On: the key account manager approves a requirement's solution "
             "(the regional manager when the key account manager wrote it); "
             "a regional manager or sales director approves instead only "
             "with a recorded reason. Off: any of them approves without a "
             "reason.")

    def _kam_rfm_raw(self):
        return {key: self[fname] for fname, key in KAM_RFM_PARAMS.items()}

    @api.constrains(*KAM_RFM_PARAMS)
    def _check_kam_rfm_settings(self):
        """Refuse bad settings with a message naming the setting."""
        for settings in self:
            self.env["kam.rfm.snapshot"]._kam_rfm_settings(
                settings._kam_rfm_raw())

    @api.constrains(*KAM_VISIT_PARAMS)
    def _check_kam_visit_settings(self):
        """Days below 0 would make every visit report overdue at once."""
        for settings in self:
            for fname in KAM_VISIT_PARAMS:
                if settings[fname] < 0:
                    raise ValidationError(_(
                        "%s: %s is not allowed; use a whole number of days, "
                        "0 or more.") % (
                            self._fields[fname].get_description(
                                self.env)["string"], settings[fname]))

    @api.constrains(*KAM_BOUNDED_PARAMS)
    def _check_kam_bounded_settings(self):
        """Whole numbers within the parameter's bounds: a day that every
        month has (1 to 28), years (1 to 50)."""
        for settings in self:
            for fname, (key, _default) in KAM_BOUNDED_PARAMS.items():
                least, most = NUMBER_PARAMS[key], NUMBER_PARAMS_MAX[key]
                if not least <= settings[fname] <= most:
                    raise ValidationError(_(
                        "%s: %s is not allowed; use a whole number from %s "
                        "to %s.") % (
                            self._fields[fname].get_description(
                                self.env)["string"], settings[fname],
                            least, most))

    @api.model
    def get_values(self):
        """The stored parameters as they are, so that a bad value set
        elsewhere can still be seen and corrected here."""
        res = super(ResConfigSettings, self).get_values()
        # sudo: settings are system parameters
        get = self.env["ir.config_parameter"].sudo().get_param  # sudo: see above
        for fname, key in KAM_RFM_PARAMS.items():
            value = get(key, PARAM_DEFAULTS[key])
            if self._fields[fname].type == "integer":
                try:
                    value = int(value)
                except ValueError:
                    value = 0
            res[fname] = value
        res["kam_rfm_last_refresh"] = get(
            "kam_management.rfm_last_refresh") or False
        for fname, (key, default) in list(KAM_VISIT_PARAMS.items()) + list(
                KAM_BOUNDED_PARAMS.items()):
            try:
                res[fname] = int(get(key, default))
            except ValueError:
                res[fname] = default
        res["kam_solution_approval_kam_only"] = bool_param(
            self.env, APPROVAL_PARAM, True)
        return res

    @api.multi
    def set_values(self):
        # public, so callable over RPC without ``execute`` and its check:
        # the RPC-wide settings are system parameters, for administrators
        if not self.env.user._is_admin():
            raise AccessError(_(
                "Only administrators can change the key-account settings."))
        res = super(ResConfigSettings, self).set_values()
        values = self._kam_rfm_raw()
        self.env["kam.rfm.snapshot"]._kam_rfm_settings(values)
        ICP = self.env["ir.config_parameter"].sudo()  # sudo: system parameters
        for key, value in values.items():
            ICP.set_param(key, str(value).replace(" ", ""))
        for fname, (key, _default) in list(KAM_VISIT_PARAMS.items()) + list(
                KAM_BOUNDED_PARAMS.items()):
            ICP.set_param(key, str(self[fname]))
        ICP.set_param(APPROVAL_PARAM,
                      str(bool(self.kam_solution_approval_kam_only)))
        return res
