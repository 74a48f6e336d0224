"""``python main.py portfolio BOOK.json --paths N --seed S``: every deal of a book on the same
simulated world (common market factors, one default time per counterparty): the book's loss
distribution (EL, VaR and ES at 99% and 99.9%), each deal's and counterparty's contribution,
guarantor concentration, sponsors' look-through leverage, the holdcos, and the loss quantiles
with correlations converged (regime forced to stress). docs/portfolio.md.

``--json`` prints one JSON object (byte-identical for the same seed); ``--scheduler ADDRESS``
(or $CAPSTACK_DASK_SCHEDULER; ``local`` for a LocalCluster) runs the chunks on Dask with the
same result; ``--report OUT.pdf`` also prints the portfolio risk summary (no display needed).
"""

from __future__ import annotations

import argparse
import json
import sys

from cli.cmd_montecarlo import ProgressBar, load_model
from cli.formatting import fmt


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "portfolio",
        help="a book of deals on one simulated world: loss distribution, VaR/ES, "
        "contributions, counterparty concentration",
    )
    p.add_argument("book", help="portfolio file (JSON, docs/portfolio.md)")
    p.add_argument("--paths", type=int, default=10_000, help="number of paths (default 10,000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--chunk", type=int, default=2048, help="paths per chunk (default 2,048)")
    p.add_argument("--threads", type=int, default=None, help="kernel threads (default: all)")
    p.add_argument("--model", default=None, help="market-model parameters FILE.json")
    p.add_argument(
        "--no-converged",
        action="store_true",
        help="skip the second run with the regime forced to stress",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address (tcp://host:8786), or 'local' for a LocalCluster; "
        "default $CAPSTACK_DASK_SCHEDULER, else this process",
    )
    p.add_argument(
        "--report", metavar="OUT.pdf", default=None, help="also print the portfolio risk summary"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from core.files.portfolio_json import dumps_book, load_book, loads_book
    from core.limits import check_paths, check_portfolio_size
    from core.portfolio.run import PortfolioConfig, run_portfolio, run_portfolio_distributed
    from core.risk.distributed import scheduler_address

    check_paths(args.paths)
    if args.report is not None:
        from core.files.atomic import refuse_same_file

        if not args.report.lower().endswith(".pdf"):
            print(f"error: --report must end in .pdf, got {args.report!r}", file=sys.stderr)
            return 2
        refuse_same_file(args.report, args.book)
    book = load_book(args.book)
    check_portfolio_size(args.paths, len(book.positions) + len(book.holdcos))
    config = PortfolioConfig(
        n_paths=args.paths, seed=args.seed, chunk_size=args.chunk,
        model=load_model(args.model), n_threads=args.threads,
    )  # fmt: skip
    config.validate()
    bar = None if args.quiet else ProgressBar(sys.stderr)
    converged = not args.no_converged
    address = scheduler_address(args.scheduler)
    if address is None:
        result = run_portfolio(book, config, converged, progress=bar)
    else:
        result = run_portfolio_distributed(
            book, config, dumps_book, loads_book, converged,
            scheduler=None if address == "local" else address, progress=bar,
        )  # fmt: skip
    if args.report is not None:
        from cli.cmd_report import _application

        app = _application()
        from gui.report.document import ReportError
        from gui.report.portfolio_page import write_portfolio_report

        try:
            pages = write_portfolio_report(result, args.report, args.book)
        except ReportError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        finally:
            del app
        print(f"Wrote {args.report}: {pages} pages", file=sys.stderr)
    if args.json:
        sys.stdout.write(result.to_json() + "\n")
    else:
        print(to_text(json.loads(result.to_json())))
    return 0


def to_text(d: dict) -> str:
    m = lambda v: "n/a" if v is None else f"{v:,.1f}"  # noqa: E731
    lines = [
        d["book"],
        "=" * len(d["book"]),
        f"{d['paths']:,} paths, seed {d['seed']}; exposure held {m(d['exposure'])} (USD m)",
        "",
        f"  expected loss {m(d['expected_loss'])}   P(loss) {fmt(d['probability_of_loss'], 'pct')}",
    ]
    for lv in d["var"]:
        lines.append(f"  {lv:>6}  VaR {m(d['var'][lv]):>10}   ES {m(d['es'][lv]):>10}")
    div = d["diversification"]
    lines.append(
        "  diversification benefit (1 - ES / sum of standalone ES): "
        + ", ".join(f"{k} {fmt(v, 'pct')}" for k, v in div["benefit"].items())
    )
    if "converged" in d:
        c = d["converged"]
        lines += ["", "  correlations converged (regime forced to stress):"]
        lines.append(f"    expected loss {m(c['expected_loss'])}")
        for lv in c["var"]:
            lines.append(f"    {lv:>6}  VaR {m(c['var'][lv]):>10}   ES {m(c['es'][lv]):>10}")
        lines.append(
            "    diversification benefit left: "
            + ", ".join(f"{k} {fmt(v, 'pct')}" for k, v in c["benefit"].items())
        )
    lines += ["", f"  {'deal':<22}{'exposure':>10}{'EL':>10}{'ES 99%':>10}{'ES 99.9%':>10}"]
    for r in d["deals"]:
        es = r["es_contribution"]
        lines.append(
            f"  {r['id'][:22]:<22}{m(r['exposure']):>10}{m(r['expected_loss']):>10}"
            f"{m(es['99%']):>10}{m(es['99.9%']):>10}"
            + (f"   holdco PD {fmt(r['probability_of_default'], 'pct')}" if r.get("holdco") else "")
        )
    lines += [
        "",
        f"  {'counterparty':<30}{'PD':>8}{'EL':>9}{'ES 99%':>9}{'caps':>9}{'E[paid]':>9}"
        f"{'P(called)':>10}{'P(2+ deals)':>12}",
    ]
    for c in d["counterparties"]:
        if "annual_pd" not in c:
            lines.append(
                f"  {c['name'][:30]:<30}{'':>8}{m(c['expected_loss']):>9}"
                f"{m(c['es_contribution']['99%']):>9}"
            )
            continue
        lines.append(
            f"  {c['name'][:30]:<30}{fmt(c['probability_of_default'], 'pct'):>8}"
            f"{m(c['expected_loss']):>9}{m(c['es_contribution']['99%']):>9}"
            f"{m(c['guarantee_caps']):>9}{m(c['expected_guarantee_paid']):>9}"
            f"{fmt(c['probability_guarantee_called'], 'pct'):>10}"
            f"{fmt(c['probability_called_in_two_or_more_deals'], 'pct'):>12}"
        )
    lines += [
        "",
        f"  {'look-through by sponsor':<30}{'on B/S':>10}{'off B/S':>10}{'ratio':>8}  SPVs",
    ]
    for a in d["look_through"]:
        ratio = "n/a" if a["ratio"] is None else f"{a['ratio']:.1f}x"
        lines.append(
            f"  {a['sponsor'][:30]:<30}{m(a['on_balance_sheet']):>10}"
            f"{m(a['off_balance_sheet']):>10}{ratio:>8}  {', '.join(a['spvs'])}"
        )
    for w in d["warnings"]:
        lines.append(f"  warning: {w}")
    return "\n".join(lines)
