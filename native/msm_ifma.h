/*
 * msm_ifma.h - eight Fp elements at once with AVX-512 IFMA (52-bit multiply-add), for the
 * MSM's batch-affine additions (internal header; only msm.c includes it).
 *
 * A vfp holds 8 elements as 5 vectors of 52-bit limbs (limb j of every lane: bits
 * [52 j, 52 j + 52) of the element). The elements are the same integers as field.h's
 * Montgomery form (x 2^256 mod p): converting is only re-slicing 4 x 64 bits into 5 x 52, and
 * vfp_mul is Montgomery multiplication with the same R = 2^256 (four 52-bit reduction steps
 * and a last one of 48 bits), so lanes can be moved to and from field.h values freely. All
 * values are kept canonical (< p) between operations.
 *
 * The functions carry __attribute__((target("avx512f,avx512ifma"))): the library runs on any
 * x86-64, and msm.c calls them only after checking the CPU (msm_ifma_usable()).
 */
#ifndef TICKETKING_MSM_IFMA_H
#define TICKETKING_MSM_IFMA_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(BN254_NO_IFMA)
#define MSM_HAVE_IFMA 1

#include <immintrin.h>
#include <stdint.h>

#include "field.h"

#define VFP_TARGET __attribute__((target("avx512f,avx512ifma")))
#define VFP_INLINE VFP_TARGET __attribute__((always_inline)) static inline

typedef struct {
    __m512i l[5];
} vfp;

#define VFP_M52 0xfffffffffffffULL
static const uint64_t VFP_P[5] = {0x8c16d87cfd47ULL, 0x916871ca8d3c2ULL, 0x181585d97816aULL,
                                  0xa029b85045b68ULL, 0x30644e72e131ULL};
static const uint64_t VFP_PINV = 0x20782e4866389ULL; /* -p^-1 mod 2^52 */
static const uint64_t VFP_ONE[5] = {0xd438dc58f0d9dULL, 0x28f5c70b3dd35ULL, 0x879462c0a78ebULL,
                                    0xdf2f666ea36f7ULL, 0xe0a77c19a07ULL}; /* 2^256 mod p */

VFP_INLINE void vfp_set_const(vfp *r, const uint64_t c[5]) {
    for (int j = 0; j < 5; j++) r->l[j] = _mm512_set1_epi64((long long)c[j]);
}

/* r = t - p if t >= p, else t; t < 2p with limbs below 2^52. */
VFP_INLINE void vfp_reduce_once(vfp *r, const __m512i t[5]) {
    const __m512i mask = _mm512_set1_epi64((long long)VFP_M52);
    __m512i d[5], borrow = _mm512_setzero_si512();
    for (int j = 0; j < 5; j++) {
        d[j] = _mm512_add_epi64(_mm512_sub_epi64(t[j], _mm512_set1_epi64((long long)VFP_P[j])),
                                borrow);
        borrow = _mm512_srai_epi64(d[j], 52); /* 0 or -1 */
        if (j < 4) d[j] = _mm512_and_si512(d[j], mask);
    }
    const __mmask8 keep = _mm512_cmplt_epi64_mask(d[4], _mm512_setzero_si512()); /* t < p */
    for (int j = 0; j < 5; j++) r->l[j] = _mm512_mask_blend_epi64(keep, d[j], t[j]);
}

VFP_INLINE void vfp_add(vfp *r, const vfp *a, const vfp *b) {
    const __m512i mask = _mm512_set1_epi64((long long)VFP_M52);
    __m512i s[5], carry = _mm512_setzero_si512();
    for (int j = 0; j < 5; j++) {
        s[j] = _mm512_add_epi64(_mm512_add_epi64(a->l[j], b->l[j]), carry);
        if (j < 4) {
            carry = _mm512_srli_epi64(s[j], 52);
            s[j] = _mm512_and_si512(s[j], mask);
        }
    }
    vfp_reduce_once(r, s);
}

VFP_INLINE void vfp_sub(vfp *r, const vfp *a, const vfp *b) {
    const __m512i mask = _mm512_set1_epi64((long long)VFP_M52);
    __m512i d[5], e[5], c = _mm512_setzero_si512();
    for (int j = 0; j < 5; j++) {
        d[j] = _mm512_add_epi64(_mm512_sub_epi64(a->l[j], b->l[j]), c);
        if (j < 4) {
            c = _mm512_srai_epi64(d[j], 52);
            d[j] = _mm512_and_si512(d[j], mask);
        }
    }
    const __mmask8 negative = _mm512_cmplt_epi64_mask(d[4], _mm512_setzero_si512());
    c = _mm512_setzero_si512();
    for (int j = 0; j < 5; j++) { /* d + p, for the lanes where a < b */
        e[j] = _mm512_add_epi64(_mm512_add_epi64(d[j], _mm512_set1_epi64((long long)VFP_P[j])), c);
        if (j < 4) {
            c = _mm512_srli_epi64(e[j], 52);
            e[j] = _mm512_and_si512(e[j], mask);
        }
    }
    for (int j = 0; j < 5; j++) r->l[j] = _mm512_mask_blend_epi64(negative, d[j], e[j]);
}

