/*
 * msm_ifma.h - the MSM's 8-lane Fp and Fp2 arithmetic (internal header; only msm.c includes
 * it), on the shared AVX-512 IFMA core of ifma.h.
 *
 * Policy: R = 2^256 (four 52-bit reduction steps and a last one of 48 bits), so the lanes hold
 * the same integers as field.h's Montgomery form and move to and from field.h values by
 * re-slicing 4 x 64 bits into 5 x 52; every value is kept canonical (< p) between operations.
 */
#ifndef TICKETKING_MSM_IFMA_H
#define TICKETKING_MSM_IFMA_H

#include "ifma.h"

#if BN254_HAVE_IFMA

typedef v52 vfp;

static const struct ifma_field VFP_FIELD = {
    {0x8c16d87cfd47ULL, 0x916871ca8d3c2ULL, 0x181585d97816aULL, 0xa029b85045b68ULL,
     0x30644e72e131ULL},
    0x20782e4866389ULL, /* -p^-1 mod 2^52 */
    48,
};
static const uint64_t VFP_ONE[5] = {0xd438dc58f0d9dULL, 0x28f5c70b3dd35ULL, 0x879462c0a78ebULL,
                                    0xdf2f666ea36f7ULL, 0xe0a77c19a07ULL}; /* 2^256 mod p */

IFMA_INLINE void vfp_set_const(vfp *r, const uint64_t c[5]) { ifma_set_const(r, c); }

IFMA_INLINE void vfp_add(vfp *r, const vfp *a, const vfp *b) {
    ifma_add(r, a, b);
    ifma_sub_if_geq(r, VFP_FIELD.m);
}

IFMA_INLINE void vfp_sub(vfp *r, const vfp *a, const vfp *b) { ifma_sub_mod(r, a, b, &VFP_FIELD); }

/* a b / 2^256 < 2 p for a, b < p: one conditional subtraction makes it canonical. */
IFMA_INLINE void vfp_mul(vfp *r, const vfp *a, const vfp *b) {
    ifma_mul(r, a, b, &VFP_FIELD);
    ifma_sub_if_geq(r, VFP_FIELD.m);
}

IFMA_INLINE void vfp_square(vfp *r, const vfp *a) { vfp_mul(r, a, a); }

IFMA_INLINE void vfp_gather(vfp *r, __m512i addr, long long off) { ifma_gather(r, addr, off); }

IFMA_INLINE void vfp_scatter(__m512i addr, long long off, const vfp *a) {
    ifma_scatter(addr, off, a);
}

IFMA_INLINE void vfp_get_lanes(uint64_t out[8][4], const vfp *a) { ifma_get_lanes(out, a); }

IFMA_INLINE void vfp_set_lanes(vfp *r, const uint64_t in[8][4]) { ifma_set_lanes(r, in); }

/* Fp2 = Fp[u]/(u^2 + 1), 8 lanes: the same formulas as fp2.h. Lane values are uint64_t[8]
 * (c0 limbs, c1 limbs). */
typedef struct {
    vfp c0, c1;
} vfp2;

IFMA_INLINE void vfp2_set_const(vfp2 *r, const uint64_t c[5]) { /* c + 0 u */
    vfp_set_const(&r->c0, c);
    for (int j = 0; j < 5; j++) r->c1.l[j] = _mm512_setzero_si512();
}

IFMA_INLINE void vfp2_add(vfp2 *r, const vfp2 *a, const vfp2 *b) {
    vfp_add(&r->c0, &a->c0, &b->c0);
    vfp_add(&r->c1, &a->c1, &b->c1);
}

IFMA_INLINE void vfp2_sub(vfp2 *r, const vfp2 *a, const vfp2 *b) {
    vfp_sub(&r->c0, &a->c0, &b->c0);
    vfp_sub(&r->c1, &a->c1, &b->c1);
}

IFMA_INLINE void vfp2_mul(vfp2 *r, const vfp2 *a, const vfp2 *b) {
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
IFMA_INLINE void vfp2_square(vfp2 *r, const vfp2 *a) {
    vfp s, d, m;
    vfp_add(&s, &a->c0, &a->c1);
    vfp_sub(&d, &a->c0, &a->c1);
    vfp_mul(&m, &a->c0, &a->c1);
    vfp_mul(&r->c0, &s, &d);
    vfp_add(&r->c1, &m, &m);
}

IFMA_INLINE void vfp2_gather(vfp2 *r, __m512i addr, long long off) {
    vfp_gather(&r->c0, addr, off);
    vfp_gather(&r->c1, addr, off + 32);
}

IFMA_INLINE void vfp2_scatter(__m512i addr, long long off, const vfp2 *a) {
    vfp_scatter(addr, off, &a->c0);
    vfp_scatter(addr, off + 32, &a->c1);
}

IFMA_INLINE void vfp2_get_lanes(uint64_t out[8][8], const vfp2 *a) {
    uint64_t c0[8][4], c1[8][4];
    vfp_get_lanes(c0, &a->c0);
    vfp_get_lanes(c1, &a->c1);
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++) {
            out[i][k] = c0[i][k];
            out[i][4 + k] = c1[i][k];
        }
}

IFMA_INLINE void vfp2_set_lanes(vfp2 *r, const uint64_t in[8][8]) {
    uint64_t c0[8][4], c1[8][4];
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++) {
            c0[i][k] = in[i][k];
            c1[i][k] = in[i][4 + k];
        }
    vfp_set_lanes(&r->c0, c0);
    vfp_set_lanes(&r->c1, c1);
}

#endif /* BN254_HAVE_IFMA */

#endif /* TICKETKING_MSM_IFMA_H */
