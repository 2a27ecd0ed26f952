"""The ticketing circuit's Groth16 keys: made once per Merkle depth in the data dir, reused after.

Files under `<data_dir>/circuits/`: `ticketing-d<depth>.zkey` (the proving key, iden3 format),
`ticketing-d<depth>.vk.json` (snarkjs's verification key) and `.meta.json` (counts). They are
written to temporary names and renamed, so a crash never leaves a half-written key in place.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.config import Settings

CIRCUIT_ID = "ticketing"
CIRCUIT_NAME = "TicketKing ticket validity"
PUBLIC_INPUTS = ["root", "event_id", "scope", "nullifier", "now", "tier", "token_binding"]


@dataclass(frozen=True)
class CircuitKeys:
    """What the service publishes about its circuit, plus where the proving key lives."""

    depth: int
    constraints: int
    zkey_path: Path
    vk_json: dict[str, Any]
    vk_sha256: str


def key_paths(settings: Settings) -> tuple[Path, Path, Path]:
    """(zkey, vk JSON, meta JSON) paths for the configured depth."""
    directory = settings.circuits_dir or settings.data_dir / "circuits"
    base = directory / f"{CIRCUIT_ID}-d{settings.merkle_depth}"
    return base.with_suffix(".zkey"), base.with_suffix(".vk.json"), base.with_suffix(".meta.json")


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _make_keys(settings: Settings, progress: bool) -> None:
    # Imported here: compiling and setting up are needed once per depth, not on every start.
    from circuits.ticket import TicketCircuit
    from zkcore.formats import snarkjs_json, zkey
    from zkcore.groth16 import setup

    zkey_path, vk_path, meta_path = key_paths(settings)
    zkey_path.parent.mkdir(parents=True, exist_ok=True)
    r1cs = TicketCircuit(settings.merkle_depth).compile().r1cs
    pk, vk = setup(r1cs, progress=progress)
    _write_atomically(zkey_path, zkey.dumps(pk))
    meta = {"depth": settings.merkle_depth, "constraints": r1cs.n_constraints}
    _write_atomically(meta_path, json.dumps(meta).encode())
    # the vk last: its presence says the set is complete
    _write_atomically(vk_path, json.dumps(snarkjs_json.vk_to_json(vk), indent=1).encode())


def circuit_keys_exist(settings: Settings) -> bool:
    """Whether the key set for the configured depth was made already."""
    return all(path.exists() for path in key_paths(settings))


def ensure_circuit_keys(settings: Settings, *, progress: bool = False) -> CircuitKeys:
    """Load the keys for the configured depth, making them first if they do not exist yet.

    The verification key is validated on load (curve, subgroup, counts); a damaged file is a
    RuntimeError naming it, never a silently different key.
    """
    from zkcore import errors
    from zkcore.formats import snarkjs_json

    zkey_path, vk_path, meta_path = key_paths(settings)
    if not circuit_keys_exist(settings):
        if progress:
            print(
                f"Making the ticketing circuit's keys (depth {settings.merkle_depth}), once...",
                flush=True,
            )
        _make_keys(settings, progress)
    raw = vk_path.read_bytes()
    try:
        vk_json = json.loads(raw)
        vk = snarkjs_json.vk_from_json(vk_json)
        meta = json.loads(meta_path.read_bytes())
    except (ValueError, errors.ZKCoreError) as exc:
        raise RuntimeError(f"the circuit key files in {vk_path.parent} are damaged: {exc}") from exc
    if vk.n_public != len(PUBLIC_INPUTS) or meta.get("depth") != settings.merkle_depth:
        raise RuntimeError(
            f"{vk_path} does not belong to the depth-{settings.merkle_depth} ticketing circuit"
        )
    return CircuitKeys(
        depth=settings.merkle_depth,
        constraints=int(meta["constraints"]),
        zkey_path=zkey_path,
        vk_json=vk_json,
        vk_sha256=hashlib.sha256(raw).hexdigest(),
    )
