/*
 * sqrt.h - inline square roots in Fp and Fp2 and the "largest root" order of compressed points
 * (internal header; used by decompress.c).
 *
 * Fp: p = 3 mod 4, so a^((p+1)/4) is a square root of a whenever one exists.
 * Fp2 = Fp[u]/(u^2+1): the norm method. a = a0 + a1 u is a square in Fp2 exactly when its norm
 * N = a0^2 + a1^2 is a square in Fp; with s = sqrt(N), x0^2 = t = (a0 + s)/2 and x1 = a1/(2 x0).
 * If t is not a square, t' = (a0 - s)/2 is (t t' = -a1^2/4, a non-square for a1 != 0 since
 * -1 is one, p = 3 mod 4). One power w = t^((p-3)/4) serves both cases without inversions:
 * t w^2 = t^((p-1)/2) = +-1, so for +1, x0 = t w and 1/x0 = w; for -1, (t w)^2 = -t and
 * x = (-a1 w / 2, t w) squares to a (w^2 = -1/t). Every root is squared back before use.
 * Elements are Montgomery form; results are written only on success.
 */
#ifndef TICKETKING_SQRT_H
#define TICKETKING_SQRT_H

#include "fp2.h"

/* (p + 1) / 4, (p - 3) / 4 and (p - 1) / 2, canonical little-endian limbs; 1/2 Montgomery. */
static const uint64_t fp_SQRT_EXP[4] = {0x4f082305b61f3f52ULL, 0x65e05aa45a1c72a3ULL,
                                        0x6e14116da0605617ULL, 0x0c19139cb84c680aULL};
static const uint64_t fp_SQRT_EXP_M1[4] = {0x4f082305b61f3f51ULL, 0x65e05aa45a1c72a3ULL,
                                           0x6e14116da0605617ULL, 0x0c19139cb84c680aULL};
static const uint64_t fp_HALF[4] = {0x9e10460b6c3e7ea3ULL, 0xcbc0b548b438e546ULL,
                                    0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};
static const uint64_t fp_INV2[4] = {0x87bee7d24f060572ULL, 0xd0fd2add2f1c6ae5ULL,
                                    0x8f5f7492fcfd4f44ULL, 0x1f37631a3d9cbfacULL};

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
    uint64_t x[8], t[4], s[4], w[4], tw[4], e[4], x1w[4], check[8];
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
    fp_add(t, a, s);
    fp_mul(t, t, fp_INV2); /* t = (a0 + s) / 2, nonzero as a1 != 0 */
    fp_pow(w, t, fp_SQRT_EXP_M1, 4);
    fp_mul(tw, t, w);
    fp_mul(e, tw, w); /* t^((p-1)/2) */
    fp_mul(x1w, a + 4, w);
    fp_mul(x1w, x1w, fp_INV2); /* a1 w / 2 */
    if (fp_is_one(e)) {
        fp_copy(x, tw);
        fp_copy(x + 4, x1w);
    } else {
        fp_neg(x, x1w);
        fp_copy(x + 4, tw);
    }
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
