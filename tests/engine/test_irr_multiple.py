"""IRR of flows that change sign more than once (an investment, distributions, then
injections), and the reason shown where there is no IRR."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.metrics import irr, irr_note


def _npv(cf: list[float], r: float) -> float:
    return sum(c / (1.0 + r) ** n for n, c in enumerate(cf))


def _bisect(cf: list[float], lo: float, hi: float) -> float:
    """An independent bisection on a bracket chosen by hand."""
    f_lo = _npv(cf, lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        f_mid = _npv(cf, mid)
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def test_the_highest_root_of_an_invest_distribute_inject_flow():
    """-100, +60, +60, -30: the NPV is -10 at 0%, +6.6 at -16.7% (v = 1.2) and falls back to
    -30e6 near -99%: two IRRs; the ends of the search [-99%, +1000%] are both negative, which
    gave NaN. The highest root lies in (-16.7%, 0%), where Excel's IRR lands from a guess."""
    cf = [-100.0, 60.0, 60.0, -30.0]
    assert _npv(cf, 0.0) < 0 < _npv(cf, 1 / 1.2 - 1) and _npv(cf, -0.99) < 0
    expected = _bisect(cf, 1 / 1.2 - 1, 0.0)
    got = irr(np.array([cf]))[0]
    assert got == pytest.approx(expected, abs=1e-12)
    assert -0.167 < got < 0.0
    assert irr_note(np.array(cf)) == ""


def test_a_single_sign_change_is_unchanged():
    cf = [-100.0, 30.0, 40.0, 50.0]
    assert irr(np.array([cf]))[0] == pytest.approx(_bisect(cf, 0.0, 0.5), abs=1e-12)


@pytest.mark.parametrize(
    ("cf", "why"),
    [
        ([-100.0, 0.0, 0.0], "gets nothing back"),
        ([-100.0, -5.0, 0.0], "gets nothing back"),
        ([0.0, 10.0, 10.0], "nothing is invested"),
        ([-100.0, 10.0, -100.0], "no rate between -99% and 1000%"),
    ],
)
def test_no_irr_says_why(cf, why):
    assert np.isnan(irr(np.array([cf]))[0])
    assert why in irr_note(np.array(cf))
