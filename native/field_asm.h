/*
 * field_asm.h - Montgomery multiplication with MULX/ADCX/ADOX (x86-64 BMI2 + ADX), internal.
 *
 * Used by field_impl.h only when the compiler targets those extensions (the opt-in
 * TICKETKING_NATIVE_ARCH=native build on a CPU that has them), because the portable build
 * must run on any x86-64. Two carry chains (CF through ADCX, OF through ADOX) let the low and
 * high halves of the partial products accumulate in one pass per row; the five accumulator
 * registers rotate roles from row to row instead of being shifted.
 */
#ifndef TICKETKING_FIELD_ASM_H
#define TICKETKING_FIELD_ASM_H

#include <stdint.h>

#if defined(__x86_64__) && defined(__BMI2__) && defined(__ADX__) && !defined(BN254_NO_ASM)
#define BN254_HAVE_MULX_ASM 1

/* t += a * b[row] over T0..T4 (T4, cleared first, receives the top word). */
#define ASM_PRODUCT_ROW(T0, T1, T2, T3, T4, BOFF)                            \
    "xorl %%eax, %%eax\n\t"                                                  \
    "movq " #BOFF "(%[b]), %%rdx\n\t"                                        \
    "movq $0, %[" #T4 "]\n\t"                                                \
    "mulxq 0(%[a]), %[lo], %[hi]\n\t"                                        \
    "adoxq %[lo], %[" #T0 "]\n\t"                                            \
    "adcxq %[hi], %[" #T1 "]\n\t"                                            \
    "mulxq 8(%[a]), %[lo], %[hi]\n\t"                                        \
    "adoxq %[lo], %[" #T1 "]\n\t"                                            \
    "adcxq %[hi], %[" #T2 "]\n\t"                                            \
    "mulxq 16(%[a]), %[lo], %[hi]\n\t"                                       \
    "adoxq %[lo], %[" #T2 "]\n\t"                                            \
    "adcxq %[hi], %[" #T3 "]\n\t"                                            \
    "mulxq 24(%[a]), %[lo], %[hi]\n\t"                                       \
    "adoxq %[lo], %[" #T3 "]\n\t"                                            \
    "adcxq %[hi], %[" #T4 "]\n\t"                                            \
    "adoxq %%rax, %[" #T4 "]\n\t"

/* t = (t + m * mod) / 2^64 with m = T0 * inv, so T0 becomes 0; T4 receives the top word. */
#define ASM_REDUCE_ROW(T0, T1, T2, T3, T4)                                    \
    "movq %[" #T0 "], %%rdx\n\t"                                             \
    "imulq %[inv], %%rdx\n\t"                                                \
    "xorl %%eax, %%eax\n\t"                                                  \
    "mulxq 0(%[mod]), %[lo], %[hi]\n\t"                                      \
    "adcxq %[lo], %[" #T0 "]\n\t"                                            \
    "adoxq %[hi], %[" #T1 "]\n\t"                                            \
    "mulxq 8(%[mod]), %[lo], %[hi]\n\t"                                      \
    "adcxq %[lo], %[" #T1 "]\n\t"                                            \
    "adoxq %[hi], %[" #T2 "]\n\t"                                            \
    "mulxq 16(%[mod]), %[lo], %[hi]\n\t"                                     \
    "adcxq %[lo], %[" #T2 "]\n\t"                                            \
    "adoxq %[hi], %[" #T3 "]\n\t"                                            \
    "mulxq 24(%[mod]), %[lo], %[hi]\n\t"                                     \
    "adcxq %[lo], %[" #T3 "]\n\t"                                            \
    "adoxq %[hi], %[" #T4 "]\n\t"                                            \
    "adcxq %%rax, %[" #T4 "]\n\t"

/* One row of CIOS: t += a * b[row], then t = (t + m * mod) / 2^64. */
#define ASM_ROW(T0, T1, T2, T3, T4, BOFF)                                    \
    ASM_PRODUCT_ROW(T0, T1, T2, T3, T4, BOFF)                                \
    ASM_REDUCE_ROW(T0, T1, T2, T3, T4)

