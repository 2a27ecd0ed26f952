"""`zkcore`: the engine's command line: info, compile, witness, setup, prove, verify, export,
bench."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from zkcore import bench as bench_registry
from zkcore import errors
from zkcore.r1cs import R1CS


def _parse_extra(pairs: Sequence[str]) -> dict[str, str]:
    extra = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"zkcore: --param expects key=value, got {pair!r}")
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
    status = 0
    unknown = [n for n in names if n not in registry]
    if unknown:
        print(
            f"zkcore bench: unknown benchmark(s): {', '.join(unknown)}; "
            f"known: {', '.join(sorted(registry))}",
            file=sys.stderr,
        )
        return 2
    extra = _parse_extra(args.param)
    for name in ("zkey", "wtns"):
        if getattr(args, name):
            extra[name] = getattr(args, name)
    opts = bench_registry.BenchOptions(
        log_n=args.log_n,
        count=args.count,
        repeat=args.repeat,
        threads=args.threads,
        extra=extra,
    )
    if not args.json:
        print(
            f"{'name':18s} {'n':>9s} {'median_ms':>11s} {'per_item_ns':>12s} "
            f"{'baseline':>24s} {'baseline_ms':>12s} {'speedup':>8s}"
        )
    for name in names:
        try:
            result = registry[name](opts)
        except errors.ZKCoreError as exc:
            # a benchmark that needs inputs (prove: --zkey/--wtns) is skipped in an all-run
            print(f"zkcore bench {name}: {exc}", file=sys.stderr)
            status = 2 if args.names else status
            continue
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
    return status


def _param_value(text: str) -> Any:
    """--param values: ints where they parse as ints (depth=20), else the string."""
    try:
        return int(text, 0)
    except ValueError:
        return text


def load_python_circuit(spec: str, params: Sequence[str]) -> tuple[str, Any]:
    """A Python circuit `module:Class` built with --param key=value, compiled."""
    module_name, sep, class_name = spec.partition(":")
    if not sep or not module_name or not class_name:
        raise errors.ArgumentError(f"{spec!r} is neither a .r1cs file nor module:Class")
    if os.getcwd() not in sys.path:  # circuits next to the user, as uvicorn finds apps
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise errors.ArgumentError(f"cannot import {module_name!r}: {exc}") from None
    cls = getattr(module, class_name, None)
    if cls is None:
        raise errors.ArgumentError(f"module {module_name!r} has no {class_name!r}")
    kwargs = {k: _param_value(v) for k, v in _parse_extra(params).items()}
    try:
        circuit = cls(**kwargs)
    except TypeError as exc:
        raise errors.ArgumentError(f"cannot build {class_name}: {exc}") from None
    if not hasattr(circuit, "compile"):
        raise errors.ArgumentError(f"{spec} is not a circuit (no compile())")
    return class_name, circuit.compile()


def load_circuit(spec: str, params: Sequence[str]) -> tuple[str, R1CS, dict[str, int] | None]:
    """A `.r1cs` file, or a Python circuit `module:Class` built with --param key=value.

    Returns (name, r1cs, constraints per top-level gadget, or None for a file)."""
    path = Path(spec)
    if spec.endswith(".r1cs") or path.is_file():
        if params:
            raise errors.ArgumentError("--param applies to Python circuits, not .r1cs files")
        from zkcore.formats import r1cs as r1cs_format

        try:
            return path.name, r1cs_format.read(path), None
        except OSError as exc:
            raise errors.ArgumentError(f"cannot read {spec}: {exc.strerror}") from None
    name, compiled = load_python_circuit(spec, params)
    return name, compiled.r1cs, _by_gadget(getattr(compiled, "origins", []))


def _by_gadget(origins: Sequence[Any]) -> dict[str, int]:
    """Constraints per top-level gadget scope ("Circuit/merkle_root/..." -> "merkle_root")."""
    counts: dict[str, int] = {}
    for origin in origins:
        parts = str(origin.scope).split("/")
        key = parts[1] if len(parts) > 1 else "(circuit)"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def circuit_info(name: str, r1cs: R1CS) -> dict[str, Any]:
    """The counts `zkcore info` prints."""
    return {
        "name": name,
        "constraints": r1cs.n_constraints,
        "wires": r1cs.n_wires,
        "public_inputs": r1cs.n_pub_in,
        "private_inputs": r1cs.n_prv_in,
        "outputs": r1cs.n_pub_out,
        "labels": r1cs.n_labels,
    }


def _fail(command: str, exc: Exception) -> int:
    print(f"zkcore {command}: {exc}", file=sys.stderr)
    return 2


def cmd_info(args: argparse.Namespace) -> int:
    try:
        name, r1cs, gadgets = load_circuit(args.circuit, args.param)
    except errors.ZKCoreError as exc:
        return _fail("info", exc)
    info = circuit_info(name, r1cs)
    if gadgets is not None:
        info["gadgets"] = gadgets
    if args.json:
        print(json.dumps(info))
    else:
        for key, value in info.items():
            print(f"{key:15s} {value}")
    return 0


def cmd_compile(args: argparse.Namespace) -> int:
    from zkcore.formats import r1cs as r1cs_format

    try:
        name, r1cs, _ = load_circuit(args.circuit, args.param)
        r1cs_format.write(args.output, r1cs)
    except errors.ZKCoreError as exc:
        return _fail("compile", exc)
    except OSError as exc:
        return _fail("compile", errors.ArgumentError(f"cannot write {args.output}: {exc}"))
    print(f"{name}: {r1cs.n_constraints} constraints, {r1cs.n_wires} wires -> {args.output}")
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
    bench.add_argument("--zkey", help="a .zkey, for the prove benchmark")
    bench.add_argument("--wtns", help="a .wtns matching the .zkey, for the prove benchmark")
    bench.set_defaults(func=cmd_bench)

    circuit_help = "a .r1cs file, or a Python circuit as module:Class"
    info = sub.add_parser("info", help="print a circuit's counts (constraints, wires, inputs)")
    info.add_argument("circuit", help=circuit_help)
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="constructor parameter of a Python circuit (ints parsed)",
    )
    info.set_defaults(func=cmd_info)

    comp = sub.add_parser("compile", help="compile a circuit to an iden3 .r1cs file")
    comp.add_argument("circuit", help=circuit_help)
    comp.add_argument("-o", "--output", required=True, help="the .r1cs file to write")
    comp.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="constructor parameter of a Python circuit (ints parsed)",
    )
    comp.set_defaults(func=cmd_compile)

    from zkcore import cli_groth16

    cli_groth16.register(sub, circuit_help)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
