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
    for (size_t k = 0; k < subtractions; k++) fr_reduce_once(res, res);
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
        for (size_t i = 0; i < t; i++) {
            for (size_t l = 0; l < lanes; l++) fr_add(s[l][i], s[l][i], c + 4 * i);
            pow5_lanes(s, i, lanes);
        }
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

struct many_job {
    uint64_t *out;
    const uint64_t *in;
    const struct poseidon_params *params;
};

static void many_task(void *ctx, size_t begin, size_t end) {
    const struct many_job *job = ctx;
    const size_t t = job->params->t, row = 4 * (t - 1);
    size_t i = begin;
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
                        int threads) {
    struct poseidon_params p;
    int status = params_init(&p, t, rounds_f, rounds_p, params, params_len_limbs);
    if (status != BN254_OK) return status;
    if (n == 0) return BN254_OK;
    if (out == NULL || in == NULL) return BN254_ERR_ARGUMENT;
    /* Montgomery inputs must be reduced (< r): check all before writing anything. */
    for (size_t i = 0; i < n * (t - 1); i++)
        if (!fr_is_canonical(in + 4 * i)) return BN254_ERR_NONCANONICAL;
    struct many_job job = {out, in, &p};
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