/* r = a b / 2^256 mod p (CIOS over b's 52-bit digits). */
VFP_INLINE void vfp_mul(vfp *r, const vfp *a, const vfp *b) {
    const __m512i mask = _mm512_set1_epi64((long long)VFP_M52);
    const __m512i pinv = _mm512_set1_epi64((long long)VFP_PINV), z = _mm512_setzero_si512();
    __m512i p[5];
    for (int j = 0; j < 5; j++) p[j] = _mm512_set1_epi64((long long)VFP_P[j]);
    __m512i t[6] = {z, z, z, z, z, z};
    for (int i = 0; i < 5; i++) {
        const __m512i bi = b->l[i];
        for (int j = 0; j < 5; j++) {
            t[j] = _mm512_madd52lo_epu64(t[j], a->l[j], bi);
            t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], a->l[j], bi);
        }
        __m512i m = _mm512_madd52lo_epu64(z, t[0], pinv);
        /* the last step divides by 2^48 (5 x 52 = 260 = 256 + 4), the others by 2^52 */
        m = _mm512_and_si512(m, i < 4 ? mask : _mm512_set1_epi64((long long)0xffffffffffffULL));
        for (int j = 0; j < 5; j++) {
            t[j] = _mm512_madd52lo_epu64(t[j], m, p[j]);
            t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], m, p[j]);
        }
        if (i < 4) {
            t[1] = _mm512_add_epi64(t[1], _mm512_srli_epi64(t[0], 52));
            for (int j = 0; j < 5; j++) t[j] = t[j + 1];
            t[5] = z;
        }
    }
    /* normalise to 52-bit limbs, then shift the whole value right by 48 bits */
    for (int j = 0; j < 5; j++) {
        t[j + 1] = _mm512_add_epi64(t[j + 1], _mm512_srli_epi64(t[j], 52));
        t[j] = _mm512_and_si512(t[j], mask);
    }
    __m512i s[5];
    for (int j = 0; j < 5; j++)
        s[j] = _mm512_or_si512(_mm512_srli_epi64(t[j], 48),
                               _mm512_and_si512(_mm512_slli_epi64(t[j + 1], 4), mask));
    vfp_reduce_once(r, s);
}

VFP_INLINE void vfp_square(vfp *r, const vfp *a) { vfp_mul(r, a, a); }

/* Lanes from/to 4-limb field.h values: 64-bit words w0..w3 <-> 52-bit limbs. */
VFP_INLINE void vfp_from_words(vfp *r, const __m512i w[4]) {
    const __m512i mask = _mm512_set1_epi64((long long)VFP_M52);
    r->l[0] = _mm512_and_si512(w[0], mask);
    r->l[1] = _mm512_and_si512(
        _mm512_or_si512(_mm512_srli_epi64(w[0], 52), _mm512_slli_epi64(w[1], 12)), mask);
    r->l[2] = _mm512_and_si512(
        _mm512_or_si512(_mm512_srli_epi64(w[1], 40), _mm512_slli_epi64(w[2], 24)), mask);
    r->l[3] = _mm512_and_si512(
        _mm512_or_si512(_mm512_srli_epi64(w[2], 28), _mm512_slli_epi64(w[3], 36)), mask);
    r->l[4] = _mm512_srli_epi64(w[3], 16);
}

VFP_INLINE void vfp_to_words(__m512i w[4], const vfp *a) {
    w[0] = _mm512_or_si512(a->l[0], _mm512_slli_epi64(a->l[1], 52));
    w[1] = _mm512_or_si512(_mm512_srli_epi64(a->l[1], 12), _mm512_slli_epi64(a->l[2], 40));
    w[2] = _mm512_or_si512(_mm512_srli_epi64(a->l[2], 24), _mm512_slli_epi64(a->l[3], 28));
    w[3] = _mm512_or_si512(_mm512_srli_epi64(a->l[3], 36), _mm512_slli_epi64(a->l[4], 16));
}

/* Lane i of r = the field.h value at addr[i] + off (8 addresses, in bytes). */
VFP_INLINE void vfp_gather(vfp *r, __m512i addr, long long off) {
    __m512i w[4];
    for (int k = 0; k < 4; k++)
        w[k] = _mm512_i64gather_epi64(_mm512_add_epi64(addr, _mm512_set1_epi64(off + 8 * k)),
                                      (const void *)0, 1);
    vfp_from_words(r, w);
}

