# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import time
from datetime import date, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import html_escape
from odoo.tools.misc import format_date

from .kam_lock import acquire_run
from .kam_settings import number_param

_logger = logging.getLogger(__name__)

STATES = [("ok", "OK"), ("due_soon", "Due Soon"), ("overdue", "Overdue")]
DUE_STATES = ("due_soon", "overdue")
# accounts listed in a digest activity's note; the rest are counted
DIGEST_LINES = 200
# The key accounts and the visit rules that apply to them, with the person
# responsible and the date the account's cycle starts from: the rows of
# the compliance table (see REFRESH_SQL) and of a rebuilt month (see
# kam_visit_compliance_snapshot).
TARGET_CTE = """
target AS (
    SELECT p.id AS partner_id, r.id AS rule_id, r.role, r.interval_days,
           r.warning_days,
           COALESCE(r.require_check_in, false) AS require_check_in,
           r.check_in_radius_m,
           p.kam_region_id AS region_id,
           p.kam_manager_id, p.company_id,
           CASE r.role
               WHEN 'kam' THEN p.kam_manager_id
               WHEN 'regional_manager' THEN reg.manager_id
           END AS responsible_id,
           COALESCE(p.kam_since, p.create_date::date) AS since
      FROM res_partner p
      JOIN kam_visit_rule r
        ON r.active
       AND (r.company_id IS NULL OR p.company_id IS NULL
            OR r.company_id = p.company_id)
       AND (r.account_type IS NULL OR r.account_type = p.kam_account_type)
       AND (NOT EXISTS (SELECT 1 FROM kam_visit_rule_level_rel l
                         WHERE l.rule_id = r.id)
            OR EXISTS (SELECT 1 FROM kam_visit_rule_level_rel l
                        WHERE l.rule_id = r.id
                          AND l.level_id = p.kam_relationship_level_id))
      LEFT JOIN kam_region reg ON reg.id = p.kam_region_id
     WHERE p.kam_is_key_account AND p.active
       AND (%(all)s OR p.id = ANY(%(ids)s))
)
"""

# The visits that count for a target row (alias t) and a visit (alias v):
# by the responsible person, done, of a kind the rule counts; for a rule
# requiring a check-in (issue 14), checked in within its radius of the
# account's position (the distance is stored only when both positions are
# known), or on an account without a position and reviewed by the
# supervisor.
QUALIFYING_VISIT = """
           v.partner_id = t.partner_id AND v.user_id = t.responsible_id
       AND v.state IN ('done', 'submitted', 'reviewed')
       -- only the kinds the rule counts (none listed: every kind)
       AND (NOT EXISTS (SELECT 1 FROM kam_visit_rule_kind_rel rk
                         WHERE rk.rule_id = t.rule_id)
            OR EXISTS (SELECT 1 FROM kam_visit_rule_kind_rel rk
                         JOIN kam_visit_kind k ON k.id = rk.kind_id
                        WHERE rk.rule_id = t.rule_id AND k.code = v.kind))
       AND (NOT t.require_check_in
            OR v.check_in_distance_m <= t.check_in_radius_m
            OR (v.check_in_account_no_position AND v.state = 'reviewed'))
"""

