"""Import an Excel workbook as a CapStack deal.

``import_workbook(path)`` opens the file safely (:mod:`.reader`), reads CapStack's own export
back exactly (:mod:`.roundtrip`), or for a workbook built elsewhere finds labelled inputs
(:mod:`.labels`) and period schedules (:mod:`.schedules`), proposes a :class:`Mapping`, builds a
deal (:mod:`.builder`), runs it and reconciles the workbook's own results with CapStack's
(:mod:`.reconcile`). Nothing is written anywhere; bad input raises :class:`WorkbookError` with a
message naming the file problem or the sheet and cell.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field

from core.files.excel_import.builder import MissingInputs, build_deal
from core.files.excel_import.frequency import FREQUENCY_NAMES
from core.files.excel_import.labels import find_labels
from core.files.excel_import.mapping import Mapping, MappingEntry, apply_saved, from_candidates
from core.files.excel_import.reader import Workbook, WorkbookError, open_workbook
from core.files.excel_import.reconcile import ReconRow, reconcile
from core.files.excel_import.roundtrip import is_capstack, read_capstack
from core.files.excel_import.schedules import Schedule, body_cells, find_schedules
from core.files.excel_import.screen import NotAFinancing, screen
from core.files.excel_import.targets import TARGETS
from core.model.deal import Deal

__all__ = ["ImportResult", "Mapping", "MappingEntry", "MissingInputs", "NotAFinancing", "ReconRow",
           "WorkbookError", "import_workbook", "rebuild"]  # fmt: skip


@dataclass
class ImportResult:
    deal: Deal
    mapping: Mapping
    reconciliation: list[ReconRow]
    notes: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    capstack_roundtrip: bool = False
    workbook: Workbook | None = field(default=None, repr=False)
    warnings: list[str] = field(default_factory=list)  # flags to read before using the deal
    used: list[tuple[str, float | str, str]] = field(default_factory=list)  # what the deal uses
    periods_per_year: int = 0  # the workbook's inferred (or overridden) frequency
    frequency: str = ""  # how it was found


def import_workbook(
    path: str | os.PathLike[str],
    mapping: Mapping | None = None,
    recalc: bool = False,
    periods_per_year: int | None = None,
) -> ImportResult:
    """Read ``path`` into a deal. ``mapping``: a saved mapping to reuse; ``recalc``: recalculate
    with LibreOffice first (macros disabled; only when asked, never because formulas have no
    saved values: the notes then say so);
    ``periods_per_year``: the timeline's frequency when the inferred one is wrong."""
    wb = open_workbook(path)
    notes = list(wb.notes)
    capstack = is_capstack(wb)  # its inputs are constants: no recalculation needed
    if recalc:  # LibreOffice is never started on an untrusted file unless asked
        wb, more = _recalculated(wb, forced=recalc)
        notes += more
    if capstack:
        deal, more = read_capstack(wb)
        return ImportResult(deal, Mapping(), [], notes + more, [], [], True, wb)
    timelines = find_schedules(wb, every=True)
    schedules = [s for s in timelines if s.series]
    if mapping is None:  # a saved mapping is the analyst's word that the layout is a financing
        screen(wb, schedules)
    if mapping is None:
        m = from_candidates(wb, find_labels(wb, body_cells(timelines)))
    else:
        m, more = apply_saved(wb, mapping)
        notes += more
    if periods_per_year:
        m.periods_per_year = periods_per_year
    return rebuild(wb, m, schedules, notes)


