"""A cron worker of Odoo's server, polled on demand (tests/test_faults.py).

    python tests/cron_poller.py DB [odoo options ...]

Each line read on stdin is one poll of the database: it runs
``ir.cron._acquire_job(DB)``, the function that Odoo's cron threads and the
cron workers of the multi-process server call once a minute (every due
action, each in its own transaction, ``nextcall`` moved on afterwards),
and answers ``polled`` on stdout. One process for all the polls, as a
long-lived cron worker: its connection pool survives a database restart
between two polls. The log goes to stderr.
"""
import os
import sys

import odoo


def main():
    db = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    odoo.tools.config.parse_config([
        "--addons-path=%s,%s" % (
            os.path.join(os.path.dirname(odoo.__file__), "addons"), root),
        "-d", db, "--db-filter=^%s$" % db,
        # one line per call of a scheduled action (``cron.object.execute``)
        "--log-handler=odoo.addons.base.ir.ir_cron:DEBUG"] + sys.argv[2:])
    from odoo.addons.base.ir.ir_cron import ir_cron
    for line in sys.stdin:
        if line.strip() == "poll":
            with odoo.api.Environment.manage():
                ir_cron._acquire_job(db)
        print("polled", flush=True)


if __name__ == "__main__":
    main()
