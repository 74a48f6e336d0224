"""The report's text: HTML (the subset ``QTextDocument`` renders) built from ``ReportData``.

Every number comes from ``core.report.data.gather`` and is written with the same formats as
the results docks (``gui.results.formatting``). Images are referenced by name (``img:...``)
and added to the document by ``gui.report.document``.
"""

from __future__ import annotations

from html import escape

from core.engine.phases import construction_summary
from core.engine.refinancing import refinancing_outcomes
from core.report.data import ReportData
from core.report.valuation import ltv_basis, recovery_basis, valuation_lines
from core.risk.catalogue import RiskOutcome
from gui.results.formatting import fmt_date, fmt_money, fmt_pct, fmt_ratio, fmt_years

ACCENT = "#1f3f73"
RULE = "#c8ced6"
SHADE = "#eef2f7"
CSS = f"""
body {{ font-family: 'DejaVu Sans', 'Helvetica', sans-serif; font-size: 8.5pt; color: #1b1b1b; }}
h1 {{ font-size: 15pt; color: {ACCENT}; margin: 0; }}
h2 {{ font-size: 11.5pt; margin: 2px 0 4px 0; }}
h3 {{ font-size: 10pt; color: {ACCENT}; margin: 10px 0 3px 0; }}
p.note {{ font-size: 7.5pt; color: #555555; margin: 2px 0; }}
p.fan {{ font-size: 8pt; color: #7a4a00; margin: 0 0 6px 0; }}
table.grid {{ border-collapse: collapse; }}
table.grid td, table.grid th {{ border-bottom: 1px solid {RULE}; padding: 2px 5px; }}
table.grid th {{ background-color: {SHADE}; font-weight: bold; text-align: left; }}
td.n, th.n {{ text-align: right; }}
td.k {{ color: #555555; }}
tr.risk td {{ background-color: {SHADE}; font-weight: bold; }}
"""


def _e(v: object) -> str:
    return escape(str(v))


def table(header: list[str], rows: list[list[str]], numeric_from: int = 1, width: str = "100%"):
    """A ruled table; columns from ``numeric_from`` on are right-aligned. Cells are HTML."""
    head = "".join(
        f'<th class="{"n" if i >= numeric_from else ""}">{_e(h)}</th>' for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"n" if i >= numeric_from else ""}">{c}</td>' for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f'<table class="grid" width="{width}" cellspacing="0"><tr>{head}</tr>{body}</table>'


def _pairs(items: list[tuple[str, str]]) -> str:
    """Label / value pairs, two pairs per row."""
    rows = []
    for k in range(0, len(items), 2):
        cells = "".join(
            f'<td class="k">{_e(label)}</td><td class="n"><b>{_e(value)}</b></td>'
            for label, value in items[k : k + 2]
        )
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="grid" width="100%" cellspacing="0">{"".join(rows)}</table>'


def header_section(data: ReportData, diagram: tuple[str, int, int]) -> str:
    h = data.header
    hashed = "file" if h.hash_of == "file" else "deal as shown (unsaved changes)"
    items = [
        ("Parties", "<br>".join(_e(s) for s in h.sponsors) or "none"),
        ("Issuer (SPV / JV)", _e(h.spv)),
        (
            "Closing, periods",
            f"{_e(h.closing_date)}, {_e(h.period)}, horizon {h.horizon_years:g} years",
        ),
        ("Report date", _e(h.generated)),
        ("Deal file", _e(h.file_name)),
        ("SHA-256 (first 12)", f"<b>{_e(h.file_hash)}</b> of the {hashed}"),
    ]
    rows = "".join(f'<tr><td class="k" width="22%">{k}</td><td>{v}</td></tr>' for k, v in items)
    name, width, height = diagram
    return (
        f"<h1>Term-sheet risk summary</h1><h2>{_e(h.deal_name)}</h2>"
        f'<table class="grid" width="100%" cellspacing="0">{rows}</table>'
        f'<p class="note">{_e(h.description)}</p>'
        f'<h3>Structure</h3><p><img src="{name}" width="{width}" height="{height}"></p>'
    )


