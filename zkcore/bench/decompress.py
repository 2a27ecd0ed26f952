"""Point decompression benchmark: one token's proof (2 compressed G1 + 1 compressed G2)."""

from __future__ import annotations

import numpy as np

from zkcore import encoding as enc
from zkcore._native import VARIANT
from zkcore.bench import BenchOptions, BenchResult, benchmark, median_ms
from zkcore.curve import G1, G2, P, R

_B2 = enc._B2


def _proofs(count: int) -> list[tuple[bytes, bytes, bytes]]:
    """`count` random (A, B, C) triples, compressed as a token holds them."""
    rng = np.random.default_rng(2026)
    ks = [int(k) ** 4 % R for k in rng.integers(1, 2**62, size=3 * count)]  # full-size
    g1 = G1.array([G1.generator] * (2 * count)).scale(ks[: 2 * count]).to_points()
    g2 = G2.array([G2.generator] * count).scale(ks[2 * count :]).to_points()
    return [
        (
            enc.g1_compress(g1[2 * i]),  # type: ignore[arg-type]
            enc.g2_compress(g2[i]),  # type: ignore[arg-type]
            enc.g1_compress(g1[2 * i + 1]),  # type: ignore[arg-type]
        )
        for i in range(count)
    ]


# The decoders zkcore.encoding had before native/decompress.c: square roots on Python ints,
# then the same C validation; the in-run baseline.


def _python_g1(data: bytes) -> object:
    flags = data[0] & 0xC0
    x = int.from_bytes(bytes([data[0] & 0x3F]) + data[1:], "big")
    if flags & 0x80 or x >= P:
        raise ValueError("the benchmark decodes valid finite points only")
    y = enc.fp_sqrt((x * x * x + 3) % P)
    if y is None:
        raise ValueError("not on the curve")
    if (y > (P - 1) // 2) != bool(flags & 0x40):
        y = P - y
    return G1.validate((x, y))


def _python_g2(data: bytes) -> object:
    flags = data[0] & 0xC0
    x1 = int.from_bytes(bytes([data[0] & 0x3F]) + data[1:32], "big")
    x0 = int.from_bytes(data[32:], "big")
    if flags & 0x80 or x0 >= P or x1 >= P:
        raise ValueError("the benchmark decodes valid finite points only")
    x3 = ((x0**3 - 3 * x0 * x1 * x1) % P, (3 * x0 * x0 * x1 - x1**3) % P)
    y = enc.fp2_sqrt(((x3[0] + _B2[0]) % P, (x3[1] + _B2[1]) % P))
    if y is None:
        raise ValueError("not on the curve")
    if enc._fp2_largest(y) != bool(flags & 0x40):
        y = (-y[0] % P, -y[1] % P)
    return G2.validate(((x0, x1), y))


@benchmark("decompress", "decode a token's proof: 2 compressed G1 + 1 G2 (--count tokens, 200)")
def decompress(opts: BenchOptions) -> BenchResult:
    count = opts.count or 200
    proofs = _proofs(count)

    def run(g1: object, g2: object) -> list[object]:
        return [(g1(a), g2(b), g1(c)) for a, b, c in proofs]  # type: ignore[operator]

    native_out = run(enc.g1_decompress, enc.g2_decompress)
    if native_out != run(_python_g1, _python_g2):
        raise AssertionError("native and Python decompression disagree")
    native = median_ms(lambda: run(enc.g1_decompress, enc.g2_decompress), opts.repeat)
    baseline = median_ms(lambda: run(_python_g1, _python_g2), max(1, opts.repeat // 2))
    return BenchResult(
        "decompress",
        count,
        native,
        native * 1e6 / count,
        "python-int sqrt + C validate",
        baseline,
        {"variant": VARIANT, "per_token_us": native * 1e3 / count},
    )
