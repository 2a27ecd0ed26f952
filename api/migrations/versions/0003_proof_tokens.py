"""Proof tokens: event_tiers (a token's tier tag is resolved among them) and ticket_nullifiers
(the nullifier of each (ticket, scope) a token was minted for: revocation at once, reveal).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_tiers",
        sa.Column("event_pk", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_pk"], ["events.id"], name=op.f("fk_event_tiers_event_pk_events")
        ),
        sa.PrimaryKeyConstraint("event_pk", "tier", name=op.f("pk_event_tiers")),
    )
    op.create_table(
        "ticket_nullifiers",
        sa.Column("event_pk", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("nullifier", sa.String(length=64), nullable=False),
        sa.Column("ticket_pk", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_pk"], ["events.id"], name=op.f("fk_ticket_nullifiers_event_pk_events")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_pk"], ["tickets.id"], name=op.f("fk_ticket_nullifiers_ticket_pk_tickets")
        ),
        sa.PrimaryKeyConstraint(
            "event_pk", "scope", "nullifier", name=op.f("pk_ticket_nullifiers")
        ),
    )
    op.create_index(
        op.f("ix_ticket_nullifiers_ticket_pk"), "ticket_nullifiers", ["ticket_pk"], unique=False
    )
    # Tickets issued before this revision: their tiers.
    op.execute(
        "INSERT INTO event_tiers (event_pk, tier) SELECT DISTINCT event_pk, tier FROM tickets"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ticket_nullifiers_ticket_pk"), table_name="ticket_nullifiers")
    op.drop_table("ticket_nullifiers")
    op.drop_table("event_tiers")
