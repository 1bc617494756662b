"""The key-account information database (R12) and who maintains it (R14)."""
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from common import AccessError, as_user, raises_and_rolls_back, ref

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


def test_secretary_maintains_every_key_accounts_information(env):
    """R14: at month end the secretary enters what the KAMs hand in, on
    any key account, and the chatter keeps track."""
    for xmlid in ("partner_kam_shanghai_metro", "partner_kam_wuxi_semicon",
                  "partner_kam_guangzhou_airport"):
        account = ref(env, xmlid).with_env(as_user(env, "kam_secretary"))
        account.write(INFO)
        account.invalidate_cache()
        assert account.read(list(INFO))[0]["kam_credit_rating"] == "bbb"
        tracked = env["mail.tracking.value"].search([
            ("mail_message_id.model", "=", "res.partner"),
            ("mail_message_id.res_id", "=", account.id),
            ("field", "=", "kam_strategy")], order="id desc", limit=1)
        assert tracked.new_value_text == INFO["kam_strategy"]
        assert tracked.mail_message_id.author_id == ref(
            env, "user_kam_secretary").partner_id


def test_secretary_cannot_touch_assignment_or_level(env):
    account = ref(env, "partner_kam_wuxi_semicon").with_env(
        as_user(env, "kam_secretary"))
    for vals in ({"kam_manager_id": ref(env, "user_kam_manager_1").id},
                 {"kam_region_id": ref(env, "region_south_china").id},
                 {"kam_is_key_account": False},
                 {"kam_relationship_level_id":
                     ref(env, "relationship_level_partner").id},
                 {"kam_account_type": "national"},
                 # mixed with information: refused as a whole
                 {"kam_strategy": "x", "kam_account_type": "national"}):
        with raises_and_rolls_back(env, AccessError):
            account.write(vals)
    account.invalidate_cache()
    assert account.sudo().kam_manager_id == ref(env, "user_kam_manager_2")
    assert not account.sudo().kam_strategy


def test_kam_and_regional_manager_edit_information_of_their_accounts(env):
    own = ref(env, "partner_kam_shanghai_metro")
    own.with_env(as_user(env, "kam_manager_1")).write(
        {"kam_employee_count": 40000})
    assert own.kam_employee_count == 40000
    other = ref(env, "partner_kam_wuxi_semicon")
    with raises_and_rolls_back(env, AccessError):
        other.with_env(as_user(env, "kam_manager_1")).write(
            {"kam_employee_count": 1})
    other.with_env(as_user(env, "kam_regional")).write(
        {"kam_credit_rating": "a"})
    assert other.kam_credit_rating == "a"
    south = ref(env, "partner_kam_guangzhou_airport")
    with raises_and_rolls_back(env, AccessError):
        south.with_env(as_user(env, "kam_regional")).write(
            {"kam_credit_rating": "a"})
    with raises_and_rolls_back(env, AccessError):
        own.with_env(as_user(env, "kam_support")).write(
            {"kam_strategy": "support staff only read"})


def test_others_cannot_read_the_information(env):
    clerk = env["res.users"].create({
        "name": "Info Clerk", "login": "info_clerk_test",
        "groups_id": [(6, 0, [ref(env, "base.group_user").id,
                              ref(env, "base.group_partner_manager").id])]})
    account = ref(env, "partner_kam_shanghai_metro").sudo(clerk)
    for fname in ("kam_strategy", "kam_estimated_annual_purchases",
                  "kam_rfm_segment"):
        with pytest.raises(AccessError):
            account.read([fname])
    with raises_and_rolls_back(env, AccessError):
        account.write({"kam_strategy": "x"})


def test_contact_person_fields_and_age(env):
    birth = date.today() - relativedelta(years=40)
    contact = env["res.partner"].with_env(as_user(env, "kam_manager_1")) \
        .create({
            "name": "Ms Liu", "parent_id": ref(
                env, "partner_kam_shanghai_metro").id,
            "kam_gender": "female",
            "kam_birthdate": birth.strftime("%Y-%m-%d"),
            "kam_buying_role": "influencer",
            "kam_personal_notes": "Prefers WeChat",
        })
    assert contact.kam_age == 40
    contact.write({"kam_birthdate": (birth - relativedelta(
        years=1)).strftime("%Y-%m-%d")})
    assert contact.kam_age == 41
    contact.write({"kam_birthdate": False})
    assert contact.kam_age == 0
    demo = ref(env, "partner_kam_contact_shanghai_metro_chen")
    assert demo.kam_buying_role == "decision_maker"
    assert demo.kam_age == 48
    assert demo.commercial_partner_id == ref(env, "partner_kam_shanghai_metro")


def test_information_pages_render_for_kam_roles(env):
    """The form view with the information pages loads for each role."""
    for login in ("kam_support", "kam_manager_1", "kam_secretary",
                  "kam_director"):
        Partner = env["res.partner"].with_env(as_user(env, login))
        arch = Partner.fields_view_get(
            view_id=ref(env, "base.view_partner_form").id,
            view_type="form")["arch"]
        assert "kam_need_service_timeliness" in arch
        assert "kam_rfm_segment" in arch and "kam_buying_role" in arch
