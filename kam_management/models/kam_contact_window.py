# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# the day fields, Monday first (``datetime.weekday()`` order)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday",
            "saturday", "sunday")


def hour_label(hours):
    """A float hour as ``HH:MM`` (what the float_time widget shows)."""
    minutes = int(round((hours or 0.0) * 60))
    return "%02d:%02d" % divmod(minutes, 60)


class KamContactWindow(models.Model):
    """When and where the accounts of an industry are contacted (R9).

    "Contact times and places depend on the customer's industry": each
    window gives the days of the week, the hours (``hour_from`` to
    ``hour_to``, in the local time of whoever plans the visit) and the
    preferred place. An industry may have several windows (mornings on
    weekdays, Saturday at the office...). A visit planned outside every
    window of its account's industry is flagged on the visit (a warning,
    never a refusal); an industry without windows has no norm.
    """

    _name = "kam.contact.window"
    _inherit = ["kam.input.check"]
    _description = "Key-Account Contact Window"
    _order = "industry_id, hour_from, id"

    industry_id = fields.Many2one(
        "res.partner.industry", string="Industry", required=True,
        index=True, ondelete="cascade")
    monday = fields.Boolean(default=True)
    tuesday = fields.Boolean(default=True)
    wednesday = fields.Boolean(default=True)
    thursday = fields.Boolean(default=True)
    friday = fields.Boolean(default=True)
    saturday = fields.Boolean()
    sunday = fields.Boolean()
    hour_from = fields.Float(
        string="From", required=True, default=9.0,
        help="Start of the window, 00:00 to 24:00, local time.")
    hour_to = fields.Float(
        string="To", required=True, default=17.0,
        help="End of the window, after its start; 24:00 at the latest.")
    place = fields.Char(
        string="Preferred Place",
        help="Where the accounts of the industry prefer to be met: at "
             "their site, at our office, by phone...")

    # ------------------------------------------------------------------
    # Checks: before anything is written, and as constraints
    # ------------------------------------------------------------------
    def _kam_label_of(self, fname):
        return self._fields[fname].get_description(self.env)["string"]

    def _kam_window_error(self, values):
        """The message of what is wrong with a window of these
        ``values`` (hours and days), or None."""
        for fname in ("hour_from", "hour_to"):
            hours = values[fname]
            if not 0.0 <= hours <= 24.0:
                return _("%s: %s is not an hour of the day; give an hour "
                         "from 00:00 to 24:00.") % (
                             self._kam_label_of(fname), hour_label(hours)
                             if hours >= 0 else hours)
        if values["hour_to"] <= values["hour_from"]:
            return _("%s: the contact window ends at %s, not after it "
                     "starts (%s).") % (
                         self._kam_label_of("hour_to"),
                         hour_label(values["hour_to"]),
                         hour_label(values["hour_from"]))
        if not any(values[day] for day in WEEKDAYS):
            return _("Days: tick at least one day of the week for the "
                     "contact window.")
        return None

    def _kam_window_values(self, vals):
        """The window's hours and days after ``vals`` (the record's
        current ones for the others)."""
        values = {}
        for fname in ("hour_from", "hour_to") + WEEKDAYS:
            if fname in vals:
                value = vals[fname]
            else:
                value = self[fname] if self else False
            if fname in ("hour_from", "hour_to"):
                value = float(value or 0.0)
            values[fname] = bool(value) if fname in WEEKDAYS else value
        return values

    def _kam_check_window_vals(self, vals):
        """Refuse bad hours before anything is written (the types were
        checked by ``kam.input.check``)."""
        if not set(vals) & ({"hour_from", "hour_to"} | set(WEEKDAYS)):
            return
        for window in self or [self.browse()]:
            message = window._kam_window_error(window._kam_window_values(
                vals))
            if message:
                raise ValidationError(message)

    @api.constrains("hour_from", "hour_to", *WEEKDAYS)
    def _check_hours(self):
        for window in self:
            message = window._kam_window_error(
                window._kam_window_values({}))
            if message:
                raise ValidationError(message)

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    @api.model
    def create(self, vals):
        # with the defaults, so that a window given only its end is judged
        # against the default start; the types first (kam.input.check,
        # which the create of the mixin runs again)
        full = self._add_missing_default_values(vals)
        self._kam_input_check(full, creating=True)
        self.browse()._kam_check_window_vals(full)
        return super(KamContactWindow, self).create(vals)

    @api.multi
    def write(self, vals):
        self._kam_input_check(vals, creating=False)
        self._kam_check_window_vals(vals)
        return super(KamContactWindow, self).write(vals)

    @api.multi
    def name_get(self):
        return [(window.id, window._kam_window_text()) for window in self]

    # ------------------------------------------------------------------
    # Reading the windows
    # ------------------------------------------------------------------
    def _kam_days_text(self):
        """The window's days, in the reader's language: runs of three
        days or more as "Monday–Friday"."""
        days = [i for i, day in enumerate(WEEKDAYS) if self[day]]
        runs = []
        for i in days:
            if runs and runs[-1][1] == i - 1:
                runs[-1][1] = i
            else:
                runs.append([i, i])
        parts = []
        for first, last in runs:
            names = [self._kam_label_of(WEEKDAYS[i])
                     for i in range(first, last + 1)]
            parts.append("%s–%s" % (names[0], names[-1])
                         if len(names) > 2 else ", ".join(names))
        return ", ".join(parts)

    def _kam_window_text(self):
        """"Monday–Friday 09:00–17:00 (at the customer's site)"."""
        self.ensure_one()
        text = "%s %s–%s" % (self._kam_days_text(),
                             hour_label(self.hour_from),
                             hour_label(self.hour_to))
        if self.place:
            text = "%s (%s)" % (text, self.place)
        return text

    def _kam_contains(self, moment):
        """Whether the local ``moment`` (a datetime) falls in one of
        these windows: its day ticked, from ``hour_from`` up to, not
        including, ``hour_to``."""
        day = WEEKDAYS[moment.weekday()]
        hours = moment.hour + moment.minute / 60.0 + moment.second / 3600.0
        return any(window[day] and window.hour_from <= hours < window.hour_to
                   for window in self)
