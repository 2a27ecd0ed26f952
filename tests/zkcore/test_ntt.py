"""The C NTT (native/ntt.c) against galois, the pure-Python reference and direct formulas."""

from __future__ import annotations

import functools

import galois
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.node_tools import run_node_script
from zkcore import errors
from zkcore import ntt as N
from zkcore._native import ntt as _c
from zkcore.field import FieldArray, Fp, Fr

R = Fr.modulus


@functools.cache
def gf() -> type[galois.FieldArray]:
    """GF(r) with its primitive element given: galois.ntt(x, modulus=r) would call
    galois.primitive_root(r), which factors r - 1 and takes minutes. np.fft.fft on a galois
    array is what galois.ntt runs underneath, with omega = 5^((r-1)/n)."""
    return galois.GF(R, primitive_element=N.GENERATOR, verify=False)


def rand(rng: np.random.Generator, n: int) -> FieldArray:
    return Fr.random(n, rng)


def horner(coeffs: list[int], x: int) -> int:
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % R
    return acc


def poly_mul(a: list[int], b: list[int]) -> list[int]:
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] = (out[i + j] + x * y) % R
    return out


def divide_by_vanishing(p: list[int], n: int) -> tuple[list[int], list[int]]:
    """Quotient and remainder of p by x^n - 1 (long division)."""
    p = p[:] + [0] * max(0, n + 1 - len(p))
    q = [0] * (len(p) - n)
    for d in range(len(p) - 1, n - 1, -1):  # x^d = x^(d-n) (x^n - 1) + x^(d-n)
        c = p[d]
        q[d - n] = c
        p[d] = 0
        p[d - n] = (p[d - n] + c) % R
    return q, p[:n]


# ---------------------------------------------------------------- roots of unity


