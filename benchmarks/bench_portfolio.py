"""Portfolio benchmark: a book of 20 deals x 100,000 paths on one simulated world.

The book cycles the four sample deals and the Cipher-like SPV of the miners book (20
positions, each with its own id, so each draws its own events), with the named
counterparties and sectors of resources/portfolios/ai_book.json. Measures, in one process:

- wall time of the main run (``run_book``: world, each deal's staged pipeline, per-path
  results), chunks of ``--chunk`` paths; the converged-correlation run doubles it;
- peak resident memory of the process (``ru_maxrss``) and peak traced memory (tracemalloc,
  NumPy's allocations included) over the run; both are bounded by the chunk, not by the
  paths: what grows with paths is ~8 bytes x (deals + 2 x counterparties + ...) a path;
- the same at ``--paths / 10`` for comparison (time linear in paths, memory nearly flat).

Run: ``.venv/bin/python benchmarks/bench_portfolio.py [--paths 100000] [--deals 20]``
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.files.deal_json import load_deal  # noqa: E402
from core.files.portfolio_json import load_book  # noqa: E402
from core.portfolio.book import Position  # noqa: E402
from core.portfolio.run import plan  # noqa: E402
from core.portfolio.runner import PortfolioConfig, run_book  # noqa: E402
from core.portfolio.stats import summarise  # noqa: E402

FILES = (
    "resources/deals/hyperion_jv.json",
    "resources/deals/xai_gpu_spv.json",
    "resources/deals/terawulf_backstop.json",
    "resources/deals/coreweave_ddtl.json",
    "resources/portfolios/deals/cipher_backstop.json",
)


def book_of(n_deals: int):
    book = load_book(ROOT / "resources" / "portfolios" / "ai_book.json")
    book.aliases["Cipher Mining"] = "Cipher Mining"
    positions = []
    for i in range(n_deals):
        f = FILES[i % len(FILES)]
        deal = load_deal(ROOT / f)
        tranches = {t.id: 0.1 for t in deal.of_kind("tranche")}
        positions.append(Position(f"deal{i:02d}", f, deal, tranches))
    book.positions = positions
    return book


def measure(book, n_paths: int, chunk: int) -> dict:
    cfg = PortfolioConfig(n_paths=n_paths, seed=1, chunk_size=chunk)
    p = plan(book, cfg)
    tracemalloc.start()
    t0 = time.perf_counter()
    paths = run_book(p, cfg)
    secs = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    data = summarise(p, paths)
    return {"paths": n_paths, "seconds": secs, "traced_peak_mb": peak / 2**20,
            "kept_mb": sum(a.nbytes for a in (paths.deal_loss, paths.cp_loss, paths.cp_default,
                                               paths.guarantee_paid, paths.guarantee_deals,
                                               paths.stress_share)) / 2**20,
            "el": data["expected_loss"], "es99": data["es"]["99%"]}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--deals", type=int, default=20)
    ap.add_argument("--chunk", type=int, default=2048)
    args = ap.parse_args()
    book = book_of(args.deals)
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"book: {args.deals} deals, chunk {args.chunk:,}")
    for n in (args.paths // 10, args.paths):
        m = measure(book, n, args.chunk)
        print(
            f"{m['paths']:>9,} paths: {m['seconds']:7.1f} s "
            f"({m['seconds'] / (m['paths'] * args.deals) * 1e6:.1f} us per deal-path), "
            f"peak traced {m['traced_peak_mb']:.0f} MB, per-path results kept "
            f"{m['kept_mb']:.1f} MB; EL {m['el']:,.1f}, ES 99% {m['es99']:,.1f}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
