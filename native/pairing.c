/*
 * pairing.c - the optimal ate pairing on BN254 and the multi-pairing check.
 *
 * e(P, Q) = f_{6u+2, Q}(P) * l_{T, pi(Q)}(P) * l_{T + pi(Q), -pi^2(Q)}(P), raised to
 * (p^12 - 1) / r, with u = 4965661367192848881 and Q on the D-type twist
 * E': y^2 = x^3 + 3 / xi, untwisted by (x, y) -> (x w^2, y w^3) (see tower.h).
 *
 * Miller loop: 6u + 2 in non-adjacent form (22 nonzero digits of 66), T kept in homogeneous
 * projective coordinates (x = X/Z, y = Y/Z), each line a sparse Fp12 element
 * l0 + l1 w + l3 w^3 scaled by a factor in Fp2 (which the final exponentiation kills).
 * A line depends on Q only, except for two factors from P: with coefficients (c0, c1, c3)
 * computed from T and Q, l0 = c0 yP, l1 = c1 (-xP), l3 = c3. So the G2 side of a pair is a
 * list of line coefficients ("prepared" G2, the same for any P), and one Miller loop reading
 * such lists serves both the plain and the prepared entry points.
 *
 * Final exponentiation: easy part f^((p^6 - 1)(p^2 + 1)) with a conjugation, one inverse and
 * a Frobenius; hard part f^((p^4 - p^2 + 1) / r) exactly (not a multiple of it, so values
 * equal py_ecc's), by Scott et al.'s vectorial addition chain (eprint 2008/490) over
 * f^u, f^(u^2), f^(u^3) with Granger-Scott cyclotomic squarings.
 */
/*
 * GCC's loop vectorizer turns the tower's small fixed-size limb loops into SSE code that
 * reloads scalar stores as 128-bit words (store-forwarding stalls). Vectorization buys
 * nothing here: it is off for this file. Measured again in stop 9 (A/B, same build, quiet
 * machine, `zkcore bench pairing pairing_check_4 --repeat 101`): with it on, 0.82-0.84 ms
 * and 1.60-1.62 ms; off, 0.72-0.74 ms and 1.43 ms. (Stop 8 dropped this pragma on a noisy A/B.)
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-vectorize")
#endif

#include "bn254.h"
#include "parallel.h"
#include "tower.h"

/* 3 b' = 9 / xi */
static const uint64_t TWIST_B3[8] = {0x3baa927cb62e0d6aULL, 0xd71e7c52d1b664fdULL, 0x03873e63d95d4664ULL, 0x0e75b5b1082ab8f4ULL, 0xaab7c6667596fe35ULL, 0x31d21a78bb6a27baULL, 0x85dd7297680401ffULL, 0x03c52d6adf39a7e9ULL};
/* NAF digits of 6u + 2, least significant first; 22 nonzero of 66 */
static const int8_t ATE_NAF[66] = {0, 0, 0, 1, 0, 1, 0, -1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, -1, 0, 0, 0, 1, 0, -1, 0, 0, 0, 0, -1, 0, 0, 1, 0, -1, 0, 0, 1, 0, 0, 0, 0, 0, -1, 0, 0, -1, 0, 1, 0, -1, 0, 0, 0, -1, 0, -1, 0, 0, 0, 1, 0, -1, 0, 1};
/* width-4 NAF digits of u (odd digits in -7..7), least significant first; 14 nonzero of 63 */
static const int8_t U_WNAF[63] = {1, 0, 0, 0, -1, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, -7, 0, 0, 0, 7, 0, 0, 0, 0, 5, 0, 0, 0, 0, 1, 0, 0, 0, -3, 0, 0, 0, -5, 0, 0, 0, 5, 0, 0, 0, 0, 3, 0, 0, 0, -3, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 1};

