/*
 * curve.h - inline BN254 G1 and G2 point arithmetic for every C file of the core (internal
 * header).
 *
 * G1: y^2 = x^3 + 3 over Fp; G2: the D-type sextic twist y^2 = x^3 + 3/(9+u) over Fp2. Both
 * come from the one template in curve_impl.h, giving g1_* and g2_* functions:
 *   g?_from_affine, g?_to_affine, g?_batch_to_affine, g?_jac_add, g?_jac_add_affine,
 *   g?_jac_double, g?_jac_neg, g?_aff_neg, g?_jac_equal, g?_jac_mul, g?_aff_is_on_curve,
 *   g?_aff_is_inf, g?_jac_is_inf, g?_jac_set_inf.
 * Layouts: affine G1 uint64_t[8] (x, y), affine G2 uint64_t[16] (x.c0, x.c1, y.c0, y.c1),
 * coordinates in Montgomery form, all zero = infinity; Jacobian G1 uint64_t[12], G2
 * uint64_t[24] (X, Y, Z), Z = 0 = infinity.
 *
 * G2 extras: g2_psi (the untwist-Frobenius-twist endomorphism, acting as [p] on G2) and
 * g2_aff_in_subgroup / g2_jac_in_subgroup, the membership test of El Housni, Guillevic and
 * Piellard ("Co-factor clearing and subgroup membership testing on pairing-friendly curves",
 * 2022, sec. 3 and 5.1) with BN254's parameter u = 4965661367192848881.
 */
#ifndef TICKETKING_CURVE_H
#define TICKETKING_CURVE_H

#include "fp2.h"

/* b = 3 (G1) and b' = 3 / (9 + u) (G2), Montgomery form. */
static const uint64_t g1_B[4] = {0x7a17caa950ad28d7ULL, 0x1f6ac17ae15521b9ULL,
                                 0x334bea4e696bd284ULL, 0x2a1f6744ce179d8eULL};
static const uint64_t g2_B[8] = {0x3bf938e377b802a8ULL, 0x020b1b273633535dULL,
                                 0x26b7edf049755260ULL, 0x2514c6324384a86dULL,
                                 0x38e7ecccd1dcff67ULL, 0x65f0b37d93ce0d3eULL,
                                 0xd749d0dd22ac00aaULL, 0x0141b9ce4a688d4dULL};

#define CURVE_NAME g1
#define CURVE_FIELD fp
#define CURVE_FL 4
#define CURVE_B g1_B
#include "curve_impl.h"

#define CURVE_NAME g2
#define CURVE_FIELD fp2
#define CURVE_FL 8
#define CURVE_B g2_B
#include "curve_impl.h"

/* psi(x, y) = (conj(x) * xi^((p-1)/3), conj(y) * xi^((p-1)/2)), Montgomery form. */
static const uint64_t g2_PSI_X[8] = {0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL,
                                     0x7a007127242e0991ULL, 0x1956bcd8118214ecULL,
                                     0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL,
                                     0xb6e713cdfae0ca3aULL, 0x26694fbb4e82ebc3ULL};
static const uint64_t g2_PSI_Y[8] = {0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL,
                                     0x31a9d1b6f9645366ULL, 0x253570bea500f8ddULL,
                                     0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL,
                                     0x6d16bd27bb7edc6bULL, 0x2c87200285defeccULL};

/* BN254's curve parameter u (63 bits). */
static const uint64_t BN254_U = 0x44e992b44a6909f1ULL;

/* r = psi(p) for Jacobian p: conj commutes with the Z scaling, so it acts on X, Y, Z. */
static inline void g2_psi(uint64_t r[24], const uint64_t p[24]) {
    uint64_t t[8];
    fp2_conjugate(t, p);
    fp2_mul(r, t, g2_PSI_X);
    fp2_conjugate(t, p + 8);
    fp2_mul(r + 8, t, g2_PSI_Y);
    fp2_conjugate(r + 16, p + 16);
}

/* r = [u] a for a finite affine a: double-and-add over u's bits with mixed additions. */
static inline void g2_mul_by_u_affine(uint64_t r[24], const uint64_t a[16]) {
    uint64_t acc[24];
    g2_from_affine(acc, a);
    for (int bit = 61; bit >= 0; bit--) {
        g2_jac_double(acc, acc);
        if ((BN254_U >> bit) & 1) g2_jac_add_affine(acc, acc, a);
    }
    g2_jac_copy(r, acc);
}

/* 1 if the affine point a (on the twist) is in the order-r subgroup:
 * [u+1] a + psi([u] a) + psi^2([u] a) == psi^3([2u] a). On G2, psi acts as p and
 * (u+1) + p u + p^2 u - 2u p^3 = 0 mod r; EGP show no point of the twist outside G2 passes.
 * Costs one 63-bit multiplication, about half of psi(a) == [6u^2] a. */
static inline int g2_aff_in_subgroup(const uint64_t a[16]) {
    if (g2_aff_is_inf(a)) return 1;
    uint64_t ua[24], lhs[24], t[24], rhs[24];
    g2_mul_by_u_affine(ua, a);
    g2_jac_add_affine(lhs, ua, a); /* [u+1] a */
    g2_psi(t, ua);
    g2_jac_add(lhs, lhs, t);       /* + psi([u] a) */
    g2_psi(t, t);
    g2_jac_add(lhs, lhs, t);       /* + psi^2([u] a) */
    g2_jac_double(rhs, ua);
    g2_psi(rhs, rhs);
    g2_psi(rhs, rhs);
    g2_psi(rhs, rhs);              /* psi^3([2u] a) */
    return g2_jac_equal(lhs, rhs);
}

/* The same test on a Jacobian point (one inversion to affine first). */
static inline int g2_jac_in_subgroup(const uint64_t p[24]) {
    uint64_t a[16];
    g2_to_affine(a, p);
    return g2_aff_in_subgroup(a);
}

#endif /* TICKETKING_CURVE_H */
