"""The printed compare page(s): two deals side by side (core.compare.Comparison): structure
diagrams, capital stacks, key metrics, stresses and Monte Carlo with B - A and the lender's
verdict coloured (green better, red worse), then the structure changes. Painted by the report's
own paged painter (``gui.report.document.Report``) and written by its ``write_pdf``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from core.compare import BETTER, WORSE, Comparison, Row, compare_deals, show, show_delta
from core.model.deal import Deal
from core.report.data import DEFAULT_PATHS, DEFAULT_SEED, ReportData, gather
from gui.report.content import CSS, _e, table
from gui.report.diagram import diagram_image
from gui.report.document import FOOT, HEAD, Report, _reference_device, write_pdf
from gui.results.formatting import equity_color, tranche_color

VERDICT_COLOURS = {BETTER: "#2e7d46", WORSE: "#c9403a"}


@dataclass(frozen=True)
class CompareHeader:
    """What the running header and footer of the compare pages name."""

    deal_name: str
    file_name: str
    file_hash: str
    generated: str


@dataclass(frozen=True)
class CompareData:
    header: CompareHeader


def stack_image(rows: list[tuple[str, float, float]], top: float, width: int = 330) -> QImage:
    """A capital stack bar (most senior on top) with its layers named, on a scale of ``top``
    (USD m) so that two stacks side by side are drawn to the same scale."""
    height, bar_w, scale = 190, 70, 2.0
    image = QImage(int(width * scale), int(height * scale), QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(scale)
    image.fill(Qt.GlobalColor.white)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont("DejaVu Sans")
    font.setPixelSize(10)
    p.setFont(font)
    y = float(height - 6)
    n_debt = sum(1 for name, _, _ in rows if not name.endswith("(equity)"))
    layers = list(reversed(rows))  # equity at the bottom
    for i, (name, amount, share) in enumerate(layers):
        h = (height - 12) * amount / top if top > 0 else 0.0
        k = len(layers) - 1 - i
        colour = tranche_color(k) if k < n_debt else equity_color(k - n_debt)
        p.fillRect(QRectF(6, y - h, bar_w, h), QColor(colour))
        p.setPen(QColor("#1b1b1b"))
        label = f"{name}: {amount:,.0f} ({share * 100:.1f}%)"
        p.drawText(QRectF(bar_w + 12, y - max(h, 14) / 2 - 8, width - bar_w - 14, 16),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)  # fmt: skip
        y -= h
    p.end()
    return image


def _verdict(row: Row) -> str:
    colour = VERDICT_COLOURS.get(row.verdict)
    return f'<span style="color: {colour}"><b>{row.verdict}</b></span>' if colour else row.verdict


def rows_table(rows: list[Row], names: tuple[str, str]) -> str:
    body = [
        [_e(r.label), _e(show(r.kind, r.a)), _e(show(r.kind, r.b)), _e(show_delta(r)), _verdict(r)]
        for r in rows
    ]
    return table(["", names[0], names[1], "B - A", "for lenders"], body)


def compare_html(c: Comparison, images: dict[str, tuple[int, int]]) -> str:
    return f"<html><head><style>{CSS}</style></head><body>{compare_body(c, images)}</body></html>"


def compare_body(c: Comparison, images: dict[str, tuple[int, int]]) -> str:
    a, b = c.names

    def img(name: str) -> str:
        w, h = images[name]
        return f'<img src="{name}" width="{w}" height="{h}">'

    changes = [[_e(ch.block), _e(ch.what), _e(ch.a), _e(ch.b)] for ch in c.changes]
    mc = (
        f"<h3>Monte Carlo ({c.mc_paths:,} paths each, same seed)</h3>"
        + rows_table(c.montecarlo, c.names)
        if c.montecarlo
        else '<p class="note">Monte Carlo not run for the comparison.</p>'
    )
    stress = "".join(
        f"<h3>Stress: {_e(name)}</h3>" + rows_table(rows, c.names)
        for name, rows in c.stress.items()
    )
    worse = c.worse()
    summary = (
        f"B is worse for lenders on {len(worse)} number(s): "
        + ", ".join(_e(r.label) for r in worse[:8])
        if worse
        else "B is nowhere worse for lenders than A."
    )
    return (
        f"<h1>Deal compare</h1><p><b>A</b>: {_e(a)} ({_e(c.deals[0].name)})<br>"
        f"<b>B</b>: {_e(b)} ({_e(c.deals[1].name)})</p><p>{summary}</p>"
        '<h3>Structure</h3><table width="100%"><tr>'
        f'<td width="50%"><b>A</b><br>{img("img:diagram_a")}</td>'
        f'<td width="50%"><b>B</b><br>{img("img:diagram_b")}</td></tr></table>'
        '<h3>Capital stack (USD m, same scale)</h3><table width="100%"><tr>'
        f'<td width="50%">{img("img:stack_a")}</td><td width="50%">{img("img:stack_b")}</td>'
        "</tr></table>"
        "<h3>Key metrics (base case)</h3>" + rows_table(c.metrics, c.names) + stress + mc
        + "<h3>What changed from A to B</h3>"
        + (table(["Block", "What", "A", "B"], changes, numeric_from=9) if changes
           else '<p class="note">No change in blocks, terms or links.</p>')
    )  # fmt: skip


def compare_images(comparison: Comparison) -> dict[str, QImage]:
    """Both structure diagrams and both capital stacks (on one scale)."""
    top = max(sum(v for _, v, _ in side) for side in comparison.capital) or 1.0
    return {
        "img:diagram_a": diagram_image(comparison.deals[0], max_width=800),
        "img:diagram_b": diagram_image(comparison.deals[1], max_width=800),
        "img:stack_a": stack_image(comparison.capital[0], top),
        "img:stack_b": stack_image(comparison.capital[1], top),
    }


def image_sizes(images: dict[str, QImage], page: QSizeF) -> dict[str, tuple[int, int]]:
    """Each compare image's size on ``page``: half the width, about a third of the height."""
    width, body = page.width(), page.height() - HEAD - FOOT
    sizes = {}
    for name, image in images.items():
        if not name.startswith(("img:diagram_", "img:stack_")):
            continue
        w = image.width() / image.devicePixelRatio()
        h = image.height() / image.devicePixelRatio()
        k = min((width / 2 - 12) / w, body * (0.3 if "diagram" in name else 0.32) / h)
        sizes[name] = (int(w * k), int(h * k))
    return sizes


