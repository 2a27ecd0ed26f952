"""Circuit benchmarks: witness generation for the ticketing circuit."""

from __future__ import annotations

import time
from collections import Counter

from zkcore.bench import BenchOptions, BenchResult, benchmark, median_ms

# circom2 --O2 of the same statement written with circomlib (Poseidon, Num2Bits, LessEqThan),
# compiled at depths 2 and 4 (1633 and 2117 constraints): 1149 + 242 per level. Source and
# command in docs/circuits.md ("The ticketing circuit").
CIRCOM_O2_BASE, CIRCOM_O2_PER_LEVEL = 1149, 242


@benchmark(
    "witness_ticket",
    "ticketing circuit witness generation at depth 20 (--param depth=N); details: the "
    "constraint check, constraint counts per part, circom --O2's count for the same statement",
)
def witness_ticket(opts: BenchOptions) -> BenchResult:
    from circuits.ticket import TicketCircuit, example_inputs

    depth = int(opts.extra.get("depth", 20))
    start = time.perf_counter()
    compiled = TicketCircuit(depth).compile()
    compile_ms = (time.perf_counter() - start) * 1e3
    values = example_inputs(depth)
    compiled.solve(values)  # valid before timing
    generate = median_ms(lambda: compiled.witness(values), opts.repeat)
    witness = compiled.witness(values)
    check = median_ms(lambda: compiled.check(witness), opts.repeat)
    parts = Counter(origin.scope.split("/")[1] for origin in compiled.origins)
    circom = CIRCOM_O2_BASE + CIRCOM_O2_PER_LEVEL * depth
    details = {
        "depth": depth,
        "constraints": compiled.n_constraints,
        "wires": compiled.r1cs.n_wires,
        "constraints_by_part": dict(parts),
        "circom_o2_constraints_same_statement": circom,
        "solve_with_check_ms": round(generate + check, 2),
        "check_ms": round(check, 2),
        "compile_ms": round(compile_ms, 1),
    }
    return BenchResult(
        "witness_ticket", compiled.n_constraints, generate, generate * 1e6 / compiled.n_constraints,
        details=details,
    )  # fmt: skip
