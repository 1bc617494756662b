# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class KamPromoteWizard(models.TransientModel):
    """Promote companies to key accounts in one step (R1).

    Asks for what every key account needs: type, KAM, region and level,
    and proposes the region's service station (R7): its only active
    station, filled in when the region is chosen (and when the wizard is
    made without a station, over RPC); the accounts that a station serves
    already keep theirs.
    """

    _name = "kam.promote.wizard"
    _inherit = ["kam.input.check"]
    _description = "Promote to Key Account"

    partner_ids = fields.Many2many(
        "res.partner", string="Companies", required=True,
        domain=[("is_company", "=", True)])
    kam_account_type = fields.Selection(
        [("key", "Key Customer"),
         ("national", "National Customer"),
         ("long_term", "Long-term Customer")],
        string="Key-Account Type", required=True, default="key")
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager", required=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(
            "kam_management.group_kam_user").id)])
    kam_region_id = fields.Many2one(
        "kam.region", string="Key-Account Region", required=True)
    kam_relationship_level_id = fields.Many2one(
        "kam.relationship.level", string="Relationship Level", required=True,
        default=lambda self: self.env["kam.relationship.level"].search(
            [], limit=1))
    kam_since = fields.Date(string="Key Account Since", required=True,
                            default=fields.Date.context_today)
    reason = fields.Text()
    kam_service_station_id = fields.Many2one(
        "kam.service.station", string="Service Station",
        domain="[('region_id', '=', kam_region_id)]",
        help="The station that serves the promoted accounts (R7); the "
             "region's only station is proposed. Accounts a station serves "
             "already keep theirs.")

    @api.model
    def _kam_sole_station(self, region_id):
        """The only active station of the region, or no station."""
        Station = self.env["kam.service.station"]
        if not region_id:
            return Station
        sole = Station._kam_sole_stations([region_id])
        return sole.get(region_id, Station)

    @api.onchange("kam_region_id")
    def _onchange_kam_region_id(self):
        if self.kam_service_station_id.region_id != self.kam_region_id:
            self.kam_service_station_id = self._kam_sole_station(
                self.kam_region_id.id)

    @api.model
    def create(self, vals):
        region_id = vals.get("kam_region_id")
        if "kam_service_station_id" not in vals and \
                isinstance(region_id, int) and \
                not isinstance(region_id, bool):
            vals = dict(vals, kam_service_station_id=self._kam_sole_station(
                region_id).id)
        return super(KamPromoteWizard, self).create(vals)

    @api.multi
    def action_promote(self):
        self.ensure_one()
        if not self.partner_ids:
            raise UserError(_(
                "Companies: choose at least one company to promote."))
        already = self.partner_ids.filtered("kam_is_key_account")
        if already:
            raise UserError(_(
                "Companies: %s are key accounts already.")
                % ", ".join(already.mapped("display_name")))
        station = self.kam_service_station_id
        if station and station.region_id != self.kam_region_id:
            raise UserError(_(
                "Service Station: %s is not a station of the region %s.")
                % (station.display_name, self.kam_region_id.display_name))
        self.partner_ids.with_context(
            kam_history_reason=self.reason).write({
                "kam_is_key_account": True,
                "kam_account_type": self.kam_account_type,
                "kam_manager_id": self.kam_manager_id.id,
                "kam_region_id": self.kam_region_id.id,
                "kam_relationship_level_id":
                    self.kam_relationship_level_id.id,
                "kam_since": self.kam_since,
            })
        if station:
            self.partner_ids._kam_propose_station(station)
        return {"type": "ir.actions.act_window_close"}
