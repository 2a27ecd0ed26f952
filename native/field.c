/*
 * field.c - the exported Fp/Fr vector API of bn254.h. Each function dispatches once on the
 * field id to one of two instantiations of field_vec_impl.h, so both fields share one
 * implementation and every inner loop runs with its modulus as compile-time constants.
 */
#include "bn254.h"
#include "field.h"
#include "parallel.h"

/* Element-wise ops on at least this many elements use every core. */
#define VEC_PARALLEL_MIN 32768

#define FIELD_NAME fp
#include "field_vec_impl.h"
#define FIELD_NAME fr
#include "field_vec_impl.h"

/* Call fp_NAME(args) or fr_NAME(args) by field id; any other id is an argument error. */
#define DISPATCH(field, NAME, ...)                         \
    do {                                                   \
        if ((field) == BN254_FP) return fp_##NAME(__VA_ARGS__); \
        if ((field) == BN254_FR) return fr_##NAME(__VA_ARGS__); \
        return BN254_ERR_ARGUMENT;                         \
    } while (0)

int bn254_field_modulus(int field, uint64_t out[4]) {
    if (field == BN254_FP) { fp_copy(out, fp_MOD); return BN254_OK; }
    if (field == BN254_FR) { fr_copy(out, fr_MOD); return BN254_OK; }
    return BN254_ERR_ARGUMENT;
}

int bn254_field_one(int field, uint64_t out[4]) {
    if (field == BN254_FP) { fp_set_one(out); return BN254_OK; }
    if (field == BN254_FR) { fr_set_one(out); return BN254_OK; }
    return BN254_ERR_ARGUMENT;
}

int bn254_vec_to_mont(int field, uint64_t *out, const uint64_t *in, size_t n, int strict) {
    DISPATCH(field, vec_to_mont, out, in, n, strict);
}

int bn254_vec_from_mont(int field, uint64_t *out, const uint64_t *in, size_t n) {
    DISPATCH(field, vec_from_mont, out, in, n);
}

int bn254_vec_from_bytes(int field, uint64_t *out, const uint8_t *in, size_t n, int big_endian,
                         int strict) {
    DISPATCH(field, vec_from_bytes, out, in, n, big_endian, strict);
}

int bn254_vec_to_bytes(int field, uint8_t *out, const uint64_t *in, size_t n, int big_endian) {
    DISPATCH(field, vec_to_bytes, out, in, n, big_endian);
}

int bn254_vec_is_canonical(int field, const uint64_t *in, size_t n) {
    if (field == BN254_FP) return fp_vec_is_canonical(in, n);
    if (field == BN254_FR) return fr_vec_is_canonical(in, n);
    return 0;
}

int bn254_vec_add(int field, uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    DISPATCH(field, vec_add, out, a, b, n);
}

int bn254_vec_sub(int field, uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    DISPATCH(field, vec_sub, out, a, b, n);
}

int bn254_vec_mul(int field, uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    DISPATCH(field, vec_mul, out, a, b, n);
}

int bn254_vec_neg(int field, uint64_t *out, const uint64_t *a, size_t n) {
    DISPATCH(field, vec_neg, out, a, n);
}

int bn254_vec_square(int field, uint64_t *out, const uint64_t *a, size_t n) {
    DISPATCH(field, vec_square, out, a, n);
}

int bn254_vec_scale(int field, uint64_t *out, const uint64_t *a, const uint64_t s[4], size_t n) {
    DISPATCH(field, vec_scale, out, a, s, n);
}

int bn254_vec_pow(int field, uint64_t *out, const uint64_t *a, const uint64_t *e, size_t e_len,
                  size_t n) {
    DISPATCH(field, vec_pow, out, a, e, e_len, n);
}

int bn254_vec_inverse(int field, uint64_t *out, const uint64_t *a, uint64_t *scratch, size_t n) {
    DISPATCH(field, vec_inverse, out, a, scratch, n);
}

int bn254_vec_inner_product(int field, uint64_t out[4], const uint64_t *a, const uint64_t *b,
                            size_t n) {
    DISPATCH(field, vec_inner_product, out, a, b, n);
}

int bn254_vec_sum(int field, uint64_t out[4], const uint64_t *a, size_t n) {
    DISPATCH(field, vec_sum, out, a, n);
}

int bn254_vec_equal(int field, const uint64_t *a, const uint64_t *b, size_t n) {
    if (field == BN254_FP) return fp_vec_equal(a, b, n);
    if (field == BN254_FR) return fr_vec_equal(a, b, n);
    return 0;
}
