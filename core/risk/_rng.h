/* Per-path random numbers for the Monte Carlo (C99, header only, no Python API).
 *
 * Each Monte Carlo path p (a global 64-bit index) gets its own SFC64 stream seeded from the
 * run key (4 words, e.g. numpy.random.SeedSequence(seed).generate_state(4, np.uint64)) and p,
 * so the draws of a path never depend on how paths are chunked or threaded.
 *
 *   cs_next64       NumPy's SFC64 step, bit for bit.
 *   cs_seed         splitmix64 of key[0] ^ p * golden, xor key[1..3], counter 1, 12 warm-up steps.
 *   cs_uniform      [0, 1) with 53 bits, as NumPy's next_double.
 *   cs_exponential  -log1p(-U).
 *   cs_normal       NumPy's 256-layer ziggurat (random_standard_normal), the sign applied
 *                   without a branch (the same values as NumPy for the same 64-bit draws).
 *   cs_draw_path    one path's draws in the order the Monte Carlo consumes them.
 *
 * The ziggurat tables are static, so every translation unit that includes this header has
 * its own copy and must call cs_zig_init() once (idempotent) before cs_normal.
 */
#ifndef CAPSTACK_RNG_H
#define CAPSTACK_RNG_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint64_t s[4]; /* a, b, c, counter */
} cs_rng;

static inline uint64_t cs__rotl(uint64_t v, int k) { return (v << k) | (v >> (64 - k)); }

static inline uint64_t cs_next64(cs_rng *r)
{
    const uint64_t tmp = r->s[0] + r->s[1] + r->s[3]++;
    r->s[0] = r->s[1] ^ (r->s[1] >> 11);
    r->s[1] = r->s[2] + (r->s[2] << 3);
    r->s[2] = cs__rotl(r->s[2], 24) + tmp;
    return tmp;
}

