"""The two builds of the C core agree: portable C and the BMI2/ADX assembly variant.

`zkcore._bn254_adx` multiplies with MULX/ADCX/ADOX (native/field_asm.h) and is what
zkcore loads on CPUs that have them; `zkcore._bn254` is the portable C. Every higher routine
differs between them only through field multiplication, checked here on random and edge
values against each other and against Python ints.
"""

from __future__ import annotations

import numpy as np
import pytest

from zkcore import _bn254 as portable
from zkcore import _native
from zkcore.field import Fp, Fr, PrimeField, ints_to_limbs, limbs_to_ints

HAS_ADX = bool(portable.lib.bn254_cpu_has_bmi2_adx())


@pytest.fixture(scope="module")
def adx():  # type: ignore[no-untyped-def]
    if not HAS_ADX:
        pytest.skip("CPU lacks BMI2/ADX: the assembly variant cannot run here")
    from zkcore import _bn254_adx

    return _bn254_adx


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
