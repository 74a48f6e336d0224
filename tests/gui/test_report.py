"""The printed term-sheet risk summary: the PDF holds the engine's numbers, has 2-4 pages of
the right size, renders to non-blank pages, is written atomically, and is reachable from the
command line and from File > Print / Export PDF.

Needs poppler-utils (pdftotext, pdfinfo, pdftoppm), which scripts/install.sh installs."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import QFileDialog

from core.engine.results import run_deal
from core.files.deal_json import load_deal
from core.risk.catalogue import risk_summary
from core.risk.montecarlo import MonteCarloConfig, run_montecarlo
from gui.report import actions
from gui.report.document import Report, ReportError, build_report
from gui.results.formatting import fmt_money, fmt_pct, fmt_ratio, fmt_years

ROOT = Path(__file__).resolve().parents[2]
DEALS = ROOT / "resources" / "deals"
SAMPLES = sorted(p.stem for p in DEALS.glob("*.json"))
PATHS, SEED = 1500, 7


#: the compaction fits four pages; a deal with more to say runs on (docs/report.md): the
#: Hyperion sample, with its construction phase and completion guarantee, takes five
MAX_PAGES = 5


def pdf_text(path: Path) -> str:
    """The PDF's text in reading order (a table cell's lines stay together), ligatures
    such as "\ufb02" spelled out."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return unicodedata.normalize("NFKC", out.stdout)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return dict(line.split(":", 1) for line in out.stdout.splitlines() if ":" in line)


def page_size(info: dict[str, str]) -> tuple[float, float]:
    w, h = re.match(r"\s*([\d.]+) x ([\d.]+) pts", info["Page size"]).groups()
    return float(w), float(h)


@pytest.fixture(scope="module", params=SAMPLES)
def sample_pdf(request, tmp_path_factory, qapp):  # noqa: ANN001, ANN201
    path = DEALS / f"{request.param}.json"
    out = tmp_path_factory.mktemp("report") / f"{request.param}.pdf"
    data, pages = build_report(load_deal(path), str(out), str(path), mc_paths=PATHS, mc_seed=SEED)
    return path, out, pages


def test_pdf_holds_the_engines_numbers(sample_pdf) -> None:  # noqa: ANN001
    path, out, _ = sample_pdf
    deal = load_deal(path)
    text = flat(pdf_text(out))
    base = run_deal(deal)  # computed again, independently of the report
    m = base.metrics
    assert flat(deal.name) in text
    assert hashlib.sha256(path.read_bytes()).hexdigest()[:12] in text
    for value in (
        fmt_ratio(m["min_dscr"]),
        fmt_ratio(m["avg_dscr"]),
        fmt_ratio(m["llcr"]),
        fmt_pct(m["equity_irr"], 1),
        fmt_pct(m["ltv_at_close"], 1),
        fmt_money(m["total_debt"]),
        fmt_money(m["total_debt"] + m["total_equity"]),
        fmt_money(sum(base.uses.values())),
    ):
        assert value in text, value
    for t in base.tranche_metrics.itertuples():
        assert fmt_money(t.notional) in text and fmt_years(t.wal_years) in text
    for lt in base.look_through:
        assert fmt_money(lt.economic) in text
    for outcome in risk_summary(deal):
        assert outcome.risk.title in text
        if outcome.not_applicable:  # named with the reason instead of zero-loss numbers
            named = text[text.index("Not applicable to this deal:") :]
            assert flat(f"{outcome.risk.title} ({outcome.not_applicable})") in named
            continue
        assert fmt_ratio(outcome.min_dscr) in text and fmt_pct(outcome.equity_irr, 1) in text
        # the value, whose unit may wrap to the next line of its table cell
        assert flat(outcome.breakeven.label.rsplit(" ", 1)[0]) in text
        for name, loss in outcome.loss_by_tranche.items():
            assert fmt_money(loss) in text, (outcome.risk.id, name)
    mc = run_montecarlo(deal, MonteCarloConfig(n_paths=PATHS, seed=SEED))
    assert f"{PATHS:,} paths, seed {SEED}" in text
    section = text[text.index("Monte Carlo: all risk drivers") :]
    for t in mc.tranches:
        for key in ("probability_of_default", "expected_loss", "loss_given_default"):
            assert fmt_pct(t[key]) in section, (t["name"], key)
        assert fmt_money(t["expected_loss_usd_m"]) in section
    for p in ("p5", "p50", "p95"):
        assert fmt_ratio(mc.min_dscr[p]) in section
    # what the defaults came from, each cause's shares as the engine gives them
    titles = {c["id"]: c["title"] for c in mc.attribution["causes"]}
    for t in mc.attribution["tranches"]:
        for cid, v in t["causes"].items():
            if v["share_of_defaults"] > 0:
                shares = f"{fmt_pct(v['share_of_defaults'], 1)} / "
                assert flat(titles[cid]) in section and shares in section, (t["name"], cid)
    for c in mc.attribution["causes"]:
        if not c["applicable"]:
            assert flat(f"{c['title']} ({c['reason']})") in section


