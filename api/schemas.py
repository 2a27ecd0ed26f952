"""Request and response bodies (pydantic) and the field types they share."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictInt,
    StringConstraints,
    model_validator,
)

from api.fields import element_hex, parse_element
from api.timeutil import format_ts, to_millis
from zkcore import errors as zk_errors

# Ids chosen by merchants: short, printable, safe in URLs and logs.
Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"),
]
Tier = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
# Personal data: accepted, hashed with a key, never stored, logged or returned.
HolderId = Annotated[str, StringConstraints(min_length=1, max_length=256)]


def _field_hex(value: str) -> str:
    try:
        return element_hex(parse_element(value))
    except zk_errors.ZKCoreError as exc:
        raise ValueError(str(exc)) from None


# A BN254 scalar as a string (0x-hex or decimal, < r); kept as 0x + 64 lowercase hex digits.
FieldText = Annotated[
    str, StringConstraints(min_length=1, max_length=80), AfterValidator(_field_hex)
]
Binding = Literal["none", "account", "wallet"]


def _aware_millis(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp needs a timezone, e.g. 2025-03-10T12:05:00.000Z")
    return to_millis(value)


# Input: any ISO 8601 timestamp with a zone; output: UTC with milliseconds and Z.
Timestamp = Annotated[
    datetime,
    AfterValidator(_aware_millis),
    PlainSerializer(format_ts, return_type=str, when_used="json"),
]


class Strict(BaseModel):
    """Bodies refuse unknown fields: a typo must not silently drop a rule."""

    model_config = ConfigDict(extra="forbid")


class MerchantCreate(Strict):
    name: Name


class MerchantCreated(BaseModel):
    merchant_id: str
    name: str
    key_id: str
    api_key: str
    created_at: Timestamp


class KeyCreate(Strict):
    role: Literal["merchant", "gate"]
    # Admin keys name the merchant; merchant keys act for their own.
    merchant_id: Identifier | None = None
    event_id: Identifier | None = None
    gate_ids: Annotated[list[Identifier], Field(min_length=1, max_length=100)] | None = None

    @model_validator(mode="after")
    def _gate_fields(self) -> Self:
        if self.role == "gate" and self.event_id is None:
            raise ValueError("a gate key needs event_id")
        if self.role == "merchant" and (self.event_id is not None or self.gate_ids is not None):
            raise ValueError("event_id and gate_ids apply to gate keys only")
        return self


class KeyCreated(BaseModel):
    key_id: str
    api_key: str
    role: str
    merchant_id: str | None
    event_id: str | None = None
    gate_ids: list[str] | None = None
    created_at: Timestamp


class KeyRevoked(BaseModel):
    key_id: str
    revoked_at: Timestamp


# ------------------------------------------------------------ transfer and resale rules

TransferPolicyName = Literal["disabled", "allowed", "requires_approval"]
ResalePolicyName = Literal["disabled", "merchant_channel_only", "allowed"]
# A decimal amount as a string (money never travels as a float): up to 12 integer digits.
Amount = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,3})?$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]

# ISO 4217 minor-unit exponents that are not 2.
_CURRENCY_EXPONENTS = (
    dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI"), 0
    )
    | dict.fromkeys(("VND", "VUV", "XAF", "XOF", "XPF"), 0)
    | dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3)
)


def currency_exponent(currency: str) -> int:
    """How many decimals the currency's minor unit has (ISO 4217; 2 unless listed)."""
    return _CURRENCY_EXPONENTS.get(currency, 2)


class Money(Strict):
    """A price: {"amount": "120.00", "currency": "EUR"}, stored as integer minor units."""

    amount: Amount
    currency: Currency

    @model_validator(mode="after")
    def _decimals(self) -> Self:
        decimals = len(self.amount.partition(".")[2])
        if decimals > currency_exponent(self.currency):
            raise ValueError(
                f"{self.currency} amounts have at most {currency_exponent(self.currency)} decimals"
            )
        return self

    @property
    def minor(self) -> int:
        """The amount in the currency's minor unit (cents for EUR)."""
        whole, _, frac = self.amount.partition(".")
        exponent = currency_exponent(self.currency)
        return int(whole) * 10**exponent + int(frac.ljust(exponent, "0") or "0")

    @staticmethod
    def from_minor(minor: int, currency: str) -> Money:
        """The canonical form of an amount in minor units: "120.00", never "120" or "120.0"."""
        exponent = currency_exponent(currency)
        whole, frac = divmod(minor, 10**exponent)
        amount = f"{whole}.{frac:0{exponent}d}" if exponent else str(whole)
        return Money(amount=amount, currency=currency)


class TransferRules(Strict):
    """Who may pass the ticket on: disabled, allowed, or requires_approval; at most N times."""

    policy: TransferPolicyName = "allowed"
    # None: no limit; 0 forbids any transfer.
    max_transfers: Annotated[StrictInt, Field(ge=0, le=1_000_000)] | None = None


