# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What every test of the addon shares: the demo users, the demo records and
the base class of the in-process tests.

The in-process tests (``kam_management/tests``) are run by Odoo's own runner
(``--test-enable``); the server, browser, worker and upgrade tests in the
repository's ``tests/`` folder (pytest) import the demo-user helpers from
here too, so the demo logins and their passwords are written down once.
"""
import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests.common import SavepointCase, at_install, post_install

KAM = "kam_management."

# The demo users of ``demo/res_users_demo.xml``: login -> XML id. Their
# password is their login (admin's is "admin").
DEMO_USERS = {
    "kam_director": KAM + "user_kam_director",
    "kam_regional": KAM + "user_kam_regional",
    "kam_manager_1": KAM + "user_kam_manager_1",
    "kam_manager_2": KAM + "user_kam_manager_2",
    "kam_support": KAM + "user_kam_support",
    "kam_secretary": KAM + "user_kam_secretary",
    "admin": "base.user_root",
}


def demo_password(login):
    """The demo password of ``login`` (for XML-RPC and browser log-ins)."""
    return login


def ref(env, name):
    """The record of XML id ``name`` (``kam_management.`` when unqualified)."""
    return env.ref(name if "." in name else KAM + name)


def demo_user(env, login):
    """The ``res.users`` record of a demo login (or a full XML id)."""
    if login in DEMO_USERS:
        return env.ref(DEMO_USERS[login])
    if "." in login:
        return env.ref(login)
    return env.ref(KAM + "user_" + login)


def as_user(env, login_or_xmlid):
    """``env`` for a demo user, the real user and not the superuser."""
    return env(user=demo_user(env, login_or_xmlid).id)


def ensure_zh_cn(env):
    """Chinese and the addon's translation, on a database without them
    (an integrator's): loaded in the caller's transaction, so rolled back
    with it."""
    if not env["res.lang"].search([("code", "=", "zh_CN")]):
        env["res.lang"].load_lang("zh_CN")
        env["ir.module.module"].search(
            [("name", "=", "kam_management")])._update_translations("zh_CN")


def make_company(env, name="Test Co", **vals):
    vals.update(name=name, is_company=True)
    return env["res.partner"].create(vals)


def key_account_vals(env, **overrides):
    vals = {
        "kam_is_key_account": True,
        "kam_account_type": "key",
        "kam_manager_id": ref(env, "user_kam_manager_1").id,
        "kam_region_id": ref(env, "region_east_china").id,
        "kam_relationship_level_id": ref(env,
                                         "relationship_level_vendor").id,
    }
    vals.update(overrides)
    return vals


# ----------------------------------------------------------------------
# Dates: tests never write the day they were written on
# ----------------------------------------------------------------------
def today():
    """Today by the clock the addon reads (Python's, see README "Dates")."""
    return fields.Date.from_string(fields.Date.today())


def month_start(day=None, months=0):
    """The first day of ``day``'s month (today's), shifted by ``months``."""
    day = day or today()
    return day.replace(day=1) + relativedelta(months=months)


def month_end(day=None, months=0):
    """The last day of ``day``'s month (today's), shifted by ``months``."""
    return month_start(day, months) + relativedelta(months=1, days=-1)


def hours_ago(hours):
    """``hours`` before now, as Odoo 11's string (the addon's clock)."""
    return fields.Datetime.to_string(
        fields.Datetime.from_string(fields.Datetime.now())
        - timedelta(hours=hours))


def ds(day):
    """A date (or datetime) as Odoo 11's string."""
    if isinstance(day, datetime):
        return fields.Datetime.to_string(day)
    if isinstance(day, date):
        return fields.Date.to_string(day)
    return day


# ----------------------------------------------------------------------
# Odoo's own refusals: a missing access right (ACL) or a record rule
# ----------------------------------------------------------------------
NO_RIGHT = "Sorry, you are not allowed to"
NO_RULE = "security restrictions"


def rights_denied(model, verb):
    """Odoo's text when the access rights of ``model`` refuse; ``verb``:
    access (read), modify (write), create, delete."""
    return r"not allowed to %s[\s\S]*Document model: %s" % (
        verb, re.escape(model))


def rule_denied(document_type, operation):
    """Odoo's text when a record rule refuses."""
    return r"security restrictions[\s\S]*Document type: %s, Operation: %s" \
        % (re.escape(document_type), operation)


def with_cases(runner, cases, ids, prefix="test_case"):
    """Class decorator: one test method per case, named after its id, so
    that Odoo's runner counts and names every case (unittest has no
    ``parametrize``). Each method calls ``self.<runner>(case)``."""
    def decorate(cls):
        for case, case_id in zip(cases, ids):
            name = "%s_%s" % (prefix, re.sub(r"\W+", "_", str(case_id)))
            assert not hasattr(cls, name), "duplicate case id %s" % case_id

            def method(self, case=case):
                return getattr(self, runner)(case)
            method.__name__ = name
            method.__doc__ = "case %s" % case_id
            setattr(cls, name, method)
        return cls
    return decorate


@at_install(False)
@post_install(True)
class KamCase(SavepointCase):
    """Base class of the addon's in-process tests.

    Runs after every module is installed (the tests read views, menus and
    other addons' fields). ``self.env`` is the superuser's environment in a
    transaction rolled back after the class; each test runs in a savepoint.
    Tests act as the demo users through ``self.as_user`` (never as the
    superuser when the test is about what a user may do).

    Every user's time zone is UTC for the class (rolled back with it): the
    addon dates "today" in the user's time zone
    (``fields.Date.context_today``), the tests in UTC (``today()``), and
    Odoo's demo data gives admin Europe/Brussels, whose day starts at 23:00
    UTC: between 23:00 and 24:00 UTC a record dated by admin was "tomorrow"
    for the tests and for the demo users (README "Dates").
    """

    @classmethod
    def setUpClass(cls):
        super(KamCase, cls).setUpClass()
        cls.env["res.users"].with_context(active_test=False).search(
            [("tz", "!=", False)]).write({"tz": False})

    def as_user(self, login):
        return as_user(self.env, login)

    def user(self, login):
        return demo_user(self.env, login)

    def kam_ref(self, name):
        return ref(self.env, name)

    @contextmanager
    def raises_and_rolls_back(self, exc, match=None):
        """Expect ``exc`` (whose text matches ``match``) and undo whatever
        the failed call wrote, as an RPC call's transaction would be."""
        if match:
            ctx = self.assertRaisesRegex(exc, match)
        else:
            ctx = self.assertRaises(exc)
        with ctx as caught:
            with self.env.cr.savepoint():
                yield caught
        self.env.clear()
