"""Annual default probability by credit rating, for the tenant-default hazard.

The table is a long-run average one-year corporate default rate by rating, in the style of the
rating agencies' annual default studies (S&P Global / Moody's, 1981-2024 averages, rounded;
treat as defaults a user can change, not as facts). ``NR`` (not rated) is treated as a single-B
credit. A constant hazard ``lambda = -ln(1 - PD)`` gives an exponential default time with
``P(default within t years) = 1 - (1 - PD)^t``.
"""

from __future__ import annotations

import math

from core.risk.errors import RiskInputError

ANNUAL_PD: dict[str, float] = {
    "AAA": 0.0001,
    "AA+": 0.0002,
    "AA": 0.0002,
    "AA-": 0.0003,
    "A+": 0.0005,
    "A": 0.0006,
    "A-": 0.0007,
    "BBB+": 0.0010,
    "BBB": 0.0015,
    "BBB-": 0.0025,
    "BB+": 0.0035,
    "BB": 0.0055,
    "BB-": 0.0100,
    "B+": 0.0200,
    "B": 0.0350,
    "B-": 0.0600,
    "CCC": 0.2500,
    "NR": 0.0350,
}


def annual_pd(rating: str) -> float:
    """One-year default probability for ``rating``; a clear error for an unknown rating."""
    try:
        return ANNUAL_PD[rating]
    except KeyError:
        raise RiskInputError(f"rating {rating!r} has no default probability; expected one of "
                        f"{', '.join(ANNUAL_PD)}") from None  # fmt: skip


def hazard(rating: str) -> float:
    """Constant annual default intensity matching the one-year probability."""
    return -math.log(1.0 - annual_pd(rating))


def survival(rating: str, years: float) -> float:
    """Probability of no default within ``years``."""
    return math.exp(-hazard(rating) * years)


#: investment grade: BBB- or better (the agencies' convention); NR is not
INVESTMENT_GRADE = frozenset(list(ANNUAL_PD)[: list(ANNUAL_PD).index("BBB-") + 1])


def is_investment_grade(rating: str) -> bool:
    """True for BBB- or better; a clear error for an unknown rating."""
    annual_pd(rating)
    return rating in INVESTMENT_GRADE
