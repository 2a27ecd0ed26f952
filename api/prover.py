"""The prover pool: worker processes that keep the ticketing circuit and its proving key loaded.

Proving is CPU-bound (about 130-250 ms at depth 20), so it runs in separate processes: the
event loop awaits a future and never blocks on a proof, and the API process stays free to
verify. Each worker compiles the circuit and reads the `.zkey` once, in its initializer, then
proves with one thread (the pool, not the MSM, uses the cores). Workers are started with
`spawn`: forking a process that holds database connections and threads is not safe.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from api.parent_watch import when_orphaned
from zkcore.groth16.keys import Proof

# Set in each worker process by _init_worker.
_WORKER: dict[str, Any] = {}


class ProverUnavailable(RuntimeError):
    """The pool could not prove (its workers died, or it is shut down)."""


def _init_worker(owner: int, zkey_path: str, depth: int) -> None:
    from circuits.ticket import TicketCircuit
    from zkcore.formats.zkey import read_zkey

    # A killed API worker cannot shut its pool down, and a prover blocked on the pool's queue
    # never notices (it holds that queue's write end itself): without this, every replaced
    # worker would leave its provers, and their proving keys, behind.
    when_orphaned(owner, lambda: os._exit(0))
    _WORKER["circuit"] = TicketCircuit(depth).compile()
    _WORKER["pk"] = read_zkey(zkey_path)


def _prove(inputs: dict[str, Any]) -> Proof:
    from zkcore.field import Fr
    from zkcore.groth16 import prove

    # solve() checks every constraint: inconsistent inputs fail here, not as a bad proof.
    witness = _WORKER["circuit"].solve(inputs)
    return prove(_WORKER["pk"], Fr.array(witness), 1)


def _ready() -> int:
    return os.getpid()


def default_workers() -> int:
    """One prover per core."""
    return max(1, os.cpu_count() or 1)


class ProverPool:
    """A pool of `workers` prover processes for one circuit depth and proving key."""

    def __init__(self, zkey_path: Path, depth: int, workers: int | None = None) -> None:
        self.zkey_path = Path(zkey_path)
        self.depth = depth
        self.workers = workers or default_workers()
        self._executor: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the workers and ask each to load the key, without waiting for them."""
        if self._executor is not None:
            return
        self._executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.getpid(), str(self.zkey_path), self.depth),
        )
        # The executor starts processes as work arrives: give each one a trivial task now.
        self._warm: list[Future[int]] = [self._executor.submit(_ready) for _ in range(self.workers)]

    def warm_up(self, timeout: float | None = None) -> None:
        """Block until every worker has loaded the circuit and the key."""
        self.start()
        for future in self._warm:
            future.result(timeout=timeout)

    async def prove(self, inputs: dict[str, Any]) -> Proof:
        """A proof for the circuit inputs, computed in a worker process."""
        self.start()
        assert self._executor is not None
        try:
            future = self._executor.submit(_prove, inputs)
        except (BrokenProcessPool, RuntimeError) as exc:
            raise ProverUnavailable(f"the prover pool cannot take work: {exc}") from None
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            # A worker died (killed, out of memory): start a fresh pool for the next request.
            self._executor = None
            raise ProverUnavailable(f"a prover worker died: {exc}") from None

    def close(self) -> None:
        """Stop the workers (pending proofs are cancelled)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
