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

/* ---------------------------------------------------------------- pairing.c */

/* ---------------------------------------------------------------- poseidon.c */

#endif /* TICKETKING_BN254_H */
