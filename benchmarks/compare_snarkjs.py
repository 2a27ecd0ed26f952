"""Groth16 prove time, ours against snarkjs, on the same .zkey and .wtns, in the same run.

    python benchmarks/compare_snarkjs.py [--depths 4 12 20] [--chain-logs 12 14 16]
                                         [--repeat 5] [--out benchmarks/out]

For each circuit (the ticketing circuit at several Merkle depths, and a chain of 2^k
multiplications) it runs our setup once, writes the .zkey and .wtns, then times:
  * ours: zkcore.groth16.prove in this process, key loaded once (median of --repeat);
  * snarkjs: benchmarks/snarkjs_prove.js in one node process, key and witness loaded into
    memory once, one warm-up proof, then the median of --repeat (so start-up is not compared).
It prints a table with the ratio, and writes results.json and prove_vs_snarkjs.png to --out.
Needs the npm peers (scripts/test.sh installs them) and matplotlib (`pip install -e .[bench]`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from circuits.dsl import API, Circuit, Private, Public  # noqa: E402
from circuits.ticket import TicketCircuit, example_inputs  # noqa: E402
from zkcore.field import Fr  # noqa: E402
from zkcore.formats import wtns, zkey  # noqa: E402
from zkcore.groth16 import prove, setup  # noqa: E402

NODE_MODULES = ROOT / "tests" / "interop" / "node_modules"


class Chain(Circuit):
    """n multiplications z_{i+1} = z_i * z_i + i: a circuit of exactly n constraints + 1."""

    x = Public()
    seed = Private()

    def __init__(self, n: int) -> None:
        self.n = n

    def define(self, api: API) -> None:
        z = api.lc(self.seed)
        for i in range(self.n):
            z = api.mul(z, z) + i
        api.assert_equal(z * 1, self.x)  # the chain's end is the public input


def _ticket(depth: int) -> tuple[str, Circuit, dict]:  # type: ignore[type-arg]
    return f"ticket depth {depth}", TicketCircuit(depth), example_inputs(depth)


def _chain(log_n: int) -> tuple[str, Circuit, dict]:  # type: ignore[type-arg]
    circuit = Chain((1 << log_n) - 1)
    z = 3
    for i in range(circuit.n):  # the chain's end, computed natively
        z = (z * z + i) % Fr.modulus
    return f"chain 2^{log_n}", circuit, {"seed": 3, "x": z}


def _median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up (caches the key's derived matrices)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def _snarkjs_ms(key: Path, witness: Path, repeat: int) -> float:
    done = subprocess.run(
        [
            "node",
            str(ROOT / "benchmarks" / "snarkjs_prove.js"),
            str(key),
            str(witness),
            str(repeat),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["median_ms"])


def run(cases: list[tuple[str, Circuit, dict]], repeat: int, workdir: Path) -> list[dict]:  # type: ignore[type-arg]
    rows = []
    for name, circuit, inputs in tqdm(cases, desc="circuits", unit="circuit"):
        compiled = circuit.compile()
        witness = compiled.solve(inputs)
        pk, _ = setup(compiled.r1cs)
        key, wit = workdir / "k.zkey", workdir / "w.wtns"
        zkey.write_zkey(pk, key)
        wtns.write(wit, witness)
        ours = _median_ms(lambda pk=pk, w=witness: prove(pk, w), repeat)
        theirs = _snarkjs_ms(key, wit, repeat)
        rows.append(
            {
                "circuit": name,
                "constraints": compiled.r1cs.n_constraints,
                "ours_ms": round(ours, 2),
                "snarkjs_ms": round(theirs, 2),
                "speedup": round(theirs / ours, 2),
            }
        )
        tqdm.write(
            f"{name:18s} {compiled.r1cs.n_constraints:7d} constraints  ours "
            f"{ours:9.1f} ms  snarkjs {theirs:9.1f} ms  {theirs / ours:5.1f}x"
        )
    return rows


def plot(rows: list[dict], path: Path) -> None:  # type: ignore[type-arg]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(rows, key=lambda r: r["constraints"])
    xs = [r["constraints"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(xs, [r["ours_ms"] for r in rows], "o-", label="TicketKing (zkcore)")
    ax.plot(xs, [r["snarkjs_ms"] for r in rows], "s-", label="snarkjs 0.7 (node)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("constraints")
    ax.set_ylabel("Groth16 prove, median ms (key loaded)")
    ax.set_title("Groth16 prove time on BN254, same .zkey and .wtns, same run")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depths", type=int, nargs="*", default=[4, 12, 20])
    parser.add_argument("--chain-logs", type=int, nargs="*", default=[12, 14, 16])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()
    if not (NODE_MODULES / "snarkjs").is_dir():
        print("snarkjs is not installed: run scripts/test.sh once (npm ci)", file=sys.stderr)
        return 2
    cases = [_ticket(d) for d in args.depths] + [_chain(k) for k in args.chain_logs]
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        rows = run(cases, args.repeat, Path(tmp))
    (args.out / "results.json").write_text(json.dumps(rows, indent=2))
    plot(rows, args.out / "prove_vs_snarkjs.png")
    print(f"wrote {args.out / 'results.json'} and {args.out / 'prove_vs_snarkjs.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
