"""CI's small run of the command fuzzer (tests/fuzz_commands.py): random mutations of the
sample deals through every command, in this process; none may break the promise "exit 0, or
exit 2 with one message; nothing written on refusal; no traceback, hang or temporary file".
``CAPSTACK_FUZZ_N`` sets the rounds (default 24, about 30 s); ``python -m
tests.fuzz_commands -n 500`` is the long run."""

from __future__ import annotations

import os

from tests.fuzz_commands import OUTCOMES, fuzz


def test_fuzzed_commands_keep_the_promise() -> None:
    n = int(os.environ.get("CAPSTACK_FUZZ_N", "24"))
    report = fuzz(n, seed=16, paths=100, timeout=300)
    assert report.broken == 0, "\n".join([report.table(), *report.failures[:10]])
    assert sum(c["ok"] for c in report.counts.values()) > 0  # not everything refused
    assert set(report.counts) >= {"run", "stress", "montecarlo", "export", "import", "report"}
    assert all(set(c) <= set(OUTCOMES) for c in report.counts.values())
