"""Combining Groth16 verification: concurrent scans share one verify_batch.

Requests run in a thread pool, so under load many scans wait on a pairing at once. A caller
of `ProofBatcher.check` validates its own item (in its own thread, like verify would), then
queues it. If no batch is running it becomes the leader: it takes everything queued at that
moment (itself included, at most `max_batch`) and checks it with one `verify_batch_checked`
(K + 3 Miller loops and one final exponentiation instead of 3K and K). Callers that arrive
meanwhile wait for their answer; when the leader is done it hands the leadership to the oldest
waiter, which runs the next batch. A lone caller never waits: a batch of one is plain verify.

Answers are exactly verify's (False where verify raises a zkcore error or ValueError): a
batch that fails is split in halves until the bad members are found, and every single item
is decided by verify itself. Cost bound: with b bad members among K, at most
1 + 2b * ceil(log2 K) checks, each on at most half the previous group (a passing left half
means the right half holds a bad member, so it is split without being checked whole).
Gathering: a leader that knows of scans on their way (announced with `expecting()`, which the
gate's pipeline enters before its first read) waits up to `gather_s` for them to queue, so
that under load the batches grow instead of running one item at a time (a batch of 4 costs
about 0.6x four single checks). It never waits for scans nobody announced: an idle gate's
lone scan goes straight to its pairing.
Malformed items never enter a batch. Any other exception in a batch falls back to verifying
its items one by one; an item whose own verify raises gets that exception in its caller.

Wiring (the lead's part; one batcher per app process, next to the prepared key):
    engine.batcher = ProofBatcher(engine.pvk, max_batch=16)     # in api/engine.py
    return engine.batcher.check(inputs, token.checked_proof)     # in verification._proof_ok
(a decoded token's CheckedProof: its points were validated while decoding; a Proof works too)
check() already returns False for malformed input, so _proof_ok's try/except may stay or go.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from zkcore import errors as zk_errors
from zkcore.groth16 import PreparedVerifyingKey, Proof
from zkcore.groth16.checked import CheckedProof
from zkcore.groth16.verify import CheckedItem, check_item, verify_batch_checked, verify_checked


@dataclass
class BatchStats:
    """What the batcher did (for tests and metrics); written by the current leader only."""

    checks: int = 0  # items that reached a batch (well-formed ones)
    batches: int = 0  # verify_batch_checked calls on two or more items
    singles: int = 0  # verify_checked calls
    largest: int = 0  # the largest batch taken from the queue


class _Pending:
    """One queued item and the slot for its answer."""

    __slots__ = ("item", "done", "lead", "ok", "error")

    def __init__(self, item: CheckedItem, done: threading.Event | None = None) -> None:
        self.item = item
        # set by the leader when the answer (or the leadership) is ready; only callers that
        # wait get one, so a lone caller, which leads at once, allocates no Event
        self.done = done
        self.lead = False  # set with `done` when this waiter must run the next batch
        self.ok: bool | None = None
        self.error: BaseException | None = None

    def answer(self) -> bool:
        if self.error is not None:
            raise self.error
        assert self.ok is not None
        return self.ok


class ProofBatcher:
    """Thread-safe verify() that combines concurrent calls into verify_batch calls."""

    def __init__(
        self, pvk: PreparedVerifyingKey, max_batch: int = 16, gather_s: float = 0.003
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        if gather_s < 0:
            raise ValueError("gather_s must not be negative")
        self.pvk = pvk
        self.max_batch = max_batch
        self.gather_s = gather_s
        self.stats = BatchStats()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # an item queued or a scan withdrew
        self._queue: list[_Pending] = []
        self._running = False  # a leader is working; new callers queue for its successor
        self._coming = 0  # announced scans (expecting()) that have not called check() yet
        self._local = threading.local()

    @contextmanager
    def expecting(self) -> Iterator[None]:
        """Announce that this thread may soon call check(): a leader waits for it (at most
        gather_s). Leaving without having called check() withdraws the announcement."""
        with self._lock:
            self._coming += 1
        self._local.announced = True
        try:
            yield
        finally:
            if self._local.announced:
                self._local.announced = False
                with self._lock:
                    self._coming -= 1
                    self._changed.notify_all()

    def check(self, inputs: Sequence[int], proof: Proof | CheckedProof) -> bool:
        """verify(pvk, inputs, proof), False for malformed input, batched with other callers.
        A CheckedProof (a decoded token's) skips the point checks it has already passed."""
        try:
            # validated here, in parallel across callers, so a bad point never poisons a batch
            pending = _Pending(check_item(self.pvk, inputs, proof))
        except (zk_errors.ZKCoreError, ValueError):
            return False
        with self._lock:
            if getattr(self._local, "announced", False):
                self._local.announced = False
                self._coming -= 1
            self._queue.append(pending)
            self._changed.notify_all()
            lead = not self._running
            if not lead:
                pending.done = threading.Event()
            self._running = True
        if pending.done is not None:
            pending.done.wait()  # the leader always sets it (see _lead's finally)
            lead = pending.lead
        if lead:
            self._lead()  # our item is first in the queue, so this settles it
        return pending.answer()

    def _lead(self) -> None:
        """Settle one batch from the head of the queue, then pass the leadership on."""
        batch: list[_Pending] = []
        try:
            with self._lock:
                self._gather()
                batch = self._queue[: self.max_batch]
                del self._queue[: len(batch)]
            self.stats.checks += len(batch)
            self.stats.largest = max(self.stats.largest, len(batch))
            self._settle(batch, known_bad=False)
        finally:
            for p in batch:
                if p.ok is None and p.error is None:  # only if _settle itself blew up
                    p.error = RuntimeError("proof batch aborted")
            with self._lock:
                successor = self._queue[0] if self._queue else None
                self._running = successor is not None
            for p in batch:
                if p.done is not None:  # None: the leader's own item, nobody waits on it
                    p.done.set()
            if successor is not None:
                successor.lead = True
                assert successor.done is not None  # queued behind a leader: it waits
                successor.done.set()

    def _gather(self) -> None:
        """Wait (lock held) while announced scans may still join a batch that has room."""
        deadline = time.monotonic() + self.gather_s
        while self._coming > 0 and len(self._queue) < self.max_batch:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._changed.wait(remaining):
                return

    def _settle(self, group: list[_Pending], known_bad: bool) -> None:
        """Set every member's answer; known_bad: a check already showed a bad member here."""
        if len(group) == 1:
            self._single(group[0])
            return
        if not known_bad and self._batch_ok(group):
            for p in group:
                p.ok = True
            return
        half = len(group) // 2
        left, right = group[:half], group[half:]
        self._settle(left, known_bad=False)
        # the group fails and its left half passed: the bad member is on the right
        self._settle(right, known_bad=all(p.ok for p in left))

    def _batch_ok(self, group: list[_Pending]) -> bool:
        """One verify_batch_checked; False (so the group is split) if it raises."""
        self.stats.batches += 1
        try:
            return verify_batch_checked(self.pvk, [p.item for p in group], threads=1)
        except Exception:
            # well-formed items cannot make it raise; if it does anyway, split down to
            # verify_checked, whose answer or exception belongs to one caller
            return False

    def _single(self, p: _Pending) -> None:
        """Decide one item by verify itself: the answer is exact, never a batch's."""
        self.stats.singles += 1
        try:
            p.ok = verify_checked(self.pvk, p.item)
        except (zk_errors.ZKCoreError, ValueError):
            p.ok = False
        except Exception as exc:
            p.error = exc
