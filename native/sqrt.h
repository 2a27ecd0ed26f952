/*
 * sqrt.h - inline square roots in Fp and Fp2 and the "largest root" order of compressed points
 * (internal header; used by decompress.c).
 *
 * Fp: p = 3 mod 4, so a^((p+1)/4) is a square root of a whenever one exists.
 * Fp2 = Fp[u]/(u^2+1): the norm method. a = a0 + a1 u is a square in Fp2 exactly when its norm
 * N = a0^2 + a1^2 is a square in Fp; with s = sqrt(N), x0^2 = (a0 +- s)/2 and x1 = a1/(2 x0).
 * The two candidates multiply to -a1^2/4, a non-square for a1 != 0 (-1 is one since p = 3 mod
 * 4), so exactly one of them is a square. Every root found is squared back before use.
 * Elements are Montgomery form; results are written only on success.
 */
#ifndef TICKETKING_SQRT_H
#define TICKETKING_SQRT_H

#include "fp2.h"

/* (p + 1) / 4 and (p - 1) / 2, canonical little-endian limbs. */
static const uint64_t fp_SQRT_EXP[4] = {0x4f082305b61f3f52ULL, 0x65e05aa45a1c72a3ULL,
                                        0x6e14116da0605617ULL, 0x0c19139cb84c680aULL};
static const uint64_t fp_HALF[4] = {0x9e10460b6c3e7ea3ULL, 0xcbc0b548b438e546ULL,
                                    0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};

/* 1 and r = a square root of a, or 0 (r untouched) if a is not a square. */
static inline int fp_sqrt(uint64_t r[4], const uint64_t a[4]) {
    uint64_t y[4], check[4];
    fp_pow(y, a, fp_SQRT_EXP, 4);
    fp_square(check, y);
    if (!fp_equal(check, a)) return 0;
    fp_copy(r, y);
    return 1;
}

/* 1 and r = a square root of a, or 0 (r untouched) if a is not a square in Fp2. */
static inline int fp2_sqrt(uint64_t r[8], const uint64_t a[8]) {
    uint64_t x[8], t[4], s[4], half[4], check[8];
    if (fp_is_zero(a + 4)) { /* a in Fp: sqrt(a0), or sqrt(-a0) u since (b u)^2 = -b^2 */
        fp_set_zero(x + 4);
        if (fp_sqrt(x, a)) {
            fp2_copy(r, x);
            return 1;
        }
        fp_neg(t, a);
        if (!fp_sqrt(x + 4, t)) return 0;
        fp_set_zero(x);
        fp2_copy(r, x);
        return 1;
    }
    fp_square(t, a);
    fp_square(s, a + 4);
    fp_add(t, t, s);
    if (!fp_sqrt(s, t)) return 0; /* the norm is a non-square: so is a */
    fp_set_one(half);
    fp_double(t, half);
    fp_inverse(half, t); /* 1/2 */
    fp_add(t, a, s);
    fp_mul(t, t, half); /* (a0 + s) / 2 */
    if (!fp_sqrt(x, t)) {
        fp_sub(t, a, s);
        fp_mul(t, t, half); /* (a0 - s) / 2 */
        if (!fp_sqrt(x, t)) return 0;
    }
    /* x0 != 0: x0 = 0 would make the candidate 0 and their product -a1^2/4 zero */
    fp_double(t, x);
    fp_inverse(t, t);
    fp_mul(x + 4, a + 4, t); /* x1 = a1 / (2 x0) */
    fp2_square(check, x);
    if (!fp2_equal(check, a)) return 0;
    fp2_copy(r, x);
    return 1;
}

/* 1 if the canonical value of the Montgomery element a is > (p - 1) / 2 (the "larger" of a
 * and -a), else 0. */
static inline int fp_is_largest(const uint64_t a[4]) {
    uint64_t c[4];
    fp_from_mont(c, a);
    for (int i = 3; i >= 0; i--)
        if (c[i] != fp_HALF[i]) return c[i] > fp_HALF[i];
    return 0;
}

/* The same order on Fp2, lexicographic with c1 more significant: c1 decides unless zero. */
static inline int fp2_is_largest(const uint64_t a[8]) {
    return fp_is_zero(a + 4) ? fp_is_largest(a) : fp_is_largest(a + 4);
}

#endif /* TICKETKING_SQRT_H */
