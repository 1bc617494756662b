# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Module hooks."""

# The addon's own models (kam.*), as Odoo registered them for it.
OWN_MODELS_SQL = """
SELECT m.model FROM ir_model m
  JOIN ir_model_data d ON d.model = 'ir.model' AND d.res_id = m.id
 WHERE d.module = 'kam_management'
"""

# Activities of the addon's types, wherever they are: once the types are
# gone they would stay on the partners as untyped "visit due" reminders.
DELETE_ACTIVITIES_SQL = """
DELETE FROM mail_activity
 WHERE activity_type_id IN (
       SELECT res_id FROM ir_model_data
        WHERE module = 'kam_management' AND model = 'mail.activity.type')
    OR res_model = ANY(%s)
"""

# The chatter of records whose tables are dropped: nothing could open
# them any more (Odoo removes their followers itself).
DELETE_MESSAGES_SQL = "DELETE FROM mail_message WHERE model = ANY(%s)"


def uninstall_hook(cr, registry):
    """Remove what Odoo's uninstall leaves behind of the addon: its
    activities and the messages of its records. Partners, contacts, users
    and sales stay as they are."""
    cr.execute(OWN_MODELS_SQL)
    models = [row[0] for row in cr.fetchall()]
    cr.execute(DELETE_ACTIVITIES_SQL, (models,))
    cr.execute(DELETE_MESSAGES_SQL, (models,))