#define ATE_DIGITS 66
#define U_DIGITS 63
#define LINE_WORDS 24 /* c0, c1, c3: three Fp2 */
/* 65 doublings, 21 additions for the nonzero NAF digits below the top one, 2 Frobenius adds */
#define LINE_COUNT 88
#define PREPARED_HEADER 8 /* word 0: 1 if Q is the point at infinity */
#define PAIR_CHUNK 4      /* pairs prepared on the stack at a time by the plain entry points */
_Static_assert(BN254_G2_PREPARED_WORDS == PREPARED_HEADER + LINE_WORDS * LINE_COUNT,
               "bn254.h's prepared size must match the Miller loop's line count");

typedef struct {
    uint64_t x[8], y[8], z[8];
} g2_proj;

static int is_zero_words(const uint64_t *a, size_t words) {
    uint64_t acc = 0;
    for (size_t i = 0; i < words; i++) acc |= a[i];
    return acc == 0;
}

/*
 * T = 2T, and the tangent line at T. With x = X/Z, y = Y/Z and b' = 3/xi the tangent at P,
 * times 2yZ^3 / Z (a factor in Fp2), is 2YZ yP - 3X^2 xP w + (Y^2 - 3b'Z^2) w^3 (using
 * y^2 = x^3 + b' to remove x^3). The point formulas are Costello-Lange-Naehrig's for a = 0,
 * scaled by 4 to avoid halvings:
 *   X3 = 2XY (Y^2 - 9b'Z^2), Y3 = (Y^2 + 9b'Z^2)^2 - 108 b'^2 Z^4, Z3 = 8 Y^3 Z.
 */
static void double_step(g2_proj *t, uint64_t line[LINE_WORDS]) {
    uint64_t A[8], B[8], C[8], E[8], F[8], H[8], J[8], s[8];
    fp2_mul(A, t->x, t->y);
    fp2_square(B, t->y);
    fp2_square(C, t->z);
    fp2_mul(E, C, TWIST_B3);  /* 3b' Z^2 */
    fp2_double(F, E);
    fp2_add(F, F, E);         /* 9b' Z^2 */
    fp2_add(H, t->y, t->z);
    fp2_square(H, H);
    fp2_sub(H, H, B);
    fp2_sub(H, H, C);         /* 2YZ */
    fp2_square(J, t->x);
    /* line: c0 = 2YZ, c1 = 3X^2, c3 = Y^2 - 3b'Z^2 */
    fp2_copy(line, H);
    fp2_double(line + 8, J);
    fp2_add(line + 8, line + 8, J);
    fp2_sub(line + 16, B, E);
    /* point */
    fp2_sub(s, B, F);
    fp2_mul(t->x, A, s);
    fp2_double(t->x, t->x);
    fp2_add(s, B, F);
    fp2_square(s, s);
    fp2_square(E, E);
    fp2_double(J, E);
    fp2_add(J, J, E);         /* 3 (3b'Z^2)^2 = 27 b'^2 Z^4 */
    fp2_double(J, J);
    fp2_double(J, J);         /* 108 b'^2 Z^4 */
    fp2_sub(t->y, s, J);
    fp2_mul(t->z, B, H);
    fp2_double(t->z, t->z);
    fp2_double(t->z, t->z);
}

/*
 * T = T + Q for affine Q = (qx, qy), and the line through them. With O = Y - qy Z and
 * L = X - qx Z (slope O / L), the line times L is L yP - O xP w + (O qx - L qy) w^3.
 */
