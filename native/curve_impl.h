/*
 * curve_impl.h - Jacobian point arithmetic on y^2 = x^3 + b over one coordinate field, a
 * template (internal header). curve.h includes it once for G1 (over Fp) and once for G2 (over
 * Fp2) after defining:
 *   CURVE_NAME   prefix of the generated functions (g1, g2)
 *   CURVE_FIELD  prefix of the coordinate field's inline ops (fp, fp2)
 *   CURVE_FL     limbs of one coordinate (4 for Fp, 8 for Fp2)
 *   CURVE_B      name of a static const uint64_t[CURVE_FL]: b in Montgomery form
 *
 * Layouts: affine = x, y (2*FL limbs), the all-zero affine point is infinity ((0, 0) is on
 * neither curve because b != 0); Jacobian = X, Y, Z (3*FL
 * limbs) standing for (X/Z^2, Y/Z^3), Z = 0 is infinity. Formulas are the a = 0 ones of the
 * Explicit-Formulas Database (dbl-2009-l, add-2007-bl, madd-2007-bl); every exceptional case
 * (infinity, P + P, P + (-P)) is handled by the caller-visible functions here.
 */

#define CI_CAT2(a, b) a##_##b
#define CI_CAT(a, b) CI_CAT2(a, b)
#define PT(x) CI_CAT(CURVE_NAME, x)
#define F(x) CI_CAT(CURVE_FIELD, x)
#define FL CURVE_FL

enum { PT(AFF_WORDS) = 2 * FL, PT(JAC_WORDS) = 3 * FL };

static inline int PT(aff_is_inf)(const uint64_t *a) { return F(is_zero)(a) && F(is_zero)(a + FL); }

static inline int PT(jac_is_inf)(const uint64_t *p) { return F(is_zero)(p + 2 * FL); }

static inline void PT(jac_set_inf)(uint64_t *p) {
    F(set_one)(p);
    F(set_one)(p + FL);
    F(set_zero)(p + 2 * FL);
}

static inline void PT(jac_copy)(uint64_t *r, const uint64_t *p) {
    for (int i = 0; i < 3 * FL; i++) r[i] = p[i];
}

static inline void PT(aff_copy)(uint64_t *r, const uint64_t *a) {
    for (int i = 0; i < 2 * FL; i++) r[i] = a[i];
}

/* Affine -> Jacobian (Z = 1); the all-zero affine point becomes Z = 0. */
static inline void PT(from_affine)(uint64_t *r, const uint64_t *a) {
    if (PT(aff_is_inf)(a)) { PT(jac_set_inf)(r); return; }
    F(copy)(r, a);
    F(copy)(r + FL, a + FL);
    F(set_one)(r + 2 * FL);
}

/* 1 if y^2 = x^3 + b for affine (x, y), or the point is infinity. */
static inline int PT(aff_is_on_curve)(const uint64_t *a) {
    if (PT(aff_is_inf)(a)) return 1;
    uint64_t l[FL], r[FL];
    F(square)(l, a + FL);
    F(square)(r, a);
    F(mul)(r, r, a);
    F(add)(r, r, CURVE_B);
    return F(equal)(l, r);
}

static inline void PT(jac_neg)(uint64_t *r, const uint64_t *p) {
    F(copy)(r, p);
    F(neg)(r + FL, p + FL);
    F(copy)(r + 2 * FL, p + 2 * FL);
}

static inline void PT(aff_neg)(uint64_t *r, const uint64_t *a) {
    F(copy)(r, a);
    if (PT(aff_is_inf)(a)) F(set_zero)(r + FL);
    else F(neg)(r + FL, a + FL);
}

/* r = 2p (dbl-2009-l); r may alias p. */
static inline void PT(jac_double)(uint64_t *r, const uint64_t *p) {
    if (PT(jac_is_inf)(p)) { PT(jac_set_inf)(r); return; }
    uint64_t A[FL], B[FL], C[FL], D[FL], E[FL], G[FL], t[FL];
    const uint64_t *X = p, *Y = p + FL, *Z = p + 2 * FL;
    F(square)(A, X);
    F(square)(B, Y);
    F(square)(C, B);
    F(add)(t, X, B);
    F(square)(t, t);
    F(sub)(t, t, A);
    F(sub)(t, t, C);
    F(double)(D, t);      /* D = 2((X + B)^2 - A - C) */
    F(double)(E, A);
    F(add)(E, E, A);      /* E = 3A */
    F(square)(G, E);      /* F = E^2 */
    F(mul)(t, Y, Z);      /* Z3 = 2 Y Z, before Y and Z are overwritten */
    F(double)(r + 2 * FL, t);
    F(double)(t, D);
    F(sub)(r, G, t);      /* X3 = F - 2D */
    F(sub)(t, D, r);
    F(mul)(t, E, t);
    F(double)(C, C);
    F(double)(C, C);
    F(double)(C, C);      /* 8C */
    F(sub)(r + FL, t, C); /* Y3 = E (D - X3) - 8C */
}

