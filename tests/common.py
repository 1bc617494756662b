"""Helpers of the pytest suite (server, browser, worker and upgrade tests).

The demo users and the demo-record helpers live in one place, the addon's
own ``kam_management/tests/common.py``, which its in-process tests use too.
"""
from odoo.exceptions import AccessError, ValidationError  # noqa: F401
from odoo.addons.kam_management.tests.common import (  # noqa: F401
    DEMO_USERS, KAM, as_user, demo_password, demo_user, key_account_vals,
    make_company, ref)
