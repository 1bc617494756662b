# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Printed reports (issue 17): the month-end reports and the complaint
status come out of wkhtmltopdf as real PDF, with their Chinese text in a
Chinese font.

Each report is printed for demo records as a demo user who may read them,
through ``render_qweb_pdf`` as the print button does. The PDF is then read
back with poppler's tools: ``pdftotext`` for the text (the record's name
and its Chinese text), ``pdffonts`` for a Chinese font embedded (no tofu
boxes: a missing glyph is still extracted as text), ``pdftoppm`` for an
image of page 1 that is not blank.

Without wkhtmltopdf Odoo 11 logs "You need Wkhtmltopdf" and cannot print a
PDF: these tests then fail and say so (``make setup`` installs it, a
Chinese font and poppler-utils; scripts/setup.sh).

Two switches make the print hermetic:

- Odoo's runner (``--test-enable``) makes ``render_qweb_pdf`` return the
  HTML unless ``test_report_directory`` is set: it is, to a temporary
  folder, while printing. ``test_enable`` is set too (it already is under
  Odoo's runner, not under scripts/run-addon-tests.py): without it a print
  that compiles the report stylesheets commits the test's transaction.
- wkhtmltopdf fetches the report stylesheets over HTTP from ``report.url``
  (else ``web.base.url``), i.e. from whatever server listens there, which
  on a shared machine may serve another database. ``report.url`` is set to
  a local port where nothing listens: the page is laid out with the
  report's own style (``kam_management.report_kam_style``), which is
  inside the page.
"""
import glob
import logging
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from unittest.mock import patch

from PIL import Image

from odoo.tools import config

from .common import KamCase, ref

_logger = logging.getLogger(__name__)
TOOLS = ("pdftotext", "pdftoppm", "pdffonts", "fc-list")
HAN = re.compile(r"[\u4e00-\u9fff]+")
TIMEOUT = 120


def compact(text):
    """``text`` without white space: pdftotext wraps long lines, between
    words or between two Chinese characters."""
    return "".join(text.split())


def chinese(text):
    """The runs of Chinese characters in ``text``."""
    return HAN.findall(text or "")


def closed_url():
    """An HTTP address on this machine where nothing listens."""
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    finally:
        sock.close()
    return "http://127.0.0.1:%d" % port


def run(*args):
    """The output of command ``args``; an AssertionError with its error
    output if it fails."""
    done = subprocess.run(args, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=TIMEOUT)
    if done.returncode:
        raise AssertionError("%s failed (exit code %s): %s" % (
            " ".join(args), done.returncode,
            done.stderr.decode("utf-8", "replace")[-1000:]))
    return done.stdout.decode("utf-8", "replace")


class PdfCase(KamCase):

    @classmethod
    def setUpClass(cls):
        super(PdfCase, cls).setUpClass()
        if not cls.env["res.lang"].search([("code", "=", "zh_CN")]):
            # a database without Chinese: load it and the addon's
            # translation for this class (rolled back with it)
            cls.env["res.lang"].load_lang("zh_CN")
            cls.env["ir.module.module"].search(
                [("name", "=", "kam_management")])._update_translations(
                    "zh_CN")
        # the report stylesheets (lessc: seconds), linked from every
        # printed page, compiled once for the class rather than in each
        # test's savepoint (a user who cannot edit the layout gets other
        # bundles than the superuser)
        complaint = ref(cls.env, "complaint_breached")
        ref(cls.env, "kam_complaint_report").sudo(
            complaint.kam_manager_id).render_qweb_html(complaint.ids)
        cls.env.ref("web.minimal_layout").render(
            {"subst": False, "body": "", "base_url": ""})

    def setUp(self):
        super(PdfCase, self).setUp()
        state = self.env["ir.actions.report"].get_wkhtmltopdf_state()
        self.assertEqual(
            state, "ok",
            "wkhtmltopdf is not usable by Odoo (state %r): Odoo prints "
            "HTML instead of PDF. Run `make setup` (scripts/setup.sh "
            "installs Debian's wkhtmltopdf) and restart Odoo." % state)
        missing = [tool for tool in TOOLS if not shutil.which(tool)]
        self.assertFalse(
            missing, "%s not found: run `make setup` (scripts/setup.sh "
            "installs poppler-utils and fontconfig)" % ", ".join(missing))
        self.env["ir.config_parameter"].set_param("report.url",
                                                  closed_url())

    def print_pdf(self, xmlid, records, user, lang=None):
        """The text of the PDF of report ``xmlid`` for ``records``,
        printed by ``user`` (in ``lang``). Checked here: it is a PDF, it
        embeds a Chinese font, its page 1 converts to a PNG that is not
        blank."""
        action = ref(self.env, xmlid).sudo(user)
        if lang:
            action = action.with_context(lang=lang)
        tmp = tempfile.mkdtemp(prefix="kam_pdf_")
        self.addCleanup(shutil.rmtree, tmp, True)
        start = time.time()
        with patch.dict(config.options, test_enable=True,
                        test_report_directory=tmp):
            data, kind = action.render_qweb_pdf(records.ids)
        _logger.info("%s: %d record(s) printed in %.2f s (%d bytes)",
                     xmlid, len(records), time.time() - start, len(data))
        self.assertEqual(kind, "pdf", "%s printed %s, not PDF" % (xmlid, kind))
        self.assertTrue(data.startswith(b"%PDF-"),
                        "%s is not a PDF: %r" % (xmlid, data[:60]))
        path = os.path.join(tmp, "report.pdf")
        with open(path, "wb") as pdf:
            pdf.write(data)
        text = run("pdftotext", "-enc", "UTF-8", path, "-")
        fonts = run("pdffonts", path)
        png = self.page_png(path, tmp)
        self.assertCjkFont(fonts, xmlid)
        with Image.open(png) as image:
            darkest, _lightest = image.convert("L").getextrema()
        self.assertLess(darkest, 128, "page 1 of %s is blank" % xmlid)
        return text

    def page_png(self, path, tmp):
        prefix = os.path.join(tmp, "page")
        run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", path,
            prefix)
        pngs = glob.glob(prefix + "*.png")
        self.assertEqual(len(pngs), 1, "pdftoppm made %s" % pngs)
        with open(pngs[0], "rb") as image:
            self.assertEqual(image.read(8), b"\x89PNG\r\n\x1a\n")
        return pngs[0]

    def assertCjkFont(self, fonts, xmlid):
        """One of the fonts embedded in the PDF is one that fontconfig
        lists for Chinese."""
        zh_fonts = set(run("fc-list", ":lang=zh", "--format",
                           "%{postscriptname}\n").split())
        self.assertTrue(zh_fonts, "no Chinese font installed: run `make "
                        "setup` (scripts/setup.sh installs "
                        "fonts-wqy-microhei)")
        # pdffonts: two header lines, then "name type ... emb sub uni ..."
        embedded = {line.split()[0].split("+")[-1]
                    for line in fonts.splitlines()[2:] if line.strip()}
        self.assertTrue(
            embedded & zh_fonts,
            "%s embeds no Chinese font (fonts %s; Chinese fonts %s): its "
            "Chinese text would print as boxes" % (
                xmlid, sorted(embedded), sorted(zh_fonts)))

    def assertPrinted(self, text, expected, xmlid):
        for value in expected:
            self.assertIn(compact(value), compact(text),
                          "%r is not in the printed %s" % (value, xmlid))


class TestPdfReport(PdfCase):

    def test_month_end_reports_print_as_pdf(self):
        """The East China reports of the demo's month, printed by the
        region's manager in Chinese: the region's report and its KAMs'."""
        region = self.kam_ref("region_east_china")
        self.assertTrue(chinese(region.name), region.name)
        reports = self.env["kam.report"].search(
            [("region_id", "=", region.id)], order="period_start desc")
        self.assertTrue(reports, "the demo drafts month-end reports")
        latest = reports[0].period_start
        reports = reports.filtered(lambda r: r.period_start == latest)
        self.assertEqual(set(reports.mapped("report_type")),
                         {"region_monthly", "kam_monthly"})
        manager = region.manager_id
        self.assertEqual(manager, self.user("kam_regional"))
        xmlid = "kam_report_action_print"
        text = self.print_pdf(xmlid, reports, manager, lang="zh_CN")
        self.assertPrinted(
            text, reports.mapped("name") + chinese(region.name), xmlid)
        # the labels in the printing user's language
        self.assertPrinted(text, ["已完成拜访"], xmlid)

    def test_complaint_status_prints_as_pdf(self):
        """A complaint with a Chinese title, printed by its KAM."""
        complaint = self.kam_ref("complaint_breached")
        self.assertTrue(chinese(complaint.name), complaint.name)
        kam = complaint.kam_manager_id
        self.assertIn(kam, self.user("kam_manager_1") | self.user(
            "kam_manager_2"))
        xmlid = "kam_complaint_report"
        text = self.print_pdf(xmlid, complaint, kam)
        self.assertPrinted(
            text, [complaint.name, complaint.partner_id.name]
            + chinese(complaint.description), xmlid)
