"""Fresh install and upgrade of the addon with the real Odoo runner."""
import odoo

from conftest import UPGRADE_DB, log_problems, psql, run_odoo


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
    """Data made by users and settings a director edited survive ``-u``."""
    reg = _open(UPGRADE_DB)
    with odoo.api.Environment.manage(), reg.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        vendor = env.ref("kam_management.relationship_level_vendor")
        vendor.write({"name": "Supplier (renamed)", "sequence": 5})
        region = env["kam.region"].create({"name": "华北 (North China)"})
        account = env.ref("kam_management.partner_kam_qingdao_brew")
        account.write({"kam_region_id": region.id,
                       "kam_relationship_level_id":
                           env.ref("kam_management.relationship_level_partner").id})
        before = {
            "history": env["kam.relationship.history"].search_count([]),
            "accounts": env["res.partner"].search_count(
                [("kam_is_key_account", "=", True)]),
        }
    reg.cursor().close()
    odoo.sql_db.close_db(UPGRADE_DB)
    odoo.modules.registry.Registry.delete(UPGRADE_DB)

    code, text = run_odoo("test-upgrade.log", "-d", UPGRADE_DB,
                          "-u", "kam_management", "--stop-after-init")
    assert code == 0, text[-3000:]
    assert not log_problems(text), log_problems(text)

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
        assert env["kam.relationship.history"].search_count([]) == \
            before["history"]
        assert env["res.partner"].search_count(
            [("kam_is_key_account", "=", True)]) == before["accounts"]
    odoo.sql_db.close_db(UPGRADE_DB)
    odoo.modules.registry.Registry.delete(UPGRADE_DB)
