/*
 * bn254.h - the one C API of TicketKing's BN254 core, read by cffi (native/build.py).
 *
 * Conventions, for every function below:
 *  - A field element is 4 little-endian uint64 limbs (limb 0 least significant). Vectors are
 *    n consecutive elements (a C-contiguous numpy array of shape (n, 4)).
 *  - Unless a name says "canonical" or "bytes", elements are in Montgomery form (a*R mod m,
 *    R = 2^256) and must be fully reduced (< m); the Python layer guarantees this.
 *  - `field` selects the prime: BN254_FP (base field, p) or BN254_FR (scalar field, r).
 *  - Functions return BN254_OK or a BN254_ERR_* code, never abort, and never allocate
 *    behind the caller's back unless their name says so ("_alloc").
 *  - Output buffers may alias inputs for element-wise operations.
 *  - `threads` = 0 means "as many as the machine has"; 1 runs on the calling thread only.
 *
 * Preprocessor lines are stripped before cffi reads this file; keep declarations plain C.
 */
#ifndef TICKETKING_BN254_H
#define TICKETKING_BN254_H

#include <stddef.h>
#include <stdint.h>

enum bn254_field_id { BN254_FP = 0, BN254_FR = 1 };

enum bn254_status {
    BN254_OK = 0,
    BN254_ERR_ARGUMENT = 1,       /* bad field id, size or flag */
    BN254_ERR_NONCANONICAL = 2,   /* an input element is >= the modulus */
    BN254_ERR_ZERO_INVERSE = 3,   /* inverse of zero asked for */
    BN254_ERR_NOT_ON_CURVE = 4,
    BN254_ERR_NOT_IN_SUBGROUP = 5,
    BN254_ERR_NO_MEMORY = 6,
    BN254_ERR_ENCODING = 7        /* malformed byte encoding (flags, lengths) */
};

/* ---------------------------------------------------------------- cpu.c */

/* 1 if the CPU has BMI2 and ADX (MULX/ADCX/ADOX), else 0. */
int bn254_cpu_has_bmi2_adx(void);
/* 1 if this build multiplies with the MULX/ADX assembly, 0 if with portable C. */
int bn254_build_uses_mulx_asm(void);

/* ---------------------------------------------------------------- field.c: Fp and Fr */

/* The modulus in canonical limbs, and Montgomery's R mod m ("one"). */
int bn254_field_modulus(int field, uint64_t out[4]);
int bn254_field_one(int field, uint64_t out[4]);

/* Canonical limbs -> Montgomery. strict=1: any input >= m is BN254_ERR_NONCANONICAL and
 * nothing is written; strict=0: any 256-bit input is reduced mod m. */
int bn254_vec_to_mont(int field, uint64_t *out, const uint64_t *in, size_t n, int strict);
/* Montgomery -> canonical limbs. */
int bn254_vec_from_mont(int field, uint64_t *out, const uint64_t *in, size_t n);
/* 32-byte encodings of canonical values (big_endian=1 or 0) <-> Montgomery elements. */
int bn254_vec_from_bytes(int field, uint64_t *out, const uint8_t *in, size_t n,
                         int big_endian, int strict);
int bn254_vec_to_bytes(int field, uint8_t *out, const uint64_t *in, size_t n, int big_endian);
/* 1 if every canonical input is < m, else 0. */
int bn254_vec_is_canonical(int field, const uint64_t *in, size_t n);

