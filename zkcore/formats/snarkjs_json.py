"""snarkjs's Groth16 JSON files: verification_key.json, proof.json and public.json.

Every reader validates fully before returning (protocol, curve, shapes, canonical decimal
strings, points on the curve and in the subgroup, public signals < r) and raises typed errors
from zkcore.errors. Writers produce what `snarkjs groth16 verify` reads (and what
`snarkjs zkey export verificationkey` / `groth16 prove` write).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from zkcore import encoding, errors, pairing
from zkcore.field import Fr
from zkcore.groth16.keys import Proof, VerifyingKey

PROTOCOL = "groth16"
CURVE = "bn128"

PathLike = str | os.PathLike[str]


# ---------------------------------------------------------------- helpers


def _object(obj: Any, what: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise errors.EncodingError(f"{what}: expected a JSON object")
    return obj


def _header(obj: dict[str, Any], what: str) -> None:
    if obj.get("protocol") != PROTOCOL:
        raise errors.EncodingError(
            f"{what}: protocol must be {PROTOCOL!r}, got {obj.get('protocol')!r}"
        )
    curve = obj.get("curve")
    if curve not in (CURVE, "bn254"):
        raise errors.EncodingError(f"{what}: curve must be {CURVE!r}, got {curve!r}")


def _field(obj: dict[str, Any], key: str, what: str) -> Any:
    if key not in obj:
        raise errors.EncodingError(f"{what}: missing {key!r}")
    return obj[key]


def _load(path: PathLike) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.EncodingError(f"{path}: not JSON ({exc})") from None


def _dump(path: PathLike, obj: Any) -> None:
    Path(path).write_text(json.dumps(obj, indent=1) + "\n")


def _list(value: Any, length: int, what: str) -> list[Any]:
    if not isinstance(value, list) or len(value) != length:
        raise errors.EncodingError(f"{what}: expected a list of {length}")
    return value


def fp12_to_json(value: pairing.Fp12) -> list[list[list[str]]]:
    """Fp12 as ffjavascript writes it: [c0, c1] over Fp6, each [3 Fp2], each [re, im]."""
    c = [str(v) for v in value.coeffs]
    return [[[c[6 * h + 2 * j], c[6 * h + 2 * j + 1]] for j in range(3)] for h in range(2)]


# ---------------------------------------------------------------- verification key


def vk_to_json(vk: VerifyingKey) -> dict[str, Any]:
    """A VerifyingKey as snarkjs's verification_key.json object (with vk_alphabeta_12)."""
    return {
        "protocol": PROTOCOL,
        "curve": CURVE,
        "nPublic": vk.n_public,
        "vk_alpha_1": encoding.g1_to_json(vk.alpha_g1),
        "vk_beta_2": encoding.g2_to_json(vk.beta_g2),
        "vk_gamma_2": encoding.g2_to_json(vk.gamma_g2),
        "vk_delta_2": encoding.g2_to_json(vk.delta_g2),
        "vk_alphabeta_12": fp12_to_json(pairing.pairing(vk.alpha_g1, vk.beta_g2)),
        "IC": [encoding.g1_to_json(p) for p in vk.ic],
    }


def vk_from_json(obj: Any) -> VerifyingKey:
    """Parse and validate a verification_key.json object (every point on its curve and in
    the subgroup; vk_alphabeta_12, if present, well-formed)."""
    what = "verification key"
    obj = _object(obj, what)
    _header(obj, what)
    n_public = _field(obj, "nPublic", what)
    if not isinstance(n_public, int) or isinstance(n_public, bool) or n_public < 0:
        raise errors.EncodingError(f"{what}: nPublic must be a non-negative int")
    ic_json = _field(obj, "IC", what)
    if not isinstance(ic_json, list) or len(ic_json) != n_public + 1:
        raise errors.EncodingError(f"{what}: IC must list nPublic + 1 = {n_public + 1} points")
    vk = VerifyingKey(
        alpha_g1=encoding.g1_from_json(_field(obj, "vk_alpha_1", what)),
        beta_g2=encoding.g2_from_json(_field(obj, "vk_beta_2", what)),
        gamma_g2=encoding.g2_from_json(_field(obj, "vk_gamma_2", what)),
        delta_g2=encoding.g2_from_json(_field(obj, "vk_delta_2", what)),
        ic=[encoding.g1_from_json(p) for p in ic_json],
    )
    if "vk_alphabeta_12" in obj:
        ab = obj["vk_alphabeta_12"]
        for half in _list(ab, 2, "vk_alphabeta_12"):
            for pair in _list(half, 3, "vk_alphabeta_12"):
                for v in _list(pair, 2, "vk_alphabeta_12"):
                    encoding.decimal_below(v, pairing.P, "vk_alphabeta_12")
        # Shape and canonical coordinates only: the value snarkjs writes is an element of GT
        # in our tower layout but equals our e(alpha, beta) only for some keys (see
        # docs/groth16.md), and no verifier reads it.
    return vk


def write_vk(path: PathLike, vk: VerifyingKey) -> None:
    """Write verification_key.json."""
    _dump(path, vk_to_json(vk))


def read_vk(path: PathLike) -> VerifyingKey:
    """Read and validate verification_key.json."""
    return vk_from_json(_load(path))


# ---------------------------------------------------------------- proof


def proof_to_json(proof: Proof) -> dict[str, Any]:
    """A Proof as snarkjs's proof.json object."""
    return {
        "pi_a": encoding.g1_to_json(proof.a),
        "pi_b": encoding.g2_to_json(proof.b),
        "pi_c": encoding.g1_to_json(proof.c),
        "protocol": PROTOCOL,
        "curve": CURVE,
    }


def proof_from_json(obj: Any) -> Proof:
    """Parse and validate a proof.json object (points on curve and in the subgroup)."""
    what = "proof"
    obj = _object(obj, what)
    _header(obj, what)
    return Proof(
        a=encoding.g1_from_json(_field(obj, "pi_a", what)),
        b=encoding.g2_from_json(_field(obj, "pi_b", what)),
        c=encoding.g1_from_json(_field(obj, "pi_c", what)),
    )


def write_proof(path: PathLike, proof: Proof) -> None:
    """Write proof.json."""
    _dump(path, proof_to_json(proof))


def read_proof(path: PathLike) -> Proof:
    """Read and validate proof.json."""
    return proof_from_json(_load(path))


# ---------------------------------------------------------------- public signals


def public_to_json(signals: list[int]) -> list[str]:
    """Public signals as snarkjs's public.json list of decimal strings (each < r)."""
    out = []
    for i, v in enumerate(signals):
        if not isinstance(v, int) or isinstance(v, bool):
            raise errors.ArgumentError(f"public signal {i} is not an int")
        if not 0 <= v < Fr.modulus:
            raise errors.NonCanonicalError(f"public signal {i} is not < r")
        out.append(str(v))
    return out


def public_from_json(obj: Any) -> list[int]:
    """Parse public.json: canonical decimal strings, each < r (x + r is rejected)."""
    if not isinstance(obj, list):
        raise errors.EncodingError("public signals: expected a JSON list")
    out = []
    for i, v in enumerate(obj):
        out.append(encoding.decimal_below(v, Fr.modulus, f"public signal {i}"))
    return out


def write_public(path: PathLike, signals: list[int]) -> None:
    """Write public.json."""
    _dump(path, public_to_json(signals))


def read_public(path: PathLike) -> list[int]:
    """Read and validate public.json."""
    return public_from_json(_load(path))
