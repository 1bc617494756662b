"""Fresh install and upgrade of the addon with the real Odoo runner."""
from datetime import date, timedelta

import odoo

from conftest import UNINSTALL_DB, UPGRADE_DB, log_problems, psql, run_odoo

# every scheduled action of the addon: model, method
CRONS = [("kam.visit.compliance", "_cron_visit_compliance"),
         ("kam.complaint", "_cron_check_breaches"),
         ("kam.info", "_cron_info_escalation"),
         ("res.partner", "_cron_kam_rfm_refresh"),
         ("kam.report", "_cron_monthly_reports"),
         ("kam.report", "_cron_month_end_information"),
         ("kam.scorecard", "_cron_scorecard"),
         ("kam.satisfaction.request", "_cron_satisfaction_request")]

KAM_TABLES_SQL = """
SELECT table_name FROM information_schema.tables
 WHERE table_schema = 'public' AND table_name LIKE 'kam\\_%%'
   AND table_type = 'BASE TABLE' ORDER BY 1"""


def run_crons(env):
    for model, method in CRONS:
        getattr(env[model], method)()


def row_counts(db):
    """Rows of every table of the addon (wizards' tables excepted: Odoo
    empties them itself) and of the activities."""
    tables = [t for t in psql(db, KAM_TABLES_SQL).split() if "wizard" not in t]
    assert len(tables) > 20, tables
    counts = {t: int(psql(db, "SELECT count(*) FROM %s" % t)) for t in tables}
    counts["mail_activity"] = int(psql(db, "SELECT count(*) FROM mail_activity"))
    return counts


def test_fresh_install_is_clean(install_log):
    assert "Modules loaded." in install_log
    assert not log_problems(install_log)
    assert psql(UPGRADE_DB, "select state from ir_module_module "
                            "where name = 'kam_management'") == "installed"


def test_no_module_is_left_to_install(install_log):
    """Odoo's cron workers skip a database with any module "to install";
    the wheels' bridge addons with missing dependencies must not stay so
    (scripts/odoo-bin settles them after every install run)."""
    assert psql(UPGRADE_DB, "select string_agg(name, ', ') from "
                            "ir_module_module where state like 'to %'") == ""


def _open(db):
    odoo.modules.registry.Registry.delete(db)
    return odoo.registry(db)


def test_upgrade_keeps_data_and_settings(registry):
    """Data made by users, the scheduled actions' rows and settings a
    director edited survive ``-u`` on a database full of data."""
    reg = _open(UPGRADE_DB)
    with odoo.api.Environment.manage(), reg.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        run_crons(env)
        vendor = env.ref("kam_management.relationship_level_vendor")
        vendor.write({"name": "Supplier (renamed)", "sequence": 5})
        region = env["kam.region"].create({"name": "华北 (North China)"})
        account = env.ref("kam_management.partner_kam_qingdao_brew")
        account.write({"kam_region_id": region.id,
                       "kam_relationship_level_id":
                           env.ref("kam_management.relationship_level_partner").id})
        params = env["ir.config_parameter"]
        params.set_param("kam_management.visit_escalation_days", "11")
        params.set_param("kam_management.month_end_days", "5")
        rule = env.ref("kam_management.visit_rule_kam_monthly")
        rule.write({"interval_days": 20})
        cron = env.ref("kam_management.ir_cron_visit_compliance")
        cron.write({"interval_number": 2, "interval_type": "hours"})
    reg.cursor().close()
    odoo.sql_db.close_db(UPGRADE_DB)
    odoo.modules.registry.Registry.delete(UPGRADE_DB)
    before = row_counts(UPGRADE_DB)
    before_params = psql(UPGRADE_DB, "SELECT string_agg(key || '=' || value, "
                         "',' ORDER BY key) FROM ir_config_parameter "
                         "WHERE key LIKE 'kam_management.%'")

    code, text = run_odoo("test-upgrade.log", "-d", UPGRADE_DB,
                          "-u", "kam_management", "--stop-after-init")
    assert code == 0, text[-3000:]
    assert not log_problems(text), log_problems(text)

    assert row_counts(UPGRADE_DB) == before
    assert psql(UPGRADE_DB, "SELECT string_agg(key || '=' || value, "
                "',' ORDER BY key) FROM ir_config_parameter "
                "WHERE key LIKE 'kam_management.%'") == before_params
    reg = _open(UPGRADE_DB)
    with odoo.api.Environment.manage(), reg.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        vendor = env.ref("kam_management.relationship_level_vendor")
        assert vendor.name == "Supplier (renamed)"
        assert vendor.sequence == 5
        account = env.ref("kam_management.partner_kam_qingdao_brew")
        assert account.kam_region_id.name == "华北 (North China)"
        assert account.kam_relationship_level_id == env.ref(
            "kam_management.relationship_level_partner")
        assert env.ref("kam_management.visit_rule_kam_monthly").interval_days == 20
        cron = env.ref("kam_management.ir_cron_visit_compliance")
        assert (cron.interval_number, cron.interval_type) == (2, "hours")
        assert env["ir.config_parameter"].get_param(
            "kam_management.visit_escalation_days") == "11"
    odoo.sql_db.close_db(UPGRADE_DB)
    odoo.modules.registry.Registry.delete(UPGRADE_DB)