/* r = a * b / 2^256 mod m, not yet reduced below m (r < 2m). */
static inline void asm_mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                const uint64_t mod[4], uint64_t inv) {
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4, lo, hi;
    __asm__(
        ASM_ROW(t0, t1, t2, t3, t4, 0)
        ASM_ROW(t1, t2, t3, t4, t0, 8)
        ASM_ROW(t2, t3, t4, t0, t1, 16)
        ASM_ROW(t3, t4, t0, t1, t2, 24)
        : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [t4] "=&r"(t4),
          [lo] "=&r"(lo), [hi] "=&r"(hi)
        : [a] "r"(a), [b] "r"(b), [mod] "r"(mod), [inv] "m"(inv)
        : "rax", "rdx", "cc", "memory");
    /* the result is now in t4, t0, t1, t2 (rows rotate the roles) */
    r[0] = t4; r[1] = t0; r[2] = t1; r[3] = t2;
}

/* One row of a plain product: t += a * b[row], then T0 (final) is stored to r[row]. */
#define ASM_WIDE_ROW(T0, T1, T2, T3, T4, OFF)                                 \
    ASM_PRODUCT_ROW(T0, T1, T2, T3, T4, OFF)                                 \
    "movq %[" #T0 "], " #OFF "(%[r])\n\t"

/* r = a * b, all 512 bits (a, b below 2^256). */
static inline void asm_mul_wide(uint64_t r[8], const uint64_t a[4], const uint64_t b[4]) {
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4, lo, hi;
    __asm__ volatile( /* volatile: its only effect is the stores */
        ASM_WIDE_ROW(t0, t1, t2, t3, t4, 0)
        ASM_WIDE_ROW(t1, t2, t3, t4, t0, 8)
        ASM_WIDE_ROW(t2, t3, t4, t0, t1, 16)
        ASM_WIDE_ROW(t3, t4, t0, t1, t2, 24)
        "movq %[t4], 32(%[r])\n\t"
        "movq %[t0], 40(%[r])\n\t"
        "movq %[t1], 48(%[r])\n\t"
        "movq %[t2], 56(%[r])\n\t"
        : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [t4] "=&r"(t4),
          [lo] "=&r"(lo), [hi] "=&r"(hi)
        : [a] "r"(a), [b] "r"(b), [r] "r"(r)
        : "rax", "rdx", "cc", "memory");
}

/* One Montgomery reduction round on the low half, into a fresh top word T4. */
#define ASM_REDC_ROW(T0, T1, T2, T3, T4)                                      \
    "movq $0, %[" #T4 "]\n\t"                                                \
    ASM_REDUCE_ROW(T0, T1, T2, T3, T4)

/*
 * r = t / 2^256 mod m for t < m 2^256, not yet reduced below m (r < 2m): four rounds on the
 * low half give u = (t_low + M m) / 2^256 <= m, then r = u + t_high.
 */
static inline void asm_redc(uint64_t r[4], const uint64_t t[8], const uint64_t mod[4],
                            uint64_t inv) {
    uint64_t t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3], t4, lo, hi;
    __asm__(
        ASM_REDC_ROW(t0, t1, t2, t3, t4)
        ASM_REDC_ROW(t1, t2, t3, t4, t0)
        ASM_REDC_ROW(t2, t3, t4, t0, t1)
        ASM_REDC_ROW(t3, t4, t0, t1, t2)
        "addq 32(%[t]), %[t4]\n\t"
        "adcq 40(%[t]), %[t0]\n\t"
        "adcq 48(%[t]), %[t1]\n\t"
        "adcq 56(%[t]), %[t2]\n\t"
        : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [t4] "=&r"(t4),
          [lo] "=&r"(lo), [hi] "=&r"(hi)
        : [t] "r"(t), [mod] "r"(mod), [inv] "m"(inv)
        : "rax", "rdx", "cc", "memory");
    r[0] = t4; r[1] = t0; r[2] = t1; r[3] = t2;
}

#else
#define BN254_HAVE_MULX_ASM 0
#endif

#endif /* TICKETKING_FIELD_ASM_H */
