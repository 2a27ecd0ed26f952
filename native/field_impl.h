/*
 * field_impl.h - Montgomery arithmetic over one 254-bit prime, 4 x 64-bit limbs.
 *
 * A template: field.h includes it once per field after defining FIELD_NAME (the prefix),
 * FIELD_M0..FIELD_M3 (modulus limbs), FIELD_INV (-m^-1 mod 2^64), FIELD_R2_0..3 (R^2 mod m)
 * and FIELD_ONE_0..3 (R mod m). Everything is static inline so each C file gets constants
 * folded into its code. Internal header: not part of the cffi API.
 *
 * Multiplication is CIOS without the extra carry word, valid because the top limb of both
 * BN254 moduli is below (2^64 - 1) / 2 - 1 (Acar's thesis; used by gnark-crypto).
 */

#define FN_CAT2(a, b) a##_##b
#define FN_CAT(a, b) FN_CAT2(a, b)
#define FN(x) FN_CAT(FIELD_NAME, x)

static const uint64_t FN(MOD)[4] = {FIELD_M0, FIELD_M1, FIELD_M2, FIELD_M3};
static const uint64_t FN(R2)[4] = {FIELD_R2_0, FIELD_R2_1, FIELD_R2_2, FIELD_R2_3};
static const uint64_t FN(ONE)[4] = {FIELD_ONE_0, FIELD_ONE_1, FIELD_ONE_2, FIELD_ONE_3};

static inline void FN(copy)(uint64_t r[4], const uint64_t a[4]) {
    r[0] = a[0]; r[1] = a[1]; r[2] = a[2]; r[3] = a[3];
}

static inline void FN(set_zero)(uint64_t r[4]) { r[0] = r[1] = r[2] = r[3] = 0; }

static inline void FN(set_one)(uint64_t r[4]) { FN(copy)(r, FN(ONE)); }

static inline int FN(is_zero)(const uint64_t a[4]) { return (a[0] | a[1] | a[2] | a[3]) == 0; }

static inline int FN(equal)(const uint64_t a[4], const uint64_t b[4]) {
    return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0;
}

static inline int FN(is_one)(const uint64_t a[4]) { return FN(equal)(a, FN(ONE)); }

/* 1 if the canonical limbs a are < m. */
static inline int FN(is_canonical)(const uint64_t a[4]) {
    for (int i = 3; i >= 0; i--) {
        if (a[i] != FN(MOD)[i]) return a[i] < FN(MOD)[i];
    }
    return 0;
}

#if defined(__x86_64__)
/* x86-64: explicit carry chains (ADC/SBB). gcc's vectoriser turns the portable loops below
 * into slow code; these compile to straight add/adc and sub/sbb sequences on any x86-64. */

/* r = t - m if t >= m, else t; t < 2m. */
static inline void FN(reduce_once)(uint64_t r[4], const uint64_t t[4]) {
    unsigned long long s0, s1, s2, s3;
    unsigned char borrow = 0;
    borrow = _subborrow_u64(borrow, t[0], FIELD_M0, &s0);
    borrow = _subborrow_u64(borrow, t[1], FIELD_M1, &s1);
    borrow = _subborrow_u64(borrow, t[2], FIELD_M2, &s2);
    borrow = _subborrow_u64(borrow, t[3], FIELD_M3, &s3);
    const uint64_t t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3];
    r[0] = borrow ? t0 : s0;
    r[1] = borrow ? t1 : s1;
    r[2] = borrow ? t2 : s2;
    r[3] = borrow ? t3 : s3;
}

static inline void FN(add)(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    unsigned long long t[4];
    unsigned char carry = 0;
    carry = _addcarry_u64(carry, a[0], b[0], &t[0]);
    carry = _addcarry_u64(carry, a[1], b[1], &t[1]);
    carry = _addcarry_u64(carry, a[2], b[2], &t[2]);
    carry = _addcarry_u64(carry, a[3], b[3], &t[3]); /* a + b < 2m < 2^255: carry is 0 */
    FN(reduce_once)(r, (const uint64_t *)t);
}

