"""Lay the report out on pages and paint it on a PDF writer or a printer (Qt's own printing).

The text is a ``QTextDocument`` laid out at 96 units per inch and painted scaled to the
device's resolution, so it stays vector text in the PDF. Each page gets a running header
(deal name) and footer (file hash, page x of n). The same ``Report.paint`` serves the PDF
export, the print dialog and its preview.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)

from core.files.atomic import write_atomically
from core.model.deal import Deal
from core.report.data import DEFAULT_PATHS, DEFAULT_SEED, ReportData, gather
from gui.report import charts
from gui.report.content import report_html
from gui.report.diagram import diagram_image

DOC_DPI = 96.0  # layout units per inch
HEAD, FOOT = 26.0, 22.0  # running header and footer heights, layout units
PAPERS = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}
MARGINS_MM = QMarginsF(14, 12, 14, 12)
MAX_PAGES = 4


class ReportError(Exception):
    """The report could not be written (the message names the file and the reason)."""


def _reference_device() -> QImage:
    """A paint device at exactly ``DOC_DPI`` for the text layout (fonts in points)."""
    image = QImage(1, 1, QImage.Format.Format_RGB32)
    dots_per_metre = round(DOC_DPI / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    return image


class Report:
    """The report's images and text for one deal, ready to paint on any paged device."""

    TITLE = "Term-sheet risk summary"  # in the running header and the PDF's title
    MAX_PAGES = MAX_PAGES  # more pages than this: the compact layout

    def __init__(self, data: ReportData, deal: Deal) -> None:
        self.data = data
        self.deal = deal
        self._images: dict[str, QImage] = {
            "img:diagram": diagram_image(deal),
            "img:dscr": charts.dscr_chart(data.result),
            "img:balances": charts.balances_chart(data.result),
        }
        if data.montecarlo is not None:
            self._images["img:fan"] = charts.fan_chart(data.montecarlo)
            self._images["img:loss"] = charts.loss_chart(data.montecarlo)
        self._ref = _reference_device()

    def _sized(self, name: str, width: float, max_height: float) -> tuple[str, int, int]:
        img = self._images[name]
        w, h = img.width(), img.height()
        scale = min(width / w, max_height / h)
        return name, int(w * scale), int(h * scale)

    def document(self, page: QSizeF, compact: bool = False) -> QTextDocument:
        """The text laid out for a printable area of ``page`` (layout units)."""
        return self.text_document(self.html(page, compact), page)

    def html(self, page: QSizeF, compact: bool = False) -> str:
        """The report's HTML, its images sized for ``page``."""
        width, body = page.width(), page.height() - HEAD - FOOT
        chart_h = body * (0.22 if compact else 0.27)
        base = [self._sized(n, width, chart_h) for n in ("img:dscr", "img:balances")]
        # the Monte Carlo's two charts across the page, one under the other, in both layouts
        mc_h = body * 0.25
        mc = [self._sized(n, width, mc_h) for n in ("img:fan", "img:loss") if n in self._images]
        diagram = self._sized("img:diagram", width, body * (0.34 if compact else 0.42))
        return report_html(self.data, diagram, base, mc, compact)

    def text_document(self, html: str, page: QSizeF) -> QTextDocument:
        """``html`` with the report's images, laid out for the body of ``page``."""
        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(self._ref)
        doc.setDocumentMargin(0)
        doc.setDefaultFont(QFont("DejaVu Sans", 9))
        for name, image in self._images.items():
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        doc.setHtml(html)
        doc.setPageSize(QSizeF(page.width(), page.height() - HEAD - FOOT))
        return doc

    def paint(self, device: QPagedPaintDevice) -> int:
        """Paint every page on ``device`` (a QPdfWriter or QPrinter); returns the page count."""
        res = float(device.resolution())
        rect = device.pageLayout().paintRectPixels(int(res))
        k = res / DOC_DPI
        page = QSizeF(rect.width() / k, rect.height() / k)
        doc = self.document(page)
        if doc.pageCount() > self.MAX_PAGES:
            doc = self.document(page, compact=True)
        n = doc.pageCount()
        body = page.height() - HEAD - FOOT
        painter = QPainter()
        if not painter.begin(device):
            raise ReportError("could not start painting on the output device")
        try:
            painter.scale(k, k)
            for i in range(n):
                if i:
                    device.newPage()
                self._furniture(painter, page, i, n)
                painter.save()
                painter.translate(0, HEAD - i * body)
                clip = QRectF(0, i * body, page.width(), body)
                painter.setClipRect(clip)
                ctx = QAbstractTextDocumentLayout.PaintContext()
                ctx.clip = clip
                doc.documentLayout().draw(painter, ctx)
                painter.restore()
        finally:
            painter.end()
        return n

    def _furniture(self, painter: QPainter, page: QSizeF, index: int, count: int) -> None:
        """Running header and footer of page ``index``."""
        h = self.data.header
        painter.save()
        painter.setPen(QPen(QColor("#c8ced6"), 0.8))
        painter.drawLine(0, HEAD - 8, int(page.width()), HEAD - 8)
        painter.drawLine(
            0, int(page.height() - FOOT + 6), int(page.width()), int(page.height() - FOOT + 6)
        )
        font = QFont("DejaVu Sans")
        font.setPixelSize(round(7.0 * DOC_DPI / 72.0))  # 7 pt: the painter works in layout units
        painter.setFont(font)
        painter.setPen(QColor("#555555"))
        top = QRectF(0, 0, page.width(), HEAD - 10)
        align = Qt.AlignmentFlag
        painter.drawText(top, align.AlignLeft | align.AlignBottom, f"CapStack: {h.deal_name}")
        painter.drawText(top, align.AlignRight | align.AlignBottom, self.TITLE)
        bottom = QRectF(0, page.height() - FOOT + 8, page.width(), FOOT - 8)
        painter.drawText(
            bottom,
            align.AlignLeft | align.AlignTop,
            f"{h.file_name}  SHA-256 {h.file_hash}  generated {h.generated}",
        )
        painter.drawText(bottom, align.AlignRight | align.AlignTop, f"Page {index + 1} of {count}")
        painter.restore()