static void add_step(g2_proj *t, const uint64_t qx[8], const uint64_t qy[8],
                     uint64_t line[LINE_WORDS]) {
    uint64_t O[8], L[8], C[8], D[8], E[8], F[8], G[8], H[8], s[8];
    fp2_mul(s, qy, t->z);
    fp2_sub(O, t->y, s);
    fp2_mul(s, qx, t->z);
    fp2_sub(L, t->x, s);
    /* line: c0 = L, c1 = O, c3 = O qx - L qy */
    fp2_copy(line, L);
    fp2_copy(line + 8, O);
    fp2_mul(s, O, qx);
    fp2_mul(C, L, qy);
    fp2_sub(line + 16, s, C);
    /* point */
    fp2_square(C, O);
    fp2_square(D, L);
    fp2_mul(E, L, D);
    fp2_mul(F, t->z, C);
    fp2_mul(G, t->x, D);
    fp2_add(H, E, F);
    fp2_sub(H, H, G);
    fp2_sub(H, H, G);         /* E + F - 2G */
    fp2_mul(t->x, L, H);
    fp2_sub(s, G, H);
    fp2_mul(s, s, O);
    fp2_mul(t->y, t->y, E);
    fp2_sub(t->y, s, t->y);
    fp2_mul(t->z, t->z, E);
}

/* Every line of the Miller loop for one affine Q (not infinity), in loop order. */
static void prepare_lines(uint64_t *lines, const uint64_t q[16]) {
    g2_proj t;
    uint64_t nqy[8], q1x[8], q1y[8], q2x[8], q2y[8];
    fp2_copy(t.x, q);
    fp2_copy(t.y, q + 8);
    fp2_set_one(t.z);
    fp2_neg(nqy, q + 8);
    size_t k = 0;
    for (int i = ATE_DIGITS - 2; i >= 0; i--) {
        double_step(&t, lines + LINE_WORDS * k++);
        if (ATE_NAF[i] == 1) add_step(&t, q, q + 8, lines + LINE_WORDS * k++);
        else if (ATE_NAF[i] == -1) add_step(&t, q, nqy, lines + LINE_WORDS * k++);
    }
    /* Q1 = pi(Q) = (conj(x) gamma1[2], conj(y) gamma1[3]); -Q2 = -pi^2(Q) likewise */
    fp2_conjugate(q1x, q);
    fp2_mul(q1x, q1x, GAMMA1[2]);
    fp2_conjugate(q1y, q + 8);
    fp2_mul(q1y, q1y, GAMMA1[3]);
    fp2_mul_by_fp(q2x, q, GAMMA2[2]);
    fp2_mul_by_fp(q2y, q + 8, GAMMA2[3]);
    fp2_neg(q2y, q2y);
    add_step(&t, q1x, q1y, lines + LINE_WORDS * k++);
    add_step(&t, q2x, q2y, lines + LINE_WORDS * k++);
}

/* f = f * (c0 yP + c1 (-xP) w + c3 w^3) */
static inline void mul_by_line_at(uint64_t f[48], const uint64_t line[LINE_WORDS],
                                  const uint64_t yp[4], const uint64_t nxp[4]) {
    uint64_t l0[8], l1[8];
    fp2_mul_by_fp(l0, line, yp);
    fp2_mul_by_fp(l1, line + 8, nxp);
    fp12_mul_by_line(f, f, l0, l1, line + 16);
}

/* A prepared line (c0, c1, c3) at P = (x, y): l0 = c0 y and l1 = c1 (-x); l3 = c3 as is. */
static inline void eval_line(uint64_t l0[8], uint64_t l1[8], const uint64_t *line,
                             const uint64_t p[8]) {
    uint64_t nx[4];
    fp_neg(nx, p);
    fp2_mul_by_fp(l0, line, p + 4);
    fp2_mul_by_fp(l1, line + 8, nx);
}

/* f = f * prod_j line k of pair j, evaluated at P_j; lines of two pairs are multiplied
 * together first (6 + 17 Fp2 multiplications instead of 2 x 13). */
static void apply_lines(uint64_t f[48], const uint64_t *g1s, const uint64_t *const *lines,
                        size_t n, size_t k) {
    size_t j = 0;
    for (; j + 1 < n; j += 2) {
        const uint64_t *la = lines[j] + LINE_WORDS * k, *lb = lines[j + 1] + LINE_WORDS * k;
        uint64_t a0[8], a1[8], b0[8], b1[8], prod[48];
        eval_line(a0, a1, la, g1s + 8 * j);
        eval_line(b0, b1, lb, g1s + 8 * (j + 1));
        fp12_line_by_line(prod, a0, a1, la + 16, b0, b1, lb + 16);
        fp12_mul_by_line_product(f, f, prod);
    }
    if (j < n) {
        const uint64_t *line = lines[j] + LINE_WORDS * k;
        uint64_t l0[8], l1[8];
        eval_line(l0, l1, line, g1s + 8 * j);
        fp12_mul_by_line(f, f, l0, l1, line + 16);
    }
}

