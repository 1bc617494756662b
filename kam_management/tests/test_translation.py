# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The zh_CN translation loads into Odoo: names, labels and errors.

(That every string of the template has a translation is checked on the
files by the pytest suite, tests/test_translation.py.)
"""
from odoo.exceptions import ValidationError

from .common import (KamCase, ensure_zh_cn, key_account_vals, make_company,
                     ref)


class TestZhCn(KamCase):

    @classmethod
    def setUpClass(cls):
        super(TestZhCn, cls).setUpClass()
        ensure_zh_cn(cls.env)

    def setUp(self):
        super(TestZhCn, self).setUp()
        self.zh = self.env(context={"lang": "zh_CN"})

    def test_zh_cn_loads_into_odoo(self):
        zh = self.zh
        self.assertEqual(ref(zh, "relationship_level_vendor").name,
                         "卖主关系")
        self.assertEqual(ref(zh, "relationship_level_strategic_alliance").name,
                         "战略联盟关系")
        self.assertEqual(ref(zh, "group_kam_regional_manager").name,
                         "区域经理")
        fields = zh["res.partner"].fields_get(["kam_manager_id"])
        self.assertEqual(fields["kam_manager_id"]["string"], "大客户经理")

    def test_english_and_chinese_both_selectable(self):
        """Loading zh_CN (make run: --load-language=zh_CN) keeps en_US
        active: each user picks either in Preferences (issue 17)."""
        active = self.env["res.lang"].search([]).mapped("code")
        self.assertIn("en_US", active)
        self.assertIn("zh_CN", active)
        for login in ("kam_manager_1", "kam_director"):
            me = self.as_user(login)["res.users"].browse(
                self.user(login).id)
            offered = dict(me.fields_get(["lang"])["lang"]["selection"])
            self.assertIn("en_US", offered)
            self.assertIn("zh_CN", offered)
            for code in ("zh_CN", "en_US"):
                me.write({"lang": code})  # what Preferences saves
                self.assertEqual(self.user(login).lang, code)

    def test_errors_are_translated(self):
        """The constraint's sentence and the field's label both in zh_CN
        (res_partner.py, _check_kam_key_account)."""
        zh = self.zh
        company = make_company(zh, "Translated Error Co")
        vals = key_account_vals(zh, kam_region_id=False)
        with self.raises_and_rolls_back(
                ValidationError,
                "大客户区域：大客户 Translated Error Co 必须填写此项。") as caught:
            company.write(vals)
        self.assertEqual(caught.exception.name,
                         "大客户区域：大客户 Translated Error Co 必须填写此项。")
