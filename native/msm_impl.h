/*
 * msm_impl.h - Pippenger multi-scalar multiplication over one group, a template included by
 * msm.c once per group after defining MSM_G (g1 or g2), MSM_FL (limbs per coordinate),
 * MSM_FIELD (fp or fp2), MSM_ENDO_X(r, x) (r = beta x, the GLV endomorphism's x map) and
 * MSM_BATCH_AFFINE_MIN (smallest number of GLV points, 2n, for batch-affine buckets).
 *
 * sum_i k_i P_i for affine P_i and canonical scalars k_i < r:
 *  1. scalars 0 and points at infinity are dropped, scalars 1 are summed directly (a Groth16
 *     witness is full of both), the rest are listed by index;
 *  2. each remaining k_i is split as k_i = k1 + k2 lambda (msm_glv_split, |k1|, |k2| < 2^127)
 *     and P_i becomes two points, P_i and phi(P_i) = (beta x, y) = [lambda] P_i, written
 *     side by side into scratch: the rest works on 2m points with 128-bit scalars;
 *  3. each scalar is read as signed c-bit digits d_w in [-2^(c-1), 2^(c-1)], so a window needs
 *     2^(c-1) buckets and a negative digit adds -P (a free negation; a negative k1 or k2
 *     negates all its digits);
 *  3. windows are independent: they are spread over the threads, each with its own buckets;
 *     a window's buckets are reduced by the running-sum trick (2 additions per bucket);
 *  4. the window sums are combined by Horner's rule (c doublings per window).
 * The split, the points and the signed digits are computed once (a pass over the scalars,
 * split across the threads); digits are stored window-major (int32 each), so a window reads
 * its digits and its points in order. */

#define MI_CAT2(a, b) a##_##b
#define MI_CAT(a, b) MI_CAT2(a, b)
#define PT(x) MI_CAT(MSM_G, x)
#define M(x) MI_CAT(MI_CAT(MSM_G, msm), x)
#define F(x) MI_CAT(MSM_FIELD, x)
#define FL MSM_FL
#define JW (3 * MSM_FL)
#define AW (2 * MSM_FL)
#define GLV_BITS 128 /* |k1|, |k2| < 2^127, plus the sign room of the top signed digit */

struct M(job) {
    const uint64_t *input;    /* the caller's affine points */
    const uint64_t *scalars;  /* canonical, 4 limbs each */
    const uint32_t *idx;      /* points with scalars other than 0 and 1 */
    size_t m;                 /* entries of idx */
    const uint64_t *points;   /* np = 2m affine points: P_idx[k], phi(P_idx[k]) at 2k, 2k+1 */
    size_t np;
    const int32_t *digits;    /* nwin x np signed digits, window-major */
    unsigned c, nwin;
    int threads;
    uint64_t *window_sums;    /* nwin Jacobian points */
    uint64_t *buckets;        /* per thread: thread_words words of bucket state */
    size_t thread_words;
    int batch_affine;         /* 1: affine buckets, additions batched (one inversion each) */
    size_t batch;             /* additions per batch */
};

/* The nwin signed digits of the signed 128-bit scalar v, written to out[0], out[stride], ...:
 * those of |v| (d = bits + carry, and a digit above 2^(c-1) becomes d - 2^c with a carry into
 * the next window), negated when v < 0. */
static inline void M(digits_of)(int32_t *out, size_t stride, __int128 v, unsigned c,
                                unsigned nwin) {
    const int32_t half = (int32_t)1 << (c - 1), full = (int32_t)1 << c;
    const int neg = v < 0;
    const unsigned __int128 mag = neg ? -(unsigned __int128)v : (unsigned __int128)v;
    const uint64_t s[4] = {(uint64_t)mag, (uint64_t)(mag >> 64), 0, 0};
    int32_t carry = 0;
    for (unsigned w = 0; w < nwin; w++) {
        int32_t d = (int32_t)msm_window_bits(s, w * c, c) + carry;
        carry = d > half;
        d -= carry ? full : 0;
        out[(size_t)w * stride] = neg ? -d : d;
    }
}

