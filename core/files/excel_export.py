"""Export a deal to an Excel model whose formulas reproduce the CapStack engine.

Sheets (``docs/excel.md`` describes each): ``Inputs`` (every term, named), ``Parameters``,
``Timeline``, ``Leases``, ``Schedules`` (period arrays as formulas), ``CashFlows`` (the
waterfall as formulas), ``Metrics`` (formulas with the engine's values alongside),
``Scenarios`` and ``MonteCarlo`` (risk results as values), ``Results`` (engine values for
audit) and the very hidden ``_capstack`` sheet that carries the deal for re-import.

The file is written atomically: a temporary file in the target directory, then ``os.replace``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from openpyxl import Workbook

from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.atomic import write_atomically
from core.files.excel_checks import show_master_flag, write_checks
from core.files.excel_construction import construction_terms
from core.files.excel_draws import draw_terms, lent0, linked_amounts
from core.files.excel_grid import Context, Grid
from core.files.excel_inputs import write_inputs, write_roundtrip
from core.files.excel_keys import CK, SN
from core.files.excel_leases import write_leases
from core.files.excel_metrics import write_metrics, write_results
from core.files.excel_print import print_setup
from core.files.excel_schedules import write_schedules
from core.files.excel_sensitivity import write_sensitivity
from core.files.excel_sizing import SIZING, write_sizing
from core.files.excel_timeline import write_parameters, write_timeline
from core.files.excel_waterfall import MissingStep, write_cashflows
from core.model.deal import Deal

__all__ = ["ExcelExportError", "SHEET_ORDER", "build_workbook", "export_workbook"]

SHEET_ORDER = (
    K.INPUTS,
    CK.SHEET,
    K.CASHFLOWS,
    K.METRICS,
    SN.SHEET,
    SIZING,
    K.SCENARIOS,
    K.MONTECARLO,
    K.TIMELINE,
    K.SCHEDULES,
    K.LEASES,
    K.PARAMETERS,
    K.RESULTS,
    K.ROUNDTRIP,
)


class ExcelExportError(RuntimeError):
    """The workbook cannot be written (bad target path, deal that does not run...)."""


def _groups(tranches) -> list[tuple[int, int]]:
    ranks = [b.terms["seniority"] for b in tranches]
    starts = [0] + [k for k in range(1, len(ranks)) if ranks[k] != ranks[k - 1]]
    return [(s, e) for s, e in zip(starts, [*starts[1:], len(ranks)], strict=True)]


def build_workbook(
    deal: Deal,
    result=None,
    scenarios: bool = True,
    mc_paths: int = 2000,
    mc_seed: int = 0,
    sizing: dict | None = None,
) -> Workbook:
    """The export workbook in memory (``result`` from ``run_deal``; computed when omitted).

    ``scenarios`` adds the stress results of ``core.risk.catalogue``; ``mc_paths`` > 0 adds a
    Monte Carlo of that many paths; ``sizing`` (a ``SizingResult.to_dict()``: how the deal was
    sized) is recorded on the Sizing sheet, which a deal with a sculpted tranche has anyway
    (its capacity as live formulas, :mod:`core.files.excel_sizing`).
    """
    from core.engine.results import run_deal

    if result is None:
        result = run_deal(deal)
    compiled = result.compiled
    wb = Workbook()
    wb.remove(wb.active)
    ctx = _model_sheets(wb, deal, compiled)
    write_sizing(wb, ctx, result, sizing)
    metric_refs = write_metrics(wb, ctx, result)
    write_checks(wb, ctx, result, metric_refs)
    write_sensitivity(wb, deal, metric_refs)
    if scenarios:
        from core.files.excel_scenarios import write_scenarios

        write_scenarios(wb, deal, result)
    if mc_paths > 0:
        from core.files.excel_scenarios import write_montecarlo

        write_montecarlo(wb, deal, mc_paths, mc_seed)
    write_results(wb, ctx, result)
    write_roundtrip(wb, deal)
    st.deal_texts_as_text(wb, _deal_texts(deal))
    show_master_flag(wb)
    grids = {name: (ctx.T, True) for name in ctx.grids} | {K.RESULTS: (ctx.T, True)}
    grids |= {name: (ctx.T, False) for name in (CK.SHEET, K.METRICS, SIZING, K.MONTECARLO)}
    print_setup(wb, grids, compiled.timeline.periods_per_year)
    order = {name: i for i, name in enumerate(SHEET_ORDER)}
    wb._sheets.sort(key=lambda ws: order.get(ws.title, len(order)))
    wb.active = 0
    wb.calculation.fullCalcOnLoad = True
    return wb


def _model_sheets(wb: Workbook, deal: Deal, compiled) -> Context:  # noqa: ANN001 - CompiledDeal
    """Inputs, Parameters and the per-period sheets up to CashFlows; their grids on the
    context."""
    refs = write_inputs(wb, deal)
    ctx = Context(
        deal,
        compiled,
        refs,
        list(compiled.tranches),
        _groups(compiled.tranches),
        compiled.timeline.n_periods,
        {},
    )
    params = write_parameters(wb, ctx)
    write_timeline(wb, ctx)
    draw_terms(params, ctx)
    write_leases(wb, ctx, params)
    write_schedules(wb, ctx, params)
    try:
        write_cashflows(wb, ctx)
    except MissingStep as exc:
        raise ExcelExportError(f"{deal.name}: {exc}") from None
    lent0(params, ctx)
    linked_amounts(params, ctx)
    construction_terms(params, ctx)
    return ctx


def model_grids(deal: Deal, result) -> dict[str, Grid]:  # noqa: ANN001 - DealResult
    """Where the exported workbook of ``deal`` puts each line of its per-period sheets (sheet
    name -> grid), built in memory and not saved: what the GUI's traces of a number cite."""
    wb = Workbook()
    wb.remove(wb.active)
    return _model_sheets(wb, deal, result.compiled).grids


def _deal_texts(deal: Deal) -> list[str]:
    """Every text of ``deal``: its name, description, block ids and text terms."""
    texts = [deal.name, deal.description, *deal.blocks]
    for b in deal.blocks.values():
        texts += [v for v in b.terms.values() if isinstance(v, str)]
    return texts


def export_workbook(
    deal: Deal,
    path: str | os.PathLike[str],
    result=None,
    scenarios: bool = True,
    mc_paths: int = 2000,
    mc_seed: int = 0,
    values: bool = False,
    sizing: dict | None = None,
) -> None:
    """Write the Excel model of ``deal`` to ``path`` (atomically); see :func:`build_workbook`.
    ``values``: recalculate with LibreOffice and save each formula's value beside it, so a
    viewer that does not recalculate shows numbers (:mod:`core.files.excel_values`)."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ExcelExportError(f"{target}: the export must be an .xlsx file")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise ExcelExportError(f"{target}: directory {directory} does not exist")
    wb = build_workbook(deal, result, scenarios, mc_paths, mc_seed, sizing)
    buffer = io.BytesIO()  # zipped in memory: a full disk fails the one atomic write below,
    wb.save(buffer)  # not openpyxl's zip file half way (whose clean-up would fail again)
    data = buffer.getvalue()
    if values:
        from core.files.excel_values import SavedValuesError, with_saved_values

        try:
            data = with_saved_values(data)
        except SavedValuesError as exc:
            raise ExcelExportError(f"{target}: {exc}") from None
    try:
        write_atomically(target, data)
    except OSError as exc:
        raise ExcelExportError(f"{target}: cannot write the workbook: {exc}") from exc
