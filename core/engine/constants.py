"""Engine-wide numerical constants, declared once.

``EPS``: amounts (USD millions) at or below it count as zero in the waterfall: a balance,
a shortfall, a debt service or a collateral value. The compiled kernel gets it through the
rendered ``_context.pxi`` (core.engine.codegen), the NumPy reference and the Excel export
import it from here.

``TINY``: a denominator at or below it counts as zero (no debt for a cover ratio, no principal
for a WAL, no guarantee cap), and a backstop short of the rent owed by less is not exhausted.

Unit and calendar constants follow; the Excel export writes each as a named cell on its
``Parameters`` sheet, so no formula types a number.
"""

EPS = 1e-9  # USD millions: a thousandth of a dollar
TINY = 1e-12

HOURS_PER_YEAR = 8760.0  # GPU-hours and MWh a year
DAY_COUNT_BASE = 360.0  # days a year of the 30/360 and ACT/360 day counts
MONTHS_PER_YEAR = 12
PERIODS_PER_YEAR = {"monthly": 12, "quarterly": 4, "annual": 1}  # spv.period
USD_PER_MILLION = 1e6  # power (USD/MWh) and crypto (USD) prices -> USD millions
THOUSANDS_PER_MILLION = 1e3  # GPU unit cost (USD thousands) -> USD millions

IRR_LO, IRR_HI = -0.99, 10.0  # the periodic IRR is searched (bisection) in [IRR_LO, IRR_HI]
