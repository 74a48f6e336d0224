# Step "proceeds": sale, liquidation and crypto proceeds prepay debt in order of seniority.
# @declare
cdef double mandatory
# @period
mandatory = _min(cash, sale)
if mandatory != 0.0:
    cash = cash - mandatory + _prepay(c, mandatory, bal, ppaid)
