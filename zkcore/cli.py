"""`zkcore`: the engine's command line (benchmarks now; info, compile, setup, prove, verify
as the engine grows)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from zkcore import bench as bench_registry


def _parse_extra(pairs: Sequence[str]) -> dict[str, str]:
    extra = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"zkcore bench: --param expects key=value, got {pair!r}")
        extra[key] = value
    return extra


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:.3f}{unit}" if value < 100 else f"{value:.1f}{unit}"


def cmd_bench(args: argparse.Namespace) -> int:
    registry = bench_registry.load_all()
    if args.list:
        for name in sorted(registry):
            print(f"{name:20s} {bench_registry.DESCRIPTIONS[name]}")
        return 0
    names = args.names or sorted(registry)
    unknown = [n for n in names if n not in registry]
    if unknown:
        print(
            f"zkcore bench: unknown benchmark(s): {', '.join(unknown)}; "
            f"known: {', '.join(sorted(registry))}",
            file=sys.stderr,
        )
        return 2
    opts = bench_registry.BenchOptions(
        log_n=args.log_n,
        count=args.count,
        repeat=args.repeat,
        threads=args.threads,
        extra=_parse_extra(args.param),
    )
    if not args.json:
        print(
            f"{'name':18s} {'n':>9s} {'median_ms':>11s} {'per_item_ns':>12s} "
            f"{'baseline':>24s} {'baseline_ms':>12s} {'speedup':>8s}"
        )
    for name in names:
        result = registry[name](opts)
        if args.json:
            print(json.dumps(result.as_json()), flush=True)
        else:
            speed = result.speedup
            print(
                f"{result.name:18s} {result.n:9d} {_fmt(result.median_ms):>11s} "
                f"{_fmt(result.per_item_ns):>12s} {result.baseline or '-':>24s} "
                f"{_fmt(result.baseline_median_ms):>12s} "
                f"{(f'{speed:.1f}x' if speed else '-'):>8s}",
                flush=True,
            )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zkcore", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    bench = sub.add_parser("bench", help="run named benchmarks and print a table or JSON lines")
    bench.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    bench.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    bench.add_argument("--json", action="store_true", help="one JSON object per line")
    bench.add_argument("--log-n", type=int, default=None, help="problem size 2^K")
    bench.add_argument("--count", type=int, default=None, help="item count, where it applies")
    bench.add_argument("--repeat", type=int, default=7, help="timed runs; the median is kept")
    bench.add_argument("--threads", type=int, default=0, help="threads (0 = all cores)")
    bench.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="benchmark-specific option",
    )
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
