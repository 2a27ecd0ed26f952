/*
 * poseidon.c - the Poseidon permutation over BN254's Fr (x^5 S-box), as circomlib computes it.
 *
 * The caller (zkcore/poseidon.py) supplies every constant in Montgomery form, already turned
 * into the "optimised" round schedule of the Poseidon paper (appendix B), which is the same
 * function as the plain one (the tests compare with circomlibjs and a plain Python twin):
 *
 *   full rounds 0 .. R_F/2-1:   s += C_r; s_i = s_i^5 for all i; s = M s
 *                               (the last of them multiplies by P instead of M)
 *   partial rounds k:           s_0 += c_k; s_0 = s_0^5;
 *                               s_0' = sum_j A_k[j] s_j;  s_j' = s_j + W_k[j] s_0  (j >= 1)
 *   full rounds R_F/2 .. R_F-1: s += C_r; s_i = s_i^5; s = M s
 *   output s_0.
 *
 * Partial-round constants of s_1.. are pushed forward through the linear layers (only s_0's
 * constant is left per partial round), and each partial round's dense matrix M is factored
 * as a sparse matrix (first row, first column, identity) times a block diag(1, X) that is
 * pushed back into the previous round; the first one lands in P.
 *
 * params layout (all Montgomery Fr elements, 4 limbs each), for width t:
 *   C: R_F * t | c: R_P | M: t * t | P: t * t | sparse: R_P * (2t - 1) as A_k[0..t-1],
 *   W_k[1..t-1].
 *
 * Sums of products (the matrix rows) are accumulated as 512-bit integers and reduced once
 * (Montgomery reduction of the sum): for t <= 17 a sum of t products of values < r stays
 * below 2^512, and its reduction below 4.3 r, so a few conditional subtractions finish it.
 */
#include <string.h>

#include "bn254.h"
#include "field.h"
#include "parallel.h"

#define POSEIDON_MAX_T 17
#define FR_INV_NEG 0xc2e1f593efffffffULL /* -r^-1 mod 2^64 */
/* Below this many hashes per thread, starting a thread costs more than it saves. */
#define POSEIDON_MIN_PER_THREAD 64
/* Independent hashes interleaved by poseidon_many. */
#ifndef POSEIDON_LANES
#define POSEIDON_LANES 2
#endif

/* x -= r if x >= r, for any 256-bit x (field.h's one conditional subtraction). */
static inline void sub_r_if_geq(uint64_t x[4]) { fr_reduce_once(x, x); }

/* out = sum_j row[j] * v[j] mod r (Montgomery: the sum of products times 2^-256), n <= 17.
 *
 * Product scanning with the Montgomery reduction interleaved (the "FIPS" method): column k of
 * the 512-bit sum collects every a_i * b_(k-i) of every term plus the reduction's m_i * r_(k-i),
 * in a three-word accumulator, so each product costs one mul and three adds, and the whole
 * sum is reduced once. For n <= 17 the sum of products of elements < r is below 2^512 and the
 * result below r * (1 + 0.19 n), so 1 + 0.19 n conditional subtractions finish it. */
static inline __attribute__((always_inline)) void dot(uint64_t out[4], const uint64_t *row,
                                                      const uint64_t (*v)[4], size_t n) {
    u128 acc = 0;
    uint64_t top = 0, m[4], res[4];
#define POSEIDON_MAC(x, y)                      \
    do {                                        \
        u128 p_ = (u128)(x) * (y);              \
        acc += p_;                              \
        top += acc < p_;                        \
    } while (0)
    for (int k = 0; k < 8; k++) {
        const int lo = k > 3 ? k - 3 : 0, hi = k < 3 ? k : 3;
        for (size_t j = 0; j < n; j++)
            for (int i = lo; i <= hi; i++) POSEIDON_MAC(row[4 * j + i], v[j][k - i]);
        for (int i = lo; i <= hi && i < k; i++) POSEIDON_MAC(m[i], fr_MOD[k - i]);
        if (k < 4) {
            m[k] = (uint64_t)acc * FR_INV_NEG; /* makes column k zero mod 2^64 */
            POSEIDON_MAC(m[k], fr_MOD[0]);
        } else {
            res[k - 4] = (uint64_t)acc;
        }
        acc = (acc >> 64) | ((u128)top << 64);
        top = 0;
    }
#undef POSEIDON_MAC
    const size_t subtractions = 1 + (n * 19) / 100;
    for (size_t k = 0; k < subtractions; k++) sub_r_if_geq(res);
    fr_copy(out, res);
}

