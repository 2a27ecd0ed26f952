/*
 * tower.h - inline Fp6 and Fp12 arithmetic for BN254's pairing (internal header).
 *
 * The tower over fp2.h's Fp2 = Fp[u] / (u^2 + 1):
 *   Fp6  = Fp2[v] / (v^3 - xi), xi = 9 + u;  a0 + a1 v + a2 v^2 is uint64_t[24] (a0, a1, a2).
 *   Fp12 = Fp6[w] / (w^2 - v);               c0 + c1 w is uint64_t[48] (c0, c1).
 * So w^6 = xi, and an Fp12 element is sum_i c_i w^i with Fp2 coefficients stored in the order
 * w^0, w^2, w^4 (c0) then w^1, w^3, w^5 (c1). The Frobenius constants below are
 * gamma_k[i] = xi^(i (p^k - 1) / 6) in Montgomery form; tests/zkcore/test_pairing.py checks
 * every one against a recomputation (frobenius of w^i against (w^i)^(p^k) in py_ecc).
 */
#ifndef TICKETKING_TOWER_H
#define TICKETKING_TOWER_H

#include "fp2.h"

/* ---------------------------------------------------------------- constants */

/* gamma1[i] = xi^(i (p^1 - 1) / 6), i = 0..5 */
static const uint64_t GAMMA1[6][8] = {
    {0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL},
    {0xaf9ba69633144907ULL, 0xca6b1d7387afb78aULL, 0x11bded5ef08a2087ULL, 0x02f34d751a1f3a7cULL, 0xa222ae234c492d72ULL, 0xd00f02a4565de15bULL, 0xdc2ff3a253dfc926ULL, 0x10a75716b3899551ULL},
    {0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL, 0x7a007127242e0991ULL, 0x1956bcd8118214ecULL, 0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL, 0xb6e713cdfae0ca3aULL, 0x26694fbb4e82ebc3ULL},
    {0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL, 0x31a9d1b6f9645366ULL, 0x253570bea500f8ddULL, 0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL, 0x6d16bd27bb7edc6bULL, 0x2c87200285defeccULL},
    {0x7361d77f843abe92ULL, 0xa5bb2bd3273411fbULL, 0x9c941f314b3e2399ULL, 0x15df9cddbb9fd3ecULL, 0x5dddfd154bd8c949ULL, 0x62cb29a5a4445b60ULL, 0x37bc870a0c7dd2b9ULL, 0x24830a9d3171f0fdULL},
    {0xc970692f41690fe7ULL, 0xe240342127694b0bULL, 0x32bee66b83c459e8ULL, 0x12aabced0ab08841ULL, 0x0d485d2340aebfa9ULL, 0x05193418ab2fcc57ULL, 0xd3b0a40b8a4910f5ULL, 0x2f21ebb535d2925aULL},
};
/* gamma2[i] = xi^(i (p^2 - 1) / 6), i = 0..5 */
static const uint64_t GAMMA2[6][8] = {
    {0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL},
    {0xca8d800500fa1bf2ULL, 0xf0c5d61468b39769ULL, 0x0e201271ad0d4418ULL, 0x04290f65bad856e6ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL},
    {0x3350c88e13e80b9cULL, 0x7dce557cdb5e56b9ULL, 0x6001b4b8b615564aULL, 0x2682e617020217e0ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL},
    {0x68c3488912edefaaULL, 0x8d087f6872aabf4fULL, 0x51e1a24709081231ULL, 0x2259d6b14729c0faULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL},
    {0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL, 0xaa303344d4741444ULL, 0x2c3b3f0d26594943ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL},
    {0x08cfc388c494f1abULL, 0x19b315148d1373d4ULL, 0x584e90fdcb6c0213ULL, 0x09e1685bdf2f8849ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL},
};
/* gamma3[i] = xi^(i (p^3 - 1) / 6), i = 0..5 */
static const uint64_t GAMMA3[6][8] = {
    {0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL},
    {0x365316184e46d97dULL, 0x0af7129ed4c96d9fULL, 0x659da72fca1009b5ULL, 0x08116d8983a20d23ULL, 0xb1df4af7c39c1939ULL, 0x3d9f02878a73bf7fULL, 0x9b2220928caf0ae0ULL, 0x26684515eff054a6ULL},
    {0xc9af22f716ad6badULL, 0xb311782a4aa662b2ULL, 0x19eeaf64e248c7f4ULL, 0x20273e77e3439f82ULL, 0xacc02860f7ce93acULL, 0x3933d5817ba76b4cULL, 0x69e6188b446c8467ULL, 0x0a46036d4417cc55ULL},
    {0x5764af0aaf46471eULL, 0xdc50792e873e0fc1ULL, 0x86a673ff881d04f6ULL, 0x0b2eddb43c30a74cULL, 0x9a490f32787e8580ULL, 0x8fd16d7ff04af8b1ULL, 0x4b39888ec6027bf2ULL, 0x03dd2e705b52a15dULL},
    {0x448a93a57b6762dfULL, 0xbfd62df528fdeadfULL, 0xd858f5d00e9bd47aULL, 0x06b03d4d3476ec58ULL, 0x2b19daf4bcc936d1ULL, 0xa1a54e7a56f4299fULL, 0xb533eee05adeaef1ULL, 0x170c812b84dda0b2ULL},
    {0xe0bc4b2275cf559fULL, 0xc238b945c154e60fULL, 0x803982a5929a7d5eULL, 0x15ce052df7e4a37eULL, 0x2d28efbdbf3799a7ULL, 0x9b097e3c1ad60773ULL, 0x982d4113af4a535bULL, 0x24e18991e3056063ULL},
};

