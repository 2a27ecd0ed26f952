/*
 * ifma.h - eight elements of a prime field at once with AVX-512 IFMA (52-bit multiply-add):
 * the one 8-lane Montgomery core under Poseidon (poseidon.c, over Fr) and the MSM's batch
 * additions (msm_ifma.h, over Fp). Internal header.
 *
 * A v52 holds 8 elements as 5 vectors of 52-bit limbs (limb j of every lane: bits
 * [52 j, 52 j + 52) of the element). The modulus is a parameter (struct ifma_field: its limbs,
 * -m^-1 mod 2^52, and the width of the last of the five reduction steps), so the Montgomery
 * radix is R = 2^(4 * 52 + last_bits): 2^260 with last_bits = 52 (Poseidon), 2^256 with
 * last_bits = 48 (the MSM: the same integers as field.h's Montgomery form). The functions are
 * always inlined with a pointer to a static const ifma_field, so its limbs fold into
 * immediates/broadcasts as if written in place.
 *
 * Reduction policy stays with the caller: ifma_mul returns a value below 2 m for inputs whose
 * product is below m R (inputs below m each: the canonical path adds one ifma_sub_if_geq(m));
 * lazily reduced callers bound their values themselves (poseidon.c).
 *
 * The functions carry __attribute__((target("avx512f,avx512ifma"))): the library runs on any
 * x86-64 and calls them only after ifma_cpu() said yes.
 */
#ifndef TICKETKING_IFMA_H
#define TICKETKING_IFMA_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(BN254_NO_IFMA)
#define BN254_HAVE_IFMA 1

#include <immintrin.h>
#include <stdint.h>

#define IFMA_TARGET __attribute__((target("avx512f,avx512ifma")))
#define IFMA_INLINE IFMA_TARGET __attribute__((always_inline)) static inline
#define IFMA_M52 0xfffffffffffffULL

typedef struct {
    __m512i l[5];
} v52;

/* A modulus m < 2^256 in radix 2^52, and its Montgomery radix R = 2^(208 + last_bits). */
struct ifma_field {
    uint64_t m[5];
    uint64_t minv;      /* -m^-1 mod 2^52 */
    unsigned last_bits; /* width of the fifth reduction step, 1..52 */
};

/* 1 if this CPU runs the functions below (callers cache it). */
static inline int ifma_cpu(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
}

IFMA_INLINE __m512i ifma_bcast(uint64_t c) { return _mm512_set1_epi64((long long)c); }

/* c (5 limbs) in every lane. */
IFMA_INLINE void ifma_set_const(v52 *r, const uint64_t c[5]) {
    for (int j = 0; j < 5; j++) r->l[j] = ifma_bcast(c[j]);
}

/* Carries of limbs 0..3 into the next limb: limbs 0..3 below 2^52, the top one holds the rest. */
IFMA_INLINE void ifma_norm(v52 *a) {
    const __m512i mask = ifma_bcast(IFMA_M52);
    for (int k = 0; k < 4; k++) {
        a->l[k + 1] = _mm512_add_epi64(a->l[k + 1], _mm512_srli_epi64(a->l[k], 52));
        a->l[k] = _mm512_and_si512(a->l[k], mask);
    }
}

/* r = a + b as integers (normalised, not reduced). */
IFMA_INLINE void ifma_add(v52 *r, const v52 *a, const v52 *b) {
    for (int k = 0; k < 5; k++) r->l[k] = _mm512_add_epi64(a->l[k], b->l[k]);
    ifma_norm(r);
}

/* a += c for a constant c (5 limbs, every lane), as integers. */
IFMA_INLINE void ifma_add_const(v52 *a, const uint64_t c[5]) {
    for (int k = 0; k < 5; k++) a->l[k] = _mm512_add_epi64(a->l[k], ifma_bcast(c[k]));
    ifma_norm(a);
}

/* In the lanes where a >= c: a -= c (a normalised, below 2^260; c a constant). */
IFMA_INLINE void ifma_sub_if_geq(v52 *a, const uint64_t c[5]) {
    const __m512i mask = ifma_bcast(IFMA_M52);
    __m512i d[5];
    for (int k = 0; k < 5; k++) d[k] = _mm512_sub_epi64(a->l[k], ifma_bcast(c[k]));
    for (int k = 0; k < 4; k++) {
        d[k + 1] = _mm512_add_epi64(d[k + 1], _mm512_srai_epi64(d[k], 52)); /* signed borrow */
        d[k] = _mm512_and_si512(d[k], mask);
    }
    const __mmask8 keep = _mm512_cmplt_epi64_mask(d[4], _mm512_setzero_si512()); /* a < c */
    for (int k = 0; k < 5; k++) a->l[k] = _mm512_mask_blend_epi64(keep, d[k], a->l[k]);
}

