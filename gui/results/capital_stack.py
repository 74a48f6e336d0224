"""Capital stack (a stacked bar of tranches over equity, with amounts and share of capital)
and the sources and uses table."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QTableWidgetItem, QWidget

from core.engine.results import DealResult
from gui.results.date_plot import ThousandsAxis
from gui.results.formatting import equity_color, fmt_money, fmt_pct, tranche_color
from gui.results.widgets import number_item, plot_over_table, read_only_table

#: the uses line compile_deal books when the sources do not pay for the uses
FUNDING_GAP = "Funding gap"


def stack_layers(result: DealResult) -> list[tuple[str, float, float, str]]:
    """(label, amount, share of capital, colour) from the bottom (first loss) to the top."""
    layers = [
        (_short(e["investor"]) + " (equity)", e["amount"], e["share_of_capital"], equity_color(k))
        for k, e in enumerate(result.equity_classes.to_dict("records"))
    ]
    rows = result.tranche_metrics.to_dict("records")
    for k in reversed(range(len(rows))):  # the most junior tranche sits on the equity
        r = rows[k]
        label = _short(r["tranche"])
        layers.append((label, r["notional"], r["share_of_capital"], tranche_color(k)))
    return layers


def _short(name: str, limit: int = 28) -> str:
    """Long names are cut so the labels fit beside the bar (the table has them in full)."""
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"


class CapitalStackView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w", axisItems={"left": ThousandsAxis("left")})
        item = self.plot.getPlotItem()
        item.setTitle("Capital stack (USD m)", color="#303030", size="10pt")
        item.getAxis("left").setTextPen(pg.mkPen("#303030"))
        item.getAxis("left").setPen(pg.mkPen("#606060"))
        item.hideAxis("bottom")
        item.setMenuEnabled(False)
        item.setMouseEnabled(x=False, y=False)
        self.table = read_only_table(("Sources and uses", "USD m"))
        plot_over_table(self, self.plot, self.table, (600, 400))
        self.layers: list[tuple[str, float, float, str]] = []
        self.labels: list[pg.TextItem] = []
        self.plot.getPlotItem().getViewBox().sigResized.connect(self._place_labels)

    def show_result(self, result: DealResult) -> None:
        self.layers = stack_layers(result)
        item = self.plot.getPlotItem()
        item.clear()
        item.showAxis("left")
        self.labels = []
        base = 0.0
        for label, amount, share, color in self.layers:
            bar = pg.BarGraphItem(
                x=[0.0], y0=[base], height=[amount], width=0.8, brush=color, pen=pg.mkPen("w")
            )
            item.addItem(bar)
            text = pg.TextItem(
                f"{label}\n{fmt_money(amount)}  ({fmt_pct(share, 1)})",
                color="#1b1b1b",
                anchor=(0, 0.5),
            )
            item.addItem(text)
            self.labels.append(text)
            base += amount
        self._place_labels()
        self._fill_table(result)

    def _place_labels(self) -> None:
        """Each label beside its layer, at least one label height (in pixels of the plot as
        laid out now) above the one below and never cut off at the bottom or the top."""
        if not self.layers:
            return
        item = self.plot.getPlotItem()
        total = sum(amount for _, amount, _, _ in self.layers) or 1.0
        pixels = item.getViewBox().height()
        # a label's height in pixels (text items ignore the view's scaling), plus a margin
        label_px = max(t.boundingRect().height() for t in self.labels) + 4.0
        top = total * 1.03
        for _ in range(3):  # the range grows to fit the labels; the gap follows the range
            gap = top * (label_px / pixels) if pixels > 2 * label_px else total * 0.11
            y, base, placed = -gap, 0.0, []
            for _label, amount, _share, _color in self.layers:
                y = max(base + amount / 2, y + gap, gap / 2)
                placed.append(y)
                base += amount
            if placed[-1] + gap / 2 <= top:
                break
            top = placed[-1] + gap / 2
        for text, y in zip(self.labels, placed, strict=True):
            text.setPos(0.45, y)
        item.setXRange(-0.5, 3.2, padding=0)
        item.setYRange(0, top, padding=0)

    def _fill_table(self, result: DealResult) -> None:
        rows: list[tuple[str, str, bool]] = []
        for title, values, total in (
            ("Sources", result.sources, result.total_sources),
            ("Uses", result.uses, result.total_uses),
        ):
            rows.append((title, "", True))
            rows += [(f"  {k}", fmt_money(v), False) for k, v in values.items()]
            rows.append((f"Total {title.lower()}", fmt_money(total), True))
        phases = result.sources_uses_by_phase or {}
        for phase, sides in phases.items():  # a deal with a construction phase
            for title, values in (("sources", sides["sources"]), ("uses", sides["uses"])):
                rows.append((f"{phase.capitalize()}: {title}", "", True))
                rows += [(f"  {k}", fmt_money(v), False) for k, v in values.items()]
        self.table.setRowCount(len(rows))
        bold = QFont()
        bold.setBold(True)
        for i, (label, value, strong) in enumerate(rows):
            left, right = QTableWidgetItem(label), number_item(value)
            if strong:
                left.setFont(bold)
                right.setFont(bold)
            if label.strip() == FUNDING_GAP:  # the balancing line of a deal that does not fund
                for item in (left, right):
                    item.setForeground(QColor("#c9403a"))
                    item.setToolTip(
                        "Sources fall short of the uses by this much: the deal does not fund "
                        "(see the Deal check's credit findings)"
                    )
            self.table.setItem(i, 0, left)
            self.table.setItem(i, 1, right)
        self.table.resizeColumnsToContents()

    def clear_result(self) -> None:
        """Nothing shown, not even the previous deal's axis."""
        self.plot.getPlotItem().clear()
        self.plot.getPlotItem().hideAxis("left")
        self.layers, self.labels = [], []
        self.table.setRowCount(0)

    def set_stale(self, stale: bool) -> None:
        title = "Capital stack (USD m)" + ("  (stale: last good result)" if stale else "")
        self.plot.getPlotItem().setTitle(
            title, color="#c9403a" if stale else "#303030", size="10pt"
        )
