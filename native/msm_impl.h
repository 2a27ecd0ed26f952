/*
 * msm_impl.h - Pippenger multi-scalar multiplication over one group, a template included by
 * msm.c once per group after defining MSM_G (g1 or g2) and MSM_FL (limbs per coordinate).
 *
 * sum_i k_i P_i for affine P_i and canonical scalars k_i < r:
 *  1. scalars 0 and points at infinity are dropped, scalars 1 are summed directly (a Groth16
 *     witness is full of both), the rest are listed by index;
 *  2. each scalar is read as signed c-bit digits d_w in [-2^(c-1), 2^(c-1)], so a window needs
 *     2^(c-1) buckets and a negative digit adds -P (a free negation);
 *  3. windows are independent: they are spread over the threads, each with its own buckets;
 *     a window's buckets are reduced by the running-sum trick (2 additions per bucket);
 *  4. the window sums are combined by Horner's rule (c doublings per window).
 * The digits are recomputed on the fly rather than stored: the carry into window w is 1
 * exactly when the scalar's low c*w bits exceed H_w = sum_{j<w} 2^(c-1) 2^(cj) (the largest
 * value the lower signed digits can reach), which a top-down comparison of the lower windows
 * with 2^(c-1) settles, almost always at the first one.
 */

#define MI_CAT2(a, b) a##_##b
#define MI_CAT(a, b) MI_CAT2(a, b)
#define PT(x) MI_CAT(MSM_G, x)
#define M(x) MI_CAT(MI_CAT(MSM_G, msm), x)
#define JW (3 * MSM_FL)
#define AW (2 * MSM_FL)

struct M(job) {
    const uint64_t *points;   /* affine */
    const uint64_t *scalars;  /* canonical, 4 limbs each */
    const uint32_t *idx;      /* points with scalars other than 0 and 1 */
    size_t m;                 /* entries of idx */
    unsigned c, nwin;
    int threads;
    size_t nwin_total;        /* windows handed to parallel_for */
    uint64_t *window_sums;    /* nwin Jacobian points */
    uint64_t *buckets;        /* threads * 2^(c-1) Jacobian points */
};

/* Signed digit of window w of scalar s (see the header comment). */
static inline int M(digit)(const uint64_t s[4], unsigned w, unsigned c) {
    const uint32_t half = 1u << (c - 1);
    uint32_t raw = msm_window_bits(s, w * c, c);
    uint32_t carry = 0;
    for (unsigned j = w; j-- > 0;) {
        uint32_t low = msm_window_bits(s, j * c, c);
        if (low != half) { carry = low > half; break; }
    }
    int d = (int)(raw + carry);
    if (d > (int)half) d -= (int)(1u << c);
    return d;
}

static void M(window_task)(void *ctx, size_t begin, size_t end) {
    struct M(job) *job = ctx;
    /* parallel_for hands thread t the windows [nwin*t/T, nwin*(t+1)/T): recover t. */
    int t = 0;
    while (t + 1 < job->threads && job->nwin_total * (size_t)(t + 1) / job->threads <= begin) t++;
    const size_t nb = (size_t)1 << (job->c - 1);
    uint64_t *buckets = job->buckets + (size_t)t * nb * JW;
    uint64_t neg[AW];
    for (size_t w = begin; w < end; w++) {
        for (size_t b = 0; b < nb; b++) PT(jac_set_inf)(buckets + b * JW);
        for (size_t k = 0; k < job->m; k++) {
            uint32_t i = job->idx[k];
            int d = M(digit)(job->scalars + 4 * (size_t)i, (unsigned)w, job->c);
            if (d == 0) continue;
            const uint64_t *p = job->points + (size_t)AW * i;
            if (d > 0) {
                PT(jac_add_affine)(buckets + (size_t)(d - 1) * JW, buckets + (size_t)(d - 1) * JW,
                                   p);
            } else {
                PT(aff_neg)(neg, p);
                PT(jac_add_affine)(buckets + (size_t)(-d - 1) * JW,
                                   buckets + (size_t)(-d - 1) * JW, neg);
            }
        }
        /* sum_b (b+1) B_b = sum over b of the running sums from the top bucket down. */
        uint64_t run[JW], acc[JW];
        PT(jac_set_inf)(run);
        PT(jac_set_inf)(acc);
        for (size_t b = nb; b-- > 0;) {
            PT(jac_add)(run, run, buckets + b * JW);
            PT(jac_add)(acc, acc, run);
        }
        PT(jac_copy)(job->window_sums + w * JW, acc);
    }
}

/* Window size from the number of points: about log2(n) - 3, in [2, 16]. */
static unsigned M(window_bits)(size_t n) {
    unsigned lg = 0;
    while (((size_t)1 << (lg + 1)) <= n) lg++;
    int c = (int)lg - 3;
    if (c < 2) c = 2;
    if (c > 16) c = 16;
    return (unsigned)c;
}

static size_t M(scratch_words)(size_t n, int threads) {
    unsigned c = M(window_bits)(n);
    unsigned nwin = (255 + c - 1) / c;
    int t = parallel_threads(threads, nwin);
    return (n + 1) / 2                                 /* idx, uint32 each */
           + (size_t)nwin * JW                         /* window sums */
           + (size_t)t * ((size_t)1 << (c - 1)) * JW; /* buckets */
}

static int M(run)(uint64_t out[JW], const uint64_t *points, const uint64_t *scalars, size_t n,
                  uint64_t *scratch, size_t scratch_words, int threads) {
    if (n > ((size_t)1 << 31)) return BN254_ERR_ARGUMENT;
    if (scratch_words < M(scratch_words)(n, threads)) return BN254_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++)
        if (!fr_is_canonical(scalars + 4 * i)) return BN254_ERR_NONCANONICAL;

    struct M(job) job;
    job.c = M(window_bits)(n);
    job.nwin = (255 + job.c - 1) / job.c; /* c * nwin >= 255: the top digit never carries out */
    job.threads = parallel_threads(threads, job.nwin);
    job.nwin_total = job.nwin;
    job.points = points;
    job.scalars = scalars;
    uint32_t *idx = (uint32_t *)scratch;
    job.idx = idx;
    job.window_sums = scratch + (n + 1) / 2;
    job.buckets = job.window_sums + (size_t)job.nwin * JW;

    uint64_t ones[JW];
    PT(jac_set_inf)(ones);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const uint64_t *s = scalars + 4 * i;
        const uint64_t *p = points + AW * i;
        if ((s[1] | s[2] | s[3]) == 0 && s[0] <= 1) {
            if (s[0] == 1) PT(jac_add_affine)(ones, ones, p);
            continue;
        }
        if (PT(aff_is_inf)(p)) continue;
        idx[m++] = (uint32_t)i;
    }
    job.m = m;
    if (m == 0) {
        PT(jac_copy)(out, ones);
        return BN254_OK;
    }
    parallel_for(job.nwin, job.threads, M(window_task), &job);

    uint64_t acc[JW];
    PT(jac_copy)(acc, job.window_sums + (size_t)(job.nwin - 1) * JW);
    for (size_t w = job.nwin - 1; w-- > 0;) {
        for (unsigned k = 0; k < job.c; k++) PT(jac_double)(acc, acc);
        PT(jac_add)(acc, acc, job.window_sums + w * JW);
    }
    PT(jac_add)(out, acc, ones);
    return BN254_OK;
}

#undef PT
#undef M
#undef JW
#undef AW
#undef MI_CAT
#undef MI_CAT2
#undef MSM_G
#undef MSM_FL
