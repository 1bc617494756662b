"""Helpers shared by the in-process tests."""
from contextlib import contextmanager

import pytest

from odoo.exceptions import AccessError, ValidationError  # noqa: F401

KAM = "kam_management."


def ref(env, name):
    return env.ref(name if "." in name else KAM + name)


def as_user(env, login_or_xmlid):
    """``env`` for a demo user, the real user and not the superuser."""
    if "." not in login_or_xmlid:
        login_or_xmlid = KAM + "user_" + login_or_xmlid
    return env(user=ref(env, login_or_xmlid).id)


@contextmanager
def raises_and_rolls_back(env, exc, match=None):
    """Expect ``exc`` and undo whatever the failed call wrote, as an RPC
    call's transaction would be."""
    with pytest.raises(exc, match=match):
        with env.cr.savepoint():
            yield
    env.clear()


def make_company(env, name="Test Co", **vals):
    vals.update(name=name, is_company=True)
    return env["res.partner"].create(vals)


def key_account_vals(env, **overrides):
    vals = {
        "kam_is_key_account": True,
        "kam_account_type": "key",
        "kam_manager_id": ref(env, "user_kam_manager_1").id,
        "kam_region_id": ref(env, "region_east_china").id,
        "kam_relationship_level_id": ref(env, "relationship_level_vendor").id,
    }
    vals.update(overrides)
    return vals
