# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The key-account information database (R12) and who maintains it (R14)."""
from dateutil.relativedelta import relativedelta

from odoo.exceptions import AccessError

from .common import KamCase, ds, today
from .test_access import db_row, state_at_error

INFO = {
    "kam_strategy": "Expand into cold-chain logistics",
    "kam_employee_count": 1200,
    "kam_annual_revenue": 5.0e8,
    "kam_credit_rating": "bbb",
    "kam_operating_condition": "stable",
    "kam_growth_bottleneck": "Financing",
    "kam_bargaining_power": "medium",
    "kam_purchase_focus": "Energy efficiency",
    "kam_purchase_habits": "Yearly tender in March",
    "kam_estimated_annual_purchases": 3.0e6,
    "kam_need_product_function": "Cooling of server rooms",
    "kam_need_product_range": "Precision air conditioners",
    "kam_need_specification": "N+1 redundancy",
    "kam_need_price": "Within 5% of last year",
    "kam_need_service_variety": "On-site maintenance",
    "kam_need_service_timeliness": "4 hours",
}

# Odoo's refusals (field groups), naming the operation
DENIED_READ = r"security restrictions[\s\S]*Operation: read\)"
# the addon's refusals (res_partner.py, _kam_check_write_access)
NOT_KAM = r"Only key account managers, regional managers and sales"
NOT_YOURS = r"only of the accounts you manage"


class TestKamInfoMaintenance(KamCase):
    """Who enters and who reads the information of an account (R12, R14)."""

    def test_secretary_maintains_every_key_accounts_information(self):
        """R14: at month end the secretary enters what the KAMs hand in, on
        any key account, and the chatter keeps track."""
        for xmlid in ("partner_kam_shanghai_metro",
                      "partner_kam_wuxi_semicon",
                      "partner_kam_guangzhou_airport"):
            with self.subTest(account=xmlid):
                account = self.kam_ref(xmlid).with_env(
                    self.as_user("kam_secretary"))
                account.write(INFO)
                account.invalidate_cache()
                self.assertEqual(
                    account.read(list(INFO))[0]["kam_credit_rating"], "bbb")
                tracked = self.env["mail.tracking.value"].search([
                    ("mail_message_id.model", "=", "res.partner"),
                    ("mail_message_id.res_id", "=", account.id),
                    ("field", "=", "kam_strategy")],
                    order="id desc", limit=1)
                self.assertEqual(tracked.new_value_text, INFO["kam_strategy"])
                self.assertEqual(
                    tracked.mail_message_id.author_id,
                    self.kam_ref("user_kam_secretary").partner_id)

    def test_secretary_cannot_touch_assignment_or_level(self):
        account = self.kam_ref("partner_kam_wuxi_semicon").with_env(
            self.as_user("kam_secretary"))
        columns = ["kam_manager_id", "kam_region_id", "kam_is_key_account",
                   "kam_relationship_level_id", "kam_account_type",
                   "kam_strategy"]
        before = db_row(self.env, "res_partner", account.id, columns)
        self.assertEqual(before["kam_manager_id"],
                         self.kam_ref("user_kam_manager_2").id)
        self.assertFalse(before["kam_strategy"])
        for vals in ({"kam_manager_id":
                      self.kam_ref("user_kam_manager_1").id},
                     {"kam_region_id": self.kam_ref("region_south_china").id},
                     {"kam_is_key_account": False},
                     {"kam_relationship_level_id":
                         self.kam_ref("relationship_level_partner").id},
                     {"kam_account_type": "national"},
                     # mixed with information: refused as a whole
                     {"kam_strategy": "x", "kam_account_type": "national"}):
            with self.subTest(vals=vals):
                # refused before anything is written
                self.assertEqual(state_at_error(
                    self, AccessError, NOT_KAM,
                    lambda: account.write(vals),
                    lambda: db_row(self.env, "res_partner", account.id,
                                   columns)), before)

    def test_kam_and_regional_manager_edit_information_of_their_accounts(
            self):
        own = self.kam_ref("partner_kam_shanghai_metro")
        own.with_env(self.as_user("kam_manager_1")).write(
            {"kam_employee_count": 40000})
        self.assertEqual(own.kam_employee_count, 40000)
        other = self.kam_ref("partner_kam_wuxi_semicon")
        with self.raises_and_rolls_back(AccessError, NOT_YOURS):
            other.with_env(self.as_user("kam_manager_1")).write(
                {"kam_employee_count": 1})
        other.with_env(self.as_user("kam_regional")).write(
            {"kam_credit_rating": "a"})
        self.assertEqual(other.kam_credit_rating, "a")
        south = self.kam_ref("partner_kam_guangzhou_airport")
        with self.raises_and_rolls_back(AccessError, NOT_YOURS):
            south.with_env(self.as_user("kam_regional")).write(
                {"kam_credit_rating": "a"})
        with self.raises_and_rolls_back(AccessError, NOT_KAM):
            own.with_env(self.as_user("kam_support")).write(
                {"kam_strategy": "support staff only read"})

    def test_others_cannot_read_the_information(self):
        clerk = self.env["res.users"].create({
            "name": "Info Clerk", "login": "info_clerk_test",
            "groups_id": [(6, 0, [
                self.kam_ref("base.group_user").id,
                self.kam_ref("base.group_partner_manager").id])]})
        account = self.kam_ref("partner_kam_shanghai_metro").sudo(clerk)
        for fname in ("kam_strategy", "kam_estimated_annual_purchases",
                      "kam_rfm_segment"):
            with self.subTest(field=fname):
                with self.assertRaisesRegex(AccessError, DENIED_READ):
                    account.read([fname])
        with self.raises_and_rolls_back(AccessError, NOT_KAM):
            account.write({"kam_strategy": "x"})


