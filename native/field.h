/*
 * field.h - inline Fp and Fr arithmetic for every C file of the core (internal header).
 *
 * fp_* works mod p (BN254's base field), fr_* mod r (its scalar field); both come from the
 * one template in field_impl.h. Elements are uint64_t[4], Montgomery form, fully reduced.
 */
#ifndef TICKETKING_FIELD_H
#define TICKETKING_FIELD_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 u128;

#include "field_asm.h"

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

/* p = 21888242871839275222246405745257275088696311157297823662689037894645226208583 */
#define FIELD_NAME fp
#define FIELD_M0 0x3c208c16d87cfd47ULL
#define FIELD_M1 0x97816a916871ca8dULL
#define FIELD_M2 0xb85045b68181585dULL
#define FIELD_M3 0x30644e72e131a029ULL
#define FIELD_INV 0x87d20782e4866389ULL
#define FIELD_R2_0 0xf32cfc5b538afa89ULL
#define FIELD_R2_1 0xb5e71911d44501fbULL
#define FIELD_R2_2 0x47ab1eff0a417ff6ULL
#define FIELD_R2_3 0x06d89f71cab8351fULL
#define FIELD_ONE_0 0xd35d438dc58f0d9dULL
#define FIELD_ONE_1 0x0a78eb28f5c70b3dULL
#define FIELD_ONE_2 0x666ea36f7879462cULL
#define FIELD_ONE_3 0x0e0a77c19a07df2fULL
#include "field_impl.h"

/* r = 21888242871839275222246405745257275088548364400416034343698204186575808495617 */
#define FIELD_NAME fr
#define FIELD_M0 0x43e1f593f0000001ULL
#define FIELD_M1 0x2833e84879b97091ULL
#define FIELD_M2 0xb85045b68181585dULL
#define FIELD_M3 0x30644e72e131a029ULL
#define FIELD_INV 0xc2e1f593efffffffULL
#define FIELD_R2_0 0x1bb8e645ae216da7ULL
#define FIELD_R2_1 0x53fe3ab1e35c59e3ULL
#define FIELD_R2_2 0x8c49833d53bb8085ULL
#define FIELD_R2_3 0x0216d0b17f4e44a5ULL
#define FIELD_ONE_0 0xac96341c4ffffffbULL
#define FIELD_ONE_1 0x36fc76959f60cd29ULL
#define FIELD_ONE_2 0x666ea36f7879462eULL
#define FIELD_ONE_3 0x0e0a77c19a07df2fULL
#include "field_impl.h"

#endif /* TICKETKING_FIELD_H */
