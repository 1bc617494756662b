# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Clear errors for values of the wrong type, before anything is stored.

Without this check, a text in a number field, an unknown selection value,
a record id that does not exist or a malformed date reach the database and
come back as a Python or PostgreSQL error (``invalid literal for int()``,
``violates foreign key constraint``, ``invalid input syntax for type date``)
that names no field a user knows, or an empty required value comes back as
Odoo's generic "a mandatory field is not correctly set". Every create and
write of the addon's models (``kam.*``, wizards included, which inherit this
mixin) and of the ``kam_*`` fields of partners and settings is checked here
first and refused with a translated ValidationError naming the field by its
label.
"""
import math
from datetime import date, datetime

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# models whose ``kam_*`` fields only are checked
KAM_FIELD_MODELS = ("res.partner", "res.config.settings")
NUMBER_TYPES = ("float", "monetary")
X2MANY_TYPES = ("one2many", "many2many")
# x2many commands that name an existing record: (command, position of id)
X2MANY_ID_COMMANDS = {1: 1, 2: 1, 3: 1, 4: 1}
# PostgreSQL's integer column
INT_MIN, INT_MAX = -2 ** 31, 2 ** 31 - 1


class KamInputCheck(models.AbstractModel):
    """Checks the values given to the addon's models (see module doc)."""

    _name = "kam.input.check"
    _description = "Key-Account Input Check"

    def _kam_input_checked_fields(self, vals):
        """The fields of ``vals`` this check covers, by name."""
        if self._name in KAM_FIELD_MODELS:
            return [name for name in vals
                    if name.startswith("kam_") and name in self._fields]
        return [name for name in vals if name in self._fields]

    def _kam_input_label(self, field):
        return field.get_description(self.env)["string"] or field.name

    def _kam_input_error(self, field, message, value):
        return ValidationError(_("%s: %s (got \"%s\").") % (
            self._kam_input_label(field), message, value))

    def _kam_input_check_record(self, field, value):
        """``value`` is the id of an existing record of the field's model."""
        if isinstance(value, models.BaseModel):
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._kam_input_error(
                field, _("this is not the id of a record"), value)
        # existence only (no access check): the access rules still apply
        # when the record is stored or read
        if not self.env[field.comodel_name].browse(value).exists():
            raise self._kam_input_error(
                field, _("there is no such record"), value)

    def _kam_input_check_x2many(self, field, value):
        if not isinstance(value, (list, tuple)):
            raise self._kam_input_error(
                field, _("this is not a list of records"), value)
        for command in value:
            if isinstance(command, int) and not isinstance(command, bool):
                self._kam_input_check_record(field, command)
                continue
            if not isinstance(command, (list, tuple)) or not command or \
                    command[0] not in (0, 1, 2, 3, 4, 5, 6):
                raise self._kam_input_error(
                    field, _("this is not a list of records"), value)
            position = X2MANY_ID_COMMANDS.get(command[0])
            if position is not None and len(command) > position:
                self._kam_input_check_record(field, command[position])
            if command[0] == 6 and len(command) > 2:
                if not isinstance(command[2], (list, tuple)):
                    raise self._kam_input_error(
                        field, _("this is not a list of records"), value)
                for record_id in command[2]:
                    self._kam_input_check_record(field, record_id)

    def _kam_input_check_value(self, field, value):
        """Raise a ValidationError naming ``field`` when ``value`` does not
        fit its type."""
        ftype = field.type
        if value is None or value is False:
            return
        if ftype == "integer":
            try:
                number = int(value)
            except (TypeError, ValueError, OverflowError):
                number = None
            if number is None or (isinstance(value, float)
                                  and not value.is_integer()):
                raise self._kam_input_error(
                    field, _("this is not a whole number"), value)
            if not INT_MIN <= number <= INT_MAX:
                raise self._kam_input_error(
                    field, _("this number is too large"), value)
        elif ftype in NUMBER_TYPES:
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = float("nan")
            if math.isnan(number) or math.isinf(number):
                raise self._kam_input_error(
                    field, _("this is not a number"), value)
        elif ftype == "selection":
            if value not in field.get_values(self.env):
                raise self._kam_input_error(
                    field, _("this is not one of the allowed values"), value)
        elif ftype == "many2one":
            self._kam_input_check_record(field, value)
        elif ftype in X2MANY_TYPES:
            self._kam_input_check_x2many(field, value)
        elif ftype == "date":
            self._kam_input_check_date(field, value, fields.Date, date,
                                       _("YYYY-MM-DD"))
        elif ftype == "datetime":
            self._kam_input_check_date(field, value, fields.Datetime,
                                       datetime, _("YYYY-MM-DD HH:MM:SS"))

    def _kam_input_check_date(self, field, value, kind, python_type,
                              pattern):
        if isinstance(value, python_type):
            return
        try:
            kind.from_string(value)
        except (TypeError, ValueError, AttributeError):
            raise self._kam_input_error(
                field, _("this is not a date (use %s)") % pattern, value)

    def _kam_input_is_missing(self, field, value):
        if field.type in ("boolean", "integer", "float", "monetary"):
            return value is None
        if isinstance(value, str):
            return not value.strip()
        return value is None or value is False or (
            field.type in X2MANY_TYPES and not value)

    def _kam_input_check(self, vals, creating):
        """Check ``vals`` for this model (see the module docstring)."""
        for name in self._kam_input_checked_fields(vals):
            field = self._fields[name]
            value = vals[name]
            if field.required and field.store and not field.compute \
                    and field.type != "many2many" \
                    and self._kam_input_is_missing(field, value):
                raise ValidationError(_("%s is required.")
                                      % self._kam_input_label(field))
            self._kam_input_check_value(field, value)
        if creating and self._name not in KAM_FIELD_MODELS:
            for name, field in self._fields.items():
                if field.required and field.store and not field.compute \
                        and field.type not in X2MANY_TYPES \
                        and name not in vals \
                        and field.type not in ("boolean", "integer",
                                               "float", "monetary"):
                    raise ValidationError(_("%s is required.")
                                          % self._kam_input_label(field))

    @api.model
    def create(self, vals):
        if self._name in KAM_FIELD_MODELS:
            self._kam_input_check(vals, creating=False)
        else:
            # with the defaults, so that a missing value is told as such
            vals = self._add_missing_default_values(vals)
            self._kam_input_check(vals, creating=True)
        return super(KamInputCheck, self).create(vals)

    @api.multi
    def write(self, vals):
        self._kam_input_check(vals, creating=False)
        return super(KamInputCheck, self).write(vals)
