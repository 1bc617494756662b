# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The customer portal (R7): what a contact of a key account given portal
access reads through the models -- their account's complaints and
requirements, the stage times and the serving station -- and what they do
not: other accounts' records, the company's internal fields and notes, and
nothing to write.

The contact is given access with Odoo's own "Grant portal access" wizard
(``portal.wizard``), as a salesperson would; the demo portal user
``kam_portal`` (陈刚 of 上海地铁) is checked too. The pages under ``/my`` are
tested over HTTP in the repository's ``tests/test_portal_http.py`` and in a
browser in ``tests/test_browser_portal.py``.
"""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError

from .common import NO_RIGHT, NO_RULE, KamCase, hours_ago

PORTAL_MODELS = ("kam.complaint", "kam.requirement",
                 "kam.requirement.stage.log", "kam.service.station")
# the company's own fields: closed to the customer whatever the record
INTERNAL_FIELDS = {
    "kam.complaint": ["root_cause"],
    "kam.requirement": ["solution", "reject_reason", "approval_reason"],
    "kam.requirement.stage.log": ["note"],
}


def hours_between(start, end):
    return (fields.Datetime.from_string(end)
            - fields.Datetime.from_string(start)).total_seconds() / 3600.0


class PortalCase(KamCase):

    @classmethod
    def setUpClass(cls):
        super(PortalCase, cls).setUpClass()
        env = cls.env
        cls.metro = cls.ref_("partner_kam_shanghai_metro")
        cls.wuxi = cls.ref_("partner_kam_wuxi_semicon")  # kam_manager_2's
        cls.buyer = env["res.partner"].create({
            "name": "Portal Test Buyer", "parent_id": cls.metro.id,
            "email": "portal.test.buyer@example.com"})
        # Odoo's "Grant portal access" wizard, opened on the contact
        wizard = env["portal.wizard"].with_context(
            active_ids=cls.buyer.ids).create({})
        wizard.onchange_portal_id()
        wizard.user_ids.write({"in_portal": True})
        wizard.action_apply()
        cls.portal_user = cls.buyer.user_ids
        # a requirement of the account with a note sent back, and a
        # complaint with the company's root cause
        cls.complaint = env["kam.complaint"].create({
            "name": "Portal: platform screen doors fog up",
            "partner_id": cls.metro.id, "contact_id": cls.buyer.id,
            "date_received": hours_ago(10),
            "description": "The doors fog up every morning.",
            "root_cause": "INTERNAL: condensate drain blocked by our "
                          "installer."})
        cls.other_complaint = cls.ref_("complaint_closed")      # Wuxi
        cls.other_requirement = cls.ref_("requirement_wuxi")    # Wuxi

    @classmethod
    def ref_(cls, name):
        return cls.env.ref("kam_management." + name)

    def as_portal(self, user=None):
        return self.env(user=(user or self.portal_user).id)


class TestPortalGrant(PortalCase):

    def test_wizard_makes_a_portal_user_of_the_contact(self):
        user = self.portal_user
        self.assertEqual(len(user), 1)
        self.assertTrue(user.has_group("base.group_portal"))
        self.assertFalse(user.has_group("base.group_user"))
        self.assertEqual(user.partner_id.commercial_partner_id, self.metro)

    def test_demo_portal_user(self):
        """kam_portal is 陈刚 of 上海地铁, in the portal group only."""
        user = self.user("kam_portal")
        self.assertEqual(user.partner_id,
                         self.ref_("partner_kam_shanghai_metro_contact"))
        self.assertTrue(user.has_group("base.group_portal"))
        self.assertFalse(user.has_group("base.group_user"))
        env = self.as_portal(user)
        self.assertEqual(
            env["kam.complaint"].search([]),
            self.env["kam.complaint"].search(
                [("partner_id", "=", self.metro.id)]))
        self.assertEqual(
            env["kam.requirement"].search([]),
            self.env["kam.requirement"].search(
                [("partner_id", "=", self.metro.id)]))
        # the demo has something to show on each page
        self.assertTrue(env["kam.complaint"].search_count([]))
        self.assertGreaterEqual(env["kam.requirement"].search_count([]), 2)


class TestPortalReads(PortalCase):

    def test_reads_own_account_only(self):
        env = self.as_portal()
        for model in ("kam.complaint", "kam.requirement",
                      "kam.requirement.stage.log"):
            with self.subTest(model=model):
                mine = env[model].search([])
                expected = self.env[model].search(
                    [("partner_id", "=", self.metro.id)])
                self.assertTrue(expected)
                self.assertEqual(mine, expected)
                self.assertEqual(mine.mapped("partner_id"), self.metro)
        self.assertIn(self.complaint,
                      env["kam.complaint"].search([]).with_env(self.env))
        # the serving station, with its commitments
        station = env["kam.service.station"].search([])
        self.assertEqual(station, self.ref_("service_station_east_china"))
        self.assertEqual(station.read(["response_hours", "resolution_hours",
                                       "phone"])[0]["response_hours"], 4.0)

    def test_other_accounts_are_refused(self):
        env = self.as_portal()
        for record in (self.other_complaint, self.other_requirement,
                       self.other_requirement.stage_log_ids[:1]):
            with self.subTest(model=record._name):
                with self.assertRaisesRegex(AccessError, NO_RULE):
                    record.with_env(env).read(["state"])
                self.assertFalse(env[record._name].search(
                    [("id", "=", record.id)]))
        self.assertNotIn(self.wuxi, env["kam.complaint"].search(
            []).mapped("partner_id"))

    def test_a_station_not_serving_the_account_is_hidden(self):
        east = self.ref_("region_east_china")
        account = self.env["res.partner"].create({
            "name": "Portal Other Account", "is_company": True,
            "kam_is_key_account": True, "kam_account_type": "key",
            "kam_manager_id": self.user("kam_manager_1").id,
            "kam_region_id": east.id,
            "kam_relationship_level_id": self.ref_(
                "relationship_level_vendor").id})
        other = self.env["kam.service.station"].create({
            "name": "Ningbo", "region_id": east.id,
            "partner_ids": [(6, 0, account.ids)]})
        env = self.as_portal()
        self.assertNotIn(other, env["kam.service.station"].search([]))
        with self.assertRaisesRegex(AccessError, NO_RULE):
            other.with_env(env).read(["name"])

    def test_internal_fields_are_closed(self):
        env = self.as_portal()
        records = {
            "kam.complaint": self.complaint,
            "kam.requirement": self.ref_("requirement_review"),
            "kam.requirement.stage.log":
                self.ref_("requirement_review").stage_log_ids[:1],
        }
        for model, fnames in sorted(INTERNAL_FIELDS.items()):
            record = records[model].with_env(env)
            self.assertTrue(record.read(["state"]))  # the record is theirs
            for fname in fnames:
                with self.subTest(model=model, field=fname):
                    self.assertEqual(self.env[model]._fields[fname].groups,
                                     "base.group_user")
                    # Odoo 11 says no more than for a record rule
                    with self.assertRaisesRegex(AccessError, NO_RULE):
                        record.read([fname])
        # a read of every field leaves them out instead
        row = self.complaint.with_env(env).read()[0]
        self.assertNotIn("root_cause", row)
        self.assertEqual(row["description"], "The doors fog up every morning.")
        self.assertNotIn("INTERNAL", str(row))

    def test_solution_only_once_delivered(self):
        env = self.as_portal()
        review = self.ref_("requirement_review").with_env(env)
        delivered = self.ref_("requirement_delivered").with_env(env)
        self.assertFalse(review.customer_solution)
        self.assertIn("radiant panels", delivered.customer_solution)
        self.assertEqual(delivered.customer_solution,
                         self.ref_("requirement_delivered").solution)

    def test_internal_notes_are_not_read(self):
        """The chatter's internal notes stay internal; a message to the
        customer is theirs to read."""
        # (what users write: not the addon's text to translate)
        texts = ["INTERNAL NOTE: the installer blocked the drain",
                 "We are on our way."]
        note = self.complaint.message_post(
            body=texts[0], subtype="mail.mt_note", message_type="comment")
        public = self.complaint.message_post(
            body=texts[1], subtype="mail.mt_comment", message_type="comment")
        env = self.as_portal()
        messages = env["mail.message"].search([
            ("model", "=", "kam.complaint"),
            ("res_id", "=", self.complaint.id)])
        self.assertIn(public, messages.with_env(self.env))
        self.assertNotIn(note, messages.with_env(self.env))
        with self.assertRaises(AccessError):
            note.with_env(env).read(["body"])
        # nor through the record's own list of messages
        seen = self.complaint.with_env(env).read(["message_ids"])[0]
        self.assertIn(public.id, seen["message_ids"])
        self.assertNotIn(note.id, seen["message_ids"])

    def test_nothing_to_write(self):
        env = self.as_portal()
        complaint = self.complaint.with_env(env)
        requirement = self.ref_("requirement_received").with_env(env)
        for call in (lambda: complaint.write({"description": "x"}),
                     lambda: complaint.action_respond(),
                     lambda: complaint.action_cancel(),
                     lambda: requirement.write({"name": "x"}),
                     lambda: requirement.action_start(),
                     lambda: requirement.action_cancel(),
                     lambda: env["kam.complaint"].create({
                         "name": "x", "partner_id": self.metro.id}),
                     lambda: env["kam.requirement"].create({
                         "name": "x", "partner_id": self.metro.id}),
                     lambda: complaint.unlink()):
            with self.subTest(call=call):
                with self.raises_and_rolls_back(AccessError, NO_RIGHT):
                    call()
        self.assertEqual(self.complaint.state, "new")
        self.assertEqual(self.ref_("requirement_received").state, "received")

    def test_a_former_key_account_is_hidden(self):
        """Only key accounts: once the account is demoted its contacts no
        longer read its complaints and requirements."""
        self.metro.action_kam_demote()
        env = self.as_portal()
        for model in ("kam.complaint", "kam.requirement"):
            with self.subTest(model=model):
                self.assertFalse(env[model].search([]))
        with self.assertRaisesRegex(AccessError, NO_RULE):
            self.complaint.with_env(env).read(["state"])

    def test_no_other_model_of_the_addon_is_readable(self):
        env = self.as_portal()
        models = self.env["ir.model"].search([
            ("model", "=like", "kam.%"), ("transient", "=", False)])
        for model in models.mapped("model"):
            if env[model]._abstract:
                continue
            with self.subTest(model=model):
                Model = env[model]
                self.assertEqual(
                    Model.check_access_rights("read", raise_exception=False),
                    model in PORTAL_MODELS)
                for operation in ("write", "create", "unlink"):
                    self.assertFalse(Model.check_access_rights(
                        operation, raise_exception=False))


class TestPortalTimes(PortalCase):
    """The times so far the customer reads (R7)."""

    def test_complaint_time_so_far(self):
        env = self.as_portal()
        complaint = self.complaint.with_env(env)
        self.assertAlmostEqual(complaint.elapsed_hours, 10.0, delta=0.1)
        # the station's commitments, measured from the received date
        self.assertEqual(complaint.response_deadline, fields.Datetime.to_string(
            fields.Datetime.from_string(self.complaint.date_received)
            + timedelta(hours=4)))
        self.assertTrue(complaint.response_breached)
        self.assertFalse(complaint.resolution_breached)
        # resolved: the time to resolve, no longer growing
        self.complaint.write({"date_first_response": hours_ago(9),
                              "date_resolved": hours_ago(2),
                              "resolution": "Drain cleared."})
        complaint.invalidate_cache()
        self.assertAlmostEqual(complaint.elapsed_hours, 8.0, delta=0.1)
        self.assertAlmostEqual(complaint.response_time_hours, 1.0, delta=0.1)

    def test_requirement_time_so_far_and_per_stage(self):
        env = self.as_portal()
        delivered = self.ref_("requirement_delivered").with_env(env)
        self.assertAlmostEqual(
            delivered.elapsed_hours,
            hours_between(delivered.date_received, delivered.date_delivered),
            places=3)
        logs = delivered.stage_log_ids.sorted("id")
        self.assertEqual(logs.mapped("state"),
                         ["received", "drafting", "review", "approved"])
        for log in logs:
            self.assertAlmostEqual(log.elapsed_hours, log.duration_hours,
                                   places=3)
        self.assertEqual(logs[0].target_hours, 24.0)
        # an open requirement: its stage runs until now, with its deadline
        received = self.ref_("requirement_received").with_env(env)
        now = fields.Datetime.now()
        self.assertAlmostEqual(
            received.elapsed_hours,
            hours_between(received.date_received, now), delta=0.05)
        self.assertAlmostEqual(
            received.stage_log_ids.elapsed_hours,
            hours_between(received.stage_log_ids.date_start, now),
            delta=0.05)
        # demo: received three days before the install, past its 24 h
        self.assertEqual(received.stage_deadline, fields.Datetime.to_string(
            fields.Datetime.from_string(received.date_stage_start)
            + timedelta(hours=24)))
        self.assertTrue(received.is_overdue)
