"""CheckedProof: the same words and answers as the Proof path, py_ecc as the oracle for the
decoded points, the same typed errors for every bad input, and no way to skip the checks."""

from __future__ import annotations

import dataclasses
import pickle
import random
from typing import Any

import numpy as np
import pytest
from py_ecc import optimized_bn128 as ecc

from tests.zkcore.curve_helpers import from_ecc, twist_point_off_subgroup
from tests.zkcore.groth16.helpers import cube
from zkcore import errors
from zkcore.curve import G1, G2, P
from zkcore.encoding import fp_sqrt, g1_compress, g2_compress
from zkcore.field import Fr
from zkcore.groth16 import Proof, prepare_verifying_key, prove, verify
from zkcore.groth16.checked import (
    CheckedProof,
    _from_words,
    check_proof_points,
    decompress_proof,
)
from zkcore.groth16.verify import check_item, verify_batch_checked, verify_checked

R = Fr.modulus


def _compressed(proof: Proof) -> bytes:
    return g1_compress(proof.a) + g2_compress(proof.b) + g1_compress(proof.c)


def _reference_error(proof: Any) -> type[BaseException] | None:
    """What the verifier's point-by-point checks raise for this proof (None: nothing)."""
    try:
        if not isinstance(proof, Proof):
            raise errors.ArgumentError("expected a Proof")
        G1.array([proof.a, proof.c])
        G2.array([proof.b])
    except errors.ZKCoreError as exc:
        return type(exc)
    return None


def _cube_proofs() -> tuple[Any, list[tuple[list[int], Proof]]]:
    c, pk, vk = cube()
    items = [([x**3 + x + 5], prove(pk, c.solve({"out": x**3 + x + 5, "x": x}))) for x in (2, 3)]
    return prepare_verifying_key(vk), items


def _random_proof(rng: random.Random) -> tuple[Proof, Any]:
    """A proof of random subgroup points and the same points from py_ecc (the oracle)."""
    ka, kb, kc = (rng.randrange(1, R) for _ in range(3))
    oracle = (ecc.multiply(ecc.G1, ka), ecc.multiply(ecc.G2, kb), ecc.multiply(ecc.G1, kc))
    proof = Proof(
        a=G1.mul(G1.generator, ka),  # type: ignore[arg-type]
        b=G2.mul(G2.generator, kb),  # type: ignore[arg-type]
        c=G1.mul(G1.generator, kc),  # type: ignore[arg-type]
    )
    return proof, oracle


# ---- equality with the old path and the oracle ----


def test_words_and_ints_match_the_point_arrays_and_py_ecc() -> None:
    rng = random.Random(7)
    for _ in range(3):
        proof, (a, b, c) = _random_proof(rng)
        assert (proof.a, proof.b, proof.c) == (from_ecc(G1, a), from_ecc(G2, b), from_ecc(G1, c))
        for checked in (check_proof_points(proof), decompress_proof(_compressed(proof))):
            assert np.array_equal(checked.ac, G1.array([proof.a, proof.c]).aff)
            assert np.array_equal(checked.b, G2.array([proof.b]).aff)
            assert checked.to_proof() == proof
            assert check_proof_points(checked) is checked


def test_infinity_is_well_formed_and_never_verifies() -> None:
    pvk, [(inputs, proof), _] = _cube_proofs()
    for bad in (dataclasses.replace(proof, a=None), dataclasses.replace(proof, b=None)):
        checked = decompress_proof(_compressed(bad))
        assert checked.to_proof() == bad
        assert np.array_equal(checked.ac, check_proof_points(bad).ac)
        assert not verify(pvk, inputs, checked) and not verify(pvk, inputs, bad)


def test_checked_answers_equal_the_proof_answers() -> None:
    pvk, [(x0, p0), (x1, p1)] = _cube_proofs()
    cases = [
        (x0, p0),
        (x1, p1),
        (x1, p0),  # a valid proof of other inputs
        (x0, dataclasses.replace(p0, b=p1.b)),
        (x0, dataclasses.replace(p0, c=G1.add(p0.c, G1.generator))),  # type: ignore[arg-type]
        (x0, dataclasses.replace(p0, a=G1.double(p0.a))),  # type: ignore[arg-type]
    ]
    answers = [verify(pvk, x, p) for x, p in cases]
    assert answers == [True, True, False, False, False, False]
    for (x, p), expected in zip(cases, answers, strict=True):
        for checked in (check_proof_points(p), decompress_proof(_compressed(p))):
            assert verify(pvk, x, checked) is expected
            assert verify_checked(pvk, check_item(pvk, x, checked)) is expected
    items = [check_item(pvk, x, decompress_proof(_compressed(p))) for x, p in cases[:2]]
    assert verify_batch_checked(pvk, items, threads=1)
    forged = check_item(pvk, x1, decompress_proof(_compressed(p0)))
    assert not verify_batch_checked(pvk, [items[0], forged], threads=1)


# ---- malformed input: the same typed errors ----


def _off_curve_g1(point: Any) -> Any:
    return (point[0], (point[1] + 1) % P)