/* ---------------------------------------------------------------- Fp6 */

#define F6(a, i) ((a) + 8 * (i))

static inline void fp6_copy(uint64_t r[24], const uint64_t a[24]) {
    for (int i = 0; i < 24; i++) r[i] = a[i];
}

static inline void fp6_set_zero(uint64_t r[24]) {
    for (int i = 0; i < 24; i++) r[i] = 0;
}

static inline void fp6_set_one(uint64_t r[24]) {
    fp6_set_zero(r);
    fp_set_one(r);
}

static inline int fp6_equal(const uint64_t a[24], const uint64_t b[24]) {
    return fp2_equal(a, b) && fp2_equal(a + 8, b + 8) && fp2_equal(a + 16, b + 16);
}

static inline void fp6_add(uint64_t r[24], const uint64_t a[24], const uint64_t b[24]) {
    for (int i = 0; i < 3; i++) fp2_add(F6(r, i), F6(a, i), F6(b, i));
}

static inline void fp6_sub(uint64_t r[24], const uint64_t a[24], const uint64_t b[24]) {
    for (int i = 0; i < 3; i++) fp2_sub(F6(r, i), F6(a, i), F6(b, i));
}

static inline void fp6_neg(uint64_t r[24], const uint64_t a[24]) {
    for (int i = 0; i < 3; i++) fp2_neg(F6(r, i), F6(a, i));
}

static inline void fp6_double(uint64_t r[24], const uint64_t a[24]) { fp6_add(r, a, a); }

/* r = a v: (a0 + a1 v + a2 v^2) v = xi a2 + a0 v + a1 v^2 (r may alias a) */
static inline void fp6_mul_by_v(uint64_t r[24], const uint64_t a[24]) {
    uint64_t t[8];
    fp2_mul_by_xi(t, F6(a, 2));
    fp2_copy(F6(r, 2), F6(a, 1));
    fp2_copy(F6(r, 1), F6(a, 0));
    fp2_copy(F6(r, 0), t);
}

/* r = a k for k in Fp2 */
static inline void fp6_mul_by_fp2(uint64_t r[24], const uint64_t a[24], const uint64_t k[8]) {
    for (int i = 0; i < 3; i++) fp2_mul(F6(r, i), F6(a, i), k);
}

