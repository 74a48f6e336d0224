"""The deal's period grid: dates, period lengths and day-count fractions."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from core.engine.constants import DAY_COUNT_BASE, MONTHS_PER_YEAR, PERIODS_PER_YEAR


def round_half_up(x: float) -> int:
    """``x`` to the nearest whole number, halves away from zero for x >= 0 (Excel's ROUND, which
    the exported workbook uses; Python's ``round`` would send 2.5 to 2)."""
    return int(math.floor(x + 0.5))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's last day (EDATE semantics)."""
    y, m = divmod(day.month - 1 + months, MONTHS_PER_YEAR)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Timeline:
    closing: dt.date
    periods_per_year: int
    n_periods: int

    @property
    def months_per_period(self) -> int:
        return MONTHS_PER_YEAR // self.periods_per_year

    @property
    def period_name(self) -> str:
        """``monthly``, ``quarterly`` or ``annual`` (the SPV's ``period``)."""
        return {v: k for k, v in PERIODS_PER_YEAR.items()}[self.periods_per_year]

    def start(self, t: int) -> dt.date:
        return add_months(self.closing, t * self.months_per_period)

    def end(self, t: int) -> dt.date:
        return self.start(t + 1)

    @property
    def end_dates(self) -> list[dt.date]:
        return [self.end(t) for t in range(self.n_periods)]

    @property
    def years_end(self) -> np.ndarray:
        """Years from closing to the end of each period."""
        return (np.arange(self.n_periods) + 1.0) / self.periods_per_year

    @property
    def years_start(self) -> np.ndarray:
        return np.arange(self.n_periods, dtype=float) / self.periods_per_year

    def period_of_month(self, month: float) -> int:
        """Index of the period in which month ``month`` after closing begins."""
        return int(month // self.months_per_period)

    def periods(self, years: float) -> int:
        """Whole number of periods in ``years``, rounded half up (7.5 years in annual periods
        is 8): Excel's ``ROUND(years * periods a year, 0)``."""
        return round_half_up(years * self.periods_per_year)

    def year_fraction(self, day_count: str) -> np.ndarray:
        """Accrual fraction of each period: 30/360 on whole months, or actual days / 360."""
        if day_count == "30/360":
            return np.full(self.n_periods, self.months_per_period / MONTHS_PER_YEAR)
        if day_count == "ACT/360":
            return np.array(
                [(self.end(t) - self.start(t)).days / DAY_COUNT_BASE for t in range(self.n_periods)]
            )
        raise ValueError(f"unknown day count {day_count!r}")


def timeline_for(closing_date: str, period: str, horizon_years: float) -> Timeline:
    ppy = PERIODS_PER_YEAR[period]
    n = max(1, round_half_up(horizon_years * ppy))
    return Timeline(dt.date.fromisoformat(closing_date), ppy, n)
