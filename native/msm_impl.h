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
 *  4. windows are independent: they are spread over the threads, each with its own buckets;
 *     from MSM_BATCH_AFFINE_MIN points on, buckets are affine and filled by batches of
 *     additions sharing one inversion (below), else Jacobian; a window's buckets are reduced
 *     by the running-sum trick (2 additions per bucket);
 *  5. the window sums are combined by Horner's rule (c doublings per window).
 * The plan (c, batch sizes) is made for the 2m points left after step 1.
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
#ifndef MSM_PREFETCH
#define MSM_PREFETCH 16 /* points read ahead when copying a group (random reads: sorted) */
#endif
#define GLV_BITS 128
/* Words of batch_add's den and pre for k additions: k coordinates, or k / 8 8-lane vectors of
 * 52-bit limbs (5 words per Fp) aligned to 64 bytes. */
#define MSM_BATCH_WORDS(k) ((k) * 5 * FL / 4 + 8)
#define MSM_ALIGN64(p) ((uint64_t *)(((uintptr_t)(p) + 63) & ~(uintptr_t)63)) /* |k1|, |k2| < 2^127, plus the sign room of the top signed digit */

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
    size_t batch;             /* B: at most B additions per batch, groups of 2 B points */
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
 * Buckets hold affine points, and additions go in large batches that share one inversion
 * (Montgomery's trick), so an addition costs about 6 field multiplications instead of the 11
 * of a mixed Jacobian addition. A window sorts its points by bucket (a counting sort of the
 * digits), then takes the sorted list in groups of at most `cap` points, copied (negated for a
 * negative digit) into a buffer where each bucket's points form a segment; rounds of pairwise
 * additions halve every segment at once (pairs at distance 1, 2, 4, ... in place), each
 * round one batch, until every segment is one point. No two additions of a batch touch one
 * point, so crowded buckets (a witness full of small values) only cost more rounds. A bucket
 * with more than `cap` points is cut into several segments; the sums of the later ones go to
 * a spill list, weighted one by one at the end. */

struct M(state) {
    const struct M(job) *job;
    uint64_t *bx;        /* nb affine buckets */
    uint8_t *full;       /* bucket holds a point */
    uint64_t *spill;     /* np / cap + 1 affine points: sums of a crowded bucket's later */
    uint32_t *spill_bucket; /* segments, and their buckets */
    size_t nspill;
    uint64_t *den, *pre; /* MSM_BATCH_WORDS(cap / 2) each: a batch's denominators, prefixes */
    uint64_t *buf;       /* cap affine points: the group being summed */
    uint64_t **dst;      /* cap / 2 pointers each: a round's additions */
    const uint64_t **src;
    uint32_t *count;     /* nb + 1: points per bucket, then each bucket's start in `list` */
    uint32_t *list;      /* np tagged point indices (index | sign bit 31), sorted by bucket */
    uint32_t *seg;       /* cap x (bucket, start, length): the group's segments */
};

#if BN254_HAVE_IFMA
#define VF(x) MI_CAT(MSM_VF, x)

/* The 8-lane part of batch_add on pairs [0, kv), kv a multiple of 16, no pair with equal x:
 * chunk c (pairs 8c..8c+7) takes the running product of chain c mod 2 (two chains, so two
 * multiplications are in flight), stores its denominators and prefixes, and leaves the 16
 * chain products in `lanes`. */
IFMA_TARGET static void M(vec_forward)(uint64_t *const *dst, const uint64_t *const *src,
                                      size_t kv, MSM_VF *den, MSM_VF *pre,
                                      uint64_t lanes[16][FL]) {
    MSM_VF acc[2], dx, sx;
    VF(set_const)(&acc[0], VFP_ONE);
    acc[1] = acc[0];
    for (size_t c = 0; c < kv / 8; c++) {
        const __m512i ad = _mm512_loadu_si512((const void *)(dst + 8 * c));
        const __m512i as = _mm512_loadu_si512((const void *)(src + 8 * c));
        VF(gather)(&dx, ad, 0);
        VF(gather)(&sx, as, 0);
        VF(sub)(&den[c], &sx, &dx);
        pre[c] = acc[c & 1];
        VF(mul)(&acc[c & 1], &acc[c & 1], &den[c]);
    }
    VF(get_lanes)(lanes, &acc[0]);
    VF(get_lanes)(lanes + 8, &acc[1]);
}

/* The rest of the 8-lane part, from the inverses of the 16 chain products. */
IFMA_TARGET static void M(vec_backward)(uint64_t *const *dst, const uint64_t *const *src,
                                       size_t kv, const MSM_VF *den, const MSM_VF *pre,
                                       uint64_t inv_lanes[16][FL]) {
    MSM_VF inv[2], t, dx, dy, sx, sy, lam, x3, u;
    VF(set_lanes)(&inv[0], inv_lanes);
    VF(set_lanes)(&inv[1], inv_lanes + 8);
    for (size_t c = kv / 8; c-- > 0;) {
        const __m512i ad = _mm512_loadu_si512((const void *)(dst + 8 * c));
        const __m512i as = _mm512_loadu_si512((const void *)(src + 8 * c));
        VF(mul)(&t, &inv[c & 1], &pre[c]); /* 1 / den */
        VF(mul)(&inv[c & 1], &inv[c & 1], &den[c]);
        VF(gather)(&dx, ad, 0);
        VF(gather)(&dy, ad, 8 * FL);
        VF(gather)(&sx, as, 0);
        VF(gather)(&sy, as, 8 * FL);
        VF(sub)(&lam, &sy, &dy);
        VF(mul)(&lam, &lam, &t);
        VF(square)(&x3, &lam);
        VF(sub)(&x3, &x3, &dx);
        VF(sub)(&x3, &x3, &sx);
        VF(sub)(&u, &dx, &x3);
        VF(mul)(&u, &lam, &u);
        VF(sub)(&u, &u, &dy);
        VF(scatter)(ad, 0, &x3);
        VF(scatter)(ad, 8 * FL, &u);
    }
}
#endif

/* dst[i] += src[i] for k pairs of finite affine points with one inversion (Montgomery's
 * trick); dst[i] becomes the all-zero affine point (infinity) on a cancellation. The dst[i]
 * are distinct and no src[i] is a dst[j]; den and pre hold MSM_BATCH_WORDS(k) words each.
 * With IFMA (msm_ifma_on), the pairs are reordered so those with equal x (doublings and
 * cancellations, rare) come last, and all but the last few generic ones go 8 lanes at a
 * time; the scalar rest shares the one inversion. */
static void M(batch_add)(uint64_t **dst, const uint64_t **src, size_t k, uint64_t *den,
                         uint64_t *pre) {
    if (k == 0) return;
    size_t kv = 0;
#if BN254_HAVE_IFMA
    MSM_VF *vden = (MSM_VF *)(((uintptr_t)den + 63) & ~(uintptr_t)63);
    MSM_VF *vpre = (MSM_VF *)(((uintptr_t)pre + 63) & ~(uintptr_t)63);
    uint64_t lanes[17][FL], prod[17][FL];
    if (k >= 64 && msm_ifma_on) {
        size_t g = 0;
        for (size_t i = 0; i < k; i++) {
            if (F(equal)(src[i], dst[i])) continue;
            uint64_t *d = dst[i];
            const uint64_t *q = src[i];
            dst[i] = dst[g];
            src[i] = src[g];
            dst[g] = d;
            src[g++] = q;
        }
        kv = g & ~(size_t)15;
    }
    if (kv > 0) {
        M(vec_forward)(dst, src, kv, vden, vpre, lanes);
        den = (uint64_t *)(vden + kv / 8);
        pre = (uint64_t *)(vpre + kv / 8);
    }
#endif
    uint64_t acc[FL], inv[FL], t[FL], lam[FL], x3[FL];
    F(set_one)(acc);
    for (size_t i = kv; i < k; i++) {
        const uint64_t *a = dst[i], *q = src[i];
        uint64_t *d = den + (size_t)FL * (i - kv);
        F(sub)(d, q, a);
        if (F(is_zero)(d)) {
            if (F(equal)(q + FL, a + FL)) F(double)(d, a + FL);
            else F(set_one)(d);
        }
        F(copy)(pre + (size_t)FL * (i - kv), acc);
        F(mul)(acc, acc, d);
    }
#if BN254_HAVE_IFMA
    if (kv > 0) { /* invert the 16 chain products and acc together */
        F(copy)(lanes[16], acc);
        F(set_one)(t);
        for (int j = 0; j < 17; j++) {
            F(copy)(prod[j], t);
            F(mul)(t, t, lanes[j]);
        }
        F(inverse)(inv, t);
        for (int j = 17; j-- > 0;) {
            F(mul)(t, inv, prod[j]);
            F(mul)(inv, inv, lanes[j]);
            F(copy)(lanes[j], t);
        }
        F(copy)(inv, lanes[16]);
    } else
#endif
        F(inverse)(inv, acc);
    for (size_t i = k; i-- > kv;) {
        uint64_t *a = dst[i];
        const uint64_t *q = src[i];
        F(mul)(t, inv, pre + (size_t)FL * (i - kv));
        F(mul)(inv, inv, den + (size_t)FL * (i - kv));
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
#if BN254_HAVE_IFMA
    if (kv > 0) M(vec_backward)(dst, src, kv, vden, vpre, lanes);
#endif
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
 * holds 2 S affine points; the spill list is not included. */
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

/* Sum each segment of st->buf to its first point (infinity: all zero) by rounds of pairwise
 * batch additions, then move the sums into their buckets. */
static void M(sum_group)(struct M(state) *st, size_t nseg) {
    uint64_t *buf = st->buf;
    for (size_t stride = 1;; stride *= 2) {
        size_t k = 0, pairs = 0; /* pairs: also those settled without an addition */
        for (size_t s = 0; s < nseg; s++) {
            const size_t start = st->seg[3 * s + 1], len = st->seg[3 * s + 2];
            if (len <= stride) continue;
            for (size_t j = 0; j + stride < len; j += 2 * stride, pairs++) {
                uint64_t *a = buf + (start + j) * AW, *q = a + stride * AW;
                if (PT(aff_is_inf)(q)) continue;
                if (PT(aff_is_inf)(a)) { PT(aff_copy)(a, q); continue; }
                st->dst[k] = a;
                st->src[k++] = q;
            }
        }
        if (pairs == 0) break;
        M(batch_add)(st->dst, st->src, k, st->den, st->pre);
    }
    for (size_t s = 0; s < nseg; s++) {
        const uint32_t b = st->seg[3 * s];
        const uint64_t *sum = buf + (size_t)st->seg[3 * s + 1] * AW;
        if (PT(aff_is_inf)(sum)) continue;
        if (!st->full[b]) {
            PT(aff_copy)(st->bx + (size_t)b * AW, sum);
            st->full[b] = 1;
        } else {
            PT(aff_copy)(st->spill + st->nspill * AW, sum);
            st->spill_bucket[st->nspill++] = b;
        }
    }
}

static void M(window_batch_affine)(const struct M(job) *job, size_t w, uint64_t *mem) {
    const size_t nb = (size_t)1 << (job->c - 1), cap = job->batch * 2, np = job->np;
    struct M(state) st;
    st.job = job;
    st.bx = mem;
    st.buf = st.bx + nb * AW;
    st.spill = st.buf + cap * AW;
    st.den = st.spill + (np / cap + 1) * AW;
    st.pre = st.den + MSM_BATCH_WORDS(cap / 2);
    st.dst = (uint64_t **)(st.pre + MSM_BATCH_WORDS(cap / 2));
    st.src = (const uint64_t **)(st.dst + cap / 2);
    st.count = (uint32_t *)(st.src + cap / 2);
    st.list = st.count + nb + 1;
    st.seg = st.list + np;
    st.spill_bucket = st.seg + 3 * cap;
    st.full = (uint8_t *)(st.spill_bucket + np / cap + 1);
    st.nspill = 0;
    const int32_t *wd = job->digits + w * np;

    /* counting sort of the points with nonzero digits by bucket */
    memset(st.count, 0, (nb + 1) * sizeof(uint32_t));
    for (size_t k = 0; k < np; k++) {
        int d = wd[k];
        st.count[d > 0 ? d : -d]++; /* bucket |d| - 1 counted at |d|: count[0] is digit 0 */
    }
    uint32_t total = 0;
    for (size_t b = 0; b < nb; b++) {
        uint32_t c = st.count[b + 1];
        st.count[b + 1] = total; /* start of bucket b, advanced as it fills */
        total += c;
    }
    for (size_t k = 0; k < np; k++) {
        int d = wd[k];
        if (d == 0) continue;
        st.list[st.count[d > 0 ? d : -d]++] = (uint32_t)k | (d < 0 ? 0x80000000u : 0);
    }
    /* now count[b + 1] is the end of bucket b, so bucket b is [count[b], count[b + 1]) */
    st.count[0] = 0;
    memset(st.full, 0, nb);

    /* Groups end before a bucket that does not fit; only a bucket of more than cap points is
     * cut (then its later segments go to the spill list). */
    size_t used = 0, nseg = 0;
    for (size_t b = 0; b < nb; b++) {
        uint32_t at = st.count[b];
        const uint32_t end = st.count[b + 1];
        if (used > 0 && used + (end - at) > cap) {
            M(sum_group)(&st, nseg);
            used = nseg = 0;
        }
        while (at < end) {
            if (used == cap) {
                M(sum_group)(&st, nseg);
                used = nseg = 0;
            }
            size_t take = end - at;
            if (take > cap - used) take = cap - used;
            st.seg[3 * nseg] = (uint32_t)b;
            st.seg[3 * nseg + 1] = (uint32_t)used;
            st.seg[3 * nseg + 2] = (uint32_t)take;
            nseg++;
            for (size_t i = 0; i < take; i++, at++) {
                if (at + MSM_PREFETCH < total) { /* the list runs on across buckets */
                    const uint64_t *pf =
                        job->points + (size_t)AW * (st.list[at + MSM_PREFETCH] & 0x7fffffffu);
                    __builtin_prefetch(pf);
                    __builtin_prefetch(pf + AW - 1);
                }
                const uint32_t tagged = st.list[at];
                const uint64_t *p = job->points + (size_t)AW * (tagged & 0x7fffffffu);
                uint64_t *q = st.buf + (used + i) * AW;
                if (tagged >> 31) PT(aff_neg)(q, p);
                else PT(aff_copy)(q, p);
            }
            used += take;
        }
    }
    if (nseg > 0) M(sum_group)(&st, nseg);

    /* The spilled segment sums are weighted one by one (a few: at most np / cap). */
    uint64_t sum[JW], t[JW];
    PT(jac_set_inf)(sum);
    for (size_t e = 0; e < st.nspill; e++) {
        PT(from_affine)(t, st.spill + e * AW);
        M(small_mul)(t, t, st.spill_bucket[e] + 1);
        PT(jac_add)(sum, sum, t);
    }
    size_t S = nb / (nb >= 4096 ? 16 : 8);
    if (S > cap / 2) S = cap / 2;
    if (S >= 64) {
        /* the group buffer (cap >= 2 S points) is free again: it holds the 2 S sums */
        M(reduce_affine)(&st, nb, S, st.buf, t);
        PT(jac_add)(job->window_sums + w * JW, sum, t);
        return;
    }
    uint64_t run[JW], acc[JW];
    PT(jac_set_inf)(run);
    PT(jac_copy)(acc, sum);
    for (size_t b = nb; b-- > 0;) {
        if (st.full[b]) PT(jac_add_affine)(run, run, st.bx + b * AW);
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

/* The plan for np = 2n GLV points on up to `threads` threads: the window size c in [2, 16]
 * (nwin = ceil(128 / c) windows) that minimises the work of the busiest thread, which takes
 * ceil(nwin / threads) windows of about np bucket additions plus the reduction of 2^(c-1)
 * buckets, weighted 1.5 with batch-affine buckets (2 additions each, but the first point of
 * a bucket is free; bigger bucket arrays also miss the caches more: measured at 2^16, c = 13
 * beat the 16 of a weight 1) and 3 with Jacobian ones (a full addition costs more than a
 * mixed one). Ties go to the smaller c (less memory). */
static void M(plan)(struct M(job) *job, size_t np, int threads) {
    job->batch_affine = np >= MSM_BATCH_AFFINE_MIN;
    const double red = job->batch_affine ? 1.5 : 3.0;
    double best = 0;
    for (unsigned c = 2; c <= 16; c++) {
        unsigned nwin = (GLV_BITS + c - 1) / c; /* c nwin >= 128: the top digit never carries */
        int t = parallel_threads(threads, nwin);
        double cost = (double)((nwin + t - 1) / t) * ((double)np + red * (double)(1u << (c - 1)));
        if (c == 2 || cost < best) {
            best = cost;
            job->c = c;
        }
    }
    job->nwin = (GLV_BITS + job->c - 1) / job->c;
    job->threads = parallel_threads(threads, job->nwin);
    const size_t nb = (size_t)1 << (job->c - 1);
    /* Groups of cap = 2 B points (a round is at most B additions): all np points when few,
     * else as many as fit in 1 MiB (16384 G1 or 8192 G2 points), which keeps a group in L2
     * and its rounds long enough to share their inversions. */
    size_t B = np / 2, most = ((size_t)1 << 16) / AW;
    if (B < 64) B = 64;
    if (B > most) B = most;
    job->batch = B;
    if (job->batch_affine)
        job->thread_words = nb * AW + 2 * B * AW + (np / (2 * B) + 1) * AW + 2 * MSM_BATCH_WORDS(B)
                            + 2 * B /* pointers */
                            + (nb + 1 + np + 6 * B + np / (2 * B) + 1 + 1) / 2 + (nb + 7) / 8;
    else
        job->thread_words = nb * JW;
    job->thread_words = (job->thread_words + 7) & ~(size_t)7; /* whole cache lines */
}

/* Scratch after idx for m scalars left (2m points) under `job`'s plan. */
static size_t M(work_words)(const struct M(job) *job, size_t m) {
    return (size_t)job->nwin * m                 /* digits of 2m points, int32 each */
           + 2 * m * AW + 8                      /* the GLV points, aligned */
           + (size_t)job->nwin * JW              /* window sums */
           + (size_t)job->threads * job->thread_words + 8;
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
    msm_ifma_init();
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
    /* points and bucket memory start on cache lines (a G1 point is one line) */
    job.points = MSM_ALIGN64(scratch + (n + 1) / 2 + (size_t)job.nwin * m);
    job.window_sums = (uint64_t *)job.points + 2 * m * AW;
    job.buckets = MSM_ALIGN64(job.window_sums + (size_t)job.nwin * JW);
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
#undef MSM_VF
#undef VF
#undef MSM_BATCH_WORDS
#undef MSM_ALIGN64
#undef MSM_PREFETCH
#undef F
#undef FL