/*
 * f = f * prod over pairs of f_{6u+2, Q_j}(P_j) times the two Frobenius lines: one
 * accumulator, so the n Miller loops share their 64 Fp12 squarings. lines[j] points at pair
 * j's prepared lines; every pair here is finite (callers drop infinity first).
 */
static void miller_loop_lines(uint64_t f[48], const uint64_t *g1s, const uint64_t *const *lines,
                              size_t n) {
    uint64_t acc[48];
    fp12_set_one(acc);
    size_t k = 0;
    for (int i = ATE_DIGITS - 2; i >= 0; i--) {
        if (i != ATE_DIGITS - 2) fp12_square(acc, acc); /* acc = 1 before the first step */
        apply_lines(acc, g1s, lines, n, k++);
        if (ATE_NAF[i] != 0) apply_lines(acc, g1s, lines, n, k++);
    }
    apply_lines(acc, g1s, lines, n, k++);
    apply_lines(acc, g1s, lines, n, k++);
    fp12_mul(f, f, acc);
}

/* The Miller loop product over n plain pairs, PAIR_CHUNK pairs prepared at a time. */
static void miller_loop_plain(uint64_t f[48], const uint64_t *g1s, const uint64_t *g2s, size_t n) {
    uint64_t lines[PAIR_CHUNK][LINE_WORDS * LINE_COUNT];
    uint64_t ps[PAIR_CHUNK * 8];
    const uint64_t *ptrs[PAIR_CHUNK];
    size_t m = 0;
    fp12_set_one(f);
    for (size_t j = 0; j < n; j++) {
        const uint64_t *p = g1s + 8 * j, *q = g2s + 16 * j;
        if (is_zero_words(p, 8) || is_zero_words(q, 16)) continue; /* contributes 1 */
        for (int w = 0; w < 8; w++) ps[8 * m + w] = p[w];
        prepare_lines(lines[m], q);
        ptrs[m] = lines[m];
        if (++m == PAIR_CHUNK) {
            miller_loop_lines(f, ps, ptrs, m);
            m = 0;
        }
    }
    if (m) miller_loop_lines(f, ps, ptrs, m);
}

/* The Miller loop product over n pairs whose G2 sides are prepared buffers. */
static void miller_loop_prepared(uint64_t f[48], const uint64_t *g1s, const uint64_t *prepared,
                                 size_t n) {
    uint64_t ps[PAIR_CHUNK * 8];
    const uint64_t *ptrs[PAIR_CHUNK];
    size_t m = 0;
    fp12_set_one(f);
    for (size_t j = 0; j < n; j++) {
        const uint64_t *p = g1s + 8 * j, *prep = prepared + BN254_G2_PREPARED_WORDS * j;
        if (is_zero_words(p, 8) || prep[0]) continue;
        for (int w = 0; w < 8; w++) ps[8 * m + w] = p[w];
        ptrs[m] = prep + PREPARED_HEADER;
        if (++m == PAIR_CHUNK) {
            miller_loop_lines(f, ps, ptrs, m);
            m = 0;
        }
    }
    if (m) miller_loop_lines(f, ps, ptrs, m);
}

/*
 * The Miller loop product over n pairs (G2 side plain or prepared) on up to `threads`
 * threads: each takes a contiguous run of pairs with its own accumulator (so its own
 * squarings), and the partial products are multiplied at the end.
 */
#define MAX_SPLIT 64

