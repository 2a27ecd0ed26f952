/*
 * ntt.c - the number-theoretic transform over Fr and the polynomial steps Groth16 needs.
 *
 * Radix-2 decimation in time: bit-reverse the input in place, then butterflies
 * (x, y) -> (x + w^j y, x - w^j y) stage by stage. Natural order in, natural order out.
 *
 * Twiddles live in a caller-owned table (bn254_ntt_twiddles fills it once per size; Python
 * caches it): one run per stage, tw[m - 1 + j] = w_2m^j = w^(j n / 2m) for j < m, m = 1, 2,
 * ..., n/2, so n - 1 elements. Each stage reads its run contiguously: a single table of w^k
 * read with stride n/2m costs a cache line and often a TLB miss per twiddle at large n.
 *
 * Cache and threads: after bit reversal, the first log(n/T) stages act on T independent
 * contiguous blocks of n/T elements. Each block is transformed depth first (both halves, then
 * the joining stage), so once a sub-block fits in cache all of its stages run there; with T
 * threads each takes blocks of its own. The last log T stages run with the butterflies of a
 * stage split between threads.
 *
 * The inverse transform is the forward one followed by a reversal of indices 1..n-1 and a
 * scaling by 1/n (one fused pass, with a coset's g^-k folded in): sum_j a_j w^(-jk) is the
 * forward transform's output at (n - k) mod n. So one twiddle table serves both directions.
 */
#include "bn254.h"
#include "field.h"
#include "parallel.h"

/* Blocks of up to 2^LEAF_LOG elements (32 KiB) are transformed stage by stage in L1. */
#define LEAF_LOG 10
/* Below this size, threads cost more to start than they save. */
#define PARALLEL_MIN_LOG 12

/* r - 1 = 2^28 * FR_ODD_PART; FR_ODD_PART as little-endian limbs. */
static const uint64_t FR_ODD_PART[4] = {0x9b9709143e1f593fULL, 0x181585d2833e8487ULL,
                                        0x131a029b85045b68ULL, 0x000000030644e72eULL};
/* 5 is Fr's multiplicative generator and its smallest quadratic non-residue, so
 * 5^FR_ODD_PART has order exactly 2^28. ffjavascript (snarkjs's field library) derives its
 * roots of unity the same way, so our domains, and the order of their points, match snarkjs. */
#define FR_ROOT_BASE 5

/* ------------------------------------------------------------------ small helpers */

/* The low `bits` bits of x in reverse order: swap adjacent bits, pairs, nibbles, then bytes. */
static inline size_t bit_reverse(size_t x, unsigned bits) {
    uint64_t v = x;
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
    v = __builtin_bswap64(v);
    return bits ? (size_t)(v >> (64 - bits)) : 0;
}

/* r = a^k for a machine-sized exponent. */
static void fr_pow_u64(uint64_t r[4], const uint64_t a[4], uint64_t k) {
    fr_pow(r, a, &k, 1);
}

static void fr_from_u64(uint64_t r[4], uint64_t v) {
    const uint64_t c[4] = {v, 0, 0, 0};
    fr_to_mont(r, c);
}

static int valid_size(unsigned log_n, size_t n_twiddles) {
    if (log_n > BN254_NTT_MAX_LOG) return 0;
    size_t n = (size_t)1 << log_n;
    return n_twiddles >= (n > 1 ? n - 1 : 1);
}

/* How many threads to use for a transform of 2^log_n elements: a power of two. */
static int ntt_threads(int requested, unsigned log_n) {
    if (log_n < PARALLEL_MIN_LOG) return 1;
    int t = parallel_threads(requested, (size_t)1 << (log_n - LEAF_LOG));
    int p = 1;
    while (p * 2 <= t) p *= 2;
    return p;
}

/* ------------------------------------------------------------------ roots and twiddles */

int bn254_fr_root_of_unity(unsigned log_n, uint64_t out[4]) {
    if (log_n > BN254_FR_TWO_ADICITY) return BN254_ERR_ARGUMENT;
    uint64_t w[4];
    fr_from_u64(w, FR_ROOT_BASE);
    fr_pow(w, w, FR_ODD_PART, 4); /* primitive 2^28-th root */
    for (unsigned i = log_n; i < BN254_FR_TWO_ADICITY; i++) fr_square(w, w);
    fr_copy(out, w);
    return BN254_OK;
}

