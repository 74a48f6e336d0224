"""Turn a confirmed mapping (and the schedules found) into a CapStack deal.

The deal is an SPV owning a facility (capex), a senior tranche, an equity class, a lease whose
annual rent comes from the workbook's revenue schedule (or a mapped annual revenue), operating
costs, a covenant and a DSRA. Required inputs that are missing raise :class:`MissingInputs`
listing each one and where the importer looked; optional ones take defaults and are reported.
"""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field
from datetime import timedelta

from core.engine.timeline import add_months
from core.files.excel_import.labels import money_scale
from core.files.excel_import.mapping import Mapping, check_entry_value
from core.files.excel_import.reader import Workbook, WorkbookError
from core.files.excel_import.schedules import Schedule
from core.files.excel_import.targets import TARGET_BY_ID
from core.model.deal import Deal
from core.model.errors import DealError
from core.model.validate import check_deal

DEFAULT_GEARING = 0.75


class MissingInputs(WorkbookError):
    """Required inputs were not found; ``missing`` lists (input, where the importer looked)."""

    def __init__(self, missing: list[tuple[str, str]]) -> None:
        self.missing = missing
        lines = "; ".join(f"{what} (looked for {where})" for what, where in missing)
        super().__init__(f"required inputs not found: {lines}")


@dataclass
class Built:
    deal: Deal
    defaulted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    schedule_scale: float = 1.0
    periods_per_year: int = 1
    frequency: str = ""  # how the periods per year were found
    used: list[tuple[str, float | str, str]] = field(default_factory=list)  # input, value, from
    warnings: list[str] = field(default_factory=list)  # flags the analyst must read


FUNDING_TOLERANCE = 0.005  # sources and uses may differ by rounding: half a percent of uses


def _looked(target: str) -> str:
    syn = TARGET_BY_ID[target].synonyms
    return "labels like " + ", ".join(repr(s) for s in syn[:4]) + " on every sheet"


def series_schedule(schedules: list[Schedule], kind: str) -> Schedule | None:
    return next((s for s in schedules if kind in s.series and s.series[kind].values), None)


def _annual(sch: Schedule, kind: str, scale: float, years: float, ppy: int) -> float | None:
    """Average yearly amount of a series over its first ``years`` of non-zero periods, at
    ``ppy`` periods a year."""
    vals = [abs(v) for v in sch.series[kind].values if v is not None]
    nonzero = [v for v in vals if v > 0]
    if not nonzero:
        return None
    first = next(i for i, v in enumerate(vals) if v > 0)
    n = max(1, int(round(years * ppy)))
    window = [v for v in vals[first : first + n] if v > 0] or nonzero
    return statistics.fmean(window) * ppy * scale


def schedule_scale(m: Mapping, schedules: list[Schedule]) -> float:
    for target in ("debt_amount", "capex"):
        e = m.get(target)
        if e is not None:
            return e.scale
    sch = series_schedule(schedules, "revenue")
    if sch is None:
        return 1.0
    vals = [abs(v) for v in sch.series["revenue"].values if v]
    return money_scale(statistics.median(vals), "") if vals else 1.0


