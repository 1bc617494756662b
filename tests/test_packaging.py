"""setup.py installs the addon as odoo.addons.kam_management."""
import os
import subprocess
import sys
import zipfile

from conftest import ROOT

ADDON = os.path.join(ROOT, "kam_management")


def test_wheel_holds_the_whole_addon_under_odoo_addons(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(tmp_path), ROOT], check=True)
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(str(wheel)).namelist())
    expected = set()
    for dirpath, _dirs, files in os.walk(ADDON):
        if "__pycache__" in dirpath:
            continue
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), ROOT)
            expected.add("odoo/addons/" + rel.replace(os.sep, "/"))
    assert expected <= names, sorted(expected - names)
    # it must not ship odoo's own namespace files, which would shadow Odoo
    assert "odoo/__init__.py" not in names
    assert "odoo/addons/__init__.py" not in names
