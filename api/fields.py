"""How the service's data becomes the ticket circuit's field elements (docs/api.md,
"How tickets become leaves").

    event_id, tier, scope (strings) -> SHA-256("ticketking/<kind>/v1\\0" + UTF-8 text),
                                        the first 31 bytes big-endian (248 bits < r)
    timestamps                       -> whole Unix seconds (floor), each in [0, 2^64)
    a missing not_before / not_after -> 0 / 2^64 - 1 (the ticket is valid without bound)

Each kind has its own prefix, so an event id and a tier spelled alike map to unrelated
elements; 248 bits keep every value canonical (below the BN254 scalar order r) without a
modular reduction, so the map is injective up to SHA-256 collisions.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from enum import StrEnum

from zkcore import errors
from zkcore.field import Fr

FIELD_BITS = 248
TIME_BITS = 64  # the circuit range-checks times to 64 bits (circuits.ticket.TIME_BITS)
TIME_MAX = (1 << TIME_BITS) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HEX = re.compile(r"0x[0-9a-fA-F]{1,64}")
_DECIMAL = re.compile(r"[0-9]{1,78}")  # r has 77 decimal digits


class Kind(StrEnum):
    """The kinds of string the circuit sees; each has its own hash domain."""

    EVENT = "event"
    TIER = "tier"
    SCOPE = "scope"


def string_to_field(kind: Kind, text: str) -> int:
    """The field element of `text` in the domain of `kind` (248 bits of a SHA-256)."""
    if not isinstance(text, str):
        raise errors.ArgumentError(f"{kind.value} must be a string, got {type(text).__name__}")
    # The NUL separator ends the prefix: no text can extend a prefix into another one.
    digest = hashlib.sha256(f"ticketking/{Kind(kind).value}/v1\0".encode() + text.encode()).digest()
    return int.from_bytes(digest[: FIELD_BITS // 8], "big")


def field_element(kind: str, value: str) -> int:
    """string_to_field by kind name ("event", "tier", "scope"), as api/token.py describes."""
    try:
        parsed = Kind(kind)
    except ValueError:
        raise errors.ArgumentError(f"unknown field kind {kind!r}") from None
    return string_to_field(parsed, value)


def event_field(event_id: str) -> int:
    """The circuit's public event_id for the service's event id string."""
    return string_to_field(Kind.EVENT, event_id)


def tier_field(tier: str) -> int:
    """The circuit's public tier for a tier name."""
    return string_to_field(Kind.TIER, tier)


def scope_field(scope: str) -> int:
    """The circuit's public scope (the nullifier's domain) for an entry scope name."""
    return string_to_field(Kind.SCOPE, scope)


def time_field(value: datetime) -> int:
    """Whole Unix seconds of an aware datetime (milliseconds dropped), in [0, 2^64)."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise errors.ArgumentError("a timestamp must be an aware datetime")
    # Integer arithmetic on the timedelta: a float timestamp would round, not floor.
    delta = value.astimezone(UTC) - _EPOCH
    seconds = delta.days * 86_400 + delta.seconds
    if not 0 <= seconds <= TIME_MAX:
        raise errors.ArgumentError(f"timestamp {value.isoformat()} is outside [1970, 2^64 s)")
    return seconds


def parse_element(text: str) -> int:
    """A field element written as a string: 0x-hex (1 to 64 digits) or decimal, below r.

    Strings only: a JSON number would lose precision in many clients long before r.
    """
    if not isinstance(text, str):
        raise errors.ArgumentError("a field element must be a string (0x-hex or decimal)")
    if _HEX.fullmatch(text):
        value = int(text[2:], 16)
    elif _DECIMAL.fullmatch(text):
        value = int(text)
    else:
        raise errors.ArgumentError("a field element is 0x followed by 1-64 hex digits, or decimal")
    if value >= Fr.modulus:
        raise errors.NonCanonicalError("a field element must be below the BN254 scalar order r")
    return value


def element_hex(value: int) -> str:
    """The one spelling the API answers field elements in: 0x and 64 lowercase hex digits."""
    return f"0x{value:064x}"


def validity_fields(not_before: datetime | None, not_after: datetime | None) -> tuple[int, int]:
    """(not_before, not_after) as circuit times; a missing bound is the widest one."""
    low = 0 if not_before is None else time_field(not_before)
    high = TIME_MAX if not_after is None else time_field(not_after)
    return low, high


__all__ = [
    "FIELD_BITS",
    "TIME_BITS",
    "TIME_MAX",
    "Kind",
    "element_hex",
    "event_field",
    "field_element",
    "parse_element",
    "scope_field",
    "string_to_field",
    "tier_field",
    "time_field",
    "validity_fields",
]
