"""The two builds of the C core agree: portable C and the BMI2/ADX assembly variant.

`zkcore._bn254_adx` multiplies with MULX/ADCX/ADOX (native/field_asm.h) and is what
zkcore loads on CPUs that have them; `zkcore._bn254` is the portable C. Every higher routine
differs between them only through field multiplication and Fp2 arithmetic's wide products,
reductions and small multiples (native/fp_wide.h), checked here on random and edge values
against each other and against Python ints.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from zkcore import _bn254 as portable
from zkcore import _native
from zkcore.field import Fp, Fr, PrimeField, ints_to_limbs, limbs_to_ints

HAS_ADX = bool(portable.lib.bn254_cpu_has_bmi2_adx())


def _module(variant: str):  # type: ignore[no-untyped-def]
    """The build named "portable" or "adx"; skips where the CPU cannot run the second."""
    if variant == "portable":
        return portable
    if not HAS_ADX:
        pytest.skip("CPU lacks BMI2/ADX: the assembly variant cannot run here")
    from zkcore import _bn254_adx

    return _bn254_adx


@pytest.fixture(scope="module")
def adx():  # type: ignore[no-untyped-def]
    return _module("adx")


def _ptr(module, array: np.ndarray):  # type: ignore[no-untyped-def]
    return module.ffi.cast("uint64_t *", module.ffi.from_buffer(array))


def _call(module, name: str, field: PrimeField, *arrays: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    out = np.empty_like(arrays[0])
    status = getattr(module.lib, name)(
        field.native_id, _ptr(module, out), *(_ptr(module, a) for a in arrays), len(out)
    )
    assert status == 0
    return out


def test_variant_selection_reports_the_build() -> None:
    assert _native.VARIANT in {"portable", "adx"}
    assert portable.lib.bn254_build_uses_mulx_asm() == 0
    if HAS_ADX and _native.VARIANT == "adx":
        assert _native.lib.bn254_build_uses_mulx_asm() == 1


@pytest.mark.parametrize("field", [Fr, Fp], ids=["Fr", "Fp"])
def test_adx_variant_agrees_with_portable_and_python(adx, field: PrimeField, rng) -> None:  # type: ignore[no-untyped-def]
    m = field.modulus
    edge = [0, 1, 2, m - 1, m - 2, 2**64 - 1, 2**192, (m - 1) // 2]
    raw = rng.integers(0, 2**64, size=(20_000, 4), dtype=np.uint64)
    randoms = limbs_to_ints(raw)
    xs = [x % m for x in randoms[:10_000]] + [a for a in edge for _ in edge]
    ys = [y % m for y in randoms[10_000:]] + [b for _ in edge for b in edge]
    canon_x, canon_y = ints_to_limbs(xs), ints_to_limbs(ys)

    def run(module):  # type: ignore[no-untyped-def]
        a = np.empty_like(canon_x)
        b = np.empty_like(canon_y)
        for src, dst in ((canon_x, a), (canon_y, b)):
            assert (
                module.lib.bn254_vec_to_mont(
                    field.native_id, _ptr(module, dst), _ptr(module, src), len(src), 1
                )
                == 0
            )
        results = {}
        for name in ("bn254_vec_mul", "bn254_vec_add", "bn254_vec_sub"):
            mont = _call(module, name, field, a, b)
            results[name + " (montgomery)"] = mont  # must be fully reduced, bit for bit
            results[name] = _call(module, "bn254_vec_from_mont", field, mont)
        results["square"] = _call(
            module, "bn254_vec_from_mont", field, _call(module, "bn254_vec_square", field, a)
        )
        return results

    ours, ref = run(adx), run(portable)
    for name in ours:
        assert np.array_equal(ours[name], ref[name]), name
    assert limbs_to_ints(ours["bn254_vec_mul"]) == [x * y % m for x, y in zip(xs, ys, strict=True)]
    assert limbs_to_ints(ours["square"]) == [x * x % m for x in xs]


def _fp2_mont(module, values: list[tuple[int, int]]) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Fp2 values as (n, 8) Montgomery words."""
    src = ints_to_limbs([c for x in values for c in x])
    out = np.empty_like(src)
    status = module.lib.bn254_vec_to_mont(
        Fp.native_id, _ptr(module, out), _ptr(module, src), len(src), 1
    )
    assert status == 0
    return out.reshape(-1, 8)