class TestKamContacts(KamCase):
    """The account's people: role in buying, personal data and age."""

    def test_contact_person_fields_and_age(self):
        """The age is counted on today's date (the clock the addon reads):
        a birthday today counts, tomorrow's does not yet."""
        birth = today() - relativedelta(years=40)
        contact = self.env["res.partner"].with_env(
            self.as_user("kam_manager_1")).create({
                "name": "Ms Liu",
                "parent_id": self.kam_ref("partner_kam_shanghai_metro").id,
                "kam_gender": "female",
                "kam_birthdate": ds(birth),
                "kam_buying_role": "influencer",
                "kam_personal_notes": "Prefers WeChat",
            })
        self.assertEqual(contact.kam_age, 40)
        contact.write({"kam_birthdate": ds(birth - relativedelta(years=1))})
        self.assertEqual(contact.kam_age, 41)
        # the 40th birthday is tomorrow: 39 until then
        contact.write({"kam_birthdate": ds(
            today() + relativedelta(days=1) - relativedelta(years=40))})
        self.assertEqual(contact.kam_age, 39)
        contact.write({"kam_birthdate": False})
        self.assertEqual(contact.kam_age, 0)
        # the demo contact was born 48 years and 40 days before the
        # install day (demo/res_partner_info_demo.xml)
        demo = self.kam_ref("partner_kam_contact_shanghai_metro_chen")
        self.assertEqual(demo.kam_buying_role, "decision_maker")
        self.assertEqual(demo.kam_age, 48)
        self.assertEqual(demo.commercial_partner_id,
                         self.kam_ref("partner_kam_shanghai_metro"))

    def test_information_pages_render_for_kam_roles(self):
        """The form view with the information pages loads for each role."""
        for login in ("kam_support", "kam_manager_1", "kam_secretary",
                      "kam_director"):
            with self.subTest(login=login):
                Partner = self.env["res.partner"].with_env(
                    self.as_user(login))
                arch = Partner.fields_view_get(
                    view_id=self.kam_ref("base.view_partner_form").id,
                    view_type="form")["arch"]
                self.assertIn("kam_need_service_timeliness", arch)
                self.assertIn("kam_rfm_segment", arch)
                self.assertIn("kam_buying_role", arch)
