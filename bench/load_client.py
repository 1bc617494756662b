"""The load client of ``make load`` (issue 16): asyncio + aiohttp.

Runs in its own venv (``.venv-load``, bench/requirements-load.txt) and
imports nothing of Odoo. ``load_client.py CONFIG RECORD``: CONFIG (written
by bench/load_run.py) gives the server's URL (127.0.0.1 only), the database,
the virtual users (login, password, role, the accounts and draft reports
each works on), the duration, the think time and a unique marker; RECORD
receives every latency per action, the errors, and the writes the server
acknowledged, which load_run.py compares with the database.

First, the first user of each role does each of its steps SOLO_ROUNDS
times with nobody else (the "alone" figures: what a call costs on an idle
server). Then each virtual user logs in with ``/web/session/authenticate`` (its own
cookie), opens the screens it uses once as the web client does
(``/web/action/load``, then ``load_views`` to learn the fields of each view),
waits for all others, then loops until the end of the run (and at most
MAX_STEPS steps): it picks a step by its role's weights, does the step's
KAM calls and the comparable calls on Odoo's own screens (in a random
order), and thinks for a random time (uniform, mean LOAD_THINK; the first
step too, so that the users do not all start in the same second). Calls are the
JSON-RPC routes of the web client: ``/web/dataset/search_read``,
``/web/dataset/call_kw`` and ``/web/dataset/call_button``.
"""
import ast
import asyncio
import itertools
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone

import aiohttp

MAX_STEPS = 10000
LOGINS = 4  # users logging in and loading their views at once
SOLO_ROUNDS = 3  # steps of each role done alone before the load
TIMEOUT = 300
# the screens: (action's XML id, the view types used; /web/action/load
# calls "list" views "list", as the web client does)
SCREENS = {
    "keyacc": ("kam_management.res_partner_kam_action", ("kanban", "form")),
    "contacts": ("contacts.action_contacts", ("kanban", "form")),
    "orders": ("sale.action_orders", ("list", "form")),
    "compliance": ("kam_management.kam_visit_compliance_action", ("list",)),
    "reports": ("kam_management.kam_report_action", ("list", "form")),
    "teams": ("sales_team.crm_team_salesteams_act", ("kanban",)),
}
# a step's weight per role
WEIGHTS = {
    "kam": {"browse": 3, "visit": 3, "report": 1, "cockpit": 1,
            "compliance": 1},
    "regional": {"browse": 2, "review": 3, "cockpit": 2, "compliance": 2},
    "director": {"browse": 2, "cockpit": 3, "compliance": 2},
}
VIEWS = {}  # role: the screens as its first user loaded them
KANBAN_LIMIT = 40  # the web client's kanban page
LIST_LIMIT = 80  # its list page


class CallError(Exception):
    pass


class Recorder(object):
    def __init__(self):
        self.samples = {}
        self.errors = {}
        self.visits = []
        self.orders = []
        self.reports = []
        self.acknowledged = []
        self.solo = {}
        self.phase = None  # "solo", "load", or None: not measured
        self.logged_in = 0

    def sample(self, action, seconds):
        if self.phase:
            samples = self.samples if self.phase == "load" else self.solo
            samples.setdefault(action, []).append(seconds)

    def error(self, action, message):
        self.errors.setdefault(action, []).append(message)


