"""``Sizing`` sheet: how the debt is sized.

Two parts, either or both:

- **live** (a deal with a sculpted tranche): each sculpted tranche's capacity in closed form as
  formulas - the NPV, at the tranche's own periodic rate from its first amortising period, of
  the base-case CFADS / target DSCR less the other tranches' base-case debt service, over its
  amortising periods (``core.engine.schedules.sculpted_capacity``, as
  ``core.structuring.sizing.sculpted_size`` computes one step of it) - beside its notional, the
  headroom, and CapStack's value at export (grey). Periods across, as on every per-period
  sheet. A deal sized by sculpting shows capacity = notional; change the target DSCR or the
  rent and the capacity follows.
- **record** (the deal was sized: ``python main.py size ... --excel``, ``export --sizing``, the
  GUI's Size debt… then Export Excel): the case, each constraint's capacity with the binding one
  marked, and each constraint's value at the sized notional, as engine values.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.atomic import write_atomically
from core.files.excel_grid import Context, Grid
from core.files.excel_keys import SC, TL, P, TrancheParams, TrancheRate, TrancheSchedule
from core.model.deal import Deal

SIZING = "Sizing"
NOTE = (
    "Live: sculpted capacity as formulas (NPV at the tranche's rate of base-case CFADS / target "
    "less the other tranches' debt service). Record: values computed by CapStack's sizing "
    "(docs/structuring.md); re-run it to refresh."
)
SUMMARY_ROW = 4
ROWS_PER_TRANCHE = 5  # heading, target, notional, capacity, headroom


def sculpted(ctx: Context) -> list[int]:
    """Seniority positions of the sculpted tranches."""
    return [k for k in range(ctx.K) if ctx.tranches[k].terms["amortisation"] == "sculpted"]


def write_sizing(wb: Workbook, ctx: Context, result, doc: dict | None = None) -> bool:
    """The Sizing sheet when the deal has a sculpted tranche or ``doc`` (a
    ``SizingResult.to_dict()``) is given; False when there is nothing to show."""
    ks = sculpted(ctx)
    if not ks and doc is None:
        return False
    ws = wb.create_sheet(SIZING)
    title = "Sizing" if doc is None else f"Sizing of {doc['name']} on the {doc['case']} case"
    st.title(ws, title, NOTE)
    row = SUMMARY_ROW
    if ks:
        row = _live(ws, ctx, result, ks)
    if doc is not None:
        _record(ws, ctx, doc, row + 1)
    st.widths(ws, {1: 52, 2: 16, 3: 16, 4: 11})
    return True


def _live(ws: Worksheet, ctx: Context, result, ks: list[int]) -> int:
    """Capacity rows on top, the per-period rows below; returns the next free row."""
    for col, text in enumerate(("Sculpted tranche", "Workbook", "CapStack"), start=1):
        st.header(ws.cell(SUMMARY_ROW, col), text)
    top = SUMMARY_ROW + 1 + ROWS_PER_TRANCHE * len(ks) + 2
    g = Grid(SIZING, ctx.T, band=ctx.grids[K.TIMELINE], top=top)
    pvs = {k: _capacity_rows(g, ctx, k) for k in ks}
    row = SUMMARY_ROW + 1
    for k in ks:
        nm, target, notional = ctx.tranche_name(k), ctx.tr(k, "target_dscr"), ctx.tr(k, "notional")
        ws.cell(row, 1, f"Tranche {nm}").font = st.SECTION_FONT
        capacity = f"SUM({g.col_range(pvs[k])})"
        engine = capacity_at(result.compiled, k)
        rows = (
            ("Target DSCR", target, "0.00", None),
            ("Notional (USD m)", notional, st.MONEY, float(ctx.tranches[k].terms["notional"])),
            ("Sculpted capacity (USD m)", capacity, st.MONEY, engine),
            ("Capacity less notional (USD m)", f"B{row + 3}-B{row + 2}", st.MONEY, None),
        )
        for i, (label, formula, fmt, value) in enumerate(rows, start=1):
            ws.cell(row + i, 1, f"  {label}")
            st.style_formula(ws.cell(row + i, 2, "=" + formula), fmt)
            if value is not None:
                st.style_engine_value(ws.cell(row + i, 3, value), fmt)
        row += ROWS_PER_TRANCHE
    g.write(ws)
    return g.next_row + 1


def _capacity_rows(g: Grid, ctx: Context, k: int) -> str:
    """Tranche k's amortising window, room for its debt service, discount factor and present
    value per period; returns the present value's key."""
    sc, tl = ctx.grids[K.SCHEDULES], ctx.grids[K.TIMELINE]
    nm, kp, per = ctx.tranche_name(k), TrancheParams(k), TrancheRate(k).per
    target = ctx.tr(k, "target_dscr")
    s = g.section(f"Sculpted capacity of {nm}")
    a = s.at
    window, other, room = f"sz_in{k}", f"sz_other{k}", f"sz_room{k}"
    disc, pv = f"sz_disc{k}", f"sz_pv{k}"

    def t_(r: int) -> str:
        return tl.ext(TL.T, r)

    s.flag(window, f"{nm}: amortising period", lambda t, r: (
        f"AND({t_(r)}>={kp.io},{t_(r)}<=MIN({kp.mat},{P.T}-1))"))  # fmt: skip
    others = [j for j in range(ctx.K) if j != k]
    s.add(other, "Other tranches' base-case debt service", lambda t, r: "+".join(
        f"{sc.ext(TrancheSchedule(j).interest, r)}+{sc.ext(TrancheSchedule(j).sched, r)}"
        for j in others) or "0")  # fmt: skip
    s.add(room, f"{nm}: debt service it can bear",
          lambda t, r: (f"IF({a(window, r)}=1,MAX({sc.ext(SC.CFADS_BASE, r)}-{target}"
                        f"*{a(other, r)},0)/{target},0)"))  # fmt: skip
    s.add(disc, f"{nm}: discount factor at its rate",
          lambda t, r: f"IF({t_(r)}<{kp.io},1,{g.prev(disc, r, '1')}/(1+{tl.ext(per, r)}))",
          st.FRACTION)  # fmt: skip
    s.add(pv, f"{nm}: present value", lambda t, r: f"{a(room, r)}*{a(disc, r)}", total=True)
    return pv