typedef struct {
    const uint64_t *g1s, *g2s; /* g2s: affine points, or prepared buffers if `prepared` */
    int prepared, threads;
    size_t n;
    uint64_t (*partial)[48];
} miller_job;

static void miller_task(void *ctx, size_t begin, size_t end) {
    miller_job *job = ctx;
    int slot = 0; /* parallel_for's chunk i starts at n i / threads; chunks are nonempty */
    while (slot + 1 < job->threads && job->n * (size_t)(slot + 1) / (size_t)job->threads <= begin)
        slot++;
    if (job->prepared)
        miller_loop_prepared(job->partial[slot], job->g1s + 8 * begin,
                             job->g2s + (size_t)BN254_G2_PREPARED_WORDS * begin, end - begin);
    else
        miller_loop_plain(job->partial[slot], job->g1s + 8 * begin, job->g2s + 16 * begin,
                          end - begin);
}

static void miller_product(uint64_t f[48], const uint64_t *g1s, const uint64_t *g2s,
                           int prepared, size_t n, int threads) {
    int t = parallel_threads(threads, n);
    if (t > MAX_SPLIT) t = MAX_SPLIT;
    if (t <= 1) {
        if (prepared) miller_loop_prepared(f, g1s, g2s, n);
        else miller_loop_plain(f, g1s, g2s, n);
        return;
    }
    uint64_t partial[MAX_SPLIT][48];
    miller_job job = {g1s, g2s, prepared, t, n, partial};
    parallel_for(n, t, miller_task, &job);
    fp12_copy(f, partial[0]);
    for (int i = 1; i < t; i++) fp12_mul(f, f, partial[i]);
}

/*
 * r = a^u for a in the cyclotomic subgroup, where conjugation is inversion: width-4 NAF of
 * u over the table a, a^3, a^5, a^7 (13 multiplications after 4 for the table, against 23
 * for the plain NAF), 62 Granger-Scott squarings.
 */
static void cyclotomic_pow_u(uint64_t r[48], const uint64_t a[48]) {
    uint64_t table[4][48], a2[48], acc[48], t[48];
    fp12_copy(table[0], a);
    fp12_cyclotomic_square(a2, a);
    for (int i = 1; i < 4; i++) fp12_mul(table[i], table[i - 1], a2);
    fp12_copy(acc, table[(U_WNAF[U_DIGITS - 1] - 1) / 2]);
    for (int i = U_DIGITS - 2; i >= 0; i--) {
        fp12_cyclotomic_square(acc, acc);
        int d = U_WNAF[i];
        if (d > 0) {
            fp12_mul(acc, acc, table[(d - 1) / 2]);
        } else if (d < 0) {
            fp12_conjugate(t, table[(-d - 1) / 2]);
            fp12_mul(acc, acc, t);
        }
    }
    fp12_copy(r, acc);
}

