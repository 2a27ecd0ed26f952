"""api.fields: the service's ids and times as the circuit's field elements."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from api.fields import (
    TIME_MAX,
    Kind,
    event_field,
    field_element,
    scope_field,
    string_to_field,
    tier_field,
    time_field,
    validity_fields,
)
from zkcore import errors
from zkcore.field import Fr


def test_string_to_field_is_the_documented_sha256_prefix() -> None:
    digest = hashlib.sha256(b"ticketking/event/v1\0concert-2025").digest()
    assert event_field("concert-2025") == int.from_bytes(digest[:31], "big")


@pytest.mark.parametrize("text", ["", "ga", "vip", "ev-1", "é漢字", "x" * 64])
def test_domains_are_separated_and_canonical(text: str) -> None:
    values = {event_field(text), tier_field(text), scope_field(text)}
    assert len(values) == 3
    for v in values:
        assert 0 <= v < 1 << 248 < Fr.modulus


def test_deterministic_and_distinct() -> None:
    assert tier_field("vip") == tier_field("vip") == string_to_field(Kind.TIER, "vip")
    names = [f"ev-{i}" for i in range(500)]
    assert len({event_field(n) for n in names}) == len(names)
    # A prefix-extension attempt: "event" text with the separator does not reach "tier".
    assert event_field("x") != string_to_field(Kind.EVENT, "\0x")


def test_non_string_rejected() -> None:
    with pytest.raises(errors.ArgumentError):
        event_field(42)  # type: ignore[arg-type]


def test_time_field_whole_seconds() -> None:
    t = datetime(2025, 3, 10, 12, 5, 0, 999_000, tzinfo=UTC)
    assert time_field(t) == 1741608300
    assert time_field(datetime(1970, 1, 1, tzinfo=UTC)) == 0
    # Another offset, the same instant.
    plus2 = t.astimezone(timezone(timedelta(hours=2)))
    assert time_field(plus2) == time_field(t)


def test_time_field_rejects_naive_and_pre_epoch() -> None:
    with pytest.raises(errors.ArgumentError):
        time_field(datetime(2025, 1, 1))
    with pytest.raises(errors.ArgumentError):
        time_field(datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC))


def test_validity_fields_defaults() -> None:
    assert validity_fields(None, None) == (0, TIME_MAX)
    t = datetime(2025, 1, 1, tzinfo=UTC)
    assert validity_fields(t, t + timedelta(hours=1)) == (time_field(t), time_field(t) + 3600)


def test_field_element_by_kind_name() -> None:
    assert field_element("event", "e") == event_field("e")
    assert field_element("tier", "e") == tier_field("e")
    assert field_element("scope", "e") == scope_field("e")
    with pytest.raises(errors.ArgumentError):
        field_element("gate", "e")
