"""The database schema as typed SQLAlchemy 2 models (migrations live in api/migrations)."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ID_LEN = 64
# A BN254 field element as 64 lowercase hex digits: one encoding per value.
FIELD_HEX_LEN = 64


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        # SQLite has no timezone type: store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (alembic needs them on SQLite)."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON}


def table(model: type[Base]) -> Table:
    """A model's Core table: hot paths select and insert through it, without ORM machinery."""
    return cast(Table, model.__table__)


class Role(enum.StrEnum):
    """What an API key may do."""

    ADMIN = "admin"
    MERCHANT = "merchant"
    GATE = "gate"


class TicketState(enum.StrEnum):
    """A ticket's lifecycle state."""

    ACTIVE = "active"
    REVOKED = "revoked"


class EntryResult(enum.StrEnum):
    """The outcome a gate was told."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as short strings with a CHECK, so PostgreSQL and SQLite see the same schema.
    return Enum(
        cls, name=name, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
    )


class Merchant(Base):
    __tablename__ = "merchants"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class ApiKey(Base):
    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(_enum(Role, "api_key_role"))
    merchant_id: Mapped[str | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    # Gate keys only: the event and the gates (None = all of the event's gates) they serve.
    event_pk: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    gate_ids: Mapped[list[str] | None]
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    scopes: Mapped[list[str]]
    reveal_ticket_id: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    # Transfer and resale rules (migration 0004; api.services.transfer_rules).
    transfer_policy: Mapped[str] = mapped_column(
        String(24), default="allowed", server_default="allowed"
    )
    max_transfers: Mapped[int | None]
    resale_policy: Mapped[str] = mapped_column(
        String(24), default="disabled", server_default="disabled"
    )
    resale_cap_minor: Mapped[int | None] = mapped_column(BigInteger)
    resale_cap_currency: Mapped[str | None] = mapped_column(String(3))
    # Issuance limits (api/services/limits.py; defaults there and in migration 0005).
    min_token_interval_seconds: Mapped[int] = mapped_column(Integer, server_default="2")
    proof_tokens_per_minute: Mapped[int] = mapped_column(Integer, server_default="12000")
    merchant_key_requests_per_minute: Mapped[int] = mapped_column(Integer, server_default="6000")
    gate_key_requests_per_minute: Mapped[int] = mapped_column(Integer, server_default="1200")

    gates: Mapped[list[Gate]] = relationship(
        back_populates="event", order_by="Gate.position", cascade="all, delete-orphan"
    )


class Gate(Base):
    __tablename__ = "gates"
    __table_args__ = (UniqueConstraint("event_pk", "gate_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    gate_id: Mapped[str] = mapped_column(String(ID_LEN))
    position: Mapped[int]
    # None: every tier may enter here.
    tiers: Mapped[list[str] | None]

    event: Mapped[Event] = relationship(back_populates="gates")


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("event_pk", "leaf_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    tier: Mapped[str] = mapped_column(String(ID_LEN))
    not_before: Mapped[datetime | None]
    not_after: Mapped[datetime | None]
    # HMAC-SHA256 of holder_id under the service's key; the id itself is never stored.
    holder_hash: Mapped[str | None] = mapped_column(String(64))
    # Position of the ticket's leaf in its event's Merkle tree (set when the leaf is inserted).
    leaf_index: Mapped[int | None]
    # AES-GCM sealed (salt, holder_secret): see api.security.encrypt_secrets.
    secrets_blob: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[TicketState] = mapped_column(_enum(TicketState, "ticket_state"))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # Wallet binding (migration 0006): Poseidon(holder_secret) as 64 hex digits. The holder
    # keeps the secret; secrets_blob then seals the salt alone (api.security.encrypt_salt).
    holder_commitment: Mapped[str | None] = mapped_column(String(FIELD_HEX_LEN), default=None)
    # The ticket's own transfer and resale rules (None: the event's) and completed transfers.
    transfer_policy: Mapped[str | None] = mapped_column(String(24))
    max_transfers: Mapped[int | None]
    resale_policy: Mapped[str | None] = mapped_column(String(24))
    resale_cap_minor: Mapped[int | None] = mapped_column(BigInteger)
    resale_cap_currency: Mapped[str | None] = mapped_column(String(3))
    transfer_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the ticket last got a proof token (the minimum interval between tokens).
    last_token_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()


class Consumption(Base):
    """One row per (event, scope, nullifier): the unique constraint IS one-time use."""

    __tablename__ = "consumptions"
    __table_args__ = (UniqueConstraint("event_pk", "scope", "nullifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"))
    scope: Mapped[str] = mapped_column(String(ID_LEN))
    nullifier: Mapped[str] = mapped_column(String(FIELD_HEX_LEN))
    ticket_pk: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    gate_id: Mapped[str] = mapped_column(String(ID_LEN))
    consumed_at: Mapped[datetime]


class Entry(Base):
    """The audit trail: every answer given to a gate (no personal data)."""

    __tablename__ = "entries"
    # A gate's scan_id names one scan: its retry gets the answer stored here.
    __table_args__ = (
        UniqueConstraint("event_pk", "gate_id", "scan_id"),
        Index("ix_entries_event_at", "event_pk", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"))
    gate_id: Mapped[str] = mapped_column(String(ID_LEN))
    scope: Mapped[str | None] = mapped_column(String(ID_LEN))
    result: Mapped[EntryResult] = mapped_column(_enum(EntryResult, "entry_result"))
    reason: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime]
    ticket_pk: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    scan_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    # SHA-256 of the token bytes, to tell a retried scan from a different token.
    token_hash: Mapped[str | None] = mapped_column(String(64))
    consumption_id: Mapped[int | None] = mapped_column(ForeignKey("consumptions.id"))


class MerkleNode(Base):
    """One stored node of an event's incremental Merkle tree (level 0 = leaves)."""

    __tablename__ = "merkle_nodes"

    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[str] = mapped_column(String(FIELD_HEX_LEN))


