"""GET /circuit: the published statement and verification key, made once and reused."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.services.circuit import PUBLIC_INPUTS, ensure_circuit_keys, key_paths
from circuits.ticket import TicketCircuit
from zkcore.formats import snarkjs_json, zkey

API = "/v1/api/ticketking"


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    """SQLite settings with a depth-3 tree, so the circuit's setup takes a second."""
    return Settings(data_dir=tmp_path / "data", merkle_depth=3, secret_key="A" * 43 + "=")


def test_circuit_is_published_without_a_key(small: Settings) -> None:
    with TestClient(create_app(small)) as client:
        r = client.get(f"{API}/circuit")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == "ticketing" and body["merkle_depth"] == 3
    assert body["public_inputs"] == PUBLIC_INPUTS
    assert body["constraints"] == TicketCircuit(3).compile().r1cs.n_constraints
    _, vk_path, _ = key_paths(small)
    assert body["verification_key_sha256"] == hashlib.sha256(vk_path.read_bytes()).hexdigest()
    vk = snarkjs_json.vk_from_json(body["verification_key"])  # a valid snarkjs key
    assert vk.n_public == 7


def test_keys_are_made_once_and_reused(small: Settings) -> None:
    first = ensure_circuit_keys(small)
    zkey_path, vk_path, _ = key_paths(small)
    stamp = (zkey_path.stat().st_mtime_ns, vk_path.stat().st_mtime_ns)
    again = ensure_circuit_keys(small)
    assert again == first
    assert (zkey_path.stat().st_mtime_ns, vk_path.stat().st_mtime_ns) == stamp
    pk = zkey.read_zkey(zkey_path)  # the proving key matches the published one
    assert snarkjs_json.vk_to_json(pk.vk) == json.loads(vk_path.read_text())


def test_damaged_key_is_refused_not_replaced(small: Settings) -> None:
    ensure_circuit_keys(small)
    _, vk_path, _ = key_paths(small)
    vk = json.loads(vk_path.read_text())
    vk["IC"][1] = ["1", "3", "1"]  # off the curve
    vk_path.write_text(json.dumps(vk))
    with pytest.raises(RuntimeError, match="damaged"):
        ensure_circuit_keys(small)
    with TestClient(create_app(small)) as client:
        r = client.get(f"{API}/circuit")
    assert r.status_code == 503 and r.json()["error"]["code"] == "circuit_unavailable"
