# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The 80/20 key-account finder (R1): ranks customers by revenue or by
margin (R13), suggests each one's key-account type from the data, and
promotes the ticked ones."""
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..models.kam_account_type import ACCOUNT_TYPES
from ..models.kam_rfm_snapshot import REVENUE_QUERY, margin_rate
from ..models.kam_sales import CONFIRMED_SALES_CTE, sales_params
from ..models.kam_settings import number_param

DELETE_LINES_SQL = "DELETE FROM kam_pareto_wizard_line WHERE wizard_id = %s"

PARTNERS_QUERY = """
SELECT id, is_company, COALESCE(kam_is_key_account, FALSE)
  FROM res_partner
 WHERE id = ANY(%s)
    OR (kam_is_key_account AND active
        AND (company_id IS NULL OR company_id = ANY(%s)))
"""

INSERT_LINES = """
INSERT INTO kam_pareto_wizard_line (
    wizard_id, rank, partner_id, revenue, margin, margin_rate, share,
    cumulative_share, in_top, is_key_account, status, customer_since,
    region_count, suggested_account_type, selected,
    create_uid, create_date, write_uid, write_date)
SELECT %(wizard_id)s, u.rank, u.partner_id, u.revenue, u.margin,
       u.margin_rate, u.share, u.cumulative_share, u.in_top,
       u.is_key_account, u.status, u.customer_since, u.region_count,
       u.suggested_account_type, FALSE,
       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
  FROM unnest(%(rank)s::int[], %(partner_id)s::int[], %(revenue)s::numeric[],
              %(margin)s::numeric[], %(margin_rate)s::numeric[],
              %(share)s::numeric[], %(cumulative_share)s::numeric[],
              %(in_top)s::bool[], %(is_key_account)s::bool[],
              %(status)s::varchar[], %(customer_since)s::date[],
              %(region_count)s::int[], %(suggested_account_type)s::varchar[])
       AS u(rank, partner_id, revenue, margin, margin_rate, share,
            cumulative_share, in_top, is_key_account, status, customer_since,
            region_count, suggested_account_type)
"""

# What the type suggestion reads, for the ranked customers, in one
# statement: the first confirmed order (the one definition of sales, up to
# the end of the period) and, per company, the number of its regions where
# the customer has an address: its active contacts and addresses, the
# customers and delivery addresses of its confirmed orders. An address is
# in the region of the company that lists its state, else in the one that
# lists its country when no region of that company lists its state.
SUGGESTION_QUERY = CONFIRMED_SALES_CTE + """
, sold AS (
    SELECT * FROM orders WHERE company_id = ANY(%(company_ids)s::int[])
), addresses AS (
    SELECT o.partner_id, so.partner_shipping_id AS address_id
      FROM sold o JOIN sale_order so ON so.id = o.order_id
    UNION
    SELECT o.partner_id, so.partner_id
      FROM sold o JOIN sale_order so ON so.id = o.order_id
    UNION
    SELECT p.commercial_partner_id, p.id
      FROM res_partner p
     WHERE p.commercial_partner_id = ANY(%(partner_ids)s::int[])
       AND p.active
), located AS (
    SELECT a.partner_id, ad.state_id, ad.country_id
      FROM addresses a JOIN res_partner ad ON ad.id = a.address_id
), matches AS (
    SELECT l.partner_id, r.company_id, r.id AS region_id
      FROM located l
      JOIN kam_region_state_rel rs ON rs.state_id = l.state_id
      JOIN kam_region r ON r.id = rs.region_id
     WHERE r.active AND r.company_id = ANY(%(company_ids)s::int[])
    UNION
    SELECT l.partner_id, r.company_id, r.id
      FROM located l
      JOIN kam_region_country_rel rc ON rc.country_id = l.country_id
      JOIN kam_region r ON r.id = rc.region_id
     WHERE r.active AND r.company_id = ANY(%(company_ids)s::int[])
       AND NOT EXISTS (
           SELECT 1 FROM kam_region_state_rel rs2
             JOIN kam_region r2 ON r2.id = rs2.region_id
            WHERE rs2.state_id = l.state_id AND r2.active
              AND r2.company_id = r.company_id)
), region_counts AS (
    SELECT partner_id, MAX(regions) AS regions
      FROM (SELECT partner_id, company_id,
                   COUNT(DISTINCT region_id) AS regions
              FROM matches GROUP BY partner_id, company_id) per_company
     GROUP BY partner_id
), first_sales AS (
    SELECT partner_id, MIN(sale_date)::date AS first_sale
      FROM sold GROUP BY partner_id
)
SELECT p.id, f.first_sale, COALESCE(c.regions, 0)
  FROM unnest(%(partner_ids)s::int[]) AS p(id)
  LEFT JOIN first_sales f ON f.partner_id = p.id
  LEFT JOIN region_counts c ON c.partner_id = p.id
