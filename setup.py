"""Install kam_management into an existing Odoo 11 environment with pip.

The addon ends up in site-packages as ``odoo/addons/kam_management``, where
Odoo 11 finds it (``odoo.addons`` is a namespace package), so no change of
``addons_path`` is needed:

    pip install /path/to/this/checkout
"""
import ast
import os

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))
ADDON = "kam_management"

with open(os.path.join(HERE, ADDON, "__manifest__.py")) as f:
    MANIFEST = ast.literal_eval(f.read())


def addon_packages():
    """Every Python package of the addon, under odoo.addons."""
    packages = {}
    for dirpath, _dirs, files in os.walk(os.path.join(HERE, ADDON)):
        if "__init__.py" in files:
            rel = os.path.relpath(dirpath, HERE)
            packages["odoo.addons." + rel.replace(os.sep, ".")] = rel
    return packages


def addon_data():
    """Every other file of the addon (XML, CSV, PO, images)."""
    data = []
    root = os.path.join(HERE, ADDON)
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith((".py", ".pyc")):
                continue
            data.append(os.path.relpath(os.path.join(dirpath, name), root))
    return data


PACKAGES = addon_packages()

setup(
    name="odoo11-addon-" + ADDON,
    version=MANIFEST["version"],
    description=MANIFEST["summary"],
    long_description=open(os.path.join(HERE, "README.md"),
                          encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="LGPL-3",
    author=MANIFEST["author"],
    url=MANIFEST["website"],
    python_requires=">=3.5, <3.8",
    packages=sorted(PACKAGES),
    package_dir=PACKAGES,
    package_data={"odoo.addons." + ADDON: addon_data()},
    include_package_data=False,
    zip_safe=False,
    classifiers=[
        "Framework :: Odoo",
        "Programming Language :: Python :: 3",
        "License :: OSI Approved :: "
        "GNU Lesser General Public License v3 (LGPLv3)",
    ],
)
