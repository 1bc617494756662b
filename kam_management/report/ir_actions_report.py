# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Print several records of the addon's reports with Debian's wkhtmltopdf.

Odoo 11 hands wkhtmltopdf one HTML file per record in a single call. The
wkhtmltopdf of Debian (0.12.6) is built on a Qt without wkhtmltopdf's
patches, which prints one document per call only: with two files or more
it exits with code 1, which Odoo accepts, and the PDF comes out empty.
There, the addon's reports print each record on its own and join the
pages. With a patched build Odoo's single call is kept.
"""
import io
import logging
import subprocess

from PyPDF2 import PdfFileReader, PdfFileWriter

from odoo import api, models
from odoo.addons.base.ir.ir_actions_report import _get_wkhtmltopdf_bin

_logger = logging.getLogger(__name__)
_one_document_per_call = []


def one_document_per_call():
    """Whether the wkhtmltopdf found prints one HTML document per call
    (built on an unpatched Qt: its version does not say "patched qt")."""
    if not _one_document_per_call:
        binary = _get_wkhtmltopdf_bin()
        version = b"patched qt"  # none found or broken: Odoo says so
        if binary:
            try:
                version = subprocess.run(
                    [binary, "--version"], stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT, timeout=60).stdout
            except (IOError, OSError, subprocess.SubprocessError) as error:
                _logger.warning("wkhtmltopdf --version failed: %s", error)
        _one_document_per_call.append(b"patched qt" not in version)
        if _one_document_per_call[0]:
            _logger.info("wkhtmltopdf without patched Qt: the addon's "
                         "reports print their records one by one")
    return _one_document_per_call[0]


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _run_wkhtmltopdf(self, bodies, header=None, footer=None,
                         landscape=False, specific_paperformat_args=None,
                         set_viewport_size=False):
        run = super(IrActionsReport, self)._run_wkhtmltopdf
        options = dict(
            header=header, footer=footer, landscape=landscape,
            specific_paperformat_args=specific_paperformat_args,
            set_viewport_size=set_viewport_size)
        if (len(bodies) < 2 or len(self) != 1
                or not (self.report_name or "").startswith(
                    "kam_management.")
                or not one_document_per_call()):
            return run(bodies, **options)
        writer = PdfFileWriter()
        streams = []
        for body in bodies:
            streams.append(io.BytesIO(run([body], **options)))
            writer.appendPagesFromReader(PdfFileReader(streams[-1]))
        result = io.BytesIO()
        writer.write(result)
        return result.getvalue()
