"""The zh_CN translation ships complete and loads."""
import os

import polib
import pytest

from common import ValidationError, key_account_vals, make_company, ref

I18N = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))), "kam_management", "i18n")


def test_every_string_has_a_zh_cn_translation():
    pot = polib.pofile(os.path.join(I18N, "kam_management.pot"))
    po = polib.pofile(os.path.join(I18N, "zh_CN.po"))
    translated = {e.msgid: e.msgstr for e in po if e.msgstr}
    missing = [e.msgid for e in pot if e.msgid not in translated]
    assert len(pot) > 50
    assert not missing, missing


def test_zh_cn_loads_into_odoo(env):
    zh = env(context={"lang": "zh_CN"})
    assert ref(zh, "relationship_level_vendor").name == "卖主关系"
    assert ref(zh, "relationship_level_strategic_alliance").name == \
        "战略联盟关系"
    assert ref(zh, "group_kam_regional_manager").name == "区域经理"
    fields = zh["res.partner"].fields_get(["kam_manager_id"])
    assert fields["kam_manager_id"]["string"] == "大客户经理"


def test_errors_are_translated(env):
    zh = env(context={"lang": "zh_CN"})
    company = make_company(zh, "Translated Error Co")
    vals = key_account_vals(zh, kam_region_id=False)
    with pytest.raises(ValidationError) as info:
        with zh.cr.savepoint():
            company.write(vals)
    assert "大客户区域" in info.value.name
