"""Settings from the environment and the secret key file."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from api.config import SECRET_KEY_FILE, Settings, load_or_create_key_file


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "TICKETKING_DATA_DIR",
        "DATABASE_URL",
        "TICKETKING_MERKLE_DEPTH",
        "TICKETKING_SECRET_KEY",
        "TICKETKING_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    s = Settings()
    assert s.data_dir == Path("./data") and s.merkle_depth == 20
    assert s.resolved_database_url == f"sqlite:///{Path('./data/ticketking.db').resolve()}"
    assert 0 <= s.verify_clock_skew_seconds <= 60


def test_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TICKETKING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TICKETKING_MERKLE_DEPTH", "8")
    monkeypatch.setenv("TICKETKING_VERIFY_CLOCK_SKEW_SECONDS", "2")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/tk")
    s = Settings()
    assert s.data_dir == tmp_path and s.merkle_depth == 8 and s.verify_clock_skew_seconds == 2
    # psycopg 3 is the driver we ship: plain postgres URLs select it.
    assert s.resolved_database_url == "postgresql+psycopg://u:p@db:5432/tk"


def test_gate_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TICKETKING_GATE_THREADS", raising=False)
    assert Settings().gate_threads == 3
    monkeypatch.setenv("TICKETKING_GATE_THREADS", "6")
    assert Settings().gate_threads == 6
    for bad in ("0", "65", "x"):
        monkeypatch.setenv("TICKETKING_GATE_THREADS", bad)
        with pytest.raises(ValueError):
            Settings()


@pytest.mark.parametrize("depth", ["0", "33", "x"])
def test_bad_depth_is_refused(monkeypatch: pytest.MonkeyPatch, depth: str) -> None:
    monkeypatch.setenv("TICKETKING_MERKLE_DEPTH", depth)
    with pytest.raises(ValueError):
        Settings()


def test_key_file_made_once_with_0600(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "d")
    key = s.master_key
    path = tmp_path / "d" / SECRET_KEY_FILE
    assert len(key) == 32 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert Settings(data_dir=tmp_path / "d").master_key == key  # reused, not remade
    assert load_or_create_key_file(path) == key
    assert [p.name for p in (tmp_path / "d").iterdir()] == [SECRET_KEY_FILE]  # no temp left


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    raw = bytes(range(32))
    monkeypatch.setenv("TICKETKING_SECRET_KEY", base64.urlsafe_b64encode(raw).decode())
    s = Settings(data_dir=tmp_path)
    assert s.master_key == raw and not (tmp_path / SECRET_KEY_FILE).exists()
    assert s.subkey("a") != s.subkey("b") and len(s.subkey("a")) == 32
    assert "000102" not in repr(s)  # the secret never shows in a repr


@pytest.mark.parametrize("bad", ["", "not base64!!", base64.urlsafe_b64encode(b"short").decode()])
def test_bad_env_key_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bad: str) -> None:
    monkeypatch.setenv("TICKETKING_SECRET_KEY", bad)
    with pytest.raises(ValueError):
        _ = Settings(data_dir=tmp_path).master_key