def build_deal(wb: Workbook, m: Mapping, schedules: list[Schedule]) -> Built:
    """Deal from mapping + schedules; raises :class:`MissingInputs` or :class:`WorkbookError`."""
    for e in m.entries:
        if e.enabled:
            check_entry_value(e)
    built = Built(Deal(os.path.splitext(os.path.basename(wb.path))[0]))
    scale = built.schedule_scale = schedule_scale(m, schedules)
    rev_sch = series_schedule(schedules, "revenue")
    if m.periods_per_year:
        ppy, built.frequency = m.periods_per_year, "set by the analyst"
    elif rev_sch is not None:
        ppy = rev_sch.periods_per_year
        built.frequency = f"from {rev_sch.ref}: {rev_sch.frequency_from or 'date spacing'}"
    else:
        ppy, built.frequency = 1, "no timeline found: annual assumed"
    built.periods_per_year = ppy
    missing: list[tuple[str, str]] = []

    capex, debt, gearing = m.value("capex"), m.value("debt_amount"), m.value("gearing")
    equity = m.value("equity")
    if debt is None and capex is not None and gearing is not None:
        debt = capex * gearing
        built.notes.append(f"senior debt = capex x gearing = {debt:,.3f}")
    if capex is None and debt is not None:
        if gearing:
            capex = debt / gearing
            built.notes.append(f"capex = senior debt / gearing = {capex:,.3f}")
        elif equity is not None:
            capex = debt + equity
            built.notes.append(f"capex = senior debt + equity = {capex:,.3f}")
        else:
            capex = debt / DEFAULT_GEARING
            built.defaulted.append(
                f"Capex: not in the workbook; taken as senior debt / "
                f"{DEFAULT_GEARING:.0%} = {capex:,.3f}"
            )
    if capex is None and debt is None:
        missing.append(("Capex or senior debt", _looked("capex") + " / " + _looked("debt_amount")))
    if debt is None and capex is not None:
        debt = capex * DEFAULT_GEARING
        built.defaulted.append(
            f"Senior debt: not in the workbook; {DEFAULT_GEARING:.0%} of capex = {debt:,.3f}"
        )

    coupon = m.value("coupon")
    if coupon is None and m.value("margin") is not None:
        coupon = m.value("margin") + m.value("base_rate", 0.0)
        built.notes.append("coupon = base rate + margin")
    if coupon is None:
        missing.append(("Coupon / interest rate", _looked("coupon")))

    tenor = m.value("tenor")
    te = m.get("tenor")
    if te is not None and "period" in te.label.lower() and ppy > 1 and te.source != "user":
        tenor = tenor / ppy
        built.notes.append(f"tenor {te.value:g} periods / {ppy} per year = {tenor:g} years")
    if tenor is None:
        tenor = min(m.value("project_life") or 10.0, 30.0)
        built.defaulted.append(f"Debt tenor: not found ({_looked('tenor')}); {tenor:g} years")

    rent = None
    user_rent = m.get("annual_rent")
    rent_from = ""
    if user_rent is not None and user_rent.source == "user":
        rent, rent_from = user_rent.value, f"{user_rent.ref} (set by the analyst)"
    elif rev_sch is not None:
        rent = _annual(rev_sch, "revenue", scale, tenor, ppy)
        if rent:
            rent_from = (f"average revenue of {rev_sch.series['revenue'].ref} over the debt "
                         f"tenor x {ppy} periods a year")  # fmt: skip
    if not rent and m.value("annual_rent") is not None:
        rent, rent_from = m.value("annual_rent"), m.get("annual_rent").ref
    if rent:
        built.notes.append(f"annual rent = {rent_from} = {rent:,.3f}")
    if not rent:
        missing.append(
            (
                "Revenue (a revenue schedule or an annual rent)",
                "rows/columns labelled revenue, sales or rent along a timeline, and "
                + _looked("annual_rent"),
            )
        )
    if missing:
        exc = MissingInputs(missing)
        if wb.cell_problems:
            exc.args = (exc.args[0] + ". Unusable cells: " + "; ".join(wb.cell_problems[:8]),)
        raise exc

    opex, opex_from = None, ""
    opex_sch = series_schedule(schedules, "opex")
    user_opex = m.get("opex")
    if user_opex is not None and user_opex.source == "user":
        opex, opex_from = user_opex.value, f"{user_opex.ref} (set by the analyst)"
    elif opex_sch is not None:
        opex = _annual(opex_sch, "opex", scale, 1.0 / ppy, ppy)
        if opex is not None:
            opex_from = f"first operating period of {opex_sch.series['opex'].ref} x {ppy}"
    if opex is None and m.get("opex") is not None:
        opex, opex_from = m.value("opex"), m.get("opex").ref
    if opex is None:
        opex = 0.0
        built.defaulted.append("Opex: not found; 0")

    life = m.value("project_life")
    horizon = min(50.0, max(tenor, life or 0.0))
    start = _operations_start(rev_sch)
    if start is not None:
        built.notes.append(
            f"deal starts at the first revenue period ({start}); the workbook's "
            "construction period is not modelled"
        )
    else:
        start = m.value("start_date")
    if start is None:
        start = "2026-01-01"
        built.defaulted.append("Start date: not found; 2026-01-01")
    lockup = _or_default(built, m, "lockup_dscr", 1.15, "1.15x (cash trapped below it)")
    floor = min(1.05, lockup)
    default_dscr = _or_default(built, m, "default_dscr", floor,
                               f"{floor:.2f}x, breach accelerates the debt")  # fmt: skip
    target_dscr = m.value("target_dscr")
    if target_dscr is None:
        built.defaulted.append("Amortisation: no target DSCR found; level annuity over the tenor")
    dsra = _or_default(built, m, "dsra_months", 6, "6 months of debt service")
    escalator = _or_default(built, m, "escalator", 0.025, "2.5% a year (opex)")
    tax = _or_default(built, m, "tax_rate", 0.0, "0% (no tax)")
    if equity is None:
        equity = capex - debt
        built.notes.append(f"equity = capex - senior debt = {equity:,.3f}")
    _check_funding(built, capex, debt, equity, m)
    built.used = [
        ("Capex", capex, _src(m, "capex")), ("Senior debt", debt, _src(m, "debt_amount")),
        ("Equity", equity, _src(m, "equity")), ("Coupon", coupon, _src(m, "coupon")),
        ("Tenor (years)", tenor, _src(m, "tenor")),
        ("Annual rent", rent, rent_from), ("Opex a year", opex, opex_from or "default"),
        ("Periods a year", ppy, built.frequency), ("Start date", start, "see notes"),
        ("Lock-up DSCR", lockup, _src(m, "lockup_dscr")),
        ("Default DSCR", default_dscr, _src(m, "default_dscr")),
        ("Target DSCR", target_dscr if target_dscr is not None else "annuity",
         _src(m, "target_dscr")),
        ("DSRA months", dsra, _src(m, "dsra_months")), ("Tax rate", tax, _src(m, "tax_rate")),
        ("Opex escalator", escalator, _src(m, "escalator")),
    ]  # fmt: skip
    try:
        _assemble(
            built.deal,
            dict(
                capex=capex,
                debt=debt,
                equity=equity,
                coupon=coupon,
                tenor=min(tenor, horizon),
                horizon=horizon,
                rent=rent,
                opex=opex,
                start=start,
                period=_period_of(ppy),
                lockup=lockup,
                default_dscr=default_dscr,
                target_dscr=target_dscr,
                dsra=int(dsra),
                tax=tax,
                start_month=0,
                escalator=escalator,
            ),
        )
        check_deal(built.deal)
    except DealError as exc:
        raise WorkbookError(f"the imported inputs do not make a valid deal: {exc}") from None
    return built


