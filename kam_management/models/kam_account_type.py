# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The key-account types of R1, shared by the models that use them.

Selection labels are exported and translated per field, so a plain list
is enough here.
"""

ACCOUNT_TYPES = [
    ("key", "Key Customer"),
    ("national", "National Customer"),
    ("long_term", "Long-term Customer"),
]
