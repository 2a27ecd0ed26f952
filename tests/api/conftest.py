"""Fixtures for the service: a database per test (SQLite and PostgreSQL), app, client, keys."""

from __future__ import annotations

import base64
import os
import secrets
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

# Starlette nudges towards another HTTP client; the TestClient works as documented.
warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from api.app import create_app  # noqa: E402
from api.config import Settings  # noqa: E402
from api.db import make_engine, make_sessionmaker, migrate  # noqa: E402
from api.engine import ProofEngine, load_engine  # noqa: E402
from api.models import Event, Gate, Merchant, Role  # noqa: E402
from api.services.circuit import ensure_circuit_keys  # noqa: E402
from api.services.keys import create_key  # noqa: E402
from api.timeutil import utcnow  # noqa: E402
from tests.conftest import require_peer  # noqa: E402

PG_URL = os.environ.get("TICKETKING_TEST_POSTGRES_URL", "")
API = "/v1/api/ticketking"
BACKENDS = ["sqlite", "postgresql"]
# For tests of input validation only: they never reach storage, one backend is enough.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def postgres_url(base: str, schema: str) -> str:
    """The base URL with every connection's search_path set to one schema."""
    url = make_url(Settings(database_url=base).database_url or base)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ticketking.db'}"
        return
    require_peer(bool(PG_URL), "PostgreSQL (TICKETKING_TEST_POSTGRES_URL)")
    schema = "t_" + secrets.token_hex(6)
    admin = create_engine(
        Settings(database_url=PG_URL).database_url or PG_URL, isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield postgres_url(PG_URL, schema)
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


# Small trees in tests: the circuit's keys take a second to make, proofs ~20 ms.
TEST_DEPTH = 4


@pytest.fixture(scope="session")
def circuits_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The depth-TEST_DEPTH circuit keys, made once for the whole run and shared."""
    directory = tmp_path_factory.mktemp("circuits")
    ensure_circuit_keys(
        Settings(data_dir=directory, circuits_dir=directory, merkle_depth=TEST_DEPTH)
    )
    return directory


@pytest.fixture(scope="session")
def proof_engine(circuits_dir: Path) -> Iterator[ProofEngine]:
    """One loaded proof engine (vk prepared, one prover process) shared by every test app."""
    settings = Settings(
        data_dir=circuits_dir, circuits_dir=circuits_dir, merkle_depth=TEST_DEPTH, prover_workers=1
    )
    engine = load_engine(settings)
    yield engine
    engine.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, circuits_dir: Path) -> Settings:
    """Settings on the test database with a random secret key and the shared circuit keys."""
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key=key,
        merkle_depth=TEST_DEPTH,
        circuits_dir=circuits_dir,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A migrated engine on the test database."""
    eng = make_engine(settings.resolved_database_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated test database."""
    with make_sessionmaker(engine)() as s:
        yield s


@pytest.fixture
def client(settings: Settings, engine: Engine, proof_engine: ProofEngine) -> Iterator[TestClient]:
    """An in-process client of an app on the migrated test database."""
    app = create_app(settings, proof_engine)
    with TestClient(app) as c:
        yield c


def auth(key: str) -> dict[str, str]:
    """Headers that present an API key."""
    return {"X-AffixIO-Key": key}


@pytest.fixture
def admin_key(session: Session) -> str:
    """The plaintext of a fresh admin key."""
    _, new = create_key(session, Role.ADMIN)
    return new.plaintext


@dataclass
class MerchantCtx:
    """A merchant as the API made it, with its key."""

    merchant_id: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.key)


class Factory:
    """Small factories for test data through the HTTP API."""

    def __init__(self, client: TestClient, admin_key: str) -> None:
        self.client = client
        self.admin_key = admin_key
        self._n = 0

    def _next(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}-{self._n}"

    def merchant(self, name: str = "Acme Live") -> MerchantCtx:
        """A new merchant and its key."""
        r = self.client.post(f"{API}/merchants", json={"name": name}, headers=auth(self.admin_key))
        assert r.status_code == 201, r.text
        return MerchantCtx(r.json()["merchant_id"], r.json()["api_key"])

    def event_body(self, **over: Any) -> dict[str, Any]:
        """A valid event body with overrides."""
        body: dict[str, Any] = {
            "event_id": self._next("ev"),
            "name": "Concert",
            "starts_at": "2025-03-10T18:00:00.000Z",
            "ends_at": "2025-03-10T23:00:00.000Z",
            "gates": [{"gate_id": "north"}, {"gate_id": "vip-door", "tiers": ["vip"]}],
            # Tests mint for one ticket many times a second; test_limits.py tests the interval.
            "min_token_interval_seconds": 0,
        }
        body.update(over)
        return body

    def event(self, merchant: MerchantCtx, **over: Any) -> dict[str, Any]:
        """A new event of the merchant."""
        r = self.client.post(
            f"{API}/events", json=self.event_body(**over), headers=merchant.headers
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def ticket_body(self, event_id: str, **over: Any) -> dict[str, Any]:
        """A valid ticket body with overrides."""
        body: dict[str, Any] = {"ticket_id": self._next("tk"), "event_id": event_id, "tier": "ga"}
        body.update(over)
        return body

    def ticket(self, merchant: MerchantCtx, event_id: str, **over: Any) -> dict[str, Any]:
        """A new ticket for the event."""
        r = self.client.post(
            f"{API}/tickets", json=self.ticket_body(event_id, **over), headers=merchant.headers
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def gate_key(
        self, merchant: MerchantCtx, event_id: str, gate_ids: list[str] | None = None
    ) -> dict[str, Any]:
        """A new gate key for the event."""
        body: dict[str, Any] = {"role": "gate", "event_id": event_id}
        if gate_ids is not None:
            body["gate_ids"] = gate_ids
        r = self.client.post(f"{API}/keys", json=body, headers=merchant.headers)
        assert r.status_code == 201, r.text
        return dict(r.json())


@pytest.fixture
def factory(client: TestClient, admin_key: str) -> Factory:
    """Factories bound to the test client."""
    return Factory(client, admin_key)


@pytest.fixture
def merchant(factory: Factory) -> MerchantCtx:
    """A fresh merchant."""
    return factory.merchant()


@dataclass
class GateCtx:
    """An event of `merchant` and a gate key for all of its gates."""

    event: dict[str, Any]
    key_id: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.key)


@pytest.fixture
def gate(factory: Factory, merchant: MerchantCtx) -> GateCtx:
    """A gate key (role gate) on a fresh event of the merchant."""
    event = factory.event(merchant)
    made = factory.gate_key(merchant, event["event_id"])
    return GateCtx(event, made["key_id"], made["api_key"])


def mint(client: TestClient, merchant: MerchantCtx, ticket_id: str, **body: Any) -> str:
    """A proof token for the ticket (asserts 200)."""
    r = client.post(
        f"{API}/proof-token", json={"ticket_id": ticket_id, **body}, headers=merchant.headers
    )
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def scan(
    client: TestClient, gate: GateCtx, token: str, gate_id: str = "north", **body: Any
) -> dict:
    """The gate's answer to a scan (asserts 200)."""
    r = client.post(
        f"{API}/verify", json={"token": token, "gate_id": gate_id, **body}, headers=gate.headers
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def event_row(
    session: Session, event_id: str = "ev", *, reveal: bool = False, at: datetime | None = None
) -> Event:
    """An event of merchant m1 written straight to the database (for service-level tests):
    scopes day1 and day2, gates north and vip."""
    at = at or utcnow()
    if session.get(Merchant, "m1") is None:
        session.add(Merchant(id="m1", name="M", created_at=at))
        session.flush()
    event = Event(
        event_id=event_id,
        merchant_id="m1",
        name="E",
        starts_at=at,
        ends_at=at,
        scopes=["day1", "day2"],
        reveal_ticket_id=reveal,
        created_at=at,
        gates=[Gate(gate_id="north", position=0), Gate(gate_id="vip", position=1)],
    )
    session.add(event)
    session.commit()
    return event
