/*
 * fp_wide.h - 512-bit products and Montgomery reduction mod p, for lazy reduction (internal).
 *
 * A Montgomery multiplication is a 256 x 256-bit product followed by a reduction. Sums of
 * products need only one reduction: Fp2's multiplication (fp2.h) forms its three products
 * at full width, combines them, and reduces the two results, 2 reductions instead of 3.
 * Wide values are uint64_t[8], little-endian, and must stay below p 2^256 when reduced.
 * Small multiples (below 2^258, 5 limbs) are reduced by one quotient estimate instead
 * (fp_reduce_wide5): Fp2's product by xi forms 9 a0 - a1 and a0 + 9 a1 that way.
 */
#ifndef TICKETKING_FP_WIDE_H
#define TICKETKING_FP_WIDE_H

#include "field.h"

#define FP_INV 0x87d20782e4866389ULL /* -p^-1 mod 2^64, as in field.h */

/* r = a + b over 4 limbs without reduction; the caller keeps a + b < 2^256. */
static inline void fp_add_unreduced(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    u128 s = (u128)a[0] + b[0];
    r[0] = (uint64_t)s;
    for (int i = 1; i < 4; i++) {
        s = (u128)a[i] + b[i] + (uint64_t)(s >> 64);
        r[i] = (uint64_t)s;
    }
}

/* r = a - b over 8 limbs; returns the borrow (1 if a < b, r then wrapped mod 2^512). */
static inline uint64_t wide_sub(uint64_t r[8], const uint64_t a[8], const uint64_t b[8]) {
#if defined(__x86_64__)
    unsigned char borrow = 0;
    for (int i = 0; i < 8; i++)
        borrow = _subborrow_u64(borrow, a[i], b[i], (unsigned long long *)&r[i]);
    return borrow;
#else
    uint64_t borrow = 0;
    for (int i = 0; i < 8; i++) {
        u128 d = (u128)a[i] - b[i] - borrow;
        r[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    return borrow;
#endif
}

/* r += p 2^256 if `add` (branch-free); the caller keeps the sum below 2^512. */
static inline void wide_add_p_high(uint64_t r[8], uint64_t add) {
    const uint64_t mask = 0 - add;
#if defined(__x86_64__)
    unsigned char carry = 0;
    for (int i = 0; i < 4; i++)
        carry = _addcarry_u64(carry, r[4 + i], fp_MOD[i] & mask, (unsigned long long *)&r[4 + i]);
#else
    u128 s = 0;
    for (int i = 0; i < 4; i++) {
        s = (u128)r[4 + i] + (fp_MOD[i] & mask) + (uint64_t)(s >> 64);
        r[4 + i] = (uint64_t)s;
    }
#endif
}

/* r = a b, all 512 bits. */
static inline void fp_mul_wide(uint64_t r[8], const uint64_t a[4], const uint64_t b[4]) {
#if BN254_HAVE_MULX_ASM
    asm_mul_wide(r, a, b);
#else
    uint64_t t[8] = {0};
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; j++) {
            u128 uv = (u128)a[j] * b[i] + t[i + j] + carry;
            t[i + j] = (uint64_t)uv;
            carry = (uint64_t)(uv >> 64);
        }
        t[i + 4] = carry;
    }
    for (int i = 0; i < 8; i++) r[i] = t[i];
#endif
}

/* r = t / 2^256 mod p, fully reduced, for t < p 2^256. */
static inline void fp_redc(uint64_t r[4], const uint64_t t[8]) {
    uint64_t u[4];
#if BN254_HAVE_MULX_ASM
    asm_redc(u, t, fp_MOD, FP_INV);
#else
    /* four rounds on the low half: u = (t_low + M p) / 2^256 <= p, then u += t_high < 2p */
    uint64_t w[4] = {t[0], t[1], t[2], t[3]};
    for (int i = 0; i < 4; i++) {
        uint64_t m = w[0] * FP_INV;
        u128 uv = (u128)m * fp_MOD[0] + w[0];
        uint64_t carry = (uint64_t)(uv >> 64);
        for (int j = 1; j < 4; j++) {
            uv = (u128)m * fp_MOD[j] + w[j] + carry;
            w[j - 1] = (uint64_t)uv;
            carry = (uint64_t)(uv >> 64);
        }
        w[3] = carry;
    }
    u128 s = (u128)w[0] + t[4];
    u[0] = (uint64_t)s;
    for (int i = 1; i < 4; i++) {
        s = (u128)w[i] + t[4 + i] + (uint64_t)(s >> 64);
        u[i] = (uint64_t)s;
    }
#endif
    fp_reduce_once(r, u);
}

/* ---------------------------------------------------------------- small multiples */

/* floor(k 2^250 / p) = (k FP_QUOTIENT_MUL) >> FP_QUOTIENT_SHIFT for every k < 256
 * (tests/zkcore/test_native_variants.py checks the constants against p). */
#define FP_QUOTIENT_MUL 2709
#define FP_QUOTIENT_SHIFT 15

/*
 * r = x mod p for x < 2^258 given as 5 limbs. With k = x >> 250 and q = floor(k 2^250 / p):
 * q p <= k 2^250 <= x and x - q p < 2^250 + p < 2p, so one subtraction of q p and one
 * conditional subtraction of p reduce it.
 */
static inline void fp_reduce_wide5(uint64_t r[4], const uint64_t x[5]) {
    const uint64_t k = (x[4] << 6) | (x[3] >> 58);
    const uint64_t q = (k * FP_QUOTIENT_MUL) >> FP_QUOTIENT_SHIFT;
    uint64_t qp[4], t[4];
    u128 acc = 0;
    for (int i = 0; i < 4; i++) {
        acc += (u128)q * fp_MOD[i];
        qp[i] = (uint64_t)acc;
        acc >>= 64;
    }
    /* x - q p < 2^255, so 4 limbs hold it (the fifth limbs cancel) */
#if defined(__x86_64__)
    unsigned char borrow = 0;
    for (int i = 0; i < 4; i++)
        borrow = _subborrow_u64(borrow, x[i], qp[i], (unsigned long long *)&t[i]);
#else
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)x[i] - qp[i] - borrow;
        t[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
#endif
    fp_reduce_once(r, t);
}

/* x += a 2^s over 5 limbs, for 0 <= s < 64 (the caller keeps x below 2^320). */
static inline void wide5_add_shifted(uint64_t x[5], const uint64_t a[4], int s) {
    const uint64_t a5[5] = {a[0] << s, s ? (a[1] << s) | (a[0] >> (64 - s)) : a[1],
                            s ? (a[2] << s) | (a[1] >> (64 - s)) : a[2],
                            s ? (a[3] << s) | (a[2] >> (64 - s)) : a[3], s ? a[3] >> (64 - s) : 0};
#if defined(__x86_64__)
    unsigned char carry = 0;
    for (int i = 0; i < 5; i++)
        carry = _addcarry_u64(carry, x[i], a5[i], (unsigned long long *)&x[i]);
#else
    u128 acc = 0;
    for (int i = 0; i < 5; i++) {
        acc += (u128)x[i] + a5[i];
        x[i] = (uint64_t)acc;
        acc >>= 64;
    }
#endif
}

/* r = (9a + b) mod p for a, b < p (the sum is below 10p). */
static inline void fp_9a_plus_b(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    uint64_t x[5] = {b[0], b[1], b[2], b[3], 0};
    wide5_add_shifted(x, a, 3);
    wide5_add_shifted(x, a, 0);
    fp_reduce_wide5(r, x);
}

#endif /* TICKETKING_FP_WIDE_H */