def capacity_at(compiled, k: int) -> float:
    """CapStack's sculpted capacity of tranche k at its current notional (one step of
    ``core.structuring.sizing.sculpted_size``)."""
    from core.structuring.sizing import sculpted_capacity_of

    return sculpted_capacity_of(compiled, k)


def _record(ws: Worksheet, ctx: Context, doc: dict, r: int) -> None:
    """The sizing ``doc`` as engine values from row ``r``."""
    ws.cell(r, 1, "Sizing record (CapStack's sizing, engine values)").font = st.SECTION_FONT
    now = next((b for b in ctx.tranches if b.id == doc["tranche"]), None)
    current = None if now is None else float(now.terms["notional"])
    rows = [
        ("Tranche", doc["name"]),
        ("Case", doc["case"]),
        ("Notional before sizing", doc["current_notional"]),
        ("Sized notional", doc["sized_notional"]),
        ("Binding constraint", doc["binding"]),
    ]
    stale = current is None or abs(current - doc["sized_notional"]) > 1e-9 * max(current, 1.0)
    if stale:
        rows.append(("Note", "the deal's tranche has changed since it was sized"
                     + ("" if current is None else f" (notional now {current:,.3f})")))  # fmt: skip
    for label, value in rows:
        r += 1
        ws.cell(r, 1, label)
        cell = st.text_safe(ws.cell(r, 2, value))
        if isinstance(value, int | float):
            st.style_engine_value(cell)
    r += 2
    for j, text in enumerate(("Constraint", "Capacity (USD m)", "Binding", "Note"), start=1):
        st.header(ws.cell(r, j), text)
    for c in doc["capacities"]:
        r += 1
        st.text_safe(ws.cell(r, 1, c["constraint"]))
        st.style_engine_value(ws.cell(r, 2, c["capacity"]))
        ws.cell(r, 3, "yes" if c["constraint"] == doc["binding"] else "")
        st.text_safe(ws.cell(r, 4, c["note"]))
    if doc["checks"]:
        r += 2
        for j, text in enumerate(("At the sized notional", "Value", "Holds"), start=1):
            st.header(ws.cell(r, j), text)
        for c in doc["checks"]:
            r += 1
            st.text_safe(ws.cell(r, 1, c["constraint"]))
            st.text_safe(ws.cell(r, 2, c["value"]))
            ws.cell(r, 3, "yes" if c["holds"] else "NO")


def export_sized(deal: Deal, path: str | os.PathLike[str], doc: dict) -> None:
    """The sized deal's Excel model with its Sizing sheet, written atomically."""
    from core.files.excel_export import ExcelExportError, build_workbook

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ExcelExportError(f"{target}: the export must be an .xlsx file")
    wb = build_workbook(deal, None, scenarios=False, mc_paths=0, sizing=doc)
    buffer = io.BytesIO()
    wb.save(buffer)
    try:
        write_atomically(target, buffer.getvalue())
    except OSError as exc:
        raise ExcelExportError(f"{target}: cannot write the workbook: {exc}") from exc
