"""merkle_roots: an (event_pk, id) index, so an event's latest root (the next free leaf index)
and the root following a given one are index lookups, not a sort of the event's history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("merkle_roots", schema=None) as batch_op:
        batch_op.create_index("ix_merkle_roots_event_id", ["event_pk", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("merkle_roots", schema=None) as batch_op:
        batch_op.drop_index("ix_merkle_roots_event_id")