class ResaleRules(Strict):
    """Rules for transfers with a price: disabled, merchant_channel_only, or allowed (capped)."""

    policy: ResalePolicyName = "disabled"
    price_cap: Money | None = None

    @model_validator(mode="after")
    def _cap(self) -> Self:
        if self.policy == "disabled" and self.price_cap is not None:
            raise ValueError("price_cap needs a resale policy other than disabled")
        return self


class GateIn(Strict):
    gate_id: Identifier
    tiers: Annotated[list[Tier], Field(min_length=1, max_length=50)] | None = None


# Issuance limits (api/services/limits.py). Defaults: far above what a stadium needs, far
# below what a scripted burst asks for. A rotating QR refreshes every few seconds: one token
# per ticket per 2 s is plenty.
DEFAULT_MIN_TOKEN_INTERVAL_SECONDS = 2
# 60,000 holders entering over an hour, a few tokens each while queueing: ~3,000 a minute.
DEFAULT_PROOF_TOKENS_PER_MINUTE = 12_000
# One merchant key may take half of its event's budget: a leaked key cannot take it all.
DEFAULT_MERCHANT_KEY_REQUESTS_PER_MINUTE = 6_000
# A lane scans about once a second; one key may serve every lane of an event: 20/s sustained.
DEFAULT_GATE_KEY_REQUESTS_PER_MINUTE = 1_200
MAX_TOKEN_INTERVAL_SECONDS = 3_600
MAX_REQUESTS_PER_MINUTE = 1_000_000

PerMinute = Annotated[StrictInt, Field(ge=1, le=MAX_REQUESTS_PER_MINUTE)]


class RateLimits(Strict):
    """Requests a minute: proof tokens per event, proof tokens per merchant key, verifies per
    gate key. Refusals are 429 with Retry-After."""

    proof_tokens_per_minute: PerMinute = DEFAULT_PROOF_TOKENS_PER_MINUTE
    merchant_key_requests_per_minute: PerMinute = DEFAULT_MERCHANT_KEY_REQUESTS_PER_MINUTE
    gate_key_requests_per_minute: PerMinute = DEFAULT_GATE_KEY_REQUESTS_PER_MINUTE


class EventCreate(Strict):
    event_id: Identifier
    name: Name
    starts_at: Timestamp
    ends_at: Timestamp
    gates: Annotated[list[GateIn], Field(min_length=1, max_length=200)]
    scopes: Annotated[list[Identifier], Field(min_length=1, max_length=100)] | None = None
    reveal_ticket_id: bool = False
    transfer: TransferRules = TransferRules()
    resale: ResaleRules = ResaleRules()
    min_token_interval_seconds: Annotated[StrictInt, Field(ge=0, le=MAX_TOKEN_INTERVAL_SECONDS)] = (
        DEFAULT_MIN_TOKEN_INTERVAL_SECONDS
    )
    rate_limits: RateLimits = Field(default_factory=RateLimits)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.ends_at < self.starts_at:
            raise ValueError("ends_at is before starts_at")
        gate_ids = [g.gate_id for g in self.gates]
        if len(set(gate_ids)) != len(gate_ids):
            raise ValueError("gate ids must be unique within the event")
        if self.scopes is not None and len(set(self.scopes)) != len(self.scopes):
            raise ValueError("scopes must be unique")
        return self


class GateOut(BaseModel):
    gate_id: str
    tiers: list[str] | None


class EventOut(BaseModel):
    event_id: str
    name: str
    starts_at: Timestamp
    ends_at: Timestamp
    gates: list[GateOut]
    scopes: list[str]
    reveal_ticket_id: bool
    min_token_interval_seconds: int
    rate_limits: RateLimits
    created_at: Timestamp
    transfer: TransferRules = TransferRules()
    resale: ResaleRules = ResaleRules()


class TicketCreate(Strict):
    ticket_id: Identifier
    event_id: Identifier
    tier: Tier
    not_before: Timestamp | None = None
    not_after: Timestamp | None = None
    holder_id: HolderId | None = None
    # Wallet binding: Poseidon(holder_secret) (circuits.ticket.holder_commitment).
    holder_commitment: FieldText | None = Field(
        default=None,
        description="wallet binding: Poseidon(holder_secret), 0x-hex or decimal, below r",
        examples=["0x2ce122014853cb2578bada624a58af6dfb5694d00ad99b730c7006c2754f8d0a"],
    )

    # None: the event's rules apply; given, they replace the event's for this ticket.
    transfer: TransferRules | None = None
    resale: ResaleRules | None = None

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.not_before and self.not_after and self.not_after < self.not_before:
            raise ValueError("not_after is before not_before")
        if self.holder_id is not None and self.holder_commitment is not None:
            raise ValueError("holder_id (account) and holder_commitment (wallet) are exclusive")
        return self


