/*
 * decompress.c - compressed G1/G2 points (tokens, docs/encodings.md) -> affine points: flags,
 * canonical x, the square root choosing y by the "largest" flag, on-curve and subgroup checks,
 * all in C. Both groups come from the one template in decompress_impl.h.
 *
 * Encoding: G1 32 bytes x, G2 64 bytes x.c1 || x.c0, each big-endian; the two top bits of the
 * first byte are flags (0x80 infinity, with every other bit zero; 0x40 y is the larger of
 * y and -y, with Fp2 ordered lexicographically, c1 more significant).
 */
#include "bn254.h"
#include "curve.h"
#include "sqrt.h"

#define DC_FLAG_INFINITY 0x80
#define DC_FLAG_LARGEST 0x40
#define DC_FLAGS (DC_FLAG_INFINITY | DC_FLAG_LARGEST)

/* G1 has cofactor 1: on the curve is in the subgroup. */
static inline int g1_aff_in_subgroup(const uint64_t a[8]) { (void)a; return 1; }

/* 32 big-endian bytes -> 4 little-endian limbs; first=1 masks off the flag bits. */
static inline void dc_read_be(uint64_t out[4], const uint8_t *in, int first) {
    for (int limb = 0; limb < 4; limb++) {
        uint64_t v = 0;
        for (int j = 0; j < 8; j++) {
            uint8_t byte = in[8 * (3 - limb) + j];
            if (first && limb == 3 && j == 0) byte &= (uint8_t)~DC_FLAGS;
            v = (v << 8) | byte;
        }
        out[limb] = v;
    }
}

#define DC_G g1
#define DC_F fp
#define DC_FL 4
#define DC_WIRE {0}
#include "decompress_impl.h"

#define DC_G g2
#define DC_F fp2
#define DC_FL 8
#define DC_WIRE {4, 0}
#include "decompress_impl.h"
