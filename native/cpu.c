/* cpu.c - what this CPU and this build can do, so Python picks the fastest variant. */
#include "bn254.h"
#include "field.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

int bn254_cpu_has_bmi2_adx(void) {
#if defined(__x86_64__)
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return ((ebx >> 8) & 1) && ((ebx >> 19) & 1); /* leaf 7: BMI2 is bit 8, ADX bit 19 */
#else
    return 0;
#endif
}

int bn254_build_uses_mulx_asm(void) { return BN254_HAVE_MULX_ASM; }
