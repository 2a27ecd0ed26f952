/*
 * msm_driver.c - one MSM from raw inputs, for callgrind instruction counts and CPU time
 * without Python (A/B of msm_impl.h changes). Not part of the library build.
 *
 *   PYTHONPATH=. python3 benchmarks/msm_inputs.py /tmp/msm_inputs
 *   gcc -O3 -g -std=gnu11 -pthread -mbmi2 -madx -Inative benchmarks/msm_driver.c \
 *       native/msm.c native/curve.c native/parallel.c native/cpu.c -o /tmp/msm_driver
 *   /tmp/msm_driver g1 16 1 /tmp/msm_inputs          (group, log2 n <= 16, threads, dir)
 *   REPS=20 /tmp/msm_driver g1 10 1                  (the mean CPU time of 20 runs)
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null /tmp/msm_driver g1 14 1
 * Prints the CPU and wall time of a run and the result's affine x limb 0 (compare A and B).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bn254.h"

static int load(uint64_t *dst, size_t words, const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t got = fread(dst, sizeof(uint64_t), words, f);
    fclose(f);
    return got == words ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s g1|g2 LOG_N [THREADS [DIR]]\n", argv[0]);
        return 2;
    }
    int g2 = strcmp(argv[1], "g2") == 0;
    int lg = atoi(argv[2]);
    int threads = argc > 3 ? atoi(argv[3]) : 1;
    const char *dir = argc > 4 ? argv[4] : "/tmp/msm_inputs";
    if (lg < 0 || lg > 16) return 2;
    int reps = getenv("REPS") ? atoi(getenv("REPS")) : 1; /* runs to average */
    size_t n = (size_t)1 << lg, aw = g2 ? 16 : 8, full = (size_t)1 << 16;
    uint64_t *pts = malloc(8 * aw * full), *sc = malloc(32 * full);
    char name[32];
    snprintf(name, sizeof name, "%s_pts.bin", argv[1]);
    if (!pts || !sc || load(pts, aw * full, dir, name)) return 1;
    snprintf(name, sizeof name, "%s_sc.bin", argv[1]);
    if (load(sc, 4 * full, dir, name)) return 1;
    size_t words;
    (g2 ? bn254_g2_msm_scratch_words : bn254_g1_msm_scratch_words)(n, threads, &words);
    uint64_t *scratch = malloc(8 * words), out[24], aff[16], tmp[8];
    if (!scratch) return 1;
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    clock_t c0 = clock();
    int st = 0;
    for (int r = 0; r < reps && st == 0; r++)
        st = (g2 ? bn254_g2_msm : bn254_g1_msm)(out, pts, sc, n, scratch, words, threads);
    double ms = (double)(clock() - c0) * 1e3 / CLOCKS_PER_SEC / reps;
    clock_gettime(CLOCK_MONOTONIC, &w1);
    double wall = ((double)(w1.tv_sec - w0.tv_sec) * 1e3 + (w1.tv_nsec - w0.tv_nsec) / 1e6) / reps;
    (g2 ? bn254_g2_to_affine : bn254_g1_to_affine)(aff, out, 1, tmp);
    printf("%s 2^%d threads=%d status=%d cpu %.1f ms wall %.1f ms x0=%016llx\n", argv[1], lg,
           threads, st, ms, wall, (unsigned long long)aff[0]);
    return st;
}