def capital_section(data: ReportData) -> str:
    r = data.result
    rows = [
        [
            _e(t.tranche),
            fmt_money(t.notional),
            fmt_pct(t.share_of_capital, 1),
            _e(t.rate),
            _e(t.maturity),
            _e(t.amortisation),
            str(int(t.seniority)),
            fmt_years(t.wal_years),
        ]
        for t in r.tranche_metrics.itertuples()
    ]
    for e in r.equity_classes.itertuples():
        rows.append(
            [
                _e(e.investor) + " (equity)",
                fmt_money(e.amount),
                fmt_pct(e.share_of_capital, 1),
                f"pref. {fmt_pct(e.preferred_return, 1)}" if e.preferred_return else "residual",
                "",
                "",
                f"first loss {e.first_loss_order}",
                "",
            ]
        )
    total = fmt_money(r.total_capital)
    rows.append(["<b>Total capital</b>", f"<b>{total}</b>", "100.0%"] + [""] * 5)
    stack = table(
        ["Class", "USD m", "% capital", "Coupon", "Maturity", "Amortisation", "Seniority", "WAL"],
        rows,
    )
    su = [(k, fmt_money(v)) for k, v in r.sources.items()]
    uses = [(k, fmt_money(v)) for k, v in r.uses.items()]
    n = max(len(su), len(uses))
    su += [("", "")] * (n - len(su))
    uses += [("", "")] * (n - len(uses))
    su_rows = [[_e(a), b, _e(c), d] for (a, b), (c, d) in zip(su, uses, strict=True)]
    su_rows.append(
        [
            "<b>Total sources</b>",
            f"<b>{fmt_money(r.total_sources)}</b>",
            "<b>Total uses</b>",
            f"<b>{fmt_money(r.total_uses)}</b>",
        ]
    )
    sources = table(["Sources", "USD m", "Uses", "USD m"], su_rows, numeric_from=1)
    return (
        f"<h3>Capital stack</h3>{stack}<h3>Sources and uses (USD m)</h3>{sources}"
        + _commitments(data)
        + _phase_tables(r)
    )


def _commitments(data: ReportData) -> str:
    """Delayed-draw tranches: commitment, drawn at closing and later, lapsed, fees; who paid
    for the GPUs delivered after closing (nothing on a deal drawn at closing)."""
    r = data.result
    cm = r.commitments
    if cm.empty:
        return ""
    rows = [
        [
            _e(c.tranche),
            fmt_money(c.commitment),
            fmt_money(c.drawn_at_close),
            fmt_money(c.drawn_later),
            fmt_money(c.lapsed),
            fmt_money(c.commitment_fees),
            _e(c.availability_end),
        ]
        for c in cm.itertuples()
    ]
    d = r.deliveries_after_close
    head = ["Tranche", "Commitment", "Drawn at close", "Drawn later", "Lapsed", "Fees", "Until"]
    note = (
        f"GPUs delivered after closing {fmt_money(d['cost'])}: paid by draws "
        f"{fmt_money(d['drawn'])}, by equity {fmt_money(d['equity'])}."
    )
    return f"<h3>Delayed draws (USD m)</h3>{table(head, rows)}<p>{_e(note)}</p>"


def _phase_tables(r) -> str:
    """Sources and uses of the construction and of the operations (a deal with a construction
    phase only)."""
    ph = r.sources_uses_by_phase
    if ph is None:
        return ""
    out = []
    for phase in ("construction", "operations"):
        su = [(k, fmt_money(v)) for k, v in ph[phase]["sources"].items()]
        uses = [(k, fmt_money(v)) for k, v in ph[phase]["uses"].items()]
        n = max(len(su), len(uses))
        su += [("", "")] * (n - len(su))
        uses += [("", "")] * (n - len(uses))
        rows = [[_e(a), b, _e(c), d] for (a, b), (c, d) in zip(su, uses, strict=True)]
        head = ["Sources", "USD m", "Uses", "USD m"]
        out.append(f"<h3>Sources and uses: {phase} (USD m)</h3>{table(head, rows, numeric_from=1)}")
    return "".join(out)


def _swap_items(data: ReportData) -> list[tuple[str, str]]:
    """What the interest-rate swaps paid, when the deal has any."""
    m = data.result.metrics
    if "swap_net_cash" not in m:
        return []
    return [
        ("Net swap cash received / (paid) (USD m)", fmt_money(m["swap_net_cash"])),
        ("Swap breakage, base case (USD m)", fmt_money(m["swap_breakage"])),
        ("Swap payments left unpaid (USD m)", fmt_money(m["swap_counterparty_loss"])),
    ]


