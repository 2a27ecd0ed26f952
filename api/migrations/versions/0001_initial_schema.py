"""Initial schema: merchants, keys, events, gates, tickets, consumptions, entries, Merkle.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "merchants",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchants")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("reveal_ticket_id", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_events_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_events_event_id")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_merchant_id"), ["merchant_id"], unique=False)

    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "merchant", "gate", name="api_key_role", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("merchant_id", sa.String(length=64), nullable=True),
        sa.Column("event_pk", sa.Integer(), nullable=True),
        sa.Column("gate_ids", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_pk"], ["events.id"], name=op.f("fk_api_keys_event_pk_events")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_api_keys_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_api_keys")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_merchant_id"), ["merchant_id"], unique=False)

    op.create_table(
        "gates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_pk", sa.Integer(), nullable=False),
        sa.Column("gate_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_pk"], ["events.id"], name=op.f("fk_gates_event_pk_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gates")),
        sa.UniqueConstraint("event_pk", "gate_id", name=op.f("uq_gates_event_pk_gate_id")),
    )
    op.create_table(
        "merkle_nodes",
        sa.Column("event_pk", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_pk"], ["events.id"], name=op.f("fk_merkle_nodes_event_pk_events")
        ),
        sa.PrimaryKeyConstraint("event_pk", "level", "index", name=op.f("pk_merkle_nodes")),
    )
    op.create_table(
        "merkle_roots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_pk", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("leaf_count", sa.Integer(), nullable=False),
        sa.Column("current_from", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_pk"], ["events.id"], name=op.f("fk_merkle_roots_event_pk_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merkle_roots")),
    )
    with op.batch_alter_table("merkle_roots", schema=None) as batch_op:
        batch_op.create_index("ix_merkle_roots_event_root", ["event_pk", "root"], unique=False)

    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("event_pk", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("holder_hash", sa.String(length=64), nullable=True),
        sa.Column("leaf_index", sa.Integer(), nullable=True),
        sa.Column("secrets_blob", sa.LargeBinary(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("active", "revoked", name="ticket_state", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_pk"], ["events.id"], name=op.f("fk_tickets_event_pk_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("event_pk", "leaf_index", name=op.f("uq_tickets_event_pk_leaf_index")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_tickets_ticket_id")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tickets_event_pk"), ["event_pk"], unique=False)

    op.create_table(
        "consumptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_pk", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("nullifier", sa.String(length=64), nullable=False),
        sa.Column("ticket_pk", sa.Integer(), nullable=True),
        sa.Column("gate_id", sa.String(length=64), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_pk"], ["events.id"], name=op.f("fk_consumptions_event_pk_events")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_pk"], ["tickets.id"], name=op.f("fk_consumptions_ticket_pk_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consumptions")),
        sa.UniqueConstraint(
            "event_pk", "scope", "nullifier", name=op.f("uq_consumptions_event_pk_scope_nullifier")
        ),
    )
    with op.batch_alter_table("consumptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consumptions_ticket_pk"), ["ticket_pk"], unique=False)

    op.create_table(
        "entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_pk", sa.Integer(), nullable=False),
        sa.Column("gate_id", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=True),
        sa.Column(
            "result",
            sa.Enum("accepted", "rejected", name="entry_result", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ticket_pk", sa.Integer(), nullable=True),
        sa.Column("scan_id", sa.String(length=64), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("consumption_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consumption_id"],
            ["consumptions.id"],
            name=op.f("fk_entries_consumption_id_consumptions"),
        ),
        sa.ForeignKeyConstraint(
            ["event_pk"], ["events.id"], name=op.f("fk_entries_event_pk_events")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_pk"], ["tickets.id"], name=op.f("fk_entries_ticket_pk_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries")),
        sa.UniqueConstraint(
            "event_pk", "gate_id", "scan_id", name=op.f("uq_entries_event_pk_gate_id_scan_id")
        ),
    )
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.create_index("ix_entries_event_at", ["event_pk", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_index("ix_entries_event_at")

    op.drop_table("entries")
    with op.batch_alter_table("consumptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consumptions_ticket_pk"))

    op.drop_table("consumptions")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_event_pk"))

    op.drop_table("tickets")
    with op.batch_alter_table("merkle_roots", schema=None) as batch_op:
        batch_op.drop_index("ix_merkle_roots_event_root")

    op.drop_table("merkle_roots")
    op.drop_table("merkle_nodes")
    op.drop_table("gates")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_merchant_id"))

    op.drop_table("api_keys")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_merchant_id"))

    op.drop_table("events")
    op.drop_table("merchants")