static inline void FN(sub)(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    unsigned long long t0, t1, t2, t3, r0, r1, r2, r3;
    unsigned char borrow = 0, carry = 0;
    borrow = _subborrow_u64(borrow, a[0], b[0], &t0);
    borrow = _subborrow_u64(borrow, a[1], b[1], &t1);
    borrow = _subborrow_u64(borrow, a[2], b[2], &t2);
    borrow = _subborrow_u64(borrow, a[3], b[3], &t3);
    const uint64_t mask = 0 - (uint64_t)borrow; /* add m back when a < b */
    carry = _addcarry_u64(carry, t0, FIELD_M0 & mask, &r0);
    carry = _addcarry_u64(carry, t1, FIELD_M1 & mask, &r1);
    carry = _addcarry_u64(carry, t2, FIELD_M2 & mask, &r2);
    carry = _addcarry_u64(carry, t3, FIELD_M3 & mask, &r3);
    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
    r[3] = r3;
}

#else /* portable C */

/* r = t - m if t >= m, else t; t < 2m. */
static inline void FN(reduce_once)(uint64_t r[4], const uint64_t t[4]) {
    uint64_t s[4];
    u128 d = (u128)t[0] - FN(MOD)[0];
    s[0] = (uint64_t)d;
    uint64_t borrow = (uint64_t)(d >> 64) & 1;
    for (int i = 1; i < 4; i++) {
        d = (u128)t[i] - FN(MOD)[i] - borrow;
        s[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    uint64_t keep = 0 - borrow; /* all ones when t < m */
    for (int i = 0; i < 4; i++) r[i] = (t[i] & keep) | (s[i] & ~keep);
}

static inline void FN(add)(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    uint64_t t[4];
    u128 s = (u128)a[0] + b[0];
    t[0] = (uint64_t)s;
    for (int i = 1; i < 4; i++) {
        s = (u128)a[i] + b[i] + (uint64_t)(s >> 64);
        t[i] = (uint64_t)s;
    }
    FN(reduce_once)(r, t); /* a + b < 2m < 2^255: no carry out */
}

static inline void FN(sub)(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    uint64_t t[4];
    u128 d = (u128)a[0] - b[0];
    t[0] = (uint64_t)d;
    uint64_t borrow = (uint64_t)(d >> 64) & 1;
    for (int i = 1; i < 4; i++) {
        d = (u128)a[i] - b[i] - borrow;
        t[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    uint64_t mask = 0 - borrow; /* add m back when a < b */
    u128 s = (u128)t[0] + (FN(MOD)[0] & mask);
    r[0] = (uint64_t)s;
    for (int i = 1; i < 4; i++) {
        s = (u128)t[i] + (FN(MOD)[i] & mask) + (uint64_t)(s >> 64);
        r[i] = (uint64_t)s;
    }
}

#endif

static inline void FN(double)(uint64_t r[4], const uint64_t a[4]) { FN(add)(r, a, a); }

static inline void FN(neg)(uint64_t r[4], const uint64_t a[4]) {
    uint64_t zero[4] = {0, 0, 0, 0};
    FN(sub)(r, zero, a);
}

/* One CIOS round: t += a * bi, then t = (t + m * MOD) / 2^64 with m making it divisible. */
#define FIELD_CIOS_ROUND(bi)                                                     \
    do {                                                                         \
        u128 uv = (u128)a0 * (bi) + t0;                                          \
        uint64_t A = (uint64_t)(uv >> 64);                                       \
        uint64_t m = (uint64_t)uv * FIELD_INV;                                   \
        uint64_t C = (uint64_t)(((u128)m * FIELD_M0 + (uint64_t)uv) >> 64);      \
        uv = (u128)a1 * (bi) + t1 + A;                                           \
        A = (uint64_t)(uv >> 64);                                                \
        uv = (u128)m * FIELD_M1 + (uint64_t)uv + C;                              \
        C = (uint64_t)(uv >> 64);                                                \
        t0 = (uint64_t)uv;                                                       \
        uv = (u128)a2 * (bi) + t2 + A;                                           \
        A = (uint64_t)(uv >> 64);                                                \
        uv = (u128)m * FIELD_M2 + (uint64_t)uv + C;                              \
        C = (uint64_t)(uv >> 64);                                                \
        t1 = (uint64_t)uv;                                                       \
        uv = (u128)a3 * (bi) + t3 + A;                                           \
        A = (uint64_t)(uv >> 64);                                                \
        uv = (u128)m * FIELD_M3 + (uint64_t)uv + C;                              \
        C = (uint64_t)(uv >> 64);                                                \
        t2 = (uint64_t)uv;                                                       \
        t3 = C + A;                                                              \
    } while (0)

static inline void FN(mul)(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
#if BN254_HAVE_MULX_ASM
    uint64_t t[4];
    asm_mont_mul(t, a, b, FN(MOD), FIELD_INV);
    FN(reduce_once)(r, t);
#else
    const uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    const uint64_t b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    FIELD_CIOS_ROUND(b0);
    FIELD_CIOS_ROUND(b1);
    FIELD_CIOS_ROUND(b2);
    FIELD_CIOS_ROUND(b3);
    const uint64_t t[4] = {t0, t1, t2, t3}; /* t < 2m */
    FN(reduce_once)(r, t);
#endif
}

#undef FIELD_CIOS_ROUND

static inline void FN(square)(uint64_t r[4], const uint64_t a[4]) { FN(mul)(r, a, a); }

/* r = a^e for e given as e_len little-endian limbs (left-to-right square and multiply). */
static inline void FN(pow)(uint64_t r[4], const uint64_t a[4], const uint64_t *e, size_t e_len) {
    uint64_t acc[4], base[4];
    FN(copy)(base, a);
    FN(set_one)(acc);
    for (size_t i = e_len; i-- > 0;) {
        for (int bit = 63; bit >= 0; bit--) {
            FN(square)(acc, acc);
            if ((e[i] >> bit) & 1) FN(mul)(acc, acc, base);
        }
    }
    FN(copy)(r, acc);
}

/* r = 1/a by Fermat (a^(m-2)); a must be nonzero. */
static inline void FN(inverse)(uint64_t r[4], const uint64_t a[4]) {
    uint64_t e[4] = {FIELD_M0 - 2, FIELD_M1, FIELD_M2, FIELD_M3}; /* m0 >= 2 for both */
    FN(pow)(r, a, e, 4);
}

/* Canonical limbs (< m) -> Montgomery form. */
static inline void FN(to_mont)(uint64_t r[4], const uint64_t a[4]) { FN(mul)(r, a, FN(R2)); }

/* Montgomery form -> canonical limbs. */
static inline void FN(from_mont)(uint64_t r[4], const uint64_t a[4]) {
    const uint64_t one[4] = {1, 0, 0, 0};
    FN(mul)(r, a, one);
}

/* Any 256-bit value -> its residue mod m (at most five subtractions: 2^256 < 6m). */
static inline void FN(reduce_full)(uint64_t r[4], const uint64_t a[4]) {
    uint64_t t[4];
    FN(copy)(t, a);
    while (!FN(is_canonical)(t)) {
        u128 d = (u128)t[0] - FN(MOD)[0];
        t[0] = (uint64_t)d;
        uint64_t borrow = (uint64_t)(d >> 64) & 1;
        for (int i = 1; i < 4; i++) {
            d = (u128)t[i] - FN(MOD)[i] - borrow;
            t[i] = (uint64_t)d;
            borrow = (uint64_t)(d >> 64) & 1;
        }
    }
    FN(copy)(r, t);
}

#undef FN
#undef FN_CAT
#undef FN_CAT2
#undef FIELD_NAME
#undef FIELD_M0
#undef FIELD_M1
#undef FIELD_M2
#undef FIELD_M3
#undef FIELD_INV
#undef FIELD_R2_0
#undef FIELD_R2_1
#undef FIELD_R2_2
#undef FIELD_R2_3
#undef FIELD_ONE_0
#undef FIELD_ONE_1
#undef FIELD_ONE_2
#undef FIELD_ONE_3
