# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Serialising the addon's scheduled actions.

Two runs of the same action at the same time (two cron workers of a
multi-process server, or a cron and a button) must never write the same
activities, snapshots or reports twice. Two things make sure of it:

* each action takes a PostgreSQL transaction-level advisory lock keyed by
  its cron's XML id (``hashtext``): a run that finds it taken skips;
* Odoo runs every transaction in REPEATABLE READ, so a run whose snapshot
  was taken *before* another run committed would not see that run's rows
  (and would insert its activities again). Each run therefore also
  rewrites the ``ir.model.data`` row of its action's XML id; PostgreSQL
  refuses that update with a serialization failure when another run
  committed it after our snapshot, and the late run skips too. (Not the
  ``ir.cron`` row itself: Odoo's cron runner holds a lock on it from
  another cursor for as long as the job runs.)
"""
import logging

import psycopg2.extensions

_logger = logging.getLogger(__name__)

TRY_LOCK_SQL = "SELECT pg_try_advisory_xact_lock(hashtext(%s))"

# A no-op update: it writes a new row version, which is what makes a
# concurrent update of the same row a serialization failure.
MARK_RUN_SQL = """
UPDATE ir_model_data SET noupdate = noupdate WHERE module = %s AND name = %s
"""


def try_lock(cr, key):
    """Take the advisory lock named ``key`` for this transaction; False
    when another transaction holds it."""
    cr.execute(TRY_LOCK_SQL, (key,))
    return cr.fetchone()[0]


def acquire_run(env, cron_xmlid):
    """Start a run of the scheduled action ``cron_xmlid``: True when this
    transaction may do the work, False when another run holds it or has
    committed since this transaction's snapshot (see the module doc)."""
    cr = env.cr
    if not try_lock(cr, cron_xmlid):
        return False
    try:
        with cr.savepoint():
            # an expected outcome, not a "bad query" for the log
            cr.execute(MARK_RUN_SQL, tuple(cron_xmlid.split(".", 1)),
                       log_exceptions=False)
    except psycopg2.extensions.TransactionRollbackError:
        _logger.info("%s: another run committed meanwhile; skipped",
                     cron_xmlid)
        return False
    return True