static inline uint64_t cs__splitmix64(uint64_t *x)
{
    uint64_t z;
    *x += 0x9E3779B97F4A7C15ULL;
    z = *x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline void cs_seed(cs_rng *r, const uint64_t *key, uint64_t path)
{
    uint64_t x = key[0] ^ (path * 0x9E3779B97F4A7C15ULL);
    int i;
    r->s[0] = cs__splitmix64(&x) ^ key[1];
    r->s[1] = cs__splitmix64(&x) ^ key[2];
    r->s[2] = cs__splitmix64(&x) ^ key[3];
    r->s[3] = 1;
    for (i = 0; i < 12; i++) {
        (void)cs_next64(r);
    }
}

static inline double cs_uniform(cs_rng *r)
{
    return (double)(cs_next64(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline double cs_exponential(cs_rng *r) { return -log1p(-cs_uniform(r)); }

/* ---- ziggurat (Marsaglia & Tsang 2000, 256 layers, 52-bit magnitudes, as NumPy) ---- */

#define CS_ZIG_R 3.6541528853610087963519472518
#define CS_ZIG_INV_R (1.0 / CS_ZIG_R)
/* Area of each layer: V = R f(R) + integral of f from R to infinity, f(x) = exp(-x^2 / 2),
 * evaluated in long double from R (R exp(-R^2/2) + sqrt(pi/2) erfc(R/sqrt 2)). The 12-digit
 * value 0.00492867323399 quoted for 256 layers is 1.5e-14 too high, which the recurrence below
 * amplifies into a top layer whose area misses V by 5e-12 (1e-9 relative) and tables 1e-10
 * away from NumPy's; with this V the top layer closes to 6e-16 and the tables agree with
 * NumPy's to about 1e-13. */
#define CS_ZIG_V 4.9286732339746549e-3

static uint64_t cs_zig_ki[256];
static double cs_zig_wi[256];
static double cs_zig_fi[256];
static int cs_zig_ready = 0;

static void cs_zig_init(void)
{
    const double m1 = 4503599627370496.0; /* 2^52 */
    double dn = CS_ZIG_R, tn = dn, q;
    int i;
    if (cs_zig_ready) {
        return;
    }
    q = CS_ZIG_V / exp(-0.5 * dn * dn);
    cs_zig_ki[0] = (uint64_t)((dn / q) * m1);
    cs_zig_ki[1] = 0;
    cs_zig_wi[0] = q / m1;
    cs_zig_wi[255] = dn / m1;
    cs_zig_fi[0] = 1.0;
    cs_zig_fi[255] = exp(-0.5 * dn * dn);
    for (i = 254; i >= 1; i--) {
        dn = sqrt(-2.0 * log(CS_ZIG_V / dn + exp(-0.5 * dn * dn)));
        cs_zig_ki[i + 1] = (uint64_t)((dn / tn) * m1);
        tn = dn;
        cs_zig_fi[i] = exp(-0.5 * dn * dn);
        cs_zig_wi[i] = dn / m1;
    }
    cs_zig_ready = 1;
}

/* x with its sign bit xor-ed with the low bit of sign (negation without a branch) */
static inline double cs__signed(double x, uint64_t sign)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    bits ^= (sign & 1) << 63;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static inline double cs_normal(cs_rng *r)
{
    for (;;) {
        uint64_t v = cs_next64(r);
        const int idx = (int)(v & 0xff);
        uint64_t rabs;
        double x;
        v >>= 8;
        rabs = (v >> 1) & 0x000fffffffffffffULL;
        x = cs__signed((double)rabs * cs_zig_wi[idx], v);
        if (rabs < cs_zig_ki[idx]) {
            return x; /* about 99.3% of the draws */
        }
        if (idx == 0) {
            for (;;) { /* tail beyond R (Marsaglia 1964) */
                const double xx = -CS_ZIG_INV_R * log1p(-cs_uniform(r));
                const double yy = -log1p(-cs_uniform(r));
                if (yy + yy > xx * xx) {
                    return cs__signed(CS_ZIG_R + xx, rabs >> 8);
                }
            }
        }
        if ((cs_zig_fi[idx - 1] - cs_zig_fi[idx]) * cs_uniform(r) + cs_zig_fi[idx] <
            exp(-0.5 * x * x)) {
            return x;
        }
    }
}

/* One path's draws, in this order: per month j < M, u, z1, z2, zu, zv, zr; the residual
 * normal; per event i, an exponential (event_kinds[i] == 0) or a uniform; then the arrival
 * times of a Poisson process of gen_rate a year, counted per period of mpp months into
 * jumps[0..T-1] (period k covers months [k mpp, (k + 1) mpp)). Pointers of empty arrays are
 * not touched. gen_rate must be finite (an infinite rate would never leave the loop). */
static inline void cs_draw_path(cs_rng *r, ptrdiff_t M, double *u, double *z1, double *z2,
                                double *zu, double *zv, double *zr, double *residual,
                                ptrdiff_t n_events, const signed char *event_kinds,
                                double *events, double gen_rate, int mpp, ptrdiff_t T,
                                int *jumps)
{
    ptrdiff_t j;
    for (j = 0; j < M; j++) {
        u[j] = cs_uniform(r);
        z1[j] = cs_normal(r);
        z2[j] = cs_normal(r);
        zu[j] = cs_normal(r);
        zv[j] = cs_normal(r);
        zr[j] = cs_normal(r);
    }
    *residual = cs_normal(r);
    for (j = 0; j < n_events; j++) {
        events[j] = event_kinds[j] == 0 ? cs_exponential(r) : cs_uniform(r);
    }
    for (j = 0; j < T; j++) {
        jumps[j] = 0;
    }
    if (gen_rate > 0.0) {
        double tau = 0.0;
        for (;;) {
            double k;
            tau += cs_exponential(r) / gen_rate;
            k = floor(tau * 12.0 / (double)mpp);
            if (!(k < (double)T)) { /* also stops on NaN */
                break;
            }
            jumps[(ptrdiff_t)k] += 1;
        }
    }
}

#endif /* CAPSTACK_RNG_H */
