# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The cockpits of the three roles (issue 15; R2, R4, R8, R10, R13, R16).

``kam.dashboard.kam_dashboard_data()`` returns the figures of the caller's
cockpit: 我的工作台 for a key account manager (and support staff), 区域驾驶舱
for a regional manager, 总监驾驶舱 for a sales director (and the sales
secretary, who reads every key account). The web client draws them
(``static/src/js/kam_dashboard.js``, client action
``kam_management.action_kam_dashboard``).

Every figure is counted in the **reader's environment**: the searches and
``read_group`` calls go through the caller's record rules, on top of the
role's own scope (a KAM: the accounts they manage; support staff: the
accounts of their teams; a regional manager: their regions' accounts; a
director: all). Each tile carries the model and domain it counted, so the
list it opens holds exactly the records behind the number.

The reader's accounts are searched once (``kam_dashboard_data``); the
models pointing to an account are counted among those ids, the tiles of
one model in one query (``_kam_counts``), the tables in one ``read_group``
per model, the sales in one aggregation per series. The number of SQL
queries is fixed; it does not grow with the number of accounts
(``test_dashboard.py``, ``bench/bench_dashboard.py``).
"""
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models

from .kam_requirement import OPEN_STATES as REQUIREMENT_OPEN
from .kam_sales import CONFIRMED_SALES_CTE, sales_params

KA = [("kam_is_key_account", "=", True)]
COMPLAINT_OPEN = ("new", "in_progress")
MONTHS = 12
TOP_MOVERS = 5

# Confirmed sales per month, per region or per KAM: the grouping columns
# are these constants, never text from the caller.
SALES_BY = {
    "month": "date_trunc('month', c.sale_date)::date",
    "region": "a.kam_region_id",
    "kam": "a.kam_manager_id",
    "key": "a.kam_is_key_account",
}
SALES_SQL = CONFIRMED_SALES_CTE + """
SELECT {group}, SUM(c.amount)
  FROM converted c
  JOIN res_partner a ON a.id = c.partner_id
 GROUP BY 1
"""
# Counts of parts of one search (_kam_counts): the clauses are the ORM's
# compilation of domains, their values parameters.
COUNTS_SQL = "SELECT {columns} FROM {tables} WHERE {where}"
COUNT_PART = "COUNT(*) FILTER (WHERE {where})"
# The targets pro rata to each month they share (as kam.target does for
# one period), for the targets the reader may read (their ids).
TARGET_MONTHS_SQL = """
SELECT m.month::date,
       SUM(t.amount
           * (LEAST(t.date_to, (m.month + interval '1 month - 1 day')::date)
              - GREATEST(t.date_from, m.month::date) + 1)
           / (t.date_to - t.date_from + 1))
  FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month')
       AS m(month)
  JOIN kam_target t
    ON t.date_from <= (m.month + interval '1 month - 1 day')::date
   AND t.date_to >= m.month::date
 WHERE t.id = ANY(%(ids)s)
 GROUP BY 1
"""
# R + F + M of each account in its latest monthly RFM snapshot against the
# month before (R13, R16).
RFM_MOVES_SQL = """
WITH last AS (
    SELECT max(month) AS month FROM kam_rfm_snapshot
     WHERE partner_id = ANY(%(ids)s)
)
SELECT cur.partner_id,
       (cur.r_score + cur.f_score + cur.m_score)
       - (prev.r_score + prev.f_score + prev.m_score)
  FROM last
  JOIN kam_rfm_snapshot cur ON cur.month = last.month
  JOIN kam_rfm_snapshot prev
    ON prev.partner_id = cur.partner_id
   AND prev.month = (cur.month - interval '1 month')::date
 WHERE cur.partner_id = ANY(%(ids)s)
