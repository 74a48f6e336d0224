"""Engine-wide numerical constants, declared once.

``EPS``: amounts (USD millions) at or below it count as zero in the waterfall: a balance,
a shortfall, a debt service or a collateral value. The compiled kernel gets it through the
rendered ``_context.pxi`` (core.engine.codegen), the NumPy reference and the Excel export
import it from here.
"""

EPS = 1e-9