/* Karatsuba over the three Fp2 coefficients: 6 Fp2 multiplications. */
static inline void fp6_mul(uint64_t r[24], const uint64_t a[24], const uint64_t b[24]) {
    uint64_t t0[8], t1[8], t2[8], s[8], u[8], c0[8], c1[8], c2[8];
    fp2_mul(t0, F6(a, 0), F6(b, 0));
    fp2_mul(t1, F6(a, 1), F6(b, 1));
    fp2_mul(t2, F6(a, 2), F6(b, 2));
    /* c0 = t0 + xi ((a1 + a2)(b1 + b2) - t1 - t2) */
    fp2_add(s, F6(a, 1), F6(a, 2));
    fp2_add(u, F6(b, 1), F6(b, 2));
    fp2_mul(s, s, u);
    fp2_sub(s, s, t1);
    fp2_sub(s, s, t2);
    fp2_mul_by_xi(s, s);
    fp2_add(c0, s, t0);
    /* c1 = (a0 + a1)(b0 + b1) - t0 - t1 + xi t2 */
    fp2_add(s, F6(a, 0), F6(a, 1));
    fp2_add(u, F6(b, 0), F6(b, 1));
    fp2_mul(s, s, u);
    fp2_sub(s, s, t0);
    fp2_sub(s, s, t1);
    fp2_mul_by_xi(u, t2);
    fp2_add(c1, s, u);
    /* c2 = (a0 + a2)(b0 + b2) - t0 - t2 + t1 */
    fp2_add(s, F6(a, 0), F6(a, 2));
    fp2_add(u, F6(b, 0), F6(b, 2));
    fp2_mul(s, s, u);
    fp2_sub(s, s, t0);
    fp2_sub(s, s, t2);
    fp2_add(c2, s, t1);
    fp2_copy(F6(r, 0), c0);
    fp2_copy(F6(r, 1), c1);
    fp2_copy(F6(r, 2), c2);
}

/* Chung-Hasan SQR2: 2 Fp2 multiplications and 3 squarings. */
static inline void fp6_square(uint64_t r[24], const uint64_t a[24]) {
    uint64_t s0[8], s1[8], s2[8], s3[8], s4[8], t[8];
    fp2_square(s0, F6(a, 0));
    fp2_mul(s1, F6(a, 0), F6(a, 1));
    fp2_double(s1, s1);
    fp2_sub(t, F6(a, 0), F6(a, 1));
    fp2_add(t, t, F6(a, 2));
    fp2_square(s2, t);
    fp2_mul(s3, F6(a, 1), F6(a, 2));
    fp2_double(s3, s3);
    fp2_square(s4, F6(a, 2));
    /* c2 = s1 + s2 + s3 - s0 - s4 (uses s1 before c1 overwrites it) */
    fp2_add(t, s1, s2);
    fp2_add(t, t, s3);
    fp2_sub(t, t, s0);
    fp2_sub(F6(r, 2), t, s4);
    /* c0 = s0 + xi s3; c1 = s1 + xi s4 */
    fp2_mul_by_xi(s3, s3);
    fp2_add(F6(r, 0), s0, s3);
    fp2_mul_by_xi(s4, s4);
    fp2_add(F6(r, 1), s1, s4);
}

/* r = a (b0 + b1 v): 5 Fp2 multiplications (a line's sparse factor). */
static inline void fp6_mul_by_01(uint64_t r[24], const uint64_t a[24], const uint64_t b0[8],
                                 const uint64_t b1[8]) {
    uint64_t t0[8], t1[8], s[8], u[8], c0[8], c1[8];
    fp2_mul(t0, F6(a, 0), b0);
    fp2_mul(t1, F6(a, 1), b1);
    /* c0 = t0 + xi ((a1 + a2) b1 - t1) = a0 b0 + xi a2 b1 */
    fp2_add(s, F6(a, 1), F6(a, 2));
    fp2_mul(s, s, b1);
    fp2_sub(s, s, t1);
    fp2_mul_by_xi(s, s);
    fp2_add(c0, s, t0);
    /* c1 = (a0 + a1)(b0 + b1) - t0 - t1 */
    fp2_add(s, F6(a, 0), F6(a, 1));
    fp2_add(u, b0, b1);
    fp2_mul(s, s, u);
    fp2_sub(s, s, t0);
    fp2_sub(c1, s, t1);
    /* c2 = (a0 + a2) b0 - t0 + t1 = a2 b0 + a1 b1 */
    fp2_add(s, F6(a, 0), F6(a, 2));
    fp2_mul(s, s, b0);
    fp2_sub(s, s, t0);
    fp2_add(F6(r, 2), s, t1);
    fp2_copy(F6(r, 0), c0);
    fp2_copy(F6(r, 1), c1);
}