def test_two_to_four_a4_pages_numbered(sample_pdf) -> None:  # noqa: ANN001
    _, out, pages = sample_pdf
    info = pdf_info(out)
    assert 2 <= pages <= MAX_PAGES and int(info["Pages"]) == pages
    w, h = page_size(info)
    assert w == pytest.approx(595.28, abs=1) and h == pytest.approx(841.89, abs=1)
    assert f"Page {pages} of {pages}" in pdf_text(out)


def test_every_page_renders_with_content(sample_pdf, tmp_path) -> None:  # noqa: ANN001
    _, out, pages = sample_pdf
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "p")], check=True)
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == pages
    for png in images:
        img = QImage(str(png)).convertToFormat(QImage.Format.Format_Grayscale8)
        ink = sum(
            1
            for y in range(0, img.height(), 2)
            for x in range(0, img.width(), 2)
            if img.pixelColor(x, y).value() < 200
        )
        assert ink > 0.01 * (img.width() // 2) * (img.height() // 2), png.name


def test_letter_paper_and_no_monte_carlo(qapp, tmp_path) -> None:  # noqa: ANN001
    path = DEALS / "xai_gpu_spv.json"
    out = tmp_path / "letter.pdf"
    data, pages = build_report(load_deal(path), str(out), str(path), paper="Letter", mc_paths=0)
    assert data.montecarlo is None
    w, h = page_size(pdf_info(out))
    assert (w, h) == pytest.approx((612, 792), abs=1)
    text = pdf_text(out)
    assert 2 <= pages <= 4  # the sensitivity tornado's deterministic bars are still shown
    assert "Monte Carlo not run" in text and "paths, seed" not in text
    flat = " ".join(text.split())
    assert "Sensitivity tornado" in flat and "no Monte Carlo: senior EL not shown" in flat


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(qapp, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    out = tmp_path / "summary.pdf"
    out.write_bytes(b"previous report")

    def broken(self, device):  # noqa: ANN001, ANN202
        raise ReportError("simulated failure while painting")

    monkeypatch.setattr(Report, "paint", broken)
    with pytest.raises(ReportError, match="simulated"):
        build_report(load_deal(DEALS / "xai_gpu_spv.json"), str(out), mc_paths=0)
    assert out.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]
    with pytest.raises(ReportError, match="does not exist"):
        build_report(load_deal(DEALS / "xai_gpu_spv.json"), str(tmp_path / "no" / "x.pdf"))


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_command_line_needs_no_display(tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "cli.pdf"
    deal = DEALS / "terawulf_backstop.json"
    done = _cli("report", str(deal), "-o", str(out), "--paths", "500", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert "pages, A4" in done.stdout
    text = flat(pdf_text(out))
    assert fmt_ratio(run_deal(load_deal(deal)).metrics["min_dscr"]) in text
    assert "500 paths, seed 3" in text


def test_command_line_bad_input(tmp_path) -> None:  # noqa: ANN001
    doc = json.loads((DEALS / "xai_gpu_spv.json").read_text())
    next(b for b in doc["blocks"] if b["kind"] == "tranche")["terms"]["notional"] = -5
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    done = _cli("report", str(bad), "-o", str(tmp_path / "x.pdf"))
    assert done.returncode == 2
    assert "bad.json" in done.stderr and "notional" in done.stderr and "-5" in done.stderr
    done = _cli("report", str(DEALS / "xai_gpu_spv.json"), "-o", str(tmp_path / "x.txt"))
    assert done.returncode == 2 and "x.txt" in done.stderr
    done = _cli(
        "report", str(DEALS / "xai_gpu_spv.json"), "-o", str(tmp_path / "x.pdf"), "--paths", "-1"
    )
    assert done.returncode == 2 and "--paths" in done.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_export_pdf_from_the_window(window, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    out = tmp_path / "from_gui.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PDF, Letter (*.pdf)")
    )
    monkeypatch.setattr(actions, "gather", _few_paths(actions.gather))
    action = window.actions_by_name["export_pdf"]
    assert action.isVisible()
    action.trigger()
    info = pdf_info(out)
    assert page_size(info) == pytest.approx((612, 792), abs=1)
    text = flat(pdf_text(out))
    assert "unsaved deal" in text  # the window's deal was never saved to a file
    assert fmt_ratio(run_deal(window.document.deal).metrics["min_dscr"]) in text


def test_print_preview_paints_on_a_printer(qtbot, window, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(actions, "gather", _few_paths(actions.gather))
    dialog = actions.preview_dialog(window, window.document.deal)
    assert dialog is not None
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    dialog.paintRequested.emit(printer)  # what the dialog does for Print
    del printer
    assert 2 <= int(pdf_info(out)["Pages"]) <= MAX_PAGES
    assert window.document.deal.name.split()[0] in pdf_text(out)
    dialog.show()  # the preview paints on the dialog's own printer
    preview = dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: preview.pageCount() > 0)
    assert 2 <= preview.pageCount() <= MAX_PAGES
    dialog.close()
    dialog.deleteLater()


def test_a_deal_the_engine_cannot_run_gives_a_message(window, isolated, monkeypatch) -> None:  # noqa: ANN001
    def fails(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise ValueError("the deal has no SPV")

    monkeypatch.setattr(actions, "gather", fails)
    assert actions.preview_dialog(window, window.document.deal) is None
    kind, _, text = isolated.shown[-1]
    assert kind == "warning" and "no SPV" in text


def _few_paths(gather):  # noqa: ANN001, ANN202
    return lambda deal, path=None, **k: gather(deal, path, mc_paths=300, mc_seed=1, **k)


def test_a_deal_with_five_tranches_still_fits_four_pages(qapp, tmp_path) -> None:  # noqa: ANN001
    deal = load_deal(DEALS / "xai_gpu_spv.json")
    for tid, name, rank in (
        ("s2", "Senior term loan B", 1),
        ("m1", "Mezzanine notes A", 2),
        ("m2", "Mezzanine notes B", 3),
        ("j1", "Junior PIK notes", 4),
    ):
        terms = {"name": name, "seniority": rank, "notional": 150.0, "rate_type": "fixed",
                 "coupon": 0.11, "tenor_years": 5.0, "amortisation": "bullet",
                 "pik": rank == 4}  # fmt: skip
        deal.add_block("tranche", terms, block_id=tid)
        deal.connect("issues", "spv", tid)
    out = tmp_path / "five.pdf"
    _, pages = build_report(deal, str(out), mc_paths=500)
    assert 2 <= pages <= 4 and int(pdf_info(out)["Pages"]) == pages
    text = flat(pdf_text(out))
    for t in run_deal(deal).tranche_metrics.itertuples():
        assert t.tranche in text and fmt_years(t.wal_years) in text


def test_report_shows_implied_ratings_and_the_tornado(qapp, tmp_path) -> None:  # noqa: ANN001
    from core.structuring.implied_rating import ratings_of

    path = DEALS / "coreweave_ddtl.json"
    out = tmp_path / "structuring.pdf"
    data, pages = build_report(load_deal(path), str(out), str(path), mc_paths=2000)
    assert 2 <= pages <= 4
    assert [r.tranche for r in data.ratings] == ["DDTL 3.0"]
    assert data.ratings == ratings_of(load_deal(path), data.montecarlo)  # engine numbers
    assert data.tornado is not None and data.tornado.paths == 2000
    text = " ".join(pdf_text(out).split())
    assert "Implied ratings" in text and "Sensitivity tornado" in text
    assert f"implied {data.ratings[0].el_rating} (EL" in text


def test_monte_carlo_charts_print_across_the_page_with_a_readable_note(sample_pdf) -> None:  # noqa: ANN001
    """The fan and the loss histogram are printed at the text's full width (182 mm on A4),
    one under the other, not at half size side by side (76 mm, axes unreadable); the fan's
    flat-band note is text of at least 7 pt, not lettering inside the chart image."""
    from core.risk.fan_note import flat_fan

    path, out, pages = sample_pdf
    listed = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True)
    rows = [line.split() for line in listed.stdout.splitlines()[2:] if line.strip()]
    mc_images = [r for r in rows if int(r[0]) == pages][-2:]  # the last page's two charts
    text_width_in = (210 - 2 * 14) / 25.4
    for r in mc_images:
        width_in = int(r[3]) / int(r[12])  # pixels / x-ppi
        assert width_in == pytest.approx(text_width_in, rel=0.03), r
    note = flat_fan(run_montecarlo(load_deal(path), MonteCarloConfig(n_paths=PATHS, seed=SEED)))
    if note is None:
        return
    assert flat(note.text()) in flat(pdf_text(out))
    bbox = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True)
    word = r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
    words = re.findall(word, bbox.stdout)
    heights = [
        float(b) - float(a)
        for (a, b, w), nxt in zip(words, words[1:], strict=False)
        if w == "Flat" and nxt[2] == "band:"
    ]
    assert heights and min(heights) >= 7.0, heights  # points: 8 pt type


def test_stress_page_counts_each_monte_carlo_cause_once(sample_pdf) -> None:  # noqa: ANN001
    """Beside the stresses, each Monte Carlo cause is one row with its share of the debt's
    expected loss (from the paths' losses by cause, by hand), and the rows total 100%."""
    from core.risk.causes import CAUSES, CODES

    path, out, _ = sample_pdf
    mc = run_montecarlo(load_deal(path), MonteCarloConfig(n_paths=PATHS, seed=SEED))
    text = flat(pdf_text(out))
    section = text[text.index("Beside the Monte Carlo") : text.index("Monte Carlo: all risk")]
    loss, cause = mc.stats.loss, mc.stats.cause
    if loss.sum() <= 0:
        return
    shown = 0.0
    for c in CAUSES:
        share = loss[cause == CODES[c.id]].sum() / loss.sum()
        if share > 0:
            table = section[: section.index("Total")]
            assert c.title in table and fmt_pct(share, 1) in table, c.title
            shown += share
    assert shown == pytest.approx(1.0)
    assert "Total" in section and fmt_pct(1.0, 1) in section  # (pdftotext may split the row)
    # the tornado's base case prints the table's senior EL, not a second run's
    tornado = text[text.index("Sensitivity tornado") :]
    base = tornado[tornado.index("Base case") : tornado.index("Base case") + 60]
    assert fmt_pct(mc.tranches[0]["expected_loss"]) in base
