"""The ``Inputs`` sheet (every term of every block, named ``in_<block_id>__<field>``) and the very
hidden ``_capstack`` sheet that carries the deal JSON for the round trip.

List terms (base-rate curve, custom schedules, generation launches) take one row per element,
named ``in_<block_id>__<field>__<i>`` (``i`` from 0), followed by a few empty named slots so an
analyst can lengthen the list; the import reads the non-empty slots in order.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.deal_json import dump_deal
from core.model.blocks import REGISTRY
from core.model.deal import Deal

SHEET = K.INPUTS
CHUNK = 32_000
LIST_SPARE = 4  # empty named slots after each list
VALUE_COL = 3  # column C holds the values
_BAD = re.compile(r"[^A-Za-z0-9_.]")


def input_name(block_id: str, field_name: str, index: int | None = None) -> str:
    """The workbook-scoped defined name of a term's value cell. Characters Excel does not allow
    in a name become ``_`` (the import then falls back to the embedded deal for that block)."""
    name = K.input_prefix(name_id(block_id)) + field_name
    return name if index is None else f"{name}{K.INPUT_SEP}{index}"


def name_id(block_id: str) -> str:
    """A block id as it appears in defined names (characters Excel refuses become ``_``)."""
    return _BAD.sub("_", block_id)


def unique_ids(deal: Deal) -> dict[str, str]:
    """Block id -> the id used in names; Excel names ignore case, so clashes get a suffix."""
    used: set[str] = set()
    out = {}
    for block_id in deal.blocks:
        base = name_id(block_id)
        name, n = base, 2
        while name.lower() in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name.lower())
        out[block_id] = name
    return out


@dataclass
class InputRefs:
    """Where each term lives: ``scalar[(block, field)]`` is a defined name; ``lists`` gives the
    absolute range of a list's slots (``Inputs!$C$10:$C$15``)."""

    scalar: dict[tuple[str, str], str] = field(default_factory=dict)
    lists: dict[tuple[str, str], str] = field(default_factory=dict)

    def __call__(self, block_id: str, field_name: str) -> str:
        return self.scalar[(block_id, field_name)]


def _add_name(wb: Workbook, name: str, row: int) -> None:
    ref = f"{SHEET}!${'ABCDEFGH'[VALUE_COL - 1]}${row}"
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _cell_value(ftype: str, value):
    if ftype == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def write_inputs(wb: Workbook, deal: Deal) -> InputRefs:
    ws = wb.create_sheet(SHEET)
    st.title(
        ws,
        f"Inputs - {deal.name}",
        "Blue cells are inputs (each a named range in_<block>__<field>); change them and the "
        "CashFlows and Metrics sheets recalculate. Percentages are stored as decimals.",
    )
    for col, text in enumerate(("Block", "Field", "Value", "Unit", "Notes", "Name"), start=1):
        st.header(ws.cell(4, col), text)
    rows = _Rows(wb, ws, unique_ids(deal))
    for block in deal.blocks.values():
        rows.heading(block)
        for f in REGISTRY[block.kind].fields:
            if f.type == "list":
                rows.items(block, f)
            else:
                rows.term(block, f)
        rows.row += 1
    for r in range(5, rows.row):
        ws.cell(r, 5).alignment = st.WRAP
        ws.cell(r, 5).font = st.NOTE_FONT
        ws.cell(r, 6).font = st.NOTE_FONT
    st.widths(ws, {1: 14, 2: 34, 3: 24, 4: 12, 5: 70, 6: 36})
    ws.freeze_panes = "C5"
    return rows.refs


class _Rows:
    """Writes the Inputs rows from row 5 down: a heading per block, a row per term."""

    def __init__(self, wb: Workbook, ws, ids: dict[str, str]) -> None:
        self.wb, self.ws, self.ids = wb, ws, ids
        self.refs = InputRefs()
        self.validations: dict[tuple[str, ...], DataValidation] = {}
        self.row = 5

    def heading(self, block) -> None:
        spec, ws = REGISTRY[block.kind], self.ws
        shown = block.terms.get("name") or block.terms.get("investor") or block.id
        head = ws.cell(self.row, 1, f"{spec.label}: {shown}  [{block.kind} '{block.id}']")
        head.font = st.SECTION_FONT
        for col in range(1, 7):
            ws.cell(self.row, col).fill = st.SECTION_FILL
        self.row += 1

    def _cells(self, block, f, label: str, value, fmt: str, note: str, name: str):
        """One row: block id, label, the value (an input), unit, note and the defined name."""
        ws, row = self.ws, self.row
        st.text_safe(ws.cell(row, 1, block.id))
        ws.cell(row, 2, label)
        cell = st.text_safe(ws.cell(row, VALUE_COL, value))
        st.style_input(cell, fmt)
        ws.cell(row, 4, f.unit_label)
        ws.cell(row, 5, note)
        ws.cell(row, 6, name)
        _add_name(self.wb, name, row)
        self.row += 1
        return cell

    def items(self, block, f) -> None:
        """A list term: one named row per element, then LIST_SPARE empty named slots."""
        items, first = list(block.terms[f.name]), self.row
        fmt = st.UNIT_FORMATS.get(f.unit, st.NUMBER)
        for i in range(len(items) + LIST_SPARE):
            value = items[i] if i < len(items) else None
            name = input_name(self.ids[block.id], f.name, i)
            self._cells(block, f, f"{f.label} [{i}]", value, fmt, f.help if i == 0 else "", name)
        self.refs.lists[(block.id, f.name)] = f"{SHEET}!$C${first}:$C${self.row - 1}"

    def term(self, block, f) -> None:
        """A scalar term; a choice gets a drop-down of the allowed values."""
        fmt = st.DATE if f.type == "date" else st.UNIT_FORMATS.get(f.unit, st.NUMBER)
        note = f.help
        if f.choices:
            note = (note + " " if note else "") + "One of: " + ", ".join(f.choices) + "."
        name = input_name(self.ids[block.id], f.name)
        value = _cell_value(f.type, block.terms[f.name])
        cell = self._cells(block, f, f.label, value, fmt, note, name)
        if f.choices:
            self._choices(f.choices).add(cell.coordinate)
        self.refs.scalar[(block.id, f.name)] = name

    def _choices(self, choices: tuple[str, ...]) -> DataValidation:
        dv = self.validations.get(choices)
        if dv is None:
            allowed = '"' + ",".join(choices) + '"'
            dv = DataValidation(type="list", formula1=allowed, allow_blank=False,
                                showErrorMessage=True, errorStyle="stop",
                                errorTitle="Not an allowed value",
                                error="Choose one of: " + ", ".join(choices),
                                showInputMessage=True, promptTitle="Choose",
                                prompt=", ".join(choices))  # fmt: skip
            self.validations[choices] = dv
            self.ws.add_data_validation(dv)
        return dv


def write_roundtrip(wb: Workbook, deal: Deal) -> None:
    """The very hidden ``_capstack`` sheet: marker, format version and the deal JSON."""
    ws = wb.create_sheet(K.ROUNDTRIP)
    ws["A1"] = K.ROUNDTRIP_MARKER
    ws["A2"] = K.ROUNDTRIP_VERSION
    text = dump_deal(deal)
    for i in range(0, max(len(text), 1), CHUNK):
        ws.cell(K.ROUNDTRIP_FIRST_ROW + i // CHUNK, 1, text[i : i + CHUNK])
    ws.sheet_state = "veryHidden"