int bn254_vec_add(int field, uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
int bn254_vec_sub(int field, uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
int bn254_vec_mul(int field, uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
int bn254_vec_neg(int field, uint64_t *out, const uint64_t *a, size_t n);
int bn254_vec_square(int field, uint64_t *out, const uint64_t *a, size_t n);
/* out[i] = a[i] * s for one Montgomery scalar s. */
int bn254_vec_scale(int field, uint64_t *out, const uint64_t *a, const uint64_t s[4], size_t n);
/* out[i] = a[i]^e, e given as e_len canonical little-endian limbs (any length). */
int bn254_vec_pow(int field, uint64_t *out, const uint64_t *a, const uint64_t *e,
                  size_t e_len, size_t n);
/* out[i] = 1/a[i] by Montgomery's trick. Any zero: BN254_ERR_ZERO_INVERSE, out untouched.
 * `scratch` holds n elements (4n limbs) and must not alias in/out. */
int bn254_vec_inverse(int field, uint64_t *out, const uint64_t *a, uint64_t *scratch, size_t n);
/* out = sum a[i] * b[i]; out = sum a[i]. */
int bn254_vec_inner_product(int field, uint64_t out[4], const uint64_t *a, const uint64_t *b,
                            size_t n);
int bn254_vec_sum(int field, uint64_t out[4], const uint64_t *a, size_t n);
/* 1 if a[i] == b[i] for all i, else 0. */
int bn254_vec_equal(int field, const uint64_t *a, const uint64_t *b, size_t n);

/* ---------------------------------------------------------------- ntt.c: NTT over Fr */

/* Every function here works in Fr (Montgomery form). A domain of size n = 2^log_n,
 * log_n <= BN254_NTT_MAX_LOG, is the set of powers of w = bn254_fr_root_of_unity(log_n); its
 * twiddle table (bn254_ntt_twiddles) holds n - 1 elements (one when n = 1): for each stage
 * m = 1, 2, ..., n/2 the run w_2m^j, j < m, at index m - 1 + j (w_2m = w^(n/2m)); `n_twiddles`
 * is checked against that. Transforms work in place, natural order in and out. */
enum bn254_ntt_limits { BN254_FR_TWO_ADICITY = 28, BN254_NTT_MAX_LOG = 24 };

/* out = (5^((r-1)/2^28))^(2^(28-log_n)), a primitive 2^log_n-th root of unity; log_n <= 28. */
int bn254_fr_root_of_unity(unsigned log_n, uint64_t out[4]);
/* Fill a domain's twiddle table (see above); n_twiddles >= max(1, n - 1). */
int bn254_ntt_twiddles(unsigned log_n, uint64_t *twiddles, size_t n_twiddles, int threads);
/* inverse=0: a_k <- sum_j a_j w^(jk) (coefficients -> evaluations at w^k);
 * inverse=1: the inverse map, 1/n included. */
int bn254_ntt(uint64_t *a, unsigned log_n, const uint64_t *twiddles, size_t n_twiddles,
              int inverse, int threads);
/* The same on the coset shift * <w>: inverse=0 evaluates the polynomial of coefficients a at
 * shift * w^k; inverse=1 interpolates from those values. shift = 0 is BN254_ERR_ARGUMENT. */
int bn254_ntt_coset(uint64_t *a, unsigned log_n, const uint64_t *twiddles, size_t n_twiddles,
                    const uint64_t shift[4], int inverse, int threads);
/* Groth16's quotient step. a, b, c hold the evaluations of A, B, C on the domain and are all
 * overwritten (they are the work space). On return a_k = (A*B - C)(g w^k) / Z(g w^k) with
 * g = shift and Z = x^n - 1, constant g^n - 1 on the coset (divide=1), or (A*B - C)(g w^k)
 * (divide=0; what a snarkjs .zkey's H section expects). g^n = 1: BN254_ERR_ZERO_INVERSE when
 * dividing; g = 0: BN254_ERR_ARGUMENT. */
int bn254_ntt_coset_quotient(uint64_t *a, uint64_t *b, uint64_t *c, unsigned log_n,
                             const uint64_t *twiddles, size_t n_twiddles, const uint64_t shift[4],
                             int divide, int threads);
/* out[i] = a[i] * first * ratio^i (coset scaling of coefficients); out may alias a. */
int bn254_poly_scale_powers(uint64_t *out, const uint64_t *a, size_t n, const uint64_t first[4],
                            const uint64_t ratio[4], int threads);
/* out = sum a[i] x^i. */
int bn254_poly_eval(uint64_t out[4], const uint64_t *coeffs, size_t n, const uint64_t x[4],
                    int threads);

/* ---------------------------------------------------------------- curve.c, msm.c: G1, G2 */

/* Points. Affine G1 = 8 limbs (x, y), affine G2 = 16 limbs (x.c0, x.c1, y.c0, y.c1), all
 * coordinates Montgomery Fp; the all-zero affine point is infinity. Jacobian G1 = 12 limbs,
 * G2 = 24 limbs (X, Y, Z), Z = 0 is infinity. G2 is the twist y^2 = x^3 + 3/(9+u). The same
 * functions exist for g1 and g2; they work element-wise on n points and outputs may alias
 * inputs unless stated. */
int bn254_g1_from_affine(uint64_t *out_jac, const uint64_t *aff, size_t n);
int bn254_g2_from_affine(uint64_t *out_jac, const uint64_t *aff, size_t n);
/* Batch Jacobian -> affine with one field inversion; `scratch` holds n coordinates (G1: 4n
 * limbs, G2: 8n limbs); out must not alias jac. */
int bn254_g1_to_affine(uint64_t *out_aff, const uint64_t *jac, size_t n, uint64_t *scratch);
int bn254_g2_to_affine(uint64_t *out_aff, const uint64_t *jac, size_t n, uint64_t *scratch);
int bn254_g1_add(uint64_t *out_jac, const uint64_t *a_jac, const uint64_t *b_jac, size_t n);
int bn254_g2_add(uint64_t *out_jac, const uint64_t *a_jac, const uint64_t *b_jac, size_t n);
int bn254_g1_add_affine(uint64_t *out_jac, const uint64_t *a_jac, const uint64_t *b_aff,
                        size_t n);
int bn254_g2_add_affine(uint64_t *out_jac, const uint64_t *a_jac, const uint64_t *b_aff,
                        size_t n);
int bn254_g1_double(uint64_t *out_jac, const uint64_t *a_jac, size_t n);
int bn254_g2_double(uint64_t *out_jac, const uint64_t *a_jac, size_t n);
int bn254_g1_neg(uint64_t *out_jac, const uint64_t *a_jac, size_t n);
int bn254_g2_neg(uint64_t *out_jac, const uint64_t *a_jac, size_t n);
/* 1 if a[i] == b[i] as points for every i, else 0. */
int bn254_g1_equal(const uint64_t *a_jac, const uint64_t *b_jac, size_t n);
int bn254_g2_equal(const uint64_t *a_jac, const uint64_t *b_jac, size_t n);
/* out[i] = [k_i] a[i], k_i given as scalar_limbs canonical little-endian limbs (any value,
 * not reduced mod r, so [r] P tests subgroup membership). */
int bn254_g1_mul(uint64_t *out_jac, const uint64_t *a_jac, const uint64_t *scalars,
                 size_t scalar_limbs, size_t n);
int bn254_g2_mul(uint64_t *out_jac, const uint64_t *a_jac, const uint64_t *scalars,
                 size_t scalar_limbs, size_t n);
/* BN254_OK if every affine point has coordinates < p and is on the curve (and, for G2 with
 * check_subgroup=1, in the order-r subgroup by the fast psi test, on `threads` threads);
 * else the first failure's status (NONCANONICAL, NOT_ON_CURVE, NOT_IN_SUBGROUP) with its
 * index in *bad_index. G1's cofactor is 1, so check_subgroup changes nothing there. */
int bn254_g1_validate(const uint64_t *aff, size_t n, int check_subgroup, size_t *bad_index,
                      int threads);
int bn254_g2_validate(const uint64_t *aff, size_t n, int check_subgroup, size_t *bad_index,
                      int threads);
/* The endomorphism psi (untwist-Frobenius-twist) on Jacobian G2 points. */
int bn254_g2_psi(uint64_t *out_jac, const uint64_t *a_jac, size_t n);
/* MSM: out = sum [k_i] P_i for n affine points and n canonical Fr scalars (4 limbs, < r,
 * else BN254_ERR_NONCANONICAL), Pippenger with signed windows on `threads` threads. The
 * caller provides `scratch` of at least bn254_g?_msm_scratch_words(n, threads) words. */
int bn254_g1_msm_scratch_words(size_t n, int threads, size_t *words);
int bn254_g2_msm_scratch_words(size_t n, int threads, size_t *words);
int bn254_g1_msm(uint64_t out_jac[12], const uint64_t *points, const uint64_t *scalars, size_t n,
                 uint64_t *scratch, size_t scratch_words, int threads);
int bn254_g2_msm(uint64_t out_jac[24], const uint64_t *points, const uint64_t *scalars, size_t n,
                 uint64_t *scratch, size_t scratch_words, int threads);
/* The MSM's GLV split, exported for tests: each canonical scalar k (4 limbs, < r, else
 * BN254_ERR_NONCANONICAL) becomes k1 + k2 lambda = k mod r with |k1|, |k2| < 2^127, lambda =
 * 0xb3c4d79d41a917585bfc41088d8daaa78b17ea66b99c90dd; out gets 4 words per scalar: k1 and k2
 * as two's complement 128-bit values (low word first). */
int bn254_msm_glv_split(int64_t *out, const uint64_t *scalars, size_t n);
/* The MSM's batch additions run 8 at a time with AVX-512 IFMA when the CPU has it. mode 0
 * switches that off, 1 on (if the CPU has it), -1 only asks (else BN254_ERR_ARGUMENT);
 * *active = 1 if it is on. Process-wide: change it only while no MSM runs (tests compare
 * both paths). */
int bn254_msm_simd(int mode, int *active);

/* ---------------------------------------------------------------- decompress.c: compressed points */

/* n compressed points (G1: 32 bytes each, x big-endian; G2: 64 bytes each, x.c1 || x.c0
 * big-endian; flags in the top two bits of each point's first byte: 0x80 infinity, which
 * needs every other bit zero, 0x40 y is the larger root, see docs/encodings.md) -> n affine
 * points (G1 8 limbs, G2 16 limbs, Montgomery; infinity all zero). Every point is checked:
 * BN254_ERR_ENCODING (flags), BN254_ERR_NONCANONICAL (a word of x >= p), BN254_ERR_NOT_ON_CURVE
 * (x^3 + b has no square root), BN254_ERR_NOT_IN_SUBGROUP (G2 outside the order-r subgroup),
 * with the first bad point's index in *bad_index (may be NULL); points before it are written,
 * the rest are not. */
int bn254_g1_decompress(uint64_t *aff_out, const uint8_t *in, size_t n, size_t *bad_index);
int bn254_g2_decompress(uint64_t *aff_out, const uint8_t *in, size_t n, size_t *bad_index);

/* ---------------------------------------------------------------- pairing.c */

/* Optimal ate pairing. An affine G1 point is uint64_t[8] (x, y), an affine G2 point
 * uint64_t[16] (x.c0, x.c1, y.c0, y.c1), all Montgomery Fp; all-zero means infinity. Points
 * must be on their curves and G2 points in the order-r subgroup (the caller checks; a bad
 * point gives a wrong value, never a crash). An Fp12 value is uint64_t[48]: Fp2 coefficients
 * of w^0, w^2, w^4, w^1, w^3, w^5 in the tower Fp12 = Fp6[w]/(w^2 - v),
 * Fp6 = Fp2[v]/(v^3 - (9 + u)). Pairs with an infinite point contribute 1. */
enum { BN254_G2_PREPARED_WORDS = 2120 }; /* uint64 words of one prepared G2 point */

/* out = e(g1, g2) */
int bn254_pairing(uint64_t out[48], const uint64_t g1[8], const uint64_t g2[16]);
/* *result = 1 if prod_i e(g1s[i], g2s[i]) == 1, else 0: one shared Miller loop, one final
 * exponentiation. n = 0 gives 1. */
int bn254_pairing_check(const uint64_t *g1s, const uint64_t *g2s, size_t n, int *result);
/* out = prod_i f_{6u+2, Q_i}(P_i) (with the Frobenius lines), before final exponentiation. */
int bn254_miller_loop(uint64_t out[48], const uint64_t *g1s, const uint64_t *g2s, size_t n);
/* out = in^((p^12 - 1) / r) */
int bn254_final_exponentiation(uint64_t out[48], const uint64_t in[48]);
/* Precompute the Miller loop lines of n G2 points (for fixed points such as a verifying
 * key's) into out, n * BN254_G2_PREPARED_WORDS words; then the _prepared variants skip all
 * G2 arithmetic. */
int bn254_g2_prepare(uint64_t *out, const uint64_t *g2s, size_t n);
int bn254_miller_loop_prepared(uint64_t out[48], const uint64_t *g1s, const uint64_t *prepared,
                               size_t n);
int bn254_pairing_check_prepared(const uint64_t *g1s, const uint64_t *prepared, size_t n,
                                 int *result);
/* The two checks on up to `threads` threads (0 = all cores): pairs are split into runs, one
 * Miller loop accumulator per thread, products multiplied, one final exponentiation. The
 * functions above are these with threads = 1. */
int bn254_pairing_check_threads(const uint64_t *g1s, const uint64_t *g2s, size_t n, int threads,
                                int *result);
int bn254_pairing_check_prepared_threads(const uint64_t *g1s, const uint64_t *prepared, size_t n,
                                         int threads, int *result);
/* Tower arithmetic, exported for tests. Fp6 value: uint64_t[24] (coefficients of 1, v, v^2).
 * frobenius: out = a^(p^power), power 1..3. mul_by_line: out = a (l0 + l1 w + l3 w^3). */
int bn254_fp12_mul(uint64_t out[48], const uint64_t a[48], const uint64_t b[48]);
int bn254_fp12_square(uint64_t out[48], const uint64_t a[48]);
int bn254_fp12_cyclotomic_square(uint64_t out[48], const uint64_t a[48]);
int bn254_fp12_inverse(uint64_t out[48], const uint64_t a[48]);
int bn254_fp12_frobenius(uint64_t out[48], const uint64_t a[48], int power);
int bn254_fp12_mul_by_line(uint64_t out[48], const uint64_t a[48], const uint64_t l0[8],
                           const uint64_t l1[8], const uint64_t l3[8]);
/* out = a^e, e as e_len canonical little-endian limbs */
int bn254_fp12_pow(uint64_t out[48], const uint64_t a[48], const uint64_t *e, size_t e_len);
int bn254_fp6_mul(uint64_t out[24], const uint64_t a[24], const uint64_t b[24]);
/* Fp2 value: uint64_t[8] (coefficients of 1, u; Montgomery Fp) */
int bn254_fp2_mul(uint64_t out[8], const uint64_t a[8], const uint64_t b[8]);
int bn254_fp2_mul_by_xi(uint64_t out[8], const uint64_t a[8]); /* out = a (9 + u) */
int bn254_fp6_square(uint64_t out[24], const uint64_t a[24]);
int bn254_fp6_inverse(uint64_t out[24], const uint64_t a[24]);

/* ---------------------------------------------------------------- poseidon.c */

/* Poseidon over Fr with x^5 S-box, widths t = 2..17 (circomlib's Poseidon(t - 1)); the
 * caller passes the constants as Montgomery limbs in the optimised-schedule layout described
 * in poseidon.c (zkcore/poseidon.py builds it). State = [0, in_1 .. in_{t-1}], output s_0. */
/* *out_len = the number of uint64 limbs the params buffer holds for (t, R_F, R_P). */
int bn254_poseidon_params_len(size_t t, size_t rounds_f, size_t rounds_p, size_t *out_len);
/* out[i] = Poseidon(in[i*(t-1)] .. in[i*(t-1)+t-2]) for n rows of Montgomery inputs; out is
 * n Montgomery elements. Any input >= r: BN254_ERR_NONCANONICAL, nothing written.
 * params52: NULL, or the same constants as 5 x 52-bit limbs each in Montgomery form with
 * R = 2^260 (params_len_limbs / 4 * 5 limbs), used on CPUs with AVX-512 IFMA. */
int bn254_poseidon_many(uint64_t *out, const uint64_t *in, size_t n, size_t t, size_t rounds_f,
                        size_t rounds_p, const uint64_t *params, size_t params_len_limbs,
                        const uint64_t *params52, int threads);
/* One hash of `arity` canonical 32-byte little-endian values; out: 32 bytes, canonical LE. */
int bn254_poseidon_hash_bytes(uint8_t out[32], const uint8_t *in, size_t arity, size_t rounds_f,
                              size_t rounds_p, const uint64_t *params, size_t params_len_limbs);

/* ---------------------------------------------------------------- r1cs.c */

/* Sparse matrix (CSR) times vector over Fr, Montgomery form: for i < n_rows,
 * out[i] = sum of coeffs[k] * w[cols[k]] for k in [row_start[i], row_start[i+1]).
 * row_start has n_rows + 1 entries, starts at 0 and never decreases; every cols[k] < n_wires.
 * A bad shape is BN254_ERR_ARGUMENT with out untouched. */
int bn254_r1cs_matvec(uint64_t *out, const uint64_t *row_start, const uint64_t *cols,
                      const uint64_t *coeffs, size_t n_rows, const uint64_t *w, size_t n_wires,
                      int threads);
/* *first = the least i with a[i] * b[i] != c[i] (Montgomery elements), or n if none. */
int bn254_r1cs_first_unsatisfied(size_t *first, const uint64_t *a, const uint64_t *b,
                                 const uint64_t *c, size_t n);

#endif /* TICKETKING_BN254_H */