class TicketOut(BaseModel):
    ticket_id: str
    event_id: str
    tier: str
    not_before: Timestamp | None
    not_after: Timestamp | None
    # Whether a holder is bound; the binding itself is never returned.
    holder_bound: bool
    binding: Binding = "none"
    state: Literal["active", "revoked"]
    created_at: Timestamp
    revoked_at: Timestamp | None
    # The rules in force for this ticket (its own, else its event's) and completed transfers.
    transfer: TransferRules | None = None
    resale: ResaleRules | None = None
    transfer_count: int = 0


class Health(BaseModel):
    status: Literal["ok"]
    database: str


# Proof tokens live 5 s to 5 min (DESIGN.md): long enough to scan, too short to resell.
TTL_MIN_SECONDS = 5
TTL_MAX_SECONDS = 300
TTL_DEFAULT_SECONDS = 30


class ProofTokenRequest(Strict):
    ticket_id: Identifier
    ttl_seconds: Annotated[StrictInt, Field(ge=TTL_MIN_SECONDS, le=TTL_MAX_SECONDS)] = (
        TTL_DEFAULT_SECONDS
    )
    holder_id: HolderId | None = None
    # Required when the event defines more than one entry scope.
    scope: Identifier | None = None


class ProofTokenOut(BaseModel):
    token: str
    expires_at: Timestamp
    ticket_id: str
    circuit_id: Literal["ticketing"] = "ticketing"
    eligible: Literal[True] = True
    scope: str


# A v1 token is 335 characters; anything much longer is refused by the schema already.
TokenText = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class VerifyRequest(Strict):
    token: TokenText
    gate_id: Identifier
    # The gate's own id for this scan: a retry with the same scan_id gets the same answer.
    scan_id: Identifier | None = None
    # The scope the gate admits to; when given, the token's scope must be this one.
    scope: Identifier | None = None


class VerifyOut(BaseModel):
    accepted: bool
    reason: str | None = None
    ticket_id: str | None = None
    consumed_at: Timestamp | None = None
    gate_id: str | None = None
    tier: str | None = None
    scope: str | None = None


class WalletScope(BaseModel):
    scope: str
    scope_field: str


class WalletBundle(BaseModel):
    """What a wallet-bound ticket's holder needs to prove on their own device (GET .../wallet).

    Field elements are 0x + 64 hex digits. The Merkle path is for `root`, the event's root when
    the bundle was made: fetch a fresh bundle for each token (see docs/api.md, Wallet binding).
    """

    version: Literal[1] = 1
    circuit_id: Literal["ticketing"] = "ticketing"
    ticket_id: str
    event_id: str
    event_field: str
    tier: str
    tier_field: str
    scopes: list[WalletScope]
    not_before: Timestamp | None
    not_after: Timestamp | None
    not_before_seconds: int
    not_after_seconds: int
    holder_commitment: str
    ticket_salt: str
    leaf_index: int
    merkle_depth: int
    merkle_path: list[str]
    merkle_bits: list[int]
    root: str
    verification_key_sha256: str
    proving_key_sha256: str
    issued_at: Timestamp


# --------------------------------------------------------------------------- transfers


class TransferRequest(Strict):
    to_holder_id: HolderId
    # A price makes the transfer a resale, held to the resale rules.
    price: Money | None = None
    # Where the sale happens; merchant_channel_only resale needs "merchant".
    channel: Identifier | None = None
    # Chosen by the caller to make retries safe; the same id and body again is a no-op.
    transfer_id: Identifier | None = None


TransferStatusName = Literal["pending", "completed", "rejected"]


class TransferOut(BaseModel):
    transfer_id: str
    ticket_id: str
    status: TransferStatusName
    price: Money | None = None
    channel: str | None = None
    created_at: Timestamp
    settled_at: Timestamp | None = None


class TicketTransferredOut(TicketOut):
    """The ticket after a transfer completed at once, with the transfer's id."""

    transfer_id: str


WebhookKind = Literal["ticket.consumed", "transfer.pending", "ticket.revoked"]
WEBHOOK_KINDS: tuple[WebhookKind, ...] = ("ticket.consumed", "transfer.pending", "ticket.revoked")
WEBHOOK_URL_MAX = 2048


class WebhookCreate(Strict):
    # http(s) only; private addresses are refused unless TICKETKING_WEBHOOKS_ALLOW_PRIVATE.
    url: Annotated[str, StringConstraints(min_length=1, max_length=WEBHOOK_URL_MAX)]
    # None: every kind.
    events: Annotated[list[WebhookKind], Field(min_length=1, max_length=8)] | None = None


class WebhookOut(BaseModel):
    webhook_id: str
    url: str
    events: list[WebhookKind]
    created_at: Timestamp


class WebhookCreated(WebhookOut):
    # Shown once: HMAC-SHA256 key of X-TicketKing-Signature (the UTF-8 bytes of this string).
    secret: str


class WebhookList(BaseModel):
    webhooks: list[WebhookOut]