/* x = x^5 in every lane, one step at a time across lanes so their chains overlap. */
static inline void pow5_lanes(uint64_t (*s)[POSEIDON_MAX_T][4], size_t i, size_t lanes) {
    uint64_t x2[POSEIDON_LANES][4], x4[POSEIDON_LANES][4];
    for (size_t l = 0; l < lanes; l++) fr_square(x2[l], s[l][i]);
    for (size_t l = 0; l < lanes; l++) fr_square(x4[l], x2[l]);
    for (size_t l = 0; l < lanes; l++) fr_mul(s[l][i], x4[l], s[l][i]);
}

/* s = m s for a dense t x t matrix m. */
static inline void mix(uint64_t (*s)[4], const uint64_t *m, size_t t) {
    uint64_t out[POSEIDON_MAX_T][4];
    for (size_t i = 0; i < t; i++) dot(out[i], m + 4 * t * i, (const uint64_t(*)[4])s, t);
    memcpy(s, out, sizeof(uint64_t) * 4 * t);
}

struct poseidon_params {
    size_t t, rounds_f, rounds_p;
    const uint64_t *full_c, *partial_c, *mds, *pre, *sparse;
};

static size_t params_len(size_t t, size_t rounds_f, size_t rounds_p) {
    return 4 * (rounds_f * t + rounds_p + 2 * t * t + rounds_p * (2 * t - 1));
}

static int params_init(struct poseidon_params *p, size_t t, size_t rounds_f, size_t rounds_p,
                       const uint64_t *params, size_t len) {
    if (t < 2 || t > POSEIDON_MAX_T || rounds_f < 2 || rounds_f % 2 || rounds_p < 1 ||
        rounds_p > 1000 || rounds_f > 1000 || params == NULL ||
        len != params_len(t, rounds_f, rounds_p))
        return BN254_ERR_ARGUMENT;
    p->t = t;
    p->rounds_f = rounds_f;
    p->rounds_p = rounds_p;
    p->full_c = params;
    p->partial_c = p->full_c + 4 * rounds_f * t;
    p->mds = p->partial_c + 4 * rounds_p;
    p->pre = p->mds + 4 * t * t;
    p->sparse = p->pre + 4 * t * t;
    return BN254_OK;
}

/* The permutation of `lanes` independent states (t elements each, Montgomery), in place.
 * Every step runs across the lanes before the next, so the CPU overlaps their dependency
 * chains (a partial round is one long chain: S-box, then the sparse row's dot product). */