def _swap_terms(data: ReportData) -> str:
    """One line per interest-rate swap: its counterparty and terms (the canvas card's lines)."""
    deal = data.result.compiled.deal
    lines = [
        f"{b.terms['name']} with {b.terms['counterparty']}: " + "; ".join(b.spec.card(b, deal))
        for b in deal.of_kind("swap")
    ]
    return "".join(f"<p>Hedging. {_e(line)}.</p>" for line in lines)


def _refi_terms(data: ReportData) -> str:
    """How each balloon with refinancing terms was met on the base case (docs/engine.md)."""
    return "".join(
        f"Refinancing. {_e(r.tranche)}: balloon USD {fmt_money(r.balloon)}m due "
        f"{r.maturity}; USD {fmt_money(r.refinanced)}m refinanced at {_e(r.rate_text())} to "
        f"{r.new_maturity}, USD {fmt_money(r.paid_from_cash)}m "
        f"from cash, USD {fmt_money(r.short)}m short. "
        for r in refinancing_outcomes(data.result)
    )


def _min_dscr_item(data: ReportData) -> tuple[str, str]:
    """The per-period minimum DSCR, with the one on the covenant's trailing window beside it
    when the window is longer than a period (docs/engine.md, "DSCR")."""
    m = data.result.metrics
    months = m["dscr_window_months"]
    if months <= data.result.compiled.timeline.months_per_period:
        return ("Minimum DSCR", fmt_ratio(m["min_dscr"]))
    label = f"Minimum DSCR (per period / {months}-month covenant window)"
    return (label, f"{fmt_ratio(m['min_dscr'])} / {fmt_ratio(m['min_dscr_window'])}")


def metrics_section(data: ReportData) -> str:
    m = data.result.metrics
    ltv_date = f" ({data.max_ltv_date})" if data.max_ltv_date else ""
    items = [
        _min_dscr_item(data),
        ("Average DSCR", fmt_ratio(m["avg_dscr"])),
        ("LLCR", fmt_ratio(m["llcr"])),
        ("PLCR", fmt_ratio(m["plcr"])),
        (f"LTV at close ({ltv_basis(data.result, 'ltv_at_close')})", fmt_pct(m["ltv_at_close"], 1)),
        ("LTV at lease end", fmt_pct(m["ltv_at_lease_end"], 1)),
        ("Highest LTV" + ltv_date, fmt_pct(data.max_ltv, 1)),
        ("Equity IRR", m.get("equity_irr_note") or fmt_pct(m["equity_irr"], 1)),
        ("Total debt (USD m)", fmt_money(m["total_debt"])),
        ("Total equity (USD m)", fmt_money(m["total_equity"])),
        ("CFADS fall to DSCR 1.00x", fmt_pct(m["breakeven_cashflow_fall"], 1)),
        ("Debt loss, base case (USD m)", fmt_money(m["debt_loss"])),
    ]
    if m["balloons"] > 0:  # shown beside the DSCR, which leaves them out
        items.append(("Balloons and bullets, not in the DSCR (USD m)", fmt_money(m["balloons"])))
    items += _swap_items(data)
    out = "<h3>Key metrics (base case)</h3>" + _pairs(items) + _swap_terms(data)
    # the refinancing and the collateral's valuation basis: one paragraph (the compact
    # layout keeps TeraWulf's report to four pages)
    notes = _refi_terms(data) + " ".join(f"{_e(x)}." for x in valuation_lines(data.result))
    out += f"<p>{notes}</p>" if notes else ""
    built = construction_summary(data.result.compiled)
    if built:
        out += f"<p>Construction. {_e(built)}.</p>"
    if data.result.look_through:
        rows = [
            [
                _e(lt.sponsor),
                fmt_money(lt.on_balance_sheet),
                fmt_money(lt.spv_debt_share),
                fmt_money(lt.lease_pv),
                fmt_money(lt.guarantees),
                fmt_money(lt.economic),
                fmt_ratio(lt.ratio),
            ]
            for lt in data.result.look_through
        ]
        out += "<h3>Look-through leverage of the sponsor (USD m)</h3>" + table(
            [
                "Sponsor",
                "On balance sheet",
                "Share of SPV debt",
                "PV of lease",
                "Guarantee caps",
                "Economic exposure",
                "Economic / on B/S",
            ],
            rows,
        )
    return out


