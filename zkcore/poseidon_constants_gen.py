"""Generate circomlib's Poseidon parameters with the Poseidon reference procedure.

The reference is the Poseidon authors' `generate_parameters_grain.sage` (Grassi, Khovratovich,
Rechberger, Roy, Schofnegger: "Poseidon: A New Hash Function for Zero-Knowledge Proof Systems",
appendix F), run by circomlib as `sage generate_parameters_grain.sage 1 0 254 t 8 R_P r` for
t = 2..17. This module re-implements that procedure in plain Python (no Sage):

  * an 80-bit Grain LFSR seeded with (field=1, sbox=0, n=254, t, R_F, R_P, 30 ones), clocked
    160 times, then used in self-shrinking mode (a bit pair (1, b) outputs b, (0, _) nothing);
  * round constants: (R_F + R_P) * t numbers of n bits (most significant bit first), each
    re-drawn while it is >= r;
  * the MDS matrix: a Cauchy matrix M[i][j] = 1 / (x_i + y_j) from 2t LFSR numbers reduced mod
    r (all distinct, no x_i + y_j = 0), re-drawn until it passes the reference's three checks
    against invariant subspace trails (`algorithm_1`, `algorithm_2`, `algorithm_3`).

Run `python3 -m zkcore.poseidon_constants_gen` to rewrite zkcore/poseidon_constants.py.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
FIELD_BITS = 254
FULL_ROUNDS = 8
# circomlib's partial rounds for t = 2..17 (index t - 2): the paper's secure minimum for 128
# bits, rounded up as circomlib did.
PARTIAL_ROUNDS = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)
WIDTHS = range(2, 2 + len(PARTIAL_ROUNDS))

Matrix = list[list[int]]
Poly = list[int]  # coefficients, lowest degree first, no trailing zeros (except [] for 0)


# ---------------------------------------------------------------- the Grain LFSR


class GrainLFSR:
    """The reference's 80-bit Grain LFSR in self-shrinking mode."""

    def __init__(self, field: int, sbox: int, n: int, t: int, r_f: int, r_p: int) -> None:
        seed = f"{field:02b}{sbox:04b}{n:012b}{t:012b}{r_f:010b}{r_p:010b}" + "1" * 30
        assert len(seed) == 80
        # bit k of the int is the reference's bit_sequence[k] (index 0 is the oldest bit)
        self._state = sum(int(b) << k for k, b in enumerate(seed))
        for _ in range(160):
            self._clock()

    def _clock(self) -> int:
        s = self._state
        new = ((s >> 62) ^ (s >> 51) ^ (s >> 38) ^ (s >> 23) ^ (s >> 13) ^ s) & 1
        self._state = (s >> 1) | (new << 79)
        return new

    def bit(self) -> int:
        """One output bit: skip pairs starting with 0, output the second bit of a (1, b) pair."""
        while self._clock() == 0:
            self._clock()
        return self._clock()

    def number(self, n: int) -> int:
        """An n-bit number, first bit most significant."""
        value = 0
        for _ in range(n):
            value = (value << 1) | self.bit()
        return value


# ---------------------------------------------------------------- linear algebra mod r


def mat_mul(a: Matrix, b: Matrix) -> Matrix:
    """a * b mod r."""
    cols = list(zip(*b, strict=True))
    return [[sum(x * y for x, y in zip(row, col, strict=True)) % R for col in cols] for row in a]


def mat_vec(a: Matrix, v: list[int]) -> list[int]:
    """a * v mod r."""
    return [sum(x * y for x, y in zip(row, v, strict=True)) % R for row in a]


def identity(n: int) -> Matrix:
    return [[int(i == j) for j in range(n)] for i in range(n)]


def mat_pow(a: Matrix, e: int) -> Matrix:
    out = identity(len(a))
    for _ in range(e):
        out = mat_mul(out, a)
    return out


def row_echelon(rows: Matrix) -> Matrix:
    """The nonzero rows of a reduced row echelon form of `rows` (their span's basis)."""
    m = [list(r) for r in rows]
    basis: Matrix = []
    if not m:
        return basis
    width = len(m[0])
    pivot_row = 0
    for col in range(width):
        pivot = next((i for i in range(pivot_row, len(m)) if m[i][col] % R), None)
        if pivot is None:
            continue
        m[pivot_row], m[pivot] = m[pivot], m[pivot_row]
        inv = pow(m[pivot_row][col], -1, R)
        m[pivot_row] = [x * inv % R for x in m[pivot_row]]
        for i in range(len(m)):
            if i != pivot_row and m[i][col]:
                f = m[i][col]
                m[i] = [(x - f * y) % R for x, y in zip(m[i], m[pivot_row], strict=True)]
        pivot_row += 1
        if pivot_row == len(m):
            break
    basis = m[:pivot_row]
    return basis


def rank(rows: Matrix) -> int:
    return len(row_echelon(rows))


