"""Helpers for the RFM and 80/20 tests: hand-made orders, key accounts and
refreshes on explicit dates."""
import importlib

from .common import key_account_vals, make_company


def rfm_rules():
    """The module with the pure scoring rules (importable once the registry
    has loaded the addon, i.e. inside a test using ``env``)."""
    return importlib.import_module(
        "odoo.addons.kam_management.models.kam_rfm_snapshot")


def make_product(env):
    return env["product.product"].create({
        "name": "RFM Test Chiller", "type": "consu",
        "taxes_id": [(6, 0, [])]})


def key_account(env, name, **overrides):
    company = make_company(env, name)
    company.write(key_account_vals(env, **overrides))
    return company


def order(env, product, partner, date, amount, state="sale",
          pricelist=None, cost=None, shipping=None):
    """A sale order of one line with an untaxed total of ``amount``; the
    line's cost (``purchase_price``, sale_margin) is ``cost`` when given,
    else the product's, and ``shipping`` its delivery address."""
    line = {"product_id": product.id, "product_uom_qty": 1,
            "price_unit": amount}
    if cost is not None:
        line["purchase_price"] = cost
    vals = {
        "partner_id": partner.id,
        "date_order": date if " " in date else date + " 10:00:00",
        "order_line": [(0, 0, line)],
    }
    if pricelist:
        vals["pricelist_id"] = pricelist.id
    if shipping:
        vals["partner_shipping_id"] = shipping.id
    so = env["sale.order"].create(vals)
    assert so.amount_untaxed == amount
    if state == "sale":
        so.action_confirm()
        # confirmed the day it was placed: the date sales count by
        so.write({"confirmation_date": vals["date_order"]})
    elif state != "draft":
        so.write({"state": state})
    return so


def confirmed_order(env, product, partner, amount, confirmed_at):
    """A sale order of one untaxed line of ``amount``, confirmed at
    ``confirmed_at`` (Odoo 11's datetime string): the date the scorecards
    and month-end reports count sales by."""
    so = env["sale.order"].create({
        "partner_id": partner.id,
        "order_line": [(0, 0, {"product_id": product.id,
                               "product_uom_qty": 1,
                               "price_unit": amount,
                               "tax_id": [(6, 0, [])]})]})
    so.action_confirm()
    so.write({"confirmation_date": confirmed_at})
    return so


def refresh(env, as_of):
    return env["kam.rfm.snapshot"]._kam_rfm_refresh(as_of=as_of)


def figures(partner):
    partner.invalidate_cache()
    return {
        "recency": partner.kam_rfm_recency_days,
        "last_order": partner.kam_rfm_last_order_date,
        "frequency": partner.kam_rfm_frequency,
        "monetary": partner.kam_rfm_monetary,
        "margin": partner.kam_rfm_margin,
        "margin_rate": partner.kam_rfm_margin_rate,
        "score": partner.kam_rfm_score,
        "segment": partner.kam_rfm_segment,
        "churn": partner.kam_churn_risk,
    }


def only_these_key_accounts(env, partners=None):
    """Leave ``partners`` as the only key accounts, so that quintiles are
    computed among them (rolled back with the test)."""
    env.cr.execute(
        "UPDATE res_partner SET kam_is_key_account = FALSE "
        "WHERE kam_is_key_account AND NOT (id = ANY(%s))",
        ([p.id for p in (partners or [])],))
    env["res.partner"].invalidate_cache()


def churn_activities(env, partner):
    activity_type = env.ref(
        "kam_management.mail_activity_type_kam_churn_risk")
    return env["mail.activity"].search([
        ("res_model", "=", "res.partner"), ("res_id", "=", partner.id),
        ("activity_type_id", "=", activity_type.id)])
