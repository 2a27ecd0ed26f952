"""pytest-benchmark: reading (with full validation) and writing a synthetic .zkey.

python3 -m pytest benchmarks/test_bench_zkey.py --benchmark-only
"""

from __future__ import annotations

import pytest

from zkcore.bench.zkey import synthetic_key
from zkcore.formats import zkey


@pytest.fixture(scope="module")
def key_bytes() -> tuple[object, bytes]:
    pk = synthetic_key(14)
    return pk, zkey.dumps(pk)


def test_bench_zkey_load_2_14(benchmark, key_bytes) -> None:  # type: ignore[no-untyped-def]
    _, data = key_bytes
    pk = benchmark(zkey.loads, data)
    assert pk.n_vars == 1 << 14


def test_bench_zkey_dump_2_14(benchmark, key_bytes) -> None:  # type: ignore[no-untyped-def]
    pk, data = key_bytes
    assert benchmark(zkey.dumps, pk) == data
