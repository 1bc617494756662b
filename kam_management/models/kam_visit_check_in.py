# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Field check-in and check-out of a visit, and its photos (R8, issue 14).

The visitor checks in on arrival and out on leaving, from the phone page
(``/kam/visits``) or over RPC: ``action_check_in(latitude, longitude,
accuracy)`` and ``action_check_out(...)`` store the server's time and the
browser's position. The distance to the account's position (base_geolocalize's
``partner_latitude``/``partner_longitude``, set by hand or by import) is
stored at check-in. A visit checked in without a position (the browser
refused), on an account without a position, or farther than the radius of
the account's visit rules is flagged to the reviewer (``check_in_flag``,
kept by ``CHECK_IN_FLAG_SQL``). A visit rule with ``require_check_in`` counts
only visits checked in within its radius, or, on an account without a
position, once the supervisor has reviewed the visit
(``kam_visit_compliance.QUALIFYING_VISIT``).
"""
import base64
import binascii
import math

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .kam_settings import number_param
from .kam_visit import WORKFLOW_FIELDS
from .kam_visit_compliance import TARGET_CTE

PHOTO_MAX_MB_PARAM = "kam_management.visit_photo_max_mb"
DEFAULT_RADIUS_M = 1000
EARTH_RADIUS_M = 6371008.8
# set by the check-in and check-out buttons only
CHECK_IN_FIELDS = frozenset([
    "check_in_at", "check_in_latitude", "check_in_longitude",
    "check_in_accuracy", "check_out_at", "check_out_latitude",
    "check_out_longitude", "check_out_accuracy", "check_in_no_position",
    "check_in_account_no_position", "check_in_distance_m", "check_in_flag"])
# the photos a phone takes, by their first bytes (never the name or the
# type the browser claims); SVG is not a photo (and may carry scripts)
IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
# A visit checked in, done: verified on site when it was checked in within
# the radius (not flagged), or on an account without a position once the
# supervisor has reviewed it. Alias v.
VERIFIED_VISIT = """
       v.state IN ('done', 'submitted', 'reviewed')
   AND v.check_in_at IS NOT NULL
   AND (v.check_in_flag IS NULL
        OR (v.check_in_flag = 'account_no_position'
            AND v.state = 'reviewed'))
"""
# The reviewer's flag of the checked-in visits of some accounts (or all):
# no position from the browser, no position of the account, or farther
# than the smallest radius of the account's rules that require a check-in
# (DEFAULT_RADIUS_M when none does). One statement; only changed rows.
CHECK_IN_FLAG_SQL = "WITH " + TARGET_CTE + """, radius AS (
    SELECT partner_id, min(check_in_radius_m) AS radius
      FROM target
     WHERE require_check_in
     GROUP BY partner_id
), flagged AS (
    SELECT v.id,
           CASE WHEN v.check_in_no_position THEN 'no_position'
                WHEN v.check_in_account_no_position
                  OR v.check_in_distance_m IS NULL
                THEN 'account_no_position'
                WHEN v.check_in_distance_m
                     > COALESCE(r.radius, %(default_radius)s) THEN 'far'
           END AS flag
      FROM kam_visit v
      LEFT JOIN radius r ON r.partner_id = v.partner_id
     WHERE v.check_in_at IS NOT NULL
       AND (%(all)s OR v.partner_id = ANY(%(ids)s))
)
UPDATE kam_visit v
   SET check_in_flag = f.flag
  FROM flagged f
 WHERE v.id = f.id AND v.check_in_flag IS DISTINCT FROM f.flag
"""
# the visits verified on site per visitor, dated in [start, stop)
VERIFIED_SQL = """
SELECT v.user_id, count(*)
  FROM kam_visit v
 WHERE """ + VERIFIED_VISIT + """
   AND v.visit_date >= %(start)s AND v.visit_date < %(stop)s
   AND (%(users)s::int[] IS NULL OR v.user_id = ANY(%(users)s::int[]))
   AND (%(partners)s::int[] IS NULL
        OR v.partner_id = ANY(%(partners)s::int[]))
 GROUP BY v.user_id
"""


def haversine_m(lat1, lon1, lat2, lon2):
    """The great-circle distance in metres between two positions."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = (math.sin(dphi / 2) ** 2
         + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def partner_position(partner):
    """(latitude, longitude) of an account, or None when it has none
    (base_geolocalize stores 0, 0 for "not set")."""
    lat, lon = partner.partner_latitude, partner.partner_longitude
    if not lat and not lon:
        return None
    return lat, lon


def map_url(lat, lon):
    """A plain link to the position on OpenStreetMap."""
    return "https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f" \
        "#map=17/%.6f/%.6f" % (lat, lon, lat, lon)


