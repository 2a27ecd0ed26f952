"""ProofBatcher: every answer equals plain verify's, under concurrency, forgeries, malformed
items and a failing batch verifier; batches really form; a lone call is plain verify."""

from __future__ import annotations

import dataclasses
import random
import threading
import time
import types
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from api.services import proof_batcher
from api.services.proof_batcher import ProofBatcher, _Pending
from tests.zkcore.groth16.helpers import cube
from zkcore import errors
from zkcore.curve import G1, P
from zkcore.field import Fr
from zkcore.groth16 import PreparedVerifyingKey, Proof, prepare_verifying_key, prove, verify
from zkcore.groth16.checked import check_proof_points
from zkcore.groth16.verify import check_item

R = Fr.modulus
Item = tuple[Any, Any]


@cache
def _setup() -> tuple[PreparedVerifyingKey, list[Item]]:
    """The cube circuit's prepared key and valid (inputs, proof) for x = 2..9."""
    c, pk, vk = cube()
    valid = [
        ([x**3 + x + 5], prove(pk, c.solve({"out": x**3 + x + 5, "x": x}))) for x in range(2, 10)
    ]
    return prepare_verifying_key(vk), valid


def _mixed() -> list[Item]:
    """Valid items, forgeries (well-formed, verify says False) and malformed ones."""
    _, valid = _setup()
    (x0, p0), (x1, p1) = valid[0], valid[1]
    forged: list[Item] = [
        (x1, p0),  # valid for other inputs
        (x0, dataclasses.replace(p0, a=G1.double(p0.a))),
        (x0, dataclasses.replace(p0, c=G1.add(p0.c, G1.generator))),
        (x0, dataclasses.replace(p0, b=p1.b)),
        (x0, dataclasses.replace(p0, b=None)),  # infinity: well formed, rejected
    ]
    malformed: list[Item] = [
        (x0, dataclasses.replace(p0, a=(p0.a[0], (p0.a[1] + 1) % P))),  # off the curve
        ([x0[0] + R], p0),  # non-canonical input
        ([], p0),  # wrong arity
        (x0, "not a proof"),
        (x0, dataclasses.replace(p0, b=(p0.b[0], p0.b[0]))),
    ]
    return valid + forged + malformed


def _expected(pvk: PreparedVerifyingKey, item: Item) -> bool:
    try:
        return verify(pvk, item[0], item[1])
    except (errors.ZKCoreError, ValueError):
        return False


def _hammer(
    batcher: ProofBatcher, items: list[Item], threads: int = 16, rounds: int = 3
) -> list[tuple[int, bool]]:
    """Each thread checks every item `rounds` times in its own order, all starting together."""
    out: list[tuple[int, bool]] = []
    failures: list[BaseException] = []
    start = threading.Barrier(threads)

    def run(seed: int) -> None:
        order = list(range(len(items))) * rounds
        random.Random(seed).shuffle(order)
        start.wait()
        try:
            out.extend((i, batcher.check(*items[i])) for i in order)
        except BaseException as exc:  # surfaced below, not lost in the thread
            failures.append(exc)

    workers = [threading.Thread(target=run, args=(s,)) for s in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert not failures
    assert not any(w.is_alive() for w in workers)
    return out


def _slowed(fn: Callable[..., Any]) -> Callable[..., Any]:
    """fn after a short sleep, so callers pile up behind the leader and batches form."""

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.002)
        return fn(*args, **kwargs)

    return slow


def test_lone_call_is_plain_verify() -> None:
    pvk, valid = _setup()
    batcher = ProofBatcher(pvk)
    assert batcher.check(*valid[0])
    assert not batcher.check(valid[1][0], valid[0][1])
    assert not batcher.check([valid[0][0][0] + R], valid[0][1])  # malformed: never queued
    assert (batcher.stats.batches, batcher.stats.singles, batcher.stats.checks) == (0, 2, 2)
    assert not batcher._running and not batcher._queue