def kernel(a: Matrix, width: int) -> Matrix:
    """A basis of the right kernel {v : a v = 0} of a matrix with `width` columns."""
    ech = row_echelon(a) if a else []
    pivots = [next(j for j, x in enumerate(row) if x) for row in ech]
    free = [j for j in range(width) if j not in pivots]
    basis = []
    for f in free:
        v = [0] * width
        v[f] = 1
        for row, p in zip(ech, pivots, strict=True):
            v[p] = -row[f] % R
        basis.append(v)
    return basis


def inverse(a: Matrix) -> Matrix:
    """a^-1 mod r by Gauss-Jordan elimination; a must be invertible."""
    n = len(a)
    aug = [list(row) + identity(n)[i] for i, row in enumerate(a)]
    ech = row_echelon(aug)
    if len(ech) != n or any(ech[i][i] != 1 for i in range(n)):
        raise ValueError("singular matrix")
    return [row[n:] for row in ech]


def charpoly(a: Matrix) -> Poly:
    """det(x I - a) by Faddeev-LeVerrier (divisions by k <= n are fine mod r)."""
    n = len(a)
    coeffs = [0] * (n + 1)
    coeffs[n] = 1
    mk = [[0] * n for _ in range(n)]
    for k in range(1, n + 1):
        mk = mat_mul(a, mk)
        for i in range(n):
            mk[i][i] = (mk[i][i] + coeffs[n - k + 1]) % R
        amk = mat_mul(a, mk)
        trace = sum(amk[i][i] for i in range(n))
        coeffs[n - k] = -trace * pow(k, -1, R) % R
    return coeffs


# ---------------------------------------------------------------- polynomials mod r


def _trim(p: Poly) -> Poly:
    while p and p[-1] == 0:
        p.pop()
    return p


def poly_mod(a: Poly, m: Poly) -> Poly:
    a = _trim([x % R for x in a])
    inv_lead = pow(m[-1], -1, R)
    while len(a) >= len(m):
        f = a[-1] * inv_lead % R
        shift = len(a) - len(m)
        for i, c in enumerate(m):
            a[shift + i] = (a[shift + i] - f * c) % R
        _trim(a)
    return a


def poly_mul_mod(a: Poly, b: Poly, m: Poly) -> Poly:
    if not a or not b:
        return []
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return poly_mod(out, m)


def poly_pow_mod(base: Poly, e: int, m: Poly) -> Poly:
    out: Poly = [1]
    for bit in bin(e)[2:]:
        out = poly_mul_mod(out, out, m)
        if bit == "1":
            out = poly_mul_mod(out, base, m)
    return out


def poly_sub(a: Poly, b: Poly) -> Poly:
    n = max(len(a), len(b))
    a, b = a + [0] * (n - len(a)), b + [0] * (n - len(b))
    return _trim([(x - y) % R for x, y in zip(a, b, strict=True)])


def poly_gcd(a: Poly, b: Poly) -> Poly:
    a, b = _trim(list(a)), _trim(list(b))
    while b:
        a, b = b, poly_mod(a, b)
    inv = pow(a[-1], -1, R)
    return [x * inv % R for x in a]


def poly_div(a: Poly, b: Poly) -> Poly:
    """Exact quotient a / b."""
    a = list(a)
    q = [0] * (len(a) - len(b) + 1)
    inv_lead = pow(b[-1], -1, R)
    for shift in range(len(q) - 1, -1, -1):
        f = a[shift + len(b) - 1] * inv_lead % R
        q[shift] = f
        for i, c in enumerate(b):
            a[shift + i] = (a[shift + i] - f * c) % R
    return q


def roots_in_field(f: Poly) -> list[int]:
    """The distinct roots in F_r of f: gcd with x^r - x, then Cantor-Zassenhaus splitting."""
    g = poly_gcd(f, poly_sub(poly_pow_mod([0, 1], R, f), [0, 1]))
    return sorted(_split_linear(g))


