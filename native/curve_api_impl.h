/*
 * curve_api_impl.h - the exported vector API of one group (bn254.h), a template included by
 * curve.c once per group after defining API_G (g1, g2) and API_FL (limbs per coordinate).
 * Every function works element-wise on n points; outputs may alias inputs.
 */

#define AI_CAT2(a, b) a##_##b
#define AI_CAT(a, b) AI_CAT2(a, b)
#define PT(x) AI_CAT(API_G, x)
#define EXP(x) AI_CAT(AI_CAT(bn254, API_G), x)
#define JW (3 * API_FL)
#define AW (2 * API_FL)

int EXP(from_affine)(uint64_t *out, const uint64_t *aff, size_t n) {
    uint64_t t[JW];
    for (size_t i = 0; i < n; i++) {
        PT(from_affine)(t, aff + AW * i); /* aff may alias out */
        PT(jac_copy)(out + JW * i, t);
    }
    return BN254_OK;
}

int EXP(to_affine)(uint64_t *out, const uint64_t *jac, size_t n, uint64_t *scratch) {
    if (n == 0) return BN254_OK;
    if ((const uint64_t *)out == jac) return BN254_ERR_ARGUMENT;
    PT(batch_to_affine)(out, jac, n, scratch);
    return BN254_OK;
}

int EXP(add)(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    for (size_t i = 0; i < n; i++) PT(jac_add)(out + JW * i, a + JW * i, b + JW * i);
    return BN254_OK;
}

int EXP(add_affine)(uint64_t *out, const uint64_t *a, const uint64_t *b_aff, size_t n) {
    for (size_t i = 0; i < n; i++) PT(jac_add_affine)(out + JW * i, a + JW * i, b_aff + AW * i);
    return BN254_OK;
}

int EXP(double)(uint64_t *out, const uint64_t *a, size_t n) {
    for (size_t i = 0; i < n; i++) PT(jac_double)(out + JW * i, a + JW * i);
    return BN254_OK;
}

int EXP(neg)(uint64_t *out, const uint64_t *a, size_t n) {
    for (size_t i = 0; i < n; i++) PT(jac_neg)(out + JW * i, a + JW * i);
    return BN254_OK;
}

int EXP(equal)(const uint64_t *a, const uint64_t *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!PT(jac_equal)(a + JW * i, b + JW * i)) return 0;
    return 1;
}

int EXP(mul)(uint64_t *out, const uint64_t *a, const uint64_t *scalars, size_t scalar_limbs,
             size_t n) {
    if (scalar_limbs == 0) return BN254_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++)
        PT(jac_mul)(out + JW * i, a + JW * i, scalars + scalar_limbs * i, scalar_limbs);
    return BN254_OK;
}

int EXP(validate)(const uint64_t *aff, size_t n, int check_subgroup, size_t *bad_index) {
    for (size_t i = 0; i < n; i++) {
        const uint64_t *a = aff + AW * i;
        int status = BN254_OK;
        for (int k = 0; k < AW; k += 4)
            if (!fp_is_canonical(a + k)) status = BN254_ERR_NONCANONICAL;
        if (status == BN254_OK && !PT(aff_is_on_curve)(a)) status = BN254_ERR_NOT_ON_CURVE;
        if (status == BN254_OK && check_subgroup && !PT(aff_in_subgroup)(a))
            status = BN254_ERR_NOT_IN_SUBGROUP;
        if (status != BN254_OK) {
            if (bad_index) *bad_index = i;
            return status;
        }
    }
    return BN254_OK;
}

#undef PT
#undef EXP
#undef JW
#undef AW
#undef AI_CAT
#undef AI_CAT2
#undef API_G
#undef API_FL