class CompareReport(Report):
    """The compare pages alone, painted like the risk summary (running header, page x of n)."""

    TITLE = "Deal compare"

    def __init__(self, comparison: Comparison) -> None:  # noqa: D107 - no Report.__init__
        self.comparison = comparison
        a, b = comparison.names
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")  # noqa: UP017
        self.data = CompareData(CompareHeader(f"{a} vs {b}", f"A {a}, B {b}", "n/a", stamp))
        self._images = compare_images(comparison)
        self._ref = _reference_device()

    def html(self, page: QSizeF, compact: bool = False) -> str:
        return compare_html(self.comparison, image_sizes(self._images, page))


class ReportWithCompare(Report):
    """The term-sheet risk summary of deal A followed by the compare page(s) of A and B."""

    MAX_PAGES = Report.MAX_PAGES + 3

    def __init__(self, data: ReportData, deal: Deal, comparison: Comparison) -> None:
        super().__init__(data, deal)
        self.comparison = comparison
        self._images.update(compare_images(comparison))

    def html(self, page: QSizeF, compact: bool = False) -> str:
        body = compare_body(self.comparison, image_sizes(self._images, page))
        brk = '<div style="page-break-before: always"></div>'
        return super().html(page, compact).replace("</body></html>", brk + body + "</body></html>")


def write_compare_pdf(comparison: Comparison, path: str, paper: str = "A4") -> int:
    """Write the compare pages to ``path`` (atomically); returns the page count."""
    return write_pdf(CompareReport(comparison), path, paper)


def build_report_with_compare(
    deal: Deal,
    other: Deal,
    path: str,
    names: tuple[str, str],
    source_path: str | None = None,
    paper: str = "A4",
    mc_paths: int = DEFAULT_PATHS,
    mc_seed: int = DEFAULT_SEED,
) -> tuple[ReportData, Comparison, int]:
    """The risk summary of ``deal`` with a compare page against ``other`` (the same Monte
    Carlo paths and seed for both); returns (data, comparison, pages)."""
    data = gather(deal, source_path, mc_paths, mc_seed)
    comparison = compare_deals(deal, other, names, mc_paths=min(mc_paths, 2_000), seed=mc_seed)
    return data, comparison, write_pdf(ReportWithCompare(data, deal, comparison), path, paper)