struct powers_job {
    uint64_t *out;
    const uint64_t *in; /* NULL: out[i] = first * ratio^i; else out[i] = in[i] * that */
    uint64_t first[4], ratio[4];
};

static void powers_task(void *ctx, size_t begin, size_t end) {
    struct powers_job *job = ctx;
    uint64_t p[4];
    fr_pow_u64(p, job->ratio, begin);
    fr_mul(p, p, job->first);
    for (size_t i = begin; i < end; i++) {
        if (job->in) fr_mul(job->out + 4 * i, job->in + 4 * i, p);
        else fr_copy(job->out + 4 * i, p);
        fr_mul(p, p, job->ratio);
    }
}

static void scale_powers(uint64_t *out, const uint64_t *in, size_t n, const uint64_t first[4],
                         const uint64_t ratio[4], int threads) {
    struct powers_job job = {.out = out, .in = in};
    fr_copy(job.first, first);
    fr_copy(job.ratio, ratio);
    int t = n >= ((size_t)1 << PARALLEL_MIN_LOG) ? parallel_threads(threads, n / 1024) : 1;
    parallel_for(n, t, powers_task, &job);
}

int bn254_ntt_twiddles(unsigned log_n, uint64_t *twiddles, size_t n_twiddles, int threads) {
    if (!valid_size(log_n, n_twiddles)) return BN254_ERR_ARGUMENT;
    size_t half = ((size_t)1 << log_n) / 2;
    uint64_t w[4], one[4];
    bn254_fr_root_of_unity(log_n, w);
    fr_set_one(one);
    if (half == 0) {
        fr_copy(twiddles, one);
        return BN254_OK;
    }
    scale_powers(twiddles + 4 * (half - 1), NULL, half, one, w, threads); /* the last run */
    for (size_t m = half / 2; m >= 1; m /= 2) /* w_2m^j = w_4m^(2j) */
        for (size_t j = 0; j < m; j++) fr_copy(twiddles + 4 * (m - 1 + j),
                                               twiddles + 4 * (2 * m - 1 + 2 * j));
    return BN254_OK;
}

int bn254_poly_scale_powers(uint64_t *out, const uint64_t *a, size_t n, const uint64_t first[4],
                            const uint64_t ratio[4], int threads) {
    scale_powers(out, a, n, first, ratio, threads);
    return BN254_OK;
}

/* ------------------------------------------------------------------ the transform */

#if defined(__x86_64__) && !defined(BN254_NO_ASM)
#include <immintrin.h>

/* (x, y) <- (x + t, x - t) mod r. The same arithmetic as fr_add and fr_sub, written with the
 * carry-flag intrinsics so both chains compile to add/adc and sub/sbb in registers: gcc spills
 * the u128 carry chains of the generic versions to the stack, and in the butterfly loop that
 * costs about as much as the multiplication. BN254_NO_ASM selects the generic path. */
static inline void add_sub(uint64_t *x, uint64_t *y, const uint64_t t[4]) {
    unsigned long long s[4], u[4], d[4], e[4];
    const unsigned long long x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
    unsigned char c = _addcarry_u64(0, x0, t[0], &s[0]); /* x + t < 2r < 2^255: no carry out */
    c = _addcarry_u64(c, x1, t[1], &s[1]);
    c = _addcarry_u64(c, x2, t[2], &s[2]);
    _addcarry_u64(c, x3, t[3], &s[3]);
    unsigned char b = _subborrow_u64(0, s[0], fr_MOD[0], &u[0]); /* u = s - r */
    b = _subborrow_u64(b, s[1], fr_MOD[1], &u[1]);
    b = _subborrow_u64(b, s[2], fr_MOD[2], &u[2]);
    b = _subborrow_u64(b, s[3], fr_MOD[3], &u[3]);
    uint64_t keep = 0 - (uint64_t)b; /* all ones when s < r */
    b = _subborrow_u64(0, x0, t[0], &d[0]); /* d = x - t, plus r if it borrowed */
    b = _subborrow_u64(b, x1, t[1], &d[1]);
    b = _subborrow_u64(b, x2, t[2], &d[2]);
    b = _subborrow_u64(b, x3, t[3], &d[3]);
    uint64_t fix = 0 - (uint64_t)b;
    c = _addcarry_u64(0, d[0], fr_MOD[0] & fix, &e[0]);
    c = _addcarry_u64(c, d[1], fr_MOD[1] & fix, &e[1]);
    c = _addcarry_u64(c, d[2], fr_MOD[2] & fix, &e[2]);
    _addcarry_u64(c, d[3], fr_MOD[3] & fix, &e[3]);
    for (int i = 0; i < 4; i++) {
        x[i] = (s[i] & keep) | (u[i] & ~keep);
        y[i] = e[i];
    }
}
#else
static inline void add_sub(uint64_t *x, uint64_t *y, const uint64_t t[4]) {
    uint64_t u[4];
    fr_copy(u, t); /* t may alias y */
    fr_sub(y, x, u);
    fr_add(x, x, u);
}
#endif