static void final_exponentiation(uint64_t r[48], const uint64_t a[48]) {
    uint64_t f[48], t[48], fx[48], fx2[48], fx3[48];
    uint64_t y0[48], y1[48], y2[48], y3[48], y4[48], y5[48], y6[48], t0[48], t1[48];
    /* easy part: f = a^(p^6 - 1) = conj(a) / a, then f = f^(p^2 + 1) */
    fp12_inverse(t, a);
    fp12_conjugate(f, a);
    fp12_mul(f, f, t);
    fp12_frobenius(t, f, 2);
    fp12_mul(f, t, f);
    /* hard part: f^(lambda0 + lambda1 p + lambda2 p^2 + p^3) with
     * lambda2 = 6u^2 + 1, lambda1 = -36u^3 - 18u^2 - 12u + 1, lambda0 = -36u^3 - 30u^2 - 18u - 2,
     * as y0 y1^2 y2^6 y3^12 y4^18 y5^30 y6^36 (Scott et al.) */
    cyclotomic_pow_u(fx, f);
    cyclotomic_pow_u(fx2, fx);
    cyclotomic_pow_u(fx3, fx2);
    fp12_frobenius(y0, f, 1);                /* y0 = f^p f^(p^2) f^(p^3) */
    fp12_frobenius(t, f, 2);
    fp12_mul(y0, y0, t);
    fp12_frobenius(t, f, 3);
    fp12_mul(y0, y0, t);
    fp12_conjugate(y1, f);                   /* y1 = 1/f */
    fp12_frobenius(y2, fx2, 2);              /* y2 = (f^(u^2))^(p^2) */
    fp12_frobenius(t, fx, 1);
    fp12_conjugate(y3, t);                   /* y3 = 1/(f^u)^p */
    fp12_frobenius(t, fx2, 1);
    fp12_mul(t, t, fx);
    fp12_conjugate(y4, t);                   /* y4 = 1/(f^u (f^(u^2))^p) */
    fp12_conjugate(y5, fx2);                 /* y5 = 1/f^(u^2) */
    fp12_frobenius(t, fx3, 1);
    fp12_mul(t, t, fx3);
    fp12_conjugate(y6, t);                   /* y6 = 1/(f^(u^3) (f^(u^3))^p) */
    /* the addition chain: 4 squarings and 10 multiplications */
    fp12_cyclotomic_square(t0, y6);
    fp12_mul(t0, t0, y4);
    fp12_mul(t0, t0, y5);
    fp12_mul(t1, y3, y5);
    fp12_mul(t1, t1, t0);
    fp12_mul(t0, t0, y2);
    fp12_cyclotomic_square(t1, t1);
    fp12_mul(t1, t1, t0);
    fp12_cyclotomic_square(t1, t1);
    fp12_mul(t0, t1, y1);
    fp12_mul(t1, t1, y0);
    fp12_cyclotomic_square(t0, t0);
    fp12_mul(r, t0, t1);
}

/* ---------------------------------------------------------------- exported */

int bn254_miller_loop(uint64_t out[48], const uint64_t *g1s, const uint64_t *g2s, size_t n) {
    if (!out || (n && (!g1s || !g2s))) return BN254_ERR_ARGUMENT;
    miller_loop_plain(out, g1s, g2s, n);
    return BN254_OK;
}

int bn254_final_exponentiation(uint64_t out[48], const uint64_t in[48]) {
    if (!out || !in) return BN254_ERR_ARGUMENT;
    final_exponentiation(out, in);
    return BN254_OK;
}

int bn254_pairing(uint64_t out[48], const uint64_t g1[8], const uint64_t g2[16]) {
    if (!out || !g1 || !g2) return BN254_ERR_ARGUMENT;
    uint64_t f[48];
    miller_loop_plain(f, g1, g2, 1);
    final_exponentiation(out, f);
    return BN254_OK;
}

int bn254_pairing_check_threads(const uint64_t *g1s, const uint64_t *g2s, size_t n,
                                int threads, int *result) {
    if (!result || (n && (!g1s || !g2s))) return BN254_ERR_ARGUMENT;
    uint64_t f[48];
    miller_product(f, g1s, g2s, 0, n, threads);
    final_exponentiation(f, f);
    *result = fp12_is_one(f);
    return BN254_OK;
}

int bn254_pairing_check(const uint64_t *g1s, const uint64_t *g2s, size_t n, int *result) {
    return bn254_pairing_check_threads(g1s, g2s, n, 1, result);
}

int bn254_g2_prepare(uint64_t *out, const uint64_t *g2s, size_t n) {
    if (n && (!out || !g2s)) return BN254_ERR_ARGUMENT;
    for (size_t j = 0; j < n; j++) {
        uint64_t *prep = out + BN254_G2_PREPARED_WORDS * j;
        const uint64_t *q = g2s + 16 * j;
        for (int w = 0; w < BN254_G2_PREPARED_WORDS; w++) prep[w] = 0;
        if (is_zero_words(q, 16)) prep[0] = 1;
        else prepare_lines(prep + PREPARED_HEADER, q);
    }
    return BN254_OK;
}

