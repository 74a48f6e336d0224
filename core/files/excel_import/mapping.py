"""A mapping from workbook cells to CapStack inputs, which the user confirms or corrects and
can save and reuse for the next workbook built on the same template."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from core.files.atomic import write_atomically
from core.files.excel_import.labels import Candidate, convert
from core.files.excel_import.reader import Workbook, WorkbookError, as_number, cell_ref
from core.files.excel_import.targets import TARGET_BY_ID
from core.model.errors import DealError

MAPPING_FORMAT = "capstack-excel-mapping"
_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^!]+))!\$?([A-Za-z]{1,3})\$?(\d+)$")


@dataclass
class MappingEntry:
    """CapStack target (``block kind.field`` via ``target``) <- one workbook cell."""

    target: str  # id in labels.TARGETS
    sheet: str
    cell: str  # e.g. "C21"
    value: Any  # in CapStack units (USD m, decimals, years)
    confidence: float
    scale: float = 1.0  # workbook value x scale = value
    label: str = ""
    label_cell: str = ""
    enabled: bool = True
    source: str = "label"  # label | saved | user

    @property
    def ref(self) -> str:
        if not self.cell:  # a value typed by the analyst, or an input not pointed at yet
            return ""
        row, col = parse_cell(self.cell)
        return cell_ref(self.sheet, row, col)

    @property
    def block_field(self) -> str:
        t = TARGET_BY_ID[self.target]
        return f"{t.kind}.{t.field}"


@dataclass
class Mapping:
    entries: list[MappingEntry] = field(default_factory=list)
    fingerprint: str = ""
    periods_per_year: int | None = None  # the analyst's override of the inferred frequency

    def get(self, target: str) -> MappingEntry | None:
        for e in self.entries:
            if e.target == target and e.enabled:
                return e
        return None

    def value(self, target: str, default: Any = None) -> Any:
        e = self.get(target)
        return default if e is None else e.value

    def to_json(self) -> str:
        doc = {"format": MAPPING_FORMAT, "version": 1, "fingerprint": self.fingerprint,
               "periods_per_year": self.periods_per_year,
               "entries": [asdict(e) for e in self.entries]}  # fmt: skip
        return json.dumps(doc, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, source: str = "<mapping>") -> Mapping:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise WorkbookError(f"{source}: not a mapping file ({exc})") from None
        if not isinstance(doc, dict) or doc.get("format") != MAPPING_FORMAT:
            raise WorkbookError(f"{source}: not a CapStack Excel mapping file")
        entries = []
        for i, raw in enumerate(doc.get("entries", [])):
            try:
                e = MappingEntry(**raw)
                if e.cell or e.source != "user":  # a typed value has no cell
                    parse_cell(e.cell)
            except (TypeError, ValueError) as exc:
                raise WorkbookError(f"{source}: entries[{i}]: {exc}") from None
            if e.target not in TARGET_BY_ID:
                raise WorkbookError(f"{source}: entries[{i}]: unknown target {e.target!r}")
            entries.append(e)
        ppy = doc.get("periods_per_year")
        if ppy not in (None, 1, 2, 4, 12):
            raise WorkbookError(f"{source}: periods_per_year must be 1, 2, 4 or 12 (got {ppy!r})")
        return cls(entries, str(doc.get("fingerprint", "")), ppy)

    def save(self, path: str | os.PathLike[str]) -> None:
        write_atomically(path, self.to_json().encode("utf-8"))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Mapping:
        from core.limits import read_text_file

        return cls.from_json(read_text_file(path), os.path.basename(os.fspath(path)))


def parse_cell(cell: str) -> tuple[int, int]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    col, row = coordinate_from_string(cell.replace("$", "").upper())
    return row, column_index_from_string(col)


def parse_ref(ref: str) -> tuple[str, str]:
    """``"'Cash Flow'!D7"`` -> ``("Cash Flow", "D7")``; ``ValueError`` when malformed."""
    m = _REF.match(ref.strip())
    if not m:
        raise ValueError(f"{ref!r} is not a cell reference like Inputs!C7")
    sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
    return sheet, f"{m.group(3).upper()}{m.group(4)}"


def fingerprint(wb: Workbook, entries: list[MappingEntry]) -> str:
    """Template identity: sheet names plus the label text at each mapped label position."""
    h = hashlib.sha256()
    for name in wb.sheets:
        h.update(name.encode() + b"\0")
    for e in sorted(entries, key=lambda e: e.target):
        if e.label_cell:
            row, col = parse_cell(e.label_cell)
            text = wb.sheets[e.sheet].get(row, col) if e.sheet in wb.sheets else None
            h.update(f"{e.target}|{e.sheet}|{e.label_cell}|{text}".encode() + b"\0")
    return h.hexdigest()[:16]


def from_candidates(wb: Workbook, found: dict[str, list[Candidate]]) -> Mapping:
    entries = []
    for target in TARGET_BY_ID:
        cands = found.get(target)
        if not cands:
            continue
        c = cands[0]
        entries.append(MappingEntry(
            target, c.sheet, c.ref.split("!")[-1], c.value, round(c.confidence, 3), c.scale,
            c.label.strip(), c.label_ref.split("!")[-1]))  # fmt: skip
    m = Mapping(entries)
    m.fingerprint = fingerprint(wb, entries)
    return m


def read_entry(wb: Workbook, e: MappingEntry) -> MappingEntry:
    """Re-read ``e``'s cell in ``wb`` (a saved or corrected mapping); errors name the cell."""
    t = TARGET_BY_ID[e.target]
    sheet = wb.sheets.get(e.sheet)
    if sheet is None:
        raise WorkbookError(f"mapping for {t.label}: the workbook has no sheet {e.sheet!r}")
    row, col = parse_cell(e.cell)
    raw = sheet.get(row, col)
    where = cell_ref(e.sheet, row, col)
    if raw is None:
        raise WorkbookError(f"{where}: {t.label}: the cell is empty")
    if isinstance(raw, str) and raw.strip().startswith("#"):
        raise WorkbookError(f"{where}: {t.label}: the cell holds the error {raw.strip()}")
    if t.value_type == "money":  # keep the scale chosen when the mapping was made
        value = as_number(raw, f"{where}: {t.label}") * (e.scale or 1.0)
    else:
        got = convert(t, raw, sheet.fmt(row, col), e.label.lower())
        if got is None:
            raise WorkbookError(f"{where}: {t.label}: cannot use {raw!r} as a {t.value_type}")
        value = got[0]
    source = "user" if e.source == "user" else "saved"
    return MappingEntry(**{**e.__dict__, "value": value, "source": source})


def apply_saved(wb: Workbook, saved: Mapping) -> tuple[Mapping, list[str]]:
    """Read a saved mapping's cells from ``wb``. Raises when the template does not match."""
    notes = []
    fp = fingerprint(wb, saved.entries)
    if saved.fingerprint and fp != saved.fingerprint:
        raise WorkbookError(
            "the saved mapping was made for a different workbook template (sheet names or "
            "label positions differ); import without --mapping and save a new one"
        )
    entries = [read_entry(wb, e) if e.enabled and e.cell else e for e in saved.entries]
    notes.append(f"mapping reused (template {fp})")
    return Mapping(entries, fp, saved.periods_per_year), notes


def check_entry_value(e: MappingEntry) -> None:
    """Validate a mapped value against the CapStack field it feeds (names the cell)."""
    from core.model.blocks import REGISTRY

    t = TARGET_BY_ID[e.target]
    if t.kind not in REGISTRY:
        return
    try:
        REGISTRY[t.kind].field(t.field).validate(e.value, t.label)
    except DealError as exc:
        raise WorkbookError(f"{e.ref}: {t.label}: {exc.reason} (got {e.value!r})") from None