/* 1 / a via the adjugate: a must be nonzero (zero maps to zero, never a crash). */
static inline void fp6_inverse(uint64_t r[24], const uint64_t a[24]) {
    uint64_t A[8], B[8], C[8], t[8], F[8];
    /* A = a0^2 - xi a1 a2; B = xi a2^2 - a0 a1; C = a1^2 - a0 a2 */
    fp2_square(A, F6(a, 0));
    fp2_mul(t, F6(a, 1), F6(a, 2));
    fp2_mul_by_xi(t, t);
    fp2_sub(A, A, t);
    fp2_square(B, F6(a, 2));
    fp2_mul_by_xi(B, B);
    fp2_mul(t, F6(a, 0), F6(a, 1));
    fp2_sub(B, B, t);
    fp2_square(C, F6(a, 1));
    fp2_mul(t, F6(a, 0), F6(a, 2));
    fp2_sub(C, C, t);
    /* F = a0 A + xi (a2 B + a1 C) */
    fp2_mul(F, F6(a, 2), B);
    fp2_mul(t, F6(a, 1), C);
    fp2_add(F, F, t);
    fp2_mul_by_xi(F, F);
    fp2_mul(t, F6(a, 0), A);
    fp2_add(F, F, t);
    fp2_inverse(F, F);
    fp2_mul(F6(r, 0), A, F);
    fp2_mul(F6(r, 1), B, F);
    fp2_mul(F6(r, 2), C, F);
}

/* ---------------------------------------------------------------- Fp12 */

#define F12(a, i) ((a) + 24 * (i))

static inline void fp12_copy(uint64_t r[48], const uint64_t a[48]) {
    for (int i = 0; i < 48; i++) r[i] = a[i];
}

static inline void fp12_set_one(uint64_t r[48]) {
    for (int i = 0; i < 48; i++) r[i] = 0;
    fp_set_one(r);
}

static inline int fp12_equal(const uint64_t a[48], const uint64_t b[48]) {
    return fp6_equal(a, b) && fp6_equal(a + 24, b + 24);
}

static inline int fp12_is_one(const uint64_t a[48]) {
    uint64_t one[48];
    fp12_set_one(one);
    return fp12_equal(a, one);
}

/* (a0 + a1 w)(b0 + b1 w) = a0 b0 + v a1 b1 + ((a0 + a1)(b0 + b1) - a0 b0 - a1 b1) w */
static inline void fp12_mul(uint64_t r[48], const uint64_t a[48], const uint64_t b[48]) {
    uint64_t t0[24], t1[24], s[24], u[24];
    fp6_mul(t0, F12(a, 0), F12(b, 0));
    fp6_mul(t1, F12(a, 1), F12(b, 1));
    fp6_add(s, F12(a, 0), F12(a, 1));
    fp6_add(u, F12(b, 0), F12(b, 1));
    fp6_mul(s, s, u);
    fp6_sub(s, s, t0);
    fp6_sub(F12(r, 1), s, t1);
    fp6_mul_by_v(t1, t1);
    fp6_add(F12(r, 0), t0, t1);
}

/* Complex squaring: t = a0 a1; c0 = (a0 + a1)(a0 + v a1) - t - v t; c1 = 2 t. */
static inline void fp12_square(uint64_t r[48], const uint64_t a[48]) {
    uint64_t t[24], s[24], u[24];
    fp6_mul(t, F12(a, 0), F12(a, 1));
    fp6_add(s, F12(a, 0), F12(a, 1));
    fp6_mul_by_v(u, F12(a, 1));
    fp6_add(u, u, F12(a, 0));
    fp6_mul(s, s, u);
    fp6_sub(s, s, t);
    fp6_mul_by_v(u, t);
    fp6_sub(F12(r, 0), s, u);
    fp6_double(F12(r, 1), t);
}

/* a0 - a1 w: the p^6-power Frobenius, and the inverse of a unitary element. */
static inline void fp12_conjugate(uint64_t r[48], const uint64_t a[48]) {
    fp6_copy(F12(r, 0), F12(a, 0));
    fp6_neg(F12(r, 1), F12(a, 1));
}

