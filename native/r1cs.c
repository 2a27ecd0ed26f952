/* r1cs.c - sparse R1CS products over Fr for the vectorised satisfaction check (see bn254.h). */
#include "bn254.h"
#include "field.h"
#include "parallel.h"

struct matvec_job {
    uint64_t *out;
    const uint64_t *row_start;
    const uint64_t *cols;
    const uint64_t *coeffs;
    const uint64_t *w;
};

static void matvec_rows(void *ctx, size_t begin, size_t end) {
    const struct matvec_job *job = ctx;
    for (size_t i = begin; i < end; i++) {
        uint64_t acc[4], t[4];
        fr_set_zero(acc);
        for (uint64_t k = job->row_start[i]; k < job->row_start[i + 1]; k++) {
            const uint64_t *wk = job->w + 4 * job->cols[k];
            /* Coefficient 1 is the common case in circuits: skip its multiplication. */
            if (fr_is_one(job->coeffs + 4 * k)) {
                fr_add(acc, acc, wk);
            } else {
                fr_mul(t, job->coeffs + 4 * k, wk);
                fr_add(acc, acc, t);
            }
        }
        fr_copy(job->out + 4 * i, acc);
    }
}

int bn254_r1cs_matvec(uint64_t *out, const uint64_t *row_start, const uint64_t *cols,
                      const uint64_t *coeffs, size_t n_rows, const uint64_t *w, size_t n_wires,
                      int threads) {
    if (!out || !row_start || (n_rows && !w)) return BN254_ERR_ARGUMENT;
    if (row_start[0] != 0) return BN254_ERR_ARGUMENT;
    /* Validate the whole shape first so a bad index never reads out of bounds. */
    for (size_t i = 0; i < n_rows; i++)
        if (row_start[i + 1] < row_start[i]) return BN254_ERR_ARGUMENT;
    size_t nnz = row_start[n_rows];
    if (nnz && (!cols || !coeffs)) return BN254_ERR_ARGUMENT;
    for (size_t k = 0; k < nnz; k++)
        if (cols[k] >= n_wires) return BN254_ERR_ARGUMENT;
    struct matvec_job job = {out, row_start, cols, coeffs, w};
    /* Threads only pay off past a few ten thousand terms (thread start-up is ~50 us). */
    parallel_for(n_rows, parallel_threads(threads, nnz / 32768 + 1), matvec_rows, &job);
    return BN254_OK;
}

int bn254_r1cs_first_unsatisfied(size_t *first, const uint64_t *a, const uint64_t *b,
                                 const uint64_t *c, size_t n) {
    if (!first || (n && (!a || !b || !c))) return BN254_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++) {
        uint64_t t[4];
        fr_mul(t, a + 4 * i, b + 4 * i);
        if (!fr_equal(t, c + 4 * i)) {
            *first = i;
            return BN254_OK;
        }
    }
    *first = n;
    return BN254_OK;
}
