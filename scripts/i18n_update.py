"""Refresh kam_management's translation files.

Exports the template (.pot) from a database where the addon is installed and
up to date, merges it into i18n/zh_CN.po (keeping every existing translation)
and lists the strings still untranslated. Usage:
    .venv/bin/python scripts/i18n_update.py [DB]
"""
import os
import subprocess
import sys
import tempfile

import polib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
I18N = os.path.join(ROOT, "kam_management", "i18n")


def export_pot(db):
    import odoo
    addons = "%s,%s" % (os.path.join(os.path.dirname(odoo.__file__),
                                      "addons"), ROOT)
    out = os.path.join(tempfile.mkdtemp(), "kam_management.po")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "odoo-bin"),
                    "--addons-path=" + addons, "-d", db,
                    "--i18n-export=" + out, "--modules=kam_management",
                    "--stop-after-init", "--log-level=warn"], check=True)
    return polib.pofile(out)


def main(db):
    pot = export_pot(db)
    pot.save(os.path.join(I18N, "kam_management.pot"))
    po_path = os.path.join(I18N, "zh_CN.po")
    old = polib.pofile(po_path) if os.path.exists(po_path) else polib.POFile()
    known = {e.msgid: e.msgstr for e in old if e.msgstr}
    po = polib.pofile(os.path.join(I18N, "kam_management.pot"))
    po.metadata["Language"] = "zh_CN"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    missing = []
    for entry in po:
        entry.msgstr = known.get(entry.msgid, "")
        if not entry.msgstr:
            missing.append(entry.msgid)
    po.save(po_path)
    for msgid in missing:
        print("untranslated: %r" % msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "kam_test"))
