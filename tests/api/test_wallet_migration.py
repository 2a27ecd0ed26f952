"""Migration 0006 (wallet binding) goes up and down on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from api.config import Settings
from api.db import alembic_config, make_engine, migrate


@pytest.fixture
def bare_engine(settings: Settings) -> Iterator[Engine]:
    """An engine on the empty test database (nothing migrated yet)."""
    eng = make_engine(settings.resolved_database_url)
    yield eng
    eng.dispose()


def _ticket_columns(engine: Engine) -> dict[str, dict]:
    return {c["name"]: dict(c) for c in inspect(engine).get_columns("tickets")}


def test_0006_adds_and_drops_holder_commitment(bare_engine: Engine) -> None:
    before = ScriptDirectory.from_config(alembic_config()).get_revision("0006").down_revision
    assert isinstance(before, str)
    migrate(bare_engine, before)
    assert "holder_commitment" not in _ticket_columns(bare_engine)
    migrate(bare_engine, "0006")
    column = _ticket_columns(bare_engine)["holder_commitment"]
    assert column["nullable"] is True and column["type"].length == 64
    cfg = alembic_config(bare_engine)
    with bare_engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, before)
        conn.commit()
    assert "holder_commitment" not in _ticket_columns(bare_engine)
