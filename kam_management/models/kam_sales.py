# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Confirmed sales of key accounts: the one definition (R4, R13, R1).

The RFM refresh, the KAM scorecards, the month-end reports, the 80/20
finder and the sales targets all read sales through ``CONFIRMED_SALES_CTE``
(``confirmed_sales`` for totals per account), so the same orders give the
same amount everywhere (README "Confirmed sales"):

- **which orders**: sale orders in state ``sale`` (Sales Order) or ``done``
  (Locked); quotations, sent quotations and cancelled orders never count;
- **which date**: the confirmation date (``confirmation_date``), or the
  order date for an order without one (imported history); a period
  ``[date_from, date_to)`` compares that datetime, as Odoo stores it (UTC);
- **which account**: the commercial partner of the order's customer, so
  orders of an account's contacts and addresses count for the account;
- **which amount**: the untaxed total (``amount_untaxed``) in the
  pricelist's currency, and its margin (``margin`` of ``sale_margin``:
  the untaxed total less the cost of its lines, in the same currency),
  both converted to the target currency at the rate valid on the
  confirmation day (the latest rate dated on or before it, the
  order company's own rate before a shared one, as
  ``res.currency._compute_current_rate``). The target currency is the one
  asked for (a scorecard's or report's company currency), else the
  currency of the account's company, else of the order's company.

Conversion factors are computed once per (currency, company, target
currency, day) that occurs, not once per order: the benchmark's 500,000
orders cost one aggregation.
"""

CONFIRMED_SALES_CTE = """
WITH orders AS (
    SELECT p.commercial_partner_id AS partner_id,
           so.id AS order_id,
           COALESCE(so.confirmation_date, so.date_order) AS sale_date,
           so.amount_untaxed AS amount,
           so.margin,
           pl.currency_id,
           so.company_id,
           COALESCE(%(currency_id)s::int, ac.currency_id, c.currency_id)
               AS target_currency_id
      FROM sale_order so
      JOIN res_partner p ON p.id = so.partner_id
      JOIN res_partner a ON a.id = p.commercial_partner_id
      LEFT JOIN res_company ac ON ac.id = a.company_id
      JOIN product_pricelist pl ON pl.id = so.pricelist_id
      JOIN res_company c ON c.id = so.company_id
     WHERE so.state IN ('sale', 'done')
       AND COALESCE(so.confirmation_date, so.date_order) < %(date_to)s
       AND (%(date_from)s::timestamp IS NULL
            OR COALESCE(so.confirmation_date, so.date_order)
               >= %(date_from)s::timestamp)
       AND (%(partner_ids)s::int[] IS NULL
            OR p.commercial_partner_id = ANY(%(partner_ids)s::int[]))
), days AS (
    SELECT DISTINCT currency_id, company_id, target_currency_id,
           sale_date::date AS day
      FROM orders
     WHERE currency_id <> target_currency_id
       AND sale_date >= %(convert_from)s
), factors AS (
    SELECT d.currency_id, d.company_id, d.target_currency_id, d.day,
           COALESCE(NULLIF((
               SELECT r.rate FROM res_currency_rate r
                WHERE r.currency_id = d.target_currency_id
                  AND r.name <= d.day
                  AND (r.company_id IS NULL OR r.company_id = d.company_id)
                ORDER BY r.company_id, r.name DESC LIMIT 1), 0), 1.0)
           / COALESCE(NULLIF((
               SELECT r.rate FROM res_currency_rate r
                WHERE r.currency_id = d.currency_id
                  AND r.name <= d.day
                  AND (r.company_id IS NULL OR r.company_id = d.company_id)
                ORDER BY r.company_id, r.name DESC LIMIT 1), 0), 1.0)
           AS factor
      FROM days d
), converted AS (
    SELECT o.partner_id, o.order_id, o.sale_date, o.company_id,
           o.amount * COALESCE(f.factor, 1.0) AS amount,
           o.margin * COALESCE(f.factor, 1.0) AS margin
      FROM orders o
      LEFT JOIN factors f ON f.currency_id = o.currency_id
                         AND f.company_id = o.company_id
                         AND f.target_currency_id = o.target_currency_id
                         AND f.day = o.sale_date::date
)
"""

# Totals per account in a period: amount and number of orders.
TOTALS_SQL = CONFIRMED_SALES_CTE + """
SELECT partner_id, SUM(amount), COUNT(*)
  FROM converted
 GROUP BY partner_id
"""


def sales_params(date_from, date_to, partner_ids=None, currency_id=None,
                 convert_from=None):
    """The parameters of ``CONFIRMED_SALES_CTE``: sales confirmed in
    ``[date_from, date_to)`` (date or datetime strings; ``date_from``
    None: since ever), of ``partner_ids`` (None: every account), in
    ``currency_id`` (None: each account's company currency). Amounts are
    converted from ``convert_from`` on (default ``date_from``); earlier
    ones, which only a caller's own filter may use, are left unconverted."""
    return {
        "date_from": date_from, "date_to": date_to,
        "partner_ids": list(partner_ids) if partner_ids is not None else None,
        "currency_id": currency_id,
        "convert_from": convert_from or date_from or "1900-01-01",
    }


def confirmed_sales(cr, date_from, date_to, partner_ids, currency_id=None):
    """{account id: (amount, orders)}: the confirmed sales of each account
    in ``[date_from, date_to)``, in ``currency_id`` (default: each
    account's company currency). One query."""
    if not partner_ids:
        return {}
    cr.execute(TOTALS_SQL, sales_params(date_from, date_to, partner_ids,
                                        currency_id))
    return {pid: (float(amount), count)
            for pid, amount, count in cr.fetchall()}