/* (x, y) <- (x + w y, x - w y) */
static inline void butterfly(uint64_t *x, uint64_t *y, const uint64_t w[4]) {
    uint64_t t[4];
    fr_mul(t, y, w);
    add_sub(x, y, t);
}

/* (x, y) <- (x + y, x - y): the j = 0 butterfly, whose twiddle is 1. */
static inline void butterfly_one(uint64_t *x, uint64_t *y) {
    uint64_t t[4];
    fr_copy(t, y);
    add_sub(x, y, t);
}

/* One stage on a block of 2m elements: pairs (j, j + m) for j in [j0, j1), twiddle w_2m^j. */
static void stage_span(uint64_t *a, size_t m, size_t j0, size_t j1, const uint64_t *tw) {
    const uint64_t *run = tw + 4 * (m - 1);
    size_t j = j0;
    if (j == 0 && j1 > 0) {
        butterfly_one(a, a + 4 * m);
        j = 1;
    }
    for (; j < j1; j++) butterfly(a + 4 * j, a + 4 * (j + m), run + 4 * j);
}

/* All stages on a bit-reversed block of 2^log_s elements, depth first. tw is the table of
 * the full size. */
static void dit_block(uint64_t *a, unsigned log_s, const uint64_t *tw) {
    size_t s = (size_t)1 << log_s;
    if (log_s > LEAF_LOG) {
        dit_block(a, log_s - 1, tw);
        dit_block(a + 4 * (s / 2), log_s - 1, tw);
        stage_span(a, s / 2, 0, s / 2, tw);
        return;
    }
    for (unsigned k = 1; k <= log_s; k++) {
        size_t m = (size_t)1 << (k - 1);
        for (size_t b = 0; b < s; b += 2 * m) stage_span(a + 4 * b, m, 0, m, tw);
    }
}

struct ntt_job {
    uint64_t *a;
    const uint64_t *tw;
    unsigned log_n;
    unsigned log_block; /* dit_block size, for the block phase */
    unsigned stage;     /* 1-based stage, for the stage phase */
};

static void bitrev_task(void *ctx, size_t begin, size_t end) {
    struct ntt_job *job = ctx;
    uint64_t t[4];
    for (size_t i = begin; i < end; i++) {
        size_t j = bit_reverse(i, job->log_n);
        if (i < j) { /* each pair is swapped once, by the owner of its smaller index */
            fr_copy(t, job->a + 4 * i);
            fr_copy(job->a + 4 * i, job->a + 4 * j);
            fr_copy(job->a + 4 * j, t);
        }
    }
}

static void block_task(void *ctx, size_t begin, size_t end) {
    struct ntt_job *job = ctx;
    size_t s = (size_t)1 << job->log_block;
    for (size_t b = begin; b < end; b++) dit_block(job->a + 4 * b * s, job->log_block, job->tw);
}

/* Butterflies [begin, end) of one stage, numbered over the whole array (n/2 of them). */
static void stage_task(void *ctx, size_t begin, size_t end) {
    struct ntt_job *job = ctx;
    size_t m = (size_t)1 << (job->stage - 1);
    while (begin < end) {
        size_t block = begin / m, j0 = begin % m;
        size_t j1 = j0 + (end - begin) < m ? j0 + (end - begin) : m;
        stage_span(job->a + 4 * (2 * m * block), m, j0, j1, job->tw);
        begin += j1 - j0;
    }
}

/* Forward transform in place, natural order in and out. */
static void ntt_forward(uint64_t *a, unsigned log_n, const uint64_t *tw, int threads) {
    size_t n = (size_t)1 << log_n;
    int t = ntt_threads(threads, log_n);
    unsigned log_t = 0;
    while (((size_t)1 << log_t) < (size_t)t) log_t++;
    struct ntt_job job = {.a = a, .tw = tw, .log_n = log_n, .log_block = log_n - log_t};
    parallel_for(n, t, bitrev_task, &job);
    parallel_for((size_t)t, t, block_task, &job);
    for (unsigned k = log_n - log_t + 1; k <= log_n; k++) {
        job.stage = k;
        parallel_for(n / 2, t, stage_task, &job);
    }
}

