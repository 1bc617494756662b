"""The zh_CN translation ships complete.

That it loads into Odoo (names, labels, errors) is checked in process by
the addon's own tests, kam_management/tests/test_translation.py.
"""
import os

import polib

I18N = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))), "kam_management", "i18n")


def test_every_string_has_a_zh_cn_translation():
    pot = polib.pofile(os.path.join(I18N, "kam_management.pot"))
    po = polib.pofile(os.path.join(I18N, "zh_CN.po"))
    translated = {e.msgid: e.msgstr for e in po if e.msgstr}
    missing = [e.msgid for e in pot if e.msgid not in translated]
    assert len(pot) > 50
    assert not missing, missing