/* r = a - b mod m for canonical a, b (< m). */
IFMA_INLINE void ifma_sub_mod(v52 *r, const v52 *a, const v52 *b, const struct ifma_field *f) {
    const __m512i mask = ifma_bcast(IFMA_M52);
    __m512i d[5], e[5];
    for (int k = 0; k < 5; k++) d[k] = _mm512_sub_epi64(a->l[k], b->l[k]);
    for (int k = 0; k < 4; k++) {
        d[k + 1] = _mm512_add_epi64(d[k + 1], _mm512_srai_epi64(d[k], 52));
        d[k] = _mm512_and_si512(d[k], mask);
    }
    const __mmask8 negative = _mm512_cmplt_epi64_mask(d[4], _mm512_setzero_si512());
    for (int k = 0; k < 5; k++) e[k] = _mm512_add_epi64(d[k], ifma_bcast(f->m[k])); /* d + m */
    for (int k = 0; k < 4; k++) {
        e[k + 1] = _mm512_add_epi64(e[k + 1], _mm512_srli_epi64(e[k], 52));
        e[k] = _mm512_and_si512(e[k], mask);
    }
    for (int k = 0; k < 5; k++) r->l[k] = _mm512_mask_blend_epi64(negative, d[k], e[k]);
}

/* z (10 columns of a 520-bit sum) += a * b. */
IFMA_INLINE void ifma_mac(__m512i z[10], const v52 *a, const v52 *b) {
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            z[i + j] = _mm512_madd52lo_epu64(z[i + j], a->l[i], b->l[j]);
            z[i + j + 1] = _mm512_madd52hi_epu64(z[i + j + 1], a->l[i], b->l[j]);
        }
}

/* z += c * b for a constant c (5 limbs). */
IFMA_INLINE void ifma_mac_const(__m512i z[10], const uint64_t c[5], const v52 *b) {
    for (int i = 0; i < 5; i++) {
        const __m512i ci = ifma_bcast(c[i]);
        for (int j = 0; j < 5; j++) {
            z[i + j] = _mm512_madd52lo_epu64(z[i + j], ci, b->l[j]);
            z[i + j + 1] = _mm512_madd52hi_epu64(z[i + j + 1], ci, b->l[j]);
        }
    }
}

IFMA_INLINE void ifma_zero_cols(__m512i z[10]) {
    for (int k = 0; k < 10; k++) z[k] = _mm512_setzero_si512();
}

/* One reduction step at column i: z += q m 2^(52 i) with q = -z_i / m mod 2^bits (the low bits
 * of column i become zero). */
IFMA_INLINE void ifma_redc_step(__m512i z[10], int i, __m512i bits_mask,
                                const struct ifma_field *f) {
    __m512i q = _mm512_madd52lo_epu64(_mm512_setzero_si512(), z[i], ifma_bcast(f->minv));
    q = _mm512_and_si512(q, bits_mask);
#pragma GCC unroll 5
    for (int j = 0; j < 5; j++) {
        const __m512i mj = ifma_bcast(f->m[j]);
        z[i + j] = _mm512_madd52lo_epu64(z[i + j], q, mj);
        z[i + j + 1] = _mm512_madd52hi_epu64(z[i + j + 1], q, mj);
    }
}

/* out = z / R mod m (Montgomery reduction of the column sum z < m R; out < z / R + m), with
 * normalised limbs. Steps 0..3 clear 52 bits each, step 4 clears f->last_bits. */
IFMA_INLINE void ifma_redc(v52 *out, __m512i z[10], const struct ifma_field *f) {
    const __m512i mask = ifma_bcast(IFMA_M52);
    const unsigned last = f->last_bits;
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        ifma_redc_step(z, i, mask, f);
        z[i + 1] = _mm512_add_epi64(z[i + 1], _mm512_srli_epi64(z[i], 52));
    }
    ifma_redc_step(z, 4, ifma_bcast(IFMA_M52 >> (52 - last)), f);
    /* z[4..9] is the result times 2^last (the low bits of z[4] are zero): normalise, shift */