VFP_INLINE void vfp_scatter(__m512i addr, long long off, const vfp *a) {
    __m512i w[4];
    vfp_to_words(w, a);
    for (int k = 0; k < 4; k++)
        _mm512_i64scatter_epi64((void *)0, _mm512_add_epi64(addr, _mm512_set1_epi64(off + 8 * k)),
                                w[k], 1);
}

/* Lane i <-> out[i] (4 limbs each), through memory: for the few scalar steps. */
VFP_INLINE void vfp_get_lanes(uint64_t out[8][4], const vfp *a) {
    __m512i w[4];
    vfp_to_words(w, a);
    uint64_t tmp[4][8];
    for (int k = 0; k < 4; k++) _mm512_storeu_si512((void *)tmp[k], w[k]);
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++) out[i][k] = tmp[k][i];
}

VFP_INLINE void vfp_set_lanes(vfp *r, const uint64_t in[8][4]) {
    uint64_t tmp[4][8];
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++) tmp[k][i] = in[i][k];
    __m512i w[4];
    for (int k = 0; k < 4; k++) w[k] = _mm512_loadu_si512((const void *)tmp[k]);
    vfp_from_words(r, w);
}

/* Fp2 = Fp[u]/(u^2 + 1), 8 lanes: the same formulas as fp2.h. Lane values are uint64_t[8]
 * (c0 limbs, c1 limbs). */
typedef struct {
    vfp c0, c1;
} vfp2;

VFP_INLINE void vfp2_set_const(vfp2 *r, const uint64_t c[5]) { /* c + 0 u */
    vfp_set_const(&r->c0, c);
    for (int j = 0; j < 5; j++) r->c1.l[j] = _mm512_setzero_si512();
}

VFP_INLINE void vfp2_add(vfp2 *r, const vfp2 *a, const vfp2 *b) {
    vfp_add(&r->c0, &a->c0, &b->c0);
    vfp_add(&r->c1, &a->c1, &b->c1);
}

VFP_INLINE void vfp2_sub(vfp2 *r, const vfp2 *a, const vfp2 *b) {
    vfp_sub(&r->c0, &a->c0, &b->c0);
    vfp_sub(&r->c1, &a->c1, &b->c1);
}

VFP_INLINE void vfp2_mul(vfp2 *r, const vfp2 *a, const vfp2 *b) {
    vfp t0, t1, s0, s1;
    vfp_mul(&t0, &a->c0, &b->c0);
    vfp_mul(&t1, &a->c1, &b->c1);
    vfp_add(&s0, &a->c0, &a->c1);
    vfp_add(&s1, &b->c0, &b->c1);
    vfp_mul(&s0, &s0, &s1);
    vfp_sub(&s0, &s0, &t0);
    vfp_sub(&r->c1, &s0, &t1);
    vfp_sub(&r->c0, &t0, &t1);
}

/* (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u: two multiplications */
VFP_INLINE void vfp2_square(vfp2 *r, const vfp2 *a) {
    vfp s, d, m;
    vfp_add(&s, &a->c0, &a->c1);
    vfp_sub(&d, &a->c0, &a->c1);
    vfp_mul(&m, &a->c0, &a->c1);
    vfp_mul(&r->c0, &s, &d);
    vfp_add(&r->c1, &m, &m);
}

VFP_INLINE void vfp2_gather(vfp2 *r, __m512i addr, long long off) {
    vfp_gather(&r->c0, addr, off);
    vfp_gather(&r->c1, addr, off + 32);
}

VFP_INLINE void vfp2_scatter(__m512i addr, long long off, const vfp2 *a) {
    vfp_scatter(addr, off, &a->c0);
    vfp_scatter(addr, off + 32, &a->c1);
}

VFP_INLINE void vfp2_get_lanes(uint64_t out[8][8], const vfp2 *a) {
    uint64_t c0[8][4], c1[8][4];
    vfp_get_lanes(c0, &a->c0);
    vfp_get_lanes(c1, &a->c1);
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++) {
            out[i][k] = c0[i][k];
            out[i][4 + k] = c1[i][k];
        }
}

VFP_INLINE void vfp2_set_lanes(vfp2 *r, const uint64_t in[8][8]) {
    uint64_t c0[8][4], c1[8][4];
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++) {
            c0[i][k] = in[i][k];
            c1[i][k] = in[i][4 + k];
        }
    vfp_set_lanes(&r->c0, c0);
    vfp_set_lanes(&r->c1, c1);
}

/* 1 if this CPU runs the functions above (checked once by the caller). */
static inline int msm_ifma_cpu(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
}

#else
#define MSM_HAVE_IFMA 0
#endif

#endif /* TICKETKING_MSM_IFMA_H */
