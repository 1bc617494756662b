# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The 80/20 key-account finder (R1)."""
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..models.kam_rfm_snapshot import REVENUE_QUERY
from ..models.kam_sales import sales_params

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
    wizard_id, rank, partner_id, revenue, share, cumulative_share, in_top,
    is_key_account, status, selected,
    create_uid, create_date, write_uid, write_date)
SELECT %(wizard_id)s, u.rank, u.partner_id, u.revenue, u.share,
       u.cumulative_share, u.in_top, u.is_key_account, u.status, FALSE,
       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
  FROM unnest(%(rank)s::int[], %(partner_id)s::int[], %(revenue)s::numeric[],
              %(share)s::numeric[], %(cumulative_share)s::numeric[],
              %(in_top)s::bool[], %(is_key_account)s::bool[],
              %(status)s::varchar[])
       AS u(rank, partner_id, revenue, share, cumulative_share, in_top,
            is_key_account, status)
"""

PARETO_STATUSES = [
    ("candidate", "Candidate"),
    ("key_top", "Key Account in the Top"),
    ("key_outside", "Key Account outside the Top"),
    ("top_individual", "In the Top, not a Company"),
    ("other", "Other"),
]


def pareto_ranking(revenues, key_accounts, companies, target):
    """Rank customers by revenue and mark the top share (R1).

    ``revenues`` maps partner ids to revenue. Customers with a positive
    revenue are ranked, highest first (ties by id); a customer is in the top
    when the customers ranked before it make less than ``target`` percent of
    the total. Key accounts without a positive revenue follow, unranked,
    as outside the top. Returns one dict per line.
    """
    ranked = sorted(((pid, rev) for pid, rev in revenues.items() if rev > 0),
                    key=lambda item: (-item[1], item[0]))
    total = sum(rev for _pid, rev in ranked)
    lines = []
    cumulative = 0.0
    for rank, (pid, revenue) in enumerate(ranked, 1):
        in_top = cumulative * 100.0 < target * total - 1e-9 * total
        cumulative += revenue
        is_key = pid in key_accounts
        if is_key:
            status = "key_top" if in_top else "key_outside"
        elif in_top:
            status = "candidate" if pid in companies else "top_individual"
        else:
            status = "other"
        lines.append({
            "rank": rank, "partner_id": pid, "revenue": revenue,
            "share": 100.0 * revenue / total,
            "cumulative_share": 100.0 * cumulative / total,
            "in_top": in_top, "is_key_account": is_key, "status": status,
        })
    seen = {pid for pid, _rev in ranked}
    for pid in sorted(key_accounts - seen):
        lines.append({
            "rank": None, "partner_id": pid,
            "revenue": revenues.get(pid, 0.0), "share": 0.0,
            "cumulative_share": None, "in_top": False,
            "is_key_account": True, "status": "key_outside",
        })
    return lines


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
             "of the period, the largest first.")
    state = fields.Selection([("draft", "Draft"), ("ranked", "Ranked")],
                             default="draft", readonly=True)
    line_ids = fields.One2many("kam.pareto.wizard.line", "wizard_id",
                               string="Ranking")
    currency_id = fields.Many2one(
        "res.currency", readonly=True,
        default=lambda self: self.env.user.company_id.currency_id)
    total_revenue = fields.Monetary(readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    top_count = fields.Integer(string="Customers in the Top", readonly=True)
    candidate_count = fields.Integer(string="Candidates", readonly=True)
    outside_count = fields.Integer(
        string="Key Accounts outside the Top", readonly=True)
    # what a promotion asks for (as kam.promote.wizard)
    kam_account_type = fields.Selection(
        [("key", "Key Customer"),
         ("national", "National Customer"),
         ("long_term", "Long-term Customer")],
        string="Key-Account Type", default="key")
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
        """Rank the customers of the period (one aggregation query, lines
        written in one statement)."""
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
        revenues = {pid: float(rev) for pid, rev in cr.fetchall()}
        cr.execute(PARTNERS_QUERY, (list(revenues), company_ids))
        companies, key_accounts = set(), set()
        for pid, is_company, is_key in cr.fetchall():
            if is_company:
                companies.add(pid)
            if is_key:
                key_accounts.add(pid)
        lines = pareto_ranking(revenues, key_accounts, companies,
                               self.share_target)
        if lines:
            params = {name: [line[name] for line in lines] for name in (
                "rank", "partner_id", "revenue", "share",
                "cumulative_share", "in_top", "is_key_account", "status")}
            params.update(wizard_id=self.id, uid=self.env.uid)
            cr.execute(INSERT_LINES, params)
        self.env["kam.pareto.wizard.line"].invalidate_cache()
        self.invalidate_cache(["line_ids"], self.ids)
        ranked = [line for line in lines if line["rank"]]
        self.write({
            "state": "ranked",
            "total_revenue": sum(line["revenue"] for line in ranked),
            "customer_count": len(ranked),
            "top_count": sum(1 for line in lines if line["in_top"]),
            "candidate_count": sum(1 for line in lines
                                   if line["status"] == "candidate"),
            "outside_count": sum(1 for line in lines
                                 if line["status"] == "key_outside"),
        })
        return self._kam_reopen()

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
        """Promote the ticked customers in one step, then rank again."""
        self.ensure_one()
        self._check_kam_pareto_access()
        partners = self.line_ids.filtered("selected").mapped("partner_id")
        if not partners:
            raise UserError(_("Ranking: tick the customers to promote."))
        for fname in ("kam_account_type", "kam_manager_id", "kam_region_id",
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
        partners.with_context(kam_history_reason=self.reason).write({
            "kam_is_key_account": True,
            "kam_account_type": self.kam_account_type,
            "kam_manager_id": self.kam_manager_id.id,
            "kam_region_id": self.kam_region_id.id,
            "kam_relationship_level_id": self.kam_relationship_level_id.id,
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
