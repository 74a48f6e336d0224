# cython: language_level=3
"""The engine's production per-path compile, callable from Python (built by setup.py).

``compile_paths`` runs ``_pathcompile.pxi`` (the code the Monte Carlo kernel runs for each
of its paths) over P paths of given drivers and returns the kernel's input rows and what
each lease and guarantee paid. ``core.engine.compile.compile_deal`` calls it with the deal's
own path (every factor 1, no residual haircut, the deal's own lease dates);
core/engine/reference_compile.py is its NumPy specification.
"""

cimport cython
from libc.math cimport ceil, floor

import numpy as np

include "_npsum.pxi"
include "_pathcompile.pxi"

#: the kernel input rows compile_paths returns, in core.engine.arrays' order
ROWS = ("revenue", "opex", "fees", "proceeds", "asset_value", "liquidation_value",
        "crypto_value")


def _rows(a, str name, Py_ssize_t P, Py_ssize_t T):
    """A driver as a C-contiguous float64 (P, T) array (broadcast from (1, T) or (T,))."""
    v = np.asarray(a, dtype=np.float64)
    try:
        return np.ascontiguousarray(np.broadcast_to(v, (P, T)))
    except ValueError:
        raise ValueError(f"{name} has shape {v.shape}; expected ({P}, {T}) or ({T},)") from None


def compile_paths(dict plan, rent, util, value, btc, residual, leases=None) -> dict:
    """Kernel input rows and payments of P paths (``P = len(residual)``).

    ``rent``, ``util``, ``value``, ``btc``: (P, T) factors of the market rent, utilisation,
    GPU market value and crypto price paths (a (T,) or (1, T) row is shared by every path);
    ``residual``: (P,) standard normals of the residual sale haircut (times the plan's
    ``residual_sd``); ``leases``: None for the deal's own lease dates (or the plan's drawn
    events, which need the Monte Carlo kernel) or (P, L, 3) integers: renewals exercised,
    termination period and tenant default period of each lease (T or more: none).

    Returns ``ROWS`` as (P, T) arrays and ``rvg_paid`` / ``backstop_paid`` (P,) (summed over
    guarantees), ``lease_revenue`` / ``lease_backstop`` (P, L, T), ``lease_end`` (P, L),
    ``lease_defaulted`` (P, L) bool, ``guarantee_paid`` (P, NG), ``sale_period`` (P,) and
    ``event_at`` (P, 6): the first tenant default, termination, non-renewal, walk-away and
    guarantor default that cut a lease's rent, and a late completion's planned completion
    (core.risk.causes.EVENTS; T: none); ``going_concern`` (P, T): the going-concern value
    where a lease performs (0 elsewhere and with the term off; core.engine.going_concern)
    and ``gc_basis`` (P, T) uint8, the values it sets (going_concern.COLLATERAL, LIQUIDATION).
    """
    cdef Plan q
    cdef list keep = []
    fill_plan(&q, plan, keep)
    if q.lease_events and leases is None:
        raise ValueError("a plan with drawn lease events compiles in the Monte Carlo kernel")
    cdef Py_ssize_t T = q.T, L = q.L, NG = q.NG, P, p
    cdef const double[::1] z = np.ascontiguousarray(residual, dtype=np.float64).reshape(-1)
    P = z.shape[0]
    cdef const double[:, ::1] r = _rows(rent, "rent", P, T)
    cdef const double[:, ::1] u = _rows(util, "util", P, T)
    cdef const double[:, ::1] v = _rows(value, "value", P, T)
    cdef const double[:, ::1] b = _rows(btc, "btc", P, T)
    cdef const int[:, :, ::1] ev
    cdef const int* ev0 = NULL
    cdef const int* evp = NULL
    if P == 0 or T == 0:
        raise ValueError("compile_paths needs at least one path and one period")
    if leases is not None:
        ev = np.ascontiguousarray(leases, dtype=np.int32)
        if ev.shape[0] != P or ev.shape[1] != L or ev.shape[2] != 3:
            raise ValueError(f"leases has shape {tuple(ev.shape)[:3]}; expected ({P}, {L}, 3)")
        ev0 = &ev[0, 0, 0] if L > 0 else NULL
    out = np.zeros((len(ROWS), P, T))
    lease_revenue = np.zeros((P, L, T))
    lease_backstop = np.zeros((P, L, T))
    lease_end = np.zeros((P, L), dtype=np.int32)
    lease_defaulted = np.zeros((P, L), dtype=np.uint8)
    guarantee_paid = np.zeros((P, NG))
    rvg_paid, backstop_paid = np.zeros(P), np.zeros(P)
    sale_period = np.zeros(P, dtype=np.int32)
    event_at = np.zeros((P, 6), dtype=np.int32)
    going_concern = np.zeros((P, T))
    gc_basis = np.zeros((P, T), dtype=np.uint8)
    capex = np.zeros((P, T))
    cdef double[:, :, ::1] o = out
    cdef double[:, :, ::1] lr = lease_revenue
    cdef double[:, :, ::1] lb = lease_backstop
    cdef int[:, ::1] le = lease_end
    cdef unsigned char[:, ::1] ld = lease_defaulted
    cdef double[:, ::1] gp = guarantee_paid
    cdef double[::1] rp = rvg_paid
    cdef double[::1] bp = backstop_paid
    cdef int[::1] sp = sale_period
    cdef int[:, ::1] ea = event_at
    cdef double[:, ::1] gc = going_concern
    cdef unsigned char[:, ::1] gb = gc_basis
    cdef double[:, ::1] cx = capex
    cdef double[::1] w = np.empty(_compile_doubles(&q) + 1)
    cdef double dummy[1]
    cdef PathDetail det
    with nogil:
        for p in range(P):
            det.lease_revenue = &lr[p, 0, 0] if L > 0 else NULL
            det.lease_backstop = &lb[p, 0, 0] if L > 0 else NULL
            det.lease_end = &le[p, 0] if L > 0 else NULL
            det.lease_defaulted = &ld[p, 0] if L > 0 else NULL
            det.guarantee_paid = &gp[p, 0] if NG > 0 else dummy
            det.sale_period = &sp[p]
            det.event_at = &ea[p, 0]
            det.going_concern = &gc[p, 0]
            det.gc_basis = &gb[p, 0]
            det.capex = &cx[p, 0]
            evp = ev0 + 3 * L * p if ev0 != NULL else NULL
            _compile_path_detail(
                &q, &r[p, 0], &u[p, 0], &v[p, 0], &b[p, 0], z[p], NULL, evp, &w[0],
                &o[0, p, 0], &o[1, p, 0], &o[2, p, 0], &o[3, p, 0], &o[4, p, 0], &o[5, p, 0],
                &o[6, p, 0], &rp[p], &bp[p], &det,
            )
    res = {name: out[j] for j, name in enumerate(ROWS)}
    res.update(
        rvg_paid=rvg_paid, backstop_paid=backstop_paid, lease_revenue=lease_revenue,
        lease_backstop=lease_backstop, lease_end=lease_end,
        lease_defaulted=lease_defaulted.view(bool), guarantee_paid=guarantee_paid,
        sale_period=sale_period, event_at=event_at, going_concern=going_concern,
        gc_basis=gc_basis, capex=capex,
    )
    return res