# One row per key account and applicable visit rule, with its responsible
# person, last qualifying visit and due date. Set-based on purpose: one
# statement for any number of accounts (see make bench).
REFRESH_SQL = "WITH " + TARGET_CTE + """, last AS (
    SELECT t.partner_id, t.rule_id, max(v.visit_date) AS last_visit
      FROM target t
      JOIN kam_visit v
        ON """ + QUALIFYING_VISIT + """
     GROUP BY t.partner_id, t.rule_id
), dated AS (
    SELECT t.*, l.last_visit,
           COALESCE((l.last_visit AT TIME ZONE 'UTC'
                     AT TIME ZONE %(tz)s)::date, t.since)
               + t.interval_days AS due_date
      FROM target t
      LEFT JOIN last l
        ON l.partner_id = t.partner_id AND l.rule_id = t.rule_id
), computed AS (
    SELECT d.*,
           CASE WHEN d.due_date < %(today)s::date THEN 'overdue'
                WHEN d.due_date - d.warning_days <= %(today)s::date
                THEN 'due_soon'
                ELSE 'ok' END::varchar AS state
      FROM dated d
), changed AS (
    -- only rows that are new or differ: unchanged rows cost no write
    SELECT x.*
      FROM computed x
      LEFT JOIN kam_visit_compliance c
        ON c.partner_id = x.partner_id AND c.rule_id = x.rule_id
     WHERE c.id IS NULL
        OR (c.role, c.responsible_id, c.region_id, c.kam_manager_id,
            c.company_id, c.last_visit_date, c.due_date, c.state)
           IS DISTINCT FROM
           (x.role, x.responsible_id, x.region_id, x.kam_manager_id,
            x.company_id, x.last_visit, x.due_date, x.state)
), upserted AS (
    INSERT INTO kam_visit_compliance
           (partner_id, rule_id, role, responsible_id, region_id,
            kam_manager_id, company_id, last_visit_date, due_date, state,
            missing_responsible,
            create_uid, create_date, write_uid, write_date)
    SELECT partner_id, rule_id, role, responsible_id, region_id,
           kam_manager_id, company_id, last_visit, due_date, state,
           responsible_id IS NULL,
           %(uid)s, now() AT TIME ZONE 'UTC',
           %(uid)s, now() AT TIME ZONE 'UTC'
      FROM changed
    ON CONFLICT (partner_id, rule_id) DO UPDATE SET
           role = EXCLUDED.role,
           responsible_id = EXCLUDED.responsible_id,
           region_id = EXCLUDED.region_id,
           kam_manager_id = EXCLUDED.kam_manager_id,
           company_id = EXCLUDED.company_id,
           last_visit_date = EXCLUDED.last_visit_date,
           due_date = EXCLUDED.due_date,
           state = EXCLUDED.state,
           missing_responsible = EXCLUDED.missing_responsible,
           -- a new cycle (visit done, other person) may escalate again
           escalated_date = CASE
               WHEN EXCLUDED.state <> 'overdue'
                 OR EXCLUDED.responsible_id IS DISTINCT FROM
                    kam_visit_compliance.responsible_id
               THEN NULL ELSE kam_visit_compliance.escalated_date END,
           write_uid = EXCLUDED.write_uid,
           write_date = EXCLUDED.write_date
    RETURNING 1
), deleted AS (
    DELETE FROM kam_visit_compliance c
     WHERE (%(all)s OR c.partner_id = ANY(%(ids)s))
       AND NOT EXISTS (SELECT 1 FROM computed x
                        WHERE x.partner_id = c.partner_id
                          AND x.rule_id = c.rule_id)
    RETURNING 1
)
SELECT (SELECT count(*) FROM upserted), (SELECT count(*) FROM deleted)
"""

# The worst state of each account, shown on its kanban card.
PARTNER_STATE_SQL = """
UPDATE res_partner p
   SET kam_visit_state = w.state
  FROM (SELECT p2.id,
               (ARRAY[NULL, 'ok', 'due_soon', 'overdue'])[
                   1 + COALESCE(max(CASE c.state WHEN 'ok' THEN 1
                                    WHEN 'due_soon' THEN 2
                                    WHEN 'overdue' THEN 3 END), 0)] AS state
          FROM res_partner p2
          LEFT JOIN kam_visit_compliance c ON c.partner_id = p2.id
         WHERE (p2.kam_is_key_account OR p2.kam_visit_state IS NOT NULL)
           AND (%(all)s OR p2.id = ANY(%(ids)s))
         GROUP BY p2.id) w
 WHERE p.id = w.id AND p.kam_visit_state IS DISTINCT FROM w.state
"""