"""

RANK_BY = [("revenue", "Revenue"), ("margin", "Margin")]

PARETO_STATUSES = [
    ("candidate", "Candidate"),
    ("key_top", "Key Account in the Top"),
    ("key_outside", "Key Account outside the Top"),
    ("top_individual", "In the Top, not a Company"),
    ("other", "Other"),
]


def pareto_ranking(values, key_accounts, companies, target):
    """Rank customers by a measure (revenue or margin) and mark the top
    share (R1).

    ``values`` maps partner ids to the measure. Customers with a positive
    value are ranked, highest first (ties by id); a customer is in the top
    when the customers ranked before it make less than ``target`` percent of
    the total. Key accounts without a positive value follow, unranked,
    as outside the top. Returns one dict per line, the measure as
    ``value``.
    """
    ranked = sorted(((pid, val) for pid, val in values.items() if val > 0),
                    key=lambda item: (-item[1], item[0]))
    total = sum(val for _pid, val in ranked)
    lines = []
    cumulative = 0.0
    for rank, (pid, value) in enumerate(ranked, 1):
        in_top = cumulative * 100.0 < target * total - 1e-9 * total
        cumulative += value
        is_key = pid in key_accounts
        if is_key:
            status = "key_top" if in_top else "key_outside"
        elif in_top:
            status = "candidate" if pid in companies else "top_individual"
        else:
            status = "other"
        lines.append({
            "rank": rank, "partner_id": pid, "value": value,
            "share": 100.0 * value / total,
            "cumulative_share": 100.0 * cumulative / total,
            "in_top": in_top, "is_key_account": is_key, "status": status,
        })
    seen = {pid for pid, _rev in ranked}
    for pid in sorted(key_accounts - seen):
        lines.append({
            "rank": None, "partner_id": pid,
            "value": values.get(pid, 0.0), "share": 0.0,
            "cumulative_share": None, "in_top": False,
            "is_key_account": True, "status": "key_outside",
        })
    return lines


def suggested_account_type(region_count, customer_since, long_term_from):
    """The key-account type the data suggest (R1): national for a customer
    with addresses in two regions or more, else long-term for a customer
    whose first confirmed order is on or before ``long_term_from``, else
    key customer."""
    if region_count >= 2:
        return "national"
    if customer_since and customer_since <= long_term_from:
        return "long_term"
    return "key"


class KamParetoWizard(models.TransientModel):
    """Which customers make the top of the revenue, and which of them are
    not key accounts yet (R1: "80% of sales come from 20% of customers").

    The ticked customers are promoted in one step; those that no station
    serves yet get their region's only service station (R7), with a note
    in their chatter.
    """

    _name = "kam.pareto.wizard"
    _inherit = ["kam.input.check"]
    _description = "80/20 Key-Account Finder"

    date_from = fields.Date(
        string="From", required=True,
        default=lambda self: fields.Date.to_string(
            fields.Date.from_string(fields.Date.context_today(self))
            - timedelta(days=364)))
    date_to = fields.Date(string="To", required=True,
                          default=fields.Date.context_today)
    share_target = fields.Float(
        string="Top Share (%)", required=True, default=80.0,
        help="The customers that together make this share of the revenue "
             "(or margin) of the period, the largest first.")
    rank_by = fields.Selection(
        RANK_BY, required=True, default="revenue",
        help="Rank the customers by the untaxed revenue of their confirmed "
             "orders, or by the margin of these orders (R13: what we "
             "earn).")
    state = fields.Selection([("draft", "Draft"), ("ranked", "Ranked")],
                             default="draft", readonly=True)
    line_ids = fields.One2many("kam.pareto.wizard.line", "wizard_id",
                               string="Ranking")
    currency_id = fields.Many2one(
        "res.currency", readonly=True,
        default=lambda self: self.env.user.company_id.currency_id)
    total_revenue = fields.Monetary(readonly=True)
    total_margin = fields.Monetary(readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    top_count = fields.Integer(string="Customers in the Top", readonly=True)
    candidate_count = fields.Integer(string="Candidates", readonly=True)
    outside_count = fields.Integer(
        string="Key Accounts outside the Top", readonly=True)
    # what a promotion asks for (as kam.promote.wizard); the type is each
    # line's suggested one unless a sales director sets another, here for
    # every ticked line or on a line
    kam_account_type = fields.Selection(
        ACCOUNT_TYPES, string="Key-Account Type",
        help="Empty: each ticked customer becomes a key account of the type "
             "on its line (the suggested type, or the one a sales director "
             "set there). Set by a sales director: this type for every "
             "ticked customer without a type of its own on its line.")
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager",
        domain=lambda self: [("groups_id", "in", self.env.ref(
            "kam_management.group_kam_user").id)])
    kam_region_id = fields.Many2one("kam.region", string="Key-Account Region")
    kam_relationship_level_id = fields.Many2one(
        "kam.relationship.level", string="Relationship Level",
        default=lambda self: self.env["kam.relationship.level"].search(
            [], limit=1))
    reason = fields.Text(
        default=lambda self: _("Top customer of the 80/20 analysis (R1)."))

    @api.constrains("date_from", "date_to", "share_target")
    def _check_period_and_share(self):
        for wizard in self:
            if wizard.date_to < wizard.date_from:
                raise ValidationError(_(
                    "Period: the end date %s is before the start date %s.")
                    % (wizard.date_to, wizard.date_from))
            if not 0 < wizard.share_target <= 100:
                raise ValidationError(_(
                    "Top Share must be more than 0 and at most 100 percent "
                    "(got %s).") % wizard.share_target)

    @api.model
    def create(self, vals):
        self._kam_check_type_override(vals)
        return super(KamParetoWizard, self).create(vals)

    @api.multi
    def write(self, vals):
        self._kam_check_type_override(vals)
        return super(KamParetoWizard, self).write(vals)

    @api.model
    def _kam_check_type_override(self, vals):
        """Only sales directors set another key-account type than the one
        the finder suggests (R1), on the wizard or on a line."""
        if vals.get("kam_account_type") and not self.env.user.has_group(
                "kam_management.group_kam_director"):
            raise AccessError(_(
                "Key-Account Type: only sales directors may set another "
                "type than the one the 80/20 finder suggests."))

    def _check_kam_pareto_access(self):
        """Revenue of every customer is for regional managers and
        directors, who decide promotions (R1)."""
        if not self.env.user.has_group(
                "kam_management.group_kam_regional_manager"):
            raise AccessError(_(
                "Only regional managers and sales directors may use the "
                "80/20 key-account finder."))

    @api.multi
    def action_rank(self):
        """Rank the customers of the period by revenue or margin (one
        aggregation query), suggest their types (one query), and write the
        lines in one statement."""
        self.ensure_one()
        self._check_kam_pareto_access()
        cr = self.env.cr
        cr.execute(DELETE_LINES_SQL, (self.id,))
        date_to = fields.Date.from_string(self.date_to) + timedelta(days=1)
        # the user's company (and its children), as the record rules:
        # another company's customers and sales stay out of the ranking
        company_ids = self.env["res.company"].sudo().search([  # sudo: ids only
            ("id", "child_of", self.env.user.company_id.ids)]).ids
        params = sales_params(self.date_from, fields.Date.to_string(date_to))
        params["company_ids"] = company_ids
        cr.execute(REVENUE_QUERY, params)
        revenues, margins = {}, {}
        for pid, revenue, margin in cr.fetchall():
            revenues[pid], margins[pid] = float(revenue), float(margin)
        cr.execute(PARTNERS_QUERY, (list(revenues), company_ids))
        companies, key_accounts = set(), set()
        for pid, is_company, is_key in cr.fetchall():
            if is_company:
                companies.add(pid)
            if is_key:
                key_accounts.add(pid)
        lines = pareto_ranking(
            margins if self.rank_by == "margin" else revenues,
            key_accounts, companies, self.share_target)
        suggestions = self._kam_pareto_suggestions(
            [line["partner_id"] for line in lines], company_ids)
        for line in lines:
            pid = line["partner_id"]
            line["revenue"] = revenues.get(pid, 0.0)
            line["margin"] = margins.get(pid, 0.0)
            line["margin_rate"] = margin_rate(line["margin"],
                                              line["revenue"])
            line.update(suggestions[pid])
        if lines:
            params = {name: [line[name] for line in lines] for name in (
                "rank", "partner_id", "revenue", "margin", "margin_rate",
                "share", "cumulative_share", "in_top", "is_key_account",
                "status", "customer_since", "region_count",
                "suggested_account_type")}
            params.update(wizard_id=self.id, uid=self.env.uid)
            cr.execute(INSERT_LINES, params)
        self.env["kam.pareto.wizard.line"].invalidate_cache()
        self.invalidate_cache(["line_ids"], self.ids)
        ranked = [line for line in lines if line["rank"]]
        self.write({
            "state": "ranked",
            "total_revenue": sum(line["revenue"] for line in ranked),
            "total_margin": sum(line["margin"] for line in ranked),
            "customer_count": len(ranked),
            "top_count": sum(1 for line in lines if line["in_top"]),
            "candidate_count": sum(1 for line in lines
                                   if line["status"] == "candidate"),
            "outside_count": sum(1 for line in lines
                                 if line["status"] == "key_outside"),
        })
        return self._kam_reopen()

    def _kam_pareto_suggestions(self, partner_ids, company_ids):
        """{partner id: customer since, number of regions, suggested type}
        of ``partner_ids``, from one query (``SUGGESTION_QUERY``): confirmed
        orders up to the end of the period, of the given companies."""
        if not partner_ids:
            return {}
        date_to = fields.Date.from_string(self.date_to)
        params = sales_params(
            None, fields.Date.to_string(date_to + timedelta(days=1)),
            partner_ids)
        params["company_ids"] = company_ids
        self.env.cr.execute(SUGGESTION_QUERY, params)
        rows = self.env.cr.fetchall()
        years = min(number_param(
            self.env, "kam_management.long_term_years", 3, 1), 50)
        long_term_from = date_to - relativedelta(years=years)
        result = {}
        for pid, first_sale, regions in rows:
            if isinstance(first_sale, str):
                first_sale = fields.Date.from_string(first_sale)
            result[pid] = {
                "customer_since": first_sale,
                "region_count": regions,
                "suggested_account_type": suggested_account_type(
                    regions, first_sale, long_term_from),
            }
        return result

    @api.multi
    def action_select_candidates(self):
        """Tick every candidate for promotion."""
        self.ensure_one()
        self._check_kam_pareto_access()
        self.line_ids.filtered(
            lambda line: line.status == "candidate").write({"selected": True})
        return self._kam_reopen()

    @api.multi
    def action_promote(self):
        """Promote the ticked customers in one step, each with the type of
        its line (a director's choice there, else on the wizard, else the
        suggested one), then rank again."""
        self.ensure_one()
        self._check_kam_pareto_access()
        selected = self.line_ids.filtered("selected")
        partners = selected.mapped("partner_id")
        if not partners:
            raise UserError(_("Ranking: tick the customers to promote."))
        overridden = self.kam_account_type or any(
            selected.mapped("kam_account_type"))
        if overridden:
            self._kam_check_type_override({"kam_account_type": True})
        for fname in ("kam_manager_id", "kam_region_id",
                      "kam_relationship_level_id"):
            if not self[fname]:
                raise UserError(_("%s is required to promote customers.")
                                % self._fields[fname].get_description(
                                    self.env)["string"])
        already = partners.filtered("kam_is_key_account")
        if already:
            raise UserError(_(
                "Companies: %s are key accounts already.")
                % ", ".join(already.mapped("display_name")))
        by_type = {}
        for line in selected:
            account_type = line.kam_account_type or self.kam_account_type \
                or line.suggested_account_type or "key"
            by_type.setdefault(account_type, self.env["res.partner"])
            by_type[account_type] |= line.partner_id
        # one write per type (three at most)
        for account_type, group in sorted(by_type.items()):
            group.with_context(kam_history_reason=self.reason).write({
                "kam_is_key_account": True,
                "kam_account_type": account_type,
                "kam_manager_id": self.kam_manager_id.id,
                "kam_region_id": self.kam_region_id.id,
                "kam_relationship_level_id":
                    self.kam_relationship_level_id.id,
                "kam_since": fields.Date.context_today(self),
            })
        # R7: the region's only station, noted in each account's chatter
        partners._kam_propose_station()
        return self.action_rank()

    def _kam_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("80/20 Key-Account Finder"),
        }