def _customer_made_key_account(env):
    """A customer the company entered itself (no XML id of the addon),
    made a key account with visits, a requirement and information."""
    kam = env.ref("kam_management.user_kam_manager_1")
    customer = env["res.partner"].create({
        "name": "Uninstall Test Customer Ltd", "is_company": True,
        "email": "buyer@uninstall-test.example", "phone": "+86 21 5555 0000",
        "city": "Shanghai"})
    contact = env["res.partner"].create({
        "name": "Wang Li", "parent_id": customer.id,
        "email": "wang.li@uninstall-test.example"})
    customer.write({
        "kam_is_key_account": True, "kam_account_type": "key",
        "kam_manager_id": kam.id,
        "kam_region_id": env.ref("kam_management.region_east_china").id,
        "kam_relationship_level_id":
            env.ref("kam_management.relationship_level_partner").id})
    env["kam.visit"].create({
        "partner_id": customer.id, "user_id": kam.id,
        "visit_date": (date.today() - timedelta(days=20)).strftime(
            "%Y-%m-%d 02:00:00"),
        "purpose": "Quarterly review"})
    env["kam.requirement"].create({
        "partner_id": customer.id, "name": "Faster delivery to Pudong"})
    env["kam.info"].create({
        "partner_id": customer.id, "name": "New purchasing director",
        "importance": "important",
        "category_id": env.ref("kam_management.info_category_organisation").id})
    return customer | contact


def test_uninstall_leaves_odoo_working_and_partners_intact(registry):
    """Uninstalling drops the addon's tables, fields, rules and activities;
    every partner the company entered stays as it was."""
    reg = _open(UNINSTALL_DB)
    with odoo.api.Environment.manage(), reg.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        ours = _customer_made_key_account(env)
        run_crons(env)
        own = env["ir.model.data"].search([
            ("module", "=", "kam_management"),
            ("model", "=", "res.partner")]).mapped("res_id")
        partners = env["res.partner"].with_context(active_test=False).search(
            [("id", "not in", own)])
        assert ours <= partners
        before = {p["id"]: p for p in partners.read(
            ["name", "email", "phone", "parent_id", "city"])}
        own_orders = env["ir.model.data"].search([
            ("module", "=", "kam_management"),
            ("model", "=", "sale.order")]).mapped("res_id")
        orders = env["sale.order"].search(
            [("id", "not in", own_orders)]).ids
        assert env["mail.activity"].search_count(
            [("res_model", "like", "kam.")]) > 0
    odoo.sql_db.close_db(UNINSTALL_DB)
    odoo.modules.registry.Registry.delete(UNINSTALL_DB)

    reg = _open(UNINSTALL_DB)
    with odoo.api.Environment.manage(), reg.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["ir.module.module"].search(
            [("name", "=", "kam_management")]).button_immediate_uninstall()
    odoo.sql_db.close_db(UNINSTALL_DB)
    odoo.modules.registry.Registry.delete(UNINSTALL_DB)

    assert psql(UNINSTALL_DB, "SELECT state FROM ir_module_module "
                              "WHERE name = 'kam_management'") == "uninstalled"
    assert psql(UNINSTALL_DB, KAM_TABLES_SQL) == ""
    assert psql(UNINSTALL_DB, """
        SELECT string_agg(column_name, ', ') FROM information_schema.columns
         WHERE table_name IN ('res_partner', 'res_users')
           AND column_name LIKE 'kam\\_%%'""") == ""
    leftovers = psql(UNINSTALL_DB, """
        SELECT count(*) FROM mail_activity WHERE res_model LIKE 'kam.%%'
            OR activity_type_id IS NULL""")
    assert leftovers == "0"
    assert psql(UNINSTALL_DB, "SELECT count(*) FROM mail_message "
                              "WHERE model LIKE 'kam.%%'") == "0"
    reg = _open(UNINSTALL_DB)
    with odoo.api.Environment.manage(), reg.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        after = {p["id"]: p for p in env["res.partner"].with_context(
            active_test=False).browse(list(before)).exists().read(
                ["name", "email", "phone", "parent_id", "city"])}
        assert after == before
        # the addon's demo orders may go with it; the company's stay
        assert sorted(env["sale.order"].browse(orders).exists().ids) == \
            sorted(orders)
        # Odoo keeps working, for an ordinary user too
        demo = env.ref("base.user_demo")
        partners = env["res.partner"].sudo(demo)
        assert partners.search_count([]) > 0
        for view_type in ("form", "kanban", "tree", "search"):
            partners.fields_view_get(view_type=view_type)
        env["ir.ui.menu"].sudo(demo).load_menus(debug=False)
        env["res.users"].sudo(demo).activity_user_count()
        env["res.users"].activity_user_count()
        customer = env["res.partner"].sudo(demo).create(
            {"name": "After uninstall", "is_company": True})
        customer.write({"city": "Hangzhou"})
    odoo.sql_db.close_db(UNINSTALL_DB)
    odoo.modules.registry.Registry.delete(UNINSTALL_DB)
