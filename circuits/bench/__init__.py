"""Benchmarks that need circuits (the ticketing circuit's witness, setup, prove, verify).

They register into `zkcore bench` through the `zkcore.bench` entry point (pyproject.toml),
so the engine stays unaware of tickets: zkcore loads whatever plugins are installed.
"""

from circuits.bench import groth16, witness

__all__ = ["groth16", "witness"]
