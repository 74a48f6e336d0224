# Included by _waterfall.pyx (``include "_npsum.pxi"``): NumPy-order sums and small helpers.
# A Cython include is textual: these compile into the kernel and stay inlined.

cdef inline double _npsum(const double* a, Py_ssize_t n) noexcept nogil:
    """Sum ``a[0:n]`` in exactly NumPy's order (``pairwise_sum`` for float64 reductions):
    left to right below 8 terms (the common case: tranches of a rank), else 8 partial sums."""
    cdef Py_ssize_t i
    cdef double res
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[i]
        return res
    return _npsum_pairwise(a, n)


@cython.cdivision(True)
cdef double _npsum_pairwise(const double* a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, m, n2
    cdef double res, r0, r1, r2, r3, r4, r5, r6, r7
    if n < 8:
        return _npsum(a, n)
    if n <= 128:
        r0 = a[0]
        r1 = a[1]
        r2 = a[2]
        r3 = a[3]
        r4 = a[4]
        r5 = a[5]
        r6 = a[6]
        r7 = a[7]
        m = n - n % 8
        i = 8
        while i < m:
            r0 += a[i]
            r1 += a[i + 1]
            r2 += a[i + 2]
            r3 += a[i + 3]
            r4 += a[i + 4]
            r5 += a[i + 5]
            r6 += a[i + 6]
            r7 += a[i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[i]
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return _npsum_pairwise(a, n2) + _npsum_pairwise(a + n2, n - n2)


cdef inline double _min(double a, double b) noexcept nogil:
    return b if b < a else a


cdef inline double _max0(double a) noexcept nogil:
    return a if a > 0.0 else 0.0
