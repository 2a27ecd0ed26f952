/*
 * decompress_impl.h - decompression of one group's compressed points (bn254.h), a template
 * included by decompress.c once per group after defining DC_G (g1, g2: the curve.h prefix),
 * DC_F (fp, fp2: the coordinate field of sqrt.h), DC_FL (limbs per coordinate) and DC_WIRE
 * (for each 32-byte word of the encoding in wire order, the limb offset of its Fp value in the
 * coordinate: G1 {0}; G2 {4, 0}, x.c1 first). `g?_aff_in_subgroup` must be in scope.
 */

#define DC_CAT2(a, b) a##_##b
#define DC_CAT(a, b) DC_CAT2(a, b)
#define PT(x) DC_CAT(DC_G, x)
#define FL(x) DC_CAT(DC_F, x)
#define EXP(x) DC_CAT(DC_CAT(bn254, DC_G), x)
#define AW (2 * DC_FL)
#define NBYTES (8 * DC_FL)

/* One encoding -> out (affine Montgomery, all zero for infinity); out is written only on
 * success. The checks run in the order of zkcore.encoding's former Python decoder, so each
 * input gets the same error: flags, each word < p in wire order, a square root exists
 * (else NOT_ON_CURVE), then on the curve and in the subgroup. */
static int PT(decompress_one)(uint64_t out[AW], const uint8_t *in) {
    static const int wire[DC_FL / 4] = DC_WIRE;
    uint64_t pt[AW], rhs[DC_FL];
    uint8_t flags = in[0] & DC_FLAGS;
    if (flags & DC_FLAG_INFINITY) { /* then every other bit must be zero */
        int other = (in[0] & (uint8_t)~DC_FLAG_INFINITY) != 0;
        for (int i = 1; i < NBYTES; i++) other |= in[i] != 0;
        if (other) return BN254_ERR_ENCODING;
        for (int i = 0; i < AW; i++) out[i] = 0;
        return BN254_OK;
    }
    for (int k = 0; k < DC_FL / 4; k++) {
        uint64_t limbs[4];
        dc_read_be(limbs, in + 32 * k, k == 0);
        if (!fp_is_canonical(limbs)) return BN254_ERR_NONCANONICAL;
        fp_to_mont(pt + wire[k], limbs);
    }
    FL(square)(rhs, pt);
    FL(mul)(rhs, rhs, pt);
    FL(add)(rhs, rhs, DC_CAT(DC_G, B)); /* x^3 + b */
    if (!FL(sqrt)(pt + DC_FL, rhs)) return BN254_ERR_NOT_ON_CURVE;
    if (FL(is_largest)(pt + DC_FL) != ((flags & DC_FLAG_LARGEST) != 0))
        FL(neg)(pt + DC_FL, pt + DC_FL);
    /* The root was squared back, so this holds; kept as the same check validate() makes. */
    if (!PT(aff_is_on_curve)(pt)) return BN254_ERR_NOT_ON_CURVE;
    if (!PT(aff_in_subgroup)(pt)) return BN254_ERR_NOT_IN_SUBGROUP;
    for (int i = 0; i < AW; i++) out[i] = pt[i];
    return BN254_OK;
}

int EXP(decompress)(uint64_t *aff_out, const uint8_t *in, size_t n, size_t *bad_index) {
    for (size_t i = 0; i < n; i++) {
        int status = PT(decompress_one)(aff_out + AW * i, in + NBYTES * i);
        if (status != BN254_OK) {
            if (bad_index) *bad_index = i;
            return status;
        }
    }
    return BN254_OK;
}

#undef PT
#undef FL
#undef EXP
#undef AW
#undef NBYTES
#undef DC_CAT
#undef DC_CAT2
#undef DC_G
#undef DC_F
#undef DC_FL
#undef DC_WIRE
