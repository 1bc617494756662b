# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Field types of the addon."""
from odoo import fields


class Figure(fields.Float):
    """A float figure that keeps "no figure" apart from 0 (issue 12).

    Odoo 11's ``Float`` reads a NULL column as 0.0, so a percentage without
    a base (no target, no visit due, no snapshot for the month) would show
    "0.00" in forms, lists, reports and over RPC. A ``Figure`` stores NULL
    for False or None and reads it back as False, which the web client
    shows empty; ``read_group`` averages skip it, as SQL does.
    """

    def convert_to_column(self, value, record, values=None):
        if value is None or value is False:
            return None
        return super(Figure, self).convert_to_column(value, record, values)

    def convert_to_cache(self, value, record, validate=True):
        if value is None or value is False:
            return False
        return super(Figure, self).convert_to_cache(value, record, validate)

    def convert_to_export(self, value, record):
        if value is False:
            return ""
        return super(Figure, self).convert_to_export(value, record)
