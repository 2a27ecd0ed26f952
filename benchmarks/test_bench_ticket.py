"""pytest-benchmark: the ticketing circuit's witness at depth 20 (zkcore bench witness_ticket).

python3 -m pytest benchmarks/test_bench_ticket.py --benchmark-only
"""

from __future__ import annotations

from typing import Any

import pytest

from circuits.dsl import CompiledCircuit
from circuits.ticket import MerkleTree, TicketCircuit, TicketWitnessInputs, ticket_inputs

TICKET = TicketWitnessInputs(
    holder_secret=0x5EC12E7, ticket_salt=0xA11CE, event_id=4242, tier=2,
    not_before=1_760_000_000, not_after=1_760_086_400, scope=4242, now=1_760_050_000,
    token_binding=77,
)  # fmt: skip


@pytest.fixture(scope="module")
def ticket_20() -> tuple[CompiledCircuit, dict[str, Any]]:
    compiled = TicketCircuit(20).compile()
    tree = MerkleTree(20, [11, 22, TICKET.leaf(), 44])
    return compiled, dict(ticket_inputs(TICKET, *tree.proof(2)))


def test_witness_ticket_depth_20(benchmark: Any, ticket_20: Any) -> None:
    compiled, values = ticket_20
    benchmark(compiled.witness, values)


def test_solve_ticket_depth_20(benchmark: Any, ticket_20: Any) -> None:
    """Witness and the full constraint check, as the prover service runs it."""
    compiled, values = ticket_20
    benchmark(compiled.solve, values)
