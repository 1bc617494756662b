#!/usr/bin/env python3
"""Run some of the addon's in-process test modules on an existing database,
for development: ``run-addon-tests.py DB test_visit [test_report ...]``.

The same unittest runner that Odoo's ``--test-enable`` uses, without an
install or upgrade: quick while writing tests. ``make test`` runs them all
through Odoo's own runner (scripts/odoo-tests.sh).
"""
import importlib
import os
import sys
import threading
import unittest

import odoo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(db, names):
    # as scripts/env.sh: no preload of every addon folder, lessc's modules
    os.environ.setdefault("ODOO_PRELOAD_ADDONS", "no")
    os.environ.setdefault("NODE_PATH", "/usr/share/nodejs")
    addons = "%s,%s" % (os.path.join(os.path.dirname(odoo.__file__), "addons"),
                        ROOT)
    odoo.tools.config.parse_config(["--addons-path=%s" % addons, "-d", db,
                                    "--db-filter=^%s$" % db])
    with odoo.api.Environment.manage():
        odoo.registry(db)
        suite = unittest.TestSuite()
        for name in names:
            name, _sep, only = name.partition(":")
            module = importlib.import_module(
                "odoo.addons.kam_management.tests." + name)
            loaded = unittest.TestLoader().loadTestsFromModule(module)
            if only:
                loaded = unittest.TestSuite(
                    t for t in odoo.modules.module.unwrap_suite(loaded)
                    if isinstance(t, unittest.TestCase) and only in t.id())
            suite.addTest(loaded)
        threading.currentThread().testing = True
        result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() and result.testsRun else 1


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
