"""The engine's per-path work in one process, for instruction counts under callgrind:

    valgrind --tool=callgrind --toggle-collect='*run_path*' \
        python benchmarks/callgrind_paths.py steps
    valgrind --tool=callgrind --toggle-collect='*_one_path*' \
        python benchmarks/callgrind_paths.py mc

``steps``: bench_steps' simplest deal, 2,000 paths through ``run_waterfall`` on one thread;
``mc``: one chunk of 400 paths of bench_montecarlo's deal through the fused kernel, one thread.
Instruction counts do not depend on the machine's load, as wall-clock times do.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_montecarlo import bench_deal  # noqa: E402
from benchmarks.bench_steps import simple_deal  # noqa: E402
from core.engine.arrays import EngineOutputs  # noqa: E402
from core.engine.compile import compile_deal  # noqa: E402
from core.engine.kernel import run_waterfall  # noqa: E402
from core.risk.montecarlo import MonteCarloConfig, path_model, run_chunk  # noqa: E402


def main(what: str) -> None:
    if what == "mc":
        deal = bench_deal()
        sized = compile_deal(deal)
        cfg = MonteCarloConfig(n_paths=400, seed=1, chunk_size=400, n_threads=1)
        run_chunk(deal, sized, cfg, 0, model=path_model(sized, cfg.model))
    else:
        out = EngineOutputs.empty(2000, 4, 120)
        run_waterfall(simple_deal(2000), n_threads=1, out=out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "steps")
