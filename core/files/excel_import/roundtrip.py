"""CapStack's own export read back: the deal JSON kept in the very hidden ``_capstack`` sheet,
with every term overridden by the workbook's ``in_<block_id>__<field>[__<i>]`` named inputs."""

from __future__ import annotations

import re

from core.files import excel_keys as K
from core.files.deal_json import loads_deal
from core.files.excel_import.reader import Workbook, WorkbookError, as_date, cell_ref

# the export's name convention (sanitised ids, case clashes suffixed _2, _3...)
from core.files.excel_inputs import unique_ids
from core.model.deal import Deal
from core.model.errors import DealError

SHEET = K.ROUNDTRIP
_LIST_ITEM = re.compile(rf"(.+){K.INPUT_SEP}(\d+)")


def _parse_name(deal: Deal, ids: dict[str, str], name: str) -> tuple[str, str, int | None] | None:
    """``in_<block_id>__<field>[__<i>]`` -> (block id, field, index) for a known block field."""
    best = None
    low = name.lower()
    for block_id, block in deal.blocks.items():
        prefix = K.input_prefix(ids[block_id]).lower()
        if not low.startswith(prefix) or (best and len(prefix) <= best[0]):
            continue
        rest = name[len(prefix) :]
        m = _LIST_ITEM.fullmatch(rest)
        if rest in block.spec.field_names:
            best = (len(prefix), block_id, rest, None)
        elif m and m.group(1) in block.spec.field_names:
            best = (len(prefix), block_id, m.group(1), int(m.group(2)))
    return best[1:] if best else None


def is_capstack(wb: Workbook) -> bool:
    s = wb.sheets.get(SHEET)
    version = K.ROUNDTRIP_VERSION
    marked = s is not None and s.get(1, 1) == K.ROUNDTRIP_MARKER
    return marked and s.get(2, 1) in (version, float(version), str(version))


def read_capstack(wb: Workbook) -> tuple[Deal, list[str]]:
    """The embedded deal with the workbook's inputs applied; errors name sheet!cell and value."""
    s = wb.sheets[SHEET]
    parts, row = [], K.ROUNDTRIP_FIRST_ROW
    while isinstance(s.get(row, 1), str):
        parts.append(s.get(row, 1))
        row += 1
    where = cell_ref(SHEET, K.ROUNDTRIP_FIRST_ROW, 1)
    try:
        deal = loads_deal("".join(parts), where, check=False)
    except DealError as exc:
        raise WorkbookError(f"{where}: the embedded deal cannot be read: {exc}") from None
    lists: dict[tuple[str, str], dict[int, tuple]] = {}
    changed = []
    ids = unique_ids(deal)
    for name, (sheet, r, c) in sorted(wb.defined_names.items()):
        parsed = _parse_name(deal, ids, name)
        if parsed is None:
            continue
        block_id, fname, idx = parsed
        block = deal.blocks[block_id]
        where = cell_ref(sheet, r, c)
        value = wb.sheets[sheet].get(r, c) if sheet in wb.sheets else None
        if idx is not None:
            lists.setdefault((block_id, fname), {})[int(idx)] = (value, where)
            continue
        new = _coerce(block.spec.field(fname), value)
        if _set(deal, block_id, fname, new, where):
            changed.append(f"{block_id}.{fname} <- {where}")
    for (block_id, fname), items in lists.items():
        values = []
        for i in sorted(items):
            value, where = items[i]
            if value is None:
                continue
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise WorkbookError(f"{where}: {block_id}.{fname}[{i}]: expected a number, "
                                    f"found {value!r}")  # fmt: skip
            values.append(float(value))
        if _set(deal, block_id, fname, values, items[min(items)][1]):
            changed.append(f"{block_id}.{fname} <- list")
    from core.model.validate import check_deal

    try:
        check_deal(deal)
    except DealError as exc:
        raise WorkbookError(f"the workbook's inputs do not make a valid deal: {exc}") from None
    return deal, [f"CapStack workbook: {len(changed)} input(s) differ from the embedded deal"
                  + (": " + ", ".join(changed[:10]) if changed else "")]  # fmt: skip


def _coerce(field, value):
    if field.type == "date":
        d = as_date(value)
        return d.isoformat() if d else value
    if field.type == "bool" and value in (0, 1):
        return bool(value)
    if field.type == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    if field.type == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if field.type == "list" and value is None:
        return []
    return value


def _set(deal: Deal, block_id: str, fname: str, value, where: str) -> bool:
    old = deal.blocks[block_id].terms[fname]
    if old == value:
        return False
    try:
        deal.set_term(block_id, fname, value)
    except DealError as exc:
        raise WorkbookError(f"{where}: {block_id}.{fname}: {exc.reason} (got {value!r})") from None
    return True