def test_lone_call_allocates_no_event(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[threading.Event] = []

    class CountingEvent(threading.Event):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    shim = types.SimpleNamespace(
        Event=CountingEvent,
        Lock=threading.Lock,
        Condition=threading.Condition,
        local=threading.local,
    )
    monkeypatch.setattr(proof_batcher, "threading", shim)
    pvk, valid = _setup()
    batcher = ProofBatcher(pvk)
    assert batcher.check(*valid[0]) and not batcher.check(valid[1][0], valid[0][1])
    assert made == []  # only callers that queue behind a leader wait on an Event
    assert not batcher._running and not batcher._queue


def test_checked_proofs_answer_like_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoded tokens hand the batcher CheckedProofs: the same answers, alone and batched."""
    pvk, _ = _setup()
    items: list[Item] = []
    for inputs, proof in _mixed():
        try:
            items.append((inputs, check_proof_points(proof)))
        except (errors.ZKCoreError, ValueError):
            items.append((inputs, proof))  # malformed: stays a Proof (or not a proof at all)
    expected = [_expected(pvk, it) for it in _mixed()]
    lone = ProofBatcher(pvk)
    assert [lone.check(*it) for it in items] == expected
    monkeypatch.setattr(proof_batcher, "verify_checked", _slowed(proof_batcher.verify_checked))
    batcher = ProofBatcher(pvk, max_batch=8)
    answers = _hammer(batcher, items, threads=8, rounds=2)
    assert all(ok == expected[i] for i, ok in answers)
    assert batcher.stats.batches >= 1


def test_concurrent_mix_equals_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    pvk, _ = _setup()
    items = _mixed()
    expected = [_expected(pvk, it) for it in items]
    assert expected.count(True) == 8 and expected.count(False) == 10
    monkeypatch.setattr(proof_batcher, "verify_checked", _slowed(proof_batcher.verify_checked))
    batcher = ProofBatcher(pvk, max_batch=8)
    answers = _hammer(batcher, items)
    assert len(answers) == 16 * 3 * len(items)
    assert all(ok == expected[i] for i, ok in answers)
    assert batcher.stats.batches >= 1 and 2 <= batcher.stats.largest <= 8
    assert batcher.stats.checks == 16 * 3 * 13  # the 5 malformed items never reach a batch
    assert not batcher._running and not batcher._queue


def test_failing_batch_verifier_still_answers_everyone(monkeypatch: pytest.MonkeyPatch) -> None:
    pvk, _ = _setup()
    items = _mixed()
    expected = [_expected(pvk, it) for it in items]

    def broken(*args: Any, **kwargs: Any) -> bool:
        time.sleep(0.002)
        raise RuntimeError("batch verifier down")

    monkeypatch.setattr(proof_batcher, "verify_batch_checked", broken)
    batcher = ProofBatcher(pvk)
    answers = _hammer(batcher, items, threads=8, rounds=2)
    assert all(ok == expected[i] for i, ok in answers)
    assert batcher.stats.batches >= 1  # it was tried and fell back to verify per item


def test_unexpected_error_reaches_only_its_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    pvk, valid = _setup()
    doomed = valid[3][0]
    real = proof_batcher.verify_checked

    def flaky(pvk_: PreparedVerifyingKey, item: Any) -> bool:
        time.sleep(0.002)
        if item.inputs == doomed:
            raise RuntimeError("boom")
        return real(pvk_, item)

    monkeypatch.setattr(proof_batcher, "verify_checked", flaky)
    monkeypatch.setattr(proof_batcher, "verify_batch_checked", lambda *a, **k: False)
    batcher = ProofBatcher(pvk)
    results: dict[int, object] = {}

    def run(i: int) -> None:
        try:
            results[i] = batcher.check(*valid[i])
        except RuntimeError as exc:
            results[i] = exc

    workers = [threading.Thread(target=run, args=(i,)) for i in range(len(valid))]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)
    assert isinstance(results.pop(3), RuntimeError)
    assert results == {i: True for i in range(len(valid)) if i != 3}


def test_bisection_cost_bound() -> None:
    pvk, valid = _setup()
    for bad_at in (0, 5, 7):
        batcher = ProofBatcher(pvk)
        items = list(valid)
        items[bad_at] = (valid[(bad_at + 1) % 8][0], valid[bad_at][1])
        pending = [_Pending(check_item(pvk, *it), threading.Event()) for it in items]
        batcher._queue, batcher._running = list(pending), True
        batcher._lead()  # settles the 8 queued items as one batch
        assert [p.ok for p in pending] == [i != bad_at for i in range(8)]
        assert all(p.done.is_set() for p in pending) and not batcher._running
        s = batcher.stats
        assert (s.checks, s.largest) == (8, 8)
        assert s.batches + s.singles <= 1 + 2 * 3  # 1 + 2b ceil(log2 K), b = 1, K = 8


def test_max_batch_must_be_positive() -> None:
    pvk, _ = _setup()
    with pytest.raises(ValueError):
        ProofBatcher(pvk, max_batch=0)
    with pytest.raises(ValueError):
        ProofBatcher(pvk, gather_s=-1)
    assert isinstance(_setup()[1][0][1], Proof)


def _announced_scans(batcher: ProofBatcher, items: list[Item], lag_s: float) -> list[bool]:
    """One thread per item: announce, then call check() after i * lag_s (like a gate's
    reads before the pairing); answers in item order."""
    answers: list[bool] = [False] * len(items)
    announced = threading.Barrier(len(items))

    def scan(i: int) -> None:
        with batcher.expecting():
            announced.wait()
            time.sleep(i * lag_s)
            answers[i] = batcher.check(*items[i])

    workers = [threading.Thread(target=scan, args=(i,)) for i in range(len(items))]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)
    assert not any(w.is_alive() for w in workers)
    return answers


def test_leader_gathers_announced_scans() -> None:
    pvk, valid = _setup()
    items = valid[:4] + [(valid[5][0], valid[4][1])]  # one forgery among them
    batcher = ProofBatcher(pvk, gather_s=5.0)  # long enough to never expire here
    answers = _announced_scans(batcher, items, lag_s=0.02)
    assert answers == [True] * 4 + [False]
    # the first to arrive waited for the other four: one batch of five, bisected for the bad one
    assert batcher.stats.largest == 5
    assert batcher._coming == 0 and not batcher._running and not batcher._queue


def test_gathering_stops_at_the_deadline_and_on_withdrawal() -> None:
    pvk, valid = _setup()
    batcher = ProofBatcher(pvk, gather_s=0.05)
    withdrawn, entered = threading.Event(), threading.Event()

    def rejected_early() -> None:
        with batcher.expecting():  # announced, then answered without a pairing
            entered.set()
            withdrawn.wait(timeout=10)

    other = threading.Thread(target=rejected_early)
    other.start()
    assert entered.wait(timeout=10)
    start = time.monotonic()
    assert batcher.check(*valid[0])  # unannounced itself, but one scan is on its way
    waited = time.monotonic() - start
    withdrawn.set()
    other.join(timeout=10)
    assert 0.05 <= waited < 5  # waited for the announced scan, until the deadline
    assert batcher._coming == 0
    # a withdrawal ends a leader's wait at once

    entered.clear()

    def withdraws_soon() -> None:
        with batcher.expecting():
            entered.set()
            time.sleep(0.05)

    batcher.gather_s = 10.0
    other = threading.Thread(target=withdraws_soon)
    other.start()
    assert entered.wait(timeout=10)
    start = time.monotonic()
    assert batcher.check(*valid[1])
    assert 0.01 <= time.monotonic() - start < 5  # not the 10 s deadline: the withdrawal
    other.join(timeout=10)
    assert batcher._coming == 0 and batcher.stats.largest == 1


def test_lone_announced_scan_does_not_wait() -> None:
    pvk, valid = _setup()
    batcher = ProofBatcher(pvk, gather_s=10.0)
    start = time.monotonic()
    with batcher.expecting():
        assert batcher.check(*valid[0])
        assert not batcher.check(valid[1][0], valid[0][1])  # a second check: unannounced
    with batcher.expecting():
        assert not batcher.check([valid[0][0][0] + R], valid[0][1])  # malformed: withdrawn
    assert time.monotonic() - start < 5
    assert batcher._coming == 0