def covenant_section(data: ReportData) -> str:
    if not data.covenants:
        return "<h3>Covenants</h3><p>The deal has no covenant block: no DSCR or LTV test.</p>"
    rows = [
        [
            _e(c.test),
            _e(c.level),
            _e(c.action),
            _e(c.actual),
            _e(c.headroom),
            _e(fmt_date(c.first_breach)),
        ]
        for c in data.covenants
    ]
    return "<h3>Covenants and headroom (base case)</h3>" + table(
        ["Test", "Level", "Breach action", "Base case", "Headroom", "First breach"], rows
    )


def charts_section(images: list[tuple[str, int, int]]) -> str:
    return "".join(f'<p><img src="{n}" width="{w}" height="{h}"></p>' for n, w, h in images)


def _risk_rows(o: RiskOutcome) -> str:
    title = f"{_e(o.risk.title)}: <i>{_e(o.risk.description)}</i>"
    be = o.breakeven
    back = "<br>".join(  # sponsors that guarantee something, or paid in this stress
        f"{_e(s.sponsor)}: {fmt_money(s.returned_on_balance_sheet)} of "
        f"{fmt_money(s.guarantee_caps)} caps"
        for s in o.sponsors
        if s.guarantee_caps > 0 or s.returned_on_balance_sheet > 0
    )
    cells = [
        _e(o.stress_description),
        fmt_ratio(o.min_dscr),
        fmt_pct(o.equity_irr, 1),
        f"{_e(be.description)} ({_e(be.tranche)}): <b>{_e(be.label)}</b>",
        back or "none (no sponsor guarantee)",
    ]
    row = "".join(f"<td>{c}</td>" for c in cells)
    return f'<tr class="risk"><td colspan="5">{title}</td></tr><tr>{row}</tr>'


def _loss_matrix(data: ReportData) -> str:
    """Loss per tranche (columns) under each stress (rows), then the Monte Carlo's causes."""
    names = list(data.result.tranches)
    rows = [
        [_e(o.risk.title)]
        + [
            f"{fmt_money(o.loss_by_tranche[n])} ({fmt_pct(o.loss_pct_by_tranche[n], 1)})"
            for n in names
        ]
        for o in data.risks
        if not o.not_applicable  # named above, with the reason
    ]
    return (
        "<h3>Loss per tranche under each stress: USD m (% of notional)</h3>"
        + table(["Stress", *names], rows)
        + _causes_beside_stresses(data)
    )


def _causes_beside_stresses(data: ReportData) -> str:
    """Each Monte Carlo cause once, with its share, beside the stresses that test it."""
    rec = data.reconciliation
    if rec is None:
        return ""
    rows = [
        [
            _e(c.cause),
            "; ".join(f"{_e(r)} {fmt_pct(loss, 1)}" for r, loss in c.stresses)
            or "none of the catalogue",
            fmt_pct(c.share, 1),
        ]
        for c in rec.causes
    ]
    if rows:
        total = sum(c.share for c in rec.causes)
        rows.append(["<b>Total</b>", "", f"<b>{fmt_pct(total, 1)}</b>"])
    head = [
        "Monte Carlo first cause",
        "Stresses that test it: debt written off (% of all debt)",
        f"Share of {rec.basis}",
    ]
    body = table(head, rows, numeric_from=2) if rows else ""
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in [rec.headline, *rec.notes])
    return (
        f"<h3>Beside the Monte Carlo: its {_e(rec.basis)} by first cause</h3>"
        '<p class="note">Each cause is counted once; a stress that tests several causes, or a '
        "cause tested by several stresses, is named on each of their rows with its own "
        "deterministic loss.</p>" + body + notes
    )


def risk_section(data: ReportData) -> str:
    head = "".join(
        f'<th width="{w}%">{h}</th>'
        for h, w in (
            ("Stress applied", 22),
            ("Min DSCR", 9),
            ("Equity IRR", 9),
            ("Break-even: most severe value with no loss", 40),
            ("Back on sponsor balance sheet (USD m)", 20),
        )
    )
    rows = "".join(_risk_rows(o) for o in data.risks if not o.not_applicable)
    return (
        "<h3>Risks: deterministic stress and break-even</h3>"
        '<p class="note">Each stress runs through the same waterfall as the base case, with the '
        "debt sized on the unstressed deal. The break-even is the most severe value of one driver "
        "that leaves the debt without loss (a hair more and it loses).</p>"
        f'<table class="grid" width="100%" cellspacing="0"><tr>{head}</tr>{rows}</table>'
        + _not_applicable(data)
        + _loss_matrix(data)
    )


