# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Key Account Management",
    "summary": "Key accounts, regional key-account departments, relationship "
               "levels and their history (大客户管理)",
    "version": "11.0.1.0.0",
    "development_status": "Beta",
    "category": "Sales",
    "website": "https://github.com/kam-management/kam_management",
    "author": "kam_management authors",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": [
        "contacts",
        "mail",
        "calendar",
        "sale_management",
    ],
    "data": [
        "security/kam_management_security.xml",
        "security/ir.model.access.csv",
        "data/kam_relationship_level_data.xml",
        "data/kam_rfm_data.xml",
        "wizards/kam_promote_wizard_views.xml",
        "wizards/kam_pareto_wizard_views.xml",
        "views/res_partner_views.xml",
        "views/res_partner_rfm_views.xml",
        "views/kam_rfm_snapshot_views.xml",
        "views/res_config_settings_views.xml",
        "views/kam_region_views.xml",
        "views/kam_relationship_level_views.xml",
        "views/kam_relationship_history_views.xml",
        "views/kam_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/kam_region_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/res_partner_info_demo.xml",
        "demo/sale_order_demo.xml",
    ],
}
