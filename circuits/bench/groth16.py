"""Groth16 benchmarks on the ticketing circuit: setup, prove, verify, verify_batch."""

from __future__ import annotations

import functools
import time
import warnings
from typing import Any

from zkcore.bench import BenchOptions, BenchResult, benchmark, median_ms


@functools.cache
def _ticket(depth: int) -> tuple[Any, list[int]]:
    """The compiled ticketing circuit at `depth` and a valid witness (cached per run)."""
    from circuits.ticket import TicketCircuit

    compiled = TicketCircuit(depth).compile()
    return compiled, compiled.solve(_inputs(depth))


@functools.cache
def _keys(depth: int) -> tuple[Any, Any, float]:
    """(pk, vk, setup_ms) for the ticketing circuit; a deterministic (test-only) setup."""
    from zkcore.groth16 import setup_insecure_deterministic

    compiled, _ = _ticket(depth)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pk, vk = setup_insecure_deterministic(compiled.r1cs, "bench")
    return pk, vk, (time.perf_counter() - start) * 1e3


def _depth(opts: BenchOptions) -> int:
    return int(opts.extra.get("depth", 20))


@benchmark("setup_ticket", "Groth16 setup of the ticketing circuit (depth 20; --param depth=N)")
def setup_ticket(opts: BenchOptions) -> BenchResult:
    depth = _depth(opts)
    compiled, _ = _ticket(depth)
    pk, _, ms = _keys(depth)
    details = {
        "depth": depth,
        "constraints": compiled.n_constraints,
        "wires": compiled.r1cs.n_wires,
        "domain_size": pk.domain_size,
        "g1_points": 3 * pk.n_vars + pk.domain_size,
        "g2_points": pk.n_vars,
    }
    return BenchResult("setup_ticket", compiled.n_constraints, ms, None, details=details)


@benchmark(
    "prove_ticket",
    "Groth16 proof of the ticketing circuit (depth 20, key in memory; witness, QAP, NTT, MSM "
    "split in details; --threads)",
)
def prove_ticket(opts: BenchOptions) -> BenchResult:
    from zkcore.groth16 import prove_timed, public_signals, verify

    depth = _depth(opts)
    compiled, witness = _ticket(depth)
    pk, vk, _ = _keys(depth)
    from zkcore.field import Fr

    w = Fr.array(witness)
    proof, _ = prove_timed(pk, w, opts.threads)
    assert verify(vk, public_signals(pk, w), proof)
    runs: list[dict[str, float]] = []
    total = median_ms(lambda: runs.append(prove_timed(pk, w, opts.threads)[1]), opts.repeat)
    witness_ms = median_ms(lambda: compiled.witness(_inputs(depth)), max(1, opts.repeat // 2))
    parts = {k: round(sorted(r[k] for r in runs)[len(runs) // 2], 2) for k in runs[0]}
    details = {
        "depth": depth,
        "constraints": compiled.n_constraints,
        "domain_size": pk.domain_size,
        "witness_generation_ms": round(witness_ms, 2),
        **parts,
        "target_ms": 150,
    }
    return BenchResult("prove_ticket", compiled.n_constraints, total, None, details=details)


@functools.cache
def _inputs(depth: int) -> dict[str, Any]:
    from circuits.ticket import example_inputs

    return example_inputs(depth)


def _proofs(depth: int, count: int) -> tuple[Any, list[tuple[list[int], Any]]]:
    from zkcore.groth16 import prepare_verifying_key, prove, public_signals

    _, witness = _ticket(depth)
    pk, vk, _ = _keys(depth)
    pub = public_signals(pk, witness)
    proof = prove(pk, witness)
    # distinct proofs are not needed for timing; re-randomising costs a prove each
    return prepare_verifying_key(vk), [(pub, proof)] * count


@benchmark("verify", "one Groth16 verification (ticketing circuit's key, prepared; 7 inputs)")
def verify_one(opts: BenchOptions) -> BenchResult:
    from zkcore.groth16 import verify

    depth = int(opts.extra.get("depth", 4))
    pvk, items = _proofs(depth, 1)
    pub, proof = items[0]
    ms = median_ms(lambda: verify(pvk, pub, proof), max(opts.repeat, 21))
    return BenchResult("verify", 1, ms, ms * 1e6, details={"target_ms": 1.5})


@benchmark("verify_batch", "verify_batch of --count K proofs (default 64) under one key")
def verify_batch_bench(opts: BenchOptions) -> BenchResult:
    from zkcore.groth16 import verify, verify_batch

    count = opts.count or 64
    depth = int(opts.extra.get("depth", 4))
    pvk, items = _proofs(depth, count)
    assert verify_batch(pvk, items, opts.threads)
    ms = median_ms(lambda: verify_batch(pvk, items, opts.threads), opts.repeat)
    single = median_ms(lambda: verify(pvk, *items[0]), 11)
    return BenchResult(
        "verify_batch",
        count,
        ms,
        ms * 1e6 / count,
        f"{count} x verify()",
        single * count,
        {"per_proof_ms": round(ms / count, 4), "target_per_proof_ms": 0.6},
    )