class User(object):
    def __init__(self, config, user, index, rec):
        self.url = config["url"]
        self.db = config["db"]
        self.user = user
        self.index = index
        self.rec = rec
        self.marker = config["marker"]
        self.think = config["think"]
        self.random = random.Random(config["seed"] * 1000 + index)
        self.ids = itertools.count(1)
        self.context = {}
        self.screens = {}
        self.reports = list(user.get("reports", []))
        self.session = None

    # -- JSON-RPC -------------------------------------------------------
    async def post(self, action, path, params):
        """One call; its latency recorded under ``action``. Raises
        CallError (recorded) on an HTTP or JSON-RPC error."""
        body = {"jsonrpc": "2.0", "method": "call", "params": params,
                "id": next(self.ids)}
        start = time.perf_counter()
        try:
            async with self.session.post(self.url + path, json=body) as resp:
                text = await resp.text()
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            self.rec.error(action, "%s: %r" % (self.user["login"], exc))
            raise CallError(action)
        elapsed = time.perf_counter() - start
        if status != 200:
            self.rec.error(action, "%s: HTTP %d %s" % (
                self.user["login"], status, text[:200]))
            raise CallError(action)
        try:
            data = json.loads(text)
        except ValueError:
            self.rec.error(action, "%s: not JSON: %s" % (
                self.user["login"], text[:200]))
            raise CallError(action)
        if data.get("error"):
            err = data["error"]
            self.rec.error(action, "%s: %s" % (
                self.user["login"],
                (err.get("data") or {}).get("message") or err.get("message")))
            raise CallError(action)
        self.rec.sample(action, elapsed)
        return data["result"]

    def kw(self, **kwargs):
        kwargs.setdefault("context", self.context)
        return kwargs

    async def call_kw(self, action, model, method, args, **kwargs):
        return await self.post(action, "/web/dataset/call_kw/%s/%s" % (
            model, method), {"model": model, "method": method, "args": args,
                             "kwargs": self.kw(**kwargs)})

    async def call_button(self, action, model, method, ids):
        # as the web client: the context after the ids (Odoo takes it out
        # of the arguments again)
        return await self.post(action, "/web/dataset/call_button", {
            "model": model, "method": method, "args": [ids, self.context]})

    async def search_read(self, action, screen, view, domain=None,
                          limit=KANBAN_LIMIT):
        s = self.screens[screen]
        return (await self.post(action, "/web/dataset/search_read", {
            "model": s["model"], "fields": s["fields"][view],
            "domain": s["domain"] + (domain or []),
            "context": dict(self.context, **s["context"]),
            "offset": 0, "limit": limit, "sort": ""}))["records"]

    async def read(self, action, screen, ids):
        s = self.screens[screen]
        return await self.call_kw(
            action, s["model"], "read", [ids, s["fields"]["form"]],
            context=dict(self.context, bin_size=True))

    # -- set-up ---------------------------------------------------------
    async def login(self):
        result = await self.post("login", "/web/session/authenticate", {
            "db": self.db, "login": self.user["login"],
            "password": self.user["password"]})
        if not result.get("uid"):
            self.rec.error("login", "%s: refused" % self.user["login"])
            raise CallError("login")
        self.uid = result["uid"]
        self.context = result["user_context"]
        # the views of a role are the same for all its users: loaded by
        # the role's first user (the set-up is not what is measured)
        role = self.user["role"]
        if role in VIEWS:
            self.screens = VIEWS[role]
            return
        for name, (xmlid, types) in SCREENS.items():
            act = await self.post("load_action", "/web/action/load",
                                  {"action_id": xmlid})
            views = [[vid, vtype] for vid, vtype in act["views"]
                     if vtype in types]
            search = act.get("search_view_id")
            views.append([search[0] if search else False, "search"])
            result = await self.call_kw(
                "load_views", act["res_model"], "load_views", [],
                views=views, options={"action_id": act["id"],
                                      "load_filters": True,
                                      "toolbar": True})
            domain = act.get("domain") or "[]"
            context = act.get("context") or "{}"
            self.screens[name] = {
                "model": act["res_model"],
                # Odoo's own actions: literal Python domains and contexts
                "domain": [list(x) if isinstance(x, tuple) else x
                           for x in ast.literal_eval(domain)]
                if isinstance(domain, str) else domain,
                "context": {} if isinstance(context, str) and "uid" in context
                else (ast.literal_eval(context) if isinstance(context, str)
                      else context),
                "fields": {vtype: sorted(fv["fields"]) for vtype, fv in
                           result["fields_views"].items()}}
        VIEWS[role] = self.screens

    # -- steps: each does the KAM calls and Odoo's comparable calls --------
    async def both(self, kam, odoo):
        pair = [kam, odoo]
        self.random.shuffle(pair)
        for part in pair:
            try:
                await part()
            except CallError:
                pass

    async def step_browse(self):
        async def kam():
            rows = await self.search_read("kam_kanban", "keyacc", "kanban")
            ids = [r["id"] for r in rows] or self.user.get("accounts", [])
            if ids:
                await self.read("kam_form", "keyacc",
                                [self.random.choice(ids)])

        async def odoo():
            rows = await self.search_read("contacts_kanban", "contacts",
                                          "kanban")
            if rows:
                await self.read("contact_form", "contacts",
                                [self.random.choice(rows)["id"]])
        await self.both(kam, odoo)

    def account(self):
        return self.random.choice(self.user["accounts"])

    def now(self, hours=0):
        return (datetime.now(timezone.utc) + timedelta(hours=hours)).strftime(
            "%Y-%m-%d %H:%M:%S")

    async def new_order(self, confirm):
        ref = "%so-%d-%d" % (self.marker, self.index, next(self.ids))
        order = {"ref": ref, "id": None}
        self.rec.orders.append(order)
        order["id"] = await self.call_kw(
            "so_create", "sale.order", "create", [{
                "partner_id": self.account(), "client_order_ref": ref}])
        if confirm:
            await self.call_button("so_confirm", "sale.order",
                                   "action_confirm", [order["id"]])
            order["confirmed"] = True
        return order

    async def step_visit(self):
        async def kam():
            purpose = "%sv-%d-%d" % (self.marker, self.index, next(self.ids))
            visit = {"purpose": purpose, "id": None}
            self.rec.visits.append(visit)
            visit["id"] = await self.call_kw(
                "visit_create", "kam.visit", "create", [{
                    "partner_id": self.account(), "purpose": purpose,
                    "visit_date": self.now(-1), "kind": "on_site",
                    "duration": 1.0}])
            await self.call_button("visit_done", "kam.visit", "action_done",
                                   [visit["id"]])
            visit["done"] = True

        async def odoo():
            await self.new_order(confirm=True)
        await self.both(kam, odoo)

    async def step_report(self):
        if not self.reports:
            return await self.step_visit()
        report_id = self.reports.pop(0)

        async def kam():
            rep = {"id": report_id}
            self.rec.reports.append(rep)
            await self.read("report_form", "reports", [report_id])
            comments = "%sr-%d-%d" % (self.marker, self.index, report_id)
            await self.call_kw("report_write", "kam.report", "write",
                               [[report_id], {"comments": comments}])
            rep["comments"] = comments
            await self.call_button("report_submit", "kam.report",
                                   "action_submit", [report_id])
            rep["submitted"] = True

        async def odoo():
            order = await self.new_order(confirm=False)
            await self.read("so_form", "orders", [order["id"]])
            note = order["ref"] + "-note"
            await self.call_kw("so_write", "sale.order", "write",
                               [[order["id"]], {"note": note}])
            order["note"] = note
            await self.call_button("so_confirm", "sale.order",
                                   "action_confirm", [order["id"]])
            order["confirmed"] = True
        await self.both(kam, odoo)

    async def step_review(self):
        async def kam():
            rows = await self.search_read(
                "report_list", "reports", "list", limit=LIST_LIMIT,
                domain=[["state", "=", "submitted"],
                        ["reviewer_id", "=", self.uid]])
            if not rows:
                return
            report_id = rows[0]["id"]
            await self.read("report_form", "reports", [report_id])
            await self.call_button("report_review", "kam.report",
                                   "action_acknowledge", [report_id])
            self.rec.acknowledged.append(report_id)

        async def odoo():
            rows = await self.search_read("so_list", "orders", "list",
                                          limit=LIST_LIMIT)
            if rows:
                await self.read("so_form", "orders", [rows[0]["id"]])
            await self.new_order(confirm=True)
        await self.both(kam, odoo)

    async def step_cockpit(self):
        async def kam():
            await self.call_kw("cockpit", "kam.dashboard",
                               "kam_dashboard_data", [])

        async def odoo():
            await self.search_read("sales_dashboard", "teams", "kanban")
        await self.both(kam, odoo)

    async def step_compliance(self):
        async def kam():
            await self.search_read("compliance_list", "compliance", "list",
                                   limit=LIST_LIMIT)

        async def odoo():
            await self.search_read("so_list", "orders", "list",
                                   limit=LIST_LIMIT)
        await self.both(kam, odoo)

    # -- the loop -------------------------------------------------------
    def new_session(self):
        jar = aiohttp.CookieJar(unsafe=True)  # 127.0.0.1 is an IP address
        return aiohttp.ClientSession(
            cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=TIMEOUT))

    async def alone(self, rounds):
        """Each step of the role ``rounds`` times, with nobody else."""
        async with self.new_session() as session:
            self.session = session
            try:
                await self.login()
            except CallError:
                return
            for _round in range(rounds):
                for name in sorted(WEIGHTS[self.user["role"]]):
                    await getattr(self, "step_" + name)()

    async def run(self, logins, start, deadline):
        async with self.new_session() as session:
            self.session = session
            try:
                async with logins:  # a few at a time, as people arrive
                    await self.login()
            except CallError:
                return
            finally:
                self.rec.logged_in += 1
            await start.wait()
            # people do not all click in the same second
            await asyncio.sleep(self.random.uniform(0, 2 * self.think))
            weights = WEIGHTS[self.user["role"]]
            names = sorted(weights)
            for _step in range(MAX_STEPS):
                if time.monotonic() >= deadline[0]:
                    break
                name = self.random.choices(
                    names, [weights[n] for n in names])[0]
                await getattr(self, "step_" + name)()
                await asyncio.sleep(self.random.uniform(0, 2 * self.think))


