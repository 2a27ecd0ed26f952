/*
 * fp2.h - inline Fp2 = Fp[u] / (u^2 + 1) arithmetic (internal header).
 *
 * An element a0 + a1*u is uint64_t[8]: limbs of a0 then limbs of a1, both Montgomery Fp.
 * The sextic non-residue of BN254's tower is xi = 9 + u (Fp6 = Fp2[v] / (v^3 - xi)).
 */
#ifndef TICKETKING_FP2_H
#define TICKETKING_FP2_H

#include "fp_wide.h"

static inline void fp2_copy(uint64_t r[8], const uint64_t a[8]) {
    fp_copy(r, a);
    fp_copy(r + 4, a + 4);
}

static inline void fp2_set_zero(uint64_t r[8]) { fp_set_zero(r); fp_set_zero(r + 4); }

static inline void fp2_set_one(uint64_t r[8]) { fp_set_one(r); fp_set_zero(r + 4); }

static inline int fp2_is_zero(const uint64_t a[8]) { return fp_is_zero(a) && fp_is_zero(a + 4); }

static inline int fp2_equal(const uint64_t a[8], const uint64_t b[8]) {
    return fp_equal(a, b) && fp_equal(a + 4, b + 4);
}

static inline void fp2_add(uint64_t r[8], const uint64_t a[8], const uint64_t b[8]) {
    fp_add(r, a, b);
    fp_add(r + 4, a + 4, b + 4);
}

static inline void fp2_sub(uint64_t r[8], const uint64_t a[8], const uint64_t b[8]) {
    fp_sub(r, a, b);
    fp_sub(r + 4, a + 4, b + 4);
}

static inline void fp2_double(uint64_t r[8], const uint64_t a[8]) { fp2_add(r, a, a); }

static inline void fp2_neg(uint64_t r[8], const uint64_t a[8]) {
    fp_neg(r, a);
    fp_neg(r + 4, a + 4);
}

/* Complex conjugate a0 - a1*u; also the p-power Frobenius of Fp2. */
static inline void fp2_conjugate(uint64_t r[8], const uint64_t a[8]) {
    fp_copy(r, a);
    fp_neg(r + 4, a + 4);
}

/*
 * (a0 + a1 u)(b0 + b1 u) = (a0 b0 - a1 b1) + ((a0 + a1)(b0 + b1) - a0 b0 - a1 b1) u, the three
 * products at full width and two reductions (fp_wide.h). Bounds, with inputs below p:
 * the u part is a0 b1 + a1 b0 < 2p^2 < p 2^256; the real part a0 b0 - a1 b1 is in (-p^2, p^2)
 * and gets p 2^256 (0 after reduction) added when negative.
 */
static inline void fp2_mul(uint64_t r[8], const uint64_t a[8], const uint64_t b[8]) {
    uint64_t t0[8], t1[8], t2[8], sa[4], sb[4];
    fp_mul_wide(t0, a, b);
    fp_mul_wide(t1, a + 4, b + 4);
    fp_add_unreduced(sa, a, a + 4); /* < 2p < 2^255 */
    fp_add_unreduced(sb, b, b + 4);
    fp_mul_wide(t2, sa, sb);
    wide_sub(t2, t2, t0);
    wide_sub(t2, t2, t1);
    wide_add_p_high(t0, wide_sub(t0, t0, t1));
    fp_redc(r, t0);
    fp_redc(r + 4, t2);
}

/* (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u */
static inline void fp2_square(uint64_t r[8], const uint64_t a[8]) {
    uint64_t s[4], d[4], m[4];
    fp_add(s, a, a + 4);
    fp_sub(d, a, a + 4);
    fp_mul(m, a, a + 4);
    fp_mul(r, s, d);
    fp_add(r + 4, m, m);
}

/* r = a * k for k in Fp. */
static inline void fp2_mul_by_fp(uint64_t r[8], const uint64_t a[8], const uint64_t k[4]) {
    fp_mul(r, a, k);
    fp_mul(r + 4, a + 4, k);
}

/*
 * r = a * xi = (9 a0 - a1) + (a0 + 9 a1) u: each part formed as an integer below 10p
 * (9 a0 + (p - a1), a0 + 9 a1) and reduced by an estimated quotient (fp_wide.h).
 */
static inline void fp2_mul_by_xi(uint64_t r[8], const uint64_t a[8]) {
    uint64_t re[4], neg_a1[4];
    fp_neg(neg_a1, a + 4); /* p - a1, or 0 when a1 = 0 */
    fp_9a_plus_b(re, a, neg_a1);
    fp_9a_plus_b(r + 4, a + 4, a); /* a is read before r is written: r may alias a */
    fp_copy(r, re);
}

/* 1 / (a0 + a1 u) = (a0 - a1 u) / (a0^2 + a1^2); a must be nonzero. */
static inline void fp2_inverse(uint64_t r[8], const uint64_t a[8]) {
    uint64_t n[4], t[4];
    fp_square(n, a);
    fp_square(t, a + 4);
    fp_add(n, n, t);
    fp_inverse(n, n);
    fp_mul(r, a, n);
    fp_mul(t, a + 4, n);
    fp_neg(r + 4, t);
}

#endif /* TICKETKING_FP2_H */
