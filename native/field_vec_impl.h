/*
 * field_vec_impl.h - vector operations for one field, a template included by field.c once per
 * field with FIELD_NAME defined (fp or fr). Names come out as fp_vec_add, fr_vec_add, ...
 */

#define VN_CAT2(a, b) a##_##b
#define VN_CAT(a, b) VN_CAT2(a, b)
#define F(x) VN_CAT(FIELD_NAME, x)

static void F(load_bytes)(uint64_t limbs[4], const uint8_t *in, int big_endian) {
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int k = 0; k < 8; k++) {
            /* byte j of the little-endian value */
            int j = 8 * i + k;
            uint8_t byte = big_endian ? in[31 - j] : in[j];
            w |= (uint64_t)byte << (8 * k);
        }
        limbs[i] = w;
    }
}

static void F(store_bytes)(uint8_t *out, const uint64_t limbs[4], int big_endian) {
    for (int j = 0; j < 32; j++) {
        uint8_t byte = (uint8_t)(limbs[j / 8] >> (8 * (j % 8)));
        if (big_endian) out[31 - j] = byte; else out[j] = byte;
    }
}

static int F(vec_to_mont)(uint64_t *out, const uint64_t *in, size_t n, int strict) {
    if (strict) {
        for (size_t i = 0; i < n; i++)
            if (!F(is_canonical)(in + 4 * i)) return BN254_ERR_NONCANONICAL;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t t[4];
        F(reduce_full)(t, in + 4 * i);
        F(to_mont)(out + 4 * i, t);
    }
    return BN254_OK;
}

static int F(vec_from_mont)(uint64_t *out, const uint64_t *in, size_t n) {
    for (size_t i = 0; i < n; i++) F(from_mont)(out + 4 * i, in + 4 * i);
    return BN254_OK;
}

static int F(vec_from_bytes)(uint64_t *out, const uint8_t *in, size_t n, int big_endian,
                             int strict) {
    uint64_t t[4];
    if (strict) {
        for (size_t i = 0; i < n; i++) {
            F(load_bytes)(t, in + 32 * i, big_endian);
            if (!F(is_canonical)(t)) return BN254_ERR_NONCANONICAL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        F(load_bytes)(t, in + 32 * i, big_endian);
        F(reduce_full)(t, t);
        F(to_mont)(out + 4 * i, t);
    }
    return BN254_OK;
}

static int F(vec_to_bytes)(uint8_t *out, const uint64_t *in, size_t n, int big_endian) {
    uint64_t t[4];
    for (size_t i = 0; i < n; i++) {
        F(from_mont)(t, in + 4 * i);
        F(store_bytes)(out + 32 * i, t, big_endian);
    }
    return BN254_OK;
}

static int F(vec_is_canonical)(const uint64_t *in, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!F(is_canonical)(in + 4 * i)) return 0;
    return 1;
}

/* Element-wise jobs: large vectors are split across cores (cffi released the GIL). */
struct F(vec_job) {
    uint64_t *out;
    const uint64_t *a, *b;
    uint64_t s[4];
};

static void F(run_job)(size_t n, parallel_task task, struct F(vec_job) *job) {
    int threads = n >= VEC_PARALLEL_MIN ? parallel_threads(0, n / (VEC_PARALLEL_MIN / 2)) : 1;
    parallel_for(n, threads, task, job);
}

/* Defines F(vec_NAME)(out, a, b, n) applying EXPR to element i over [begin, end). */
#define VEC_ELEMENTWISE(NAME, EXPR)                                                 \
    static void F(NAME##_task)(void *ctx, size_t begin, size_t end) {               \
        struct F(vec_job) *j = ctx;                                                 \
        for (size_t i = begin; i < end; i++) EXPR;                                  \
    }

VEC_ELEMENTWISE(add, F(add)(j->out + 4 * i, j->a + 4 * i, j->b + 4 * i))
VEC_ELEMENTWISE(sub, F(sub)(j->out + 4 * i, j->a + 4 * i, j->b + 4 * i))
VEC_ELEMENTWISE(mul, F(mul)(j->out + 4 * i, j->a + 4 * i, j->b + 4 * i))
VEC_ELEMENTWISE(neg, F(neg)(j->out + 4 * i, j->a + 4 * i))
VEC_ELEMENTWISE(square, F(square)(j->out + 4 * i, j->a + 4 * i))
VEC_ELEMENTWISE(scale, F(mul)(j->out + 4 * i, j->a + 4 * i, j->s))
#undef VEC_ELEMENTWISE

