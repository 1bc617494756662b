# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Install-time checks run by Odoo's own runner (the main suite is the
top-level ``tests/`` folder, run by pytest)."""
from odoo.tests.common import TransactionCase


class TestKamInstall(TransactionCase):

    def test_relationship_ladder(self):
        """The four levels of R11 ship in ascending order."""
        names = ["vendor", "preferred_supplier", "partner",
                 "strategic_alliance"]
        levels = [self.env.ref("kam_management.relationship_level_" + n)
                  for n in names]
        sequences = [level.sequence for level in levels]
        self.assertEqual(sequences, sorted(set(sequences)))

    def test_admin_is_director(self):
        self.assertTrue(self.env.ref("base.user_root").has_group(
            "kam_management.group_kam_director"))
