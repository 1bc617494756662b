"""Bad-input sweep (issue 7) over XML-RPC against a real server: the cases
of the declarative table marked ``rpc``.

The table, its markers and the in-process run of every case (plus the
import cases and the coverage checks) are in the addon,
``kam_management/tests/test_bad_input.py``, run by Odoo's runner. Here each
``rpc`` case is called as its demo user over XML-RPC: it must end in a clear
error (a UserError or ValidationError naming the field, never a crash) and
leave nothing half-written. The failed call's transaction is rolled back by
Odoo itself and the records are counted afterwards, in other transactions:
a real check of "nothing written" (in-process, the test's own rollback
would make it hold by construction).
"""
import re
import xmlrpc.client

import pytest

# data and functions only: importing a TestCase class here would make
# pytest collect it
from odoo.addons.kam_management.tests.test_bad_input import (
    CASES, MISSING, Q, QV, R, case_vals)


# ----------------------------------------------------------------------
# Over XML-RPC
# ----------------------------------------------------------------------
RPC_CASES = [c for c in CASES if c.rpc]


def rpc_resolve(value, server):
    """Replace the ``R``, ``Q`` and ``QV`` markers of the table by database
    values, as admin."""
    if isinstance(value, R):
        return server.ref(value)
    if isinstance(value, QV):
        model, domain, fname = value
        found = server.call("admin", model, "search_read",
                            rpc_resolve(domain, server), fields=[fname],
                            limit=1)
        return found[0][fname] if found else None
    if isinstance(value, Q):
        model, domain = value
        return server.call("admin", model, "search",
                           rpc_resolve(domain, server), limit=1)[0]
    if isinstance(value, dict):
        return {k: rpc_resolve(v, server) for k, v in value.items()
                if v is not MISSING}
    if isinstance(value, (list, tuple)):
        return [rpc_resolve(v, server) for v in value]
    return value


def rpc_counts(server, model):
    counts = {m: server.call("admin", m, "search_count", [])
              for m in ("mail.message", "mail.activity",
                        "kam.relationship.history",
                        "kam.requirement.stage.log", "kam.support.team",
                        "kam.relationship.level.request")}
    counts[model] = server.call("admin", model, "search_count",
                                [("active", "in", [True, False])]
                                if "active" in server.call(
                                    "admin", model, "fields_get",
                                    attributes=["type"]) else [])
    return counts


def rpc_stored(server, case, record_id):
    if not record_id:
        return None
    known = server.call("admin", case.model, "fields_get",
                        attributes=["type"])
    fnames = [f for f in list(case.vals) + ["state", "write_date"]
              if f in known]
    return server.call("admin", case.model, "read", [record_id], fnames)


@pytest.mark.parametrize("case", RPC_CASES, ids=[c.id for c in RPC_CASES])
def test_bad_input_over_rpc(server, case):
    vals = rpc_resolve(case_vals(case), server)
    record_id = rpc_resolve(case.record, server)
    before = rpc_counts(server, case.model), rpc_stored(server, case,
                                                        record_id)
    with pytest.raises(xmlrpc.client.Fault) as info:
        if case.op == "create":
            server.call(case.login, case.model, "create", vals)
        elif case.op == "write":
            server.call(case.login, case.model, "write", [record_id], vals)
        else:
            server.call(case.login, case.model, case.method, [record_id],
                        **vals)
    message = info.value.faultString
    assert re.search(case.match, message), message
    # a clear error, not a crash: Odoo 11 sends a UserError as a warning
    # (fault code 2) and a ValidationError with its server traceback, whose
    # last line is the error and its message (never psycopg2, KeyError...)
    last = message.strip().splitlines()[-1]
    assert info.value.faultCode == 2 or last.startswith(
        "odoo.exceptions.ValidationError: "), message
    after = rpc_counts(server, case.model), rpc_stored(server, case,
                                                       record_id)
    assert after == before, "something was written"
