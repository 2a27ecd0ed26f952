"""A token's proof from compressed bytes to a verify answer: the CheckedProof path against the
int path (decode to a Proof, then verify converts and validates the points again)."""

from __future__ import annotations

import numpy as np

from zkcore import encoding as enc
from zkcore._native import VARIANT
from zkcore.bench import BenchOptions, BenchResult, benchmark, median_ms
from zkcore.curve import G1, G2, G1Point, R
from zkcore.groth16.checked import decompress_proof
from zkcore.groth16.keys import Proof, VerifyingKey
from zkcore.groth16.points import as_g1, as_g2
from zkcore.groth16.verify import prepare_verifying_key, verify

N_PUBLIC = 7  # the ticketing circuit's public inputs


def _random_g1(rng: np.random.Generator, n: int) -> list[G1Point]:
    ks = [int(k) ** 4 % R for k in rng.integers(1, 2**62, size=n)]
    return [as_g1(p) for p in G1.array([G1.generator] * n).scale(ks).to_points()]


@benchmark("verify_token", "compressed proof -> verify answer, checked words vs ints (--count 20)")
def verify_token(opts: BenchOptions) -> BenchResult:
    # Random key and proof points: verify answers False, but runs every step it runs for a
    # valid proof (decode, checks, vk_x, three Miller loops, final exponentiation).
    count = opts.count or 20
    rng = np.random.default_rng(2026)
    g2s = G2.array([G2.generator] * 3).scale([int(k) for k in rng.integers(1, 2**62, 3)])
    beta, gamma, delta = (as_g2(q) for q in g2s.to_points())
    alpha, *ic = _random_g1(rng, N_PUBLIC + 2)
    vk = VerifyingKey(alpha_g1=alpha, beta_g2=beta, gamma_g2=gamma, delta_g2=delta, ic=ic)
    pvk = prepare_verifying_key(vk)
    a, c = _random_g1(rng, 2)
    b = as_g2(G2.mul(G2.generator, 12345))
    data = enc.g1_compress(a) + enc.g2_compress(b) + enc.g1_compress(c)
    inputs = [int(x) % R for x in rng.integers(0, 2**62, size=N_PUBLIC)]

    def checked() -> list[bool]:
        return [verify(pvk, inputs, decompress_proof(data)) for _ in range(count)]

    def ints() -> list[bool]:
        out = []
        for _ in range(count):
            proof = Proof(
                a=enc.g1_decompress(data[:32]),
                b=enc.g2_decompress(data[32:96]),
                c=enc.g1_decompress(data[96:]),
            )
            out.append(verify(pvk, inputs, proof))
        return out

    if checked() != ints():
        raise AssertionError("the checked and int paths disagree")
    fast = median_ms(checked, opts.repeat)
    slow = median_ms(ints, opts.repeat)
    return BenchResult(
        "verify_token",
        count,
        fast,
        fast * 1e6 / count,
        "decode to ints, verify(Proof)",
        slow,
        {"variant": VARIANT, "per_proof_us": fast * 1e3 / count},
    )