static inline __attribute__((always_inline)) void permute_lanes(
    uint64_t (*s)[POSEIDON_MAX_T][4], size_t lanes, size_t t, const struct poseidon_params *p) {
    const size_t half = p->rounds_f / 2;
    const uint64_t *c = p->full_c;
    for (size_t r = 0; r < p->rounds_f; r++, c += 4 * t) {
        if (r == half) { /* the partial rounds sit between the two halves */
            const uint64_t *sp = p->sparse;
            for (size_t k = 0; k < p->rounds_p; k++, sp += 4 * (2 * t - 1)) {
                for (size_t l = 0; l < lanes; l++) fr_add(s[l][0], s[l][0], p->partial_c + 4 * k);
                pow5_lanes(s, 0, lanes);
                uint64_t s0[POSEIDON_LANES][4];
                for (size_t l = 0; l < lanes; l++) {
                    fr_copy(s0[l], s[l][0]);
                    dot(s[l][0], sp, (const uint64_t(*)[4])s[l], t);
                }
                for (size_t j = 1; j < t; j++) {
                    for (size_t l = 0; l < lanes; l++) {
                        uint64_t w[4];
                        fr_mul(w, sp + 4 * (t + j - 1), s0[l]);
                        fr_add(s[l][j], s[l][j], w);
                    }
                }
            }
        }
        /* full S-box layer: each step over every element (and lane) before the next, so
         * the t independent chains overlap */
        uint64_t x2[POSEIDON_LANES][POSEIDON_MAX_T][4], x4[POSEIDON_LANES][POSEIDON_MAX_T][4];
        for (size_t i = 0; i < t; i++)
            for (size_t l = 0; l < lanes; l++) {
                fr_add(s[l][i], s[l][i], c + 4 * i);
                fr_square(x2[l][i], s[l][i]);
            }
        for (size_t i = 0; i < t; i++)
            for (size_t l = 0; l < lanes; l++) fr_square(x4[l][i], x2[l][i]);
        for (size_t i = 0; i < t; i++)
            for (size_t l = 0; l < lanes; l++) fr_mul(s[l][i], x4[l][i], s[l][i]);
        for (size_t l = 0; l < lanes; l++) {
            if (r + 1 == p->rounds_f) /* only s_0 is output */
                dot(s[l][0], p->mds, (const uint64_t(*)[4])s[l], t);
            else
                mix(s[l], r + 1 == half ? p->pre : p->mds, t);
        }
    }
}

/* Copies of the permutation with the width as a compile-time constant for the widths the
 * service hashes most (Merkle pairs t = 3; holder, nullifier, token t = 2, 4), so their loops
 * unroll; every other width runs the generic copy. */
#define POSEIDON_DISPATCH(s, lanes, p)                                    \
    do {                                                                  \
        switch ((p)->t) {                                                 \
        case 2: permute_lanes((s), (lanes), 2, (p)); break;               \
        case 3: permute_lanes((s), (lanes), 3, (p)); break;               \
        case 4: permute_lanes((s), (lanes), 4, (p)); break;               \
        default: permute_lanes((s), (lanes), (p)->t, (p)); break;         \
        }                                                                 \
    } while (0)

static void permute(uint64_t (*s)[4], const struct poseidon_params *p) {
    POSEIDON_DISPATCH((uint64_t(*)[POSEIDON_MAX_T][4])s, 1, p);
}

static void permute_pair(uint64_t (*s)[POSEIDON_MAX_T][4], const struct poseidon_params *p) {
    POSEIDON_DISPATCH(s, POSEIDON_LANES, p);
}

/* Hash one row of t - 1 Montgomery inputs; state = [0, in...]. */
static inline void hash_row(uint64_t out[4], const uint64_t *in, const struct poseidon_params *p) {
    uint64_t s[POSEIDON_MAX_T][4];
    fr_set_zero(s[0]);
    memcpy(s[1], in, sizeof(uint64_t) * 4 * (p->t - 1));
    permute(s, p);
    fr_copy(out, s[0]);
}


/* ---------------------------------------------------------------- AVX-512 IFMA: 8 hashes at once
 *
 * On CPUs with AVX-512 IFMA (checked at run time; the build stays portable), poseidon_many
 * hashes 8 rows at a time, one row per 64-bit lane. An element is 5 limbs of 52 bits, one
 * __m512i per limb, in Montgomery form with R' = 2^260; the caller passes every constant in
 * that form too (params52: element e of params as 5 limbs at params52 + 5e).
 *
 * Values stay lazily reduced, below about 2.5 r (limbs always normalised below 2^52, which
 * vpmadd52 needs): a Montgomery product of inputs below 4 r is below 1.2 r, a t-term dot
 * product below 1.5 r, constant additions add < r; the partial rounds' s_j += W s_0 is brought
 * back below 2 r by one conditional subtraction of 2 r. Rows are converted from and to the
 * 64-bit R = 2^256 form (times 2^4, times 2^-4) and fully reduced at the edges.
 */
