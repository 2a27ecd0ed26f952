/*
 * msm.c - bn254_g1_msm / bn254_g2_msm: Pippenger with signed windows over both groups, from
 * the one template in msm_impl.h, on the GLV split of every scalar.
 *
 * GLV (Gallant, Lambert, Vanstone 2001): phi(x, y) = (beta x, y), beta a cube root of unity in
 * Fp, maps both curves (b and b' have no x term) to themselves and acts on the order-r groups
 * as multiplication by a cube root of unity lambda mod r. We use
 *   lambda = 0xb3c4d79d41a917585bfc41088d8daaa78b17ea66b99c90dd (192 bits),
 * with beta = 0x59e26bcea0d48bacd4f263f1acdb5c4f5763473177fffffe on G1 and the other cube root
 * beta^2 = 0x30644e72e131a0295e6dd9e7e0acccb0c28f069fbb966e3de4bd44e5607cfd48 on G2 (on the
 * twist the same beta acts as lambda^2; tests/zkcore/test_msm_glv.py checks both against
 * [lambda] G). A scalar k < r becomes k = k1 + k2 lambda mod r with |k1|, |k2| < 2^127
 * (Babai rounding on the short lattice basis below), so the MSM runs over 2n points
 * (P_i, phi(P_i)) with 128-bit scalars: half the windows over twice the points, so the bucket
 * additions stay as many and the bucket sums halve (a few % at 2^16).
 *
 * The batch additions of the buckets run 8 at a time with AVX-512 IFMA (msm_ifma.h, on the
 * shared 8-lane core ifma.h) when the CPU has it (checked once), which halves G1's time and
 * divides G2's by ~2.8 at 2^16.
 */
#include "bn254.h"
#include "curve.h"
#include "msm_ifma.h"
#include "parallel.h"

#include <string.h>

/* Bits [pos, pos + c) of a 4-limb scalar (c <= 32), zero past bit 255. */
static inline uint32_t msm_window_bits(const uint64_t s[4], unsigned pos, unsigned c) {
    unsigned limb = pos >> 6, off = pos & 63;
    if (limb >= 4) return 0;
    uint64_t v = s[limb] >> off;
    if (off + c > 64 && limb + 1 < 4) v |= s[limb + 1] << (64 - off);
    return (uint32_t)(v & ((1ULL << c) - 1));
}

/* 1 when batch additions run 8 lanes at a time with AVX-512 IFMA (msm_ifma.h): set from the
 * CPU at the first MSM, or by bn254_msm_simd (tests run both paths). */
static int msm_ifma_on = -1;

static void msm_ifma_init(void) {
    if (msm_ifma_on >= 0) return;
#if BN254_HAVE_IFMA
    msm_ifma_on = ifma_cpu();
#else
    msm_ifma_on = 0;
#endif
}

int bn254_msm_simd(int mode, int *active) {
    if (mode < -1 || mode > 1) return BN254_ERR_ARGUMENT;
    msm_ifma_init();
#if BN254_HAVE_IFMA
    if (mode >= 0) msm_ifma_on = mode && ifma_cpu();
#endif
    *active = msm_ifma_on;
    return BN254_OK;
}

/* beta in Montgomery form: G1's, and G2's (beta^2, which acts as the same lambda there). */
static const uint64_t MSM_G1_BETA[4] = {0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL,
                                        0xaa303344d4741444ULL, 0x2c3b3f0d26594943ULL};
static const uint64_t MSM_G2_BETA[4] = {0x3350c88e13e80b9cULL, 0x7dce557cdb5e56b9ULL,
                                        0x6001b4b8b615564aULL, 0x2682e617020217e0ULL};

/* The reduced basis of the lattice {(x, y) : x + y lambda = 0 mod r}, from the extended
 * Euclidean algorithm on (r, lambda) stopped below sqrt(r):
 *   v1 = (A1, -B1), v2 = (A2, B2) with A1 = B2 (64 bits), B1 and A2 (127 bits), det = r.
 * k = x1 v1 + x2 v2 over Q has x1 = k B2 / r and x2 = k B1 / r (both >= 0); with
 * c_i = round(x_i), (k1, k2) = (k, 0) - c1 v1 - c2 v2 = (x1 - c1) v1 + (x2 - c2) v2. The c_i
 * come from G_i = round(2^256 B_i / r) as round(k G_i / 2^256): off from x_i by at most
 * 1/2 + 1/8, so |k1| <= 5/8 (A1 + A2) < 2^127 and |k2| <= 5/8 (B1 + B2) < 2^127. */
