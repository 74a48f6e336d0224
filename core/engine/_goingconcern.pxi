# The going-concern (income) value of the SPV's leased assets on one path: included by
# _pathcompile.pxi, which calls these only when the plan's ``gc_on`` is set (the SPV's
# going_concern_yield > 0). The NumPy specification, with the definition, is
# core/engine/going_concern.py; every float expression here follows it operation by operation.


cdef inline double _billed_ratio(const Plan* q, Py_ssize_t l, double u) noexcept nogil:
    """A GPU-hour lease's billed share of GPU-hours with utilisation scaled by ``u``, relative
    to its own (leases.billed_ratio; needs ``billed0 > 0``)."""
    return _cmax(_cmin(q.util0[l] * u, 1.0), q.top[l]) / q.billed0[l]


cdef inline void _gc_lease(
    const Plan* q, Py_ssize_t l, const double* rent_s, const double* util, Py_ssize_t start,
    Py_ssize_t stop, double* gcr, double* gce,
) noexcept nogil:
    """going_concern.lease_rent_pv: add lease ``l``'s going-concern rent to ``gcr`` at each
    period ``t`` in [start, stop) (it performs): the PV of its contracted rent ``rent_s``
    (before billing) from t + 1 to the end of the term in force at t, at its billing as it
    stands at t; ``gce[t]``: the latest such end of a performing lease (0: none)."""
    cdef Py_ssize_t T = q.T, S = q.S, t, j = q.n_ends[l] - 1, e
    cdef double a = 0.0, v1 = q.gc_v[1], pv
    for t in range(T - 1, -1, -1):
        while j > 0 and q.ends[l * S + j - 1] > t:
            j -= 1
        e = q.ends[l * S + j]  # the term in force at t ends here (first end after t)
        if t == T - 1 or t + 1 == e:
            a = 0.0
        else:
            a = v1 * (rent_s[t + 1] + a)
        if t >= start and t < stop:
            pv = a
            if q.gpu_hour[l] and q.billed0[l] > 0:
                pv = pv * _billed_ratio(q, l, util[t])
            if q.has_ramp and q.ramps[l]:
                pv = pv * q.ramp[t]
            gcr[t] = gcr[t] + pv
            if e > gce[t]:
                gce[t] = e


cdef inline void _gc_value(
    const Plan* q, const double* sale_value, double* gcr, double* gce,
) noexcept nogil:
    """going_concern.going_concern_value, in place: ``gcr[t]`` becomes GC(t) (0 where no lease
    performs) and ``gce[t]`` 1 where one performs, 0 elsewhere."""
    cdef Py_ssize_t T = q.T, t, E, Ee
    cdef double costs
    for t in range(T):
        if gce[t] > t:
            E = <Py_ssize_t>gce[t]
            if E < T:
                costs = q.gc_opex[t] - q.gc_v[E - t] * (q.opex[E] + q.gc_opex[E])
            else:
                costs = q.gc_opex[t]
            Ee = E if E < T - 1 else T - 1
            gcr[t] = (gcr[t] - costs) + sale_value[Ee] * q.gc_v[Ee - t]
            gce[t] = 1.0
        else:
            gcr[t] = 0.0
            gce[t] = 0.0
