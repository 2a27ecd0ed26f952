"""`zkcore bench`: the registry, its plugins, and the JSON line format researchers parse."""

from __future__ import annotations

import importlib.metadata
import json

import pytest

from zkcore import bench
from zkcore.cli import main as zkcore

CORE = {
    "fr_mul",
    "fp_mul",
    "fr_inv_batch",
    "ntt",
    "g1_msm",
    "g2_msm",
    "pairing",
    "pairing_check_4",
    "poseidon",
}


def test_registry_has_the_engine_benchmarks_and_installed_plugins() -> None:
    names = set(bench.load_all())
    assert names >= CORE
    if any(e.name == "circuits" for e in importlib.metadata.entry_points(group="zkcore.bench")):
        assert {"witness_ticket", "setup_ticket", "prove_ticket", "verify"} <= names


def test_json_lines_have_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert zkcore(["bench", "fr_mul", "--log-n", "10", "--repeat", "1", "--json"]) == 0
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["name"] == "fr_mul" and line["n"] == 1024
    for key in ("median_ms", "per_item_ns", "baseline", "baseline_median_ms"):
        assert key in line
    assert line["baseline"] == "python-int" and line["median_ms"] > 0


def test_unknown_benchmark_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert zkcore(["bench", "no_such_bench"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err