#include "ifma.h"
#if BN254_HAVE_IFMA && !defined(POSEIDON_NO_IFMA)
#define POSEIDON_IFMA 1
#define IFMA IFMA_TARGET

/* Fr with R' = 2^260: five full 52-bit reduction steps. */
static const struct ifma_field FR260 = {
    {0x1f593f0000001ULL, 0x4879b9709143eULL, 0x181585d2833e8ULL, 0xa029b85045b68ULL,
     0x30644e72e131ULL},
    0x1f593efffffffULL, /* -r^-1 mod 2^52 */
    52,
};
static const uint64_t TWO_R52[5] = {0x3eb27e0000002ULL, 0x90f372e12287cULL, 0x302b0ba5067d0ULL,
                                    0x405370a08b6d0ULL, 0x60c89ce5c263ULL};

/* out = z / 2^260 mod r. Left to GCC (it keeps one out-of-line copy for the products and the
 * full rounds' dot products, which then inline and unroll per t); the partial rounds, the
 * hot loop, inline it (v_dot_inl). Measured: inlining it everywhere, or nowhere, is slower. */
IFMA static inline void v_redc(v52 *out, __m512i z[10]) { ifma_redc(out, z, &FR260); }

/* a -= 2r where a >= 2r. */
IFMA static inline void v_reduce_2r(v52 *a) { ifma_sub_if_geq(a, TWO_R52); }

IFMA static inline void v_mul(v52 *out, const v52 *a, const v52 *b) {
    __m512i z[10];
    ifma_zero_cols(z);
    ifma_mac(z, a, b);
    v_redc(out, z);
}

IFMA static inline void v_pow5(v52 *x) {
    v52 x2, x4;
    v_mul(&x2, x, x);
    v_mul(&x4, &x2, &x2);
    v_mul(x, &x4, x);
}

/* out = sum_j c[j] * s[j] for a row of n constants. */
IFMA static inline __attribute__((always_inline)) void v_dot(v52 *out, const uint64_t *c,
                                                             const v52 *s, size_t n) {
    __m512i z[10];
    ifma_zero_cols(z);
    for (size_t j = 0; j < n; j++) ifma_mac_const(z, c + 5 * j, &s[j]);
    v_redc(out, z);
}

/* v_dot with the reduction inlined, for the partial rounds (the hot loop). */
IFMA static inline __attribute__((always_inline)) void v_dot_inl(v52 *out, const uint64_t *c,
                                                                 const v52 *s, size_t n) {
    __m512i z[10];
    ifma_zero_cols(z);
    for (size_t j = 0; j < n; j++) ifma_mac_const(z, c + 5 * j, &s[j]);
    ifma_redc(out, z, &FR260);
}

IFMA static inline void v_mix(v52 *s, const uint64_t *m, size_t t) {
    v52 out[POSEIDON_MAX_T];
    for (size_t i = 0; i < t; i++) v_dot(&out[i], m + 5 * t * i, s, t);
    for (size_t i = 0; i < t; i++) s[i] = out[i];
}

