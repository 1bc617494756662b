# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The service side of a key account: support team, requirements,
complaints and service station (R5-R7, R9).

Kept apart from the key-account core (``res_partner.py``): these fields
only show the account's records of the service models (``kam.support.team``,
``kam.requirement``, ``kam.complaint``, ``kam.service.station``). The
core's ``create``/``write`` call ``_kam_sync_support_team`` when a partner
becomes a key account; ``kam_support_user_ids`` is searched by the record
rule of pure support staff.
"""
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html_escape

from .res_partner import KAM_GROUPS

# the key accounts an active station serves (R7); read from the relation
# table, as kam.service.station does (reading ``partner_ids`` applies the
# field's domain)
SERVED_SQL = """
SELECT DISTINCT rel.partner_id
  FROM kam_service_station_partner_rel rel
  JOIN kam_service_station s ON s.id = rel.station_id
 WHERE s.active AND (%(ids)s::int[] IS NULL OR rel.partner_id = ANY(%(ids)s))
"""


class ResPartnerService(models.Model):
    """Support team, requirements, complaints and service station of the
    key account (R5-R7, R9)."""

    _inherit = "res.partner"

    kam_support_team_ids = fields.One2many(
        "kam.support.team", "partner_id", string="Support Teams",
        groups=KAM_GROUPS)
    kam_support_team_id = fields.Many2one(
        "kam.support.team", string="Support Team",
        compute="_compute_kam_support_team_id", groups=KAM_GROUPS)
    kam_support_member_ids = fields.Many2many(
        "kam.support.team.member", string="Support Team Members",
        compute="_compute_kam_support_team_id", groups=KAM_GROUPS)
    kam_support_user_ids = fields.Many2many(
        "res.users", string="Support Staff",
        compute="_compute_kam_support_team_id",
        search="_search_kam_support_user_ids", groups=KAM_GROUPS,
        help="Active members of the account's support team; pure support "
             "staff see the key accounts of the teams they are on.")
    kam_open_requirement_ids = fields.One2many(
        "kam.requirement", "partner_id", string="Open Requirements",
        domain=[("state", "in", ("received", "drafting", "review",
                                 "approved"))],
        groups=KAM_GROUPS)
    kam_open_requirement_count = fields.Integer(
        string="Open Requirements", compute="_compute_kam_service_counts",
        groups=KAM_GROUPS)
    kam_open_complaint_count = fields.Integer(
        string="Open Complaints", compute="_compute_kam_service_counts",
        groups=KAM_GROUPS)
    kam_service_station_ids = fields.Many2many(
        "kam.service.station", string="Service Station",
        compute="_compute_kam_service_station_ids", groups=KAM_GROUPS,
        help="The local service station serving the account (R7).")
    kam_station_missing = fields.Boolean(
        string="Without a Service Station",
        compute="_compute_kam_station_missing",
        search="_search_kam_station_missing", groups=KAM_GROUPS,
        help="A key account that no active service station serves (R7: "
             "every key account has its local station).")

    @api.depends("kam_support_team_ids.member_ids")
    def _compute_kam_support_team_id(self):
        for partner in self:
            team = partner.kam_support_team_ids[:1]
            partner.kam_support_team_id = team
            partner.kam_support_member_ids = team.member_ids
            partner.kam_support_user_ids = team.member_ids.filtered(
                "is_active").mapped("user_id")

    @api.model
    def _search_kam_support_user_ids(self, operator, value):
        """Accounts whose team has the given users as active members.

        Used by the key-account record rule for pure support staff, so it
        answers with one query and no access check of its own.
        """
        if operator not in ("=", "in"):
            raise UserError(_("Support Staff: unsupported search operator "
                              "%s.") % operator)
        user_ids = [value] if isinstance(value, int) else list(value or [])
        if not user_ids:
            return [("id", "=", 0)]
        today = fields.Date.context_today(self)
        self.env.cr.execute("""
            SELECT DISTINCT t.partner_id
            FROM kam_support_team_member m
            JOIN kam_support_team t ON t.id = m.team_id
            WHERE m.user_id IN %s
              AND (m.date_from IS NULL OR m.date_from <= %s)
              AND (m.date_to IS NULL OR m.date_to >= %s)""",
                            (tuple(user_ids), today, today))
        return [("id", "in", [row[0] for row in self.env.cr.fetchall()])]

    @api.multi
    def _compute_kam_service_counts(self):
        requirements = self.env["kam.requirement"].read_group(
            [("partner_id", "in", self.ids),
             ("state", "in", ("received", "drafting", "review", "approved"))],
            ["partner_id"], ["partner_id"])
        req_counts = {d["partner_id"][0]: d["partner_id_count"]
                      for d in requirements}
        complaints = self.env["kam.complaint"].read_group(
            [("partner_id", "in", self.ids),
             ("state", "in", ("new", "in_progress"))],
            ["partner_id"], ["partner_id"])
        complaint_counts = {d["partner_id"][0]: d["partner_id_count"]
                            for d in complaints}
        for partner in self:
            partner.kam_open_requirement_count = req_counts.get(partner.id, 0)
            partner.kam_open_complaint_count = complaint_counts.get(
                partner.id, 0)

    @api.multi
    def _compute_kam_service_station_ids(self):
        stations = self.env["kam.service.station"].search(
            [("partner_ids", "in", self.ids)])
        for partner in self:
            partner.kam_service_station_ids = stations.filtered(
                lambda s: partner in s.partner_ids)

    def _kam_served_ids(self, partner_ids=None):
        """The ids of the partners (of ``partner_ids``; None: any) that an
        active station serves. One query."""
        self.env.cr.execute(SERVED_SQL, {
            "ids": list(partner_ids) if partner_ids is not None else None})
        return {row[0] for row in self.env.cr.fetchall()}

    @api.multi
    def _compute_kam_station_missing(self):
        served = self._kam_served_ids([p.id for p in self
                                       if isinstance(p.id, int)])
        for partner in self:
            partner.kam_station_missing = partner.kam_is_key_account and \
                partner.id not in served

    @api.model
    def _search_kam_station_missing(self, operator, value):
        """Key accounts without an active station (``= True``), or the
        other partners (``= False``)."""
        if operator not in ("=", "!="):
            raise UserError(_("Without a Service Station: search it with = "
                              "or !=."))
        served = list(self._kam_served_ids())
        if (operator == "=") == bool(value):
            return ["&", ("kam_is_key_account", "=", True),
                    ("id", "not in", served)]
        return ["|", ("kam_is_key_account", "=", False),
                ("id", "in", served)]

    def _kam_propose_station(self, station=None):
        """On promotion (R7): the accounts that no active station serves
        yet get ``station``, or, without one, the only active station of
        their region (none when the region has none or several); a
        station already serving an account stays. Each account given a
        station says so in its chatter. Returns {partner: station}."""
        Station = self.env["kam.service.station"]
        todo = self - self.browse(self._kam_served_ids(self.ids))
        if not todo:
            return {}
        if station is None:
            sole = Station._kam_sole_stations(todo.mapped("kam_region_id").ids)
            proposed = {partner: sole.get(partner.kam_region_id.id, Station)
                        for partner in todo}
        else:
            proposed = {partner: station for partner in todo}
        proposed = {p: s for p, s in proposed.items() if s}
        for target in set(proposed.values()):
            target.write({"partner_ids": [
                (4, p.id) for p, s in proposed.items() if s == target]})
        for partner, target in proposed.items():
            partner.message_post(body=_(
                "The service station %s serves this key account from its "
                "promotion (R7).") % html_escape(target.display_name))
        return proposed

    def _kam_leave_stations(self):
        """On demotion: stations serve key accounts only (R7), so the
        accounts leave the stations that served them, each saying so in
        its chatter (otherwise every later change of such a station's
        accounts failed its check)."""
        self.env.cr.execute(
            "SELECT station_id, array_agg(partner_id) "
            "FROM kam_service_station_partner_rel WHERE partner_id IN %s "
            "GROUP BY station_id", (tuple(self.ids),))
        rows = self.env.cr.fetchall()
        # sudo: whoever may demote the account, the stations are kept by
        # the directors; only these links are removed
        Station = self.env["kam.service.station"].sudo()
        for station_id, partner_ids in rows:
            station = Station.browse(station_id)
            station.write({"partner_ids": [(3, pid) for pid in partner_ids]})
            for partner in self.browse(partner_ids):
                partner.message_post(body=_(
                    "The service station %s no longer serves this account: "
                    "it is not a key account any more (R7).")
                    % html_escape(station.display_name))

    @api.multi
    def action_kam_view_support_team(self):
        """The account's one team, straight in its form (R5)."""
        action = self._kam_open_related(
            "kam_management.kam_support_team_action")
        action.update(views=[(False, "form")], view_mode="form",
                      res_id=self.kam_support_team_id.id)
        return action

    @api.multi
    def action_kam_view_requirements(self):
        return self._kam_open_related(
            "kam_management.kam_requirement_action", search_default_open=1)

    @api.multi
    def action_kam_view_complaints(self):
        return self._kam_open_related(
            "kam_management.kam_complaint_action", search_default_open=1)

    def _kam_sync_support_team(self):
        """Every key account gets its support team when it becomes one
        (R5); the team's leader follows ``kam_manager_id`` by itself."""
        Team = self.env["kam.support.team"].sudo()  # sudo: teams follow their accounts
        for partner in self.sudo().filtered(  # sudo: whoever promotes
                lambda p: p.kam_is_key_account and
                not p.kam_support_team_ids):
            Team.create({"partner_id": partner.id})