def _split_linear(g: Poly) -> list[int]:
    if len(g) <= 1:
        return []
    if len(g) == 2:
        return [-g[0] * pow(g[1], -1, R) % R]
    for a in range(1, 1000):
        h = poly_sub(poly_pow_mod([a, 1], (R - 1) // 2, g), [1])
        d = poly_gcd(g, h) if h else g
        if 1 < len(d) < len(g):
            return _split_linear(d) + _split_linear(poly_div(g, d))
    raise RuntimeError("root splitting did not converge")


# ---------------------------------------------------------------- the reference's checks


def _span_equal(a: Matrix, b: Matrix) -> bool:
    ra = rank(a)
    return ra == rank(b) and rank(a + b) == ra


def _krylov_full(m: Matrix) -> bool:
    """algorithm_2 for s = 1: e_0, M e_0, M^2 e_0, ... span the whole space."""
    t = len(m)
    v = [1] + [0] * (t - 1)
    vectors = [v]
    for _ in range(t - 1):
        v = mat_vec(m, v)
        vectors.append(v)
        if rank(vectors) < len(vectors):
            return False
    return True


def algorithm_1(m: Matrix) -> bool:
    """No invariant subspace trail through the partial rounds (the reference's algorithm_1)."""
    t = len(m)
    powers = [identity(t)]
    for _ in range(t):
        powers.append(mat_mul(powers[-1], m))
    for i in range(1, t):  # r = floor((t - s) / s) with s = 1
        mi = powers[i]
        if all(mi[a][b] == (mi[0][0] if a == b else 0) for a in range(t) for b in range(t)):
            return False
        if i == 1:
            s_basis = [identity(t)[k] for k in range(1, t)]
        else:
            rows = [powers[k + 1][0][1:] for k in range(i - 1)]
            s_basis = [[0] + v for v in kernel(rows, t - 1)]
        for lam in roots_in_field(charpoly(mi)):
            shifted = [
                [(x - (lam if a == b else 0)) % R for b, x in enumerate(row)]
                for a, row in enumerate(mi)
            ]
            eigen = kernel(shifted, t)
            if len(eigen) + len(s_basis) - rank(eigen + s_basis) >= 1:
                return False
        for j in range(1, i + 1):
            image = [mat_vec(powers[j], v) for v in s_basis]
            if _span_equal(s_basis, image):
                return False
    return True


def algorithm_2(m: Matrix) -> bool:
    """The reference's algorithm_2 (s = 1)."""
    return _krylov_full(m)


def algorithm_3(m: Matrix) -> bool:
    """algorithm_2 for M^r, r = 2..4t."""
    t = len(m)
    power = mat_mul(m, m)
    for _ in range(2, 4 * t + 1):
        if not _krylov_full(power):
            return False
        power = mat_mul(power, m)
    return True


# ---------------------------------------------------------------- the procedure


def _cauchy_candidate(lfsr: GrainLFSR, t: int) -> Matrix | None:
    values = [lfsr.number(FIELD_BITS) % R for _ in range(2 * t)]
    while len(set(values)) != len(values):
        values = [lfsr.number(FIELD_BITS) % R for _ in range(2 * t)]
    xs, ys = values[:t], values[t:]
    if any((x + y) % R == 0 for x in xs for y in ys):
        return None
    return [[pow(x + y, -1, R) for y in ys] for x in xs]


def generate(t: int) -> tuple[list[int], Matrix, int]:
    """(round constants, MDS matrix, rejected MDS candidates) for width t."""
    r_f, r_p = FULL_ROUNDS, PARTIAL_ROUNDS[t - 2]
    lfsr = GrainLFSR(1, 0, FIELD_BITS, t, r_f, r_p)
    constants = []
    for _ in range((r_f + r_p) * t):
        c = lfsr.number(FIELD_BITS)
        while c >= R:
            c = lfsr.number(FIELD_BITS)
        constants.append(c)
    rejected = 0
    while True:
        m = _cauchy_candidate(lfsr, t)
        if m is not None and algorithm_1(m) and algorithm_2(m) and algorithm_3(m):
            return constants, m, rejected
        rejected += 1


def _iter_module(widths: range) -> Iterator[str]:
    yield '"""circomlib\'s Poseidon parameters over BN254\'s Fr, t = 2..17. GENERATED: do not edit.'
    yield ""
    yield "Produced by `python3 -m zkcore.poseidon_constants_gen` (poseidon_constants_gen.py), a"
    yield "Python re-implementation of the Poseidon reference generate_parameters_grain.sage run"
    yield "as `sage generate_parameters_grain.sage 1 0 254 t 8 R_P r` (Grain LFSR, x^5 S-box,"
    yield "R_F = 8, R_P per t below). Checked equal to circomlibjs 0.1.7's poseidon_constants.json"
    yield "by tests/zkcore/test_poseidon.py."
    yield '"""'
    yield ""
    yield f"FULL_ROUNDS = {FULL_ROUNDS}"
    yield f"PARTIAL_ROUNDS = {PARTIAL_ROUNDS!r}"
    yield ""
    yield "# ROUND_CONSTANTS[t]: (R_F + R_P) * t values, round by round."
    yield "ROUND_CONSTANTS: dict[int, tuple[int, ...]] = {}"
    yield "# MDS[t]: the t x t matrix, row by row (new_state[i] = sum_j MDS[t][i][j] * state[j])."
    yield "MDS: dict[int, tuple[tuple[int, ...], ...]] = {}"
    for t in widths:
        constants, m, rejected = generate(t)
        print(
            f"t={t}: {len(constants)} constants, {rejected} MDS candidates rejected",
            file=sys.stderr,
        )
        yield ""
        yield f"ROUND_CONSTANTS[{t}] = ("
        for c in constants:
            yield f"    0x{c:064x},"
        yield ")"
        yield f"MDS[{t}] = ("
        for row in m:
            yield "    ("
            for x in row:
                yield f"        0x{x:064x},"
            yield "    ),"
        yield ")"


def main() -> None:
    """Regenerate zkcore/poseidon_constants.py for every width."""
    out = Path(__file__).resolve().parent / "poseidon_constants.py"
    out.write_text("\n".join(_iter_module(WIDTHS)) + "\n")


if __name__ == "__main__":
    main()
