"""One run of a benchmark deal, to count the kernel's instructions under callgrind (wall-clock
timings are noise on a loaded machine; instruction counts are not).

    valgrind --tool=callgrind --toggle-collect='*run_path*' \\
        python benchmarks/bench_instructions.py steps     # bench_steps.simple_deal(200)
    valgrind --tool=callgrind --toggle-collect='*_one_path*' \\
        python benchmarks/bench_instructions.py mc        # bench_montecarlo.bench_deal(), 400 paths

Divide callgrind's "Collected" count by the paths (200, 400) for instructions a path.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]


def main() -> int:
    which = sys.argv[1] if len(sys.argv) > 1 else "steps"
    if which == "steps":
        import bench_steps

        from core.engine import _waterfall
        from core.engine.arrays import EngineOutputs

        _waterfall.waterfall(bench_steps.simple_deal(200), EngineOutputs.empty(200, 4, 120), 1)
    elif which == "mc":
        import bench_montecarlo

        from core.risk.montecarlo import MonteCarloConfig, run_montecarlo

        cfg = MonteCarloConfig(n_paths=400, seed=1, chunk_size=400, n_threads=1)
        run_montecarlo(bench_montecarlo.bench_deal(), cfg)
    else:
        print("usage: bench_instructions.py steps|mc", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
