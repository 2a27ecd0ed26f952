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

/* Status of the first invalid point of aff[begin, end), its index in *bad. */
static int PT(validate_range)(const uint64_t *aff, size_t begin, size_t end, int check_subgroup,
                              size_t *bad) {
    for (size_t i = begin; i < end; i++) {
        const uint64_t *a = aff + AW * i;
        int status = BN254_OK;
        for (int k = 0; k < AW; k += 4)
            if (!fp_is_canonical(a + k)) status = BN254_ERR_NONCANONICAL;
        if (status == BN254_OK && !PT(aff_is_on_curve)(a)) status = BN254_ERR_NOT_ON_CURVE;
        if (status == BN254_OK && check_subgroup && !PT(aff_in_subgroup)(a))
            status = BN254_ERR_NOT_IN_SUBGROUP;
        if (status != BN254_OK) {
            *bad = i;
            return status;
        }
    }
    return BN254_OK;
}

struct PT(validate_job) {
    const uint64_t *aff;
    size_t n;
    int check_subgroup, threads;
    int status[VALIDATE_MAX_THREADS];
    size_t bad[VALIDATE_MAX_THREADS];
};

static void PT(validate_task)(void *ctx, size_t begin, size_t end) {
    struct PT(validate_job) *job = ctx;
    int t = 0; /* parallel_for's chunk t starts at n*t/T */
    while (t + 1 < job->threads && job->n * (size_t)(t + 1) / job->threads <= begin) t++;
    job->status[t] = PT(validate_range)(job->aff, begin, end, job->check_subgroup, &job->bad[t]);
}

int EXP(validate)(const uint64_t *aff, size_t n, int check_subgroup, size_t *bad_index,
                  int threads) {
    struct PT(validate_job) job = {.aff = aff, .n = n, .check_subgroup = check_subgroup};
    /* Only the G2 subgroup test is costly enough to be worth threads. */
    job.threads = check_subgroup && AW == 16 && n >= 16 ? parallel_threads(threads, n) : 1;
    if (job.threads > VALIDATE_MAX_THREADS) job.threads = VALIDATE_MAX_THREADS;
    for (int t = 0; t < job.threads; t++) job.status[t] = BN254_OK;
    parallel_for(n, job.threads, PT(validate_task), &job);
    for (int t = 0; t < job.threads; t++) { /* chunks are in order: the first failure wins */
        if (job.status[t] != BN254_OK) {
            if (bad_index) *bad_index = job.bad[t];
            return job.status[t];
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
