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
    interest-only period to its maturity, where what is left falls due)."""
    cdef Py_ssize_t T = c.T, u, last, n
    cdef Py_ssize_t mat = c.draw_maturity[k * T + s]
    cdef Py_ssize_t start = s + c.draw_io[k]
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


include "_run_path.pxi"  # rendered from core.engine.steps.WATERFALL

from core.engine.steps import NAMES as _STEP_NAMES

_DRAWS_BIT = 1 << _STEP_NAMES.index("draws")
_DRAW_OUTPUTS = ("drawn", "undrawn", "commitment_fee")  # what the skipped draws step leaves


cdef Py_ssize_t scratch_doubles(Py_ssize_t K, Py_ssize_t T, Py_ssize_t G) noexcept nogil:
    """Per-thread scratch of ``run_path``, rows padded to a cache line (no false sharing)."""
    cdef Py_ssize_t W = 10 * K + 2 * T + G + K * T
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