class MerkleRoot(Base):
    """The history of an event's roots and when each became current."""

    __tablename__ = "merkle_roots"
    __table_args__ = (
        Index("ix_merkle_roots_event_root", "event_pk", "root"),
        # The latest root of an event (its leaf count) and a root's successor (migration 0002).
        Index("ix_merkle_roots_event_id", "event_pk", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"))
    root: Mapped[str] = mapped_column(String(FIELD_HEX_LEN))
    leaf_count: Mapped[int]
    current_from: Mapped[datetime]


class EventTier(Base):
    """The tiers an event has tickets in: a verifier resolves a token's tier tag among them."""

    __tablename__ = "event_tiers"

    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    tier: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)


class TicketNullifier(Base):
    """The nullifier of each (ticket, scope) the service minted a token for.

    The server knows a ticket's secrets, so it can name the statement its tokens prove: verify
    looks the nullifier up to tell the ticket (revoked at once, revealed where the event allows).
    """

    __tablename__ = "ticket_nullifiers"

    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    nullifier: Mapped[str] = mapped_column(String(FIELD_HEX_LEN), primary_key=True)
    ticket_pk: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    # Set when the ticket was transferred: tokens naming this nullifier are `transferred`.
    superseded_at: Mapped[datetime | None]


class TransferStatus(enum.StrEnum):
    """Where a transfer stands."""

    PENDING = "pending"
    COMPLETED = "completed"
    REJECTED = "rejected"


class TicketTransfer(Base):
    """A ticket's transfer history: holders as keyed hashes only, never in clear."""

    __tablename__ = "ticket_transfers"
    __table_args__ = (Index("ix_ticket_transfers_ticket_status", "ticket_pk", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transfer_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    ticket_pk: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    # api.services.tickets.hash_holder of the holders; None: the ticket was not bound.
    from_holder_hash: Mapped[str | None] = mapped_column(String(64))
    to_holder_hash: Mapped[str] = mapped_column(String(64))
    # A resale: integer minor units and ISO 4217 code; None for a gift.
    price_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    channel: Mapped[str | None] = mapped_column(String(ID_LEN))
    status: Mapped[TransferStatus] = mapped_column(_enum(TransferStatus, "transfer_status"))
    created_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]

    ticket: Mapped[Ticket] = relationship()


class RateCounter(Base):
    """Requests counted per key (an event's, an API key's) in fixed one-minute windows."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer)


class Webhook(Base):
    """A merchant's webhook: where to POST which kinds of events (its secret is derived)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]]
    created_at: Mapped[datetime]


class WebhookDelivery(Base):
    """The outbox: one row per (webhook, event), written in the reported action's transaction."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    webhook_pk: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    # The exact JSON sent: every retry carries the same bytes.
    body: Mapped[str] = mapped_column(Text)
    # pending, delivered or failed (gave up).
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime]
    # A worker's lease on the row while it sends (several API processes share the outbox).
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
