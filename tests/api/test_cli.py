"""The `ticketking` CLI: init, keys create/revoke (serve is driven in test_server.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main
from api.config import Settings
from tests.api.conftest import API, TEST_DEPTH, auth


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, circuits_dir: Path
) -> Settings:
    # The small circuit whose keys the run made once: `init` then only checks them.
    monkeypatch.setenv("TICKETKING_MERKLE_DEPTH", str(TEST_DEPTH))
    monkeypatch.setenv("TICKETKING_CIRCUITS_DIR", str(circuits_dir))
    monkeypatch.setenv("TICKETKING_PROVER_WORKERS", "1")
    monkeypatch.setenv("TICKETKING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("TICKETKING_SECRET_KEY", raising=False)
    return Settings()


def _last_line(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out.rstrip("\n").splitlines()[-1]


def test_init_prints_one_admin_key_once(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init"]) == 0
    key = _last_line(capsys)
    assert key.startswith("tk_") and " " not in key
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert "tk_" not in out and "exists already" in out
    with TestClient(create_app(env)) as client:
        r = client.post(f"{API}/merchants", json={"name": "A"}, headers=auth(key))
        assert r.status_code == 201


def test_keys_create_prints_the_key_last(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    main(["init"])
    admin = _last_line(capsys)
    with TestClient(create_app(env)) as client:
        m = client.post(f"{API}/merchants", json={"name": "A"}, headers=auth(admin)).json()
        mk = auth(m["api_key"])
        client.post(
            f"{API}/events",
            headers=mk,
            json={
                "event_id": "ev",
                "name": "E",
                "starts_at": "2025-01-01T00:00:00Z",
                "ends_at": "2025-01-02T00:00:00Z",
                "gates": [{"gate_id": "g1"}, {"gate_id": "g2"}],
            },
        )
        assert main(["keys", "create", "--role", "merchant", "--merchant", m["merchant_id"]]) == 0
        merchant_key = _last_line(capsys)
        assert client.get(f"{API}/events/ev", headers=auth(merchant_key)).status_code == 200
        assert (
            main(
                [
                    "keys",
                    "create",
                    "--role",
                    "gate",
                    "--merchant",
                    m["merchant_id"],
                    "--event",
                    "ev",
                    "--gate",
                    "g1",
                ]
            )
            == 0
        )
        gate_key = _last_line(capsys)
        assert client.get(f"{API}/events/ev", headers=auth(gate_key)).status_code == 403
        assert main(["keys", "create", "--role", "admin"]) == 0
        second_admin = _last_line(capsys)
        r = client.post(f"{API}/merchants", json={"name": "B"}, headers=auth(second_admin))
        assert r.status_code == 201
        key_id = merchant_key.split("_")[1]
        assert main(["keys", "revoke", key_id]) == 0
        assert client.get(f"{API}/events/ev", headers=auth(merchant_key)).status_code == 401


def test_keys_create_refuses_bad_arguments(
    env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["init"])
    capsys.readouterr()
    assert main(["keys", "create", "--role", "merchant"]) == 2  # no merchant
    assert main(["keys", "create", "--role", "merchant", "--merchant", "m_nope"]) == 2
    assert main(["keys", "create", "--role", "gate", "--merchant", "m", "--event", "nope"]) == 2
    assert "tk_" not in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["keys", "create", "--role", "root"])
