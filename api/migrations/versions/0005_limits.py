"""Issuance limits: per-event limit columns, tickets.last_token_at, and rate_counters (requests
counted per key in fixed one-minute windows, shared by every process and replica).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Existing events get the defaults of api/schemas.py.
_EVENT_LIMITS = (
    ("min_token_interval_seconds", "2"),
    ("proof_tokens_per_minute", "12000"),
    ("merchant_key_requests_per_minute", "6000"),
    ("gate_key_requests_per_minute", "1200"),
)


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        for name, default in _EVENT_LIMITS:
            batch_op.add_column(
                sa.Column(name, sa.Integer(), server_default=default, nullable=False)
            )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_token_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("window_start", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_counters")),
    )


def downgrade() -> None:
    op.drop_table("rate_counters")
    # Plain DROP COLUMN (SQLite >= 3.35): a batch rebuild would drop tables other rows
    # reference, which SQLite's enforced foreign keys refuse (see 0004).
    op.drop_column("tickets", "last_token_at")
    for name, _ in reversed(_EVENT_LIMITS):
        op.drop_column("events", name)
