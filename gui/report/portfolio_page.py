"""The portfolio risk summary PDF: the book's loss distribution and tail (EL, VaR, ES), the
diversification left when correlations converge, each deal's and counterparty's contribution,
guarantor concentration, look-through leverage by sponsor and the holdcos. Painted like the
term-sheet summary (gui.report.document: running header, page x of n, atomic write); every
number is the result's (core.portfolio.stats)."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone

from PySide6.QtCore import QSizeF
from PySide6.QtGui import QImage

from core.portfolio.run import PortfolioResult
from gui.portfolio_charts import ContributionChart, LossDistributionChart
from gui.report import charts
from gui.report.compare_page import CompareData, CompareHeader
from gui.report.content import CSS, _e, table
from gui.report.document import FOOT, HEAD, Report, _reference_device, write_pdf
from gui.results.formatting import fmt_money, fmt_pct

METHOD = (
    "Every deal runs on the same simulated world: monthly market shocks (compute and "
    "data-centre rent, utilisation, GPU value and generation launches, BTC, base rate) on "
    "the book's calendar through each deal's own driver formulas, and one default time per "
    "named counterparty from a one-factor Gaussian copula (asset correlation by sector, "
    "rising with the share of stress months; the systematic factor loads on compute rent). "
    "Each deal's own events (terminations, renewals, residual haircut) are its own. VaR is "
    "the empirical quantile; ES the mean of the worst (1 - level) share of paths; "
    "contributions are the means of each part over all paths (EL) and over those tail paths "
    "(ES) and add up to the book's. docs/portfolio.md."
)


def _images(result: PortfolioResult) -> dict[str, QImage]:
    d = result.data
    loss = LossDistributionChart()
    loss.show_result(d)
    by_deal = ContributionChart("Contribution by deal (USD m)")
    by_deal.show_rows(d["deals"], "id")
    by_cp = ContributionChart("Contribution by counterparty default (USD m)")
    by_cp.show_rows(d["counterparties"], "name")
    return {
        "img:loss": charts.render_view(loss),
        "img:deals": charts.render_view(by_deal),
        "img:cps": charts.render_view(by_cp),
    }


def _hash(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()[:16]
    except OSError:
        return "n/a"


class PortfolioReport(Report):
    """The portfolio pages (Report's painting, its own content)."""

    TITLE = "Portfolio risk summary"
    MAX_PAGES = 6

    def __init__(self, result: PortfolioResult, book_path: str) -> None:  # noqa: D107
        self.result = result
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")  # noqa: UP017
        header = CompareHeader(
            result.data["book"], os.path.basename(book_path), _hash(book_path), stamp
        )
        self.data = CompareData(header)
        self._images = _images(result)
        self._ref = _reference_device()

    def html(self, page: QSizeF, compact: bool = False) -> str:
        width, body = page.width(), page.height() - HEAD - FOOT

        def img(name: str, share: float) -> str:
            _, w, h = self._sized(name, width, body * share)
            return f'<img src="{name}" width="{w}" height="{h}">'

        return (
            f"<html><head><style>{CSS}</style></head><body>"
            + portfolio_body(self.result, img)
            + "</body></html>"
        )


def portfolio_body(result: PortfolioResult, img) -> str:  # noqa: ANN001
    d, cfg = result.data, result.config
    money, pct = fmt_money, fmt_pct
    tail = [[f"{lv}", money(d["var"][lv]), money(d["es"][lv]),
             pct(d["diversification"]["benefit"][lv]),
             money(d["converged"]["var"][lv]) if "converged" in d else "n/a",
             money(d["converged"]["es"][lv]) if "converged" in d else "n/a",
             pct(d["converged"]["benefit"][lv]) if "converged" in d else "n/a"]
            for lv in d["var"]]  # fmt: skip
    deals = [[_e(r["id"]), _e(r.get("deal", "holdco")), money(r["exposure"]),
              money(r["expected_loss"]), money(r["es_contribution"]["99%"]),
              money(r["es_contribution"]["99.9%"]), money(r["standalone_es"]["99%"])]
             for r in d["deals"]]  # fmt: skip
    cps = [[_e(c["name"]), pct(c.get("probability_of_default")), money(c["expected_loss"]),
            money(c["es_contribution"]["99%"]), money(c.get("guarantee_caps")),
            money(c.get("expected_guarantee_paid")), pct(c.get("probability_guarantee_called")),
            pct(c.get("probability_called_in_two_or_more_deals")),
            money(c.get("guarantee_paid_in_tail"))]
           for c in d["counterparties"]]  # fmt: skip
    look = [[_e(a["sponsor"]), money(a["on_balance_sheet"]), money(a.get("holdco_debt")),
             money(a["spv_debt_share"]), money(a["lease_pv"]), money(a["guarantees"]),
             "n/a" if a["ratio"] is None or a["ratio"] != a["ratio"] else f"{a['ratio']:.1f}x",
             _e(", ".join(a["spvs"]))]
            for a in d["look_through"]]  # fmt: skip
    holdcos = [
        f"<b>{_e(r['id'])}</b>: P(default) {pct(r['probability_of_default'])}, with a loss on "
        f"an SPV it owns on the same path {pct(r['probability_with_spv_loss'])}"
        for r in d["deals"]
        if r.get("holdco")
    ]
    warn = "".join(f'<p class="note">Warning: {_e(w)}</p>' for w in d["warnings"])
    return (
        f"<h1>Portfolio risk summary</h1><h2>{_e(d['book'])}</h2>"
        f"<p>{cfg.n_paths:,} paths, seed {cfg.seed}; exposure held {money(d['exposure'])} "
        f"(USD m); expected loss <b>{money(d['expected_loss'])}</b> "
        f"({pct(d['expected_loss'] / d['exposure'] if d['exposure'] else None)} of exposure); "
        f"P(loss) {pct(d['probability_of_loss'])}.</p>{warn}"
        "<h3>Tail of the book's loss (USD m)</h3>"
        + table(
            [
                "level",
                "VaR",
                "ES",
                "diversification",
                "VaR converged",
                "ES converged",
                "diversification left",
            ],
            tail,
        )  # fmt: skip
        + '<p class="note">Diversification: 1 - ES / sum of the deals\' standalone ES. '
        "Converged: the same seed with the regime forced to stress in every month.</p>"
        + img("img:loss", 0.30)
        + "<h3>Deals (USD m)</h3>"
        + table(
            [
                "deal",
                "name",
                "exposure",
                "EL",
                "ES 99% contr.",
                "ES 99.9% contr.",
                "standalone ES 99%",
            ],
            deals,
            numeric_from=2,
        )  # fmt: skip
        + img("img:deals", 0.26)
        + ("<p>" + "<br>".join(holdcos) + "</p>" if holdcos else "")
        + "<h3>Counterparty concentration (USD m)</h3>"
        + table(
            [
                "counterparty",
                "PD",
                "EL contr.",
                "ES 99% contr.",
                "guarantee caps",
                "E[paid]",
                "P(called)",
                "P(2+ deals)",
                "paid in 1% tail",
            ],
            cps,
        )  # fmt: skip
        + img("img:cps", 0.26)
        + "<h3>Look-through leverage by sponsor, across its SPVs (USD m)</h3>"
        + table(
            [
                "sponsor",
                "on B/S",
                "holdco debt",
                "SPV debt share",
                "lease PV",
                "guarantees",
                "ratio",
                "SPVs",
            ],
            look,
        )  # fmt: skip
        + f'<p class="note">{METHOD}</p>'
    )


def write_portfolio_report(
    result: PortfolioResult, path: str, book_path: str, paper: str = "A4"
) -> int:
    """Write the portfolio risk summary to ``path`` (atomically); returns the page count."""
    return write_pdf(PortfolioReport(result, book_path), path, paper)
