"""The opt-in machine-specific build (TICKETKING_NATIVE_ARCH=native) agrees with the portable one.

On a CPU with BMI2 and ADX that build multiplies with MULX/ADCX/ADOX assembly
(native/field_asm.h), which the portable build never runs: build it here and compare.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from zkcore._native import lib as portable_lib
from zkcore._native import u64_ptr
from zkcore.field import Fp, Fr, ints_to_limbs

ROOT = Path(__file__).resolve().parents[2]


def _cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


pytestmark = pytest.mark.skipif(
    not {"bmi2", "adx"} <= _cpu_flags(), reason="CPU lacks BMI2/ADX: no assembly path to check"
)


@pytest.fixture(scope="module")
def native_lib(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "native"))
    try:
        import build as native_build  # native/build.py
    finally:
        sys.path.pop(0)
    out = tmp_path_factory.mktemp("native_build")
    builder = native_build.make_builder("_bn254_native_check", arch="native", absolute=True)
    so_path = builder.compile(tmpdir=str(out))
    spec = importlib.util.spec_from_file_location("_bn254_native_check", so_path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lib


@pytest.mark.parametrize("field", [Fr, Fp], ids=["Fr", "Fp"])
def test_native_build_multiplies_like_portable(native_lib, field, rng) -> None:  # type: ignore[no-untyped-def]
    m = field.modulus
    edge = [0, 1, 2, m - 1, m - 2, 2**64 - 1, 2**192, (m - 1) // 2]
    raw = rng.integers(0, 2**64, size=(20_000, 4), dtype=np.uint64).astype(object)
    randoms = [
        int(v) % m for v in raw[:, 0] | (raw[:, 1] << 64) | (raw[:, 2] << 128) | (raw[:, 3] << 192)
    ]
    xs = randoms[:10_000] + [a for a in edge for _ in edge]
    ys = randoms[10_000:] + [b for _ in edge for b in edge]
    a, b = field.array(xs).mont, field.array(ys).mont
    for name in ("bn254_vec_mul", "bn254_vec_add", "bn254_vec_sub"):
        ours = np.empty_like(a)
        ref = np.empty_like(a)
        assert (
            getattr(native_lib, name)(
                field.native_id, u64_ptr(ours), u64_ptr(a), u64_ptr(b), len(a)
            )
            == 0
        )
        assert (
            getattr(portable_lib, name)(
                field.native_id, u64_ptr(ref), u64_ptr(a), u64_ptr(b), len(a)
            )
            == 0
        )
        assert np.array_equal(ours, ref), name
    # and against Python ints, through the native build's own conversions
    out = np.empty_like(a)
    native_lib.bn254_vec_mul(field.native_id, u64_ptr(out), u64_ptr(a), u64_ptr(b), len(a))
    canon = np.empty_like(a)
    native_lib.bn254_vec_from_mont(field.native_id, u64_ptr(canon), u64_ptr(out), len(a))
    assert np.array_equal(canon, ints_to_limbs([x * y % m for x, y in zip(xs, ys, strict=True)]))
