"""Fill msgstr of kam_management/i18n/zh_CN.po from a Python file defining a
dict ``ZH`` {msgid: translation}; prints what is still missing. Usage:
    .venv/bin/python scripts/i18n_fill.py translations.py
"""
import os
import runpy
import sys

import polib

PO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                  "kam_management", "i18n", "zh_CN.po")


def main(path):
    table = runpy.run_path(path)["ZH"]
    po = polib.pofile(PO)
    missing = []
    for entry in po:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
        elif not entry.msgstr:
            missing.append(entry.msgid)
    po.save()
    for msgid in missing:
        print("untranslated: %r" % msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