/* r = p + q, both Jacobian (add-2007-bl); r may alias p or q. */
static inline void PT(jac_add)(uint64_t *r, const uint64_t *p, const uint64_t *q) {
    if (PT(jac_is_inf)(p)) { PT(jac_copy)(r, q); return; }
    if (PT(jac_is_inf)(q)) { PT(jac_copy)(r, p); return; }
    const uint64_t *X1 = p, *Y1 = p + FL, *Z1 = p + 2 * FL;
    const uint64_t *X2 = q, *Y2 = q + FL, *Z2 = q + 2 * FL;
    uint64_t Z1Z1[FL], Z2Z2[FL], U1[FL], U2[FL], S1[FL], S2[FL], H[FL], I[FL], J[FL], rr[FL],
        V[FL], t[FL];
    F(square)(Z1Z1, Z1);
    F(square)(Z2Z2, Z2);
    F(mul)(U1, X1, Z2Z2);
    F(mul)(U2, X2, Z1Z1);
    F(mul)(S1, Y1, Z2);
    F(mul)(S1, S1, Z2Z2);
    F(mul)(S2, Y2, Z1);
    F(mul)(S2, S2, Z1Z1);
    F(sub)(H, U2, U1);
    F(sub)(rr, S2, S1);
    if (F(is_zero)(H)) {
        if (F(is_zero)(rr)) PT(jac_double)(r, p); /* p == q */
        else PT(jac_set_inf)(r);                  /* p == -q */
        return;
    }
    F(double)(I, H);
    F(square)(I, I);
    F(mul)(J, H, I);
    F(double)(rr, rr);
    F(mul)(V, U1, I);
    F(add)(t, Z1, Z2);
    F(square)(t, t);
    F(sub)(t, t, Z1Z1);
    F(sub)(t, t, Z2Z2);
    F(mul)(r + 2 * FL, t, H); /* Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H */
    F(square)(t, rr);
    F(sub)(t, t, J);
    F(sub)(t, t, V);
    F(sub)(r, t, V); /* X3 = rr^2 - J - 2V */
    F(sub)(t, V, r);
    F(mul)(t, rr, t);
    F(mul)(S1, S1, J);
    F(double)(S1, S1);
    F(sub)(r + FL, t, S1); /* Y3 = rr (V - X3) - 2 S1 J */
}

/* r = p + a for Jacobian p and affine a (madd-2007-bl); r may alias p. */
static inline void PT(jac_add_affine)(uint64_t *r, const uint64_t *p, const uint64_t *a) {
    if (PT(aff_is_inf)(a)) { if (r != p) PT(jac_copy)(r, p); return; }
    if (PT(jac_is_inf)(p)) { PT(from_affine)(r, a); return; }
    const uint64_t *X1 = p, *Y1 = p + FL, *Z1 = p + 2 * FL;
    uint64_t Z1Z1[FL], U2[FL], S2[FL], H[FL], HH[FL], I[FL], J[FL], rr[FL], V[FL], t[FL];
    F(square)(Z1Z1, Z1);
    F(mul)(U2, a, Z1Z1);
    F(mul)(S2, a + FL, Z1);
    F(mul)(S2, S2, Z1Z1);
    F(sub)(H, U2, X1);
    F(sub)(rr, S2, Y1);
    if (F(is_zero)(H)) {
        if (F(is_zero)(rr)) PT(jac_double)(r, p);
        else PT(jac_set_inf)(r);
        return;
    }
    F(square)(HH, H);
    F(double)(I, HH);
    F(double)(I, I);
    F(mul)(J, H, I);
    F(double)(rr, rr);
    F(mul)(V, X1, I);
    F(add)(t, Z1, H);
    F(square)(t, t);
    F(sub)(t, t, Z1Z1);
    F(sub)(r + 2 * FL, t, HH); /* Z3 = (Z1 + H)^2 - Z1Z1 - HH; Z1 is not needed after */
    F(mul)(S2, Y1, J);         /* Y1 J, before Y1 (perhaps r's Y) is overwritten */
    F(square)(t, rr);
    F(sub)(t, t, J);
    F(sub)(t, t, V);
    F(sub)(r, t, V); /* X3 = rr^2 - J - 2V */
    F(sub)(t, V, r);
    F(mul)(t, rr, t);
    F(double)(S2, S2);
    F(sub)(r + FL, t, S2); /* Y3 = rr (V - X3) - 2 Y1 J */
}