/* The permutation on 8 states; c52 is params52 (see above), laid out like params. */
IFMA static inline __attribute__((always_inline)) void v_permute(
    v52 *s, size_t t, const struct poseidon_params *p, const uint64_t *c52) {
    const size_t half = p->rounds_f / 2;
    const uint64_t *full_c = c52, *partial_c = full_c + 5 * p->rounds_f * t;
    const uint64_t *mds = partial_c + 5 * p->rounds_p, *pre = mds + 5 * t * t;
    const uint64_t *sparse = pre + 5 * t * t;
    for (size_t r = 0; r < p->rounds_f; r++, full_c += 5 * t) {
        if (r == half) {
            const uint64_t *sp = sparse;
            for (size_t k = 0; k < p->rounds_p; k++, sp += 5 * (2 * t - 1)) {
                ifma_add_const(&s[0], partial_c + 5 * k);
                v_pow5(&s[0]);
                const v52 s0 = s[0];
                v_dot_inl(&s[0], sp, s, t);
                for (size_t j = 1; j < t; j++) {
                    v52 w;
                    v_dot_inl(&w, sp + 5 * (t + j - 1), &s0, 1);
                    ifma_add(&s[j], &s[j], &w);
                    v_reduce_2r(&s[j]); /* back below 2 r */
                }
            }
        }
        for (size_t i = 0; i < t; i++) {
            ifma_add_const(&s[i], full_c + 5 * i);
            v_pow5(&s[i]);
        }
        if (r + 1 == p->rounds_f)
            v_dot(&s[0], mds, s, t);
        else
            v_mix(s, r + 1 == half ? pre : mds, t);
    }
}

IFMA static void v_permute_any(v52 *s, const struct poseidon_params *p, const uint64_t *c52) {
    switch (p->t) {
    case 2: v_permute(s, 2, p, c52); break;
    case 3: v_permute(s, 3, p, c52); break;
    case 4: v_permute(s, 4, p, c52); break;
    default: v_permute(s, p->t, p, c52); break;
    }
}

/* r = a / 2 mod r. */
static inline void halve_mod_r(uint64_t r[4], const uint64_t a[4]) {
    uint64_t mask = 0 - (a[0] & 1), t[4];
    u128 s = 0;
    for (int i = 0; i < 4; i++) {
        s = (u128)a[i] + (fr_MOD[i] & mask) + (uint64_t)(s >> 64);
        t[i] = (uint64_t)s;
    }
    for (int i = 0; i < 4; i++) r[i] = (t[i] >> 1) | (i < 3 ? t[i + 1] << 63 : 0);
}

/* Hash 8 rows of t - 1 Montgomery (R = 2^256) inputs into out (8 Montgomery elements). */
IFMA static void hash_block8(uint64_t *out, const uint64_t *in, const struct poseidon_params *p,
                             const uint64_t *c52) {
    const size_t t = p->t;
    v52 s[POSEIDON_MAX_T];
    uint64_t x[8][4];
    for (size_t i = 0; i < t; i++) {
        for (int l = 0; l < 8; l++) {
            fr_set_zero(x[l]);
            if (i > 0) {
                fr_copy(x[l], in + 4 * ((size_t)l * (t - 1) + i - 1));
                for (int d = 0; d < 4; d++) fr_double(x[l], x[l]); /* a R -> a R' = a R 2^4 */
            }
        }
        ifma_set_lanes(&s[i], x);
    }
    v_permute_any(s, p, c52);
    /* s[0] < 2.5 r < 2^256: the 64-bit words hold it whole */
    ifma_get_lanes(x, &s[0]);
    uint64_t inv16[4]; /* 2^-4 in Montgomery form: a R' -> a R */
    fr_set_one(inv16);
    for (int d = 0; d < 4; d++) halve_mod_r(inv16, inv16);
    for (int l = 0; l < 8; l++) {
        sub_r_if_geq(x[l]); /* x < 2.5 r */
        sub_r_if_geq(x[l]);
        fr_mul(out + 4 * l, x[l], inv16);
    }
}

static int ifma_available(void) {
    static int cached = -1;
    if (cached < 0) cached = ifma_cpu();
    return cached;
}
#endif /* IFMA */

struct many_job {
    uint64_t *out;
    const uint64_t *in;
    const struct poseidon_params *params;
    const uint64_t *params52; /* NULL: the portable path only */
};

