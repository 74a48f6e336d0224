# cython: language_level=3
"""Compiled waterfall kernel: ``core.engine.reference`` step for step, one path at a time.

``waterfall(inputs, outputs)`` takes an ``EngineInputs`` and an ``EngineOutputs`` of
preallocated arrays (every element is overwritten) and runs the paths in parallel with OpenMP
(``prange``, static schedule). Use it through :func:`core.engine.kernel.run_waterfall`, which
allocates. Its plumbing (``_context.pxi``) and ``run_path`` (``_run_path.pxi``, from the step
list core.engine.steps.WATERFALL and the steps' fragments in core/engine/steps/) are rendered
by core.engine.codegen.

Rules that keep the kernel in step with the reference (tests check 1e-9 relative agreement):

* the per-period steps follow the same list, and every float expression is written in the
  reference's order;
* sums over tranches and over the DSCR window use ``_npsum``, which reproduces NumPy's
  summation order (sequential below 8 terms, 8 partial sums and a pairwise tree above);
* a per-path input with first dimension 1 is shared by all paths (row stride 0);
* per-path state lives in a per-thread scratch row, so the parallel section holds no Python
  objects and allocates nothing.

Compiler directives (boundscheck, wraparound, cdivision) are set once in ``setup.py``; the
inner functions only touch raw pointers derived from validated memoryviews.
"""

cimport cython
from cython.parallel cimport prange, threadid
from libc.math cimport NAN, expm1, log1p
from libc.stdlib cimport free, malloc

include "_npsum.pxi"
include "_context.pxi"  # rendered: ABI_VERSION, EPS, context_from, outputs_from, scratch layout


@cython.cdivision(True)
cdef double _prepay(const Ctx* c, double amount, double* bal, double* ppaid) noexcept nogil:
    """Repay debt in order of seniority (pro rata within a rank); returns what is unused."""
    cdef Py_ssize_t g, k, s, e
    cdef double gb, pay, frac, paid
    for g in range(c.G):
        s = c.group_start[g]
        e = c.group_start[g + 1]
        gb = _npsum(bal + s, e - s)
        pay = _min(amount, gb)
        frac = pay / gb if gb > EPS else 0.0
        for k in range(s, e):
            paid = bal[k] * frac
            bal[k] -= paid
            ppaid[k] += paid
        amount -= pay
    return amount


@cython.cdivision(True)
cdef void _add_draw_schedule(const Ctx* c, Py_ssize_t k, Py_ssize_t s, double amount,
                             double* sched_w) noexcept nogil:
    """Add the own schedule of a draw of ``amount`` made by tranche ``k`` at the start of
    period ``s`` to its row of ``sched_w``: core.engine.draws.add_draw_schedule, operation by
    operation (bullet at the draw's maturity; annuity or straight line from the end of its
    interest-only period, not before ``draw_first``, to its maturity, where what is left falls
    due)."""
    cdef Py_ssize_t T = c.T, u, last, n
    cdef Py_ssize_t mat = c.draw_maturity[k * T + s]
    cdef Py_ssize_t start = s + c.draw_io[k]
    if start < c.draw_first[k]:  # a construction: no draw amortises before completion
        start = c.draw_first[k]
    cdef int amort = c.draw_amort[k]
    cdef double r, pmt, left, p
    last = mat if mat < T - 1 else T - 1
    n = mat - start + 1
    if amort == 1 or n <= 0:
        if mat <= T - 1:
            sched_w[k * T + mat] += amount
        return
    r = c.draw_rate[k * T + s]
    if amort == 3 or r == 0.0:
        pmt = amount / n
    else:
        pmt = amount * r / -expm1(-n * log1p(r))
    left = amount
    for u in range(start, last + 1):
        if u == mat:
            p = left
        elif amort == 3:
            p = _min(pmt, left)
        else:
            p = _min(pmt - left * r, left)
        sched_w[k * T + u] += p
        left -= p
cdef inline Py_ssize_t _capex_end(const double* capex, Py_ssize_t T) noexcept nogil:
    """One after the last period with capex (0: none)."""
    while T > 0 and capex[T - 1] == 0.0:
        T -= 1
    return T


cdef inline bint _any_on(const int* a, Py_ssize_t n) noexcept nogil:
    """Whether any of ``a[0:n]`` is non-zero (a deal with refinancing terms)."""
    cdef Py_ssize_t i
    for i in range(n):
        if a[i]:
            return True
    return False