"""


def no_none(value):
    """``value`` with every None (a figure without a base) as False, as
    the addon's figures read over RPC (XML-RPC cannot send None)."""
    if isinstance(value, dict):
        return {key: no_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [no_none(item) for item in value]
    return False if value is None else value


def ratio(numerator, denominator):
    """numerator / denominator x 100, rounded; None without a base."""
    if not denominator:
        return None
    return round(100.0 * numerator / denominator, 1)


class KamDashboard(models.AbstractModel):
    """The figures of the role cockpits; no table of its own."""

    _name = "kam.dashboard"
    _description = "Key-Account Cockpit"

    # ------------------------------------------------------------------
    # Role and scope
    # ------------------------------------------------------------------
    @api.model
    def _kam_role(self):
        """'director', 'regional', 'kam' or 'support' for the caller."""
        user = self.env.user
        if user.has_group("kam_management.group_kam_director") or \
                user.has_group("kam_management.group_kam_secretary"):
            return "director"
        if user.has_group("kam_management.group_kam_regional_manager"):
            return "regional"
        if user.has_group("kam_management.group_kam_user"):
            return "kam"
        return "support"

    @api.model
    def _kam_scope(self, role, prefix=""):
        """The key accounts of the role's cockpit, as a domain on
        ``res.partner`` (``prefix`` ``"partner_id."`` for the models that
        point to the account). The record rules apply on top of it."""
        uid = self.env.uid
        domain = [("kam_is_key_account", "=", True)]
        if role == "kam":
            domain.append(("kam_manager_id", "=", uid))
        elif role == "support":
            domain.append(("kam_support_user_ids", "in", [uid]))
        elif role == "regional":
            domain.append(("kam_region_id.manager_id", "=", uid))
        return [(prefix + leaf[0],) + leaf[1:] for leaf in domain]

    # ------------------------------------------------------------------
    # Building blocks: a tile is a count of records, and the records
    # ------------------------------------------------------------------
    @api.model
    def _kam_action(self, model, domain, name, views=("list", "form")):
        return {"res_model": model, "domain": domain, "name": name,
                "views": list(views)}

    @api.model
    def _kam_tile(self, key, model, domain, label, help_text, kind="warn",
                  counted=None):
        """A number of records (one ``search_count`` as the reader) of
        ``counted``, the same records as ``domain`` (the list a click
        opens) when given."""
        value = self.env[model].search_count(
            domain if counted is None else counted)
        return self._kam_count_tile(key, model, domain, label, help_text,
                                    kind, value)

    @api.model
    def _kam_count_tile(self, key, model, domain, label, help_text, kind,
                        value):
        """The tile of ``value`` records of ``model``, counted by the
        caller; a click opens ``domain``, the same records."""
        return {"key": key, "label": label, "value": value,
                "display": str(value), "help": help_text, "kind": kind,
                "action": self._kam_action(model, domain, label)}

    @api.model
    def _kam_counts(self, model, base, parts):
        """[count of ``base`` & part for part in ``parts``] in ONE query:
        the records of ``base`` the reader finds under their record rules
        (the query ``search`` would run), counted per part with
        ``COUNT(*) FILTER``. Every clause is the ORM's own compilation of
        a domain, its values passed as parameters."""
        Model = self.env[model]
        Model.check_access_rights("read")
        query = Model._where_calc(base)
        Model._apply_ir_rules(query, "read")
        tables, where, params = query.get_sql()
        columns, column_params = [], []
        for part in parts:
            part_tables, part_where, part_params = Model._where_calc(
                part, active_test=False).get_sql()
            if part_tables != '"%s"' % Model._table:
                # a part joining another table: its own count
                columns.append("%s")
                column_params.append(Model.search_count(base + part))
                continue
            columns.append(COUNT_PART.replace("{where}",
                                              part_where or "TRUE"))
            column_params += part_params
        # the ORM's clauses (as read_group builds its query), values as
        # parameters
        self.env.cr.execute(
            COUNTS_SQL.replace("{columns}", ", ".join(columns)).replace(
                "{tables}", tables).replace("{where}", where or "TRUE"),
            column_params + params)
        return list(self.env.cr.fetchone())

    @api.model
    def _kam_tiles(self, model, base, action_base, specs):
        """Tiles counting ``model`` in one query (``_kam_counts``).

        ``base`` is the domain counted, ``action_base`` the same records
        as the list a click opens shows them (the role's scope, readable
        in the web client); ``specs``: (key, domain part, label, help,
        kind)."""
        counts = self._kam_counts(model, base, [spec[1] for spec in specs])
        return [self._kam_count_tile(key, model, action_base + part, label,
                                     help_text, kind, value)
                for (key, part, label, help_text, kind), value
                in zip(specs, counts)]

    @api.model
    def _kam_dates(self):
        today = fields.Date.from_string(fields.Date.context_today(self))
        month = today.replace(day=1)
        quarter = month.replace(month=3 * ((month.month - 1) // 3) + 1)
        week_end = today + timedelta(days=6 - today.weekday())
        return {
            "today": today, "month": month, "quarter": quarter,
            "week_end": week_end,
            "first": month - relativedelta(months=MONTHS - 1),
            "next_month": month + relativedelta(months=1),
            "quarter_end": quarter + relativedelta(months=3, days=-1),
        }

    @api.model
    def _kam_months(self, dates):
        return [fields.Date.to_string(dates["first"] + relativedelta(
            months=i)) for i in range(MONTHS)]

    # ------------------------------------------------------------------
    # Sales and targets (R4): the one definition of confirmed sales
    # ------------------------------------------------------------------
    @api.model
    def _kam_sales(self, by, account_ids, date_from, date_to):
        """{group: amount} of the confirmed sales of ``account_ids`` (the
        accounts the reader found under their own record rules) in
        ``[date_from, date_to)``, in the reader's company currency. One
        query, in SQL because sale orders of the accounts' contacts count
        too and the amounts are converted per day (README "Confirmed
        sales"); the accounts are the reader's, so nobody else's sales
        are summed."""
        if not account_ids:
            return {}
        currency = self.env.user.company_id.currency_id
        self.env.cr.execute(
            SALES_SQL.replace("{group}", SALES_BY[by]),
            sales_params(fields.Date.to_string(date_from),
                         fields.Date.to_string(date_to), account_ids,
                         currency.id))
        return {key: float(amount or 0.0)
                for key, amount in self.env.cr.fetchall()}

    @api.model
    def _kam_target_months(self, target_domain, dates):
        """{month: target}: the targets the reader may read (record
        rules of kam.target) in their company, pro rata per month."""
        Target = self.env["kam.target"]
        targets = Target.search(target_domain + [
            ("company_id", "=", self.env.user.company_id.id),
            ("date_from", "<=", fields.Date.to_string(dates["quarter_end"])),
            ("date_to", ">=", fields.Date.to_string(dates["first"]))])
        if not targets:
            return {}
        self.env.cr.execute(TARGET_MONTHS_SQL, {
            "first": dates["first"], "last": dates["quarter_end"],
            "ids": targets.ids})
        return {str(month)[:10]: float(amount)
                for month, amount in self.env.cr.fetchall()}

    @api.model
    def _kam_target_domain(self, role, account_ids):
        if role in ("kam", "support"):
            return [("user_id", "=", self.env.uid)]
        if role == "regional":
            groups = self.env["res.partner"].read_group(
                [("id", "in", account_ids)], ["kam_manager_id"],
                ["kam_manager_id"])
            return [("user_id", "in", [g["kam_manager_id"][0]
                                       for g in groups
                                       if g["kam_manager_id"]])]
        return []

    @api.model
    def _kam_sales_block(self, role, account_ids, dates):
        """The 12-month chart of confirmed sales against target, and the
        month's and quarter's progress gauges."""
        sales = self._kam_sales("month", account_ids, dates["first"],
                                dates["next_month"])
        sales = {str(k)[:10]: v for k, v in sales.items()}
        targets = self._kam_target_months(
            self._kam_target_domain(role, account_ids), dates)
        months = self._kam_months(dates)
        # the orders behind the amounts, for readers with Sales rights
        orders = self.env["sale.order"].check_access_rights(
            "read", raise_exception=False)
        order_domain = [
            ("state", "in", ("sale", "done")),
            ("partner_id.commercial_partner_id", "in", account_ids)]
        chart = {
            "key": "sales_12m", "type": "line",
            "title": _("Confirmed Sales against Target, 12 Months"),
            "help": _("Confirmed sales: untaxed total of the sale orders in "
                      "state Sales Order or Locked of the accounts and their "
                      "contacts, by confirmation month, in your company's "
                      "currency. Target: the sales targets pro rata to the "
                      "days they share with each month."),
            "series": [
                {"key": _("Confirmed Sales"),
                 "values": [{"x": i, "label": m[:7],
                             "y": round(sales.get(m, 0.0), 2)}
                            for i, m in enumerate(months)]},
                {"key": _("Target"),
                 "values": [{"x": i, "label": m[:7],
                             "y": round(targets.get(m, 0.0), 2)}
                            for i, m in enumerate(months)]},
            ],
            "action": orders and self._kam_action(
                "sale.order", order_domain + [
                    ("confirmation_date", ">=",
                     fields.Date.to_string(dates["first"]))],
                _("Confirmed Sales")),
        }
        month = fields.Date.to_string(dates["month"])
        quarter_months = [fields.Date.to_string(
            dates["quarter"] + relativedelta(months=i)) for i in range(3)]
        month_sales = sales.get(month, 0.0)
        quarter_sales = sum(sales.get(m, 0.0) for m in quarter_months)
        quarter_target = sum(targets.get(m, 0.0) for m in quarter_months)
        gauges = []
        for key, label, amount, target, start in (
                ("target_month", _("Month Target"), month_sales,
                 targets.get(month, 0.0), dates["month"]),
                ("target_quarter", _("Quarter Target"), quarter_sales,
                 quarter_target, dates["quarter"])):
            gauges.append({
                "key": key, "label": label, "value": ratio(amount, target),
                "sales": round(amount, 2), "target": round(target, 2),
                "help": _("Confirmed sales since the %s ÷ target of the "
                          "period × 100 (empty without a target).")
                % fields.Date.to_string(start),
                "action": orders and self._kam_action(
                    "sale.order", order_domain + [
                        ("confirmation_date", ">=",
                         fields.Date.to_string(start))], label),
            })
        return chart, gauges

    # ------------------------------------------------------------------
    # Shared figures
    # ------------------------------------------------------------------
    @api.model
    def _kam_rfm_moves(self, account_ids):
        """{account id: change of R + F + M} between the latest monthly
        RFM snapshot and the month before, of the reader's accounts."""
        if not account_ids:
            return {}
        self.env.cr.execute(RFM_MOVES_SQL, {"ids": account_ids})
        return dict(self.env.cr.fetchall())

    @api.model
    def _kam_compliance_trend(self, domain, dates):
        """Average *Compliant (%)* of Compliance by Month per month
        (read_group as the reader)."""
        Snap = self.env["kam.visit.compliance.snapshot"]
        groups = Snap.read_group(
            domain + [("month", ">=", fields.Date.to_string(dates["first"]))],
            ["compliant_pct", "month"], ["month:month"], lazy=False)
        found = {}
        for group in groups:
            start = [leaf[2] for leaf in group["__domain"]
                     if isinstance(leaf, (list, tuple)) and
                     leaf[0] == "month" and leaf[1] == ">="]
            if start:
                found[start[0][:7]] = group["compliant_pct"]
        months = self._kam_months(dates)
        return [{"x": i, "label": m[:7],
                 "y": round(found[m[:7]], 1) if m[:7] in found else None}
                for i, m in enumerate(months)]

    @api.model
    def _kam_compliance_chart(self, domain, dates):
        return {
            "key": "compliance_12m", "type": "line",
            "title": _("Visit Compliance, 12 Months (%)"),
            "help": _("Compliance by Month: share of the visit-rule rows "
                      "of the accounts never overdue during the month."),
            "series": [{"key": _("Visit Compliance (%)"),
                        "values": self._kam_compliance_trend(domain, dates)}],
            "action": self._kam_action(
                "kam.visit.compliance.snapshot", domain + [
                    ("month", ">=", fields.Date.to_string(dates["first"]))],
                _("Compliance by Month"), ("pivot", "graph", "list")),
        }

    # ------------------------------------------------------------------
    # The cockpits
    # ------------------------------------------------------------------
    @api.model
    def kam_dashboard_data(self):
        """The figures of the caller's cockpit (see the module docstring).

        Refused to users outside the key-account groups (access rights of
        ``kam.dashboard``); every count is made as the caller."""
        self.check_access_rights("read")
        role = self._kam_role()
        dates = self._kam_dates()
        scope = self._kam_scope(role)
        accounts = self.env["res.partner"].search(scope)
        # The accounts once more as the path ``partner_id.…`` of the
        # role's scope reads them (archived ones too): the figures of the
        # models pointing to an account count ``partner_id in`` these ids,
        # the same records as the scope the tiles' lists show, without
        # resolving the scope again for each figure.
        dates["partner_ids"] = self.env["res.partner"].with_context(
            active_test=False).search(scope).ids
        builder = {"director": self._kam_director_cockpit,
                   "regional": self._kam_regional_cockpit}.get(
                       role, self._kam_workbench)
        data = builder(role, accounts.ids, dates)
        data.update(role=role, account_count=len(accounts),
                    currency=self.env.user.company_id.currency_id.symbol,
                    today=fields.Date.to_string(dates["today"]))
        return no_none(data)

    @api.model
    def _kam_common_tiles(self, role, dates):
        p_scope = self._kam_scope(role, "partner_id.")
        mine = self._kam_of_accounts(dates)
        requirements = [
            ("requirements_open", [("state", "in", REQUIREMENT_OPEN)],
             _("Open Requirements"),
             _("Requirements of the accounts in a stage before "
               "Delivered (Received, Drafting, Review, Approved)."),
             "info"),
            ("requirements_late", [("state", "in", REQUIREMENT_OPEN),
                                   ("is_overdue", "=", True)],
             _("Requirements Late"),
             _("Open requirements longer in their stage than the stage "
               "target (Configuration ▸ Requirement Stage Targets)."),
             "warn"),
        ]
        if role == "regional":
            requirements.append((
                "solutions_to_review", [("state", "=", "review")],
                _("Solutions in Review"),
                _("Requirements of the region's accounts whose solution "
                  "waits for review and approval (R6)."), "warn"))
        return self._kam_tiles(
            "kam.requirement", mine, p_scope, requirements) + \
            self._kam_tiles("kam.complaint", mine, p_scope, [
                ("complaints_open", [("state", "in", COMPLAINT_OPEN)],
                 _("Open Complaints"),
                 _("Complaints of the accounts Received or In Progress."),
                 "info"),
                ("complaints_late", [("state", "in", COMPLAINT_OPEN), "|",
                                     ("response_breached", "=", True),
                                     ("resolution_breached", "=", True)],
                 _("Complaints Late"),
                 _("Open complaints that missed the service station's "
                   "response or resolution commitment (R7)."), "warn"),
            ])

    @api.model
    def _kam_of_accounts(self, dates):
        """The records of the reader's accounts (``partner_id`` among the
        ids found once in ``kam_dashboard_data``)."""
        return [("partner_id", "in", dates["partner_ids"])]

    @api.model
    def _kam_risk_tiles(self, role, account_ids, more=()):
        """Tiles of the reader's accounts (one query): at risk, RFM fell,
        and the ``more`` specs of the caller."""
        scope = self._kam_scope(role)
        moves = self._kam_rfm_moves(account_ids)
        fell = sorted(pid for pid, delta in moves.items() if delta < 0)
        return self._kam_tiles(
            "res.partner", [("id", "in", account_ids)], scope, [
                ("accounts_at_risk", [("kam_churn_risk", "=", True)],
                 _("Accounts at Risk"),
                 _("Key accounts flagged at churn risk by the last RFM "
                   "refresh (R16)."), "warn"),
                ("rfm_fell", [("id", "in", fell)], _("RFM Score Fell"),
                 _("Key accounts whose R + F + M in the latest monthly RFM "
                   "snapshot is lower than the month before (R13)."),
                 "warn"),
            ] + list(more)), moves

    @api.model
    def _kam_workbench(self, role, account_ids, dates):
        """我的工作台: what the KAM (or support staff) has to act on."""
        uid = self.env.uid
        p_scope = self._kam_scope(role, "partner_id.")
        mine = self._kam_of_accounts(dates)
        rows, rows_counted = ([("responsible_id", "=", uid)],) * 2 \
            if role == "kam" else (p_scope + [("role", "=", "kam")],
                                   mine + [("role", "=", "kam")])
        tiles = self._kam_tiles("kam.visit.compliance", rows_counted, rows, [
            ("visits_due_week", [
                ("state", "!=", "overdue"),
                ("due_date", "<=", fields.Date.to_string(dates["week_end"]))],
             _("Visits Due This Week"),
             _("Visit-rule rows (R8) you are responsible for whose next "
               "visit is due by Sunday and not yet overdue."), "warn"),
            ("visits_overdue", [("state", "=", "overdue")],
             _("Visits Overdue"),
             _("Visit-rule rows (R8) you are responsible for whose due "
               "date has passed without a visit that counts."), "danger"),
        ]) + [
            self._kam_tile(
                "reports_to_write", "kam.visit",
                [("user_id", "=", uid), ("state", "=", "done")],
                _("Visit Reports to Write"),
                _("Your visits marked done whose report is not submitted "
                  "yet (or was sent back).")),
            self._kam_tile(
                "level_requests_pending", "kam.relationship.level.request",
                p_scope + [("state", "=", "pending")],
                _("Level Requests Pending"),
                _("Requests for a change of relationship level of the "
                  "accounts waiting for a decision (R11)."), "info",
                counted=mine + [("state", "=", "pending")]),
        ]
        tiles += self._kam_common_tiles(role, dates)
        risk, _moves = self._kam_risk_tiles(role, account_ids)
        tiles += risk
        tiles.append(self._kam_tile(
            "info_unacknowledged", "kam.info",
            p_scope + [("state", "=", "new")],
            _("Information Not Acknowledged"),
            _("Information items of the accounts still New: not yet "
              "acknowledged by the regional manager or a director (R10)."),
            counted=mine + [("state", "=", "new")]))
        chart, gauges = self._kam_sales_block(role, account_ids, dates)
        return {"title": _("My Workbench"), "tiles": tiles,
                "gauges": gauges, "charts": [chart], "tables": []}

    @api.model
    def _kam_level_funnel(self, role, account_ids):
        """Accounts per relationship level, lowest level first (R11)."""
        scope = self._kam_scope(role)
        groups = self.env["res.partner"].read_group(
            [("id", "in", account_ids)], ["kam_relationship_level_id"],
            ["kam_relationship_level_id"])
        # in their order (sequence), names in one read
        levels = self.env["kam.relationship.level"].search_read(
            [], ["name"])
        counts = {g["kam_relationship_level_id"][0]:
                  g["kam_relationship_level_id_count"]
                  for g in groups if g["kam_relationship_level_id"]}
        values = []
        for i, level in enumerate(levels):
            domain = scope + [("kam_relationship_level_id", "=", level["id"])]
            values.append({
                "x": i, "label": level["name"],
                "y": counts.get(level["id"], 0),
                "action": self._kam_action("res.partner", domain,
                                           level["name"])})
        return {
            "key": "level_funnel", "type": "funnel",
            "title": _("Relationship Levels"),
            "help": _("Key accounts at each relationship level, from "
                      "vendor up to strategic alliance (R11)."),
            "series": [{"key": _("Key Accounts"), "values": values}],
        }

    @api.model
    def _kam_level_moves(self, role, dates):
        p_scope = self._kam_scope(role, "partner_id.")
        month = fields.Date.to_string(dates["month"])
        domain = p_scope + [("date", ">=", month)]
        labels = dict(self.env["kam.relationship.history"]._fields[
            "direction"]._description_selection(self.env))
        groups = self.env["kam.relationship.history"].read_group(
            self._kam_of_accounts(dates) + [("date", ">=", month)],
            ["direction"], ["direction"])
        counts = {g["direction"]: g["direction_count"] for g in groups}
        values = [{"x": i, "label": labels[key], "y": counts.get(key, 0),
                   "action": self._kam_action(
                       "kam.relationship.history",
                       domain + [("direction", "=", key)], labels[key])}
                  for i, key in enumerate(sorted(labels))]
        return {
            "key": "level_moves", "type": "bar",
            "title": _("Level Changes This Month"),
            "help": _("Relationship-history rows dated this month, by "
                      "direction."),
            "series": [{"key": _("Changes"), "values": values}],
        }

    @api.model
    def _kam_ranking(self, role, account_ids, dates):
        """The region's KAMs ranked by visit compliance and by target
        achievement of the month."""
        p_scope = self._kam_scope(role, "partner_id.")
        rows = p_scope + [("role", "=", "kam")]
        total, ok = {}, {}
        for group in self.env["kam.visit.compliance"].read_group(
                self._kam_of_accounts(dates) + [("role", "=", "kam")],
                ["responsible_id", "state"], ["responsible_id", "state"],
                lazy=False):
            if not group["responsible_id"]:
                continue
            kam = group["responsible_id"][0]
            total[kam] = total.get(kam, 0) + group["__count"]
            if group["state"] != "overdue":
                ok[kam] = ok.get(kam, 0) + group["__count"]
        sales = self._kam_sales("kam", account_ids, dates["month"],
                                dates["next_month"])
        kam_ids = set(total) | {k for k in sales if k}
        month = fields.Date.to_string(dates["month"])
        targets = self.env["kam.target"]._kam_target_amounts(
            list(kam_ids), month,
            fields.Date.to_string(dates["next_month"] - timedelta(days=1)),
            self.env.user.company_id.id) if kam_ids else {}
        users = self.env["res.users"].browse(sorted(kam_ids))
        lines = []
        for user in users:
            compliance = ratio(ok.get(user.id, 0), total.get(user.id, 0))
            achievement = ratio(sales.get(user.id, 0.0),
                                targets.get(user.id, 0.0))
            lines.append({
                "name": user.name, "user_id": user.id,
                "compliance": compliance, "achievement": achievement,
                "action": self._kam_action(
                    "kam.visit.compliance",
                    rows + [("responsible_id", "=", user.id)],
                    user.name)})
        key = (lambda line: -1 if line["compliance"] is None
               else line["compliance"])
        return {
            "key": "kam_ranking", "title": _("KAMs Ranked"),
            "help": _("Visit compliance: the KAM's visit-rule rows of the "
                      "region not overdue now ÷ all their rows × 100. "
                      "Target achievement: confirmed sales of the month of "
                      "the KAM's accounts in the region ÷ the KAM's target "
                      "of the month × 100."),
            "columns": [_("Key Account Manager"), _("Visit Compliance (%)"),
                        _("Target Achievement (%)")],
            "lines": sorted(lines, key=key, reverse=True),
        }

    @api.model
    def _kam_regional_cockpit(self, role, account_ids, dates):
        """区域驾驶舱: the region's compliance, reviews, risks, levels and
        sales."""
        uid = self.env.uid
        p_scope = self._kam_scope(role, "partner_id.")
        all_rows, ok_rows, overdue_rows = self._kam_counts(
            "kam.visit.compliance", self._kam_of_accounts(dates),
            [[], [("state", "!=", "overdue")], [("state", "=", "overdue")]])
        compliance = ratio(ok_rows, all_rows)
        previous = fields.Date.to_string(
            dates["month"] - relativedelta(months=1))
        tiles = [
            {"key": "compliance_pct", "label": _("Visit Compliance (%)"),
             "value": compliance,
             "display": "-" if compliance is None else "%s %%" % compliance,
             "help": _("Visit-rule rows (R8) of the region's accounts not "
                       "overdue now ÷ all rows × 100; the list shows all "
                       "%s rows.") % all_rows,
             "kind": "info",
             "count": all_rows,
             "action": self._kam_action("kam.visit.compliance", p_scope,
                                        _("Visit Compliance"))},
            self._kam_count_tile(
                "visits_overdue", "kam.visit.compliance",
                p_scope + [("state", "=", "overdue")], _("Visits Overdue"),
                _("Visit-rule rows (R8) of the region's accounts whose due "
                  "date has passed."), "danger", overdue_rows),
            self._kam_tile(
                "reports_to_review", "kam.visit",
                [("state", "=", "submitted"), ("reviewer_id", "=", uid)],
                _("Visit Reports to Review"),
                _("Submitted visit reports you review (the visitors' "
                  "supervisor).")),
        ] + self._kam_tiles("kam.report", [], [], [
            ("month_reports_to_review",
             [("state", "=", "submitted"), ("reviewer_id", "=", uid)],
             _("Month-End Reports to Review"),
             _("Month-end reports submitted to you, to acknowledge."),
             "warn"),
            ("meetings_to_schedule",
             [("report_type", "=", "region_monthly"),
              ("region_id.manager_id", "=", uid),
              ("period_start", "=", previous),
              ("state", "!=", "acknowledged"),
              ("meeting_id", "=", False)],
             _("Monthly Meeting to Schedule"),
             _("Last month's regional reports of your regions without "
               "an analysis meeting scheduled (R15)."), "warn"),
        ])
        risk, _moves = self._kam_risk_tiles(role, account_ids, [(
            "without_station", [("kam_station_missing", "=", True)],
            _("Accounts without a Station"),
            _("Key accounts of the region no active service station "
              "serves (R7)."), "warn")])
        tiles += risk + self._kam_common_tiles(role, dates)
        sales_chart, gauges = self._kam_sales_block(role, account_ids, dates)
        charts = [
            self._kam_compliance_chart(
                [("region_id.manager_id", "=", uid)], dates),
            sales_chart,
            self._kam_level_funnel(role, account_ids),
            self._kam_level_moves(role, dates),
        ]
        return {"title": _("Regional Cockpit"), "tiles": tiles,
                "gauges": gauges, "charts": charts,
                "tables": [self._kam_ranking(role, account_ids, dates)]}

    @api.model
    def _kam_regions_table(self, account_ids, dates):
        """The regions side by side (one read_group per model and stored
        figure: region x churn risk, region x state)."""
        def per_region(model, domain, field, flag):
            """({region: count}, {region: count where ``flag``})."""
            total, flagged = {}, {}
            for group in self.env[model].read_group(
                    domain, [field, flag[0]], [field, flag[0]], lazy=False):
                rid = group[field][0] if group[field] else False
                total[rid] = total.get(rid, 0) + group["__count"]
                if group[flag[0]] == flag[1]:
                    flagged[rid] = flagged.get(rid, 0) + group["__count"]
            return total, flagged
        # the regions and their names first, in one query: the group-bys
        # below name their groups from this cache (else each read_group
        # reads the regions it has not seen yet, a count that depends on
        # the data)
        regions = self.env["kam.region"].search([])
        regions.read(["name"])
        accounts, at_risk = per_region(
            "res.partner", KA, "kam_region_id", ("kam_churn_risk", True))
        no_station = {
            g["kam_region_id"][0] if g["kam_region_id"] else False:
            g["kam_region_id_count"]
            for g in self.env["res.partner"].read_group(
                KA + [("kam_station_missing", "=", True)],
                ["kam_region_id"], ["kam_region_id"])}
        rows, overdue = per_region("kam.visit.compliance", [], "region_id",
                                   ("state", "overdue"))
        sales = self._kam_sales("region", account_ids, dates["month"],
                                dates["next_month"])
        lines = []
        for region in regions:
            rid = region.id
            acc = [("kam_is_key_account", "=", True),
                   ("kam_region_id", "=", rid)]
            comp = [("region_id", "=", rid)]
            lines.append({
                "name": region.name, "region_id": rid,
                "cells": [
                    {"value": accounts.get(rid, 0), "action":
                     self._kam_action("res.partner", acc, region.name)},
                    {"value": ratio(rows.get(rid, 0) - overdue.get(rid, 0),
                                    rows.get(rid, 0)),
                     "action": self._kam_action(
                         "kam.visit.compliance", comp, region.name)},
                    {"value": overdue.get(rid, 0), "action":
                     self._kam_action("kam.visit.compliance",
                                      comp + [("state", "=", "overdue")],
                                      region.name)},
                    {"value": at_risk.get(rid, 0), "action":
                     self._kam_action(
                         "res.partner",
                         acc + [("kam_churn_risk", "=", True)],
                         region.name)},
                    {"value": no_station.get(rid, 0), "action":
                     self._kam_action(
                         "res.partner",
                         acc + [("kam_station_missing", "=", True)],
                         region.name)},
                    {"value": round(sales.get(rid, 0.0), 2), "action": None},
                ]})
        return {
            "key": "regions", "title": _("Regions Side by Side"),
            "help": _("Per region: key accounts; visit compliance now (rows "
                      "not overdue ÷ rows × 100); visit-rule rows overdue; "
                      "accounts at churn risk; accounts without a service "
                      "station; confirmed sales of the month."),
            "columns": [_("Region"), _("Key Accounts"),
                        _("Visit Compliance (%)"), _("Visits Overdue"),
                        _("Accounts at Risk"), _("Without a Station"),
                        _("Sales This Month")],
            "lines": lines,
        }

    @api.model
    def _kam_scorecard_trends(self, dates):
        """Churn rate and satisfaction per month, from the KAM scorecards
        and the satisfaction scores the reader may read."""
        months = self._kam_months(dates)
        first = fields.Date.to_string(dates["first"])
        cards = self.env["kam.scorecard"].read_group(
            [("period_start", ">=", first)],
            ["accounts_lost", "accounts_at_start", "period_start"],
            ["period_start:month"], lazy=False)
        scores = self.env["kam.satisfaction"].read_group(
            [("date", ">=", first)], ["score", "date"], ["date:month"],
            lazy=False)

        def by_month(groups, field):
            found = {}
            for group in groups:
                for leaf in group["__domain"]:
                    if isinstance(leaf, (list, tuple)) and \
                            leaf[0] == field and leaf[1] == ">=":
                        found[leaf[2][:7]] = group
            return found
        cards = by_month(cards, "period_start")
        scores = by_month(scores, "date")
        churn, satisfaction = [], []
        for i, month in enumerate(months):
            card = cards.get(month[:7])
            churn.append({"x": i, "label": month[:7], "y": ratio(
                card["accounts_lost"], card["accounts_at_start"])
                if card else None})
            score = scores.get(month[:7])
            satisfaction.append({"x": i, "label": month[:7], "y": round(
                score["score"], 2) if score and score["score"] else None})
        return [
            {"key": "churn_12m", "type": "line",
             "title": _("Churn Rate, 12 Months (%)"),
             "help": _("KAM scorecards of each month: key accounts lost ÷ "
                       "key accounts at the start of the month × 100."),
             "series": [{"key": _("Churn Rate (%)"), "values": churn}],
             "action": self._kam_action(
                 "kam.scorecard", [("period_start", ">=", first)],
                 _("KAM Scorecards"), ("pivot", "list", "form"))},
            {"key": "satisfaction_12m", "type": "line",
             "title": _("Satisfaction, 12 Months (1–5)"),
             "help": _("Average satisfaction score of the month (customers' "
                       "answers and scores entered by hand)."),
             "series": [{"key": _("Satisfaction"), "values": satisfaction}],
             "action": self._kam_action(
                 "kam.satisfaction", [("date", ">=", first)],
                 _("Satisfaction Scores"))},
        ]

    @api.model
    def _kam_director_cockpit(self, role, account_ids, dates):
        """总监驾驶舱: the regions side by side and the 12-month trends."""
        scope = self._kam_scope(role)
        risk, moves = self._kam_risk_tiles(role, account_ids)
        tiles = [
            self._kam_tile(
                "critical_info", "kam.info",
                [("state", "=", "new"), ("importance", "=", "critical"),
                 ("partner_id.kam_is_key_account", "=", True)],
                _("Critical Information Not Acknowledged"),
                _("Critical information items still New: waiting for "
                  "acknowledgement (R10)."), "danger",
                counted=[("state", "=", "new"),
                         ("importance", "=", "critical")] +
                self._kam_of_accounts(dates)),
        ] + risk + self._kam_common_tiles(role, dates)
        # the 80/20 share: confirmed sales of the last 12 months of the key
        # accounts against those of every customer the reader can see
        customers = self.env["res.partner"].search(
            [("customer", "=", True), ("parent_id", "=", False)]).ids
        by_key = self._kam_sales("key", sorted(set(customers) |
                                               set(account_ids)),
                                 dates["first"], dates["next_month"])
        share = ratio(by_key.get(True, 0.0), sum(by_key.values()))
        tiles.append({
            "key": "pareto_share", "label": _("Key Accounts' Share of Sales"),
            "value": share,
            "display": "-" if share is None else "%s %%" % share,
            "help": _("Confirmed sales of the last 12 months of the key "
                      "accounts ÷ those of every customer × 100 (80/20, "
                      "R1); the list shows the %s key accounts.")
            % len(account_ids),
            "kind": "info", "count": len(account_ids),
            "action": self._kam_action("res.partner", scope,
                                       _("Key Accounts"))})
        ranked = sorted(moves.items(), key=lambda item: (item[1], item[0]))
        top = [m for m in ranked if m[1] < 0][:TOP_MOVERS] + \
            [m for m in reversed(ranked) if m[1] > 0][:TOP_MOVERS]
        # the names of the shown ones only, in one query: a display_name
        # read through a browse of every mover prefetched every field of
        # thousands of partners (13 s at 10,000 accounts); the accounts are
        # companies, their name is their display name
        names = {row["id"]: row["name"] for row in self.env[
            "res.partner"].browse([pid for pid, _d in top]).read(["name"])}
        movers = [
            {"name": names[pid], "partner_id": pid, "delta": delta,
             "action": self._kam_action(
                 "kam.rfm.snapshot", [("partner_id", "=", pid)],
                 names[pid])}
            for pid, delta in top]
        sales_chart, gauges = self._kam_sales_block(role, account_ids, dates)
        charts = [sales_chart, self._kam_compliance_chart([], dates)] + \
            self._kam_scorecard_trends(dates) + \
            [self._kam_level_funnel(role, account_ids)]
        return {
            "title": _("Director's Cockpit"), "tiles": tiles,
            "gauges": gauges, "charts": charts,
            "tables": [
                self._kam_regions_table(account_ids, dates),
                {"key": "rfm_movers", "title": _("Top Movers in RFM"),
                 "help": _("The key accounts whose R + F + M changed most "
                           "between the last two monthly RFM snapshots: "
                           "down first, then up."),
                 "columns": [_("Key Account"), _("Change of R + F + M")],
                 "lines": movers},
            ]}
