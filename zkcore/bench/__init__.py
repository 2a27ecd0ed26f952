"""The researcher's benchmark registry behind `zkcore bench`.

Each module in this package registers named benchmarks with `@benchmark("name")`. A benchmark
takes `BenchOptions` and returns a `BenchResult`: the median of repeated timings of the
native routine, and where one exists a baseline timed in the same run on the same data, so
figures compare as ratios on a noisy, shared machine.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class BenchOptions:
    """What the user asked for; a benchmark uses the fields that apply to it."""

    log_n: int | None = None
    count: int | None = None
    repeat: int = 7
    threads: int = 0
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class BenchResult:
    """One line of `zkcore bench --json`."""

    name: str
    n: int
    median_ms: float
    per_item_ns: float | None
    baseline: str | None = None
    baseline_median_ms: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        details = out.pop("details")
        out.update(details)
        return out

    @property
    def speedup(self) -> float | None:
        """How many times faster than the baseline, if there is one."""
        if self.baseline_median_ms is None or self.median_ms <= 0:
            return None
        return self.baseline_median_ms / self.median_ms


BenchFn = Callable[[BenchOptions], BenchResult]
BENCHMARKS: dict[str, BenchFn] = {}
DESCRIPTIONS: dict[str, str] = {}


def benchmark(name: str, description: str) -> Callable[[BenchFn], BenchFn]:
    """Register a benchmark under `name`."""

    def register(fn: BenchFn) -> BenchFn:
        if name in BENCHMARKS:
            raise RuntimeError(f"benchmark {name!r} registered twice")
        BENCHMARKS[name] = fn
        DESCRIPTIONS[name] = description
        return fn

    return register


def median_ms(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """Median wall time of fn() in milliseconds over `repeat` runs after `warmup` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


PLUGIN_GROUP = "zkcore.bench"


def load_all() -> dict[str, BenchFn]:
    """Import this package's benchmark modules and the installed plugins' (entry point group
    `zkcore.bench`, e.g. the circuits package's), then return the registry."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    for entry in importlib.metadata.entry_points(group=PLUGIN_GROUP):
        entry.load()
    return BENCHMARKS