/* Scalars idx[begin..end): the GLV split's digits and the points P and phi(P). */
static void M(digit_task)(void *ctx, size_t begin, size_t end) {
    const struct M(job) *job = ctx;
    int32_t *digits = (int32_t *)job->digits;
    uint64_t *points = (uint64_t *)job->points;
    for (size_t k = begin; k < end; k++) {
        const size_t i = job->idx[k];
        __int128 k1, k2;
        msm_glv_split(&k1, &k2, job->scalars + 4 * i);
        M(digits_of)(digits + 2 * k, job->np, k1, job->c, job->nwin);
        M(digits_of)(digits + 2 * k + 1, job->np, k2, job->c, job->nwin);
        const uint64_t *p = job->input + (size_t)AW * i;
        uint64_t *q = points + (size_t)AW * 2 * k;
        PT(aff_copy)(q, p);
        MSM_ENDO_X(q + AW, p);
        F(copy)(q + AW + FL, p + FL);
    }
}

/* Jacobian buckets: one mixed addition per point. For small inputs, where batches would
 * be too short to amortise an inversion. */
static void M(window_jacobian)(const struct M(job) *job, size_t w, uint64_t *buckets) {
    const size_t nb = (size_t)1 << (job->c - 1);
    uint64_t neg[AW];
    const int32_t *wd = job->digits + w * job->np;
    for (size_t b = 0; b < nb; b++) PT(jac_set_inf)(buckets + b * JW);
    for (size_t k = 0; k < job->np; k++) {
        int d = wd[k];
        if (d == 0) continue;
        const uint64_t *p = job->points + (size_t)AW * k;
        uint64_t *bucket = buckets + (size_t)(d > 0 ? d - 1 : -d - 1) * JW;
        if (d < 0) {
            PT(aff_neg)(neg, p);
            p = neg;
        }
        PT(jac_add_affine)(bucket, bucket, p);
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

/* ---- batch-affine buckets ----
 * Buckets hold affine points. A pending addition bucket[b] += (+-P_i) joins the current batch
 * unless bucket b already has one there (then it waits in a queue); a batch computes all its
 * slopes with one inversion (Montgomery's trick), so an addition costs about 6 field
 * multiplications instead of the 11 of a mixed Jacobian addition. Equal x coordinates are a
 * doubling (same point: slope 3x^2 / 2y) or a cancellation (P + (-P): bucket becomes empty). */

struct M(state) {
    const struct M(job) *job;
    uint64_t *bx;        /* nb affine buckets */
    uint8_t *full;       /* bucket holds a point */
    uint8_t *busy;       /* bucket has an addition in the current batch */
    uint32_t *bb;        /* batch: bucket of each addition */
    uint32_t *bp;        /* batch: point index | sign bit 31 */
    uint64_t *den, *pre; /* batch: slope denominators and their prefix products */
    size_t nbatch;
    uint32_t *qb, *qp;   /* queue of additions waiting for a busy bucket */
    size_t nqueue;
    uint64_t *spill;     /* nb Jacobian points: additions that met a busy bucket twice */
};

static void M(load_point)(const struct M(state) *st, uint64_t out[AW], uint32_t tagged) {
    const uint64_t *p = st->job->points + (size_t)AW * (tagged & 0x7fffffffu);
    if (tagged >> 31) PT(aff_neg)(out, p);
    else PT(aff_copy)(out, p);
}

/* Slope denominators x_q - x_b (addition), 2 y_b (doubling) or 1 (cancellation) for q = +-P,
 * read without copying P: only the rare equal-x case looks at the sign. */
static inline void M(denominator)(const struct M(state) *st, uint64_t den[FL], const uint64_t *a,
                                  uint32_t tagged) {
    const uint64_t *p = st->job->points + (size_t)AW * (tagged & 0x7fffffffu);
    F(sub)(den, p, a);
    if (F(is_zero)(den)) {
        uint64_t q[AW];
        M(load_point)(st, q, tagged);
        if (F(equal)(q + FL, a + FL)) F(double)(den, a + FL);
        else F(set_one)(den);
    }
}

static void M(flush)(struct M(state) *st) {
    size_t n = st->nbatch;
    if (n == 0) return;
    uint64_t acc[FL], inv[FL], t[FL], lam[FL], x3[FL];
    F(set_one)(acc);
    for (size_t i = 0; i < n; i++) {
        if (i + 4 < n) __builtin_prefetch(st->bx + (size_t)AW * st->bb[i + 4], 1);
        uint64_t *den = st->den + (size_t)FL * i;
        M(denominator)(st, den, st->bx + (size_t)AW * st->bb[i], st->bp[i]);
        F(copy)(st->pre + (size_t)FL * i, acc);
        F(mul)(acc, acc, den);
    }
    F(inverse)(inv, acc);
    for (size_t i = n; i-- > 0;) {
        uint64_t *a = st->bx + (size_t)AW * st->bb[i];
        uint64_t *den = st->den + (size_t)FL * i;
        const uint32_t tagged = st->bp[i];
        const uint64_t *p = st->job->points + (size_t)AW * (tagged & 0x7fffffffu);
        F(mul)(t, inv, st->pre + (size_t)FL * i); /* 1 / den_i */
        F(mul)(inv, inv, den);
        st->busy[st->bb[i]] = 0;
        if (__builtin_expect(F(equal)(p, a), 0)) {
            uint64_t q[AW];
            M(load_point)(st, q, tagged);
            if (!F(equal)(q + FL, a + FL)) { /* P + (-P) */
                st->full[st->bb[i]] = 0;
                continue;
            }
            F(square)(lam, a); /* doubling: lambda = 3 x^2 / (2 y) */
            F(add)(x3, lam, lam);
            F(add)(lam, x3, lam);
            F(mul)(lam, lam, t);
            F(square)(x3, lam);
            F(sub)(x3, x3, a);
            F(sub)(x3, x3, a);
            F(sub)(t, a, x3);
            F(mul)(t, lam, t);
            F(sub)(a + FL, t, a + FL);
            F(copy)(a, x3);
            continue;
        }
        /* lambda = (+-y_p - y_a) / den. For -P, lambda' = (y_p + y_a) / den = -lambda: its
         * square is the same, and y3 = lambda (x_a - x3) - y_a = lambda' (x3 - x_a) - y_a. */
        int negative = (int)(tagged >> 31);
        if (negative) F(add)(lam, p + FL, a + FL);
        else F(sub)(lam, p + FL, a + FL);
        F(mul)(lam, lam, t);
        F(square)(x3, lam);
        F(sub)(x3, x3, a);
        F(sub)(x3, x3, p); /* x3 = lambda^2 - x_a - x_p */
        if (negative) F(sub)(t, x3, a);
        else F(sub)(t, a, x3);
        F(mul)(t, lam, t);
        F(sub)(a + FL, t, a + FL);
        F(copy)(a, x3);
    }
    st->nbatch = 0;
}

/* Add +-P (tagged point index) to bucket b now, in the batch, or via the queue. Returns 0
 * if it had to wait (bucket busy) and the caller must keep it queued. */
static int M(schedule)(struct M(state) *st, uint32_t b, uint32_t tagged) {
    if (!st->full[b]) {
        M(load_point)(st, st->bx + (size_t)AW * b, tagged);
        st->full[b] = 1;
        return 1;
    }
    if (st->busy[b]) return 0;
    st->busy[b] = 1;
    st->bb[st->nbatch] = b;
    st->bp[st->nbatch] = tagged;
    if (++st->nbatch == st->job->batch) M(flush)(st);
    return 1;
}

/* Retry the queued additions after a flush. One that meets a busy bucket again stays queued
 * for the next batch while the queue is at most half full (`keep`); past that, or when `keep`
 * is 0, it goes to the bucket's Jacobian spill (a mixed addition, 11 multiplications) rather
 * than waiting for yet another batch: with many equal digits (a witness full of small values)
 * batches would otherwise shrink to a few additions, each paying for a whole inversion. */
static void M(drain)(struct M(state) *st, int keep) {
    uint64_t q[AW];
    size_t kept = 0, limit = keep ? st->job->batch / 2 : 0;
    for (size_t k = 0; k < st->nqueue; k++) {
        if (M(schedule)(st, st->qb[k], st->qp[k])) continue;
        if (kept < limit) {
            st->qb[kept] = st->qb[k];
            st->qp[kept] = st->qp[k];
            kept++;
            continue;
        }
        uint64_t *spill = st->spill + (size_t)JW * st->qb[k];
        M(load_point)(st, q, st->qp[k]);
        PT(jac_add_affine)(spill, spill, q);
    }
    st->nqueue = kept;
}

/* dst[i] += src[i] for k pairs of finite affine points with one inversion (Montgomery's
 * trick); dst[i] becomes the all-zero affine point (infinity) on a cancellation. The dst[i]
 * are distinct and no src[i] is a dst[j]; den and pre hold k coordinates each. */
static void M(batch_add)(uint64_t *const *dst, const uint64_t *const *src, size_t k,
                         uint64_t *den, uint64_t *pre) {
    if (k == 0) return;
    uint64_t acc[FL], inv[FL], t[FL], lam[FL], x3[FL];
    F(set_one)(acc);
    for (size_t i = 0; i < k; i++) {
        const uint64_t *a = dst[i], *q = src[i];
        uint64_t *d = den + (size_t)FL * i;
        F(sub)(d, q, a);
        if (F(is_zero)(d)) {
            if (F(equal)(q + FL, a + FL)) F(double)(d, a + FL);
            else F(set_one)(d);
        }
        F(copy)(pre + (size_t)FL * i, acc);
        F(mul)(acc, acc, d);
    }
    F(inverse)(inv, acc);
    for (size_t i = k; i-- > 0;) {
        uint64_t *a = dst[i];
        const uint64_t *q = src[i];
        F(mul)(t, inv, pre + (size_t)FL * i);
        F(mul)(inv, inv, den + (size_t)FL * i);
        if (__builtin_expect(F(equal)(q, a), 0)) {
            if (!F(equal)(q + FL, a + FL)) { /* P + (-P) */
                F(set_zero)(a);
                F(set_zero)(a + FL);
                continue;
            }
            F(square)(lam, a); /* doubling: lambda = 3 x^2 / (2 y) */
            F(add)(x3, lam, lam);
            F(add)(lam, x3, lam);
            F(mul)(lam, lam, t);
        } else {
            F(sub)(lam, q + FL, a + FL);
            F(mul)(lam, lam, t);
        }
        F(square)(x3, lam);
        F(sub)(x3, x3, a);
        F(sub)(x3, x3, q);
        F(sub)(t, a, x3);
        F(mul)(t, lam, t);
        F(sub)(a + FL, t, a + FL);
        F(copy)(a, x3);
    }
}

/* r = [k] p for a small k >= 1 (binary double-and-add, Jacobian). */
static void M(small_mul)(uint64_t r[JW], const uint64_t p[JW], uint32_t k) {
    uint64_t acc[JW];
    int top = 31 - __builtin_clz(k);
    PT(jac_copy)(acc, p);
    for (int bit = top - 1; bit >= 0; bit--) {
        PT(jac_double)(acc, acc);
        if ((k >> bit) & 1) PT(jac_add)(acc, acc, p);
    }
    PT(jac_copy)(r, acc);
}

/* Reduction sum_b (b+1) bucket_b with affine arithmetic: the nb buckets are cut into S
 * segments of L; the S running sums (run_s, acc_s) advance in lock step, so each step is a
 * batch of S affine additions sharing one inversion (about 6 multiplications each, where a
 * Jacobian running sum costs 11 + 16). A segment starting at bucket sL gives
 * acc_s = sum_{b in s} (b - sL + 1) bucket_b and run_s = its plain sum, so the window sum is
 * sum_s acc_s + L sum_s s run_s, the last by a short Jacobian running sum over s. `mem`
 * holds 2 S affine points; spilled (Jacobian) buckets are not included. */
static void M(reduce_affine)(const struct M(state) *st, size_t nb, size_t S, uint64_t *mem,
                             uint64_t out[JW]) {
    const size_t L = nb / S;
    uint64_t *run = mem, *acc = mem + S * AW;
    uint64_t *dst[S];
    const uint64_t *src[S];
    memset(mem, 0, 2 * S * AW * sizeof(uint64_t));
    for (size_t j = 0; j < L; j++) {
        size_t k = 0;
        for (size_t s = 0; s < S; s++) {
            size_t b = s * L + (L - 1 - j);
            if (!st->full[b]) continue;
            uint64_t *r = run + s * AW;
            const uint64_t *bk = st->bx + b * AW;
            if (PT(aff_is_inf)(r)) { PT(aff_copy)(r, bk); continue; }
            dst[k] = r;
            src[k++] = bk;
        }
        M(batch_add)(dst, src, k, st->den, st->pre);
        k = 0;
        for (size_t s = 0; s < S; s++) {
            uint64_t *r = run + s * AW, *a = acc + s * AW;
            if (PT(aff_is_inf)(r)) continue;
            if (PT(aff_is_inf)(a)) { PT(aff_copy)(a, r); continue; }
            dst[k] = a;
            src[k++] = r;
        }
        M(batch_add)(dst, src, k, st->den, st->pre);
    }
    uint64_t total[JW], rs[JW], ws[JW];
    PT(jac_set_inf)(total);
    PT(jac_set_inf)(rs);
    PT(jac_set_inf)(ws);
    for (size_t s = S; s-- > 0;) {
        if (!PT(aff_is_inf)(acc + s * AW)) PT(jac_add_affine)(total, total, acc + s * AW);
        if (s == 0) break;
        if (!PT(aff_is_inf)(run + s * AW)) PT(jac_add_affine)(rs, rs, run + s * AW);
        PT(jac_add)(ws, ws, rs); /* ws = sum_{s' >= s} run-sums = sum_s s run_s at the end */
    }
    for (size_t l = L; l > 1; l >>= 1) PT(jac_double)(ws, ws);
    PT(jac_add)(out, total, ws);
}

static void M(window_batch_affine)(const struct M(job) *job, size_t w, uint64_t *mem) {
    const size_t nb = (size_t)1 << (job->c - 1), B = job->batch;
    struct M(state) st;
    st.job = job;
    st.bx = mem;
    st.den = st.bx + nb * AW;
    st.pre = st.den + B * FL;
    st.bb = (uint32_t *)(st.pre + B * FL);
    st.bp = st.bb + B;
    st.qb = st.bp + B;
    st.qp = st.qb + B;
    st.spill = (uint64_t *)(st.qp + B);
    st.full = (uint8_t *)(st.spill + nb * JW);
    st.busy = st.full + nb;
    st.nbatch = st.nqueue = 0;
    const int32_t *wd = job->digits + w * job->np;
    for (size_t b = 0; b < nb; b++) {
        st.full[b] = st.busy[b] = 0;
        PT(jac_set_inf)(st.spill + b * JW);
    }

    for (size_t k = 0; k < job->np; k++) {
        int d = wd[k];
        if (d == 0) continue;
        uint32_t b = (uint32_t)(d > 0 ? d - 1 : -d - 1);
        uint32_t tagged = (uint32_t)k | (d < 0 ? 0x80000000u : 0);
        if (M(schedule)(&st, b, tagged)) continue;
        st.qb[st.nqueue] = b;
        st.qp[st.nqueue] = tagged;
        if (++st.nqueue == B) { /* queue full: finish the batch, then retry the queue */
            M(flush)(&st);
            M(drain)(&st, 1);
        }
    }
    /* Retry the queue in fresh batches while that makes progress (a quarter of it per
     * round); the rest (many additions to a few buckets) goes to the spills. */
    while (st.nqueue > 0) {
        size_t before = st.nqueue;
        M(flush)(&st);
        M(drain)(&st, 1);
        if (st.nqueue * 4 > before * 3) {
            M(flush)(&st);
            M(drain)(&st, 0);
        }
    }
    M(flush)(&st);

    /* Affine reduction unless many buckets spilled (then the Jacobian running sum below);
     * the few spilled buckets are weighted one by one. */
    size_t S = nb / (nb >= 4096 ? 16 : 8), spilled = 0;
    if (S > B) S = B;
    for (size_t b = 0; b < nb && spilled <= nb / 32; b++)
        spilled += !PT(jac_is_inf)(st.spill + b * JW);
    if (S >= 64 && spilled <= nb / 32) {
        uint64_t sum[JW], t[JW];
        PT(jac_set_inf)(sum);
        for (size_t b = 0; b < nb && spilled > 0; b++) {
            if (PT(jac_is_inf)(st.spill + b * JW)) continue;
            M(small_mul)(t, st.spill + b * JW, (uint32_t)(b + 1));
            PT(jac_add)(sum, sum, t);
            spilled--;
        }
        /* the spills are consumed: their memory (nb Jacobian points) holds the 2 S sums */
        M(reduce_affine)(&st, nb, S, st.spill, t);
        PT(jac_add)(job->window_sums + w * JW, sum, t);
        return;
    }
    uint64_t run[JW], acc[JW];
    PT(jac_set_inf)(run);
    PT(jac_set_inf)(acc);
    for (size_t b = nb; b-- > 0;) {
        if (st.full[b]) PT(jac_add_affine)(run, run, st.bx + b * AW);
        if (!PT(jac_is_inf)(st.spill + b * JW)) PT(jac_add)(run, run, st.spill + b * JW);
        PT(jac_add)(acc, acc, run);
    }
    PT(jac_copy)(job->window_sums + w * JW, acc);
}

static void M(window_task)(void *ctx, size_t begin, size_t end) {
    const struct M(job) *job = ctx;
    /* parallel_for hands thread t the windows [nwin*t/T, nwin*(t+1)/T): recover t. */
    int t = 0;
    while (t + 1 < job->threads && job->nwin * (size_t)(t + 1) / job->threads <= begin) t++;
    uint64_t *mem = job->buckets + (size_t)t * job->thread_words;
    for (size_t w = begin; w < end; w++) {
        if (job->batch_affine) M(window_batch_affine)(job, w, mem);
        else M(window_jacobian)(job, w, mem);
    }
}

/* Window size from the number of (GLV) points: about log2(n) - 3, in [2, 16]. */
static unsigned M(window_bits)(size_t n) {
    unsigned lg = 0;
    while (((size_t)1 << (lg + 1)) <= n) lg++;
    int c = (int)lg - 3;
    if (c < 2) c = 2;
    if (c > 16) c = 16;
    return (unsigned)c;
}


/* The plan for np = 2n GLV points. */
static void M(plan)(struct M(job) *job, size_t np, int threads) {
    job->c = M(window_bits)(np);
    job->nwin = (GLV_BITS + job->c - 1) / job->c; /* c nwin >= 128: the top digit never carries */
    job->threads = parallel_threads(threads, job->nwin);
    const size_t nb = (size_t)1 << (job->c - 1);
    job->batch_affine = np >= MSM_BATCH_AFFINE_MIN;
    /* Half the bucket count per batch (measured best: bigger batches share an inversion
     * among more additions but meet busy buckets more often). */
    size_t B = nb / 2;
    if (B < 64) B = 64;
    if (B > 2048) B = 2048;
    job->batch = B;
    if (job->batch_affine)
        job->thread_words = nb * AW + 2 * B * FL + 2 * B + nb * JW + (2 * nb + 7) / 8;
    else
        job->thread_words = nb * JW;
}

/* Scratch after idx for m scalars left (2m points) under `job`'s plan. */
static size_t M(work_words)(const struct M(job) *job, size_t m) {
    return (size_t)job->nwin * m                 /* digits of 2m points, int32 each */
           + 2 * m * AW                          /* the GLV points */
           + (size_t)job->nwin * JW              /* window sums */
           + (size_t)job->threads * job->thread_words;
}

/* idx, then the most work_words any m <= n needs: the plan depends on m only through
 * floor(log2(2m)), and within one plan the words grow with m. */
static size_t M(scratch_words)(size_t n, int threads) {
    size_t most = 0;
    for (size_t lo = 1; lo <= n; lo *= 2) {
        size_t m = lo * 2 - 1 < n ? lo * 2 - 1 : n;
        struct M(job) job;
        M(plan)(&job, 2 * m, threads);
        size_t w = M(work_words)(&job, m);
        if (w > most) most = w;
    }
    return (n + 1) / 2 + most; /* idx, uint32 each */
}

static int M(run)(uint64_t out[JW], const uint64_t *points, const uint64_t *scalars, size_t n,
                  uint64_t *scratch, size_t scratch_words, int threads) {
    if (n >= ((size_t)1 << 30)) return BN254_ERR_ARGUMENT; /* 2n point indices in 31 bits */
    if (scratch_words < M(scratch_words)(n, threads)) return BN254_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++)
        if (!fr_is_canonical(scalars + 4 * i)) return BN254_ERR_NONCANONICAL;

    uint32_t *idx = (uint32_t *)scratch;
    size_t m = 0;
    uint64_t ones[JW];
    PT(jac_set_inf)(ones);
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
    if (m == 0) {
        PT(jac_copy)(out, ones);
        return BN254_OK;
    }

    /* Planned for the 2m points that remain (scratch_words(n) covers any m <= n). */
    struct M(job) job;
    M(plan)(&job, 2 * m, threads);
    job.input = points;
    job.scalars = scalars;
    job.idx = idx;
    job.m = m;
    job.np = 2 * m;
    int32_t *digits = (int32_t *)(scratch + (n + 1) / 2);
    job.digits = digits;
    job.points = scratch + (n + 1) / 2 + (size_t)job.nwin * m;
    job.window_sums = (uint64_t *)job.points + 2 * m * AW;
    job.buckets = job.window_sums + (size_t)job.nwin * JW;
    parallel_for(m, parallel_threads(threads, m / 4096 + 1), M(digit_task), &job);
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
#undef MSM_FIELD
#undef MSM_BATCH_AFFINE_MIN
#undef MSM_ENDO_X
#undef GLV_BITS
#undef F
#undef FL