#pragma GCC unroll 5
    for (int k = 4; k < 9; k++) {
        z[k + 1] = _mm512_add_epi64(z[k + 1], _mm512_srli_epi64(z[k], 52));
        z[k] = _mm512_and_si512(z[k], mask);
    }
    if (last == 52) {
        for (int k = 0; k < 5; k++) out->l[k] = z[k + 5];
    } else {
#pragma GCC unroll 5
        for (int k = 0; k < 5; k++)
            out->l[k] = _mm512_or_si512(_mm512_srli_epi64(z[k + 4], last),
                                        _mm512_and_si512(_mm512_slli_epi64(z[k + 5], 52 - last),
                                                         mask));
    }
}

/* out = a b / R mod m, below a b / R + m (not reduced). */
IFMA_INLINE void ifma_mul(v52 *out, const v52 *a, const v52 *b, const struct ifma_field *f) {
    __m512i z[10];
    ifma_zero_cols(z);
    ifma_mac(z, a, b);
    ifma_redc(out, z, f);
}

/* Lanes from/to 4 x 64-bit words (field.h limbs): w0..w3 <-> 52-bit limbs. */
IFMA_INLINE void ifma_from_words(v52 *r, const __m512i w[4]) {
    const __m512i mask = ifma_bcast(IFMA_M52);
    r->l[0] = _mm512_and_si512(w[0], mask);
    r->l[1] = _mm512_and_si512(
        _mm512_or_si512(_mm512_srli_epi64(w[0], 52), _mm512_slli_epi64(w[1], 12)), mask);
    r->l[2] = _mm512_and_si512(
        _mm512_or_si512(_mm512_srli_epi64(w[1], 40), _mm512_slli_epi64(w[2], 24)), mask);
    r->l[3] = _mm512_and_si512(
        _mm512_or_si512(_mm512_srli_epi64(w[2], 28), _mm512_slli_epi64(w[3], 36)), mask);
    r->l[4] = _mm512_srli_epi64(w[3], 16);
}

/* The value must be below 2^256. */
IFMA_INLINE void ifma_to_words(__m512i w[4], const v52 *a) {
    w[0] = _mm512_or_si512(a->l[0], _mm512_slli_epi64(a->l[1], 52));
    w[1] = _mm512_or_si512(_mm512_srli_epi64(a->l[1], 12), _mm512_slli_epi64(a->l[2], 40));
    w[2] = _mm512_or_si512(_mm512_srli_epi64(a->l[2], 24), _mm512_slli_epi64(a->l[3], 28));
    w[3] = _mm512_or_si512(_mm512_srli_epi64(a->l[3], 36), _mm512_slli_epi64(a->l[4], 16));
}

/* Lane i of r = the 4 words at addr[i] + off (8 addresses, in bytes). */
IFMA_INLINE void ifma_gather(v52 *r, __m512i addr, long long off) {
    __m512i w[4];
    for (int k = 0; k < 4; k++)
        w[k] = _mm512_i64gather_epi64(_mm512_add_epi64(addr, _mm512_set1_epi64(off + 8 * k)),
                                      (const void *)0, 1);
    ifma_from_words(r, w);
}

IFMA_INLINE void ifma_scatter(__m512i addr, long long off, const v52 *a) {
    __m512i w[4];
    ifma_to_words(w, a);
    for (int k = 0; k < 4; k++)
        _mm512_i64scatter_epi64((void *)0, _mm512_add_epi64(addr, _mm512_set1_epi64(off + 8 * k)),
                                w[k], 1);
}

/* Lane i <-> out[i] (4 words each), through memory. */
IFMA_INLINE void ifma_get_lanes(uint64_t out[8][4], const v52 *a) {
    __m512i w[4];
    ifma_to_words(w, a);
    uint64_t tmp[4][8];
    for (int k = 0; k < 4; k++) _mm512_storeu_si512((void *)tmp[k], w[k]);
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++) out[i][k] = tmp[k][i];
}

IFMA_INLINE void ifma_set_lanes(v52 *r, const uint64_t in[8][4]) {
    uint64_t tmp[4][8];
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++) tmp[k][i] = in[i][k];
    __m512i w[4];
    for (int k = 0; k < 4; k++) w[k] = _mm512_loadu_si512((const void *)tmp[k]);
    ifma_from_words(r, w);
}

#else
#define BN254_HAVE_IFMA 0
#endif

#endif /* TICKETKING_IFMA_H */
