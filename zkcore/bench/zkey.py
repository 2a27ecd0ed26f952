"""The .zkey reader/writer on a synthetic 2^log_n-constraint key (random valid points)."""

from __future__ import annotations

import numpy as np

from zkcore.bench import BenchOptions, BenchResult, benchmark, median_ms
from zkcore.curve import G1, G2, Group, PointArray
from zkcore.field import Fr
from zkcore.formats import zkey
from zkcore.groth16.keys import ProvingKey, QAPCoefficients, VerifyingKey


def _points(group: Group, n: int, rng: np.random.Generator, distinct: int = 256) -> PointArray:
    """n valid points: `distinct` random multiples of the generator, tiled (the reader's cost
    per point does not depend on the points being distinct)."""
    k = min(n, distinct)
    base = group.array([group.generator] * k).scale(Fr.random(k, rng)) if k else None
    if base is None:
        return group.from_affine_limbs(np.zeros((0, 2 * group.coord_limbs), dtype=np.uint64))
    reps = -(-n // k)
    aff = np.ascontiguousarray(np.tile(base.aff, (reps, 1))[:n])
    return group.from_affine_limbs(aff, validate=False)


def synthetic_key(log_n: int, n_public: int = 2, seed: int = 16) -> ProvingKey:
    """A structurally valid key shaped like a circuit of 2^log_n constraints and signals."""
    rng = np.random.default_rng(seed)
    m = 1 << log_n
    n_vars = m
    domain = 1 << (log_n + 1)  # m + n_public + 1 rows round up to the next power of two
    n_coeffs = 3 * m
    singles1 = _points(G1, 3 + n_public + 1, rng).to_points()
    singles2 = _points(G2, 3, rng).to_points()
    coeffs = QAPCoefficients(
        matrix=rng.integers(0, 2, n_coeffs).astype(np.uint8),
        constraint=np.sort(rng.integers(0, m + n_public + 1, n_coeffs)).astype(np.uint32),
        signal=rng.integers(0, n_vars, n_coeffs).astype(np.uint32),
        value=Fr.random(n_coeffs, rng),
    )
    vk = VerifyingKey(singles1[0], singles2[0], singles2[1], singles2[2], singles1[3:])  # type: ignore[arg-type]
    return ProvingKey(
        vk=vk,
        beta_g1=singles1[1],  # type: ignore[arg-type]
        delta_g1=singles1[2],  # type: ignore[arg-type]
        n_vars=n_vars,
        n_public=n_public,
        domain_size=domain,
        coeffs=coeffs,
        a_query=_points(G1, n_vars, rng),
        b_g1_query=_points(G1, n_vars, rng),
        b_g2_query=_points(G2, n_vars, rng),
        c_query=_points(G1, n_vars - n_public - 1, rng),
        h_query=_points(G1, domain, rng),
    )


@benchmark("zkey_load", "read + fully validate a synthetic 2^log_n-constraint .zkey (default 16)")
def zkey_load(opts: BenchOptions) -> BenchResult:
    log_n = opts.log_n or 16
    pk = synthetic_key(log_n)
    data = zkey.dumps(pk)
    repeat = max(1, min(opts.repeat, 5))
    load = median_ms(lambda: zkey.loads(data), repeat)
    dump = median_ms(lambda: zkey.dumps(pk), repeat)
    # the share of G2's subgroup check (the dominant cost), timed alone once
    g2 = median_ms(lambda: G2.from_affine_limbs(pk.b_g2_query.aff.copy()), 1, warmup=0)
    n_points = 3 * pk.n_vars + len(pk.c_query) + len(pk.h_query) + pk.n_public + 1
    details = {
        "file_mb": round(len(data) / 2**20, 1),
        "points": n_points,
        "g2_points": pk.n_vars,
        "coefficients": len(pk.coeffs),
        "write_ms": round(dump, 1),
        "g2_validate_ms": round(g2, 1),
    }
    return BenchResult("zkey_load", 1 << log_n, load, load * 1e6 / n_points, details=details)
