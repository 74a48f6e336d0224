"""The exported workbook follows FAST: no number but 0 and 1 typed into a formula (the
tolerance, hours a year, the /360 day-count base, unit conversions, months a year, flag bits,
IRR seeds are named cells on ``Parameters`` or beside the metric, each constant holding the
engine's own value), no formula longer than 200 characters, time across the columns with one
formula per row copied across. And the CashFlows sheet is written one function per step of the
engine's waterfall, in its order, so a new step is one entry in ``WRITERS``.
No LibreOffice needed: these read the formulas' text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils import column_index_from_string

from core.engine import constants
from core.engine.steps import WATERFALL, Step
from core.files import excel_waterfall
from core.files.deal_json import load_deal
from core.files.excel_export import ExcelExportError, build_workbook, export_workbook
from core.files.excel_grid import BAND_ROW, FIRST_COL, ITEM_ROW
from tests.files.excel_cases import CASES


def _sample():
    return load_deal(Path("resources/deals/xai_gpu_spv.json"))


def _formulas(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    yield f"{ws.title}!{cell.coordinate}", cell.value


def _numbers(formula: str) -> list[float]:
    return [
        float(tok.value)
        for tok in Tokenizer(formula).items
        if tok.type == Token.OPERAND and tok.subtype == Token.NUMBER
    ]


def test_tokenizer_sees_typed_numbers():
    """The check below would notice: a typed 1E-09 or 8760 is a NUMBER operand."""
    assert _numbers("=IF(A1>1E-09,B1*8760/p_ppy,0)") == [1e-9, 8760.0, 0.0]
    assert _numbers("=IF(A1>p_eps,B1*p_hours_per_year/p_ppy,0)") == [0.0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_engine_constant_is_typed_into_a_formula(case):
    """No number but 0 and 1 is typed into any formula of any sheet (FAST: every constant is
    a named input): the engine's constants, the flag bits, the sale modes, the IRR seeds and
    the tolerances are named cells. 0 and 1 are the documented exceptions (a flag's values,
    an empty sum, a period's successor, 1 + rate)."""
    wb = build_workbook(CASES[case](), scenarios=False, mc_paths=0)
    typed = [(where, n) for where, f in _formulas(wb) for n in _numbers(f) if n not in (0.0, 1.0)]
    assert not typed, typed[:10]
    n = sum(1 for _ in _formulas(wb))
    assert n > 500  # the workbook is full of formulas


#: the longest formula a desk reviewer reads in one go (FAST: split longer ones into helper rows)
MAX_FORMULA = 200


@pytest.mark.parametrize("case", sorted(CASES))
def test_formulas_are_short(case):
    """Every formula of every sheet, Parameters, Leases and Schedules included."""
    wb = build_workbook(CASES[case](), scenarios=False, mc_paths=0)
    long = [
        (where, len(f))
        for where, f in _formulas(wb)
        if len(f) > MAX_FORMULA + 1  # "=" and 200 characters
    ]
    assert not long, long[:10]


def _r1c1(formula: str, row: int, col: int) -> str:
    """``formula`` with every A1 reference written relative to (row, col), R1C1 style."""
    out = []
    for tok in Tokenizer(formula).items:
        text = tok.value
        if tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
            sheet, _, ref = text.rpartition("!")
            parts = []
            for part in ref.split(":"):
                m = A1.match(part)
                if m is None:
                    parts.append(part)
                    continue
                cabs, letters, rabs, digits = m.groups()
                c, r = column_index_from_string(letters), int(digits)
                cc = f"C{c}" if cabs else f"C[{c - col}]"
                rr = f"R{r}" if rabs else f"R[{r - row}]"
                parts.append(rr + cc)
            text = (sheet + "!" if sheet else "") + ":".join(parts)
        out.append(text)
    return "".join(out)


A1 = re.compile(r"^(\$?)([A-Z]{1,3})(\$?)(\d+)$")
GRID_SHEETS = ("Timeline", "Leases", "Schedules", "CashFlows", "Checks", "Metrics")


def test_r1c1_reading():
    got = _r1c1("=E12+Timeline!D4*$E$9-SUM($E7:F$7)+p_k0_mat", 12, 6)
    assert got == "R[0]C[-1]+Timeline!R[-8]C[-2]*R9C5-SUM(R[-5]C5:R7C[0])+p_k0_mat"


@pytest.mark.parametrize(
    "case", ["xai_gpu_spv", "trap", "swapped", "two_leases", "construction_late", "hyperion_late"]
)
def test_one_formula_per_row_copied_across(case):
    """Time runs across the columns: on every per-period sheet each line's formula is the
    same, in R1C1 terms, in every period column (the first period reads the closing column,
    never a formula of its own)."""
    wb = build_workbook(CASES[case](), scenarios=False, mc_paths=0)
    T = sum(1 for c in wb["Timeline"][4] if c.column >= FIRST_COL and c.value is not None)
    assert T > 10
    rows = 0
    for name in GRID_SHEETS:
        ws = wb[name]
        for row in ws.iter_rows(min_row=BAND_ROW):
            cells = [c for c in row if c.column >= FIRST_COL and isinstance(c.value, str)]
            texts = {_r1c1(c.value, c.row, c.column) for c in cells if c.value.startswith("=")}
            if len(cells) == T:
                rows += 1
                assert len(texts) == 1, (name, row[0].value, sorted(texts)[:2])
    assert rows > 200
    cf = wb["CashFlows"]
    assert cf.freeze_panes == f"E{ITEM_ROW}"
    assert [cf.cell(r, 1).value for r in range(BAND_ROW, BAND_ROW + 3)] == [
        "Period", "Start", "End"]  # fmt: skip
    assert cf.cell(BAND_ROW + 2, FIRST_COL).value == "=Timeline!E6"  # the dated band


def test_constants_are_named_cells_holding_the_engine_values():
    wb = build_workbook(_sample(), scenarios=False, mc_paths=0)

    def named(name: str):
        sheet, coord = next(iter(wb.defined_names[name].destinations))
        return wb[sheet][coord.replace("$", "")].value

    assert named("p_eps") == constants.EPS == 1e-9  # a thousandth of a dollar, in USD m
    assert named("p_tiny") == constants.TINY
    assert named("p_hours_per_year") == 365 * 24
    assert named("p_day_count_base") == 360
    assert named("p_months_per_year") == 12
    assert named("p_ppy_monthly") == 12 and named("p_ppy_quarterly") == 4
    assert named("p_ppy_annual") == 1
    assert named("p_usd_per_m") == 1e6 and named("p_thousands_per_m") == 1e3
    assert (named("p_irr_lo"), named("p_irr_hi")) == (constants.IRR_LO, constants.IRR_HI)
    # the names are used: EPS by the waterfall, hours by the power cost and GPU-hour rent
    text = "\n".join(f for _, f in _formulas(wb))
    for name in ("p_eps", "p_tiny", "p_hours_per_year", "p_day_count_base", "p_usd_per_m"):
        assert name in text, name


def _with_step(monkeypatch, step: Step, before: str) -> None:
    """The engine's WATERFALL as the export sees it, with ``step`` inserted before ``before``."""
    steps = list(WATERFALL)
    steps.insert([s.name for s in steps].index(before), step)
    monkeypatch.setattr(excel_waterfall, "WATERFALL", tuple(steps))


def _headings(ws) -> dict[str, int]:
    """Group heading -> its row: a label in column A with nothing in the periods."""
    return {
        ws.cell(r, 1).value: r
        for r in range(ITEM_ROW, ws.max_row + 1)
        if ws.cell(r, 1).value and ws.cell(r, FIRST_COL).value is None
    }


def test_cashflows_follow_the_engine_waterfall():
    """One block of rows per step of core.engine.steps.WATERFALL, in its order, numbered; the
    swap's rows only on a deal with a swap."""
    ws = build_workbook(_sample(), scenarios=False, mc_paths=0)["CashFlows"]
    # swap, draws and construction: not used here
    skip = excel_waterfall.OMITTED_WHEN_UNUSED | excel_waterfall.NOT_WRITTEN
    written = [s for s in WATERFALL if s.name not in skip]
    expected = ["Opening", *(f"{i}. {s.title}" for i, s in enumerate(written, start=1))]
    assert list(_headings(ws)) == expected
    # a writer per step, but the ones not written yet (a deal using them is refused)
    assert set(excel_waterfall.WRITERS) | excel_waterfall.NOT_WRITTEN == {s.name for s in WATERFALL}
    assert not set(excel_waterfall.WRITERS) & excel_waterfall.NOT_WRITTEN


def test_a_deal_with_a_construction_phase_has_its_construction_rows():
    """The construction step's rows sit after CFADS and ahead of interest, which pays from the
    cash the Treasury reserve hands on; its terms are Parameters (no number typed)."""
    deal = _sample()
    deal.of_kind("spv")[0].terms["completion_month"] = 12
    wb = build_workbook(deal, scenarios=False, mc_paths=0)
    ws = wb["CashFlows"]
    groups = list(_headings(ws))
    assert groups.index("3. Construction") == groups.index("4. Interest") - 1
    head: dict[str, int] = {}
    for r in range(ITEM_ROW, ws.max_row + 1):
        head.setdefault(ws.cell(r, 1).value, r)
    cash = head["Cash after the Treasury reserve"]
    assert ws.cell(head["Rank 1: paid from cash"], FIRST_COL).value.startswith(f"=MIN(E{cash},")
    assert (
        ws.cell(head["Construction period"], FIRST_COL).value
        == f"=IF(E{head['Period']}<p_completion,1,0)"
    )
    for name in ("p_completion", "p_tsy_yield", "p_idc_capitalised", "p_tsy0", "p_k0_ncomp"):
        assert name in wb.defined_names, name


def test_a_new_step_is_one_writer(monkeypatch):
    """A step added to the waterfall before interest, with its writer (one entry in WRITERS),
    gets its block of rows there: interest then pays from the cash it leaves, and the later
    headings renumber."""

    def settle(s, ctx, flow):
        cash = flow.cash
        s.add("fee_cash", "Cash after fee", lambda t, r: f"{s.at(cash, r)}-0")
        flow.cash = "fee_cash"

    _with_step(monkeypatch, Step("fee", "Agency fee", "a test step"), before="interest")
    monkeypatch.setitem(excel_waterfall.WRITERS, "fee", settle)
    ws = build_workbook(_sample(), scenarios=False, mc_paths=0)["CashFlows"]
    head: dict[str, int] = {}  # the first row of each label (interest before principal)
    for r in range(ITEM_ROW, ws.max_row + 1):
        head.setdefault(ws.cell(r, 1).value, r)
    groups = _headings(ws)
    fee, paid = head["Cash after fee"], head["Rank 1: paid from cash"]
    assert groups["3. Agency fee"] + 1 == fee < groups["4. Interest"] < paid
    # swap and draws left out, fee added, the steps not written yet left out
    n = len(WATERFALL) + 1 - len(excel_waterfall.OMITTED_WHEN_UNUSED | excel_waterfall.NOT_WRITTEN)
    assert f"{n}. Distribution" in groups
    assert ws.cell(paid, FIRST_COL).value.startswith(f"=MIN(E{fee},")
    assert ws.cell(fee, FIRST_COL).value == f"=E{head['Cash after injection']}-0"


def test_a_step_without_a_writer_is_refused(monkeypatch, tmp_path):
    _with_step(monkeypatch, Step("novel", "Novel step", "no writer"), before="interest")
    with pytest.raises(ExcelExportError, match="Novel step"):
        export_workbook(_sample(), tmp_path / "m.xlsx", scenarios=False, mc_paths=0)
    assert not list(tmp_path.iterdir())