#define GLV_A1 0x89d3256894d213e3ULL
static const unsigned __int128 GLV_B1 =
    ((unsigned __int128)0x6f4d8248eeb859fcULL << 64) | 0x8211bbeb7d4f1128ULL;
static const unsigned __int128 GLV_A2 =
    ((unsigned __int128)0x6f4d8248eeb859fdULL << 64) | 0x0be4e1541221250bULL;
#define GLV_B2 GLV_A1
static const uint64_t GLV_G1[3] = {0xd91d232ec7e0b3d7ULL, 0x2ULL, 0}; /* round(2^256 B2 / r) */
static const uint64_t GLV_G2[3] = {0x7a7bd9d4391eb18eULL, 0x4ccef014a773d2cfULL,
                                   0x2ULL}; /* round(2^256 B1 / r) */

/* round(k g / 2^256) for k < 2^254 and g < 2^130: below 2^128. */
static inline unsigned __int128 glv_round(const uint64_t k[4], const uint64_t g[3]) {
    uint64_t t[7] = {0};
    for (int i = 0; i < 4; i++) {
        unsigned __int128 carry = 0;
        for (int j = 0; j < 3; j++) {
            unsigned __int128 s = (unsigned __int128)k[i] * g[j] + t[i + j] + carry;
            t[i + j] = (uint64_t)s;
            carry = s >> 64;
        }
        t[i + 3] = (uint64_t)carry;
    }
    unsigned __int128 hi = ((unsigned __int128)t[5] << 64) | t[4];
    return hi + (t[3] >> 63); /* + 2^255 before the shift */
}

/* k = k1 + k2 lambda mod r for canonical k < r; k1 and k2 as signed 128-bit values (exact:
 * |k_i| < 2^127, so arithmetic mod 2^128 loses nothing). */
static inline void msm_glv_split(__int128 *k1, __int128 *k2, const uint64_t k[4]) {
    const unsigned __int128 c1 = glv_round(k, GLV_G1), c2 = glv_round(k, GLV_G2);
    const unsigned __int128 lo = ((unsigned __int128)k[1] << 64) | k[0];
    *k1 = (__int128)(lo - c1 * GLV_A1 - c2 * GLV_A2);
    *k2 = (__int128)(c1 * GLV_B1 - c2 * GLV_B2);
}

int bn254_msm_glv_split(int64_t *out, const uint64_t *scalars, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!fr_is_canonical(scalars + 4 * i)) return BN254_ERR_NONCANONICAL;
    for (size_t i = 0; i < n; i++) {
        __int128 k[2];
        msm_glv_split(&k[0], &k[1], scalars + 4 * i);
        for (int h = 0; h < 2; h++) {
            out[4 * i + 2 * h] = (int64_t)(uint64_t)k[h];
            out[4 * i + 2 * h + 1] = (int64_t)(k[h] >> 64);
        }
    }
    return BN254_OK;
}

/* Below MSM_BATCH_AFFINE_MIN GLV points (2n), batches are too short to pay for their
 * inversions (measured with benchmarks/msm_driver.c: an Fp2 inversion costs relatively less
 * than an Fp one, so G2 switches sooner). */
#define MSM_G g1
#define MSM_FL 4
#define MSM_FIELD fp
#define MSM_ENDO_X(r, x) fp_mul(r, x, MSM_G1_BETA)
#define MSM_VF vfp
#define MSM_BATCH_AFFINE_MIN 256
#include "msm_impl.h"

#define MSM_G g2
#define MSM_FL 8
#define MSM_FIELD fp2
#define MSM_ENDO_X(r, x) fp2_mul_by_fp(r, x, MSM_G2_BETA)
#define MSM_VF vfp2
#define MSM_BATCH_AFFINE_MIN 128
#include "msm_impl.h"

int bn254_g1_msm_scratch_words(size_t n, int threads, size_t *words) {
    *words = g1_msm_scratch_words(n, threads);
    return BN254_OK;
}

int bn254_g2_msm_scratch_words(size_t n, int threads, size_t *words) {
    *words = g2_msm_scratch_words(n, threads);
    return BN254_OK;
}

int bn254_g1_msm(uint64_t out[12], const uint64_t *points, const uint64_t *scalars, size_t n,
                 uint64_t *scratch, size_t scratch_words, int threads) {
    return g1_msm_run(out, points, scalars, n, scratch, scratch_words, threads);
}

int bn254_g2_msm(uint64_t out[24], const uint64_t *points, const uint64_t *scalars, size_t n,
                 uint64_t *scratch, size_t scratch_words, int threads) {
    return g2_msm_run(out, points, scalars, n, scratch, scratch_words, threads);
}
