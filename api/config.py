"""Service settings, read from the environment (pydantic-settings)."""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_KEY_FILE = "secret.key"
SECRET_KEY_BYTES = 32


class Settings(BaseSettings):
    """Everything the service reads from its environment; one instance per app."""

    model_config = SettingsConfigDict(
        env_prefix="TICKETKING_", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Path("./data")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "TICKETKING_DATABASE_URL")
    )
    merkle_depth: int = Field(default=20, ge=1, le=32)
    # Where the circuit's keys live (default: <data_dir>/circuits); several data dirs may share.
    circuits_dir: Path | None = None
    # Tolerance on token expiry for gates whose clocks drift a little.
    verify_clock_skew_seconds: int = Field(default=5, ge=0, le=300)
    # Base64url of 32 random bytes; when unset, a key file in data_dir is made once and reused.
    secret_key: SecretStr | None = None
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)
    # Prover processes per API process (default: one per core).
    prover_workers: int | None = Field(default=None, ge=1, le=64)
    # Threads per API process that run gate scans (POST /verify). A few suffice: a scan's
    # Python holds the GIL, and more threads only contend for it (docs/api.md, Load).
    gate_threads: int = Field(default=3, ge=1, le=64)
    # Webhooks (docs/api.md, "Webhooks"): the delivery worker each API process runs.
    webhooks_enabled: bool = True
    # Seconds between polls of the outbox when it had nothing due.
    webhooks_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # Allow webhook URLs on loopback/private/link-local addresses (tests, local development).
    webhooks_allow_private: bool = False
    webhooks_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Attempts before a delivery is given up ("failed"): the first one plus the retries.
    webhooks_max_attempts: int = Field(default=6, ge=1, le=20)

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, url: str | None) -> str | None:
        # Only psycopg 3 is a dependency: plain postgres URLs must select it explicitly.
        if url is None or not url.strip():
            return None
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def resolved_database_url(self) -> str:
        """DATABASE_URL, or the SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ticketking.db').resolve()}"

    @cached_property
    def master_key(self) -> bytes:
        """The 32-byte secret behind ticket encryption and holder hashes (never logged)."""
        if self.secret_key is not None:
            return _decode_key(self.secret_key.get_secret_value(), "TICKETKING_SECRET_KEY")
        return load_or_create_key_file(self.data_dir / SECRET_KEY_FILE)

    def subkey(self, purpose: str) -> bytes:
        """A 32-byte key for one purpose, derived from the master key with HKDF-SHA256."""
        hkdf = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=f"ticketking/{purpose}".encode(),
        )
        return hkdf.derive(self.master_key)


def _decode_key(text: str, where: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError):
        raise ValueError(f"{where} is not base64url") from None
    if len(raw) != SECRET_KEY_BYTES:
        raise ValueError(f"{where} must hold {SECRET_KEY_BYTES} bytes, not {len(raw)}")
    return raw


def load_or_create_key_file(path: Path) -> bytes:
    """Read the key file, or create it once (mode 0600) if it does not exist yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = base64.urlsafe_b64encode(secrets.token_bytes(SECRET_KEY_BYTES)).rstrip(b"=")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(key + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
            # link() fails if another process won the race: then both read the winner's key.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return _decode_key(path.read_text(), str(path))


def get_settings() -> Settings:
    """Settings from the current environment."""
    return Settings()