def _not_applicable(data: ReportData) -> str:
    """The risks the deal cannot have, with what it lacks: named, not printed as zero-loss
    stresses."""
    absent = [o for o in data.risks if o.not_applicable]
    if not absent:
        return ""
    named = "; ".join(f"{_e(o.risk.title)} ({_e(o.not_applicable)})" for o in absent)
    return f"<p>Not applicable to this deal: {named}.</p>"


def montecarlo_section(data: ReportData, images: list[tuple[str, int, int]]) -> str:
    mc = data.montecarlo
    if mc is None:
        return "".join(f'<p class="note">{_e(n)}</p>' for n in data.notes)
    rows = [
        [
            _e(t["name"]),
            fmt_pct(t["probability_of_default"]),
            fmt_pct(t["expected_loss"]),
            fmt_money(t["expected_loss_usd_m"]),
            fmt_pct(t["loss_given_default"]),
            fmt_pct(t["probability_of_loss"]),
        ]
        for t in mc.tranches
    ]
    pct = ("p5", "p25", "p50", "p75", "p95")
    dist = [
        ["Minimum DSCR (periods with debt outstanding)"] + [fmt_ratio(mc.min_dscr[p]) for p in pct],
        ["Equity IRR"] + [fmt_pct(mc.equity_irr[p], 1) for p in pct],
    ]
    crypto = any(c["id"] == "crypto" and c["applicable"] for c in mc.attribution["causes"])
    breach = ", ".join(
        f"{_e(k.replace('_', ' '))} {fmt_pct(v)}"
        for k, v in mc.covenant_breach.items()
        if crypto or k not in ("margin_call", "crypto_sold")  # no crypto: nothing to call
    )
    return (
        "<h3>Monte Carlo: all risk drivers together</h3>"
        f'<p class="note">{mc.config.n_paths:,} paths, seed {mc.config.seed}; drivers and '
        "defaults as in docs/risk.md. Default: a write-off, a shortfall in any period, or "
        "acceleration while the tranche is outstanding.</p>"
        + table(["Tranche", "PD", "EL", "EL (USD m)", "LGD", "P(loss)"], rows)
        + "".join(
            f'<p class="note">LGD: {_e(x)}.</p>'
            for x in [recovery_basis(data.result.compiled.deal)]
            if x
        )
        + _causes_table(data)
        + "<br>"
        + table(["Distribution", *pct], dist)
        + f"<p>Probability over the life: {breach}.</p>"
        + _mc_charts(data, images)
    )


def _mc_charts(data: ReportData, images: list[tuple[str, int, int]]) -> str:
    """The fan and the loss histogram across the page, one under the other (at half size side
    by side their axes could not be read), the fan's flat-band note as text under it."""
    out = ""
    for name, w, h in images:
        out += f'<p><img src="{name}" width="{w}" height="{h}"></p>'
        if name == "img:fan" and data.fan_note:
            out += f'<p class="fan">{_e(data.fan_note)}</p>'
    return out


def _causes_table(data: ReportData) -> str:
    """What each tranche's defaults and losses came from (first cause): one row per cause
    that starts a default, one column per tranche (share of its defaults / of its EL), and
    the drivers the deal does not have."""
    att = data.montecarlo.attribution
    tranches = att["tranches"]
    found = [
        c
        for c in att["causes"]
        if any(t["causes"].get(c["id"], {}).get("share_of_defaults", 0) > 0 for t in tranches)
    ]

    def cell(t: dict, cid: str) -> str:
        v = t["causes"].get(cid)
        if v is None or not v["share_of_defaults"] > 0:
            return "-"
        return f"{fmt_pct(v['share_of_defaults'], 1)} / {fmt_pct(v['share_of_expected_loss'], 1)}"

    rows = [[_e(c["title"])] + [cell(t, c["id"]) for t in att["tranches"]] for c in found]
    absent = "; ".join(
        f"{_e(c['title'])} ({_e(c['reason'])})" for c in att["causes"] if not c["applicable"]
    )
    out = "<h3>What the Monte Carlo's defaults and losses come from</h3>"
    out += (
        '<p class="note">Each default goes to its first cause: the first lease or crypto event '
        "at or before it, else the largest cash gap against the deal's own path (rent, rates, "
        "collateral value); a loss to its default's cause (docs/risk.md).</p>"
    )
    if rows:
        names = [_e(t["name"]) for t in att["tranches"]]
        out += table(["First cause: share of defaults / share of EL", *names], rows)
    else:
        out += "<p>No tranche defaults on any path.</p>"
    if absent:
        out += f'<p class="note">Not applicable to this deal: {absent}.</p>'
    return out


