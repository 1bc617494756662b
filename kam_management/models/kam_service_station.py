# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .kam_company import check_same_company, check_user_allowed


STATION_PARTNERS_SQL = """
SELECT partner_id FROM kam_service_station_partner_rel
 WHERE station_id IN %s
"""


class KamServiceStation(models.Model):
    """A local service station near key accounts (R7, R9).

    Customer service sets it up where the accounts are and keeps the
    service commitments made to them: a first response within
    ``response_hours`` and a resolution within ``resolution_hours`` of a
    complaint being received. Each key account is served by at most one
    active station.
    """

    _name = "kam.service.station"
    _inherit = ["kam.input.check"]
    _description = "Local Service Station"
    _order = "name"

    name = fields.Char(required=True)
    region_id = fields.Many2one(
        "kam.region", string="Key-Account Region", required=True,
        index=True, ondelete="restrict")
    company_id = fields.Many2one(
        "res.company", string="Company", related="region_id.company_id",
        store=True, readonly=True, index=True,
        help="The company of the station's region.")
    street = fields.Char()
    city = fields.Char()
    phone = fields.Char(help="Where the customer reaches a person (R9).")
    email = fields.Char()
    user_ids = fields.Many2many(
        "res.users", "kam_service_station_user_rel", "station_id", "user_id",
        string="Staff", help="Customer-service staff stationed here.")
    partner_ids = fields.Many2many(
        "res.partner", "kam_service_station_partner_rel", "station_id",
        "partner_id", string="Key Accounts Served",
        domain=[("kam_is_key_account", "=", True)])
    response_hours = fields.Float(
        string="Response Commitment (hours)", required=True, default=4.0,
        help="First response to a complaint within this many hours of "
             "receiving it; 0 = no commitment.")
    resolution_hours = fields.Float(
        string="Resolution Commitment (hours)", required=True, default=48.0,
        help="Complaint resolved within this many hours of receiving it; "
             "0 = no commitment.")
    active = fields.Boolean(default=True)
    complaint_count = fields.Integer(compute="_compute_complaint_count")

    @api.multi
    def _compute_complaint_count(self):
        data = self.env["kam.complaint"].read_group(
            [("station_id", "in", self.ids)], ["station_id"],
            ["station_id"])
        counts = {d["station_id"][0]: d["station_id_count"] for d in data}
        for station in self:
            station.complaint_count = counts.get(station.id, 0)

    @api.constrains("response_hours", "resolution_hours")
    def _check_hours(self):
        for station in self:
            if station.response_hours < 0:
                raise ValidationError(_(
                    "Response Commitment (hours): %s is negative; give the "
                    "hours within which station %s answers a complaint.")
                    % (station.response_hours, station.name))
            if station.resolution_hours < 0:
                raise ValidationError(_(
                    "Resolution Commitment (hours): %s is negative for "
                    "station %s.") % (station.resolution_hours, station.name))
            if station.resolution_hours and \
                    station.resolution_hours < station.response_hours:
                raise ValidationError(_(
                    "Resolution Commitment (hours): station %s promises to "
                    "resolve (%s h) before it responds (%s h).")
                    % (station.name, station.resolution_hours,
                       station.response_hours))

    @api.constrains("region_id", "partner_ids", "user_ids")
    def _check_company(self):
        """The accounts served and the staff belong to the station's
        company."""
        for station in self:
            check_same_company(station, "partner_ids")
            check_user_allowed(station, "user_ids")

    @api.constrains("partner_ids")
    def _check_partner_ids(self):
        """Stations serve key accounts (R7)."""
        # the relation table itself: reading ``partner_ids`` applies the
        # field's domain and hides exactly the partners looked for
        self.env.cr.execute(STATION_PARTNERS_SQL, (tuple(self.ids),))
        others = self.env["res.partner"].sudo().browse(  # sudo: the KA flag
            [row[0] for row in self.env.cr.fetchall()]).filtered(
                lambda p: not p.kam_is_key_account)
        if others:
            raise ValidationError(_(
                "Key Accounts Served: %s not a key account; a station "
                "serves key accounts.")
                % ", ".join(others.mapped("display_name")))

    @api.constrains("partner_ids", "active")
    def _check_one_station_per_account(self):
        """One face to the customer: one serving station per account."""
        partners = self.mapped("partner_ids")
        if not partners:
            return
        self.env.cr.execute("""
            SELECT rel.partner_id FROM kam_service_station_partner_rel rel
            JOIN kam_service_station s ON s.id = rel.station_id
            WHERE s.active AND rel.partner_id IN %s
            GROUP BY rel.partner_id HAVING count(*) > 1""",
                            (tuple(partners.ids),))
        twice = [row[0] for row in self.env.cr.fetchall()]
        if twice:
            names = self.env["res.partner"].sudo().browse(  # sudo: names only
                twice).mapped("display_name")
            raise ValidationError(_(
                "Key Accounts Served: %s already served by another station; "
                "an account is served by one station.") % ", ".join(names))

    @api.multi
    def write(self, vals):
        """New commitments move the deadlines of the station's complaints,
        also those of accounts outside the editor's regions."""
        if not set(vals) & {"response_hours", "resolution_hours"}:
            return super(KamServiceStation, self).write(vals)
        self.check_access_rights("write")
        self.check_access_rule("write")
        return super(KamServiceStation, self.sudo()).write(  # sudo: checked above
            vals)

    @api.model
    def _kam_sole_stations(self, region_ids):
        """{region id: station} for the regions of ``region_ids`` that have
        exactly one active station: the station proposed to the accounts
        promoted there (R7). One search."""
        stations = self.search([("region_id", "in", list(region_ids))])
        by_region = {}
        for station in stations:
            by_region.setdefault(station.region_id.id, []).append(station)
        return {region: found[0] for region, found in by_region.items()
                if len(found) == 1}

    @api.model
    def _kam_station_of(self, partner_ids):
        """The serving station of each account, as {partner id: station}."""
        stations = self.sudo().search(  # sudo: serving station of any account
            [("partner_ids", "in", list(partner_ids))])
        return {p.id: station for station in stations
                for p in station.partner_ids if p.id in partner_ids}