/* 1 if p and q are the same point (X1 Z2^2 = X2 Z1^2 and Y1 Z2^3 = Y2 Z1^3). */
static inline int PT(jac_equal)(const uint64_t *p, const uint64_t *q) {
    int pi = PT(jac_is_inf)(p), qi = PT(jac_is_inf)(q);
    if (pi || qi) return pi && qi;
    uint64_t z1z1[FL], z2z2[FL], a[FL], b[FL];
    F(square)(z1z1, p + 2 * FL);
    F(square)(z2z2, q + 2 * FL);
    F(mul)(a, p, z2z2);
    F(mul)(b, q, z1z1);
    if (!F(equal)(a, b)) return 0;
    F(mul)(z1z1, z1z1, p + 2 * FL);
    F(mul)(z2z2, z2z2, q + 2 * FL);
    F(mul)(a, p + FL, z2z2);
    F(mul)(b, q + FL, z1z1);
    return F(equal)(a, b);
}

/* Jacobian -> affine with one field inversion (infinity -> all zero). */
static inline void PT(to_affine)(uint64_t *a, const uint64_t *p) {
    if (PT(jac_is_inf)(p)) { for (int i = 0; i < 2 * FL; i++) a[i] = 0; return; }
    uint64_t zi[FL], zi2[FL];
    F(inverse)(zi, p + 2 * FL);
    F(square)(zi2, zi);
    F(mul)(zi, zi, zi2);
    F(mul)(a, p, zi2);
    F(mul)(a + FL, p + FL, zi);
}

/* n Jacobian points -> affine with one inversion in total (Montgomery's trick over the
 * nonzero Z). `scratch` holds n coordinates (n * FL limbs); out may not alias in. */
static inline void PT(batch_to_affine)(uint64_t *out, const uint64_t *in, size_t n,
                                       uint64_t *scratch) {
    uint64_t acc[FL], inv[FL], zi[FL], zi2[FL];
    F(set_one)(acc);
    for (size_t i = 0; i < n; i++) {
        const uint64_t *Z = in + 3 * FL * i + 2 * FL;
        F(copy)(scratch + FL * i, acc); /* product of the earlier nonzero Z */
        if (!F(is_zero)(Z)) F(mul)(acc, acc, Z);
    }
    F(inverse)(inv, acc);
    for (size_t i = n; i-- > 0;) {
        const uint64_t *p = in + 3 * FL * i;
        uint64_t *a = out + 2 * FL * i;
        if (F(is_zero)(p + 2 * FL)) { for (int k = 0; k < 2 * FL; k++) a[k] = 0; continue; }
        F(mul)(zi, inv, scratch + FL * i); /* 1/Z_i */
        F(mul)(inv, inv, p + 2 * FL);
        F(square)(zi2, zi);
        F(mul)(a, p, zi2);
        F(mul)(zi, zi, zi2);
        F(mul)(a + FL, p + FL, zi);
    }
}

/* r = [k] p for a scalar of k_len little-endian limbs (any value: not reduced mod r, so
 * multiplying by the group order is meaningful), fixed 4-bit windows. r may alias p. */
static inline void PT(jac_mul)(uint64_t *r, const uint64_t *p, const uint64_t *k, size_t k_len) {
    uint64_t table[16][3 * FL], acc[3 * FL];
    PT(jac_set_inf)(table[0]);
    PT(jac_copy)(table[1], p);
    for (int i = 2; i < 16; i++) PT(jac_add)(table[i], table[i - 1], p);
    PT(jac_set_inf)(acc);
    for (size_t i = k_len; i-- > 0;) {
        for (int nib = 15; nib >= 0; nib--) {
            PT(jac_double)(acc, acc);
            PT(jac_double)(acc, acc);
            PT(jac_double)(acc, acc);
            PT(jac_double)(acc, acc);
            unsigned d = (unsigned)(k[i] >> (4 * nib)) & 15;
            if (d) PT(jac_add)(acc, acc, table[d]);
        }
    }
    PT(jac_copy)(r, acc);
}

#undef PT
#undef F
#undef FL
#undef CI_CAT
#undef CI_CAT2
#undef CURVE_NAME
#undef CURVE_FIELD
#undef CURVE_FL
#undef CURVE_B