/* 1 / (a0 + a1 w) = (a0 - a1 w) / (a0^2 - v a1^2). */
static inline void fp12_inverse(uint64_t r[48], const uint64_t a[48]) {
    uint64_t t0[24], t1[24];
    fp6_square(t0, F12(a, 0));
    fp6_square(t1, F12(a, 1));
    fp6_mul_by_v(t1, t1);
    fp6_sub(t0, t0, t1);
    fp6_inverse(t0, t0);
    fp6_mul(F12(r, 0), F12(a, 0), t0);
    fp6_mul(F12(r, 1), F12(a, 1), t0);
    fp6_neg(F12(r, 1), F12(r, 1));
}

/*
 * r = a (l0 + l1 w + l3 w^3), the sparse shape of a Miller-loop line: in the tower that is
 * (l0, 0, 0) + (l1, l3, 0) w. 13 Fp2 multiplications instead of 18.
 */
static inline void fp12_mul_by_line(uint64_t r[48], const uint64_t a[48], const uint64_t l0[8],
                                    const uint64_t l1[8], const uint64_t l3[8]) {
    uint64_t t0[24], t1[24], s[24], k[8];
    fp6_mul_by_fp2(t0, F12(a, 0), l0);
    fp6_mul_by_01(t1, F12(a, 1), l1, l3);
    /* c1 = (a0 + a1)(l0 + l1 + l3 v) - t0 - t1 */
    fp6_add(s, F12(a, 0), F12(a, 1));
    fp2_add(k, l0, l1);
    fp6_mul_by_01(s, s, k, l3);
    fp6_sub(s, s, t0);
    fp6_sub(F12(r, 1), s, t1);
    /* c0 = t0 + v t1 */
    fp6_mul_by_v(t1, t1);
    fp6_add(F12(r, 0), t0, t1);
}

/*
 * r = (a0 + a1 w + a3 w^3)(b0 + b1 w + b3 w^3), two lines multiplied together (6 Fp2
 * multiplications by Karatsuba); w^6 = xi and the w^5 coefficient of the product is zero:
 *   w^0: a0 b0 + xi a3 b3, w^1: a0 b1 + a1 b0, w^2: a1 b1, w^3: a0 b3 + a3 b0, w^4: a1 b3 + a3 b1.
 */
static inline void fp12_line_by_line(uint64_t r[48], const uint64_t a0[8], const uint64_t a1[8],
                                     const uint64_t a3[8], const uint64_t b0[8],
                                     const uint64_t b1[8], const uint64_t b3[8]) {
    uint64_t x0[8], x1[8], x3[8], s[8], t[8];
    fp2_mul(x0, a0, b0);
    fp2_mul(x1, a1, b1);
    fp2_mul(x3, a3, b3);
    fp2_mul_by_xi(s, x3);
    fp2_add(r, x0, s);                   /* w^0 */
    fp2_copy(r + 8, x1);                 /* w^2 */
    fp2_add(s, a0, a1);
    fp2_add(t, b0, b1);
    fp2_mul(s, s, t);
    fp2_sub(s, s, x0);
    fp2_sub(r + 24, s, x1);              /* w^1 */
    fp2_add(s, a0, a3);
    fp2_add(t, b0, b3);
    fp2_mul(s, s, t);
    fp2_sub(s, s, x0);
    fp2_sub(r + 32, s, x3);              /* w^3 */
    fp2_add(s, a1, a3);
    fp2_add(t, b1, b3);
    fp2_mul(s, s, t);
    fp2_sub(s, s, x1);
    fp2_sub(r + 16, s, x3);              /* w^4 */
    fp2_set_zero(r + 40);                /* w^5 */
}

/* r = a b for b with a zero w^5 coefficient (a product of two lines): 17 Fp2 mul, not 18. */
static inline void fp12_mul_by_line_product(uint64_t r[48], const uint64_t a[48],
                                            const uint64_t b[48]) {
    uint64_t t0[24], t1[24], s[24], u[24];
    fp6_mul(t0, F12(a, 0), F12(b, 0));
    fp6_mul_by_01(t1, F12(a, 1), b + 24, b + 32);
    fp6_add(s, F12(a, 0), F12(a, 1));
    fp6_add(u, F12(b, 0), F12(b, 1));
    fp6_mul(s, s, u);
    fp6_sub(s, s, t0);
    fp6_sub(F12(r, 1), s, t1);
    fp6_mul_by_v(t1, t1);
    fp6_add(F12(r, 0), t0, t1);
}

