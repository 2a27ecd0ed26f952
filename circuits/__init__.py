"""Circuits for TicketKing's engine: the DSL (`circuits.dsl`) and gadgets (`circuits.gadgets`)."""

from circuits.dsl import (
    API,
    LC,
    Circuit,
    CircuitError,
    CompiledCircuit,
    Output,
    Private,
    Public,
    Signal,
    SolveError,
    UnsatisfiedError,
    compile_circuit,
    gadget,
)

__all__ = [
    "API",
    "LC",
    "Circuit",
    "CircuitError",
    "CompiledCircuit",
    "Output",
    "Private",
    "Public",
    "Signal",
    "SolveError",
    "UnsatisfiedError",
    "compile_circuit",
    "gadget",
]
