# Step "dsra": the debt service reserve is topped up to its target, or any excess released.
# @declare
cdef double target, top, excess
# @period
target = c.dsra_target[t] if (_npsum(bal, K) > EPS and not release) else 0.0
top = _min(cash, target - dsra) if dsra < target else 0.0
cash -= top
dsra += top
excess = _max0(dsra - target)
dsra -= excess
cash += excess
