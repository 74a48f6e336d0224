"""The Help menu's windows: the "first deal" guide (sponsor -> SPV -> lease -> tranches, step
by step) and the list of keyboard shortcuts and canvas gestures, read from the window's own
actions so it never disagrees with them."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

#: (what, how) for the canvas gestures that are not menu actions
GESTURES = (
    ("Connect two blocks", "Drag from a card's round handle (right edge) to another card, "
                           "or Shift+drag from one card to another"),
    ("Select several blocks", "Drag a rectangle on the empty canvas, or Ctrl+click"),
    ("Zoom", "Ctrl+mouse wheel, or + and -"),
    ("Pan", "Middle-button drag, or hold Space and drag"),
    ("Remove the selection", "Delete or Backspace"),
    ("Edit a block's terms", "Select it: its terms are in the Properties panel"),
    ("Trace a key metric", "Click it in Key metrics: the period rows and the Excel cells "
                           "it comes from"),
)  # fmt: skip

GUIDE_HTML = """
<h2>Your first deal in ten steps</h2>
<p>A deal is a picture of who owns what and who pays whom. You build it on the canvas from the
<b>Blocks</b> palette on the left; CapStack runs the cash-flow waterfall after every change and
the <b>Deal check</b> says what is missing or does not add up. Every step can be undone
(Ctrl+Z).</p>
<ol>
<li><b>Start.</b> File &gt; New gives an empty deal holding one <b>SPV / JV</b>: the company
that owns the assets and borrows. Select it and set its closing date, period (monthly,
quarterly or annual) and horizon in <b>Properties</b> on the right.</li>
<li><b>Sponsor / tenant.</b> Drag a <i>Sponsor / tenant</i> from the palette onto the canvas:
the hyperscaler or AI lab that wants the compute. Name it and give its rating.</li>
<li><b>Lease.</b> Drag a <i>Lease / offtake</i>. Connect the SPV to it (drag from the SPV's
round handle to the lease: <i>leases to</i>), then the lease to the sponsor (<i>leases
to</i>): the sponsor is now the tenant. Set the rent (or GPU-hour price), term and renewal
options.</li>
<li><b>Assets.</b> Drag a <i>GPU fleet</i> or a <i>Facility</i> and connect the SPV to it
(<i>owns</i>). Its cost is what the capital must pay for; an asset the SPV does not own is an
error in the deal check.</li>
<li><b>Equity.</b> Drag an <i>Equity</i> class and connect it to the SPV (<i>owns</i>). A
sponsor that co-invests owns the SPV too: when it joins, it takes the share the others leave
(or the owners split the SPV equally); edit the shares so they sum to 100%.</li>
<li><b>Debt.</b> Drag a <i>Senior tranche</i> and connect the SPV to it (<i>issues
debt</i>); set notional, coupon (or base rate + spread in bp), amortisation and tenor. Add
<i>Mezzanine</i> or <i>Junior</i> tranches the same way; rank 1 is paid first. Connect the
lease and the assets to the tranche (<i>secures</i>).</li>
<li><b>Support.</b> Optional: a <i>Reserve account</i> (DSRA) owned by the SPV, <i>Operating
costs</i> and <i>Covenants</i> that apply to the SPV, a <i>Guarantee / backstop</i> (an RVG or a
third-party backstop) with its guarantor, an <i>Interest-rate swap</i> that hedges a floating
tranche.</li>
<li><b>Check.</b> Read the Deal check: structural errors first, then the credit check of the
base case (funding gap or over-funding, DSCR below 1.00x, LTV above 100% at close). Click a
finding to select the blocks to fix.</li>
<li><b>Read the results.</b> Capital stack, sources and uses, key metrics (click one to see the
period rows and Excel cells it comes from), the waterfall, DSCR, LTV and the period table.
Stress it with the scenario bar; run a Monte Carlo.</li>
<li><b>Share it.</b> File &gt; Save, Export Excel (a live model), Print / Export PDF (the risk
summary), and File &gt; Compare to put two versions side by side.</li>
</ol>
<p>Auto-layout (Ctrl+L) tidies the canvas; Fit to View (Ctrl+0) shows every block.
The shipped samples (File &gt; Open Sample) are complete deals to start from: they open as
unsaved copies, so Save asks where.</p>
"""


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(command, shortcut) for every action that has one, in menu order, without '&'."""
    rows = []
    for action in actions:
        keys = action.shortcut()
        if not keys.isEmpty():
            text = action.text().replace("&", "").rstrip(".…")
            rows.append((text, keys.toString(QKeySequence.SequenceFormat.NativeText)))
    return rows


class ShortcutsDialog(QDialog):
    """Every shortcut of the window's actions, then the canvas gestures."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts and gestures")
        rows = shortcut_rows(actions) + list(GESTURES)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Command", "Keys or gesture"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for i, (what, how) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(what))
            self.table.setItem(i, 1, QTableWidgetItem(how))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(640, 560)


class GuideDialog(QDialog):
    """The first-deal guide, non-modal so the analyst can follow it on the canvas."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("First deal guide")
        self.setModal(False)
        self.text = QTextBrowser(self)
        self.text.setHtml(GUIDE_HTML)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(560, 620)
