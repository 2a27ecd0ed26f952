"""The pieces wallet binding adds to shared modules: field text, sealed salts, token bindings."""

from __future__ import annotations

import secrets

import pytest

from api.fields import element_hex, parse_element
from api.security import TicketSecrets, decrypt_salt, decrypt_secrets, encrypt_salt, encrypt_secrets
from api.token import GATE_POLICY_ANY, NONCE_BYTES, TokenBinding
from api.wallet import WalletError, parse_secret, zkey_url
from zkcore import errors
from zkcore.field import Fr
from zkcore.poseidon import poseidon

R = Fr.modulus


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0), ("0x0", 0), ("0xAb", 0xAB), ("42", 42), (str(R - 1), R - 1), (hex(R - 1), R - 1)],
)
def test_parse_element(text: str, value: int) -> None:
    assert parse_element(text) == value
    assert element_hex(value) == "0x" + f"{value:064x}"
    assert parse_element(element_hex(value)) == value


@pytest.mark.parametrize(
    "text", ["", "0x", "x1", "0X1", "1e3", "-1", "+1", " 1", "0x" + "0" * 65, "1" * 79]
)
def test_parse_element_refuses_other_spellings(text: str) -> None:
    with pytest.raises(errors.ArgumentError):
        parse_element(text)


@pytest.mark.parametrize("value", [R, R + 1, (1 << 256) - 1])
def test_parse_element_refuses_values_from_r(value: int) -> None:
    for text in (str(value), hex(value)):
        with pytest.raises(errors.NonCanonicalError):
            parse_element(text)


def test_parse_element_refuses_non_strings() -> None:
    with pytest.raises(errors.ArgumentError):
        parse_element(5)  # type: ignore[arg-type]


def test_parse_secret() -> None:
    assert parse_secret("  0x5\n") == 5
    for bad in ("0", "0x0", "nope", str(R)):
        with pytest.raises(WalletError):
            parse_secret(bad)


def test_sealed_salt_round_trip_and_domain() -> None:
    key = secrets.token_bytes(32)
    salt = secrets.randbits(248)
    blob = encrypt_salt(key, "tk-1", salt)
    assert decrypt_salt(key, "tk-1", blob) == salt
    assert encrypt_salt(key, "tk-1", salt) != blob  # a fresh nonce each time
    with pytest.raises(ValueError, match="authentication"):
        decrypt_salt(key, "tk-2", blob)  # moved to another ticket
    with pytest.raises(ValueError, match="authentication"):
        decrypt_salt(secrets.token_bytes(32), "tk-1", blob)
    tampered = bytearray(blob)
    tampered[-1] ^= 1
    with pytest.raises(ValueError, match="authentication"):
        decrypt_salt(key, "tk-1", bytes(tampered))
    # A salt blob is no custodial secret, and custodial secrets are no salt.
    with pytest.raises(ValueError):
        decrypt_secrets(key, "tk-1", blob)
    custodial = encrypt_secrets(key, "tk-1", TicketSecrets(salt, 7))
    with pytest.raises(ValueError):
        decrypt_salt(key, "tk-1", custodial)


def test_token_binding() -> None:
    bound = TokenBinding.fresh(1_000, 30, 2_000)
    assert len(bound.nonce) == NONCE_BYTES and bound.gate_policy == GATE_POLICY_ANY
    assert bound.expires_at == 1_030
    assert bound.element == poseidon([int.from_bytes(bound.nonce, "big"), 1_030, 0])
    assert TokenBinding.fresh(1_000, 30, 2_000).nonce != bound.nonce
    # Never past the ticket's window, and always after `now`.
    assert TokenBinding.fresh(1_000, 30, 1_010).expires_at == 1_010
    assert TokenBinding.fresh(1_000, 30, 1_000).expires_at == 1_001


def test_zkey_url() -> None:
    want = "https://tk.example/v1/api/ticketking/circuit/zkey"
    assert zkey_url("https://tk.example") == want
    assert zkey_url("https://tk.example/") == want
    assert zkey_url("https://tk.example/v1/api/ticketking") == want
    assert zkey_url(want) == want