def _period_of(ppy: int) -> str:
    """The deal's period for a workbook of ``ppy`` periods a year: annual and quarterly as they
    are, semi-annual as quarterly (CapStack has no half-year period), finer as monthly."""
    if ppy == 1:
        return "annual"
    return "quarterly" if ppy <= 4 else "monthly"


def _or_default(built: Built, m: Mapping, target: str, default: float, says: str) -> float:
    """The mapped value, or ``default`` listed among the defaults applied."""
    value = m.value(target)
    if value is None:
        built.defaulted.append(f"{TARGET_BY_ID[target].label}: not found; {says}")
        return default
    return value


def _src(m: Mapping, target: str) -> str:
    e = m.get(target)
    if e is None:
        return "default or derived (see notes)"
    return e.ref + (" (set by the analyst)" if e.source == "user" else "")


def _check_funding(built: Built, capex: float, debt: float, equity: float, m: Mapping) -> None:
    """Negative equity is refused; sources (debt + equity) that do not pay for the uses (capex)
    are flagged with the gap."""
    if equity < 0:
        where = ", ".join(e.ref for t in ("capex", "debt_amount") if (e := m.get(t)))
        raise WorkbookError(
            f"senior debt {debt:,.3f} exceeds capex {capex:,.3f} ({where or 'defaults'}): the "
            f"equity would be {equity:,.3f}; correct the capex or the debt in the mapping"
        )
    gap = debt + equity - capex
    if abs(gap) > FUNDING_TOLERANCE * max(capex, 1e-9):
        what = "a funding gap" if gap < 0 else "more funding than uses"
        built.warnings.append(
            f"Sources {debt + equity:,.3f} (senior debt {debt:,.3f} + equity {equity:,.3f}) "
            f"differ from uses (capex {capex:,.3f}) by {gap:+,.3f}: {what}. The deal is built "
            "as found; check the capex, debt and equity cells (the workbook may fund fees, "
            "interest during construction or reserves CapStack does not model)"
        )