/* Turns a forward transform's output into the inverse's, scaled: coefficient k is the
 * forward output at (n - k) mod n times first * ratio^k. Items are the pairs (k, n - k) for
 * k in [0, n/2]; k = 0 and k = n/2 are their own partners. */
struct finish_job {
    uint64_t *a;
    size_t n;
    uint64_t first[4], ratio[4], ratio_inv[4];
};

static void finish_inverse_task(void *ctx, size_t begin, size_t end) {
    struct finish_job *job = ctx;
    uint64_t p[4], q[4], x[4], y[4]; /* p = first ratio^k, q = first ratio^(n-k) */
    fr_pow_u64(p, job->ratio, begin);
    fr_mul(p, p, job->first);
    fr_pow_u64(q, job->ratio, job->n - begin);
    fr_mul(q, q, job->first);
    for (size_t k = begin; k < end; k++) {
        uint64_t *lo = job->a + 4 * k, *hi = job->a + 4 * ((job->n - k) % job->n);
        if (lo == hi) {
            fr_mul(lo, lo, p);
        } else {
            fr_copy(x, lo);
            fr_copy(y, hi);
            fr_mul(lo, y, p);
            fr_mul(hi, x, q);
        }
        fr_mul(p, p, job->ratio);
        fr_mul(q, q, job->ratio_inv);
    }
}

/* Inverse transform in place, each output coefficient i then multiplied by ratio^i (ratio = 1
 * for the plain inverse, g^-1 for a coset's); ratio_inv = 1/ratio. */
static void ntt_inverse_scaled(uint64_t *a, unsigned log_n, const uint64_t *tw,
                               const uint64_t ratio[4], const uint64_t ratio_inv[4],
                               int threads) {
    size_t n = (size_t)1 << log_n;
    struct finish_job job = {.a = a, .n = n};
    /* 1/n = r - (r - 1)/n, exactly, since n divides r - 1 */
    uint64_t q[4], c[4], zero[4] = {0, 0, 0, 0};
    fr_copy(q, fr_MOD);
    q[0] -= 1;
    for (int i = 0; i < 4; i++) { /* c = (r - 1) >> log_n */
        uint64_t hi = i < 3 ? q[i + 1] : 0;
        c[i] = log_n ? (q[i] >> log_n) | (hi << (64 - log_n)) : q[i];
    }
    fr_to_mont(job.first, c);
    fr_sub(job.first, zero, job.first);
    fr_copy(job.ratio, ratio);
    fr_copy(job.ratio_inv, ratio_inv);
    ntt_forward(a, log_n, tw, threads);
    size_t items = n > 1 ? n / 2 + 1 : 1;
    int t = n >= ((size_t)1 << PARALLEL_MIN_LOG) ? parallel_threads(threads, n / 1024) : 1;
    parallel_for(items, t, finish_inverse_task, &job);
}

int bn254_ntt(uint64_t *a, unsigned log_n, const uint64_t *twiddles, size_t n_twiddles,
              int inverse, int threads) {
    if (!valid_size(log_n, n_twiddles) || (inverse != 0 && inverse != 1))
        return BN254_ERR_ARGUMENT;
    if (inverse) {
        uint64_t one[4];
        fr_set_one(one);
        ntt_inverse_scaled(a, log_n, twiddles, one, one, threads);
    } else {
        ntt_forward(a, log_n, twiddles, threads);
    }
    return BN254_OK;
}

int bn254_ntt_coset(uint64_t *a, unsigned log_n, const uint64_t *twiddles, size_t n_twiddles,
                    const uint64_t shift[4], int inverse, int threads) {
    if (!valid_size(log_n, n_twiddles) || (inverse != 0 && inverse != 1))
        return BN254_ERR_ARGUMENT;
    if (fr_is_zero(shift)) return BN254_ERR_ARGUMENT;
    size_t n = (size_t)1 << log_n;
    if (inverse) {
        uint64_t g_inv[4];
        fr_inverse(g_inv, shift);
        ntt_inverse_scaled(a, log_n, twiddles, g_inv, shift, threads);
    } else {
        uint64_t one[4];
        fr_set_one(one);
        scale_powers(a, a, n, one, shift, threads); /* a_i g^i: then evaluate at w^k */
        ntt_forward(a, log_n, twiddles, threads);
    }
    return BN254_OK;
}