def pdf_writer(path: str | QIODevice, paper: str = "A4") -> QPdfWriter:
    if paper not in PAPERS:
        raise ReportError(f"paper must be one of {sorted(PAPERS)}, got {paper!r}")
    writer = QPdfWriter(path)
    writer.setResolution(300)
    layout = QPageLayout(
        QPageSize(PAPERS[paper]), QPageLayout.Orientation.Portrait, MARGINS_MM,
        QPageLayout.Unit.Millimeter,
    )  # fmt: skip
    writer.setPageLayout(layout)
    writer.setCreator("CapStack")
    return writer


def write_pdf(report: Report, path: str, paper: str = "A4") -> int:
    """Write the report to ``path`` atomically (temporary file, then rename); returns pages.

    The PDF is painted into memory first: Qt's PDF writer does not report a failed write (a
    full disk), so the bytes are written by :func:`write_atomically`, which does, and the
    old file stays whole."""
    folder = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(folder):  # before the painting, not after it
        raise ReportError(f"{path}: cannot write the report: the folder {folder} does not exist")
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = pdf_writer(buffer, paper)
    writer.setTitle(f"{report.TITLE}: {report.data.header.deal_name}")
    pages = report.paint(writer)
    del writer  # the PDF is finished when the writer goes away
    data = bytes(buffer.data())
    buffer.close()
    if not data.rstrip().endswith(b"%%EOF"):
        raise ReportError(f"{path}: the PDF could not be completed; nothing was written")
    try:
        write_atomically(path, data)
    except OSError as exc:
        raise ReportError(f"{path}: cannot write the report: {exc}") from exc
    return pages


def build_report(
    deal: Deal,
    path: str,
    source_path: str | None = None,
    paper: str = "A4",
    mc_paths: int = DEFAULT_PATHS,
    mc_seed: int = DEFAULT_SEED,
    saved: bool = True,
) -> tuple[ReportData, int]:
    """Run the engine for ``deal`` and write its risk summary PDF; returns (data, pages)."""
    data = gather(deal, source_path, mc_paths, mc_seed, saved=saved)
    return data, write_pdf(Report(data, deal), path, paper)