int bn254_miller_loop_prepared(uint64_t out[48], const uint64_t *g1s, const uint64_t *prepared,
                               size_t n) {
    if (!out || (n && (!g1s || !prepared))) return BN254_ERR_ARGUMENT;
    miller_loop_prepared(out, g1s, prepared, n);
    return BN254_OK;
}

int bn254_pairing_check_prepared_threads(const uint64_t *g1s, const uint64_t *prepared, size_t n,
                                         int threads, int *result) {
    if (!result || (n && (!g1s || !prepared))) return BN254_ERR_ARGUMENT;
    uint64_t f[48];
    miller_product(f, g1s, prepared, 1, n, threads);
    final_exponentiation(f, f);
    *result = fp12_is_one(f);
    return BN254_OK;
}

int bn254_pairing_check_prepared(const uint64_t *g1s, const uint64_t *prepared, size_t n,
                                 int *result) {
    return bn254_pairing_check_prepared_threads(g1s, prepared, n, 1, result);
}

/* ---------------------------------------------------------------- tower, for tests */

int bn254_fp12_mul(uint64_t out[48], const uint64_t a[48], const uint64_t b[48]) {
    fp12_mul(out, a, b);
    return BN254_OK;
}

int bn254_fp12_square(uint64_t out[48], const uint64_t a[48]) {
    fp12_square(out, a);
    return BN254_OK;
}

int bn254_fp12_cyclotomic_square(uint64_t out[48], const uint64_t a[48]) {
    fp12_cyclotomic_square(out, a);
    return BN254_OK;
}

int bn254_fp12_inverse(uint64_t out[48], const uint64_t a[48]) {
    uint64_t zero[48] = {0};
    if (fp12_equal(a, zero)) return BN254_ERR_ZERO_INVERSE;
    fp12_inverse(out, a);
    return BN254_OK;
}

int bn254_fp12_frobenius(uint64_t out[48], const uint64_t a[48], int power) {
    if (power < 1 || power > 3) return BN254_ERR_ARGUMENT;
    fp12_frobenius(out, a, power);
    return BN254_OK;
}

int bn254_fp12_mul_by_line(uint64_t out[48], const uint64_t a[48], const uint64_t l0[8],
                           const uint64_t l1[8], const uint64_t l3[8]) {
    fp12_mul_by_line(out, a, l0, l1, l3);
    return BN254_OK;
}

int bn254_fp12_pow(uint64_t out[48], const uint64_t a[48], const uint64_t *e, size_t e_len) {
    if (e_len && !e) return BN254_ERR_ARGUMENT;
    uint64_t acc[48];
    fp12_set_one(acc);
    for (size_t i = e_len; i-- > 0;) {
        for (int bit = 63; bit >= 0; bit--) {
            fp12_square(acc, acc);
            if ((e[i] >> bit) & 1) fp12_mul(acc, acc, a);
        }
    }
    fp12_copy(out, acc);
    return BN254_OK;
}

int bn254_fp2_mul(uint64_t out[8], const uint64_t a[8], const uint64_t b[8]) {
    fp2_mul(out, a, b);
    return BN254_OK;
}

int bn254_fp2_mul_by_xi(uint64_t out[8], const uint64_t a[8]) {
    fp2_mul_by_xi(out, a);
    return BN254_OK;
}

int bn254_fp6_mul(uint64_t out[24], const uint64_t a[24], const uint64_t b[24]) {
    fp6_mul(out, a, b);
    return BN254_OK;
}

int bn254_fp6_square(uint64_t out[24], const uint64_t a[24]) {
    fp6_square(out, a);
    return BN254_OK;
}

int bn254_fp6_inverse(uint64_t out[24], const uint64_t a[24]) {
    uint64_t zero[24] = {0};
    if (fp6_equal(a, zero)) return BN254_ERR_ZERO_INVERSE;
    fp6_inverse(out, a);
    return BN254_OK;
}