struct quotient_job {
    uint64_t *a;
    const uint64_t *b, *c;
    uint64_t scale[4];
    int divide;
};

static void quotient_task(void *ctx, size_t begin, size_t end) {
    struct quotient_job *job = ctx;
    uint64_t t[4];
    for (size_t i = begin; i < end; i++) {
        fr_mul(t, job->a + 4 * i, job->b + 4 * i);
        fr_sub(t, t, job->c + 4 * i);
        if (job->divide) fr_mul(t, t, job->scale);
        fr_copy(job->a + 4 * i, t);
    }
}

int bn254_ntt_coset_quotient(uint64_t *a, uint64_t *b, uint64_t *c, unsigned log_n,
                             const uint64_t *twiddles, size_t n_twiddles, const uint64_t shift[4],
                             int divide, int threads) {
    if (!valid_size(log_n, n_twiddles) || (divide != 0 && divide != 1))
        return BN254_ERR_ARGUMENT;
    if (fr_is_zero(shift)) return BN254_ERR_ARGUMENT;
    size_t n = (size_t)1 << log_n;
    struct quotient_job job = {.a = a, .b = b, .c = c, .divide = divide};
    if (divide) { /* Z(g w^i) = g^n - 1 for every i: one inversion */
        uint64_t z[4], one[4];
        fr_set_one(one);
        fr_pow_u64(z, shift, n);
        fr_sub(z, z, one);
        if (fr_is_zero(z)) return BN254_ERR_ZERO_INVERSE; /* the coset is the domain */
        fr_inverse(job.scale, z);
    }
    /* domain evaluations -> coefficients -> coefficients of P(g x) -> evaluations at g w^i */
    uint64_t *polys[3] = {a, b, c}, g_inv[4];
    fr_inverse(g_inv, shift);
    for (int p = 0; p < 3; p++) {
        ntt_inverse_scaled(polys[p], log_n, twiddles, shift, g_inv, threads);
        ntt_forward(polys[p], log_n, twiddles, threads);
    }
    int t = n >= ((size_t)1 << PARALLEL_MIN_LOG) ? parallel_threads(threads, n / 1024) : 1;
    parallel_for(n, t, quotient_task, &job);
    return BN254_OK;
}

/* ------------------------------------------------------------------ evaluation */

struct eval_job {
    const uint64_t *coeffs;
    uint64_t x[4];
    uint64_t partial[64][4]; /* one per chunk: sum over the chunk of c_i x^i */
    size_t chunk;
};

static void eval_task(void *ctx, size_t begin, size_t end) {
    struct eval_job *job = ctx;
    for (size_t k = begin; k < end; k++) {
        size_t lo = k * job->chunk, hi = lo + job->chunk;
        uint64_t acc[4], xp[4];
        fr_set_zero(acc);
        for (size_t i = hi; i-- > lo;) { /* Horner within the chunk */
            fr_mul(acc, acc, job->x);
            fr_add(acc, acc, job->coeffs + 4 * i);
        }
        fr_pow_u64(xp, job->x, lo);
        fr_mul(job->partial[k], acc, xp);
    }
}

int bn254_poly_eval(uint64_t out[4], const uint64_t *coeffs, size_t n, const uint64_t x[4],
                    int threads) {
    struct eval_job job = {.coeffs = coeffs};
    fr_copy(job.x, x);
    /* split into equal chunks (n need not be a power of two: the last chunk is Horner'd here) */
    int t = n >= ((size_t)1 << PARALLEL_MIN_LOG) ? parallel_threads(threads, n / 1024) : 1;
    if (t > 64) t = 64;
    job.chunk = n / (size_t)t;
    size_t covered = job.chunk * (size_t)t;
    parallel_for((size_t)t, t, eval_task, &job);
    uint64_t acc[4], xp[4];
    fr_set_zero(acc);
    for (size_t i = n; i-- > covered;) {
        fr_mul(acc, acc, x);
        fr_add(acc, acc, coeffs + 4 * i);
    }
    fr_pow_u64(xp, x, covered);
    fr_mul(acc, acc, xp);
    for (int k = 0; k < t; k++) fr_add(acc, acc, job.partial[k]);
    fr_copy(out, acc);
    return BN254_OK;
}
