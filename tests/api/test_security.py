"""API key hashing, ticket secret encryption, holder hashes, timestamps."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta, timezone

import pytest

from api import security
from api.services.gate import BN254_R
from api.timeutil import format_ts, to_millis


def test_api_key_round_trip() -> None:
    new = security.new_api_key()
    assert new.plaintext.startswith(f"tk_{new.key_id}_")
    assert security.parse_key_id(new.plaintext) == new.key_id
    assert security.key_matches(new.plaintext, new.key_hash)
    assert not security.key_matches(new.plaintext + "x", new.key_hash)
    assert new.plaintext not in new.key_hash
    assert len({security.new_api_key().plaintext for _ in range(50)}) == 50


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "tk_",
        "tk_short_x",
        "tk_ABCDEFGHIJKL_" + "a" * 43,
        "xx_abcdefghijkl_" + "a" * 43,
        "tk_abcdefghijkl_" + "a" * 42,
    ],
)
def test_malformed_keys_have_no_key_id(bad: str) -> None:
    assert security.parse_key_id(bad) is None


def test_secrets_encrypt_round_trip_and_are_canonical() -> None:
    key = secrets.token_bytes(32)
    value = security.TicketSecrets.generate()
    assert 0 <= value.salt < BN254_R and 0 <= value.holder_secret < BN254_R
    blob = security.encrypt_secrets(key, "t1", value)
    assert security.decrypt_secrets(key, "t1", blob) == value
    assert value.to_bytes() not in blob
    assert security.encrypt_secrets(key, "t1", value) != blob  # fresh nonce each time


def test_secrets_tampered_misplaced_or_wrong_key_fail() -> None:
    key = secrets.token_bytes(32)
    blob = security.encrypt_secrets(key, "t1", security.TicketSecrets.generate())
    flipped = blob[:-1] + bytes([blob[-1] ^ 1])
    cases = [
        (key, "t1", flipped),
        (key, "t2", blob),
        (secrets.token_bytes(32), "t1", blob),
        (key, "t1", blob[:10]),
        (key, "t1", b"\x02" + blob[1:]),
    ]
    for k, tid, b in cases:
        with pytest.raises(ValueError):
            security.decrypt_secrets(k, tid, b)


def test_holder_hash_is_keyed() -> None:
    k1, k2 = secrets.token_bytes(32), secrets.token_bytes(32)
    h = security.holder_hash(k1, "alice")
    assert h == security.holder_hash(k1, "alice") and len(h) == 64
    assert h != security.holder_hash(k2, "alice") and h != security.holder_hash(k1, "alicf")


def test_timestamps() -> None:
    t = datetime(2025, 3, 10, 13, 5, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert format_ts(t) == "2025-03-10T12:05:00.123Z"
    assert to_millis(t).microsecond == 123000 and to_millis(t).tzinfo == UTC
    with pytest.raises(ValueError):
        to_millis(datetime(2025, 3, 10))
