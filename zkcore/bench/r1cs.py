"""R1CS benchmark: the vectorised satisfaction check against its Python-int twin."""

from __future__ import annotations

import numpy as np

from zkcore.bench import BenchOptions, BenchResult, benchmark, median_ms
from zkcore.field import Fr
from zkcore.r1cs import R1CS


def random_satisfied(m: int, n_wires: int, terms: int, seed: int = 2026) -> tuple[R1CS, list[int]]:
    """m random constraints of `terms` terms per row and a witness that satisfies them all."""
    rng = np.random.default_rng(seed)
    r = Fr.modulus
    witness = [1] + [int(v) for v in Fr.random(n_wires - 1, rng).to_ints()]
    coeffs = iter(Fr.random(3 * terms * m, rng).to_ints())
    cols = rng.integers(1, n_wires, size=(m, 3, terms))
    constraints = []
    for i in range(m):
        lcs = [[(int(w), next(coeffs)) for w in cols[i, k]] for k in range(3)]
        a, b, c = (sum(k * witness[w] for w, k in lc) % r for lc in lcs)
        lcs[2].append((0, (a * b - c) % r))  # the constant term makes the row hold
        constraints.append((tuple(lcs[0]), tuple(lcs[1]), tuple(lcs[2])))
    return R1CS(n_wires, 0, 1, 1, constraints), witness  # type: ignore[arg-type]


@benchmark(
    "r1cs_check", "R1CS satisfaction check, 3 terms per row (--log-n constraints, default 16)"
)
def r1cs_check(opts: BenchOptions) -> BenchResult:
    m = 1 << (opts.log_n or 16)
    r1cs, witness = random_satisfied(m, m, 3)
    r1cs.matrices()  # packed once per R1CS; the check is what repeats
    # The witness as a FieldArray, as wtns.loads_array gives it; converting a list of Python
    # ints is timed apart (it is field.py's ints -> limbs, not the check).
    array = Fr.array(witness)
    native = median_ms(lambda: r1cs.first_unsatisfied(array, opts.threads), opts.repeat)
    convert = median_ms(lambda: Fr.array(witness), opts.repeat)
    baseline = median_ms(
        lambda: r1cs.first_unsatisfied_reference(witness), max(1, opts.repeat // 3)
    )
    return BenchResult(
        "r1cs_check",
        m,
        native,
        native * 1e6 / m,
        "python-int loop",
        baseline,
        details={"witness_from_ints_ms": round(convert, 3)},
    )