static void many_task(void *ctx, size_t begin, size_t end) {
    const struct many_job *job = ctx;
    const size_t t = job->params->t, row = 4 * (t - 1);
    size_t i = begin;
#ifdef POSEIDON_IFMA
    if (job->params52 != NULL)
        for (; i + 8 <= end; i += 8)
            hash_block8(job->out + 4 * i, job->in + row * i, job->params, job->params52);
#endif
    for (; i + POSEIDON_LANES <= end; i += POSEIDON_LANES) {
        uint64_t s[POSEIDON_LANES][POSEIDON_MAX_T][4];
        for (size_t l = 0; l < POSEIDON_LANES; l++) {
            fr_set_zero(s[l][0]);
            memcpy(s[l][1], job->in + row * (i + l), sizeof(uint64_t) * row);
        }
        permute_pair(s, job->params);
        for (size_t l = 0; l < POSEIDON_LANES; l++) fr_copy(job->out + 4 * (i + l), s[l][0]);
    }
    for (; i < end; i++) hash_row(job->out + 4 * i, job->in + row * i, job->params);
}

int bn254_poseidon_params_len(size_t t, size_t rounds_f, size_t rounds_p, size_t *out_len) {
    if (out_len == NULL || t < 2 || t > POSEIDON_MAX_T) return BN254_ERR_ARGUMENT;
    *out_len = params_len(t, rounds_f, rounds_p);
    return BN254_OK;
}

int bn254_poseidon_many(uint64_t *out, const uint64_t *in, size_t n, size_t t, size_t rounds_f,
                        size_t rounds_p, const uint64_t *params, size_t params_len_limbs,
                        const uint64_t *params52, int threads) {
    struct poseidon_params p;
    int status = params_init(&p, t, rounds_f, rounds_p, params, params_len_limbs);
    if (status != BN254_OK) return status;
    if (n == 0) return BN254_OK;
    if (out == NULL || in == NULL) return BN254_ERR_ARGUMENT;
    /* Montgomery inputs must be reduced (< r): check all before writing anything. */
    for (size_t i = 0; i < n * (t - 1); i++)
        if (!fr_is_canonical(in + 4 * i)) return BN254_ERR_NONCANONICAL;
    /* params52 holds the same elements as params, 5 limbs each instead of 4 */
    const uint64_t *fast = NULL;
#ifdef POSEIDON_IFMA
    if (params52 != NULL && ifma_available()) fast = params52;
#else
    (void)params52;
#endif
    struct many_job job = {out, in, &p, fast};
    size_t chunks = n / POSEIDON_MIN_PER_THREAD;
    parallel_for(n, parallel_threads(threads, chunks > 0 ? chunks : 1), many_task, &job);
    return BN254_OK;
}

static void load_le(uint64_t r[4], const uint8_t *b) {
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        for (int k = 7; k >= 0; k--) v = (v << 8) | b[8 * i + k];
        r[i] = v;
    }
}

static void store_le(uint8_t *b, const uint64_t r[4]) {
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 8; k++) b[8 * i + k] = (uint8_t)(r[i] >> (8 * k));
}

int bn254_poseidon_hash_bytes(uint8_t out[32], const uint8_t *in, size_t arity, size_t rounds_f,
                              size_t rounds_p, const uint64_t *params, size_t params_len_limbs) {
    struct poseidon_params p;
    int status = params_init(&p, arity + 1, rounds_f, rounds_p, params, params_len_limbs);
    if (status != BN254_OK) return status;
    if (out == NULL || in == NULL) return BN254_ERR_ARGUMENT;
    uint64_t s[POSEIDON_MAX_T][4];
    fr_set_zero(s[0]);
    for (size_t i = 0; i < arity; i++) {
        uint64_t v[4];
        load_le(v, in + 32 * i);
        if (!fr_is_canonical(v)) return BN254_ERR_NONCANONICAL;
        fr_to_mont(s[i + 1], v);
    }
    permute(s, &p);
    uint64_t result[4];
    fr_from_mont(result, s[0]);
    store_le(out, result);
    return BN254_OK;
}
