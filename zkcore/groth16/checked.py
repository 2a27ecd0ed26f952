"""A Groth16 proof whose points already passed every check verify makes, kept as C words.

The verifier needs A and C as affine Montgomery G1 words and B as G2 words. A `Proof` holds
Python ints, so each verify converts and validates them; a `CheckedProof` is that result,
made once (from a Proof, or straight from compressed bytes in one pass of C) and then handed
to check_item without another conversion. Only this module's constructors make one, so
holding a CheckedProof means its points are canonical, on their curves and (B) in the
order-r subgroup: the subgroup check has run exactly once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zkcore import errors
from zkcore._native import FP
from zkcore._native import curve as _cc
from zkcore._native import decompress as _dc
from zkcore._native import field as _field
from zkcore.curve import G1, G2
from zkcore.field import Fp
from zkcore.groth16.keys import Proof

PROOF_COMPRESSED_BYTES = 128  # A (32) || B (64) || C (32), zkcore.encoding's compressed forms
_SEAL = object()


class CheckedProof:
    """A, C as (2, 8) and B as (1, 16) validated affine Montgomery words (read-only);
    all-zero rows are infinity (well-formed, and such a proof never verifies)."""

    __slots__ = ("ac", "b")
    ac: np.ndarray
    b: np.ndarray

    def __init__(self, ac: np.ndarray, b: np.ndarray, *, _seal: object = None) -> None:
        if _seal is not _SEAL:
            raise errors.ArgumentError("use check_proof_points or decompress_proof")
        ac.flags.writeable = False
        b.flags.writeable = False
        object.__setattr__(self, "ac", ac)
        object.__setattr__(self, "b", b)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a CheckedProof is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        # unpickling validates again: a pickle is just bytes from somewhere
        return (_from_words, (np.array(self.ac), np.array(self.b)))

    def to_proof(self) -> Proof:
        """The same points as a Proof of canonical ints (None for infinity)."""
        words = np.concatenate([self.ac, self.b], axis=None).reshape(8, 4)
        raw = _field.from_mont(FP, words).tobytes()
        v = [int.from_bytes(raw[i : i + 32], "little") for i in range(0, 256, 32)]
        a = None if not any(v[0:2]) else (v[0], v[1])
        c = None if not any(v[2:4]) else (v[2], v[3])
        b = None if not any(v[4:8]) else ((v[4], v[5]), (v[6], v[7]))
        return Proof(a=a, b=b, c=c)  # type: ignore[arg-type]


def _from_words(ac: np.ndarray, b: np.ndarray) -> CheckedProof:
    """A CheckedProof over words from elsewhere, validated (canonical, curve, subgroup)."""
    ac = _cc._points(np.ascontiguousarray(ac, dtype=np.uint64).reshape(2, 8), "g1", "aff")
    b = _cc._points(np.ascontiguousarray(b, dtype=np.uint64).reshape(1, 16), "g2", "aff")
    for words in (ac, b):
        if not _field.is_canonical(FP, words.reshape(-1, 4)):  # Montgomery words are < p too
            raise errors.NonCanonicalError("a coordinate is not a canonical Montgomery word")
    _cc.validate("g1", ac, subgroup=True, threads=1)
    _cc.validate("g2", b, subgroup=True, threads=1)
    return CheckedProof(ac, b, _seal=_SEAL)


def check_proof_points(proof: Any) -> CheckedProof:
    """A Proof's points validated (coordinates < p, on the curve, B in the subgroup) as words;
    typed errors exactly as verify raised them (ArgumentError, NonCanonical, NotOnCurve,
    NotInSubgroup). A CheckedProof is returned as it is."""
    if isinstance(proof, CheckedProof):
        return proof
    if not isinstance(proof, Proof):
        raise errors.ArgumentError("expected a Proof")
    try:
        flat = G1._flatten(proof.a) + G1._flatten(proof.c) + G2._flatten(proof.b)
        for v in flat:
            if not 0 <= v < Fp.modulus:
                raise errors.NonCanonicalError(f"proof coordinate {v} is not < p")
        words = Fp.array(flat).mont  # one conversion for all eight coordinates
        ac = np.ascontiguousarray(words[:4].reshape(2, 8))
        b = np.ascontiguousarray(words[4:].reshape(1, 16))
        _cc.validate("g1", ac, subgroup=True, threads=1)  # G1's cofactor is 1: curve suffices
        _cc.validate("g2", b, subgroup=True, threads=1)
    except errors.ZKCoreError:
        # a bad proof: the point-by-point path names the same error the verifier always has
        # (A and C before B), even when more than one point is bad
        G1.array([proof.a, proof.c])
        G2.array([proof.b])
        raise
    return CheckedProof(ac, b, _seal=_SEAL)


def decompress_proof(data: bytes) -> CheckedProof:
    """A || B || C compressed (zkcore.encoding's 32 + 64 + 32 bytes) -> a CheckedProof, in two
    C calls that decode and validate (flags, x < p, on the curve, B in the subgroup).

    Raises EncodingError (length, flags), NonCanonicalError, NotOnCurveError or
    NotInSubgroupError; the message names the point ("proof.a", "proof.b", "proof.c").
    Infinity (flag 0x80, every other bit zero) decodes to all-zero words; callers that refuse
    it check the flag bits of the point's first byte.
    """
    if not isinstance(data, bytes) or len(data) != PROOF_COMPRESSED_BYTES:
        raise errors.EncodingError(f"a compressed proof is {PROOF_COMPRESSED_BYTES} bytes")
    try:
        ac = _dc.decompress_array("g1", data[:32] + data[96:])
    except errors.ZKCoreError:
        for name, part in (("proof.a", data[:32]), ("proof.c", data[96:])):
            try:
                _dc.decompress_array("g1", part)
            except errors.ZKCoreError as exc:
                raise type(exc)(f"{name}: {exc}") from None
        raise
    try:
        b = _dc.decompress_array("g2", data[32:96])
    except errors.ZKCoreError as exc:
        raise type(exc)(f"proof.b: {exc}") from None
    return CheckedProof(ac, b, _seal=_SEAL)
