/*
 * msm.c - bn254_g1_msm / bn254_g2_msm: Pippenger with signed windows over both groups, from
 * the one template in msm_impl.h.
 */
#include "bn254.h"
#include "curve.h"
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

/* Below MSM_BATCH_AFFINE_MIN points, batches are too short to pay for their inversions
 * (measured: an Fp2 inversion costs relatively less than an Fp one, so G2 switches sooner). */
#define MSM_G g1
#define MSM_FL 4
#define MSM_FIELD fp
#define MSM_BATCH_AFFINE_MIN 4096
#include "msm_impl.h"

#define MSM_G g2
#define MSM_FL 8
#define MSM_FIELD fp2
#define MSM_BATCH_AFFINE_MIN 1024
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
