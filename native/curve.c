/*
 * curve.c - the exported G1/G2 vector API of bn254.h: both groups from the one template in
 * curve_api_impl.h over the inline arithmetic of curve.h.
 */
#include "bn254.h"
#include "curve.h"
#include "parallel.h"

#define VALIDATE_MAX_THREADS 64

/* G1 has cofactor 1: on the curve is in the subgroup. */
static inline int g1_aff_in_subgroup(const uint64_t a[8]) { (void)a; return 1; }


#define API_G g1
#define API_FL 4
#include "curve_api_impl.h"

#define API_G g2
#define API_FL 8
#include "curve_api_impl.h"

int bn254_g2_psi(uint64_t *out, const uint64_t *a, size_t n) {
    for (size_t i = 0; i < n; i++) g2_psi(out + 24 * i, a + 24 * i);
    return BN254_OK;
}