# The due and overdue rows of the people concerned, one per account and
# person; the deadline of its activity is the earliest due date.
DUE_ROWS_SQL = """
SELECT c.responsible_id, c.partner_id, min(c.due_date) AS due_date
  FROM kam_visit_compliance c
 WHERE c.state IN ('due_soon', 'overdue') AND c.responsible_id IS NOT NULL
   AND (%(all)s OR c.responsible_id = ANY(%(user_ids)s))
 GROUP BY c.responsible_id, c.partner_id
 ORDER BY c.responsible_id, min(c.due_date), c.partner_id
"""

# Whose activities a refresh of some accounts may change: the people
# responsible for them now, and those holding their open activities.
AFFECTED_USERS_SQL = """
SELECT responsible_id FROM kam_visit_compliance
 WHERE partner_id = ANY(%(ids)s) AND responsible_id IS NOT NULL
UNION
SELECT user_id FROM mail_activity
 WHERE res_model = 'res.partner' AND res_id = ANY(%(ids)s)
   AND activity_type_id = %(type_id)s
"""

# Open "visit due" activities no row calls for any more (visit done,
# account demoted, someone else responsible), and escalations of accounts
# that are no longer overdue.
OBSOLETE_ACTIVITIES_SQL = """
SELECT a.id
  FROM mail_activity a
 WHERE a.res_model = 'res.partner'
   AND (%(all)s OR a.res_id = ANY(%(ids)s))
   AND ((a.activity_type_id = %(type_id)s
         AND NOT EXISTS (SELECT 1 FROM kam_visit_compliance c
                          WHERE c.partner_id = a.res_id
                            AND c.responsible_id = a.user_id
                            AND c.state IN ('due_soon', 'overdue')))
     OR (a.activity_type_id = %(escalation_type_id)s
         AND NOT EXISTS (SELECT 1 FROM kam_visit_compliance c
                          WHERE c.partner_id = a.res_id
                            AND c.state = 'overdue'
                            AND c.escalated_date IS NOT NULL)))
"""

TO_ESCALATE_SQL = """
SELECT c.id, c.partner_id, c.responsible_id, c.role,
       %(today)s::date - c.due_date, reg.manager_id, c.company_id
  FROM kam_visit_compliance c
  LEFT JOIN kam_region reg ON reg.id = c.region_id
 WHERE c.state = 'overdue' AND %(today)s::date - c.due_date > %(days)s
   AND c.escalated_date IS NULL
   AND (%(all)s OR c.partner_id = ANY(%(ids)s))
 ORDER BY c.id
"""

MARK_ESCALATED_SQL = """
UPDATE kam_visit_compliance SET escalated_date = %s WHERE id = ANY(%s)
"""

# Month by month, the worst state each row reached: the compliance share
# per KAM and month that the scorecards use.
SNAPSHOT_SQL = """
INSERT INTO kam_visit_compliance_snapshot
       (month, partner_id, rule_id, role, responsible_id, region_id,
        kam_manager_id, company_id, state, compliant, compliant_pct,
        create_uid, create_date, write_uid, write_date)
SELECT date_trunc('month', %(today)s::date)::date, c.partner_id, c.rule_id,
       c.role, c.responsible_id, c.region_id, c.kam_manager_id,
       c.company_id, c.state, c.state <> 'overdue',
       CASE WHEN c.state = 'overdue' THEN 0 ELSE 100 END,
       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
  FROM kam_visit_compliance c
  LEFT JOIN kam_visit_compliance_snapshot s
    ON s.month = date_trunc('month', %(today)s::date)::date
   AND s.partner_id = c.partner_id AND s.rule_id = c.rule_id
 -- only new rows, a worse state or another person: no daily rewrite
 WHERE s.id IS NULL
    OR (c.state = 'overdue' AND s.state <> 'overdue')
    OR (c.state = 'due_soon' AND s.state = 'ok')
    OR (c.responsible_id, c.region_id, c.kam_manager_id)
       IS DISTINCT FROM (s.responsible_id, s.region_id, s.kam_manager_id)
ON CONFLICT (month, partner_id, rule_id) DO UPDATE SET
       responsible_id = EXCLUDED.responsible_id,
       region_id = EXCLUDED.region_id,
       kam_manager_id = EXCLUDED.kam_manager_id,
       state = CASE WHEN kam_visit_compliance_snapshot.state = 'overdue'
                      OR EXCLUDED.state = 'overdue' THEN 'overdue'
                    WHEN kam_visit_compliance_snapshot.state = 'due_soon'
                      OR EXCLUDED.state = 'due_soon' THEN 'due_soon'
                    ELSE 'ok' END,
       compliant = kam_visit_compliance_snapshot.compliant
                   AND EXCLUDED.compliant,
       compliant_pct = LEAST(kam_visit_compliance_snapshot.compliant_pct,
                             EXCLUDED.compliant_pct),
       write_date = EXCLUDED.write_date
"""