def rebuild(wb: Workbook, m: Mapping, schedules: list[Schedule],
            notes: list[str] | None = None) -> ImportResult:  # fmt: skip
    """Build, run and reconcile from a (possibly user-corrected) mapping."""
    from core.engine.results import run_deal

    notes = list(notes or [])
    for s in schedules:  # the analyst's frequency replaces the inferred one
        s.periods_per_year = m.periods_per_year or s.inferred_ppy or s.periods_per_year
    built = build_deal(wb, m, schedules)  # a required input missing: MissingInputs, by cell
    _refuse_unusable_inputs(wb, m)  # an optional one: never defaulted without a word
    result = run_deal(built.deal)
    recon = reconcile(result, m, schedules, built.schedule_scale)
    notes.insert(0, f"timeline: {FREQUENCY_NAMES.get(built.periods_per_year, '?')} "
                    f"({built.periods_per_year} a year), {built.frequency}")  # fmt: skip
    notes += built.notes
    if built.schedule_scale != 1.0:
        notes.append(f"workbook amounts x {built.schedule_scale:g} to millions; currencies are "
                     "not converted")  # fmt: skip
    unmapped = [f"{t.label}: not found" for t in TARGETS if m.get(t.id) is None]
    unmapped += [f"defaulted - {d}" for d in built.defaulted]
    kinds = {k for s in schedules for k in s.series}
    series = ("revenue", "opex", "cfads", "debt_service", "dscr", "balance")
    unmapped += [f"schedule series {k!r}: not found" for k in series if k not in kinds]
    for s in schedules[:6]:
        notes.append(f"schedule on {s.sheet}: {s.describe()}")
        for ser in s.series.values():
            if ser.errors:
                notes.append(f"{ser.kind} ({ser.ref}): unusable cells " + ", ".join(ser.errors[:5]))
    if wb.missing_values:
        notes.append(f"{len(wb.missing_values)} formula cell(s) without a saved value (use "
                     "recalculation to compute them), e.g. "
                     + ", ".join(wb.missing_values[:5]))  # fmt: skip
    notes += wb.cell_problems
    notes = list(dict.fromkeys(notes))  # drop repeats, keep order
    warnings = list(built.warnings)
    for r in recon:
        if r.status == "red":
            wb_v, cs_v = (f"{v * 100:.2f}%" if r.kind == "pct" else f"{v:,.4g}"
                          for v in (r.workbook, r.capstack))  # fmt: skip
            warnings.append(f"{r.metric}: workbook {wb_v} vs CapStack {cs_v} ({r.where}) "
                            "differ beyond tolerance")  # fmt: skip
    return ImportResult(built.deal, m, recon, notes, unmapped, schedules, False, wb, warnings,
                        built.used, built.periods_per_year, built.frequency)  # fmt: skip


def _refuse_unusable_inputs(wb: Workbook, m: Mapping) -> None:
    """An input whose labelled cell holds an error, text or an impossible number, and that no
    other cell supplied, is refused by cell: never replaced by a default without a word."""
    bad = [problem for tid, problem in wb.input_problems.items() if m.get(tid) is None]
    if bad:
        raise WorkbookError(
            f"{os.path.basename(wb.path)}: " + "; ".join(bad[:6]) + ". Correct the cell(s), "
            "or map the input to another cell and import with --mapping"
        )


def _recalculated(wb: Workbook, forced: bool) -> tuple[Workbook, list[str]]:
    """Recalculate a temp copy with LibreOffice and reopen it; notes say what happened."""
    try:
        from core.files.recalc import recalculate, soffice_available
    except ImportError:
        return wb, ["recalculation unavailable (core.files.recalc is not installed); "
                    "saved values used"]  # fmt: skip
    if not soffice_available():
        return wb, ["LibreOffice is not installed: saved values used, no recalculation"]
    with tempfile.TemporaryDirectory(prefix="capstack-recalc-") as tmp:
        src = os.path.join(tmp, "in" + os.path.splitext(wb.path)[1].lower())
        shutil.copyfile(wb.path, src)
        try:
            out = recalculate(src, out_dir=os.path.join(tmp, "out"))
            new = open_workbook(out)
        except Exception as exc:  # RecalcError or an unreadable result: keep saved values
            return wb, [f"recalculation failed ({exc}); saved values used"]
    new.path = wb.path
    why = "on request" if forced else f"{len(wb.missing_values)} formulas had no saved value"
    return new, [f"recalculated with LibreOffice ({why})"]