def _operations_start(sch: Schedule | None) -> str | None:
    """First day of the first period with revenue, from the schedule's calendar."""
    if sch is None or not sch.dates:
        return None
    vals = sch.series["revenue"].values
    lead = next((i for i, v in enumerate(vals) if v), None)
    if lead is None or lead >= len(sch.dates):
        return None
    d = sch.dates[lead]
    if sch.ends:  # the date closes the period: it began one period earlier
        d = add_months(d + timedelta(days=1) if d.day >= 28 else d,
                       -12 // max(sch.periods_per_year, 1))  # fmt: skip
    return d.replace(day=1).isoformat()


def _assemble(deal: Deal, v: dict) -> None:
    spv = deal.add_block(
        "spv",
        {
            "name": f"{deal.name} SPV",
            "closing_date": v["start"],
            "period": v["period"],
            "horizon_years": v["horizon"],
            "tax_rate": v["tax"],
        },
        (480, 0),
        "spv",
    )
    fac = deal.add_block(
        "facility",
        {
            "name": "Project assets",
            "cost": v["capex"],
            "life_years": max(1.0, min(60.0, v["horizon"])),
        },
        (240, 0),
        "facility",
    )
    sculpt = v["target_dscr"] is not None
    tr = deal.add_block(
        "tranche",
        {
            "name": "Senior debt",
            "notional": v["debt"],
            "coupon": v["coupon"],
            "tenor_years": v["tenor"],
            "io_months": v["start_month"],
            "amortisation": "sculpted" if sculpt else "annuity",
            "target_dscr": v["target_dscr"] if sculpt else 1.3,
        },
        (960, 0),
        "senior",
    )
    eq = deal.add_block("equity", {"investor": "Equity", "amount": v["equity"]}, (0, 150), "equity")
    lease = deal.add_block(
        "lease",
        {
            "name": "Revenue contract",
            "annual_rent": v["rent"],
            "term_years": v["horizon"],
            "start_month": v["start_month"],
        },
        (480, 150),
        "lease",
    )
    opex = deal.add_block(
        "opex", {"maintenance": v["opex"], "escalator": v["escalator"]}, (720, 150), "opex"
    )
    cov = deal.add_block(
        "covenant",
        {"lockup_dscr": v["lockup"], "default_dscr": v["default_dscr"]},
        (480, 300),
        "covenant",
    )
    dsra = deal.add_block(
        "reserve", {"target_months": min(max(v["dsra"], 0), 36)}, (720, 0), "dsra"
    )
    deal.connect("owns", eq.id, spv.id)
    deal.connect("issues", spv.id, tr.id)
    deal.connect("owns", spv.id, fac.id)
    deal.connect("secures", fac.id, tr.id)
    deal.connect("leases_to", spv.id, lease.id)
    deal.connect("owns", spv.id, dsra.id)
    deal.connect("applies_to", opex.id, spv.id)
    deal.connect("applies_to", cov.id, spv.id)