@cython.cdivision(True)
cdef inline double _refi_size(const Ctx* c, Py_ssize_t k, Py_ssize_t t, double due,
                              double rev_t, double value, double cut,
                              double rate) noexcept nogil:
    """What tranche ``k``'s refinancing raises at its maturity ``t`` (docs/engine.md,
    "Refinancing"): nothing when the market is shut (``cut`` >= 1); else the balance ``due``
    capped by the advance test (min(advance, 1 - cut) x the collateral's market value
    ``value``) and the DSCR test (the least, over the new tranche's periods, of CFADS / (DSCR x
    its debt service per unit), at ``rate``, on the base case's contracted CFADS scaled by the
    path's revenue ``rev_t`` in the maturity period against the base case's: the lender sees
    the contract as it stands at maturity, not the path's future)."""
    cdef Py_ssize_t T = c.T, u, end
    cdef double cap = due, out = 1.0, cf, ds, scale = 1.0
    if cut >= 1.0:
        return 0.0
    if c.refi_advance[k] > 0.0:
        cap = _min(cap, _min(c.refi_advance[k], 1.0 - cut) * value)
    if c.refi_dscr[k] > 0.0:
        if c.refi_revenue[t] > EPS:
            scale = rev_t / c.refi_revenue[t]
        end = c.refi_maturity[k] if c.refi_maturity[k] < T else T - 1
        for u in range(t + 1, end + 1):
            cf = c.refi_cfads[u] * scale
            ds = out * rate * c.year_fraction[k * T + u] + c.refi_schedule[k * T + u]
            if ds > EPS:
                cap = _min(cap, _max0(cf) / (c.refi_dscr[k] * ds))
            out = out - c.refi_schedule[k * T + u]
    return _max0(cap)


include "_run_path.pxi"  # rendered from core.engine.steps.WATERFALL

from core.engine.steps import NAMES as _STEP_NAMES

_DRAWS_BIT = 1 << _STEP_NAMES.index("draws")
_DRAW_OUTPUTS = ("drawn", "undrawn", "commitment_fee")  # what the skipped draws step leaves


cdef Py_ssize_t scratch_doubles(Py_ssize_t K, Py_ssize_t T, Py_ssize_t G) noexcept nogil:
    """Per-thread scratch of ``run_path``, rows padded to a cache line (no false sharing)."""
    cdef Py_ssize_t W = 12 * K + 2 * T + G + K * T
    return (W + 7) // 8 * 8 + 8


def waterfall(object inputs, object outputs, int n_threads=1):
    """Run the waterfall for every path of ``inputs`` into ``outputs``.

    ``inputs`` is an ``EngineInputs`` (arrays converted here to C-contiguous float64 / int32
    as declared in core.engine.arrays); ``outputs`` an ``EngineOutputs`` of preallocated,
    writeable C-contiguous arrays (every element is overwritten); the number of paths is the
    number of rows of its outputs. Shapes are checked here; ``ValueError`` names the
    offending array.
    """
    cdef Ctx c
    cdef list keep = []
    cdef Py_ssize_t P = outputs_paths(outputs), p, W
    cdef int nt = n_threads, tid
    cdef double* scratch

    context_from(&c, inputs, keep, P)
    outputs_from(&c, outputs, P)
    if not c.steps & _DRAWS_BIT:  # no delayed draws: their outputs are zero, set once here
        for name in _DRAW_OUTPUTS:
            getattr(outputs, name)[...] = 0.0
    if nt < 1:
        raise ValueError(f"n_threads must be at least 1, got {nt}")
    if P == 0 or c.T == 0:
        return

    # ---- per-thread scratch
    W = c.W
    if nt > P:
        nt = <int>P
    scratch = <double*> malloc(nt * W * sizeof(double))
    if scratch == NULL:
        raise MemoryError("waterfall: cannot allocate the per-thread scratch")
    try:
        if nt == 1:
            with nogil:
                for p in range(P):
                    run_path(&c, p, scratch)
        else:
            for p in prange(P, nogil=True, schedule="static", num_threads=nt):
                tid = threadid()
                run_path(&c, p, scratch + tid * W)
    finally:
        free(scratch)