def test_check_proof_points_raises_what_the_point_arrays_raise() -> None:
    _, [(_, p), _] = _cube_proofs()
    off_twist = (p.b[0], p.b[0])
    off_subgroup = twist_point_off_subgroup(1)
    bads: list[Any] = [
        dataclasses.replace(p, a=_off_curve_g1(p.a)),
        dataclasses.replace(p, c=_off_curve_g1(p.c)),
        dataclasses.replace(p, a=(p.a[0] + P, p.a[1])),  # x + p: the same point mod p
        dataclasses.replace(p, c=(p.c[0], p.c[1] - P)),
        dataclasses.replace(p, a=(0, 0)),
        dataclasses.replace(p, a=(1, 2, 3)),
        dataclasses.replace(p, a=(1.0, 2)),
        dataclasses.replace(p, b=off_twist),
        dataclasses.replace(p, b=off_subgroup),
        dataclasses.replace(p, b=((p.b[0][0] + P, p.b[0][1]), p.b[1])),
        dataclasses.replace(p, b=(1, 2)),
        # two faults: the first in the verifier's order (A and C, then B) names the error
        dataclasses.replace(p, a=_off_curve_g1(p.a), b=(1, 2)),
        dataclasses.replace(p, b=off_subgroup, c=(p.c[0] + P, p.c[1])),
        "not a proof",
        None,
    ]
    for bad in bads:
        expected = _reference_error(bad)
        assert expected is not None, bad
        with pytest.raises(expected):
            check_proof_points(bad)


def _g1_x_off_curve() -> int:
    return next(x for x in range(1, 100) if fp_sqrt((x**3 + 3) % P) is None)


def test_decompress_proof_rejects_every_bad_point() -> None:
    _, [(_, p), _] = _cube_proofs()
    good = _compressed(p)
    (b0, b1), _ = twist_point_off_subgroup(2)  # type: ignore[misc]
    cases = [
        (0, (P + 1).to_bytes(32, "big"), errors.NonCanonicalError, "proof.a"),
        (96, (P + 1).to_bytes(32, "big"), errors.NonCanonicalError, "proof.c"),
        (0, _g1_x_off_curve().to_bytes(32, "big"), errors.NotOnCurveError, "proof.a"),
        (96, _g1_x_off_curve().to_bytes(32, "big"), errors.NotOnCurveError, "proof.c"),
        (32, b1.to_bytes(32, "big") + b0.to_bytes(32, "big"), errors.NotInSubgroupError, "proof.b"),
        (32, (P + 1).to_bytes(32, "big") + bytes(32), errors.NonCanonicalError, "proof.b"),
        (0, b"\x80" + bytes(30) + b"\x01", errors.EncodingError, "proof.a"),
        (96, b"\xa0" + bytes(31), errors.EncodingError, "proof.c"),
    ]
    for at, chunk, error, name in cases:
        data = bytearray(good)
        data[at : at + len(chunk)] = chunk
        with pytest.raises(error, match=name):
            decompress_proof(bytes(data))
    for bad in (good[:-1], good + b"\x00", b"", bytearray(good), "x" * 128):
        with pytest.raises(errors.EncodingError):
            decompress_proof(bad)  # type: ignore[arg-type]


# ---- no way around the checks ----


def test_cannot_be_made_or_changed_without_the_checks() -> None:
    _, [(_, p), _] = _cube_proofs()
    checked = check_proof_points(p)
    with pytest.raises(errors.ArgumentError):
        CheckedProof(np.zeros((2, 8), np.uint64), np.zeros((1, 16), np.uint64))
    with pytest.raises(AttributeError):
        checked.ac = np.zeros((2, 8), np.uint64)  # type: ignore[misc]
    with pytest.raises(ValueError):
        checked.b[0, 0] = 1  # read-only words
    copy = pickle.loads(pickle.dumps(checked))  # unpickling validates again
    assert np.array_equal(copy.ac, checked.ac) and np.array_equal(copy.b, checked.b)
    ac, b = np.array(checked.ac), np.array(checked.b)
    bad_ac = ac.copy()
    bad_ac[0, 4] ^= 1  # A's y changes: off the curve
    with pytest.raises(errors.NotOnCurveError):
        _from_words(bad_ac, b)
    huge = ac.copy()
    huge[1, :4] = np.uint64(2**64 - 1)  # a word >= p
    with pytest.raises(errors.NonCanonicalError):
        _from_words(huge, b)
    off = check_proof_points(dataclasses.replace(p, b=G2.generator))  # a valid B to corrupt
    with pytest.raises(errors.NotInSubgroupError):
        _from_words(ac, G2.array([twist_point_off_subgroup(3)], validate=False).aff)
    assert off.to_proof().b == G2.generator


def test_verify_token_benchmark_runs_and_agrees() -> None:
    from zkcore.bench import BenchOptions, load_all

    result = load_all()["verify_token"](BenchOptions(count=1, repeat=1))
    assert result.n == 1 and result.median_ms > 0 and result.baseline_median_ms
