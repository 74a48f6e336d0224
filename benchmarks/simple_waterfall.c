/* The plain C loop the waterfall kernel is measured against (benchmarks/bench_steps.py).
 *
 * The simplest deal: K tranches paid strictly sequentially (one tranche per seniority rank),
 * fixed coupons, interest then scheduled principal, no tax, reserves, covenants, sweeps or
 * sales. Per path and period: CFADS = revenue - opex - fees; interest by seniority, then
 * scheduled principal by seniority, from the cash left; what is left is distributed. It
 * writes the outputs the engine writes for such a deal (CFADS, debt service, DSCR,
 * distribution; interest due / paid, principal paid, balance per tranche), so the two do the
 * same work; nothing else. Compiled by the benchmark with the same flags as setup.py.
 */
#include <math.h>
#include <stddef.h>

void simple_waterfall(ptrdiff_t P, ptrdiff_t K, ptrdiff_t T, const double *revenue,
                      const double *opex, const double *fees, const double *rate,
                      const double *yf, const double *notional, const double *sched,
                      const int *maturity, double *cfads, double *debt_service, double *dscr,
                      double *distribution, double *int_due, double *int_paid,
                      double *prin_paid, double *balance) {
    double bal[64], due[64], sp[64];
    for (ptrdiff_t p = 0; p < P; p++) {
        const double *rev = revenue + p * T;
        double *o_bal = balance + p * K * T, *o_due = int_due + p * K * T;
        double *o_ip = int_paid + p * K * T, *o_pp = prin_paid + p * K * T;
        for (ptrdiff_t k = 0; k < K; k++) bal[k] = notional[k];
        for (ptrdiff_t t = 0; t < T; t++) {
            double cf = rev[t] - opex[t] - fees[t], ds = 0.0, cash;
            for (ptrdiff_t k = 0; k < K; k++) {
                due[k] = bal[k] * rate[k] * yf[k * T + t];
                sp[k] = (t >= maturity[k] || t == T - 1) ? bal[k]
                        : (sched[k * T + t] < bal[k] ? sched[k * T + t] : bal[k]);
                ds += due[k] + sp[k];
            }
            cash = cf > 0.0 ? cf : 0.0;
            for (ptrdiff_t k = 0; k < K; k++) {
                double pay = cash < due[k] ? cash : due[k];
                cash -= pay;
                o_ip[k * T + t] = pay;
                o_due[k * T + t] = due[k];
            }
            for (ptrdiff_t k = 0; k < K; k++) {
                double pay = cash < sp[k] ? cash : sp[k];
                cash -= pay;
                bal[k] -= pay;
                o_pp[k * T + t] = pay;
                o_bal[k * T + t] = bal[k];
            }
            cfads[p * T + t] = cf;
            debt_service[p * T + t] = ds;
            dscr[p * T + t] = ds > 1e-9 ? cf / ds : NAN;
            distribution[p * T + t] = cash;
        }
    }
}
