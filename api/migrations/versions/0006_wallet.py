"""Wallet binding: tickets.holder_commitment, Poseidon(holder_secret) of a holder who proves on
their own device (the server keeps the salt, never the secret).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder_commitment", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN, as in 0004: a batch rebuild of tickets trips the foreign keys.
    op.drop_column("tickets", "holder_commitment")