async def main(config_path, record_path):
    with open(config_path) as inp:
        config = json.load(inp)
    rec = Recorder()
    users = [User(config, user, i, rec)
             for i, user in enumerate(config["users"])]
    # first, one user of each role alone: what each call costs unloaded
    rec.phase = "solo"
    for role in ("kam", "regional", "director"):
        first = [u for u in users if u.user["role"] == role][:1]
        for user in first:
            await user.alone(config.get("solo_rounds", SOLO_ROUNDS))
    rec.phase = None
    start = asyncio.Event()
    deadline = [float("inf")]
    logins = asyncio.Semaphore(LOGINS)
    tasks = [asyncio.ensure_future(u.run(logins, start, deadline))
             for u in users]
    # every user logged in and knows its screens: the measure starts
    while rec.logged_in < len(users):
        await asyncio.sleep(0.2)
    began = time.monotonic()
    deadline[0] = began + config["seconds"]
    rec.phase = "load"
    start.set()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - began
    rec.phase = None
    with open(record_path, "w") as out:
        json.dump({"samples": rec.samples, "solo": rec.solo,
                   "errors": rec.errors,
                   "elapsed": elapsed, "visits": rec.visits,
                   "orders": rec.orders, "reports": rec.reports,
                   "acknowledged": rec.acknowledged}, out)
    print("load client: %d users, %.1f s, %d calls, %d errors" % (
        len(users), elapsed, sum(len(v) for v in rec.samples.values()),
        sum(len(v) for v in rec.errors.values())))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
