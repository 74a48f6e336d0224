"""The waterfall's step order is one list (core.engine.steps.WATERFALL) that every
implementation follows."""

from __future__ import annotations

import re

import numpy as np

from core.engine import codegen, reference
from core.engine.kernel import run_waterfall
from core.engine.steps import NAMES, WATERFALL, active_mask
from tests.inputs_factory import random_inputs


def test_the_reference_has_one_function_per_step_in_order():
    assert tuple(reference.STEPS) == NAMES


def test_the_kernel_runs_the_steps_in_the_list_order():
    rendered = codegen.target("_run_path.pxi.tp").read_text()
    titles = re.findall(r"^        # (\d+)\. (.+)$", rendered, flags=re.M)
    assert [int(n) for n, _ in titles] == list(range(1, len(WATERFALL) + 1))
    assert [title for _, title in titles] == [s.title for s in WATERFALL]


def test_every_step_has_a_fragment_with_a_period_section():
    for step in WATERFALL:
        text = step.source.read_text()
        assert "# @period" in text, step.name
        assert text.startswith(f'# Step "{step.name}"') or step.name in text.splitlines()[0]


def test_a_deal_without_a_dsra_skips_that_step_and_gets_the_same_numbers():
    """The kernel skips the DSRA step when nothing can fill the reserve; the reference runs
    every step; both agree on random deals with and without a reserve."""
    dsra_bit = 1 << NAMES.index("dsra")
    seen = set()
    for seed in range(40):
        inp = random_inputs(np.random.default_rng(seed))
        if seed % 2:
            inp.dsra_initial = 0.0
            inp.dsra_target = np.zeros_like(inp.dsra_target)
        runs = bool(active_mask(inp) & dsra_bit)
        seen.add(runs)
        got, want = run_waterfall(inp), run_waterfall(inp, engine="reference")
        for name in ("distribution", "dsra_balance", "balance", "writeoff"):
            np.testing.assert_allclose(
                getattr(got, name), getattr(want, name), rtol=1e-9, atol=1e-9
            )
    assert seen == {True, False}