def _fp2_ints(module, words: np.ndarray) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """(n, 8) Montgomery words back to Fp2 values, after checking they are fully reduced."""
    mont = np.ascontiguousarray(words.reshape(-1, 4))
    assert max(limbs_to_ints(mont)) < Fp.modulus  # every caller expects canonical words
    canonical = np.empty_like(mont)
    status = module.lib.bn254_vec_from_mont(
        Fp.native_id, _ptr(module, canonical), _ptr(module, mont), len(mont)
    )
    assert status == 0
    flat = limbs_to_ints(canonical)
    return list(zip(flat[::2], flat[1::2], strict=True))


P = Fp.modulus
# coefficients at the edges of the lazy reductions: zero, tiny, p - 1 (largest products and
# sums), half of p, a power of two, a full limb
EDGE = [0, 1, 2, P - 1, P - 2, (P - 1) // 2, 2**253, 2**64 - 1]


def _fp2_values(rng, n: int) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    raw = limbs_to_ints(rng.integers(0, 2**64, size=(2 * n, 4), dtype=np.uint64))
    return [(raw[2 * i] % P, raw[2 * i + 1] % P) for i in range(n)]


@pytest.mark.parametrize("variant", ["portable", "adx"])
def test_fp2_mul_agrees_with_python(variant: str, rng) -> None:  # type: ignore[no-untyped-def]
    """Fp2 multiplication reduces a0 b0 - a1 b1 (p 2^256 added when negative) and
    a0 b1 + a1 b0 from full-width products: every edge coefficient in every position, so
    both signs of the real part and the largest products, then random values."""
    module = _module(variant)
    pairs = [((a0, a1), (b0, b1)) for a0 in EDGE for a1 in EDGE for b0 in EDGE for b1 in EDGE[::3]]
    pairs += list(zip(_fp2_values(rng, 500), _fp2_values(rng, 500), strict=True))
    a = _fp2_mont(module, [x for x, _ in pairs])
    b = _fp2_mont(module, [y for _, y in pairs])
    prod = np.empty_like(a)
    for i in range(len(pairs)):
        status = module.lib.bn254_fp2_mul(
            _ptr(module, prod[i]), _ptr(module, a[i]), _ptr(module, b[i])
        )
        assert status == 0
    want = [((a0 * b0 - a1 * b1) % P, (a0 * b1 + a1 * b0) % P) for (a0, a1), (b0, b1) in pairs]
    assert _fp2_ints(module, prod) == want


@pytest.mark.parametrize("variant", ["portable", "adx"])
def test_fp2_mul_by_xi_agrees_with_python(variant: str, rng) -> None:  # type: ignore[no-untyped-def]
    """a (9 + u) forms 9 a0 + p - a1 and a0 + 9 a1 (below 10p) and reduces each by an
    estimated quotient: edge pairs reach both ends of that range."""
    module = _module(variant)
    values = [(a0, a1) for a0 in EDGE for a1 in EDGE] + _fp2_values(rng, 1000)
    a = _fp2_mont(module, values)
    out = np.empty_like(a)
    for i in range(len(values)):
        assert module.lib.bn254_fp2_mul_by_xi(_ptr(module, out[i]), _ptr(module, a[i])) == 0
    assert _fp2_ints(module, out) == [((9 * a0 - a1) % P, (a0 + 9 * a1) % P) for a0, a1 in values]


def test_quotient_estimate_constants_are_exact() -> None:
    """native/fp_wide.h's floor(k 2^250 / p) = (k MUL) >> SHIFT for every k < 256 (the
    reduction's inputs are below 10p < 2^258, so k = x >> 250 < 256): one conditional
    subtraction after it is enough only if the estimate is never off."""
    header = (Path(__file__).parents[2] / "native" / "fp_wide.h").read_text()
    mul = int(re.search(r"#define FP_QUOTIENT_MUL (\d+)", header).group(1))  # type: ignore[union-attr]
    shift = int(re.search(r"#define FP_QUOTIENT_SHIFT (\d+)", header).group(1))  # type: ignore[union-attr]
    assert all((k * mul) >> shift == (k << 250) // P for k in range(256))
