# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Serialising the addon's scheduled actions.

Each action takes a PostgreSQL transaction-level advisory lock with its own
key, so two runs at the same time (two cron workers, or a cron and a button)
never write the same rows twice: the second one finds the lock taken and
skips. The lock ends with the transaction.
"""

TRY_LOCK_SQL = "SELECT pg_try_advisory_xact_lock(%s)"


def try_lock(cr, key):
    """Take the advisory lock ``key`` for this transaction; False when
    another transaction holds it."""
    cr.execute(TRY_LOCK_SQL, (key,))
    return cr.fetchone()[0]