static int F(vec_add)(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    struct F(vec_job) job = {out, a, b, {0}};
    F(run_job)(n, F(add_task), &job);
    return BN254_OK;
}

static int F(vec_sub)(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    struct F(vec_job) job = {out, a, b, {0}};
    F(run_job)(n, F(sub_task), &job);
    return BN254_OK;
}

static int F(vec_mul)(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    struct F(vec_job) job = {out, a, b, {0}};
    F(run_job)(n, F(mul_task), &job);
    return BN254_OK;
}

static int F(vec_neg)(uint64_t *out, const uint64_t *a, size_t n) {
    struct F(vec_job) job = {out, a, NULL, {0}};
    F(run_job)(n, F(neg_task), &job);
    return BN254_OK;
}

static int F(vec_square)(uint64_t *out, const uint64_t *a, size_t n) {
    struct F(vec_job) job = {out, a, NULL, {0}};
    F(run_job)(n, F(square_task), &job);
    return BN254_OK;
}

static int F(vec_scale)(uint64_t *out, const uint64_t *a, const uint64_t s[4], size_t n) {
    struct F(vec_job) job = {out, a, NULL, {s[0], s[1], s[2], s[3]}}; /* s may alias out */
    F(run_job)(n, F(scale_task), &job);
    return BN254_OK;
}

static int F(vec_pow)(uint64_t *out, const uint64_t *a, const uint64_t *e, size_t e_len,
                      size_t n) {
    for (size_t i = 0; i < n; i++) F(pow)(out + 4 * i, a + 4 * i, e, e_len);
    return BN254_OK;
}

/* Montgomery's trick: scratch[i] = a[0]*...*a[i]; one inversion; walk back. */
static int F(vec_inverse)(uint64_t *out, const uint64_t *a, uint64_t *scratch, size_t n) {
    if (n == 0) return BN254_OK;
    for (size_t i = 0; i < n; i++)
        if (F(is_zero)(a + 4 * i)) return BN254_ERR_ZERO_INVERSE;
    F(copy)(scratch, a);
    for (size_t i = 1; i < n; i++) F(mul)(scratch + 4 * i, scratch + 4 * (i - 1), a + 4 * i);
    uint64_t inv[4], t[4];
    F(inverse)(inv, scratch + 4 * (n - 1)); /* 1 / (a0 ... a_{n-1}) */
    for (size_t i = n - 1; i > 0; i--) {
        F(copy)(t, a + 4 * i);                         /* a may alias out */
        F(mul)(out + 4 * i, inv, scratch + 4 * (i - 1)); /* 1 / a_i */
        F(mul)(inv, inv, t);                           /* 1 / (a0 ... a_{i-1}) */
    }
    F(copy)(out, inv);
    return BN254_OK;
}

static int F(vec_inner_product)(uint64_t out[4], const uint64_t *a, const uint64_t *b,
                                size_t n) {
    uint64_t acc[4], t[4];
    F(set_zero)(acc);
    for (size_t i = 0; i < n; i++) {
        F(mul)(t, a + 4 * i, b + 4 * i);
        F(add)(acc, acc, t);
    }
    F(copy)(out, acc);
    return BN254_OK;
}

static int F(vec_sum)(uint64_t out[4], const uint64_t *a, size_t n) {
    uint64_t acc[4];
    F(set_zero)(acc);
    for (size_t i = 0; i < n; i++) F(add)(acc, acc, a + 4 * i);
    F(copy)(out, acc);
    return BN254_OK;
}

static int F(vec_equal)(const uint64_t *a, const uint64_t *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!F(equal)(a + 4 * i, b + 4 * i)) return 0;
    return 1;
}

#undef F
#undef VN_CAT
#undef VN_CAT2
#undef FIELD_NAME
