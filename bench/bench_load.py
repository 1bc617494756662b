"""make bench: a short ``make load`` run (issue 16, part 1).

50 users for 60 seconds (LOAD_SECONDS, LOAD_USERS and LOAD_THINK still
apply) on the load database (built by the first run in about 9 minutes,
then reused while it upgrades cleanly: about 1 minute), with the targets of
``make load``: 0 errors, 0 lost or duplicated writes, the p95 of each KAM
action at most 1.5 times the p95 of its comparable call on Odoo's own
screens. About 5 minutes in all. See bench/load_run.py.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

if __name__ == "__main__":
    env = dict(os.environ)
    env.setdefault("LOAD_SECONDS", "60")
    env.setdefault("LOAD_USERS", "50")
    sys.exit(subprocess.run(["bash", os.path.join(ROOT, "scripts", "load.sh")],
                            env=env).returncode)
