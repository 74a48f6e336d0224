"""``Sizing`` sheet: how a tranche was sized (``python main.py size ... --excel``), as engine
values: the case, each constraint's capacity with the binding one marked, and each constraint's
value at the sized notional. The rest of the workbook is the ordinary export of the sized deal
(:func:`core.files.excel_export.build_workbook`)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from openpyxl.workbook.workbook import Workbook

from core.files import excel_style as st
from core.files.atomic import write_atomically
from core.model.deal import Deal

SIZING = "Sizing"
NOTE = "Values computed by CapStack's sizing (docs/structuring.md); re-run `size` to refresh."


def write_sizing(wb: Workbook, doc: dict) -> None:
    """The sizing record ``doc`` (``SizingResult.to_dict()``) as a sheet after Parameters."""
    ws = wb.create_sheet(SIZING)
    st.title(ws, f"Sizing of {doc['name']} on the {doc['case']} case", NOTE)
    rows = [
        ("Tranche", doc["name"]),
        ("Notional before sizing", doc["current_notional"]),
        ("Sized notional", doc["sized_notional"]),
        ("Binding constraint", doc["binding"]),
    ]
    r = 3
    for label, value in rows:
        ws.cell(r, 1, label)
        cell = st.text_safe(ws.cell(r, 2, value))
        if isinstance(value, int | float):
            st.style_engine_value(cell)
        r += 1
    r += 1
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
    st.widths(ws, {1: 52, 2: 18, 3: 10, 4: 40})
    params = [ws.title for ws in wb.worksheets].index("Parameters") if "Parameters" in wb else -1
    wb.move_sheet(SIZING, offset=params + 1 - wb.sheetnames.index(SIZING))


def export_sized(deal: Deal, path: str | os.PathLike[str], doc: dict) -> None:
    """The sized deal's Excel model with its Sizing sheet, written atomically."""
    from core.files.excel_export import ExcelExportError, build_workbook

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ExcelExportError(f"{target}: the export must be an .xlsx file")
    wb = build_workbook(deal, None, scenarios=False, mc_paths=0)
    write_sizing(wb, doc)
    buffer = io.BytesIO()
    wb.save(buffer)
    try:
        write_atomically(target, buffer.getvalue())
    except OSError as exc:
        raise ExcelExportError(f"{target}: cannot write the workbook: {exc}") from exc