class KamVisitCompliance(models.Model):
    """Visit compliance of one key account under one visit rule (R8).

    Rows are maintained by ``_kam_refresh`` in set-based SQL: at once when
    visits are done or cancelled, accounts change KAM, region, level or type,
    are promoted or demoted, or rules change; and daily by the scheduled
    action ``ir_cron_visit_compliance``, which also keeps the "visit due"
    activities and escalations in step.
    """

    _name = "kam.visit.compliance"
    _inherit = ["kam.input.check"]
    _description = "Key-Account Visit Compliance"
    _order = "due_date, id"
    _rec_name = "partner_id"

    # partner_id is the leading column of the unique index: no other index
    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True,
        ondelete="cascade", readonly=True)
    rule_id = fields.Many2one(
        "kam.visit.rule", string="Visit Rule", required=True,
        ondelete="cascade", readonly=True)
    role = fields.Selection(
        [("kam", "Key Account Manager"),
         ("regional_manager", "Regional Manager")], readonly=True)
    responsible_id = fields.Many2one(
        "res.users", string="Responsible", index=True, readonly=True,
        help="Who must visit under this rule.")
    region_id = fields.Many2one("kam.region", string="Region",
                                readonly=True)
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True)
    company_id = fields.Many2one("res.company", string="Company",
                                 readonly=True)
    last_visit_date = fields.Datetime(string="Last Visit", readonly=True)
    due_date = fields.Date(string="Next Visit Due", readonly=True)
    state = fields.Selection(STATES, readonly=True, index=True)
    # not stored: it changes every day, and storing it would rewrite every
    # overdue row daily (see make bench); the context key kam_today gives
    # it as of another date
    days_overdue = fields.Integer(
        compute="_compute_days_overdue",
        help="Days since the due date, as of today.")
    escalated_date = fields.Date(string="Escalated On", readonly=True)
    missing_responsible = fields.Boolean(
        readonly=True,
        help="The account has no KAM, or its region no manager: nobody "
             "is responsible for this rule.")

    _sql_constraints = [
        ("partner_rule_uniq", "unique(partner_id, rule_id)",
         "One compliance row per key account and rule."),
    ]

    @api.multi
    def read(self, fields=None, load="_classic_read"):
        """The compliance list reads the asked columns only (issue 16): its
        accounts, responsibles and KAMs are named as superuser, which by
        default loaded every column of every account of the page (about a
        hundred) to show its name; see ``res.partner.read``."""
        records = self.with_context(prefetch_fields=False)
        return super(KamVisitCompliance, records).read(fields=fields,
                                                       load=load)

    def _compute_days_overdue(self):
        today = fields.Date.from_string(
            self.env.context.get("kam_today")
            or fields.Date.context_today(self))
        for row in self:
            due = fields.Date.from_string(row.due_date)
            row.days_overdue = max((today - due).days, 0) if due else 0

    # ------------------------------------------------------------------
    # Refresh
    # ------------------------------------------------------------------
    def _kam_params(self, partner_ids=None, today=None):
        return {
            "all": partner_ids is None,
            "ids": list(partner_ids or []),
            # the people whose visit activities the run may change (see
            # AFFECTED_USERS_SQL); every one when all accounts are refreshed
            "user_ids": [],
            "today": today or fields.Date.context_today(self),
            "tz": self.env.user.tz or "UTC",
            "uid": self.env.uid,
        }

    @api.model
    def _kam_refresh(self, partner_ids=None, today=None, activities=True):
        """Bring compliance rows up to date for ``partner_ids`` (all key
        accounts when None), as of ``today``; then the accounts' worst state
        and, with ``activities``, the "visit due" activities."""
        if partner_ids is not None and not partner_ids:
            return
        params = self._kam_params(partner_ids, today)
        cr = self.env.cr
        if not params["all"]:
            # whoever was responsible before: their activities may change
            cr.execute(AFFECTED_USERS_SQL, self._kam_activity_params(params))
            params["user_ids"] = [row[0] for row in cr.fetchall()]
        cr.execute(REFRESH_SQL, params)
        changed, deleted = cr.fetchone()
        self._kam_analyze(changed, "kam_visit_compliance")
        cr.execute(PARTNER_STATE_SQL, params)
        self.invalidate_cache()
        self.env["res.partner"].invalidate_cache(["kam_visit_state"])
        if activities:
            self._kam_sync_activities(params)
        _logger.debug("visit compliance: %s rows changed, %s deleted",
                      changed, deleted)

    def _kam_activity_params(self, params):
        params = dict(params)
        params.update(
            type_id=self.env.ref(
                "kam_management.mail_activity_type_kam_visit").id,
            escalation_type_id=self.env.ref(
                "kam_management.mail_activity_type_kam_visit_escalation").id,
        )
        return params

    def _kam_digest_limit(self):
        """Above this many visit activities for one person in one run,
        they get one digest activity instead (a first run on a large
        database must not bury anyone under thousands of reminders)."""
        return number_param(
            self.env, "kam_management.visit_activity_digest_limit", 20, 1)

    def _kam_sync_activities(self, params):
        """One open "visit due" activity per due row's account and person,
        deadline = due date, written in that person's language; a digest
        for whoever has more than the limit; close those no row calls for
        any more. Everything goes through ``mail.activity`` (followers,
        notifications and other addons' overrides behave as usual)."""
        params = self._kam_activity_params(params)
        cr = self.env.cr
        if not params["all"]:
            cr.execute(AFFECTED_USERS_SQL, params)
            params["user_ids"] = list(set(params.get("user_ids", [])) | set(
                row[0] for row in cr.fetchall()))
        if params["all"] or params["user_ids"]:
            cr.execute(DUE_ROWS_SQL, params)
            due = {}
            for user_id, partner_id, due_date in cr.fetchall():
                # Odoo's cursor reads dates as "YYYY-MM-DD" strings
                due.setdefault(user_id, []).append((partner_id, due_date))
            self._kam_plan_due_activities(params, due)
        cr.execute(OBSOLETE_ACTIVITIES_SQL, params)
        obsolete = [row[0] for row in cr.fetchall()]
        if obsolete:
            # sudo: closing bookkeeping activities of other people (the
            # visit that satisfied them was done by the current user)
            activities = self.env["mail.activity"].sudo().browse(  # sudo
                obsolete)
            for user, owned in self._kam_by_user(activities):
                owned.action_feedback(self._kam_texts(user)["closed"])

    def _kam_plan_due_activities(self, params, due):
        """Bring the open "visit due" activities and digests of the people
        in ``due`` ({user id: [(account id, due date)]}, and the users of
        ``params["user_ids"]``) in line with their due rows."""
        # sudo: bookkeeping activities of other people, read and written
        # by the scheduled action or by whoever's visit changed them
        Activity = self.env["mail.activity"].sudo()  # sudo: see above
        digest_type = self.env.ref(
            "kam_management.mail_activity_type_kam_visit_digest")
        scope = [("res_model", "=", "res.partner")]
        if not params["all"]:
            scope.append(("user_id", "in", params["user_ids"]))
        open_ = {(a["user_id"][0], a["res_id"]): a for a in Activity.search_read(
            scope + [("activity_type_id", "=", params["type_id"])],
            ["user_id", "res_id", "date_deadline"])}
        digests = {a.user_id.id: a for a in Activity.search(
            scope + [("activity_type_id", "=", digest_type.id)])}
        limit = self._kam_digest_limit()
        users = self.env["res.users"].browse(list(due))
        replaced, to_create, deadlines = [], [], {}
        for user in users:
            rows = due[user.id]
            if len(rows) > limit:
                replaced += [open_[user.id, partner_id]["id"]
                             for partner_id, _day in rows
                             if (user.id, partner_id) in open_]
                self._kam_write_digest(
                    user, digests.pop(user.id, Activity), digest_type,
                    "due_digest", [(p, d, None) for p, d in rows])
                continue
            for partner_id, due_date in rows:
                activity = open_.get((user.id, partner_id))
                if not activity:
                    to_create.append((user, partner_id, due_date))
                elif activity["date_deadline"] != due_date:
                    deadlines.setdefault(due_date, []).append(activity["id"])
        # digests of people back under the limit, or with nothing due
        (Activity.browse(replaced)
         | Activity.concat(*digests.values())).unlink()
        for due_date, ids in deadlines.items():
            Activity.browse(ids).write({"date_deadline": due_date})
        self._kam_create_activities(
            params["type_id"], "due", [
                (user, partner_id, due_date, None)
                for user, partner_id, due_date in to_create])

    @api.model
    def _kam_by_user(self, activities):
        """``activities`` grouped by their user: ``[(user, activities)]``."""
        groups = {}
        for activity in activities:
            groups.setdefault(activity.user_id, activities.browse())
            groups[activity.user_id] |= activity
        return list(groups.items())

    def _kam_texts(self, user):
        """The texts of the visit activities in ``user``'s language, and
        the user's contact (``partner_id``).

        Read with SQL: ``user.lang`` is a related field, and every
        activity created makes its user a follower of the account, which
        invalidates the cache: reading it through the ORM re-read every
        account the run had browsed, for each person (0.3 s each in
        ``make bench``)."""
        self.env.cr.execute(
            "SELECT p.lang, u.partner_id FROM res_users u "
            "JOIN res_partner p ON p.id = u.partner_id WHERE u.id = %s",
            (user.id,))
        lang, partner_id = self.env.cr.fetchone()
        texts = self.with_context(
            lang=lang or "en_US")._kam_texts_in_context()
        texts["partner_id"] = partner_id
        return texts

    def _kam_texts_in_context(self):
        return {
            "lang": self.env.lang,
            "due": _("Key-account visit due"),
            "escalation": _("Visit overdue by %s days: %s"),
            "closed": _("Visit done or no longer required."),
            "due_digest": _("%s key-account visits due"),
            "escalation_digest": _("%s key-account visits overdue"),
            "digest_line": _("%s: due %s"),
            "digest_line_overdue": _("%s: due %s, overdue by %s days"),
            "digest_more": _("… and %s more: see Visit Compliance."),
        }

    def _kam_create_activities(self, type_id, kind, todo):
        """``todo``: ``[(user, account id, deadline, days overdue)]``.
        One ``mail.activity.create`` each (Odoo 11 creates one record per
        call), with the accounts' names read in one query and the texts
        made once per person."""
        if not todo:
            return
        # sudo: activities for other people, by the scheduled action or by
        # whoever's change made them due (as Odoo's own automatic ones)
        Activity = self.env["mail.activity"].sudo()  # sudo: see above
        names = self._kam_names(set(row[1] for row in todo))
        model_id = self.env["ir.model"]._get("res.partner").id
        texts = {}
        for user, partner_id, deadline, days in todo:
            if user not in texts:
                texts[user] = self._kam_texts(user)
            summary = texts[user][kind]
            if days is not None:
                summary = summary % (days, names[partner_id])
            # the texts are the reader's already: no lang context for the
            # create itself (it would translate every record it reads)
            Activity.create({
                "res_model_id": model_id,
                "res_id": partner_id,
                "activity_type_id": type_id,
                "summary": summary,
                "date_deadline": deadline,
                "user_id": user.id,
            })

    def _kam_names(self, partner_ids):
        """{account id: display name} in one query (a ``name_get`` would
        prefetch every field of every account the run has browsed)."""
        # sudo: the names of accounts on activities for other people
        partners = self.env["res.partner"].sudo().browse(  # sudo: see above
            list(partner_ids)).with_prefetch()
        return {row["id"]: row["display_name"]
                for row in partners.read(["display_name"])}

    def _kam_write_digest(self, user, digest, digest_type, kind, rows,
                          deadline=None):
        """One activity for ``user`` listing ``rows`` ([(account id, due
        date, days overdue or None)]) on the user's own contact, in the
        user's language; rewritten only when its content changed."""
        texts = self._kam_texts(user)
        lang = texts["lang"]
        names = self._kam_names(row[0] for row in rows[:DIGEST_LINES])
        lines = []
        for partner_id, due_date, days in rows[:DIGEST_LINES]:
            day = format_date(self.env, due_date, lang_code=lang)
            line = (texts["digest_line"] % (names[partner_id], day)
                    if days is None else texts["digest_line_overdue"] % (
                        names[partner_id], day, days))
            lines.append("<li>%s</li>" % html_escape(line))
        if len(rows) > DIGEST_LINES:
            lines.append("<li>%s</li>" % html_escape(
                texts["digest_more"] % (len(rows) - DIGEST_LINES)))
        vals = {
            "summary": texts[kind] % len(rows),
            "note": "<ul>%s</ul>" % "".join(lines),
            "date_deadline": deadline or min(row[1] for row in rows),
        }
        if digest:
            if (digest.summary, digest.date_deadline) != (
                    vals["summary"], vals["date_deadline"]) or \
                    digest.note != vals["note"]:
                digest.write(vals)
            return digest
        vals.update(
            res_model_id=self.env["ir.model"]._get("res.partner").id,
            res_id=texts["partner_id"], activity_type_id=digest_type.id,
            user_id=user.id)
        # sudo: the digest is an activity for another person (see above)
        return self.env["mail.activity"].sudo().create(vals)  # sudo

    # ------------------------------------------------------------------
    # Escalation
    # ------------------------------------------------------------------
    def _kam_escalation_days(self):
        return number_param(
            self.env, "kam_management.visit_escalation_days", 7, 0)

    def _kam_escalate(self, params):
        """Rows overdue by more than the configured days escalate once to
        the responsible person's supervisor (R8): the region's manager for
        a KAM, the sales directors for a regional manager."""
        params = self._kam_activity_params(params)
        params["days"] = self._kam_escalation_days()
        cr = self.env.cr
        cr.execute(TO_ESCALATE_SQL, params)
        rows = cr.fetchall()
        if not rows:
            return 0
        Users = self.env["res.users"]
        Company = self.env["res.company"]
        # the directors of each account's company (one lookup per company)
        directors = {company_id: Users._kam_directors(
            Company.browse(company_id) if company_id else None)
            for company_id in set(row[6] for row in rows)}
        todo, escalated, unrouted = {}, [], []
        for row_id, partner_id, responsible_id, role, days, manager_id, \
                company_id in rows:
            if role == "kam" and manager_id and manager_id != responsible_id:
                supervisors = [manager_id]
            else:
                supervisors = [u.id for u in directors[company_id]
                               if u.id != responsible_id]
            if not supervisors:
                unrouted.append(partner_id)
                continue
            for user_id in supervisors:
                todo.setdefault(user_id, []).append((partner_id, days))
            escalated.append(row_id)
        if todo:
            self._kam_plan_escalations(params, todo)
            cr.execute(MARK_ESCALATED_SQL, (params["today"], escalated))
            self.invalidate_cache()
            self._kam_analyze(cr.rowcount, "kam_visit_compliance")
        if unrouted:
            _logger.warning("visit compliance: no supervisor to escalate "
                            "to for the accounts %s", sorted(set(unrouted)))
        return len(escalated)

    def _kam_plan_escalations(self, params, todo):
        """``todo``: {supervisor id: [(account id, days overdue)]}. One
        escalation activity per account for each supervisor who has none
        open on it, or one digest for a supervisor above the limit."""
        # sudo: reading other people's open escalations (see above)
        open_ = set((a["user_id"][0], a["res_id"]) for a in self.env[
            "mail.activity"].sudo().search_read([  # sudo: see above
                ("res_model", "=", "res.partner"),
                ("activity_type_id", "=", params["escalation_type_id"]),
                ("user_id", "in", list(todo))], ["user_id", "res_id"]))
        digest_type = self.env.ref(
            "kam_management.mail_activity_type_kam_visit_escalation_digest")
        limit = self._kam_digest_limit()
        today = params["today"]
        if not isinstance(today, date):
            today = fields.Date.from_string(today)
        single = []
        for user in self.env["res.users"].browse(list(todo)):
            rows = [row for row in todo[user.id]
                    if (user.id, row[0]) not in open_]
            if len(rows) > limit:
                self._kam_write_digest(
                    user, None, digest_type, "escalation_digest",
                    [(partner_id,
                      fields.Date.to_string(today - timedelta(days)), days)
                     for partner_id, days in rows],
                    deadline=fields.Date.to_string(today))
            else:
                single += [(user, partner_id, fields.Date.to_string(today),
                            days)
                           for partner_id, days in rows]
        self._kam_create_activities(
            params["escalation_type_id"], "escalation", single)

    def _kam_analyze(self, rowcount, table):
        """Refresh the planner's statistics after a large batch, so that
        the next statement of the same run does not plan with stale ones
        (a first run writes thousands of rows into empty tables)."""
        if rowcount > 1000:
            # the table name is one of this module's constants, never input
            self.env.cr.execute({
                "kam_visit_compliance": "ANALYZE kam_visit_compliance",
                "mail_activity": "ANALYZE mail_activity",
            }[table])

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------
    @api.model
    def _cron_visit_compliance(self, today=None):
        """Daily: compliance, activities, escalations, monthly snapshot.

        Idempotent: every step compares with what is stored, so a second
        run, or a run after a crash half-way (the transaction rolled back),
        creates nothing twice. Concurrent runs are serialised by a
        transaction-level advisory lock; a run that finds it taken skips
        and returns False. Otherwise returns timings (see ``make bench``).
        """
        cr = self.env.cr
        if not acquire_run(self.env,
                           "kam_management.ir_cron_visit_compliance"):
            _logger.info("visit compliance: another run is in progress")
            return False
        params = self._kam_params(None, today)
        started = time.time()
        self._kam_refresh(today=params["today"], activities=False)
        refreshed = time.time()
        self._kam_sync_activities(params)
        escalated = self._kam_escalate(params)
        self.env["kam.visit"]._kam_remind_overdue_reports()
        self.env["kam.visit"]._kam_escalate_overdue_reports()
        activities = time.time()
        cr.execute(SNAPSHOT_SQL, params)
        self.env["kam.visit.compliance.snapshot"].invalidate_cache()
        self._kam_report_missing()
        stats = {
            "escalated": escalated,
            "refresh_seconds": refreshed - started,
            "activity_seconds": activities - refreshed,
            "total_seconds": time.time() - started,
        }
        _logger.info("visit compliance: %s", stats)
        return stats

    def _kam_report_missing(self):
        """Accounts nobody is responsible for are logged, not a crash."""
        rows = self.sudo()  # sudo: the scheduled action reports every account
        missing = rows.search([("missing_responsible", "=", True)])
        if missing:
            _logger.warning(
                "visit compliance: nobody responsible for %s",
                ", ".join(sorted(set(
                    "%s (%s)" % (row.partner_id.display_name, row.rule_id.name)
                    for row in missing))))

    @api.model
    def action_kam_refresh(self):
        """Refresh now (button for directors); the cron does it daily."""
        if not self.env.user.has_group("kam_management.group_kam_director"):
            raise AccessError(_(
                "Only sales directors can refresh visit compliance for "
                "every account."))
        self._cron_visit_compliance()
        return True