def test_root_of_unity_from_generator_5() -> None:
    t = (R - 1) >> 28
    assert t % 2 == 1 and t << 28 == R - 1
    assert pow(5, (R - 1) // 2, R) == R - 1  # 5 is a non-residue: 5^t has order exactly 2^28
    w = pow(5, t, R)
    assert w == N.ROOT_OF_UNITY_2_28
    assert pow(w, 1 << 28, R) == 1 and pow(w, 1 << 27, R) == R - 1
    # the value arkworks and ffjavascript use (a known answer)
    assert w == 0x2A3C09F0A58A7E8500E0A7EB8EF62ABC402D111E41112ED49BD61B6E725B19F0


def test_c_roots_match_python() -> None:
    for k in range(N.TWO_ADICITY + 1):
        w = N.root_of_unity(k)
        assert FieldArray(Fr, _c.root_of_unity(k)).to_ints() == [w]
        assert pow(w, 1 << k, R) == 1
        assert k == 0 or pow(w, 1 << (k - 1), R) == R - 1  # primitive


def test_roots_beyond_two_adicity_rejected() -> None:
    with pytest.raises(errors.ArgumentError):
        N.root_of_unity(29)
    with pytest.raises(errors.ArgumentError):
        _c.root_of_unity(29)


@pytest.mark.parametrize("log_n", [0, 1, 2, 3, 5])
def test_twiddle_layout(log_n: int) -> None:
    n = 1 << log_n
    tw = FieldArray(Fr, np.ascontiguousarray(N.domain(log_n).twiddles)).to_ints()
    expected = [1] if n == 1 else []
    m = 1
    while m < n:
        w2m = N.root_of_unity(m.bit_length())  # a primitive 2m-th root
        expected += [pow(w2m, j, R) for j in range(m)]
        m *= 2
    assert tw == expected


def test_short_twiddle_table_rejected() -> None:
    a = Fr.ones(8).mont
    short = N.domain(2).twiddles  # 3 rows; size 8 needs 7
    with pytest.raises(errors.ArgumentError):
        _c.ntt(a, short, False, 1)


# ---------------------------------------------------------------- against galois and Python


@pytest.mark.parametrize("log_n", range(0, 9))
def test_ntt_and_intt_match_galois(log_n: int, rng: np.random.Generator) -> None:
    a = rand(rng, 1 << log_n)
    xs = a.to_ints()
    g = gf()
    assert N.ntt(a).to_ints() == [int(v) for v in np.fft.fft(g(xs))]
    assert N.intt(a).to_ints() == [int(v) for v in np.fft.ifft(g(xs))]


@pytest.mark.parametrize("log_n", [10, 11, 12])
def test_ntt_matches_reference(log_n: int, rng: np.random.Generator) -> None:
    a = rand(rng, 1 << log_n)
    xs, w = a.to_ints(), N.domain(log_n).omega
    assert N.ntt(a).to_ints() == N.reference_ntt(xs, w)
    assert N.intt(a).to_ints() == N.reference_intt(xs, w)


def test_ntt_is_evaluation_at_domain_points(rng: np.random.Generator) -> None:
    a = rand(rng, 16)
    points = N.domain(4).elements().to_ints()
    assert points == [pow(N.domain(4).omega, i, R) for i in range(16)]
    assert N.ntt(a).to_ints() == [horner(a.to_ints(), x) for x in points]
    b = a.copy()
    b.mont[3] = Fr.array([1]).mont[0] if a.to_ints()[3] != 1 else Fr.array([2]).mont[0]
    assert N.ntt(b) != N.ntt(a)  # a changed coefficient changes the evaluations


@pytest.mark.parametrize("log_n", [0, 1, 5, 14])
def test_round_trips(log_n: int, rng: np.random.Generator) -> None:
    a = rand(rng, 1 << log_n)
    assert N.intt(N.ntt(a)) == a
    assert N.ntt(N.intt(a)) == a
    assert N.coset_intt(N.coset_ntt(a)) == a
    assert N.coset_ntt(N.coset_intt(a, shift=7), shift=7) == a


def test_coset_round_trip_needs_same_shift(rng: np.random.Generator) -> None:
    a = rand(rng, 64)
    assert N.coset_intt(N.coset_ntt(a, shift=3), shift=5) != a


@pytest.mark.parametrize("shift", [None, 5, R - 1])
def test_coset_ntt_is_evaluation_on_coset(shift: int | None, rng: np.random.Generator) -> None:
    a = rand(rng, 32)
    d = N.domain(5)
    g = d.coset_shift if shift is None else shift
    points = [g * pow(d.omega, i, R) % R for i in range(32)]
    assert N.coset_ntt(a, shift=shift).to_ints() == [horner(a.to_ints(), x) for x in points]
    assert N.coset_intt(N.coset_ntt(a, shift=shift), shift=shift) == a


@pytest.mark.parametrize("log_n", [13, 16])
def test_large_sizes_at_sampled_points(log_n: int, rng: np.random.Generator) -> None:
    """Above 2^12 the twiddles are filled by several threads and the transform splits into
    thread blocks: check a few outputs against direct evaluation at w^k."""
    n = 1 << log_n
    a = rand(rng, n)
    d = N.domain(log_n)
    last_run = FieldArray(Fr, np.ascontiguousarray(d.twiddles[n // 2 - 1 :])).to_ints()
    assert last_run[:3] == [1, d.omega, d.omega * d.omega % R]
    assert last_run[-1] == pow(d.omega, n // 2 - 1, R)
    coeffs, out = a.to_ints(), N.ntt(a, threads=2).to_ints()
    for k in [0, 1, n // 2, n - 1, *rng.integers(0, n, 2).tolist()]:
        assert out[k] == horner(coeffs, pow(d.omega, k, R))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 5).flatmap(
        lambda k: st.tuples(
            st.lists(st.integers(0, R - 1), min_size=1 << k, max_size=1 << k),
            st.lists(st.integers(0, R - 1), min_size=1 << k, max_size=1 << k),
        )
    )
)
def test_convolution_theorem(pair: tuple[list[int], list[int]]) -> None:
    """ntt(a) * ntt(b) = ntt(a (*) b), the cyclic convolution mod x^n - 1."""
    xs, ys = pair
    n = len(xs)
    conv = [0] * n
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            conv[(i + j) % n] = (conv[(i + j) % n] + x * y) % R
    a, b = Fr.array(xs), Fr.array(ys)
    assert N.ntt(a) * N.ntt(b) == N.ntt(Fr.array(conv))
    assert N.intt(N.ntt(a) * N.ntt(b)).to_ints() == conv


# ---------------------------------------------------------------- edge inputs


@pytest.mark.parametrize("log_n", [0, 3, 13])
def test_edge_inputs(log_n: int) -> None:
    n = 1 << log_n
    assert N.ntt(Fr.zeros(n)) == Fr.zeros(n)
    assert N.intt(Fr.zeros(n)) == Fr.zeros(n)
    spike = [n % R] + [0] * (n - 1)  # the constant polynomial 1 is 1 everywhere
    assert N.ntt(Fr.ones(n)).to_ints() == spike
    assert N.intt(Fr.array(spike)) == Fr.ones(n)
    assert N.ntt(Fr.array([R - 1] * n)).to_ints() == [-n % R] + [0] * (n - 1)
    assert N.intt(Fr.ones(n)).to_ints() == [1] + [0] * (n - 1)


# ---------------------------------------------------------------- threads


@pytest.mark.parametrize("log_n", [12, 13, 15])
@pytest.mark.parametrize("threads", [0, 2, 3, 4, 8])
def test_threads_agree_with_one_thread(log_n: int, threads: int, rng: np.random.Generator) -> None:
    a = rand(rng, 1 << log_n)
    assert N.ntt(a, threads=threads) == N.ntt(a, threads=1)
    assert N.intt(a, threads=threads) == N.intt(a, threads=1)
    assert N.coset_ntt(a, threads=threads) == N.coset_ntt(a, threads=1)


def test_threaded_round_trip_and_quotient(rng: np.random.Generator) -> None:
    a, b, c = rand(rng, 1 << 13), rand(rng, 1 << 13), rand(rng, 1 << 13)
    assert N.intt(N.ntt(a, threads=2), threads=2) == a
    assert N.quotient_on_coset(a, b, c, threads=2) == N.quotient_on_coset(a, b, c, threads=1)


# ---------------------------------------------------------------- the Groth16 quotient


def test_default_shift_is_snarkjs_odd_points() -> None:
    for log_n in (0, 1, 4, 10):
        d = N.domain(log_n)
        assert d.coset_shift == N.root_of_unity(log_n + 1)  # ffjavascript's Fr.w[power + 1]
        assert pow(d.coset_shift, d.n, R) == R - 1  # the odd powers of a 2n-th root
        assert d.vanishing_on_coset() == R - 2  # Z = g^n - 1 = -2 on that coset


@pytest.mark.parametrize("log_n", [0, 2, 5])
def test_quotient_of_satisfied_qap(log_n: int, rng: np.random.Generator) -> None:
    """What Groth16 gives: C = A*B on the domain, so Z divides A*B - C exactly."""
    n = 1 << log_n
    d = N.domain(log_n)
    a_ev, b_ev = rand(rng, n), rand(rng, n)
    c_ev = a_ev * b_ev
    a, b, c = (N.reference_intt(v.to_ints(), d.omega) for v in (a_ev, b_ev, c_ev))
    p = poly_mul(a, b)
    p = [(x - (c[i] if i < n else 0)) % R for i, x in enumerate(p)]
    h, rem = divide_by_vanishing(p, n)
    assert rem == [0] * n  # A*B - C vanishes on the domain
    points = [d.coset_shift * pow(d.omega, i, R) % R for i in range(n)]
    assert N.quotient_on_coset(a_ev, b_ev, c_ev).to_ints() == [horner(h, x) for x in points]
    coeffs = N.quotient_coefficients(a_ev, b_ev, c_ev).to_ints()
    assert coeffs == (h + [0] * n)[:n] and coeffs[-1] == 0  # deg H <= n - 2
    z = d.vanishing_on_coset()
    assert N.numerator_on_coset(a_ev, b_ev, c_ev).to_ints() == [
        horner(h, x) * z % R for x in points
    ]


@pytest.mark.parametrize("shift", [None, 7, 3 * N.root_of_unity(7) % R])
def test_quotient_formula_on_arbitrary_inputs(shift: int | None, rng: np.random.Generator) -> None:
    """Any A, B, C: the output is (A*B - C)(g w^i) / (g^n - 1), A, B, C interpolated."""
    n = 32
    d = N.domain(5)
    a_ev, b_ev, c_ev = rand(rng, n), rand(rng, n), rand(rng, n)
    g = d.coset_shift if shift is None else shift
    z_inv = pow(pow(g, n, R) - 1, -1, R)
    polys = [N.reference_intt(v.to_ints(), d.omega) for v in (a_ev, b_ev, c_ev)]
    expected = []
    for i in range(n):
        x = g * pow(d.omega, i, R) % R
        av, bv, cv = (horner(p, x) for p in polys)
        expected.append((av * bv - cv) * z_inv % R)
    assert N.quotient_on_coset(a_ev, b_ev, c_ev, shift=shift).to_ints() == expected
    assert N.numerator_on_coset(a_ev, b_ev, c_ev, shift=shift).to_ints() == [
        e * (pow(g, n, R) - 1) % R for e in expected
    ]
    # the inputs are left alone (C works on copies)
    assert [v.to_ints() for v in (a_ev, b_ev, c_ev)] == [
        N.ntt(Fr.array(p)).to_ints() for p in polys
    ]


SNARKJS_H_STEP = """
const {buildBn128} = require("ffjavascript");
(async () => {
  const curve = await buildBn128(true);
  const Fr = curve.Fr;
  const power = INPUT.power, n = 1 << power;
  const buff = (vals) => {
    const b = new Uint8Array(n * Fr.n8);
    vals.forEach((v, i) => b.set(Fr.e(v), i * Fr.n8));
    return b;
  };
  // the steps of snarkjs's groth16_prove.js (ifft, batchApplyKey by inc, fft, joinABC)
  const inc = power == Fr.s ? Fr.shift : Fr.w[power + 1];
  const odd = [];
  for (const vals of [INPUT.a, INPUT.b, INPUT.c]) {
    const coeffs = await Fr.ifft(buff(vals));
    odd.push(await Fr.fft(await Fr.batchApplyKey(coeffs, Fr.e(1), inc)));
  }
  const h = [];
  for (let i = 0; i < n; i++) {
    const at = (b) => b.slice(i * Fr.n8, (i + 1) * Fr.n8);
    h.push(Fr.toString(Fr.sub(Fr.mul(at(odd[0]), at(odd[1])), at(odd[2]))));
  }
  const roots = [];
  for (let k = 0; k <= Fr.s; k++) roots.push(Fr.toString(Fr.w[k]));
  await curve.terminate();
  console.log(JSON.stringify({h: h, roots: roots, s: Fr.s}));
})();
"""


@pytest.mark.parametrize("log_n", [1, 3, 6])
def test_numerator_matches_snarkjs(log_n: int, rng: np.random.Generator) -> None:
    """ffjavascript (snarkjs's field library) run through snarkjs's own H steps."""
    n = 1 << log_n
    a, b, c = rand(rng, n), rand(rng, n), rand(rng, n)
    payload = {
        "power": log_n,
        **{k: [str(x) for x in v.to_ints()] for k, v in (("a", a), ("b", b), ("c", c))},
    }
    js = run_node_script(SNARKJS_H_STEP, payload, timeout=120)
    assert js["s"] == N.TWO_ADICITY
    assert [int(w) for w in js["roots"]] == [N.root_of_unity(k) for k in range(29)]
    assert N.numerator_on_coset(a, b, c).to_ints() == [int(x) for x in js["h"]]
    assert N.numerator_on_coset(a, b, c, shift=7).to_ints() != [int(x) for x in js["h"]]


def test_quotient_rejects_bad_inputs(rng: np.random.Generator) -> None:
    a, b, c = rand(rng, 8), rand(rng, 8), rand(rng, 8)
    with pytest.raises(errors.ArgumentError):
        N.quotient_on_coset(a, b, rand(rng, 4))
    with pytest.raises(errors.ArgumentError):
        N.quotient_on_coset(a, b, Fp.ones(8))  # type: ignore[arg-type]
    with pytest.raises(errors.ArgumentError):
        N.quotient_on_coset(a, b, c, shift=0)
    with pytest.raises(errors.NonCanonicalError):
        N.quotient_on_coset(a, b, c, shift=R)
    for in_domain in (1, N.domain(3).omega):  # Z vanishes on the domain itself
        with pytest.raises(errors.ZeroInverseError):
            N.quotient_on_coset(a, b, c, shift=in_domain)
    assert len(N.numerator_on_coset(a, b, c, shift=1)) == 8  # no division: allowed


# ---------------------------------------------------------------- polynomial helpers


def test_evaluate_matches_horner(rng: np.random.Generator) -> None:
    for n in (0, 1, 7, 5000):
        coeffs = rand(rng, n)
        x = Fr.random_int()
        expected = horner(coeffs.to_ints(), x)
        assert N.evaluate(coeffs, x, threads=1) == expected
        assert N.evaluate(coeffs, x, threads=2) == expected
    assert N.evaluate(Fr.array([3, 4]), 0) == 3
    assert N.evaluate(Fr.array([3, 4]), R - 1) == R - 1  # 3 - 4


def test_scale_powers_and_shift(rng: np.random.Generator) -> None:
    a = rand(rng, 5000)
    xs = a.to_ints()
    g, f = Fr.random_int(), Fr.random_int()
    assert N.scale_powers(a, g, f, threads=2).to_ints() == [
        x * f * pow(g, i, R) % R for i, x in enumerate(xs)
    ]
    p = Fr.array([1, 2, 3])
    assert N.mul_by_x_power(p, 2).to_ints() == [0, 0, 1, 2, 3]
    assert N.mul_by_x_power(p, 1, length=8).to_ints() == [0, 1, 2, 3, 0, 0, 0, 0]
    with pytest.raises(errors.ArgumentError):
        N.mul_by_x_power(p, 2, length=4)
    with pytest.raises(errors.ArgumentError):
        N.mul_by_x_power(p, -1)


# ---------------------------------------------------------------- bad sizes and types


@pytest.mark.parametrize("n", [0, 3, 6, 12, 1000])
def test_bad_sizes_rejected(n: int) -> None:
    a = Fr.ones(n)
    for fn in (N.ntt, N.intt, N.coset_ntt, N.coset_intt):
        with pytest.raises(errors.ArgumentError):
            fn(a)


def test_too_large_and_non_fr_rejected() -> None:
    with pytest.raises(errors.ArgumentError):
        N.domain(N.MAX_LOG_N + 1)
    with pytest.raises(errors.ArgumentError):
        N.domain_for(1 << (N.MAX_LOG_N + 1))
    with pytest.raises(errors.ArgumentError):
        N.domain(-1)
    with pytest.raises(errors.ArgumentError):
        N.ntt(Fp.ones(8))  # type: ignore[arg-type]
    with pytest.raises(errors.ArgumentError):
        N.coset_ntt(Fr.ones(8), shift=0)


def test_domain_is_cached_and_read_only() -> None:
    assert N.domain(6) is N.domain(6)
    with pytest.raises(ValueError):
        N.domain(6).twiddles[0, 0] = 1


def test_bench_smoke() -> None:
    """`zkcore bench ntt` and `ntt_quotient` run and report their figures (no timing checks)."""
    from zkcore.bench import BenchOptions
    from zkcore.bench import ntt as bench_ntt

    for fn in (bench_ntt.ntt, bench_ntt.ntt_quotient):
        result = fn(BenchOptions(log_n=5, repeat=1))
        assert result.n == 32 and result.baseline_median_ms is not None
        assert {"one_thread_ms", "all_threads_ms", "thread_speedup"} <= set(result.details)