def ratings_section(data: ReportData) -> str:
    """Implied rating of each tranche from the Monte Carlo, with its sampling band."""
    if not data.ratings:
        return ""
    rows = [
        [_e(r.tranche), fmt_years(r.wal_years), fmt_pct(r.expected_loss, 3),
         fmt_pct(r.probability_of_default), _e(r.describe())]
        for r in data.ratings
    ]  # fmt: skip
    return (
        "<h3>Implied ratings</h3>"
        '<p class="note">Expected loss against Moody\'s idealised cumulative expected-loss '
        "rates and default probability against the idealised default rates, at the tranche's "
        "WAL (resources/rating_tables.json); bands: the 95% sampling interval of the "
        "Monte Carlo above.</p>"
        + table(["Tranche", "WAL", "EL", "PD", "Implied rating"], rows, numeric_from=1)
    )


def tornado_section(data: ReportData) -> str:
    """Min DSCR, equity IRR and senior EL with each input moved down / up by its step."""
    t = data.tornado
    if t is None:
        return ""

    def cell(out: str, v: float) -> str:
        return fmt_ratio(v) if out == "min_dscr" else fmt_pct(v)

    outs = ("min_dscr", "equity_irr", "senior_el")
    rows = [
        [_e(f"{r.label} ({r.step})")]
        + [f"{cell(o, r.low[o])} / {cell(o, r.high[o])}" for o in outs]
        for r in t.ranked("min_dscr")
    ]
    base = ["Base case"] + [cell(o, t.base[o]) for o in outs]
    el = (f"senior EL: the base case is the Monte Carlo's above ({t.paths:,} paths, seed "
          f"{t.seed}), each move a run on the same paths and seed" if t.paths
          else "no Monte Carlo: senior EL not shown")  # fmt: skip
    return (
        "<h3>Sensitivity tornado</h3>"
        f'<p class="note">Each input moved down / up by its step, one at a time, the debt as '
        f"structured; widest min DSCR swing first; {el} (docs/structuring.md).</p>"
        + table(["Input (step)", "Min DSCR", "Equity IRR", "Senior EL"], [base, *rows])
        + (
            '<p class="note">Not applicable to this deal: '
            + _e("; ".join(f"{label} ({why})" for _, label, why in t.not_applicable))
            + ".</p>"
            if t.not_applicable
            else ""
        )
    )


def report_html(
    data: ReportData,
    diagram: tuple[str, int, int],
    base_charts: list[tuple[str, int, int]],
    mc_charts: list[tuple[str, int, int]],
    compact: bool = False,
) -> str:
    """The whole report; ``(name, width, height)`` name the images and their size on the page.
    ``compact``: smaller type, for deals whose tables would run past four pages; after page 1
    the sections then follow one another without page breaks (the Monte Carlo's charts keep
    the page's width: at half size their axes cannot be read)."""
    brk = '<div style="page-break-before: always"></div>'
    flow = "" if compact else brk  # a break after page 1 only, when compact
    css = CSS.replace("font-size: 8.5pt", "font-size: 7pt") if compact else CSS
    return (
        f"<html><head><style>{css}</style></head><body>"
        + header_section(data, diagram)
        + capital_section(data)
        + brk
        + metrics_section(data)
        + covenant_section(data)
        + charts_section(base_charts)
        + flow
        + risk_section(data)
        + (tornado_section(data) if data.montecarlo is None else "")
        + (flow if data.montecarlo is not None else "")
        + montecarlo_section(data, mc_charts)
        + ratings_section(data)
        + (tornado_section(data) if data.montecarlo is not None else "")
        + "</body></html>"
    )