/*
 * r = a^(p^k) for k = 1, 2, 3: with a = sum c_i w^i, a^(p^k) = sum frob^k(c_i) gamma_k[i] w^i,
 * where frob on Fp2 is conjugation for odd k. Slot j of c0 holds w^(2j), of c1 w^(2j+1).
 */
static inline void fp12_frobenius(uint64_t r[48], const uint64_t a[48], int k) {
    const uint64_t(*gamma)[8] = k == 1 ? GAMMA1 : k == 2 ? GAMMA2 : GAMMA3;
    for (int half = 0; half < 2; half++) {
        for (int j = 0; j < 3; j++) {
            const uint64_t *c = a + 24 * half + 8 * j;
            uint64_t *o = r + 24 * half + 8 * j;
            int i = 2 * j + half;
            if (k == 2) {
                fp2_mul_by_fp(o, c, gamma[i]); /* gamma_2 lies in Fp */
            } else {
                uint64_t t[8];
                fp2_conjugate(t, c);
                fp2_mul(o, t, gamma[i]);
            }
        }
    }
}

/* (a + b s)^2 in Fp4 = Fp2[s] / (s^2 - xi): re = a^2 + xi b^2, im = 2ab. */
static inline void fp4_square(uint64_t re[8], uint64_t im[8], const uint64_t a[8],
                              const uint64_t b[8]) {
    uint64_t t0[8], t1[8], s[8];
    fp2_square(t0, a);
    fp2_square(t1, b);
    fp2_add(s, a, b);
    fp2_square(s, s);
    fp2_sub(s, s, t0);
    fp2_sub(im, s, t1);
    fp2_mul_by_xi(t1, t1);
    fp2_add(re, t0, t1);
}

/*
 * Granger-Scott squaring for elements of the cyclotomic subgroup (after the easy part of
 * the final exponentiation). View Fp12 = Fp4[w] / (w^3 - s), s = w^3, with
 * A0 = (w^0, w^3), A1 = (w^1, w^4), A2 = (w^2, w^5); then
 * a^2 = (3 A0^2 - 2 conj A0) + (3 s A2^2 + 2 conj A1) w + (3 A1^2 - 2 conj A2) w^2.
 */
static inline void fp12_cyclotomic_square(uint64_t r[48], const uint64_t a[48]) {
    const uint64_t *g0 = a, *g1 = a + 8, *g2 = a + 16, *h0 = a + 24, *h1 = a + 32, *h2 = a + 40;
    uint64_t s0r[8], s0i[8], s1r[8], s1i[8], s2r[8], s2i[8], t[8];
    fp4_square(s0r, s0i, g0, h1);
    fp4_square(s1r, s1i, h0, g2);
    fp4_square(s2r, s2i, g1, h2);
    /* w^0: 3 S0.re - 2 g0;  w^3: 3 S0.im + 2 h1 */
    fp2_sub(t, s0r, g0);
    fp2_double(t, t);
    fp2_add(r, t, s0r);
    fp2_add(t, s0i, h1);
    fp2_double(t, t);
    fp2_add(r + 32, t, s0i);
    /* w^1: 3 xi S2.im + 2 h0;  w^4: 3 S2.re - 2 g2 */
    fp2_mul_by_xi(s2i, s2i);
    fp2_add(t, s2i, h0);
    fp2_double(t, t);
    fp2_add(r + 24, t, s2i);
    fp2_sub(t, s2r, g2);
    fp2_double(t, t);
    fp2_add(r + 16, t, s2r);
    /* w^2: 3 S1.re - 2 g1;  w^5: 3 S1.im + 2 h2 */
    fp2_sub(t, s1r, g1);
    fp2_double(t, t);
    fp2_add(r + 8, t, s1r);
    fp2_add(t, s1i, h2);
    fp2_double(t, t);
    fp2_add(r + 40, t, s1i);
}

#undef F6
#undef F12

#endif /* TICKETKING_TOWER_H */
