"""Transfers and resale: rules on events (and per-ticket overrides), each ticket's transfer
count, ticket_nullifiers.superseded_at (tokens of a transferred ticket stop at once) and the
ticket_transfers history (holders as keyed hashes only).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _policy(name: str, default: str | None) -> sa.Column[Any]:
    if default is None:
        return sa.Column(name, sa.String(length=24), nullable=True)
    return sa.Column(name, sa.String(length=24), nullable=False, server_default=default)


def _rule_columns(inherit: bool) -> list[sa.Column[Any]]:
    # Events have rules of their own (defaults for rows made before this revision); tickets
    # have overrides, None meaning "the event's".
    return [
        _policy("transfer_policy", None if inherit else "allowed"),
        sa.Column("max_transfers", sa.Integer(), nullable=True),
        _policy("resale_policy", None if inherit else "disabled"),
        sa.Column("resale_cap_minor", sa.BigInteger(), nullable=True),
        sa.Column("resale_cap_currency", sa.String(length=3), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        for column in _rule_columns(inherit=False):
            batch_op.add_column(column)
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for column in _rule_columns(inherit=True):
            batch_op.add_column(column)
        batch_op.add_column(
            sa.Column("transfer_count", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("ticket_nullifiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "ticket_transfers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("transfer_id", sa.String(length=64), nullable=False),
        sa.Column("ticket_pk", sa.Integer(), nullable=False),
        sa.Column("from_holder_hash", sa.String(length=64), nullable=True),
        sa.Column("to_holder_hash", sa.String(length=64), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "completed",
                "rejected",
                name="transfer_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_pk"], ["tickets.id"], name=op.f("fk_ticket_transfers_ticket_pk_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_transfers")),
        sa.UniqueConstraint("transfer_id", name=op.f("uq_ticket_transfers_transfer_id")),
    )
    op.create_index(
        "ix_ticket_transfers_ticket_status",
        "ticket_transfers",
        ["ticket_pk", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_ticket_transfers_ticket_status", table_name="ticket_transfers")
    op.drop_table("ticket_transfers")
    # Plain DROP COLUMN (SQLite >= 3.35 has it): a batch rebuild of events or tickets would
    # drop a table other rows reference, which SQLite's enforced foreign keys refuse.
    op.drop_column("ticket_nullifiers", "superseded_at")
    op.drop_column("tickets", "transfer_count")
    for table, inherit in (("tickets", True), ("events", False)):
        for column in reversed(_rule_columns(inherit)):
            op.drop_column(table, column.name)