def image_type(data):
    """The image type of ``data`` (bytes), or None when it is not a photo
    (JPEG, PNG, GIF, WebP)."""
    for signature, mimetype in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return mimetype
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class KamVisitCheckIn(models.Model):
    """Check-in, check-out and photos of a visit (R8, issue 14)."""

    _inherit = "kam.visit"
    # guarded by kam.workflow.mixin with the visit's own workflow fields
    _kam_workflow_fields = WORKFLOW_FIELDS | CHECK_IN_FIELDS

    check_in_at = fields.Datetime(
        string="Checked In", readonly=True, copy=False,
        help="When the visitor checked in (the server's clock).")
    check_in_latitude = fields.Float(
        string="Check-in Latitude", digits=(10, 7), readonly=True,
        copy=False)
    check_in_longitude = fields.Float(
        string="Check-in Longitude", digits=(10, 7), readonly=True,
        copy=False)
    check_in_accuracy = fields.Float(
        string="Check-in Accuracy (m)", digits=(16, 1), readonly=True,
        copy=False, help="The browser's accuracy of the position.")
    check_out_at = fields.Datetime(
        string="Checked Out", readonly=True, copy=False,
        help="When the visitor checked out (the server's clock).")
    check_out_latitude = fields.Float(
        string="Check-out Latitude", digits=(10, 7), readonly=True,
        copy=False)
    check_out_longitude = fields.Float(
        string="Check-out Longitude", digits=(10, 7), readonly=True,
        copy=False)
    check_out_accuracy = fields.Float(
        string="Check-out Accuracy (m)", digits=(16, 1), readonly=True,
        copy=False)
    check_in_no_position = fields.Boolean(
        string="Checked In Without a Position", readonly=True, copy=False,
        help="The browser gave no position (refused or unavailable).")
    check_in_account_no_position = fields.Boolean(
        string="Account Without a Position", readonly=True, copy=False,
        help="The account had no position (Geo Latitude and Longitude) "
             "when the visitor checked in: the visit counts for a rule "
             "requiring a check-in once the supervisor reviews it.")
    check_in_distance_m = fields.Float(
        string="Check-in Distance (m)", digits=(16, 0), readonly=True,
        copy=False,
        help="From the account's position to the check-in position; empty "
             "when either has none.")
    check_in_flag = fields.Selection(
        [("far", "Checked In Far Away"),
         ("no_position", "Checked In Without a Position"),
         ("account_no_position", "Account Without a Position")],
        string="Check-in Flag", readonly=True, copy=False, index=True,
        help="For the reviewer: the check-in does not prove the visit "
             "took place at the account.")
    check_in_map_url = fields.Char(
        string="Check-in Map", compute="_compute_check_in_map_url")
    check_out_map_url = fields.Char(
        string="Check-out Map", compute="_compute_check_in_map_url")
    verified_on_site = fields.Boolean(
        compute="_compute_verified_on_site",
        search="_search_verified_on_site",
        help="Done and checked in within the radius, or on an account "
             "without a position and reviewed by the supervisor.")
    photo_ids = fields.Many2many(
        "ir.attachment", "kam_visit_photo_rel", "visit_id", "attachment_id",
        string="Photos", copy=False,
        help="Photos of the visit (images only; at most "
             "kam_management.visit_photo_max_mb MB each, default 10).")
    photo_count = fields.Integer(compute="_compute_photo_count")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("check_in_at", "check_in_latitude", "check_in_longitude",
                 "check_in_no_position", "check_out_at",
                 "check_out_latitude", "check_out_longitude")
    def _compute_check_in_map_url(self):
        for visit in self:
            visit.check_in_map_url = map_url(
                visit.check_in_latitude, visit.check_in_longitude) \
                if visit.check_in_at and not visit.check_in_no_position \
                else False
            visit.check_out_map_url = map_url(
                visit.check_out_latitude, visit.check_out_longitude) \
                if visit.check_out_at and (visit.check_out_latitude
                                           or visit.check_out_longitude) \
                else False

    @api.depends("state", "check_in_at", "check_in_flag")
    def _compute_verified_on_site(self):
        for visit in self:
            visit.verified_on_site = bool(
                visit.state in ("done", "submitted", "reviewed")
                and visit.check_in_at
                and (not visit.check_in_flag
                     or (visit.check_in_flag == "account_no_position"
                         and visit.state == "reviewed")))

    def _search_verified_on_site(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(_("Verified on Site: search it with = or !=."))
        domain = ["&", "&", ("state", "in", ["done", "submitted",
                                             "reviewed"]),
                  ("check_in_at", "!=", False),
                  "|", ("check_in_flag", "=", False),
                  "&", ("check_in_flag", "=", "account_no_position"),
                  ("state", "=", "reviewed")]
        if (operator == "=") == bool(value):
            return domain
        return ["!"] + domain

    @api.depends("photo_ids")
    def _compute_photo_count(self):
        for visit in self:
            visit.photo_count = len(visit.photo_ids)

    # ------------------------------------------------------------------
    # Check-in and check-out
    # ------------------------------------------------------------------
    def _kam_label(self, fname):
        return self._fields[fname].get_description(self.env)["string"]

    def _kam_check_visitor(self, label):
        """Only the visitor checks in and out, adds photos (the superuser
        passes, as in every ``who`` check of the workflow)."""
        if self.env.uid == SUPERUSER_ID:
            return
        for visit in self:
            if visit.user_id != self.env.user:
                raise AccessError(_(
                    "%s: only the visitor (%s) can do this on the visit "
                    "%s.") % (label, visit.user_id.name, visit.name))

    def _kam_position_vals(self, prefix, latitude, longitude, accuracy):
        """The values of a check-in or check-out position (``prefix``:
        check_in or check_out), checked; None for a latitude and a
        longitude both missing (the browser refused)."""
        def number(fname, value):
            if value is None or value is False or value == "":
                return None
            try:
                result = float(value)
            except (TypeError, ValueError):
                result = float("nan")
            if isinstance(value, bool) or math.isnan(result) or \
                    math.isinf(result):
                raise ValidationError(_("%s: %s is not a number.") % (
                    self._kam_label(fname), value))
            return result

        lat = number(prefix + "_latitude", latitude)
        lon = number(prefix + "_longitude", longitude)
        acc = number(prefix + "_accuracy", accuracy)
        if lat is None and lon is None:
            return None
        if lat is None or lon is None:
            fname = prefix + ("_latitude" if lat is None else "_longitude")
            raise ValidationError(_(
                "%s: give both the latitude and the longitude, or "
                "neither.") % self._kam_label(fname))
        if not -90 <= lat <= 90:
            raise ValidationError(_(
                "%s: %s is not a latitude; it must be between -90 and "
                "90.") % (self._kam_label(prefix + "_latitude"), latitude))
        if not -180 <= lon <= 180:
            raise ValidationError(_(
                "%s: %s is not a longitude; it must be between -180 and "
                "180.") % (self._kam_label(prefix + "_longitude"),
                           longitude))
        if acc is not None and acc < 0:
            raise ValidationError(_(
                "%s: an accuracy cannot be negative (got %s).") % (
                    self._kam_label(prefix + "_accuracy"), accuracy))
        return {prefix + "_latitude": lat, prefix + "_longitude": lon,
                prefix + "_accuracy": acc or 0.0}

    def _kam_check_planned(self, label):
        for visit in self:
            if visit.state != "planned":
                raise visit._kam_state_error(label, ["planned"])

    @api.multi
    def action_check_in(self, latitude=None, longitude=None, accuracy=None):
        """The visitor arrives: the time (server clock) and the position
        (none when the browser refused: the visit is flagged)."""
        self.ensure_one()
        label = _("Check In")
        self._kam_check_visitor(label)
        self._kam_check_planned(label)
        if self.check_in_at:
            raise UserError(_(
                "%s: the visit %s was checked in already, at %s.") % (
                    self._kam_label("check_in_at"), self.name,
                    self.check_in_at))
        position = self._kam_position_vals(
            "check_in", latitude, longitude, accuracy)
        # sudo: the account's position, whoever's field rights
        account = partner_position(self.partner_id.sudo())
        vals = {"check_in_at": fields.Datetime.now(),
                "check_in_no_position": position is None,
                "check_in_account_no_position": account is None}
        if position:
            vals.update(position)
            if account:
                vals["check_in_distance_m"] = round(haversine_m(
                    account[0], account[1], position["check_in_latitude"],
                    position["check_in_longitude"]))
        self._kam_write(vals)
        self._kam_refresh_check_in_flags()
        return True

    @api.multi
    def action_check_out(self, latitude=None, longitude=None, accuracy=None):
        """The visitor leaves: the time and position are stored, the visit
        is done (dated at its check-in) and lasts from check-in to
        check-out."""
        self.ensure_one()
        label = _("Check Out")
        self._kam_check_visitor(label)
        if self.check_out_at:
            raise UserError(_(
                "%s: the visit %s was checked out already, at %s.") % (
                    self._kam_label("check_out_at"), self.name,
                    self.check_out_at))
        self._kam_check_planned(label)
        if not self.check_in_at:
            raise UserError(_(
                "%s: check in to the visit %s before checking out.") % (
                    self._kam_label("check_in_at"), self.name))
        position = self._kam_position_vals(
            "check_out", latitude, longitude, accuracy)
        now = fields.Datetime.now()
        to_dt = fields.Datetime.from_string
        hours = (to_dt(now) - to_dt(self.check_in_at)).total_seconds() / 3600
        vals = dict(position or {}, check_out_at=now,
                    visit_date=self.check_in_at,
                    duration=round(max(hours, 0.0), 2))
        self._kam_write(vals)
        self.action_done()
        return True

    def _kam_refresh_check_in_flags(self, partner_ids=None):
        """The reviewer's flags of the checked-in visits of these visits'
        accounts (``partner_ids``; every account when both are empty and
        ``partner_ids`` is None): see CHECK_IN_FLAG_SQL."""
        if partner_ids is None and self:
            partner_ids = self.mapped("partner_id").ids
        self.env.cr.execute(CHECK_IN_FLAG_SQL, {
            "all": partner_ids is None, "ids": list(partner_ids or []),
            "default_radius": DEFAULT_RADIUS_M})
        self.invalidate_cache(["check_in_flag"])

    @api.model
    def _kam_verified_counts(self, start, stop, user_ids=None,
                             partner_ids=None):
        """{visitor id: visits verified on site} dated in [start, stop) of
        ``user_ids`` and/or on ``partner_ids`` (None: any). One query."""
        self.env.cr.execute(VERIFIED_SQL, {
            "start": start, "stop": stop,
            "users": list(user_ids) if user_ids is not None else None,
            "partners": (list(partner_ids) if partner_ids is not None
                         else None)})
        return dict(self.env.cr.fetchall())

    # ------------------------------------------------------------------
    # Photos
    # ------------------------------------------------------------------
    def _kam_photo_max_bytes(self):
        return number_param(self.env, PHOTO_MAX_MB_PARAM, 10, 1) \
            * 1024 * 1024

    def _kam_check_photo_data(self, name, data):
        """Refuse ``data`` (bytes) that is not a photo or is too large."""
        label = self._kam_label("photo_ids")
        if not data or not image_type(data):
            raise ValidationError(_(
                "%s: %s is not a photo (JPEG, PNG, GIF or WebP).") % (
                    label, name or _("the file")))
        limit = self._kam_photo_max_bytes()
        if len(data) > limit:
            raise ValidationError(_(
                "%s: %s is %.1f MB; a photo may have at most %s MB "
                "(kam_management.visit_photo_max_mb).") % (
                    label, name or _("the file"), len(data) / 1048576.0,
                    limit // 1048576))

    @staticmethod
    def _kam_decode(datas):
        try:
            return base64.b64decode(datas or b"", validate=False)
        except (binascii.Error, TypeError, ValueError):
            return b""

    def _kam_check_photo_commands(self, commands):
        """The attachments a write of ``photo_ids`` links are photos."""
        Attachment = self.env["ir.attachment"]
        for command in commands or []:
            if not isinstance(command, (list, tuple)) or not command:
                continue
            ids = []
            if command[0] == 0 and len(command) > 2:
                vals = command[2] or {}
                self._kam_check_photo_data(
                    vals.get("name"), self._kam_decode(vals.get("datas")))
            elif command[0] in (1, 4) and len(command) > 1:
                ids = [command[1]]
            elif command[0] == 6 and len(command) > 2:
                ids = list(command[2] or [])
            # sudo: the bytes of the attachments to check, whoever uploaded
            for att in Attachment.sudo().browse(ids).exists():
                self._kam_check_photo_data(
                    att.datas_fname or att.name, self._kam_decode(att.datas))

    @api.multi
    def action_add_photo(self, name, datas):
        """The visitor adds a photo (``datas``: base64) to a planned or
        done visit: an ``ir.attachment`` of the visit."""
        self.ensure_one()
        label = _("Add Photo")
        self._kam_check_visitor(label)
        if self.state not in ("planned", "done"):
            raise self._kam_state_error(label, ["planned", "done"])
        data = self._kam_decode(datas)
        self._kam_check_photo_data(name, data)
        name = (name or "").strip() or _("Photo")
        attachment = self.env["ir.attachment"].create({
            "name": name, "datas_fname": name,
            "datas": base64.b64encode(data),
            "mimetype": image_type(data),
            "res_model": self._name, "res_id": self.id})
        self._kam_write({"photo_ids": [(4, attachment.id)]})
        return attachment.id

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    def _kam_protected_error(self, names):
        if set(names) - {"state"} <= CHECK_IN_FIELDS:
            return UserError(_(
                "These fields are set by the buttons Check In and Check "
                "Out and cannot be written: %s.") % ", ".join(names))
        return super(KamVisitCheckIn, self)._kam_protected_error(names)

    @api.model
    def create(self, vals):
        if "photo_ids" in vals:
            self._kam_check_photo_commands(vals["photo_ids"])
        return super(KamVisitCheckIn, self).create(vals)

    @api.multi
    def write(self, vals):
        if "photo_ids" in vals:
            self._kam_check_photo_commands(vals["photo_ids"])
        return super(KamVisitCheckIn, self).write(vals)
